"""The public objection endpoint against abuse (issue 11 items 8 and 11): only from
this site's pages or a non-browser client, limited per address, phone and
nomination, no oracle of nomination ids, and spam the office sets aside."""

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from competition.models import AuditEntry
from judging.enums import ObjectionStatus
from judging.models import Objection
from nominations.models import Nomination
from tests.judging.conftest import api
from tests.judging.test_results import _a_wednesday, _publish, objection, scored  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/objections/"


def _json_post(client, body, **headers):
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def test_form_encoded_multipart_and_text_bodies_are_refused(office, round1, scored, competition):  # noqa: F811
    """What a cross-site HTML form (or a no-preflight fetch) can send: none lodges anything."""
    _publish(office, round1, competition)
    body = objection(competition, scored[0])
    client = Client()
    form = client.post(URL, body)  # multipart/form-data, Django's test default
    urlencoded = client.post(
        URL, "&".join(f"{k}={v}" for k, v in body.items()), content_type="application/x-www-form-urlencoded"
    )
    text = client.post(URL, json.dumps(body), content_type="text/plain")
    for response in (form, urlencoded, text):
        assert response.status_code == 415, response.content
        assert response.json()["error"]["code"] == "unsupported_media_type"
    assert not Objection.objects.exists()


def test_a_browser_post_from_another_site_is_refused(office, round1, scored, competition, settings):  # noqa: F811
    _publish(office, round1, competition)
    client = Client()
    body = objection(competition, scored[0])
    for headers in (
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/page.html"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "https://testserver"},  # another scheme is another origin
    ):
        response = _json_post(client, body, **headers)
        assert response.status_code == 403, headers
        assert response.json()["error"]["code"] == "cross_site_request"
        assert "本网站" in response.json()["error"]["message"]
    assert not Objection.objects.exists()

    # The 公示 page itself (same origin), an API client (no browser headers), a trusted origin.
    assert _json_post(client, body, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin").status_code == 201
    assert _json_post(client, objection(competition, scored[1], phone="13912345679")).status_code == 201
    settings.CSRF_TRUSTED_ORIGINS = ["https://awards.example.org"]
    trusted = _json_post(
        client, objection(competition, scored[2], phone="13912345670"), HTTP_ORIGIN="https://awards.example.org"
    )
    assert trusted.status_code == 201
    assert Objection.objects.count() == 3


def test_objections_are_limited_per_phone_number(office, round1, scored, competition, settings):  # noqa: F811
    settings.OBJECTIONS_PER_PHONE_PER_DAY = 2
    _publish(office, round1, competition)
    for i in range(2):
        client = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
        assert _json_post(client, objection(competition, scored[i])).status_code == 201
    refused = _json_post(Client(REMOTE_ADDR="198.51.100.9"), objection(competition, scored[2]))
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert "手机号码" in refused.json()["error"]["message"]
    assert int(refused["Retry-After"]) > 0
    assert Objection.objects.count() == 2
    # Another phone number from the same address is not held back.
    other = _json_post(Client(REMOTE_ADDR="198.51.100.9"), objection(competition, scored[2], phone="13700000001"))
    assert other.status_code == 201


def test_objections_are_limited_per_nomination(office, round1, scored, competition, settings):  # noqa: F811
    settings.OBJECTIONS_PER_NOMINATION_PER_DAY = 3
    _publish(office, round1, competition)
    for i in range(3):
        client = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
        response = _json_post(client, objection(competition, scored[0], phone=f"1370000000{i}"))
        assert response.status_code == 201
    refused = _json_post(Client(REMOTE_ADDR="198.51.100.50"), objection(competition, scored[0], phone="13700000009"))
    assert refused.status_code == 429
    assert "公示对象" in refused.json()["error"]["message"]
    # Another nominee still receives objections.
    assert _json_post(Client(REMOTE_ADDR="198.51.100.50"), objection(competition, scored[1], phone="13700000009")).status_code == 201
    assert Objection.objects.filter(nomination=scored[0]).count() == 3


def test_objections_are_limited_per_address_counting_every_attempt(office, round1, scored, competition, settings):  # noqa: F811
    settings.OBJECTIONS_PER_ADDRESS_PER_HOUR = 3
    _publish(office, round1, competition)
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert _json_post(client, objection(competition, scored[0], name="")).status_code == 400
    assert _json_post(client, objection(competition, scored[0], phone="13700000001")).status_code == 201
    assert _json_post(client, objection(competition, scored[1], phone="13700000002")).status_code == 201
    refused = _json_post(client, objection(competition, scored[2], phone="13700000003"))
    assert refused.status_code == 429
    assert Objection.objects.count() == 2
    assert _json_post(Client(REMOTE_ADDR="203.0.113.8"), objection(competition, scored[2], phone="13700000003")).status_code == 201


def test_office_marks_an_objection_as_spam_and_it_no_longer_blocks_finalisation(
    office, observer, round1, scored, competition  # noqa: F811
):
    publicity = _publish(office, round1, competition)
    objection_id = _json_post(Client(), objection(competition, scored[0])).json()["id"]
    url = f"/api/v1/objections/{objection_id}/spam/"

    assert api(observer).post(url, {"reason": "虚假信息"}, format="json").status_code == 403
    assert api().post(url, {"reason": "虚假信息"}, format="json").status_code in (401, 403)
    blank = api(office).post(url, {"reason": "  "}, format="json")
    assert blank.status_code == 400
    assert "reason" in blank.json()["error"]["fields"]
    assert Objection.objects.get(pk=objection_id).status == ObjectionStatus.OPEN

    after = timezone.make_aware(dt.datetime.combine(publicity.ends_on + dt.timedelta(days=1), dt.time(9)))
    with time_machine.travel(after, tick=False):
        blocked = api(office).post(f"/api/v1/competitions/{competition.pk}/finalize/")
        assert blocked.status_code == 409 and "异议" in blocked.json()["error"]["message"]
        marked = api(office).post(url, {"reason": "同一号码批量提交的无事实内容"}, format="json")
        assert marked.status_code == 200, marked.json()
        assert marked.json()["status"] == "spam"
        again = api(office).post(url, {"reason": "再次标记"}, format="json")
        assert again.status_code == 409
        done = api(office).post(f"/api/v1/competitions/{competition.pk}/finalize/")
    assert done.status_code == 200, done.json()
    # The nominee stays on the list: spam changes nothing but the objection.
    assert scored[0].pk in [a["nomination"] for a in done.json()["awards"]]
    entry = AuditEntry.objects.get(action="objection.spam")
    assert entry.actor_id == office.pk
    assert entry.reason == "同一号码批量提交的无事实内容"
    assert (entry.before, entry.after) == ({"status": "open"}, {"status": "spam"})
    listed = api(office).get("/api/v1/objections/?status=spam").json()
    assert [o["id"] for o in listed["results"]] == [objection_id]


def test_an_unlisted_nomination_answers_like_a_missing_one(office, round1, scored, competition):  # noqa: F811
    """No oracle of nomination ids: an id that exists but is not on the 公示 list gets
    the same answer as one that does not exist, whatever else the body holds."""
    _publish(office, round1, competition)
    missing_id = Nomination.objects.order_by("-pk").first().pk + 1000
    unlisted = scored[5]  # ranked sixth: not a proposed winner
    client = Client()
    for extra in ({}, {"name": "", "phone": "1", "content": ""}):
        answers = []
        for pk in (missing_id, unlisted.pk):
            body = {**objection(competition, unlisted, **extra), "nomination": pk}
            response = _json_post(client, body)
            answers.append((response.status_code, response.json()))
        assert answers[0] == answers[1], extra
        assert answers[0][0] == (400 if extra else 404)
    assert not Objection.objects.exists()

    # Outside 公示 both get the 公示's refusal, not a 404 for one and a 409 for the other.
    after = timezone.make_aware(dt.datetime.combine(competition.publicity.ends_on + dt.timedelta(days=1), dt.time(9)))
    with time_machine.travel(after, tick=False):
        late = [
            _json_post(client, {**objection(competition, unlisted), "nomination": pk})
            for pk in (missing_id, unlisted.pk)
        ]
    assert [r.status_code for r in late] == [409, 409]
    assert late[0].json() == late[1].json()
