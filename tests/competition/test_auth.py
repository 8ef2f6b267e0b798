"""API tokens: issued for a password, stored hashed, expiring, revocable; login throttled."""

import datetime as dt
import logging

import pytest
import time_machine
from django.db import connection

from competition.models import ApiToken, AuditEntry
from tests.factories import PASSWORD, OfficeFactory, OfficerFactory, api_client, taiyuan_unit

from .utils import assert_error

pytestmark = pytest.mark.django_db

START = dt.datetime(2031, 10, 8, 9, 0, tzinfo=dt.UTC)


def login(client, username, password=PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra
    )


def with_token(token):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_issued_for_the_right_password(office):
    with time_machine.travel(START, tick=False):
        response = login(api_client(), office.username)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert len(body["token"]) >= 40
    assert dt.datetime.fromisoformat(body["expires_at"]) == START + dt.timedelta(hours=12)


def test_token_authenticates_requests(office):
    token = login(api_client(), office.username).json()["token"]
    response = with_token(token).get("/api/v1/units/")
    assert response.status_code == 200
    # Both spellings of the keyword are accepted; anything else is not a token.
    assert with_token(token).get("/api/v1/judges/").status_code == 200
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"token {token}")
    assert client.get("/api/v1/units/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {token} extra")
    assert_error(client.get("/api/v1/units/"), 401, "authentication_failed")


def test_token_is_stored_hashed_only(office):
    token = login(api_client(), office.username).json()["token"]
    stored = ApiToken.objects.get(user=office)
    assert stored.key_hash != token
    assert len(stored.key_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM competition_apitoken")
        rows = cursor.fetchall()
    assert rows and not any(token in str(value) for row in rows for value in row)


def test_token_expires_after_12_hours(office):
    with time_machine.travel(START, tick=False) as traveller:
        token = login(api_client(), office.username).json()["token"]
        traveller.shift(dt.timedelta(hours=11, minutes=59))
        assert with_token(token).get("/api/v1/units/").status_code == 200
        traveller.shift(dt.timedelta(minutes=1))
        assert_error(with_token(token).get("/api/v1/units/"), 401, "authentication_failed")


def test_token_ttl_follows_the_setting(office, settings):
    settings.API_TOKEN_TTL = dt.timedelta(hours=1)
    with time_machine.travel(START, tick=False) as traveller:
        body = login(api_client(), office.username).json()
        assert dt.datetime.fromisoformat(body["expires_at"]) == START + dt.timedelta(hours=1)
        traveller.shift(dt.timedelta(hours=1, seconds=1))
        assert with_token(body["token"]).get("/api/v1/units/").status_code == 401


def test_logout_revokes_the_token(office):
    token = login(api_client(), office.username).json()["token"]
    other = login(api_client(), office.username).json()["token"]
    client = with_token(token)
    response = client.post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert_error(client.get("/api/v1/units/"), 401, "authentication_failed")
    assert_error(client.post("/api/v1/auth/logout/"), 401, "authentication_failed")
    assert ApiToken.objects.get(user=office, revoked_at__isnull=False)
    # Only that token: the user's other session goes on.
    assert with_token(other).get("/api/v1/units/").status_code == 200


def test_token_of_a_deactivated_user_stops_working(office):
    token = login(api_client(), office.username).json()["token"]
    office.is_active = False
    office.save()
    assert_error(with_token(token).get("/api/v1/units/"), 401, "authentication_failed")


def test_login_wrong_password_and_unknown_user_answer_the_same(office):
    wrong = login(api_client(), office.username, "not the password")
    unknown = login(api_client(), "nobody-by-this-name", "not the password")
    inactive_user = OfficerFactory(username="gone", unit=taiyuan_unit("140106"), is_active=False)
    inactive = login(api_client(), inactive_user.username)
    error = assert_error(wrong, 400, "invalid_credentials")
    assert error["message"] == "用户名或密码不正确。"
    for other in (unknown, inactive):
        assert other.status_code == wrong.status_code
        assert other.content == wrong.content
    assert not ApiToken.objects.exists()


def test_login_missing_fields_is_400_naming_them(db):
    error = assert_error(api_client().post("/api/v1/auth/token/", {}, format="json"), 400)
    assert error["fields"]["username"] == ["用户名：该字段是必填项。"]
    assert error["fields"]["password"] == ["密码：该字段是必填项。"]


def test_login_throttled_after_5_failures_for_one_account_from_one_address(office):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            response = login(api_client(), office.username, "wrong", REMOTE_ADDR="10.0.0.1")
            assert_error(response, 400, "invalid_credentials")
        traveller.shift(dt.timedelta(minutes=1))
        response = login(api_client(), office.username, REMOTE_ADDR="10.0.0.1")
        error = assert_error(response, 429, "throttled")
        assert "秒后再试" in error["message"]
        assert int(response["Retry-After"]) == 14 * 60
        # Another account is not affected, from that address either.
        other = OfficeFactory(username="office-2")
        assert login(api_client(), other.username, REMOTE_ADDR="10.0.0.1").status_code == 200
        # The window passes: allowed again.
        traveller.shift(dt.timedelta(minutes=14, seconds=1))
        response = login(api_client(), office.username, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 200, response.json()
    assert ApiToken.objects.filter(user=office).count() == 1


def test_wrong_passwords_from_one_address_do_not_lock_the_account_out_elsewhere(office):
    """Six wrong passwords from X: X is throttled, the owner signs in from Y."""
    for _ in range(6):
        login(api_client(), office.username, "wrong", REMOTE_ADDR="203.0.113.7")
    response = login(api_client(), office.username, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 200, response.json()
    assert with_token(response.json()["token"]).get("/api/v1/units/").status_code == 200
    # X stays throttled, even with the right password.
    assert_error(login(api_client(), office.username, REMOTE_ADDR="203.0.113.7"), 429, "throttled")


def test_login_per_account_ceiling_still_stops_a_guess_spread_over_addresses(office, settings):
    assert settings.LOGIN_FAILURES_PER_ACCOUNT == 100
    settings.LOGIN_FAILURES_PER_ACCOUNT = 12
    with time_machine.travel(START, tick=False):
        for i in range(12):  # 4 addresses, 3 failures each: under the per-address limits
            response = login(api_client(), office.username, "wrong", REMOTE_ADDR=f"10.2.0.{i % 4}")
            assert_error(response, 400, "invalid_credentials")
        # The ceiling is reached: the right password from a fresh address is refused too.
        response = login(api_client(), office.username, REMOTE_ADDR="10.2.9.9")
        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) == 15 * 60
        # Only this account.
        assert login(api_client(), OfficeFactory(username="office-3").username).status_code == 200


def test_a_throttled_address_does_not_use_up_the_account_ceiling(office, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 10
    for _ in range(30):
        login(api_client(), office.username, "wrong", REMOTE_ADDR="203.0.113.8")
    # 5 counted failures, then refused before the account was counted.
    assert login(api_client(), office.username, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_a_lockout_is_logged_and_audited_once_when_it_starts(office, caplog):
    caplog.set_level(logging.WARNING, logger="competition.auth")
    for _ in range(9):
        login(api_client(), office.username.upper(), "wrong", REMOTE_ADDR="203.0.113.10")
    entries = AuditEntry.objects.filter(action="auth.lockout")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor is None
    assert (entry.object_type, entry.object_id) == ("competition.user", str(office.pk))
    assert entry.client_address == "203.0.113.10"
    assert entry.after["scope"] == "account_address"
    assert entry.after["username"] == office.username.upper()
    assert entry.after["address"] == "203.0.113.10"
    assert entry.after["limit"] == 5
    assert "wrong" not in str(entry.after)
    warnings = [r for r in caplog.records if r.name == "competition.auth" and "locked out" in r.message]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING


def test_an_address_lockout_is_audited_without_an_account(db, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for i in range(6):
        login(api_client(), f"someone-{i}", "wrong", REMOTE_ADDR="203.0.113.11")
    entry = AuditEntry.objects.get(action="auth.lockout")
    assert (entry.actor, entry.object_type, entry.object_id) == (None, "auth.sign_in", "")
    assert entry.after["scope"] == "address"
    assert entry.after["address"] == "203.0.113.11"


def test_login_throttle_counts_the_account_whatever_its_case(office):
    for _ in range(5):
        login(api_client(), office.username.upper(), "wrong", REMOTE_ADDR="10.0.1.1")
    assert login(api_client(), office.username, REMOTE_ADDR="10.0.1.1").status_code == 429
    assert login(api_client(), office.username, REMOTE_ADDR="10.0.1.2").status_code == 200


def test_login_throttled_for_one_address_across_accounts(office, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    with time_machine.travel(START, tick=False) as traveller:
        for name in ("alpha", "beta", "gamma"):
            response = login(api_client(), name, "wrong", REMOTE_ADDR="192.0.2.50")
            assert response.status_code == 400
        response = login(api_client(), office.username, REMOTE_ADDR="192.0.2.50")
        assert_error(response, 429, "throttled")
        assert 0 < int(response["Retry-After"]) <= 15 * 60
        # The same account from another address is fine.
        assert login(api_client(), office.username, REMOTE_ADDR="192.0.2.51").status_code == 200
        traveller.shift(dt.timedelta(minutes=15))
        assert login(api_client(), office.username, REMOTE_ADDR="192.0.2.50").status_code == 200


def test_login_address_throttle_defaults_to_20(office, settings):
    assert settings.LOGIN_FAILURES_PER_ADDRESS == 20
    for i in range(20):
        assert (
            login(api_client(), f"user-{i}", "wrong", REMOTE_ADDR="192.0.2.60").status_code == 400
        )
    assert login(api_client(), office.username, REMOTE_ADDR="192.0.2.60").status_code == 429


def test_login_succeeds_after_fewer_failures_than_the_limit(office):
    for _ in range(4):
        login(api_client(), office.username, "wrong")
    assert login(api_client(), office.username).status_code == 200


def test_login_address_throttle_ignores_a_forged_forwarded_for(office, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(3):
        login(
            api_client(),
            f"user-{i}",
            "wrong",
            REMOTE_ADDR="192.0.2.70",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{i}",
        )
    response = login(
        api_client(), office.username, REMOTE_ADDR="192.0.2.70", HTTP_X_FORWARDED_FOR="10.9.9.99"
    )
    assert response.status_code == 429


def test_login_address_behind_a_trusted_proxy_is_the_hop_it_saw(office, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for i in range(3):
        # The client forges the first hop; the proxy appends the real address.
        login(
            api_client(),
            f"user-{i}",
            "wrong",
            HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 198.51.100.8",
            **proxy,
        )
    blocked = login(api_client(), office.username, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy)
    assert blocked.status_code == 429
    other = login(api_client(), office.username, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert other.status_code == 200


# --------------------------------------------------------------------------- audit of sign-in and tokens


def _no_secret_in(entry, *secrets):
    text = str([entry.before, entry.after, entry.reason, entry.object_id])
    return not any(secret in text for secret in secrets)


def test_failed_sign_ins_are_audited_with_the_name_and_address_but_no_actor(office):
    login(api_client(), office.username, "Wrong-Secret-1", REMOTE_ADDR="203.0.113.40")
    login(api_client(), "nobody-by-this-name", "Wrong-Secret-2", REMOTE_ADDR="203.0.113.41")
    known, unknown = AuditEntry.objects.filter(action="auth.login_failed").order_by("pk")
    assert (known.actor, known.actor_role) == (None, "")
    assert (known.object_type, known.object_id) == ("competition.user", str(office.pk))
    assert known.after["username"] == office.username
    assert known.after["reason"] == "invalid_credentials"
    assert known.after["via"] == "/api/v1/auth/token/"
    assert known.client_address == known.after["address"] == "203.0.113.40"
    assert (unknown.actor, unknown.object_type, unknown.object_id) == (None, "auth.sign_in", "")
    assert unknown.after["username"] == "nobody-by-this-name"
    assert unknown.client_address == "203.0.113.41"
    assert _no_secret_in(known, "Wrong-Secret") and _no_secret_in(unknown, "Wrong-Secret")
    assert not AuditEntry.objects.filter(action="auth.login").exists()
    # The audit API shows them to the office, actor empty.
    listed = api_client(office).get("/api/v1/audit/", {"action": "auth.login_failed"}).json()
    assert [e["actor"] for e in listed["results"]] == [None, None]


def test_sign_in_and_token_issue_and_revoke_are_audited_without_the_token(office):
    response = login(api_client(), office.username, REMOTE_ADDR="203.0.113.42")
    raw = response.json()["token"]
    token = ApiToken.objects.get(user=office)
    signed_in = AuditEntry.objects.get(action="auth.login")
    assert (signed_in.actor, signed_in.actor_role, signed_in.object_id) == (office, "office", str(office.pk))
    assert signed_in.client_address == "203.0.113.42"
    issued = AuditEntry.objects.get(action="token.issue")
    assert (issued.actor, issued.object_type, issued.object_id) == (office, "competition.apitoken", str(token.pk))
    assert issued.after["expires_at"] == token.expires_at.isoformat()
    assert with_token(raw).post("/api/v1/auth/logout/").status_code == 204
    revoked = AuditEntry.objects.get(action="token.revoke")
    assert (revoked.actor, revoked.object_id) == (office, str(token.pk))
    for entry in (signed_in, issued, revoked):
        assert _no_secret_in(entry, raw, token.key_hash, PASSWORD)
