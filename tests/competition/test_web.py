"""The Chinese web pages: session login, the home page, the admin by role."""

import pytest
from django.contrib.admin.models import LogEntry

from competition.enums import Phase, Role
from competition.models import AuditEntry, Competition, JudgeProfile
from tests.factories import PASSWORD, OfficeFactory, UserFactory, competition_factory, taiyuan_unit

pytestmark = pytest.mark.django_db


def sign_in(client, user, password=PASSWORD):
    return client.post("/accounts/login/", {"username": user.username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_page_is_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    for text in ("登录", "用户名", "密码", "太原市学雷锋志愿服务先进典型推选"):
        assert text in html


def test_visitors_get_the_front_door_not_the_home_page(client, officer):
    competition_factory()
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/accounts/login/"' in html and "推荐单位管理员" in html  # the sign-in's invitation
    assert "退出" not in html and 'href="/accounts/password/"' not in html


def test_session_login_opens_the_home_page_and_the_api(client, officer):
    competition = competition_factory()
    response = sign_in(client, officer)
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    assert competition.title in html
    assert "推荐单位管理员" in html
    # The session also authenticates the API.
    assert client.get("/api/v1/units/").status_code == 200


def test_session_login_with_a_wrong_password_stays_on_the_page(client, officer):
    response = sign_in(client, officer, "wrong password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert not signed_in(client)


def test_session_logout_ends_the_session(client, officer):
    sign_in(client, officer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not signed_in(client)


def test_admin_reachable_by_office(client, office):
    competition = competition_factory()
    sign_in(client, office)
    index = client.get("/admin/")
    assert index.status_code == 200
    html = index.content.decode()
    assert "太原市学雷锋志愿服务先进典型推选 · 管理后台" in html
    assert "推选活动" in html and "操作记录" in html
    assert client.get("/admin/competition/competition/").status_code == 200
    assert client.get("/admin/competition/competition/add/").status_code == 200
    change = client.get(f"/admin/competition/competition/{competition.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' in change.content.decode()


def test_admin_read_only_for_observer(client, observer):
    competition = competition_factory()
    sign_in(client, observer)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/competition/competition/").status_code == 200
    view = client.get(f"/admin/competition/competition/{competition.pk}/change/")
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert client.get("/admin/competition/competition/add/").status_code == 403
    post = client.post(
        f"/admin/competition/competition/{competition.pk}/change/", {"title": "监督员改名"}
    )
    assert post.status_code == 403
    assert Competition.objects.get(pk=competition.pk).title == competition.title


@pytest.mark.parametrize("who", ["observer", "office_not_staff"])
def test_admin_login_form_admits_by_role_not_staff_flag(client, observer, who):
    user = observer if who == "observer" else OfficeFactory(username="office-2", is_staff=False)
    assert not user.is_staff
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": user.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ["officer", "judge"])
def test_admin_not_reachable_by_officer_or_judge(client, users, role):
    sign_in(client, users[role])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/competition/competition/").status_code == 302
    refused = client.post("/admin/login/", {"username": users[role].username, "password": PASSWORD})
    assert refused.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_admin_advance_action_goes_through_the_service(client, office):
    ready = competition_factory()
    unready = competition_factory(rounds=[])
    sign_in(client, office)
    response = client.post(
        "/admin/competition/competition/",
        {"action": "advance_to_next_phase", "_selected_action": [ready.pk, unready.pk]},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已进入“申报推荐”" in html
    assert "尚未设置评审轮次" in html
    assert Competition.objects.get(pk=ready.pk).phase == Phase.NOMINATING
    assert Competition.objects.get(pk=unready.pk).phase == Phase.DRAFT
    entry = AuditEntry.objects.get(action="competition.advance")
    assert (entry.object_id, entry.actor, entry.actor_role) == (str(ready.pk), office, "office")


def test_admin_cannot_change_or_delete_an_audit_entry(client, office):
    competition = competition_factory()
    sign_in(client, office)
    client.post(
        "/admin/competition/competition/",
        {"action": "advance_to_next_phase", "_selected_action": [competition.pk]},
    )
    entry = AuditEntry.objects.get(action="competition.advance")
    url = f"/admin/competition/auditentry/{entry.pk}/"
    assert client.get(url + "change/").status_code == 200
    assert client.post(url + "change/", {"reason": "篡改"}).status_code == 403
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/competition/auditentry/add/").status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_admin_adds_a_judge_profile_through_the_service(client, office):
    judge_user = UserFactory(username="judge-new", role=Role.JUDGE)
    sign_in(client, office)
    response = client.post(
        "/admin/competition/judgeprofile/add/",
        {
            "user": judge_user.pk,
            "name": "李四",
            "expertise": "社会工作",
            "unit": taiyuan_unit("140107").pk,
            "organizations": '["太原市志愿者协会"]',
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = JudgeProfile.objects.get(user=judge_user)
    # The admin's history points at the profile the service made.
    assert LogEntry.objects.get().object_id == str(profile.pk)
    assert (profile.name, profile.unit.code, profile.organizations) == (
        "李四",
        "140107",
        ["太原市志愿者协会"],
    )
    entry = AuditEntry.objects.get(action="judge.profile_set")
    assert (entry.actor, entry.object_id) == (office, str(profile.pk))


def test_admin_judge_profile_offers_only_judge_accounts(client, office, officer):
    sign_in(client, office)
    page = client.get("/admin/competition/judgeprofile/add/")
    offered = page.context["adminform"].form.fields["user"].queryset
    assert officer not in offered and office not in offered
    response = client.post(
        "/admin/competition/judgeprofile/add/",
        {"user": officer.pk, "name": "王五", "organizations": "[]", "active": "on"},
    )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not JudgeProfile.objects.filter(user=officer).exists()


def test_web_sign_in_is_throttled_like_the_api(client, officer, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT_ADDRESS = 3
    for _ in range(3):
        assert "用户名或密码不正确" in sign_in(client, officer, "wrong password").content.decode()
    response = sign_in(client, officer)  # the right password, but too many failures
    assert "登录失败次数过多" in response.content.decode()
    assert not signed_in(client)
    # From another address the owner signs in.
    other = client.post(
        "/accounts/login/",
        {"username": officer.username, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.30",
    )
    assert other.status_code == 302
    assert signed_in(client)


def test_admin_sign_in_is_throttled_like_the_api(client, office, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT_ADDRESS = 3
    for _ in range(3):
        client.post("/admin/login/", {"username": office.username, "password": "wrong password"})
    response = client.post("/admin/login/", {"username": office.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert AuditEntry.objects.filter(action="auth.lockout").count() == 1


def test_web_sign_in_is_audited(client, officer):
    sign_in(client, officer, "Wrong-Secret-3")
    sign_in(client, officer)
    failed = AuditEntry.objects.get(action="auth.login_failed")
    assert (failed.actor, failed.object_id, failed.after["via"]) == (None, str(officer.pk), "/accounts/login/")
    assert failed.after["username"] == officer.username
    signed_in = AuditEntry.objects.get(action="auth.login")
    assert (signed_in.actor, signed_in.after["via"]) == (officer, "/accounts/login/")
    assert "Wrong-Secret" not in str(failed.after) and PASSWORD not in str(signed_in.after)


def test_admin_sign_in_refused_by_role_is_audited_as_a_failure(client, officer, office):
    client.post("/admin/login/", {"username": officer.username, "password": PASSWORD})
    refused = AuditEntry.objects.get(action="auth.login_failed")
    assert (refused.actor, refused.object_id) == (None, str(officer.pk))
    assert (refused.after["reason"], refused.after["via"]) == ("not_allowed", "/admin/login/")
    assert not AuditEntry.objects.filter(action="auth.login").exists()
    client.post("/admin/login/", {"username": office.username, "password": PASSWORD})
    assert AuditEntry.objects.get(action="auth.login").actor == office


def test_unknown_api_path_answers_in_the_error_shape(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "未找到该对象。", "fields": {}}}


def test_createsuperuser_makes_an_office_account(db):
    from competition.models import User

    user = User.objects.create_superuser("root-office", password="pw-123456")
    assert user.role == "office"
