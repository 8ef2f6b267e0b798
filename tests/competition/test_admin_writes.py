"""What the office changes in the admin goes through services: checked and audited (issue 11, items 1-2).

Observers see the admin but change nothing; every save of a unit, an
account, a password, a competition and its structure (issuers and their
seals, categories, criteria, rounds) leaves an audit entry with before and
after; nothing is deleted without a service.
"""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import CheckboxInput, ClearableFileInput
from django.test import Client
from PIL import Image

from competition import services
from competition.enums import Phase, Role
from competition.models import (
    ApiToken,
    AuditEntry,
    Category,
    Competition,
    Issuer,
    Round,
    Unit,
    User,
)
from tests.factories import (
    PASSWORD,
    JudgeFactory,
    ObserverFactory,
    OfficeFactory,
    competition_factory,
    taiyuan_unit,
)

pytestmark = pytest.mark.django_db

STRONG = "Xlf-test-pass-2026"
CHANGELIST = "/admin/competition/competition/"


def signed_in(user) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def form_data(response) -> dict:
    """The POST body the admin page would send unchanged: the main form, the inlines, their management forms."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for bound in form:
            widget = bound.field.widget
            if bound.field.disabled or isinstance(widget, ClearableFileInput):
                continue
            if isinstance(widget, CheckboxInput):
                if bound.value():
                    data[bound.html_name] = "on"
                continue
            context = widget.get_context(bound.html_name, bound.value(), {}).get("widget")
            if context is None:  # the read-only password summary
                continue
            for sub in context.get("subwidgets", [context]):
                value = sub["value"]
                if isinstance(value, list):
                    value = value[0] if len(value) == 1 else value
                data[sub["name"]] = "" if value is None else value
    return data


def actions(response) -> list[str]:
    form = response.context["action_form"]
    return [name for name, _label in form.fields["action"].choices if name] if form else []


# --------------------------------------------------------------------------- the live hole


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.FINAL])
def test_an_observer_cannot_advance_a_year_in_the_admin(phase):
    """From 结果确定 the action would archive the year, and certificates could never be issued."""
    competition = competition_factory(phase=phase)
    client = signed_in(ObserverFactory())
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "advance_to_next_phase" not in actions(page)
    response = client.post(CHANGELIST, {"action": "advance_to_next_phase", "_selected_action": [competition.pk]})
    assert response.status_code in (200, 302, 403)
    assert Competition.objects.get(pk=competition.pk).phase == phase
    assert not AuditEntry.objects.exclude(action__startswith="auth.").exists()  # sign-ins are audited


def test_the_office_is_offered_the_action_and_no_bulk_delete():
    client = signed_in(OfficeFactory())
    competition_factory()
    names = actions(client.get(CHANGELIST))
    assert "advance_to_next_phase" in names
    assert "delete_selected" not in names


# --------------------------------------------------------------------------- units and accounts


def test_a_unit_edit_is_audited():
    office = OfficeFactory()
    unit = taiyuan_unit("140105")
    client = signed_in(office)
    url = f"/admin/competition/unit/{unit.pk}/change/"
    data = {**form_data(client.get(url)), "short_name": "小店"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Unit.objects.get(pk=unit.pk).short_name == "小店"
    entry = AuditEntry.objects.get(action="unit.update")
    assert (entry.actor, entry.object_id) == (office, str(unit.pk))
    assert entry.after == {"short_name": "小店"} and entry.before == {"short_name": unit.short_name}


def test_an_account_edit_is_audited_and_grants_no_django_flags():
    office = OfficeFactory()
    judge = JudgeFactory()
    client = signed_in(office)
    url = f"/admin/competition/user/{judge.pk}/change/"
    page = client.get(url)
    offered = set(page.context["adminform"].form.fields)
    assert not offered & {"is_superuser", "is_staff", "groups", "user_permissions"}
    data = {**form_data(page), "role": Role.OBSERVER, "display_name": "改为监督员"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=judge.pk).role == Role.OBSERVER
    entry = AuditEntry.objects.get(action="user.update")
    assert entry.actor == office
    assert entry.before["role"] == Role.JUDGE and entry.after["role"] == Role.OBSERVER


def test_an_account_made_in_the_admin_goes_through_the_service():
    office = OfficeFactory()
    client = signed_in(office)
    response = client.post(
        "/admin/competition/user/add/",
        {
            "username": "new-officer",
            "usable_password": "true",
            "password1": STRONG,
            "password2": STRONG,
            "role": Role.OFFICER,
            "unit": taiyuan_unit("140106").pk,
            "display_name": "新管理员",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="new-officer")
    assert authenticate(username="new-officer", password=STRONG) == user
    entry = AuditEntry.objects.get(action="user.create")
    assert (entry.actor, entry.object_id) == (office, str(user.pk))


def test_an_admin_password_change_is_audited_validated_and_revokes_tokens():
    office = OfficeFactory()
    judge = JudgeFactory()
    token = services.token_issue(user=judge)
    client = signed_in(office)
    url = f"/admin/competition/user/{judge.pk}/password/"

    weak = client.post(url, {"usable_password": "true", "password1": "abc", "password2": "abc"})
    assert weak.status_code == 200  # the form shows the validators' refusal
    assert weak.context["form"].errors
    assert authenticate(username=judge.username, password=PASSWORD) == judge
    assert not AuditEntry.objects.filter(action="user.password_set").exists()

    done = client.post(url, {"usable_password": "true", "password1": STRONG, "password2": STRONG})
    assert done.status_code == 302, done.content.decode()[:2000]
    assert authenticate(username=judge.username, password=STRONG) == judge
    entry = AuditEntry.objects.get(action="user.password_set")
    assert (entry.actor, entry.object_id) == (office, str(judge.pk))
    assert STRONG not in str(entry.after) and entry.after["usable"] is True
    assert ApiToken.objects.get(pk=token.token.pk).revoked_at is not None
    # The office knows this password now: the judge must replace it at the next sign-in.
    judge.refresh_from_db()
    assert judge.must_change_password and entry.after["must_change_password"] is True
    judge_client = Client()
    assert judge_client.login(username=judge.username, password=STRONG)
    held = judge_client.get("/judging/")
    assert (held.status_code, held["Location"]) == (302, "/accounts/password/")


def test_an_observer_cannot_set_a_password():
    judge = JudgeFactory()
    client = signed_in(ObserverFactory())
    url = f"/admin/competition/user/{judge.pk}/password/"
    response = client.post(url, {"usable_password": "true", "password1": STRONG, "password2": STRONG})
    assert response.status_code == 403
    assert authenticate(username=judge.username, password=PASSWORD) == judge


def test_the_password_service_applies_djangos_validators():
    office = OfficeFactory()
    judge = JudgeFactory()
    from competition.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        services.user_password_set(actor=office, user=judge, password="short")
    assert refused.value.fields["password"][0].startswith("密码：")
    assert authenticate(username=judge.username, password=PASSWORD) == judge


# --------------------------------------------------------------------------- competitions and their structure


def test_a_competition_saved_in_the_admin_is_audited_with_its_inline_rows():
    office = OfficeFactory()
    competition = competition_factory()
    category = competition.categories.order_by("order").first()
    removed = competition.rounds.order_by("order").last()
    client = signed_in(office)
    url = f"/admin/competition/competition/{competition.pk}/change/"
    page = client.get(url)
    data = form_data(page)
    data["title"] = "改名后的推选活动"
    prefix = {i.formset.prefix: i.formset for i in page.context["inline_admin_formsets"]}
    categories = prefix["categories"]
    row = next(i for i, f in enumerate(categories.forms) if f.instance.pk == category.pk)
    data[f"categories-{row}-award_quota"] = "7"
    rounds = prefix["rounds"]
    row = next(i for i, f in enumerate(rounds.forms) if f.instance.pk == removed.pk)
    data[f"rounds-{row}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    assert Competition.objects.get(pk=competition.pk).title == "改名后的推选活动"
    assert Category.objects.get(pk=category.pk).award_quota == 7
    assert not Round.objects.filter(pk=removed.pk).exists()
    update = AuditEntry.objects.get(action="competition.update")
    assert update.after["title"] == "改名后的推选活动"
    quota = AuditEntry.objects.get(action="category.update")
    assert (quota.object_id, quota.before, quota.actor) == (str(category.pk), {"award_quota": category.award_quota}, office)
    assert quota.after["award_quota"] == 7
    gone = AuditEntry.objects.get(action="round.delete")
    assert gone.object_id == str(removed.pk) and gone.before["name"] == removed.name


def test_structure_cannot_change_after_draft_even_through_the_service():
    office = OfficeFactory()
    competition = competition_factory(phase=Phase.NOMINATING)
    category = competition.categories.first()
    from competition.exceptions import Conflict

    with pytest.raises(Conflict):
        services.structure_item_save(actor=office, obj=category, data={"award_quota": 1})
    with pytest.raises(Conflict):
        services.structure_item_delete(actor=office, obj=category)
    assert Category.objects.get(pk=category.pk).award_quota == category.award_quota
    assert not AuditEntry.objects.exclude(action__startswith="auth.").exists()  # sign-ins are audited


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (40, 40), (200, 0, 0, 255)).save(out, "PNG")
    return out.getvalue()


def test_an_issuer_seal_upload_is_audited():
    office = OfficeFactory()
    competition = competition_factory(phase=Phase.JUDGING)  # seals may change in any phase
    issuer = competition.issuers.order_by("order").first()
    client = signed_in(office)
    url = f"/admin/competition/competition/{competition.pk}/change/"
    page = client.get(url)
    data = form_data(page)
    issuers = next(i.formset for i in page.context["inline_admin_formsets"] if i.formset.prefix == "issuers")
    row = next(i for i, f in enumerate(issuers.forms) if f.instance.pk == issuer.pk)
    data[f"issuers-{row}-seal"] = SimpleUploadedFile("seal.png", _png(), content_type="image/png")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    issuer = Issuer.objects.get(pk=issuer.pk)
    assert issuer.seal.name.startswith("seals/")
    entry = AuditEntry.objects.get(action="issuer.seal_set")
    assert (entry.actor, entry.object_id, entry.before) == (office, str(issuer.pk), {"seal": ""})
    assert entry.after["seal"] == issuer.seal.name and len(entry.after["sha256"]) == 64
    issuer.seal.delete(save=False)


# --------------------------------------------------------------------------- deletes


@pytest.mark.parametrize("model", ["competition", "unit", "user", "judgeprofile"])
def test_the_office_cannot_delete_what_has_no_delete_service(model):
    office = OfficeFactory()
    objects = {
        "competition": lambda: competition_factory(),
        "unit": lambda: taiyuan_unit("140107"),
        "user": lambda: JudgeFactory(),
        "judgeprofile": lambda: JudgeFactory().judge_profile,
    }
    obj = objects[model]()
    client = signed_in(office)
    response = client.post(f"/admin/competition/{model}/{obj.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_a_category_delete_goes_through_the_service():
    office = OfficeFactory()
    competition = competition_factory()
    category = competition.categories.first()
    client = signed_in(office)
    response = client.post(f"/admin/competition/category/{category.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Category.objects.filter(pk=category.pk).exists()
    entry = AuditEntry.objects.get(action="category.delete")
    assert entry.actor == office and entry.before["code"] == category.code and entry.before["criteria"]


def test_a_competition_made_in_the_admin_with_its_rows_goes_through_the_services():
    """The office guide's way: 增加 推选活动 with issuers, categories and rounds on one page."""
    office = OfficeFactory()
    client = signed_in(office)
    url = "/admin/competition/competition/add/"
    data = form_data(client.get(url))
    data.update(
        {
            "title": "2098年度太原市学雷锋志愿服务先进典型推选",
            "certificate_wording": "",
            "nominations_open_0": "2098-10-08",
            "nominations_open_1": "00:00:00",
            "nominations_close_0": "2098-10-31",
            "nominations_close_1": "18:00:00",
            "judging_close_0": "2098-11-20",
            "judging_close_1": "18:00:00",
            "publicity_working_days": "5",
            "holidays": "[]",
            "issuers-TOTAL_FORMS": "1",
            "issuers-0-order": "1",
            "issuers-0-name": "中共太原市委宣传部",
            "categories-TOTAL_FORMS": "1",
            "categories-0-order": "1",
            "categories-0-code": "XM",
            "categories-0-name": "最佳志愿服务项目",
            "categories-0-kind": "project",
            "categories-0-award_quota": "10",
            "categories-0-nomination_quota_per_unit": "2",
            "rounds-TOTAL_FORMS": "1",
            "rounds-0-order": "1",
            "rounds-0-name": "初评",
            "rounds-0-method": "trimmed_mean",
            "rounds-0-trim_min_judges": "5",
            "rounds-0-judges_per_nomination": "5",
            "rounds-0-weight": "1",
        }
    )
    data["year"] = "2098"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    competition = Competition.objects.get(year=2098)
    assert competition.phase == Phase.DRAFT
    assert [i.name for i in competition.issuers.all()] == ["中共太原市委宣传部"]
    assert [c.code for c in competition.categories.all()] == ["XM"]
    assert [r.name for r in competition.rounds.all()] == ["初评"]
    actions = set(AuditEntry.objects.filter(actor=office).values_list("action", flat=True))
    assert {"competition.create", "issuer.create", "category.create", "round.create"} <= actions
    made = AuditEntry.objects.get(action="category.create")
    assert made.after["competition"] == competition.pk and made.after["code"] == "XM"


def test_a_weekday_make_up_day_is_refused_on_its_field_in_the_admin():
    office = OfficeFactory()
    competition = competition_factory(year=2023)
    client = signed_in(office)
    url = f"/admin/competition/competition/{competition.pk}/change/"
    data = form_data(client.get(url))
    data["workdays"] = '["2023-10-09"]'
    response = client.post(url, data)
    assert response.status_code == 200
    assert "星期六或星期日" in " ".join(response.context["adminform"].form.errors["workdays"])
    data["workdays"] = '["2023-10-07"]'
    assert client.post(url, data).status_code == 302
    competition.refresh_from_db()
    assert competition.workdays == ["2023-10-07"]
    assert AuditEntry.objects.get(action="competition.update").after["workdays"] == ["2023-10-07"]


@pytest.mark.parametrize("action", ["save", "delete"])
def test_a_structure_row_is_locked_after_its_competition(action):
    """The competition first, then the row: the order the setup pages take too, so an admin
    save and a setup save of the same issuer wait in turn instead of deadlocking."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = OfficeFactory()
    competition = competition_factory()
    issuer = Issuer.objects.create(competition=competition, name="太原市精神文明建设委员会办公室", order=9)
    with CaptureQueriesContext(connection) as queries:
        if action == "save":
            services.structure_item_save(actor=office, obj=issuer, data={"name": "太原市文明办"})
        else:
            services.structure_item_delete(actor=office, obj=issuer)
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    tables = [next(t for t in ("competition_competition", "competition_issuer") if f'FROM "{t}"' in sql) for sql in locks]
    assert tables[:2] == ["competition_competition", "competition_issuer"]


def test_a_refusal_naming_no_field_is_shown_at_the_forms_top():
    """The views' one way of putting a service's refusal on a form: field errors on their
    fields, and a refusal that names none at the top (it used to be dropped on some pages)."""
    from django import forms as django_forms

    from competition.exceptions import ValidationFailed
    from competition.views import add_service_errors

    class Form(django_forms.Form):
        name = django_forms.CharField()

    form = Form({"name": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationFailed("该年度已存在，不能重复创建。"))
    assert form.non_field_errors() == ["该年度已存在，不能重复创建。"]
    named = Form({"name": "x"})
    named.is_valid()
    add_service_errors(named, ValidationFailed(fields={"name": ["名称：已被使用。"], "other": ["其他：不对。"]}))
    assert named.errors["name"] == ["名称：已被使用。"] and named.non_field_errors() == ["其他：不对。"]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("people:import_template", "账号导入模板.xlsx"),
        ("nominations:past-winners-template", None),
        ("exhibition:office-history-template", None),
    ],
)
def test_the_import_templates_download_as_named_xlsx_files(url, name):
    """Each import page's template: an .xlsx to save, its Chinese name in Django's own header."""
    from urllib.parse import quote, unquote

    from django.urls import reverse
    from openpyxl import load_workbook

    response = signed_in(OfficeFactory()).get(reverse(url))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''") and header.endswith(quote(".xlsx"))
    if name:
        assert unquote(header.split("''", 1)[1]) == name
    assert load_workbook(io.BytesIO(response.content)).active.max_row >= 1
