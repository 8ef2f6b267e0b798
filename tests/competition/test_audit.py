"""The audit trail: read by the office and observers, filtered; never changed or deleted."""

import pytest
from django.db import DatabaseError, transaction

from competition import services
from competition.enums import Phase, Role
from competition.models import AuditEntry
from tests.factories import STRONG_PASSWORD, api_client, competition_factory, taiyuan_unit

from .utils import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(office):
    """A few entries: a competition created, changed and advanced; an account created."""
    first = competition_factory()
    services.competition_advance(actor=office, competition=first, to=Phase.NOMINATING)
    services.competition_update(actor=office, competition=first, data={"title": "改名后的活动"})
    second = competition_factory()
    services.competition_advance(actor=office, competition=second, to=Phase.NOMINATING)
    user = services.user_create(
        actor=office,
        username="unit-new",
        password=STRONG_PASSWORD,
        role=Role.OFFICER,
        unit=taiyuan_unit("140121"),
    )
    return {"first": first, "second": second, "user": user}


def listed(client, **params):
    response = client.get("/api/v1/audit/", params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


@pytest.mark.parametrize(
    ("params", "count"),
    [
        # PostgreSQL refuses UTC offsets beyond ±15:59; Python reads them (this answered 500).
        ({"since": "0440-11-01T13:44:19-18:25"}, 4),
        ({"until": "0440-11-01T13:44:19-18:25"}, 0),
        # Before year 1 and after 9999 once in UTC: earlier / later than every entry.
        ({"since": "0001-01-01T00:00:00+05:00"}, 4),
        ({"until": "0001-01-01T00:00:00+05:00"}, 0),
        ({"since": "9999-12-31T23:00:00-05:00"}, 0),
        ({"until": "9999-12-31T23:00:00-05:00"}, 4),
    ],
)
def test_audit_time_filters_take_any_utc_offset(users, trail, params, count):
    entries = listed(api_client(users["office"]), **params)
    assert len([e for e in entries if not e["action"].startswith("auth.")]) == count


@pytest.mark.parametrize("role", ["office", "observer"])
def test_audit_list_for_office_and_observer(users, trail, role):
    entries = listed(api_client(users[role]))
    assert len(entries) == 4
    assert entries[0]["action"] == "user.create"  # newest first
    assert set(entries[0]) == {
        "id",
        "created_at",
        "actor",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
        "reason",
        "request_id",
        "client_address",
    }
    assert entries[0]["actor"] == users["office"].username
    assert entries[0]["after"]["username"] == "unit-new"


@pytest.mark.parametrize("role", ["officer", "judge"])
def test_audit_list_is_403_for_officer_and_judge(users, trail, role):
    assert_error(api_client(users[role]).get("/api/v1/audit/"), 403, "permission_denied")


def test_audit_list_filters_by_action_object_type_and_object_id(users, trail):
    client = api_client(users["observer"])
    advances = listed(client, action="competition.advance")
    assert len(advances) == 2
    assert {e["object_id"] for e in advances} == {str(trail["first"].pk), str(trail["second"].pk)}

    users_created = listed(client, object_type="competition.user")
    assert [e["object_id"] for e in users_created] == [str(trail["user"].pk)]

    first = listed(client, object_type="competition.competition", object_id=str(trail["first"].pk))
    assert [e["action"] for e in first] == ["competition.update", "competition.advance"]

    both = listed(client, action="competition.update", object_id=str(trail["second"].pk))
    assert both == []


def test_audit_entry_detail_for_observer(users, trail):
    entry = AuditEntry.objects.get(action="competition.update")
    response = api_client(users["observer"]).get(f"/api/v1/audit/{entry.pk}/")
    assert response.status_code == 200
    assert response.json()["before"]["title"] == trail["first"].title
    assert response.json()["after"]["title"] == "改名后的活动"


def _state(entry):
    entry = AuditEntry.objects.get(pk=entry.pk)
    return {f.attname: getattr(entry, f.attname) for f in AuditEntry._meta.concrete_fields}


@pytest.mark.parametrize("role", ["office", "observer"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_audit_api_refuses_every_write(users, trail, role, method):
    entry = AuditEntry.objects.get(action="competition.update")
    before, count = _state(entry), AuditEntry.objects.count()
    client = api_client(users[role])
    body = {"action": "x", "reason": "篡改", "after": {}}
    for url in ("/api/v1/audit/", f"/api/v1/audit/{entry.pk}/"):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (403, 405), (url, response.status_code)
        assert_error(response, response.status_code)
    assert _state(entry) == before
    assert AuditEntry.objects.count() == count


def test_audit_entry_save_of_an_existing_row_raises(trail):
    entry = AuditEntry.objects.get(action="competition.update")
    before = _state(entry)
    entry.reason = "篡改"
    with pytest.raises(PermissionError):
        entry.save()
    assert _state(entry) == before


def test_audit_entry_delete_raises(trail):
    entry = AuditEntry.objects.first()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_queryset_update_and_delete_raise(trail):
    before = [_state(e) for e in AuditEntry.objects.all()]
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(action="competition.update").update(reason="篡改")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    entries = list(AuditEntry.objects.all())
    for entry in entries:
        entry.reason = "篡改"
    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_update(entries, ["reason"])
    assert [_state(e) for e in AuditEntry.objects.all()] == before


def test_audit_raw_update_and_delete_refused_by_postgresql(postgres, trail):
    entry = AuditEntry.objects.get(action="competition.update")
    before = _state(entry)
    with postgres.cursor() as cursor:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(
                "UPDATE competition_auditentry SET reason = %s WHERE id = %s", ["篡改", entry.pk]
            )
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("DELETE FROM competition_auditentry WHERE id = %s", [entry.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("DELETE FROM competition_auditentry")
    assert _state(entry) == before
    assert AuditEntry.objects.count() == 4


def test_audit_entries_can_still_be_added_on_postgresql(postgres, office):
    competition = competition_factory()
    services.competition_advance(actor=office, competition=competition, to=Phase.NOMINATING)
    assert AuditEntry.objects.filter(action="competition.advance").count() == 1
