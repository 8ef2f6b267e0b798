"""The office's pages for exhibits not tied to an award made here, and for figures.

- ``/exhibition/office/competitions/<id>/recommended/``: a final competition's
  accepted projects that did not win; the office shows one as 推荐项目;
- ``/exhibition/office/history/``: the historic exhibits (winners of years before
  this system); the office enters one (texts, a photo, its figures);
- ``/exhibition/office/history/import/``: an .xlsx plus a ZIP of photos, dry run first;
- ``/exhibition/office/exhibits/<id>/``: an exhibit's figures (as-of date, source,
  approximate), one more photo, and a historic exhibit's year, honour and texts.

The office and observers read; only the office writes (observers get 403);
anyone else gets 404. Every write goes through ``source_services``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from competition.enums import Phase
from competition.exceptions import ApplicationError
from competition.models import Competition
from competition.rules import can_read_all, is_office
from competition.views import add_service_errors, flash_error, xlsx_download
from judging.enums import AwardStatus
from judging.models import Award
from nominations import past_winners
from nominations.enums import Status
from nominations.models import Nomination

from . import history_import, source_services
from .enums import HALL_OF_CATEGORY_KIND, AsOfPrecision, ExhibitKind, ExhibitSource
from .models import Exhibit
from .office_views import PUBLIC_PAGE, chinese_errors
from .services import FINAL_PHASES

FIGURE_ROWS_EXTRA = 3
PUBLIC_PAGES = PUBLIC_PAGE


def _read(user) -> None:
    if not can_read_all(user):
        raise Http404


def _write(user) -> None:
    if not is_office(user):
        raise PermissionDenied


def _public_url_name(exhibit: Exhibit) -> str | None:
    return PUBLIC_PAGES.get(exhibit.kind)


# --------------------------------------------------------------------------- recommended


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def recommended_page(request, pk: int):
    user = request.user
    _read(user)
    competition = get_object_or_404(Competition, pk=pk)
    if request.method == "POST":
        _write(user)
        nomination = get_object_or_404(Nomination, pk=request.POST.get("nomination", "0") or 0, competition=competition)
        try:
            exhibit = source_services.exhibit_recommend(actor=user, nomination=nomination)
        except ApplicationError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, f"已在云展馆展出推荐项目“{exhibit.title}”（标为“推荐项目”）。")
        return redirect("exhibition:office-recommended", pk=competition.pk)
    kinds = [k for k, hall in HALL_OF_CATEGORY_KIND.items() if hall in source_services.RECOMMENDABLE_KINDS]
    winners = set(Award.objects.filter(competition=competition, status=AwardStatus.FINAL).values_list("nomination_id", flat=True))
    rows = list(
        Nomination.objects.filter(competition=competition, status=Status.ACCEPTED, category__kind__in=kinds)
        .exclude(pk__in=winners)
        .select_related("unit", "category")
        .order_by("category__order", "unit__order", "order", "id")
    )
    shown = {e.nomination_id: e for e in Exhibit.objects.filter(nomination__in=rows)}
    for n in rows:
        n.shown_exhibit = shown.get(n.pk)
    return render(
        request,
        "exhibition/office_recommended.html",
        {
            "competition": competition,
            "tab": "exhibition",
            "rows": rows,
            "final": competition.phase in FINAL_PHASES,
            "is_office": is_office(user),
            "phase_final": Phase.FINAL,
        },
    )


# --------------------------------------------------------------------------- historic


class HistoricForm(forms.Form):
    year = forms.IntegerField(label="获评年度", min_value=past_winners.YEAR_MIN, max_value=9999)
    award_code = forms.ChoiceField(label="奖项")
    award_name = forms.CharField(label="荣誉名称（空则用奖项名称）", max_length=100, required=False)
    title = forms.CharField(label="名称", max_length=100)
    organization = forms.CharField(label="实施单位（项目填写）", max_length=100, required=False)
    unit_name = forms.CharField(label="推荐单位", max_length=100, required=False)
    introduction = forms.CharField(label="简介（≤300字）", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    photo = forms.ImageField(label="照片（JPEG 或 PNG，可不传）", required=False)
    caption = forms.CharField(label="照片说明", max_length=200, required=False)

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_code"].choices = [("", "请选择")] + [
            (a.code, a.name) for a in awards if a.kind in HALL_OF_CATEGORY_KIND
        ]
        self.fields["year"].error_messages["required"] = "获评年度：请填写。"
        self.fields["title"].error_messages["required"] = "名称：请填写。"
        self.fields["award_code"].error_messages["required"] = "奖项：请选择。"
        self.fields["photo"].error_messages["invalid_image"] = "照片：不是可用的 JPEG 或 PNG 图片。"


class HistoryImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", error_messages={"required": "文件：请选择要导入的 .xlsx 文件。"})
    photos = forms.FileField(label="照片压缩包（.zip，可不传）", required=False)


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def history_page(request):
    user = request.user
    _read(user)
    awards = past_winners.known_awards()
    form = HistoricForm(awards=awards)
    if request.method == "POST":
        _write(user)
        form = HistoricForm(request.POST, request.FILES, awards=awards)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in source_services.HISTORIC_FIELDS}
            photo = form.cleaned_data.get("photo")
            photos = [(photo.read(), form.cleaned_data.get("caption") or data["title"])] if photo else []
            try:
                exhibit = source_services.exhibit_historic_create(actor=user, data=data, photos=photos)
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已添加往年展品“{exhibit.title}”，并记入往年获奖名单。请补充它的数据。")
                return redirect("exhibition:office-exhibit", pk=exhibit.pk)
    exhibits = list(Exhibit.objects.filter(source=ExhibitSource.HISTORIC).order_by("-year", "kind", "category_order", "title", "id"))
    for e in exhibits:
        e.public_url_name = _public_url_name(e)
    return render(
        request,
        "exhibition/office_history.html",
        {"form": form, "exhibits": exhibits, "is_office": is_office(user)},
    )


@login_required
@chinese_errors
@require_GET
def history_template(request):
    _read(request.user)
    return xlsx_download(history_import.template(), history_import.TEMPLATE_NAME)


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def history_import_page(request):
    user = request.user
    _read(user)
    _write(user)
    form = HistoryImportForm(request.POST or None, request.FILES or None)
    result = None
    summary = ""
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("action") != "import"
        photos = form.cleaned_data.get("photos")
        try:
            result = history_import.import_history(
                actor=user,
                content=form.cleaned_data["file"].read(),
                photos=photos.read() if photos else None,
                dry_run=dry_run,
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            summary = history_import.summary(result)
            if not dry_run and result.created:
                messages.success(request, summary)
                return redirect("exhibition:office-history")
    return render(request, "exhibition/office_history_import.html", {"form": form, "result": result, "summary": summary})


# --------------------------------------------------------------------------- one exhibit


class FigureForm(forms.Form):
    label = forms.CharField(label="名称", max_length=40, required=False)
    prefix = forms.CharField(label="前缀", max_length=4, required=False)
    written = forms.CharField(label="写法", max_length=20, required=False)
    value = forms.DecimalField(label="数值", required=False, max_digits=14, decimal_places=2, min_value=0)
    suffix = forms.CharField(label="后缀", max_length=4, required=False)
    unit = forms.CharField(label="单位", max_length=10, required=False)
    as_of = forms.CharField(label="截至", max_length=10, required=False, help_text="2022 / 2022-12 / 2022-12-31")
    source = forms.CharField(label="来源", max_length=100, required=False)
    approximate = forms.BooleanField(label="约数", required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(data.get(k) not in (None, "", False) for k in self.fields)


FigureFormSet = forms.formset_factory(FigureForm, extra=FIGURE_ROWS_EXTRA, max_num=source_services.FIGURES_MAX)


def _as_of_input(figure) -> str:
    if figure.as_of_precision == AsOfPrecision.YEAR:
        return f"{figure.as_of.year}"
    if figure.as_of_precision == AsOfPrecision.MONTH:
        return f"{figure.as_of.year}-{figure.as_of.month:02d}"
    return figure.as_of.isoformat()


class HistoricEditForm(forms.Form):
    year = forms.IntegerField(label="获评年度", min_value=past_winners.YEAR_MIN, max_value=9999)
    award_name = forms.CharField(label="荣誉名称", max_length=100)
    title = forms.CharField(label="名称", max_length=100)
    organization = forms.CharField(label="实施单位", max_length=100, required=False)
    unit_name = forms.CharField(label="推荐单位", max_length=100, required=False)
    introduction = forms.CharField(label="简介（≤300字）", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 4}))


class PhotoForm(forms.Form):
    photo = forms.ImageField(label="照片（JPEG 或 PNG）", error_messages={"required": "照片：请选择图片。", "invalid_image": "照片：不是可用的 JPEG 或 PNG 图片。"})
    caption = forms.CharField(label="照片说明", max_length=200, error_messages={"required": "说明：照片必须填写说明。"})


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def exhibit_page(request, pk: int):
    user = request.user
    _read(user)
    exhibit = get_object_or_404(Exhibit, pk=pk)
    initial = [
        {
            "label": f.label, "prefix": f.prefix, "written": f.written, "value": format(f.value.normalize(), "f"), "suffix": f.suffix,
            "unit": f.unit, "as_of": _as_of_input(f), "source": f.source, "approximate": f.approximate,
        }
        for f in exhibit.figures.order_by("order", "id")
    ]  # fmt: skip
    figures = FigureFormSet(initial=initial, prefix="fig")
    historic = HistoricEditForm(initial={k: getattr(exhibit, k) for k in HistoricEditForm.base_fields}, prefix="h") if exhibit.is_historic else None
    photo_form = PhotoForm(prefix="p")
    action = request.POST.get("action", "")
    if request.method == "POST":
        _write(user)
        try:
            if action == "figures":
                figures = FigureFormSet(request.POST, initial=initial, prefix="fig")
                if figures.is_valid():
                    items = []
                    for f in figures.forms:
                        if f.is_blank():
                            continue
                        item = {k: v for k, v in f.cleaned_data.items()}
                        if item["value"] is None:
                            item.pop("value")
                        items.append(item)
                    source_services.exhibit_figures_set(actor=user, exhibit=exhibit, figures=items)
                    messages.success(request, "数据已保存。")
                    return redirect("exhibition:office-exhibit", pk=exhibit.pk)
            elif action == "photo":
                photo_form = PhotoForm(request.POST, request.FILES, prefix="p")
                if photo_form.is_valid():
                    source_services.exhibit_photo_add(
                        actor=user, exhibit=exhibit, content=photo_form.cleaned_data["photo"].read(),
                        caption=photo_form.cleaned_data["caption"],
                    )
                    messages.success(request, "照片已添加。")
                    return redirect("exhibition:office-exhibit", pk=exhibit.pk)
            elif action == "historic" and historic is not None:
                historic = HistoricEditForm(request.POST, prefix="h")
                if historic.is_valid():
                    source_services.exhibit_historic_update(actor=user, exhibit=exhibit, data=dict(historic.cleaned_data))
                    messages.success(request, "已保存。")
                    return redirect("exhibition:office-exhibit", pk=exhibit.pk)
        except ApplicationError as exc:
            flash_error(request, exc)
    return render(
        request,
        "exhibition/office_exhibit.html",
        {
            "exhibit": exhibit,
            "figures": figures,
            "historic": historic,
            "photo_form": photo_form,
            "photos": list(exhibit.photos.order_by("order", "id")),
            "public_url_name": _public_url_name(exhibit),
            "is_office": is_office(user),
            "kinds": ExhibitKind,
        },
    )
