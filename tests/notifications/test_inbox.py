"""The inbox: the API (the caller's own only), the pages, the navigation's badge, the
settings page and the office's failed deliveries."""

from __future__ import annotations

import pytest

from competition.enums import Role
from competition.models import AuditEntry
from notifications import services
from notifications.enums import Channel, DeliveryStatus, Event
from notifications.models import Delivery, Notification, Preference
from tests.factories import api_client

from .conftest import PASSWORD, account


def tell(user, n: int = 1, *, event=Event.RESULTS_FINAL, url="/publicity/1/") -> list[Notification]:
    made = []
    for i in range(n):
        made += services.notify(
            event=event,
            recipients=[user],
            object_type="competition.competition",
            object_id=100 + i,
            url=url,
            context={"year": 2030, "competition": "2030年度推选", "count": 3},
        )
    return made


def test_the_api_lists_only_the_callers_own_with_the_unread_count(officer, other_officer):
    mine = tell(officer, 2)
    tell(other_officer, 3)
    body = api_client(officer).get("/api/v1/notifications/").json()
    assert body["unread"] == 2
    assert body["count"] == 2
    assert sorted(i["id"] for i in body["results"]) == sorted(n.pk for n in mine)
    item = body["results"][0]
    assert set(item) == {"id", "event", "title", "body", "url", "created_at", "read"}
    assert item["title"] == "【结果确定】2030年度表彰名单已确定"


def test_mark_one_read_then_all(officer, other_officer):
    mine = tell(officer, 3)
    theirs = tell(other_officer, 1)
    client = api_client(officer)
    response = client.post(f"/api/v1/notifications/{mine[0].pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    assert client.get("/api/v1/notifications/").json()["unread"] == 2
    assert client.get("/api/v1/notifications/?read=false").json()["count"] == 2
    # Another's notification: exactly like a missing one, and it stays unread.
    other = client.post(f"/api/v1/notifications/{theirs[0].pk}/read/")
    missing = client.post("/api/v1/notifications/999999/read/")
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    response = client.post("/api/v1/notifications/read-all/")
    assert response.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None


def test_the_badge_shows_the_unread_count_on_every_signed_in_page(client, officer):
    tell(officer, 3)
    client.login(username=officer.username, password=PASSWORD)
    for path in ("/", "/nominations/", "/notifications/"):
        html = client.get(path).content.decode()
        assert 'id="nav-inbox"' in html, path
        assert 'title="3 条未读"' in html, path
    client.logout()
    assert 'id="nav-inbox"' not in client.get("/accounts/login/").content.decode()


def test_the_inbox_page_opens_and_marks_read(client, officer, other_officer):
    [first, second] = tell(officer, 2)
    [theirs] = tell(other_officer, 1)
    client.login(username=officer.username, password=PASSWORD)
    html = client.get("/notifications/").content.decode()
    assert "【结果确定】2030年度表彰名单已确定" in html and "2 条未读" in html
    response = client.get(f"/notifications/{first.pk}/")
    assert response.status_code == 302 and response["Location"] == "/publicity/1/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    client.post(f"/notifications/{second.pk}/read/")
    second.refresh_from_db()
    assert second.read_at is not None
    tell(officer, 1)
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=officer, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_settings_page_sets_the_address_and_turns_mail_off(client, db):
    user = account("n-judge-s", Role.JUDGE)
    client.login(username=user.username, password=PASSWORD)
    page = client.get("/notifications/settings/").content.decode()
    assert "电子邮箱" in page
    bad = client.post("/notifications/settings/", {"email": "不是邮箱", "email_enabled": "on"})
    assert "电子邮箱：格式不正确。" in bad.content.decode()
    user.refresh_from_db()
    assert user.email == ""
    client.post("/notifications/settings/", {"email": "judge@example.org"})  # box unticked: mail off
    user.refresh_from_db()
    assert user.email == "judge@example.org"
    assert Preference.objects.get(user=user).email_enabled is False
    assert AuditEntry.objects.filter(action="notification.preference_set", actor=user).exists()
    tell(user, 1)
    assert not Delivery.objects.filter(recipient=user).exists()
    client.post("/notifications/settings/", {"email": "judge@example.org", "email_enabled": "on"})
    services.notify(
        event=Event.RESULTS_FINAL, recipients=[user], object_type="x", object_id=1, key="again",
        context={"year": 2030, "competition": "2030年度推选", "count": 3},
    )
    assert Delivery.objects.filter(recipient=user, channel=Channel.EMAIL).count() == 1


@pytest.fixture
def failed_delivery(office, officer):
    [notification] = tell(officer, 1)
    delivery = Delivery.objects.get(notification=notification)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=6, last_error="SMTPDataError: (451, b'4.3.0 Mailbox temporarily unavailable')"
    )
    return delivery


def test_the_office_sees_failed_deliveries_with_the_error_and_retries(
    client, smtp, office, officer, failed_delivery, django_capture_on_commit_callbacks
):
    client.login(username=office.username, password=PASSWORD)
    assert "发送失败的消息（1）" in client.get("/notifications/").content.decode()
    html = client.get("/notifications/deliveries/").content.decode()
    assert "Mailbox temporarily unavailable" in html and "xiaodian@example.org" in html and "重新发送" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/notifications/deliveries/{failed_delivery.pk}/retry/")
    assert response.status_code == 302
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.SENT
    assert len(smtp.to("xiaodian@example.org")) == 1
    assert "没有发送失败的消息" in client.get("/notifications/deliveries/").content.decode()


def test_others_cannot_see_or_retry_failed_deliveries(client, db, officer, failed_delivery):
    observer = account("n-observer", Role.OBSERVER)
    client.login(username=officer.username, password=PASSWORD)
    assert client.get("/notifications/deliveries/").status_code == 404
    assert client.post(f"/notifications/deliveries/{failed_delivery.pk}/retry/").status_code == 404
    client.login(username=observer.username, password=PASSWORD)
    html = client.get("/notifications/deliveries/").content.decode()
    assert "Mailbox temporarily unavailable" in html and "重新发送</button>" not in html
    assert client.post(f"/notifications/deliveries/{failed_delivery.pk}/retry/").status_code == 403
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.FAILED


def test_the_progress_board_reminds_a_judge(client, office, judging_round_with_judges):
    round_, judge, other = judging_round_with_judges
    client.login(username=office.username, password=PASSWORD)
    html = client.get(f"/judging/rounds/{round_.pk}/progress/").content.decode()
    assert html.count('class="small secondary remind"') == 2 and 'id="remind-all"' in html
    response = client.post(f"/judging/rounds/{round_.pk}/remind/", {"judge": judge.pk}, follow=True)
    assert "已向评委" in response.content.decode()
    assert Notification.objects.filter(event=Event.JUDGE_REMINDER, recipient=judge).count() == 1
    assert not Notification.objects.filter(event=Event.JUDGE_REMINDER, recipient=other).exists()
    client.post(f"/judging/rounds/{round_.pk}/remind/")
    assert Notification.objects.filter(event=Event.JUDGE_REMINDER).count() == 3


def test_an_observer_sees_the_board_without_remind_buttons(client, db, judging_round_with_judges):
    round_, judge, _other = judging_round_with_judges
    observer = account("n-observer", Role.OBSERVER)
    client.login(username=observer.username, password=PASSWORD)
    assert "remind" not in client.get(f"/judging/rounds/{round_.pk}/progress/").content.decode()
    assert client.post(f"/judging/rounds/{round_.pk}/remind/", {"judge": judge.pk}).status_code == 403
    assert not Notification.objects.filter(event=Event.JUDGE_REMINDER).exists()


@pytest.fixture
def judging_round_with_judges(office):
    from competition.models import Unit
    from judging import services as judging_services
    from tests.judging.conftest import accepted, judging_competition

    from .conftest import judge_account

    competition = judging_competition(office, year=2031, judges_per_nomination=1)
    round_ = competition.rounds.get(order=1)
    xm = competition.categories.get(code="XM")
    noms = [accepted(competition, xm, u)[0] for u in Unit.objects.order_by("order")[:2]]
    judge, other = judge_account("n-judge-p"), judge_account("n-judge-q")
    judging_services.assignment_add(actor=office, round_=round_, judge=judge, nomination=noms[0])
    judging_services.assignment_add(actor=office, round_=round_, judge=other, nomination=noms[1])
    return round_, judge, other


def test_the_admin_lists_deliveries_and_its_action_retries_through_the_service(
    client, smtp, office, failed_delivery, django_capture_on_commit_callbacks
):
    client.login(username=office.username, password=PASSWORD)
    assert client.get("/admin/notifications/delivery/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/notifications/delivery/",
            {"action": "retry", "_selected_action": [failed_delivery.pk]},
        )
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.SENT
    assert AuditEntry.objects.filter(action="notification.delivery_retry", actor=office).exists()
