"""Passwords: the validators wherever a password is set; the password change page and API."""

import hashlib

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from competition import services
from competition.enums import Role
from competition.exceptions import ValidationFailed
from competition.models import ApiToken, AuditEntry, User
from tests.factories import PASSWORD, STRONG_PASSWORD, api_client, taiyuan_unit

from .utils import CJK, assert_error

pytestmark = pytest.mark.django_db

NEW = "Another-strong-pass-2027"
WEAK = {
    "password": "常见",
    "12345678": "全是数字",
    "short1!": "太短",
}


def token_of(client, user, password=PASSWORD, **extra):
    response = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": password}, format="json", **extra
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def stored(raw):
    return ApiToken.objects.get(key_hash=hashlib.sha256(raw.encode()).hexdigest())


def with_token(token):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def change(client, old=PASSWORD, new=NEW):
    return client.post(
        "/api/v1/auth/password/", {"old_password": old, "new_password": new}, format="json"
    )


# --------------------------------------------------------------------------- the validators


def test_the_four_django_password_validators_are_on():
    names = [type(v).__mro__[1].__name__ for v in password_validation.get_default_password_validators()]
    assert sorted(names) == sorted(
        [
            "UserAttributeSimilarityValidator",
            "MinimumLengthValidator",
            "CommonPasswordValidator",
            "NumericPasswordValidator",
        ]
    )
    assert len(django_settings.AUTH_PASSWORD_VALIDATORS) == 4


@pytest.mark.parametrize(("weak", "says"), [*WEAK.items(), ("unit-new-2026", "用户名太相似")])
def test_user_create_refuses_a_weak_password(weak, says):
    with pytest.raises(ValidationFailed) as caught:
        services.user_create(
            actor=None,
            username="unit-new-2026",
            password=weak,
            role=Role.OFFICER,
            unit=taiyuan_unit("140105"),
        )
    messages = caught.value.fields["password"]
    assert all(m.startswith("密码：") for m in messages), messages
    assert any(says in m for m in messages), messages
    assert not User.objects.filter(username="unit-new-2026").exists()
    assert not AuditEntry.objects.exists()


def test_user_create_refuses_a_password_like_the_display_name():
    with pytest.raises(ValidationFailed) as caught:
        services.user_create(
            actor=None, username="judge-x", password="zhangsanfeng1", role=Role.JUDGE,
            display_name="zhangsanfeng",
        )
    assert "姓名太相似" in caught.value.fields["password"][0]


def test_user_create_takes_a_strong_password_or_none():
    user = services.user_create(actor=None, username="obs-new", password=STRONG_PASSWORD, role=Role.OBSERVER)
    assert user.check_password(STRONG_PASSWORD)
    unusable = services.user_create(actor=None, username="obs-none", password=None, role=Role.OBSERVER)
    assert not unusable.has_usable_password()


def test_createsuperuser_refuses_a_weak_password(db):
    with pytest.raises(ValidationError) as caught:
        User.objects.create_superuser("root-weak", password="12345678")
    assert all(CJK.search(m) for m in caught.value.messages)
    assert not User.objects.filter(username="root-weak").exists()


def test_seed_demo_refuses_a_weak_password_in_chinese(settings):
    settings.DEBUG = True
    for weak, says in [("password", "常见"), ("office-2022", "用户名太相似"), ("1234567890", "全是数字")]:
        with pytest.raises(CommandError, match="演示密码不符合密码规则") as caught:
            call_command("seed_demo", password=weak)
        assert says in str(caught.value)
    assert not User.objects.exists()


# --------------------------------------------------------------------------- the API


def test_password_change_api_needs_a_signed_in_caller(db):
    assert_error(change(api_client()), 401, "not_authenticated")


def test_password_change_api_revokes_every_other_token(office):
    client = api_client()
    current = token_of(client, office, REMOTE_ADDR="10.5.0.1")
    other = token_of(client, office, REMOTE_ADDR="10.5.0.2")
    third = token_of(client, office, REMOTE_ADDR="10.5.0.3")
    response = change(with_token(current))
    assert response.status_code == 204, response.content
    # The token that made the request goes on; the others are revoked.
    assert with_token(current).get("/api/v1/units/").status_code == 200
    for raw in (other, third):
        assert_error(with_token(raw).get("/api/v1/units/"), 401, "authentication_failed")
    office.refresh_from_db()
    assert office.check_password(NEW) and not office.check_password(PASSWORD)
    assert token_of(api_client(), office, NEW)
    entry = AuditEntry.objects.get(action="user.password_change")
    assert (entry.actor, entry.object_id) == (office, str(office.pk))
    assert entry.after["token_kept"] == stored(current).pk
    assert entry.after["tokens_revoked"] == sorted([stored(other).pk, stored(third).pk])
    text = str([entry.before, entry.after, entry.reason])
    assert PASSWORD not in text and NEW not in text


def test_password_change_api_touches_only_the_callers_tokens(office, officer):
    officer_token = token_of(api_client(), officer)
    office_client = api_client(office)
    response = office_client.post(
        "/api/v1/auth/password/", {"old_password": PASSWORD, "new_password": NEW}, format="json"
    )
    assert response.status_code == 204
    assert with_token(officer_token).get("/api/v1/units/").status_code == 200
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_password_change_api_wrong_old_password_is_400_naming_it(office):
    client = api_client(office)
    error = assert_error(change(client, old="not-the-password"), 400, "validation_failed")
    assert error["fields"] == {"old_password": ["原密码：原密码不正确。"]}
    office.refresh_from_db()
    assert office.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="user.password_change").exists()


@pytest.mark.parametrize("weak", ["password", "12345678", "office-2026"])
def test_password_change_api_weak_new_password_is_400_naming_it(office, weak):
    client = api_client(office)
    error = assert_error(change(client, new=weak), 400, "validation_failed")
    assert list(error["fields"]) == ["new_password"]
    assert all(m.startswith("新密码：") for m in error["fields"]["new_password"])
    office.refresh_from_db()
    assert office.check_password(PASSWORD)
    assert with_token(token_of(api_client(), office)).get("/api/v1/units/").status_code == 200


def test_password_change_api_missing_fields_are_named(office):
    error = assert_error(api_client(office).post("/api/v1/auth/password/", {}, format="json"), 400)
    assert error["fields"]["old_password"] == ["原密码：该字段是必填项。"]
    assert error["fields"]["new_password"] == ["新密码：该字段是必填项。"]


def test_password_change_api_throttles_guesses_of_the_old_password(office):
    client = api_client(office)
    for _ in range(5):
        assert change(client, old="guess").status_code == 400
    error = assert_error(change(client), 429, "throttled")
    assert "old_password" in error["fields"]
    office.refresh_from_db()
    assert office.check_password(PASSWORD)


def test_password_change_api_with_a_session_keeps_the_session(client, office):
    token = token_of(api_client(), office)
    assert client.login(username=office.username, password=PASSWORD)
    response = client.post(
        "/api/v1/auth/password/",
        {"old_password": PASSWORD, "new_password": NEW},
        content_type="application/json",
    )
    assert response.status_code == 204, response.content
    assert "_auth_user_id" in client.session
    assert_error(with_token(token).get("/api/v1/units/"), 401, "authentication_failed")


# --------------------------------------------------------------------------- the page


def test_password_page_needs_sign_in(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["office", "observer", "officer", "judge"])
def test_every_signed_in_page_links_to_the_password_page(client, users, role):
    client.force_login(users[role])
    assert 'href="/accounts/password/"' in client.get("/").content.decode()
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("修改密码", "原密码", "新密码", "再次输入新密码", "至少 8 个字符"):
        assert text in html


def test_password_page_changes_the_password_and_keeps_the_session(client, officer):
    token = token_of(api_client(), officer)
    client.force_login(officer)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert response.status_code == 200
    assert "密码已修改" in response.content.decode()
    assert "_auth_user_id" in client.session  # still signed in
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    # The web page keeps no token.
    assert_error(with_token(token).get("/api/v1/units/"), 401, "authentication_failed")
    assert not ApiToken.objects.filter(user=officer, revoked_at__isnull=True).exists()
    assert AuditEntry.objects.get(action="user.password_change").actor == officer


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"old_password": "nope", "new_password1": NEW, "new_password2": NEW}, "原密码不正确"),
        ({"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"}, "两次输入的新密码不一致"),
        ({"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}, "全是数字"),
        ({"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"}, "太常见"),
    ],
)
def test_password_page_refuses_in_chinese_and_changes_nothing(client, officer, data, says):
    client.force_login(officer)
    response = client.post("/accounts/password/", data)
    assert response.status_code == 200
    assert says in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="user.password_change").exists()


def test_the_admins_password_change_is_the_same_page(client, office):
    client.force_login(office)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"


def test_admin_user_form_refuses_a_weak_password(client, office):
    client.force_login(office)
    response = client.post(
        "/admin/competition/user/add/",
        {
            "username": "weak-new",
            "usable_password": "true",
            "password1": "12345678",
            "password2": "12345678",
            "role": Role.OBSERVER,
        },
    )
    assert response.status_code == 200
    assert "全是数字" in response.content.decode()
    assert not User.objects.filter(username="weak-new").exists()
