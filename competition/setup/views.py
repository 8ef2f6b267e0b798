"""The office's year setup pages (under /competitions/): a new year from last
year's, categories and quotas, the rubric per category, the rounds, the
issuers and their seals.

The office and observers read them (anyone else: the 404 page, as for a
missing year); every POST calls a service, which refuses an observer (the 403
page) and any change outside 筹备 (shown on the page, nothing changed). Outside
筹备 the pages are read-only and say why.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import phases
from ..enums import Phase
from ..exceptions import ApplicationError, Forbidden, ValidationFailed
from ..models import Category, Competition, Issuer, QuotaOverride, Unit
from ..refusals import issuers_refusal, wording_refusal
from ..rules import can_read_all, is_office
from ..services import competition_advance, competition_update
from ..views import add_service_errors, chinese_error_pages, flash_error
from . import services
from .forms import (
    CategoryForm,
    CriterionFormSet,
    DatesForm,
    IssuerFormSet,
    QuotaOverridesForm,
    RoundFormSet,
    SealForm,
    WordingForm,
    YearNewForm,
)

chinese_errors = chinese_error_pages("competition/setup/error.html")


def _reader(view):
    """Signed in, office or observer (anyone else 404), Chinese 403/404 pages; a
    service's refusal of the role is the 403 page."""

    @login_required
    @chinese_errors
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_read_all(request.user):
            raise Http404
        if request.method == "POST" and not is_office(request.user):
            # Observers read; the services refuse them too.
            raise PermissionDenied("监督员只能查看，不能修改年度设置。")
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def _state(request, competition: Competition, tab: str) -> dict:
    """Whether the page may change the year's structure, and why not."""
    refusal = services.not_draft_refusal(competition)
    observer = not is_office(request.user)
    return {
        "competition": competition,
        "tab": tab,
        "editable": refusal is None and not observer,
        "frozen": refusal,
        "observer": observer,
    }


def _disable(form_or_formset) -> None:
    forms_ = getattr(form_or_formset, "forms", None)
    for form in forms_ if forms_ is not None else [form_or_formset]:
        for field in form.fields.values():
            field.disabled = True


def _row_errors(formset, kept: list, exc: ValidationFailed) -> None:
    """``rows[i].field`` errors of a service on the i-th kept form of a formset; the rest on top."""
    for key, errors in exc.fields.items():
        placed = False
        if key.startswith("rows[") and "]." in key:
            index, field = key[5:].split("].", 1)
            if index.isdigit() and int(index) < len(kept) and field in kept[int(index)].fields:
                for error in errors:
                    kept[int(index)].add_error(field, error)
                placed = True
        if not placed:
            # The page shows the service's message at the top already.
            formset._non_form_errors = formset.non_form_errors() + [e for e in errors if e != exc.message]


def _kept(formset) -> list:
    """The forms to save: not marked deleted, and not a blank row added and left empty."""
    extra = set(map(id, formset.extra_forms))
    return [
        f
        for f in formset.forms
        if not f.cleaned_data.get("DELETE") and not (id(f) in extra and not f.has_changed())
    ]


# --------------------------------------------------------------------------- a new year


@_reader
@require_http_methods(["GET", "POST"])
def year_new(request):
    latest = Competition.objects.order_by("-year").first()
    initial = {"source": latest, "year": latest.year + 1} if latest else {}
    form = YearNewForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                competition = services.competition_copy(
                    actor=request.user,
                    source=form.cleaned_data["source"],
                    year=form.cleaned_data["year"],
                    title=form.cleaned_data["title"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                source = form.cleaned_data["source"]
                messages.success(
                    request,
                    f"已创建{competition.year}年度（筹备阶段）"
                    + (f"，奖项、评分细则、评审轮次和颁发单位复制自{source.year}年度" if source else "")
                    + "。请逐项核对，并在“工作日历”中填写本年度的节假日。",
                )
                return redirect("setup:categories", pk=competition.pk)
        status = 400
    return render(
        request,
        "competition/setup/year_new.html",
        {"form": form, "observer": not is_office(request.user)},
        status=status,
    )


# --------------------------------------------------------------------------- categories and quotas


@_reader
@require_http_methods(["GET", "POST"])
def categories(request, pk: int):
    competition = get_object_or_404(Competition, pk=pk)
    state = _state(request, competition, "categories")
    form = CategoryForm(request.POST or None, initial={"order": competition.categories.count() + 1})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                category = services.category_save(actor=request.user, competition=competition, data=form.cleaned_data)
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            except ApplicationError as exc:
                flash_error(request, exc)
                return redirect("setup:categories", pk=competition.pk)
            else:
                messages.success(request, f"已添加奖项“{category.name}”。请为它设置评分细则。")
                return redirect("setup:rubric", pk=competition.pk, category=category.pk)
        status = 400
    if not state["editable"]:
        _disable(form)
    rows = []
    overrides = {}
    for o in QuotaOverride.objects.filter(category__competition=competition).select_related("unit"):
        overrides.setdefault(o.category_id, []).append(o)
    for category in competition.categories.prefetch_related("criteria").order_by("order", "id"):
        total = sum((c.points for c in category.criteria.all()), 0)
        rows.append({"category": category, "total": total, "overrides": overrides.get(category.pk, [])})
    return render(
        request,
        "competition/setup/categories.html",
        {**state, "rows": rows, "form": form},
        status=status,
    )


@_reader
@require_http_methods(["GET", "POST"])
def category(request, pk: int, category: int):
    competition = get_object_or_404(Competition, pk=pk)
    obj = get_object_or_404(Category, pk=category, competition=competition)
    state = _state(request, competition, "categories")
    units = Unit.objects.order_by("order", "code")
    overrides = {o.unit_id: o.nomination_quota for o in obj.quota_overrides.all()}
    action = request.POST.get("action") if request.method == "POST" else None
    form = CategoryForm(request.POST if action == "category" else None, initial=CategoryForm.initial_of(obj))
    quota_form = QuotaOverridesForm(
        request.POST if action == "quotas" else None,
        units=units,
        overrides=overrides,
        default=obj.nomination_quota_per_unit,
    )
    status = 200
    if action == "category":
        if form.is_valid():
            try:
                obj = services.category_save(actor=request.user, competition=competition, category=obj, data=form.cleaned_data)
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            except ApplicationError as exc:
                flash_error(request, exc)
                return redirect("setup:category", pk=competition.pk, category=obj.pk)
            else:
                messages.success(request, f"奖项“{obj.name}”已保存。")
                return redirect("setup:category", pk=competition.pk, category=obj.pk)
        status = 400
    elif action == "quotas":
        if quota_form.is_valid():
            try:
                changed = services.quota_overrides_set(actor=request.user, category=obj, values=quota_form.values())
            except ValidationFailed as exc:
                add_service_errors(quota_form, exc)
            except ApplicationError as exc:
                flash_error(request, exc)
                return redirect("setup:category", pk=competition.pk, category=obj.pk)
            else:
                messages.success(request, f"各单位推荐名额已保存（{changed} 个单位有变化）。")
                return redirect("setup:category", pk=competition.pk, category=obj.pk)
        status = 400
    elif action == "delete":
        try:
            services.category_delete(actor=request.user, category=obj)
        except ApplicationError as exc:
            flash_error(request, exc)
            return redirect("setup:category", pk=competition.pk, category=obj.pk)
        messages.success(request, f"已删除奖项“{obj.name}”。")
        return redirect("setup:categories", pk=competition.pk)
    if not state["editable"]:
        _disable(form)
        _disable(quota_form)
    return render(
        request,
        "competition/setup/category.html",
        {**state, "category": obj, "form": form, "quota_form": quota_form},
        status=status,
    )


# --------------------------------------------------------------------------- the rubric


@_reader
def rubric_first(request, pk: int):
    competition = get_object_or_404(Competition, pk=pk)
    first = competition.categories.order_by("order", "id").first()
    if first is None:
        messages.info(request, "请先添加奖项，再设置评分细则。")
        return redirect("setup:categories", pk=competition.pk)
    return redirect("setup:rubric", pk=competition.pk, category=first.pk)


@_reader
@require_http_methods(["GET", "POST"])
def rubric(request, pk: int, category: int):
    competition = get_object_or_404(Competition, pk=pk)
    obj = get_object_or_404(Category, pk=category, competition=competition)
    state = _state(request, competition, "rubric")
    initial = [
        {
            "name": c.name,
            "max_points": c.max_points,
            "weight": c.weight,
            "order": c.order,
            "tie_break_rank": c.tie_break_rank,
            "guidance": c.guidance,
        }
        for c in obj.criteria.order_by("order", "id")
    ]
    formset = CriterionFormSet(request.POST or None, initial=None if request.method == "POST" else initial, prefix="rows")
    status = 200
    if request.method == "POST":
        if formset.is_valid():
            kept = _kept(formset)
            rows = [{k: f.cleaned_data.get(k) for k in ("name", "max_points", "weight", "order", "tie_break_rank", "guidance")} for f in kept]
            try:
                services.rubric_set(actor=request.user, category=obj, rows=rows)
            except ValidationFailed as exc:
                messages.error(request, exc.message)
                _row_errors(formset, kept, exc)
            except ApplicationError as exc:
                flash_error(request, exc)
                return redirect("setup:rubric", pk=competition.pk, category=obj.pk)
            else:
                messages.success(request, f"“{obj.name}”的评分细则已保存，合计 100 分。")
                return redirect("setup:rubric", pk=competition.pk, category=obj.pk)
        status = 400
    if not state["editable"]:
        _disable(formset)
    return render(
        request,
        "competition/setup/rubric.html",
        {
            **state,
            "category": obj,
            "categories": competition.categories.order_by("order", "id"),
            "formset": formset,
        },
        status=status,
    )


# --------------------------------------------------------------------------- the rounds


ROUND_KEYS = (
    "name", "method", "judges_per_nomination", "trim_min_judges", "advance_per_category",
    "weight", "blind", "comment_required", "deadline",
)


@_reader
@require_http_methods(["GET", "POST"])
def rounds(request, pk: int):
    competition = get_object_or_404(Competition, pk=pk)
    state = _state(request, competition, "rounds")
    initial = [{k: getattr(r, k) for k in ROUND_KEYS} for r in competition.rounds.order_by("order")]
    formset = RoundFormSet(request.POST or None, initial=None if request.method == "POST" else initial, prefix="rows")
    status = 200
    if request.method == "POST":
        if formset.is_valid():
            kept = _kept(formset)
            rows = [{k: f.cleaned_data.get(k) for k in ROUND_KEYS} for f in kept]
            try:
                services.rounds_set(actor=request.user, competition=competition, rows=rows)
            except ValidationFailed as exc:
                messages.error(request, exc.message)
                _row_errors(formset, kept, exc)
            except ApplicationError as exc:
                flash_error(request, exc)
                return redirect("setup:rounds", pk=competition.pk)
            else:
                messages.success(request, "评审轮次已保存，权重合计为 1。")
                return redirect("setup:rounds", pk=competition.pk)
        status = 400
    if not state["editable"]:
        _disable(formset)
    return render(request, "competition/setup/rounds.html", {**state, "formset": formset}, status=status)


# --------------------------------------------------------------------------- issuers and seals


@_reader
@require_http_methods(["GET", "POST"])
def issuers(request, pk: int):
    competition = get_object_or_404(Competition, pk=pk)
    state = _state(request, competition, "issuers")
    # Issuers and seals are not frozen by the phase (as in the admin): the role decides, and
    # issued certificates (the service's refusal: the page shows it instead of the form).
    locked = issuers_refusal(competition)
    state["issuers_locked"] = locked
    state["issuers_editable"] = not state["observer"] and locked is None
    objects = list(competition.issuers.order_by("order", "id"))
    initial = [{"id": i.pk, "name": i.name} for i in objects]
    formset = IssuerFormSet(request.POST or None, initial=None if request.method == "POST" else initial, prefix="rows")
    status = 200
    if request.method == "POST" and locked is not None:
        messages.error(request, f"颁发单位未保存。{locked}")
        return redirect("setup:issuers", pk=competition.pk)
    if request.method == "POST":
        if formset.is_valid():
            kept = _kept(formset)
            rows = [{"id": f.cleaned_data.get("id"), "name": f.cleaned_data.get("name")} for f in kept]
            try:
                services.issuers_set(actor=request.user, competition=competition, rows=rows)
            except ValidationFailed as exc:
                messages.error(request, exc.message)
                _row_errors(formset, kept, exc)
            except ApplicationError as exc:  # certificates were issued meanwhile
                flash_error(request, exc)
                return redirect("setup:issuers", pk=competition.pk)
            else:
                messages.success(request, "颁发单位已保存。")
                return redirect("setup:issuers", pk=competition.pk)
        status = 400
    if not state["issuers_editable"]:
        _disable(formset)
    return render(
        request,
        "competition/setup/issuers.html",
        {
            **state,
            "formset": formset,
            "issuers": objects,
            "seal_form": SealForm(),
            "wording_form": _wording_form(competition, state),
            "wording_locked": wording_refusal(competition),
            "has_categories": competition.categories.exists(),
        },
        status=status,
    )


def _wording_form(competition: Competition, state: dict, data=None) -> WordingForm:
    form = WordingForm(data, initial={"certificate_wording": competition.certificate_wording})
    if state["observer"] or wording_refusal(competition) is not None:
        _disable(form)
    return form


@_reader
@require_POST
def wording(request, pk: int):
    """The certificate's wording (证书正文), saved by ``competition_update`` (held, as the
    issuers are, once certificates are issued)."""
    competition = get_object_or_404(Competition, pk=pk)
    form = WordingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "证书正文未保存：" + "；".join(m for ms in form.errors.values() for m in ms))
        return redirect(f"{reverse('setup:issuers', args=[competition.pk])}#wording")
    try:
        competition_update(actor=request.user, competition=competition, data=form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, f"证书正文未保存。{exc.message}")
    else:
        messages.success(request, "证书正文已保存，可预览证书样张核对。")
    return redirect(f"{reverse('setup:issuers', args=[competition.pk])}#wording")


@_reader
@require_POST
def seal_upload(request, pk: int, issuer: int):
    competition = get_object_or_404(Competition, pk=pk)
    obj = get_object_or_404(Issuer, pk=issuer, competition=competition)
    form = SealForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"{obj.name}：请选择要上传的印章图片。")
        return redirect("setup:issuers", pk=competition.pk)
    try:
        services.issuer_seal_upload(actor=request.user, issuer=obj, upload=form.cleaned_data["seal"])
    except ValidationFailed as exc:
        messages.error(request, f"{obj.name}的印章未保存：" + "；".join(m for ms in exc.fields.values() for m in ms))
    except ApplicationError as exc:  # issued certificates print the seal
        messages.error(request, f"{obj.name}的印章未保存。{exc.message}")
    else:
        messages.success(request, f"已上传{obj.name}的印章。可点击“预览证书样张”查看效果。")
    return redirect("setup:issuers", pk=competition.pk)


@_reader
@require_GET
def seal_image(request, pk: int, issuer: int):
    """An issuer's seal image, for the preview on the issuers page (office and observers)."""
    obj = get_object_or_404(Issuer, pk=issuer, competition_id=pk)
    if not obj.seal:
        raise Http404
    try:
        handle = obj.seal.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --------------------------------------------------------------------------- dates, and opening nominations


@_reader
@require_http_methods(["GET", "POST"])
def dates(request, pk: int):
    """The year's dates (editable in 筹备 and 申报) and, in 筹备, the button that opens
    nominations once every guard of that step holds (the guards' reason shown before)."""
    competition = get_object_or_404(Competition, pk=pk)
    state = _state(request, competition, "dates")
    dates_frozen = services.dates_refusal(competition)
    action = request.POST.get("action") if request.method == "POST" else None
    form = DatesForm(request.POST if action == "dates" else None, initial=DatesForm.initial_of(competition))
    status = 200
    if action == "dates":
        if form.is_valid():
            try:
                services.competition_dates_set(actor=request.user, competition=competition, **form.cleaned_data)
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            except ApplicationError as exc:
                flash_error(request, exc)
                return redirect("setup:dates", pk=competition.pk)
            else:
                messages.success(request, "日期已保存。")
                return redirect("setup:dates", pk=competition.pk)
        status = 400
    elif action == "open":
        try:
            competition = competition_advance(actor=request.user, competition=competition, to=Phase.NOMINATING)
        except ApplicationError as exc:
            flash_error(request, exc)
        else:
            opens = timezone.localtime(competition.nominations_open)
            closes = timezone.localtime(competition.nominations_close)
            messages.success(
                request,
                f"已开放申报：各推荐单位可在 {opens:%Y-%m-%d %H:%M} 至 {closes:%Y-%m-%d %H:%M} 新建和提交推荐。",
            )
        return redirect("setup:dates", pk=competition.pk)
    if dates_frozen or state["observer"]:
        _disable(form)
    open_refusal = phases.refusal(competition, Phase.NOMINATING) if competition.phase == Phase.DRAFT else None
    return render(
        request,
        "competition/setup/dates.html",
        {
            **state,
            "form": form,
            "dates_frozen": dates_frozen,
            "dates_editable": dates_frozen is None and not state["observer"],
            "open_refusal": open_refusal,
        },
        status=status,
    )
