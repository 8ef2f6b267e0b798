"""The Chinese web pages of the nominations app.

For a unit officer: the unit's nominations with the quota left per category
(``/nominations/``), the nomination form with draft autosave, attachment
upload and the completeness checklist (``new/``, ``<id>/edit/``), submit,
withdraw and delete-draft actions. For the office: the review queue
(``review/``) and a nomination's page with accept / return / reject
(``<id>/``); observers read both and act on nothing.

Views read through selectors and write through services only. A nomination
the user may not see answers 404 exactly like a missing one; an action the
role may not take answers 403. The form page's script (``static/nominations/
form.js``) talks to the JSON API for autosave and attachments and to
``<id>/checklist/`` for the checklist.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competition import selectors as competition_selectors
from competition.enums import Phase, Role
from competition.exceptions import ApplicationError, ValidationFailed
from competition.people.services import unit_refusal
from competition.rules import can_read_all
from competition.views import add_service_errors, chinese_error_pages, flash_error

from . import files, schema, selectors, services, states
from .enums import EDITABLE_STATUSES, AttachmentKind, Decision, Status
from .forms import NominationForm, ReviewFilterForm, ReviewForm, WithdrawForm, initial_from
from .models import Attachment

NOMINATION_OBJECT_TYPE = "nominations.nomination"
ATTACHMENT_OBJECT_TYPE = "nominations.attachment"
KIND_LABELS = dict(AttachmentKind.choices)

# Audit actions as a person reads them.
ACTION_LABELS = {
    "nomination.create": "创建草稿",
    "nomination.update": "修改内容",
    "nomination.submit": "提交推荐",
    "nomination.withdraw": "撤回推荐",
    "nomination.delete": "删除草稿",
    "nomination.review.accept": "资格审查：通过",
    "nomination.review.return": "资格审查：退回修改",
    "nomination.review.reject": "资格审查：不予通过",
    "attachment.add": "上传附件",
    "attachment.delete": "删除附件",
}
ROLE_LABELS = dict(Role.choices)
STATUS_LABELS = dict(Status.choices)


# --------------------------------------------------------------------------- helpers


chinese_errors = chinese_error_pages("nominations/error.html", not_found="该推荐不存在，或您无权查看。")


def _visible(request, pk: int):
    """The nomination if the user may see it; 404 otherwise (missing or not theirs)."""
    return get_object_or_404(selectors.nomination_list(user=request.user), pk=pk)


def _require_perm(user, perm: str) -> None:
    """403 unless the role may do this at all (``rules`` decides, e.g. only unit officers)."""
    if not user.has_perm(perm):
        raise PermissionDenied


def _own(request, pk: int):
    """A nomination of the officer's own unit (other roles 403, other units 404)."""
    _require_perm(request.user, "nominations.change_nomination")
    nomination = _visible(request, pk)
    _require_perm_on(request.user, "nominations.change_nomination", nomination)
    return nomination


def _require_perm_on(user, perm: str, nomination) -> None:
    if not user.has_perm(perm, nomination):
        raise PermissionDenied


def _attachment_urls(attachment) -> dict:
    """The API's URLs of an attachment (downloads are permission-checked there)."""
    download = reverse("attachment-download", args=[attachment.pk])
    return {
        "download_url": download,
        "thumbnail_url": f"{download}?thumbnail=1" if attachment.thumbnail else "",
        "delete_url": reverse("attachment-detail", args=[attachment.pk]),
    }


def _attachments(nomination) -> list:
    items = []
    for attachment in nomination.attachments.all():
        attachment.urls = _attachment_urls(attachment)
        items.append(attachment)
    return items


def _display_value(nomination, name: str) -> str:
    value = getattr(nomination, name)
    if name == "order":
        return f"第 {value} 位" if value else ""
    if name == "field":
        return nomination.get_field_display()
    if name == "pledge":
        if not value:
            return "未承诺"
        when = timezone.localtime(nomination.pledged_at) if nomination.pledged_at else None
        return f"已承诺（{when:%Y-%m-%d %H:%M}）" if when else "已承诺"
    if name in ("started_on", "founded_on") and value:
        years = nomination.years_running
        suffix = f"（截至申报截止满 {years} 年）" if years is not None else ""
        return f"{value.year}年{value.month}月{value.day}日{suffix}"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _sections(nomination) -> list[tuple[str, list[dict]]]:
    kind = nomination.category.kind
    long = schema.long_fields()
    return [
        (
            title,
            [
                {
                    "name": name,
                    "label": schema.label(kind, name),
                    "value": _display_value(nomination, name),
                    "links": getattr(nomination, name) if name == "media_links" else None,
                    "long": name in long,
                }
                for name in names
            ],
        )
        for title, names in schema.sections(kind)
    ]


def _verbose(key: str) -> str:
    from .models import Nomination

    try:
        return str(Nomination._meta.get_field(key).verbose_name)
    except Exception:  # noqa: BLE001 - an unknown key is shown as it is
        return key


def _describe_entry(entry, kind: str) -> dict:
    before, after = entry.before or {}, entry.after or {}
    details = []
    if "status" in after and before.get("status") != after.get("status"):
        details.append(
            f"状态：{STATUS_LABELS.get(before.get('status'), '—')} → "
            f"{STATUS_LABELS.get(after['status'], after['status'])}"
        )
    if entry.action == "nomination.update":
        names = [schema.label(kind, key) if key in schema.KNOWN else _verbose(key) for key in after]
        if names:
            details.append("修改了：" + "、".join(names))
    if entry.object_type == ATTACHMENT_OBJECT_TYPE:
        item = after or before
        kind = KIND_LABELS.get(item.get("kind"), "")
        details.append(f"{kind}　{item.get('original_name') or ''}".strip())
    return {
        "when": entry.created_at,
        "action": ACTION_LABELS.get(entry.action, entry.action),
        "actor": str(entry.actor) if entry.actor else "系统",
        "role": ROLE_LABELS.get(entry.actor_role, ""),
        "details": details,
        "reason": entry.reason,
    }


def _history(user, nomination) -> list[dict]:
    """The audit entries of this nomination and of its attachments, oldest first
    (the office and observers)."""
    entries = (
        competition_selectors.audit_list(user=user)
        .filter(
            Q(object_type=NOMINATION_OBJECT_TYPE, object_id=str(nomination.pk))
            | Q(object_type=ATTACHMENT_OBJECT_TYPE, after__nomination=nomination.pk)
            | Q(object_type=ATTACHMENT_OBJECT_TYPE, before__nomination=nomination.pk)
        )
        .order_by("created_at", "id")
    )
    return [_describe_entry(e, nomination.category.kind) for e in entries]


def _timeline(nomination) -> list[dict]:
    """The unit's view of its nomination's history, from the nomination's own dates."""
    rows = [{"when": nomination.created_at, "action": "创建草稿", "details": [], "reason": ""}]
    if nomination.submitted_at:
        rows.append({"when": nomination.submitted_at, "action": "提交推荐", "details": [], "reason": ""})
    if nomination.reviewed_at:
        rows.append(
            {
                "when": nomination.reviewed_at,
                "action": f"资格审查：{STATUS_LABELS.get(nomination.status, '')}"
                if nomination.status in (Status.ACCEPTED, Status.RETURNED, Status.REJECTED)
                else "资格审查",
                "details": [],
                "reason": nomination.review_reason,
            }
        )
    if nomination.status == Status.WITHDRAWN:
        rows.append({"when": nomination.updated_at, "action": "撤回推荐", "details": [], "reason": ""})
    return sorted(rows, key=lambda r: r["when"])


# --------------------------------------------------------------------------- officer pages


@login_required
@chinese_errors
@require_GET
def nomination_index(request):
    """The unit's nominations per competition, with the quota left per category."""
    user = request.user
    if can_read_all(user):
        return redirect("nominations:review")
    _require_perm(user, "nominations.add_nomination")
    now = timezone.now()
    competitions = list(
        competition_selectors.competition_list(user=user)
        .prefetch_related(None)
        .exclude(phase=Phase.DRAFT)
        .order_by("-year")
    )
    by_competition = defaultdict(list)
    for nomination in (
        selectors.nomination_list(user=user)
        .prefetch_related(None)
        .filter(competition__in=competitions)
    ):
        by_competition[nomination.competition_id].append(nomination)
    blocks = []
    for competition in competitions:
        items = by_competition[competition.pk]
        # A deactivated unit (competition.people) starts nothing new, whatever the window.
        refusal = unit_refusal(user.unit) or services.window_refusal(competition, now)
        editing = Counter(n.category_id for n in items if n.status in EDITABLE_STATUSES)
        quota = selectors.quota_left(unit_id=user.unit_id, competition_id=competition.pk)
        for row in quota:
            row["editing"] = editing.get(row["category"], 0)
            row["new_url"] = (
                reverse("nominations:new") + f"?competition={competition.pk}&category={row['category']}"
            )
        blocks.append(
            {
                "competition": competition,
                "refusal": refusal,
                "open": refusal is None,
                "quota": quota,
                "nominations": items,
            }
        )
    return render(request, "nominations/index.html", {"blocks": blocks, "unit": user.unit})


def _form_context(request, *, form, competition, category, nomination=None, status=200):
    now = timezone.now()
    refusal = services.window_refusal(competition, now)
    quota = next(
        (
            row
            for row in selectors.quota_left(unit_id=request.user.unit_id, competition_id=competition.pk)
            if row["category"] == category.pk
        ),
        None,
    )
    context = {
        "form": form,
        "competition": competition,
        "category": category,
        "nomination": nomination,
        "refusal": refusal,
        "quota": quota,
        "attachment_kinds": AttachmentKind.choices,
        "photo_kind": AttachmentKind.PHOTO,
        "attachments": _attachments(nomination) if nomination else [],
        "missing": services.missing_items(nomination) if nomination else None,
        "withdraw_form": WithdrawForm(),
        "edit_url_template": reverse("nominations:edit", args=[0]),
        "checklist_url_template": reverse("nominations:checklist", args=[0]),
        "submit_url_template": reverse("nominations:submit", args=[0]),
        "api_list_url": reverse("nomination-list"),
        # The upload limits the page shows and its script pre-checks, from the server's own.
        "upload_limits": {
            **files.client_limits(),
            "captionMax": Attachment._meta.get_field("caption").max_length,
        },
    }
    return render(request, "nominations/form.html", context, status=status)


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def nomination_new(request):
    """A new draft of the officer's unit for one category (``?competition=&category=``)."""
    _require_perm(request.user, "nominations.add_nomination")
    params = request.POST if request.method == "POST" else request.GET
    try:
        competition_id = int(params.get("competition", ""))
        category_id = int(params.get("category", ""))
    except ValueError as exc:
        raise Http404 from exc
    competition = get_object_or_404(
        competition_selectors.competition_list(user=request.user), pk=competition_id
    )
    category = next((c for c in competition.categories.all() if c.pk == category_id), None)
    if category is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = NominationForm(request.POST, category=category, unit=request.user.unit_id)
        if form.is_valid():
            try:
                nomination = services.nomination_create(
                    actor=request.user,
                    competition=competition,
                    category=category,
                    data=form.service_data(),
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc.fields)
                messages.error(request, exc.message)
            except ApplicationError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, "草稿已保存。可以继续填写并上传附件。")
                return redirect("nominations:edit", pk=nomination.pk)
        status = 400
    else:
        form = NominationForm(category=category, unit=request.user.unit_id)
    return _form_context(
        request, form=form, competition=competition, category=category, status=status
    )


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def nomination_edit(request, pk: int):
    nomination = _own(request, pk)
    refusal = states.edit_refusal(nomination, timezone.now())
    if refusal and refusal.code != "window_closed":
        # Not editable in this status: the page of the nomination. (Outside the
        # window the form is shown, disabled, with the window's notice.)
        messages.info(request, refusal)
        return redirect("nominations:detail", pk=nomination.pk)
    status = 200
    if request.method == "POST":
        form = NominationForm(request.POST, category=nomination.category, unit=nomination.unit_id)
        if form.is_valid():
            try:
                services.nomination_update(
                    actor=request.user,
                    nomination=nomination,
                    data=form.service_data(),
                    version=form.cleaned_data.get("version"),
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc.fields)
                messages.error(request, exc.message)
            except ApplicationError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, "草稿已保存。")
                return redirect("nominations:edit", pk=nomination.pk)
        status = 400
    else:
        form = NominationForm(initial=initial_from(nomination), category=nomination.category, unit=nomination.unit_id)
    return _form_context(
        request,
        form=form,
        competition=nomination.competition,
        category=nomination.category,
        nomination=nomination,
        status=status,
    )


@login_required
@chinese_errors
@require_GET
def nomination_checklist(request, pk: int):
    """The completeness checklist as JSON, for the form page's script."""
    nomination = _visible(request, pk)
    missing = services.missing_items(nomination)
    return JsonResponse(
        {
            "id": nomination.pk,
            "status": nomination.status,
            "status_display": nomination.get_status_display(),
            "version": nomination.version,
            "complete": not missing,
            "missing": missing,
            "warnings": selectors.warnings_for(user=request.user, nomination=nomination),
        }
    )


@login_required
@chinese_errors
@require_POST
def nomination_submit(request, pk: int):
    nomination = _own(request, pk)
    try:
        nomination = services.nomination_submit(actor=request.user, nomination=nomination)
    except ApplicationError as exc:
        flash_error(request, exc)
        if states.edit_refusal(nomination, timezone.now()) is None:
            return redirect("nominations:edit", pk=nomination.pk)
        return redirect("nominations:detail", pk=nomination.pk)
    messages.success(request, "推荐已提交，等待组委会办公室资格审查。")
    return redirect("nominations:detail", pk=nomination.pk)


@login_required
@chinese_errors
@require_POST
def nomination_withdraw(request, pk: int):
    nomination = _own(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("nominations:detail", pk=nomination.pk)
    try:
        services.nomination_withdraw(
            actor=request.user, nomination=nomination, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, "推荐已撤回。")
    return redirect("nominations:detail", pk=nomination.pk)


@login_required
@chinese_errors
@require_POST
def nomination_delete(request, pk: int):
    nomination = _own(request, pk)
    try:
        services.nomination_delete(actor=request.user, nomination=nomination)
    except ApplicationError as exc:
        flash_error(request, exc)
        return redirect("nominations:detail", pk=nomination.pk)
    messages.success(request, "草稿已删除。")
    return redirect("nominations:index")


# --------------------------------------------------------------------------- a nomination's page


def _detail(request, nomination, *, review_form=None, status=200):
    user = request.user
    # The full audit history for those who read the audit; the unit its own timeline.
    reader = user.has_perm("competition.view_audit")
    # What to offer is asked in the template ({% has_perm %}): rules.py decides.
    context = {
        "nomination": nomination,
        "sections": _sections(nomination),
        "attachments": _attachments(nomination),
        "history": _history(user, nomination) if reader else _timeline(nomination),
        "full_history": reader,
        "review_form": review_form or ReviewForm(),
        "decisions": Decision,
        "withdraw_form": WithdrawForm(),
        "edit_refusal": states.edit_refusal(nomination, timezone.now()),
        "reader": reader,
        "warnings": selectors.warnings_for(user=user, nomination=nomination),
    }
    return render(request, "nominations/detail.html", context, status=status)


@login_required
@chinese_errors
@require_GET
def nomination_detail(request, pk: int):
    return _detail(request, _visible(request, pk))


@login_required
@chinese_errors
@require_POST
def nomination_review(request, pk: int):
    """The office's decision from the nomination's page (observers: 403)."""
    nomination = _visible(request, pk)
    # The role (observers: 403); a nomination no longer reviewable is the service's 409.
    _require_perm_on(request.user, "nominations.review_nominations", nomination)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "审查结论未保存，请按提示修改。")
        return _detail(request, nomination, review_form=form, status=400)
    decision = form.cleaned_data["decision"]
    try:
        services.nomination_review(
            actor=request.user,
            nomination=nomination,
            decision=decision,
            reason=form.cleaned_data["reason"],
        )
    except ValidationFailed as exc:
        add_service_errors(form, exc)
        messages.error(request, exc.message)
        return _detail(request, nomination, review_form=form, status=400)
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"审查结论已记录：{Decision(decision).label}。")
    return redirect("nominations:detail", pk=nomination.pk)


# --------------------------------------------------------------------------- the office's queue


@login_required
@chinese_errors
@require_GET
def review_queue(request):
    """Submitted and decided nominations, filtered by category, unit, status and warnings."""
    user = request.user
    if not can_read_all(user):
        raise PermissionDenied
    competitions = (
        competition_selectors.competition_list(user=user).prefetch_related(None).order_by("-year")
    )
    data = request.GET.copy()
    competition = None
    raw = data.get("competition", "")
    if raw.isdigit():
        competition = competitions.filter(pk=int(raw)).first()
    if competition is None:
        competition = competitions.exclude(phase=Phase.DRAFT).first() or competitions.first()
        if competition is not None:
            data["competition"] = str(competition.pk)
    form = ReviewFilterForm(
        data, competitions=competitions, units=competition_selectors.unit_list()
    )
    if competition is not None:
        form.set_categories(competition.categories.order_by("order", "id"))
    rows = selectors.review_queue(user=user).prefetch_related(None).none()
    if competition is not None and form.is_valid():
        rows = selectors.review_queue(user=user).prefetch_related(None).filter(
            competition=competition
        )
        filters = form.cleaned_data
        if filters.get("category"):
            rows = rows.filter(category=filters["category"])
        if filters.get("unit"):
            rows = rows.filter(unit=filters["unit"])
        if filters.get("status"):
            rows = rows.filter(status=filters["status"])
        if filters.get("has_warnings") == "yes":
            rows = rows.exclude(warnings=[])
        elif filters.get("has_warnings") == "no":
            rows = rows.filter(warnings=[])
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    for row in page:  # shown, never saved: the office reads which units nominated a duplicate
        row.warnings = selectors.warnings_for(user=user, nomination=row)
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "nominations/review_queue.html",
        {
            "form": form,
            "competition": competition,
            "page": page,
            "query": query.urlencode(),
            "can_review": user.has_perm("nominations.review_nominations"),
        },
    )
