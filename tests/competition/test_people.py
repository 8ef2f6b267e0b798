"""The office's units, accounts and judges (issue #13 items 7–9): services, the
accounts import, one-time passwords and password reset by e-mail."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.urls import reverse

from competition.enums import Role
from competition.exceptions import Conflict, Forbidden, ValidationFailed
from competition.models import AuditEntry, JudgeProfile, Unit, User
from competition.people import services, spreadsheet
from tests.factories import (
    PASSWORD,
    STRONG_PASSWORD,
    JudgeFactory,
    api_client,
    competition_factory,
)


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def _data(**kwargs) -> services.AccountData:
    values = {"display_name": "王五", "username": "wangwu", "role": Role.OFFICER}
    values.update(kwargs)
    return services.AccountData(**values)


# --------------------------------------------------------------------------- units


def test_unit_add_rename_deactivate_reactivate_are_audited(office):
    unit = services.unit_add(actor=office, code="T900", name="太原市测试局", short_name="测试局", kind="municipal", order=90)
    assert unit.active
    services.unit_rename(actor=office, unit=unit, name="太原市测试管理局", short_name="测试管理局", kind="municipal", order=91)
    unit.refresh_from_db()
    assert (unit.name, unit.short_name, unit.order) == ("太原市测试管理局", "测试管理局", 91)
    services.unit_set_active(actor=office, unit=unit, active=False, reason="机构改革")
    unit.refresh_from_db()
    assert not unit.active
    services.unit_set_active(actor=office, unit=unit, active=True)
    unit.refresh_from_db()
    assert unit.active
    assert [e.action for e in AuditEntry.objects.filter(object_id=str(unit.pk), object_type="competition.unit").order_by("id")] == [
        "unit.create",
        "unit.update",
        "unit.deactivate",
        "unit.activate",
    ]
    assert _audit("unit.deactivate")[0].reason == "机构改革"


def test_unit_refusals_change_nothing(office, officer, unit):
    before = AuditEntry.objects.count()
    with pytest.raises(Forbidden):
        services.unit_set_active(actor=officer, unit=unit, active=False)
    with pytest.raises(Forbidden):
        services.unit_add(actor=officer, code="T901", name="某单位", short_name="某", kind="municipal")
    with pytest.raises(ValidationFailed) as exc:
        services.unit_rename(actor=office, unit=unit, name="", short_name="小店", kind="district", order=1)
    assert "name" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.unit_add(actor=office, code="T902", name=unit.name, short_name="重名", kind="district")
    assert any("名称" in m for m in exc.value.fields["name"])
    with pytest.raises(Conflict) as exc:
        services.unit_set_active(actor=office, unit=unit, active=True)
    assert "已经是启用状态" in exc.value.message
    unit.refresh_from_db()
    assert unit.active and unit.name == "太原市小店区"
    assert not Unit.objects.filter(code__in=["T901", "T902"]).exists()
    assert AuditEntry.objects.count() == before


def test_deactivated_unit_keeps_its_accounts_and_refuses_new_nominations(office, officer, unit):
    from nominations import services as nomination_services

    competition = competition_factory(phase="nominating")
    category = competition.categories.order_by("order").first()
    services.unit_set_active(actor=office, unit=unit, active=False)
    officer.refresh_from_db()
    assert officer.unit_id == unit.pk and officer.is_active
    with pytest.raises(Conflict) as exc:
        nomination_services.nomination_create(actor=officer, competition=competition, category=category, data={"title": "新项目"})
    assert "已停用，不能新建推荐" in exc.value.message
    # No new accounts for it either.
    with pytest.raises(ValidationFailed) as exc:
        services.account_create(actor=office, data=_data(unit=unit))
    assert "已停用" in exc.value.fields["unit"][0]


# --------------------------------------------------------------------------- accounts


def test_account_create_gives_a_strong_one_time_password_shown_once(office, unit):
    made = services.account_create(actor=office, data=_data(unit=unit, phone="13800000001", email="ww@example.com"))
    user = User.objects.get(username="wangwu")
    assert user.must_change_password and user.unit == unit and user.phone == "13800000001"
    assert user.check_password(made.password)
    assert len(made.password) >= 12 and re.search(r"[A-Z]", made.password) and re.search(r"\d", made.password)
    assert made.password not in user.password  # stored hashed only
    entry = _audit("account.create")[0]
    assert made.password not in str(entry.after)


def test_account_create_judge_with_profile(office, unit):
    services.account_create(
        actor=office,
        data=_data(username="zhuanjia", role=Role.JUDGE, unit=unit, organizations=["山西大学"], expertise="志愿服务项目"),
    )
    user = User.objects.get(username="zhuanjia")
    assert user.unit is None  # a judge belongs to no unit as an account
    profile = JudgeProfile.objects.get(user=user)
    assert profile.unit == unit and profile.organizations == ["山西大学"] and profile.expertise == "志愿服务项目"


def test_account_refusals_name_the_field_and_change_nothing(office, officer, unit):
    count = User.objects.count()
    with pytest.raises(Forbidden):
        services.account_create(actor=officer, data=_data(unit=unit))
    cases = [
        (_data(display_name="", unit=unit), "display_name", "姓名"),
        (_data(username=officer.username, unit=unit), "username", "已被使用"),
        (_data(role=Role.OFFICER, unit=None), "unit", "推荐单位"),
        (_data(role=Role.OFFICE, unit=None), "role", "角色"),
        (_data(unit=unit, phone="12345"), "phone", "手机"),
        (_data(unit=unit, email="not-an-email"), "email", "电子邮箱"),
    ]
    for data, field, word in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.account_create(actor=office, data=data)
        assert word in exc.value.fields[field][0]
    assert User.objects.count() == count


def test_password_reset_by_office_gives_new_one_time_password_and_revokes_tokens(office, officer):
    client = api_client(officer)
    assert client.get("/api/v1/competitions/").status_code == 200
    made = services.account_password_reset(actor=office, user=officer)
    officer.refresh_from_db()
    assert officer.must_change_password and officer.check_password(made.password)
    assert not officer.check_password(PASSWORD)
    assert client.get("/api/v1/competitions/").status_code == 401
    assert _audit("account.password_reset")


# --------------------------------------------------------------------------- the import


def _workbook(rows: list[list]) -> bytes:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(spreadsheet.template_bytes()))
    ws = workbook["账号"]
    ws.delete_rows(2, ws.max_row)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c, value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


GOOD = [
    ["赵评委", "zhao", "评审专家", "", "13900000001", "zhao@example.com", "山西大学、太原市志愿服务联合会", "XM"],
    ["钱主任", "qian", "推荐单位管理员", "小店区", "13900000002", "", "", ""],
]


def test_template_has_the_columns(db):
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(spreadsheet.template_bytes()))["账号"]
    assert [c.value for c in ws[1]] == ["姓名", "用户名", "角色", "推荐单位", "手机", "电子邮箱", "关联单位/组织", "专业领域/擅长奖项"]


def test_import_dry_run_lists_one_bad_row_of_each_kind(office, officer):
    competition_factory()  # its categories are the expertise the rows may name
    retired = Unit.objects.get(code="140106")
    services.unit_set_active(actor=office, unit=retired, active=False)
    bad = [
        ["", "noname", "评审专家", "", "", "", "", ""],  # 3 name missing
        ["甲", officer.username, "评审专家", "", "", "", "", ""],  # 4 username taken
        ["乙", "zhao", "评审专家", "", "", "", "", ""],  # 5 username repeated in the file
        ["丙", "bing", "局长", "", "", "", "", ""],  # 6 unknown role
        ["丁", "ding", "推荐单位管理员", "", "", "", "", ""],  # 7 officer without unit
        ["戊", "wu", "推荐单位管理员", "火星区", "", "", "", ""],  # 8 unknown unit
        ["己", "ji", "推荐单位管理员", "迎泽区", "", "", "", ""],  # 9 deactivated unit
        ["庚", "geng", "评审专家", "", "1234", "", "", ""],  # 10 bad phone
        ["辛", "xin", "评审专家", "", "", "xin@", "", ""],  # 11 bad e-mail
        ["壬", "ren", "评审专家", "", "", "", "", "天文学"],  # 12 unknown category
        ["癸", "gui", "推荐单位管理员", "小店区", "", "", "某组织", ""],  # 13 officer with judge fields
        ["子", "a b", "评审专家", "", "", "", "", ""],  # 14 bad username
    ]
    report = spreadsheet.read(_workbook(GOOD[:1] + bad))
    assert not report.valid
    by_row = {r.row: " ".join(r.messages) for r in report.rows}
    assert by_row[2] == ""
    expected = {
        3: "姓名：不能为空",
        4: "已被使用",
        5: "在本表中重复出现",
        6: "角色：“局长”",
        7: "推荐单位管理员必须填写推荐单位",
        8: "“火星区”不是系统中的推荐单位",
        9: "已停用",
        10: "手机",
        11: "电子邮箱",
        12: "“天文学”不是奖项名称或代码",
        13: "只填写评审专家的",
        14: "用户名",
    }
    for row, text in expected.items():
        assert text in by_row[row], (row, by_row[row])
    assert "有误" in report.summary()
    assert not User.objects.filter(username="zhao").exists()  # a dry run writes nothing


def test_import_creates_every_account_or_none(office):
    competition_factory()
    report = spreadsheet.read(_workbook(GOOD))
    assert report.valid, [r.messages for r in report.rows]
    made = services.accounts_import(actor=office, rows=[r.data for r in report.rows])
    assert sorted(n.user.username for n in made) == ["qian", "zhao"]
    zhao = JudgeProfile.objects.get(user__username="zhao")
    assert zhao.organizations == ["山西大学", "太原市志愿服务联合会"] and zhao.expertise
    assert all(n.user.must_change_password and n.user.check_password(n.password) for n in made)
    assert _audit("account.import")
    # The same rows again: every one is taken now, nothing more is created.
    with pytest.raises(ValidationFailed):
        services.accounts_import(actor=office, rows=[r.data for r in report.rows])
    assert User.objects.filter(username__in=["qian", "zhao"]).count() == 2


def test_import_refuses_a_file_that_is_not_xlsx():
    with pytest.raises(ValidationFailed) as exc:
        spreadsheet.read(b"name,username\n")
    assert "文件" in exc.value.fields["file"][0]


def test_import_page_dry_run_then_import_shows_the_sheet_once(client, office):
    competition_factory()
    client.force_login(office)
    url = reverse("people:import")
    response = client.post(url, {"action": "dry_run", "file": io.BytesIO(_workbook(GOOD))})
    assert response.status_code == 200
    assert "全部可以导入" in response.content.decode()
    response = client.post(url, {"action": "import"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "qian" in page and "zhao" in page
    # The import is done: posting again creates nothing and shows no password.
    again = client.post(url, {"action": "import"})
    assert again.status_code == 302
    assert User.objects.filter(username__in=["qian", "zhao"]).count() == 2


def test_observer_reads_pages_but_cannot_import(client, observer):
    client.force_login(observer)
    for name in ["people:units", "people:accounts", "people:import", "people:judges"]:
        assert client.get(reverse(name)).status_code == 200
    response = client.post(reverse("people:import"), {"action": "dry_run", "file": io.BytesIO(_workbook(GOOD))})
    assert response.status_code == 403


def test_officer_and_judge_do_not_see_the_pages(client, officer):
    client.force_login(officer)
    assert client.get(reverse("people:accounts")).status_code == 404


# --------------------------------------------------------------------------- one-time passwords at sign-in


@pytest.fixture
def fresh(office, unit):
    return services.account_create(actor=office, data=_data(unit=unit))


def test_one_time_password_user_is_sent_to_password_change(client, fresh):
    assert client.login(username="wangwu", password=fresh.password)
    response = client.get(reverse("nominations:index"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert "一次性密码" in page
    api = client.get("/api/v1/competitions/")
    assert api.status_code == 403 and "修改一次性密码" in api.json()["error"]["message"]
    response = client.post(
        reverse("password_change"),
        {"old_password": fresh.password, "new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    fresh.user.refresh_from_db()
    assert not fresh.user.must_change_password
    assert client.get(reverse("nominations:index")).status_code == 200


def test_api_refuses_a_token_to_a_one_time_password(fresh):
    client = api_client()
    response = client.post("/api/v1/auth/token/", {"username": "wangwu", "password": fresh.password}, format="json")
    assert response.status_code == 403
    assert "修改一次性密码" in response.json()["error"]["message"]


# --------------------------------------------------------------------------- password reset by e-mail


def test_password_reset_by_email(client, officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer.email = "officer@example.com"
    officer.must_change_password = True
    officer.save()
    login = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in login and "忘记密码" in login
    response = client.post(reverse("password_reset"), {"email": "officer@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "重设密码" in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    assert "设置新密码" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "error" in weak.content.decode()
    done = client.post(set_url, {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD})
    assert done.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(STRONG_PASSWORD) and not officer.must_change_password
    assert _audit("user.password_reset")
    # The link works once.
    assert "已失效" in client.get(link, follow=True).content.decode()


def test_password_reset_is_throttled(client, db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for _ in range(services.RESET_PER_EMAIL):
        assert client.post(reverse("password_reset"), {"email": "who@example.com"}).status_code == 302
    response = client.post(reverse("password_reset"), {"email": "who@example.com"})
    assert response.status_code == 429
    assert "过于频繁" in response.content.decode()


def test_invitation_email_sets_password(client, office, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    made = services.account_create(actor=office, data=_data(username="yaoqing", role=Role.JUDGE, email="yq@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        services.account_invite(actor=office, user=made.user, base_url="http://testserver/")
    assert len(mail.outbox) == 1 and made.password not in mail.outbox[0].body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    set_url = page.redirect_chain[-1][0]
    client.post(set_url, {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD})
    made.user.refresh_from_db()
    assert made.user.check_password(STRONG_PASSWORD) and not made.user.must_change_password


def test_invitation_refused_without_email_backend(office, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    made = services.account_create(actor=office, data=_data(username="nomail", role=Role.JUDGE, email="n@example.com"))
    with pytest.raises(Conflict):
        services.account_invite(actor=office, user=made.user, base_url="http://testserver/")


# --------------------------------------------------------------------------- judges


def test_judge_update_and_deactivate(office):
    judge = JudgeFactory(username="pingwei")
    profile = judge.judge_profile
    services.judge_update(actor=office, profile=profile, name="孙评委", expertise="社区", unit=None, organizations=["甲协会", "乙中心"])
    profile.refresh_from_db()
    assert profile.name == "孙评委" and profile.organizations == ["甲协会", "乙中心"]
    services.judge_set_active(actor=office, profile=profile, active=False)
    profile.refresh_from_db()
    assert not profile.active
    assert _audit("judge.deactivate") and _audit("judge.profile_set")
    with pytest.raises(Conflict):
        services.judge_set_active(actor=office, profile=profile, active=False)


def test_judge_refusals_change_nothing(office, officer):
    profile = JudgeFactory(username="pingwei2").judge_profile
    name = profile.name
    with pytest.raises(Forbidden):
        services.judge_set_active(actor=officer, profile=profile, active=False)
    with pytest.raises(ValidationFailed) as exc:
        services.judge_update(actor=office, profile=profile, name=" ", expertise="", unit=None, organizations=[])
    assert "姓名" in exc.value.fields["name"][0]
    profile.refresh_from_db()
    assert profile.active and profile.name == name


def test_pages_are_in_the_console_navigation(client, office):
    from judging.console import nav

    competition = competition_factory(phase="nominating")
    names = [e["name"] for e in nav.entries(competition=competition.pk, takes="")]
    assert {"people:units", "people:accounts", "people:import", "people:judges"} <= set(names)
    client.force_login(office)
    page = client.get(reverse("judging:console:year", args=[competition.pk])).content.decode()
    assert "单位与账号" in page and reverse("people:import") in page



def test_observer_actions_are_refused_and_change_nothing(client, observer, unit):
    client.force_login(observer)
    before = AuditEntry.objects.count()
    response = client.post(reverse("people:unit_active", args=[unit.pk]), {"active": "0"})
    assert response.status_code == 403
    response = client.post(
        reverse("people:account_add"),
        {"display_name": "某人", "username": "someone", "role": "officer", "unit": unit.pk},
    )
    assert response.status_code == 403
    unit.refresh_from_db()
    assert unit.active and not User.objects.filter(username="someone").exists()
    assert AuditEntry.objects.count() == before


def test_office_adds_an_account_on_the_page_and_sees_its_password_once(client, office, unit):
    client.force_login(office)
    response = client.post(
        reverse("people:account_add"),
        {"display_name": "冯主任", "username": "feng", "role": "officer", "unit": unit.pk, "phone": "1380000"},
    )
    assert response.status_code == 400
    assert "不是 11 位手机号码" in response.content.decode()
    response = client.post(
        reverse("people:account_add"),
        {"display_name": "冯主任", "username": "feng", "role": "officer", "unit": unit.pk},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = re.search(r'class="mono password">([^<]+)<', response.content.decode()).group(1)
    assert User.objects.get(username="feng").check_password(password)
    assert password not in client.get(reverse("people:accounts")).content.decode()
