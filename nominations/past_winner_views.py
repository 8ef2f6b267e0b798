"""The office's page of past winners (往年获奖名单), under /nominations/past-winners/.

The office and observers read the list (filtered by year and award); the office
adds, edits and deletes a record and imports an .xlsx (dry run first) through
``past_winners`` and ``past_winner_import``. Anyone else gets 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competition.exceptions import ApplicationError
from competition.rules import can_read_all, is_office
from competition.views import add_service_errors, chinese_error_pages, flash_error, xlsx_download

from . import past_winner_import, past_winners
from .models import PastWinner

chinese_errors = chinese_error_pages("nominations/error.html", not_found="该页面不存在，或您无权查看。")
PAGE_SIZE = 50


class PastWinnerForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=past_winners.YEAR_MIN, max_value=9999)
    category_code = forms.ChoiceField(label="奖项")
    title = forms.CharField(label="名称（项目或组织）", max_length=100)
    organization = forms.CharField(label="单位（项目的实施单位，组织可不填）", max_length=100, required=False)
    unit_name = forms.CharField(label="推荐单位", max_length=100, required=False)

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = [("", "请选择")] + [(a.code, a.name) for a in awards]
        self.fields["year"].error_messages["required"] = "年度：请填写。"
        self.fields["title"].error_messages["required"] = "名称：请填写。"
        self.fields["category_code"].error_messages["required"] = "奖项：请选择。"


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", error_messages={"required": "文件：请选择要导入的 .xlsx 文件。"})


def _allowed(user) -> None:
    if not can_read_all(user):
        raise Http404


def _office(user) -> None:
    if not is_office(user):
        raise PermissionDenied


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def past_winner_list(request):
    user = request.user
    _allowed(user)
    awards = past_winners.known_awards()
    names = {a.code: a.name for a in awards}
    form = PastWinnerForm(awards=awards, prefix="new")
    if request.method == "POST":
        _office(user)
        form = PastWinnerForm(request.POST, awards=awards, prefix="new")
        if form.is_valid():
            try:
                winner = past_winners.past_winner_create(actor=user, data=form.cleaned_data)
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已记录：{winner.year} 年度{names.get(winner.category_code, winner.category_code)}“{winner.title}”。")
                return redirect("nominations:past-winners")
    rows = PastWinner.objects.all()
    year = request.GET.get("year", "")
    code = request.GET.get("category", "")
    if year.isdigit():
        rows = rows.filter(year=int(year))
    if code:
        rows = rows.filter(category_code=code)
    page = Paginator(rows.order_by("-year", "category_code", "title", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for winner in page.object_list:
        winner.award_name = names.get(winner.category_code, winner.category_code)
    query = urlencode({k: v for k, v in (("year", year), ("category", code)) if v})
    return render(
        request,
        "nominations/past_winners.html",
        {
            "page": page,
            "form": form,
            "import_form": ImportForm(),
            "awards": awards,
            "years": sorted(set(PastWinner.objects.values_list("year", flat=True)), reverse=True),
            "year": year,
            "category": code,
            "query": query,
            "is_office": is_office(user),
        },
    )


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def past_winner_edit(request, pk: int):
    user = request.user
    _allowed(user)
    _office(user)
    winner = get_object_or_404(PastWinner, pk=pk)
    awards = past_winners.known_awards()
    initial = {name: getattr(winner, name) for name in past_winners.FIELDS}
    form = PastWinnerForm(request.POST or None, awards=awards, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            past_winners.past_winner_update(actor=user, winner=winner, data=form.cleaned_data)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("nominations:past-winners")
    return render(request, "nominations/past_winner_edit.html", {"form": form, "winner": winner})


@login_required
@chinese_errors
@require_POST
def past_winner_delete(request, pk: int):
    user = request.user
    _allowed(user)
    _office(user)
    winner = get_object_or_404(PastWinner, pk=pk)
    try:
        past_winners.past_winner_delete(actor=user, winner=winner, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"已删除：{winner.year} 年度“{winner.title}”。")
    return redirect("nominations:past-winners")


@login_required
@chinese_errors
@require_GET
def past_winner_template(request):
    _allowed(request.user)
    return xlsx_download(past_winner_import.template(), past_winner_import.TEMPLATE_NAME)


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def past_winner_import_page(request):
    user = request.user
    _allowed(user)
    _office(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    summary = ""
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("action") != "import"
        try:
            result = past_winner_import.import_past_winners(
                actor=user, content=form.cleaned_data["file"].read(), dry_run=dry_run
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            summary = past_winner_import.summary(result)
            if not dry_run and result.created:
                messages.success(request, summary)
                return redirect("nominations:past-winners")
    return render(
        request,
        "nominations/past_winner_import.html",
        {"form": form, "result": result, "summary": summary},
    )
