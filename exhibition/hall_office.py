"""The office's pages of the content halls (序篇, 文化展, 制度展, 主题展).

``/exhibition/office/halls/``: every item by hall, with its status, moved up
or down, published or taken back to draft; ``…/new/`` and ``…/<id>/`` write
an item (title, summary, Markdown body, year, unit, field, links) and add or
remove its pictures, PDF documents and videos. Every change goes through
``hall_services`` (office only, audited). Observers read and get 403 on any
action; anyone else gets 404. Reached from the office console's navigation
(``judging.console.nav.ENTRIES``, group 云展馆).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from competition.exceptions import ApplicationError
from competition.models import Unit
from competition.rules import can_read_all
from nominations import files as files_checks
from nominations.enums import ServiceField

from . import hall_services, halls
from .hall_enums import ContentHall, ItemFileKind
from .models import HallItem
from .office_views import chinese_errors

FIELDS = ("hall", "title", "summary", "body", "year", "unit", "field")


def _reader(request) -> None:
    if not can_read_all(request.user):
        raise Http404


def _actor(request) -> None:
    _reader(request)
    if not request.user.has_perm("exhibition.edit_halls"):
        raise PermissionDenied


def parse_links(text: str) -> list[dict[str, str]]:
    """One link a line: "名称 | https://…" (or just the address)."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        title, _bar, url = line.rpartition("|") if "|" in line else ("", "", line)
        out.append({"title": title.strip(), "url": url.strip()})
    return out


def links_text(links: list[dict]) -> str:
    return "\n".join(f"{link['title']} | {link['url']}" for link in links or [])


def _form_context(request, item: HallItem | None, form: dict, errors: dict) -> dict:
    return {
        "item": item,
        "form": form,
        "errors": errors,
        "halls": ContentHall.choices,
        "units": Unit.objects.order_by("order", "code"),
        "fields": ServiceField.values,
        "file_kinds": ItemFileKind.choices,
        "is_office": request.user.has_perm("exhibition.edit_halls"),
        "files": halls.item_files(item) if item else {},
        "video_limit": files_checks._duration(settings.EXHIBITION_VIDEO_MAX_SECONDS),
    }


def _form_of(item: HallItem) -> dict:
    return {
        "hall": item.hall, "title": item.title, "summary": item.summary, "body": item.body,
        "year": item.year or "", "unit": item.unit.code if item.unit_id else "", "field": item.field,
        "links": links_text(item.links),
    }  # fmt: skip


def _posted(request) -> dict:
    data = {key: request.POST.get(key, "") for key in FIELDS}
    data["links"] = parse_links(request.POST.get("links", ""))
    return data


@login_required
@chinese_errors
@require_http_methods(["GET"])
def items(request):
    _reader(request)
    groups = []
    rows = list(HallItem.objects.select_related("unit").prefetch_related("files").order_by("order", "id"))
    for value, label in ContentHall.choices:
        groups.append({"value": value, "label": label, "items": [i for i in rows if i.hall == value]})
    return render(
        request,
        "exhibition/halls/office_items.html",
        {"groups": groups, "is_office": request.user.has_perm("exhibition.edit_halls")},
    )


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def item_new(request):
    _reader(request)
    if request.method == "POST":
        _actor(request)
        data = _posted(request)
        try:
            item = hall_services.item_save(actor=request.user, data=data)
        except ApplicationError as exc:
            form = {**data, "links": request.POST.get("links", "")}
            context = _form_context(request, None, form, exc.fields or {"__all__": [exc.message]})
            return render(request, "exhibition/halls/office_item.html", context, status=400)
        messages.success(request, f"已保存草稿“{item.title}”。可继续添加图片、文件或视频，然后发布。")
        return redirect("exhibition:office-hall-item", pk=item.pk)
    hall = request.GET.get("hall", "")
    form = {"hall": hall if hall in ContentHall.values else ContentHall.PROLOGUE}
    return render(request, "exhibition/halls/office_item.html", _form_context(request, None, form, {}))


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    _reader(request)
    item = get_object_or_404(HallItem.objects.select_related("unit").prefetch_related("files"), pk=pk)
    if request.method == "POST":
        _actor(request)
        data = _posted(request)
        try:
            item = hall_services.item_save(actor=request.user, item=item, data=data)
        except ApplicationError as exc:
            form = {**data, "links": request.POST.get("links", "")}
            context = _form_context(request, item, form, exc.fields or {"__all__": [exc.message]})
            return render(request, "exhibition/halls/office_item.html", context, status=400)
        messages.success(request, f"已保存“{item.title}”。")
        return redirect("exhibition:office-hall-item", pk=item.pk)
    return render(request, "exhibition/halls/office_item.html", _form_context(request, item, _form_of(item), {}))


ACTIONS = ("publish", "unpublish", "up", "down", "upload", "remove-file")


@login_required
@chinese_errors
@require_POST
def item_action(request, pk: int, action: str):
    _reader(request)
    item = get_object_or_404(HallItem, pk=pk)
    if action not in ACTIONS:
        raise Http404
    _actor(request)
    back = request.POST.get("next") == "list"
    try:
        if action == "publish":
            hall_services.item_publish(actor=request.user, item=item)
            messages.success(request, f"已发布“{item.title}”。")
        elif action == "unpublish":
            hall_services.item_unpublish(actor=request.user, item=item)
            messages.success(request, f"已将“{item.title}”撤回为草稿。")
        elif action in ("up", "down"):
            hall_services.item_move(actor=request.user, item=item, direction=action)
            back = True
        elif action == "upload":
            created = hall_services.item_add_file(
                actor=request.user,
                item=item,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                upload=request.FILES.get("file"),
                poster=request.FILES.get("poster"),
            )
            messages.success(request, f"已添加{created.get_kind_display()}“{created.title}”。")
        else:
            raw = request.POST.get("file", "")
            hall_services.item_remove_file(actor=request.user, item=item, file_id=int(raw) if raw.isdigit() else 0)
            messages.success(request, "已删除该文件。")
    except ApplicationError as exc:
        texts = [m for ms in exc.fields.values() for m in ms] or [exc.message]
        for text in texts:
            messages.error(request, text)
    if back:
        return redirect(f"{_list_url()}#hall-{item.hall}")
    return redirect("exhibition:office-hall-item", pk=item.pk)


def _list_url() -> str:
    from django.urls import reverse

    return reverse("exhibition:office-halls")
