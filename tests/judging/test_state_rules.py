"""State rules in one place: for each case (state × role), the permission a page asks
(``has_perm``), what the page shows and answers to its POST, and what the API answers agree.

The "may now" permissions (``judging.score``, ``judging.close``, …) wrap the refusals of
``judging.refusals``; the services raise the same refusals. So for every case:

- allowed: the permission holds, the page shows the action, and the API (or the page's
  POST) does it;
- refused by the state: the permission fails, the page does not offer the action, and the
  API answers 409 with exactly the refusal's message (the page's POST flashes it);
- refused by the role: 403, or 404 for whoever may not even see the object.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import Competition, JudgeProfile, Round
from judging import refusals, services
from judging.models import Assignment, Objection, Scorecard
from tests.factories import STRONG_PASSWORD
from tests.judging.conftest import api, judging_competition

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def scoring_config(response) -> dict:
    match = re.search(r'<script id="scoring-config" type="application/json">(.*?)</script>', body(response), re.S)
    assert match
    return json.loads(match.group(1))


def flashed(client, url) -> str:
    return body(client.get(url))


@pytest.fixture
def assigned(office, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    return round1


@pytest.fixture
def officer(units):
    return competition_services.user_create(
        actor=None, username="unit-officer", password=STRONG_PASSWORD, role=Role.OFFICER, unit=units[0]
    )


@pytest.fixture
def people(office, observer, judges, officer):
    return {"office": office, "observer": observer, "judge": judges[0], "other judge": judges[1], "officer": officer}


def _own(round_, judge) -> Assignment:
    return Assignment.objects.filter(round=round_, judge=judge).order_by("pk").first()


def _scores(assignment) -> dict:
    return {str(c.pk): str(c.max_points) for c in assignment.nomination.category.criteria.all()}


def _submit(assignment):
    services.pledge_accept(judge=assignment.judge, competition=assignment.round.competition)
    card = services.scorecard_save(
        judge=assignment.judge, assignment=assignment, scores=_scores(assignment), comment="认真评审", version=0
    )
    services.scorecard_submit(judge=assignment.judge, assignment=assignment)
    return card


# --------------------------------------------------------------------------- scoring


def _pledged(a):
    services.pledge_accept(judge=a.judge, competition=a.round.competition)


def _no_pledge(a):
    pass


def _submitted(a):
    _submit(a)


def _round_closed(a):
    _pledged(a)
    Round.objects.filter(pk=a.round_id).update(closed_at=timezone.now())


def _deadline_passed(a):
    _pledged(a)
    Round.objects.filter(pk=a.round_id).update(deadline=timezone.now() - dt.timedelta(minutes=1))


def _conflict_found(a):
    _pledged(a)  # the judge now belongs to the nominee's unit: a 回避 found after assignment
    JudgeProfile.objects.filter(user=a.judge).update(unit=a.nomination.unit)


def _not_judging(a):
    _pledged(a)
    Competition.objects.filter(pk=a.round.competition_id).update(phase=Phase.PUBLICITY)


SCORING_STATES = {
    "open": (_pledged, True),
    "pledge not signed": (_no_pledge, False),
    "submitted": (_submitted, False),
    "round closed": (_round_closed, False),
    "deadline passed": (_deadline_passed, False),
    "conflict found": (_conflict_found, False),
    "not in the judging phase": (_not_judging, False),
}


@pytest.mark.parametrize("state", list(SCORING_STATES))
def test_scoring_its_own_assignment_agrees_for_the_judge(client, assigned, people, state):
    judge = people["judge"]
    assignment = _own(assigned, judge)
    arrange, expected = SCORING_STATES[state]
    arrange(assignment)
    assignment = Assignment.objects.select_related("round__competition", "nomination").get(pk=assignment.pk)

    allowed = judge.has_perm("judging.score", assignment)
    reason = refusals.edit_refusal(assignment, judge, timezone.now())
    assert allowed is expected and (reason is None) is expected

    client.force_login(judge)
    page = client.get(reverse("judging:assignment", args=[assignment.pk]))
    assert page.status_code == 200
    assert scoring_config(page)["editable"] is allowed
    assert ('id="submit-button"' in body(page)) is allowed
    assert ('<fieldset class="plain" disabled>' in body(page)) is not allowed

    card = Scorecard.objects.filter(assignment=assignment).first()
    answer = api(judge).put(
        f"/api/v1/assignments/{assignment.pk}/scorecard/",
        {"scores": _scores(assignment), "comment": "", "version": card.version if card else 0},
        format="json",
    )
    if allowed:
        assert answer.status_code == 200, answer.json()
    else:
        assert answer.status_code == 409
        assert answer.json()["error"]["message"] == reason
        assert answer.json()["error"]["code"] == reason.code


@pytest.mark.parametrize(
    ("role", "page_status", "api_status"),
    [("other judge", 404, 404), ("officer", 404, 404), ("office", 200, 403), ("observer", 200, 403)],
)
def test_nobody_else_scores_an_open_assignment(client, assigned, people, role, page_status, api_status):
    assignment = _own(assigned, people["judge"])
    _pledged(assignment)
    user = people[role]
    services.pledge_accept(judge=people["other judge"], competition=assigned.competition)

    assert people["judge"].has_perm("judging.score", assignment)
    assert not user.has_perm("judging.score", assignment)
    client.force_login(user)
    page = client.get(reverse("judging:assignment", args=[assignment.pk]))
    assert page.status_code == page_status
    if page_status == 200:
        assert scoring_config(page)["editable"] is False
        assert "只读" in body(page)
    answer = api(user).put(
        f"/api/v1/assignments/{assignment.pk}/scorecard/",
        {"scores": _scores(assignment), "comment": "", "version": 0},
        format="json",
    )
    assert answer.status_code == api_status
    assert not Scorecard.objects.filter(assignment=assignment).exists()


# --------------------------------------------------------------------------- unlocking a scorecard


@pytest.mark.parametrize(
    ("state", "expected"),
    [("submitted", True), ("draft", False), ("round closed", False)],
)
def test_unlocking_agrees(assigned, people, state, expected):
    office = people["office"]
    assignment = _own(assigned, people["judge"])
    if state == "draft":
        _pledged(assignment)
        services.scorecard_save(
            judge=assignment.judge, assignment=assignment, scores=_scores(assignment), comment="", version=0
        )
    else:
        _submit(assignment)
    if state == "round closed":
        Round.objects.filter(pk=assigned.pk).update(closed_at=timezone.now())
    assignment = Assignment.objects.select_related("round").get(pk=assignment.pk)

    assert office.has_perm("judging.unlock", assignment) is expected
    for reader in (people["observer"], people["judge"]):
        assert not reader.has_perm("judging.unlock", assignment)
    reason = refusals.unlock_refusal(assignment, office, timezone.now())
    url = f"/api/v1/assignments/{assignment.pk}/scorecard/unlock/"
    assert api(people["observer"]).post(url, {"reason": "重评"}, format="json").status_code == 403
    assert api(people["judge"]).post(url, {"reason": "重评"}, format="json").status_code == 403
    answer = api(office).post(url, {"reason": "重评"}, format="json")
    if expected:
        assert answer.status_code == 200 and answer.json()["status"] == "draft"
    else:
        assert answer.status_code == 409
        assert answer.json()["error"]["message"] == reason


# --------------------------------------------------------------------------- closing a round


@pytest.fixture
def two_rounds(office):
    competition = judging_competition(
        office,
        year=2034,
        rounds=[
            {"name": "初评", "method": "mean", "judges_per_nomination": 2, "advance_per_category": 2, "weight": "0.4"},
            {"name": "终评", "method": "mean", "judges_per_nomination": 2, "weight": "0.6"},
        ],
    )
    return list(competition.rounds.order_by("order"))


def _close_case(state, assigned, two_rounds):
    """The round to close in ``state``."""
    if state == "previous round open":
        return two_rounds[1]
    if state != "no scores":
        _submit(_own(assigned, Assignment.objects.filter(round=assigned).first().judge))
    if state == "closed":
        Round.objects.filter(pk=assigned.pk).update(closed_at=timezone.now())
    if state == "not in the judging phase":
        Competition.objects.filter(pk=assigned.competition_id).update(phase=Phase.REVIEWING)
    return Round.objects.select_related("competition").get(pk=assigned.pk)


CLOSE_STATES = {
    "ready": True,
    "no scores": False,
    "closed": False,
    "previous round open": False,
    "not in the judging phase": False,
}


@pytest.mark.parametrize("state", list(CLOSE_STATES))
def test_closing_a_round_agrees_for_the_office(client, assigned, two_rounds, people, state):
    office = people["office"]
    round_ = _close_case(state, assigned, two_rounds)
    expected = CLOSE_STATES[state]

    assert office.has_perm("judging.close", round_) is expected
    reason = refusals.close_refusal(round_, office, timezone.now())
    assert (reason is None) is expected

    client.force_login(office)
    ranking = reverse("judging:ranking", args=[round_.pk])
    page = client.get(ranking)
    assert page.status_code == 200
    assert ("结束本轮评审</button>" in body(page)) is expected
    if reason is not None and reason.code != "round_closed":
        assert str(reason) in body(page)  # the office is told why the round cannot be closed yet

    if expected:
        answer = client.post(reverse("judging:close", args=[round_.pk]), {"confirm": "on"}, follow=True)
        round_.refresh_from_db()
        assert round_.closed_at is not None
        assert "已结束，评分已锁定" in body(answer)
        # Once done, the API refuses it again with the refusal the permission now sees.
        again = refusals.close_refusal(round_, office, timezone.now())
        assert not office.has_perm("judging.close", round_)
        answer = api(office).post(f"/api/v1/rounds/{round_.pk}/close/")
        assert answer.status_code == 409 and answer.json()["error"]["message"] == again
    else:
        answer = api(office).post(f"/api/v1/rounds/{round_.pk}/close/")
        assert answer.status_code == 409
        assert answer.json()["error"]["message"] == reason
        assert answer.json()["error"]["code"] == reason.code
        posted = client.post(reverse("judging:close", args=[round_.pk]), {"confirm": "on"}, follow=True)
        assert str(reason) in body(posted)
        round_.refresh_from_db()
        assert (round_.closed_at is not None) is (state == "closed")


def test_closing_through_the_api_when_allowed(assigned, two_rounds, people):
    round_ = _close_case("ready", assigned, two_rounds)
    assert people["office"].has_perm("judging.close", round_)
    answer = api(people["office"]).post(f"/api/v1/rounds/{round_.pk}/close/")
    assert answer.status_code == 200 and answer.json()["status"] == "official"


@pytest.mark.parametrize(
    ("role", "page_status", "post_status", "api_status"),
    [("observer", 200, 403, 403), ("judge", 404, 404, 404), ("officer", 404, 404, 404)],
)
def test_nobody_but_the_office_closes_a_round(client, assigned, two_rounds, people, role, page_status, post_status, api_status):
    round_ = _close_case("ready", assigned, two_rounds)
    user = people[role]
    assert people["office"].has_perm("judging.close", round_)
    assert not user.has_perm("judging.close", round_)
    client.force_login(user)
    page = client.get(reverse("judging:ranking", args=[round_.pk]))
    assert page.status_code == page_status
    assert "结束本轮评审</button>" not in body(page)
    assert client.post(reverse("judging:close", args=[round_.pk]), {"confirm": "on"}).status_code == post_status
    assert api(user).post(f"/api/v1/rounds/{round_.pk}/close/").status_code == api_status
    round_.refresh_from_db()
    assert round_.closed_at is None


# --------------------------------------------------------------------------- reminding judges


@pytest.mark.parametrize(("state", "expected"), [("open", True), ("closed", False)])
def test_reminding_agrees(client, assigned, people, state, expected):
    office = people["office"]
    if state == "closed":
        Round.objects.filter(pk=assigned.pk).update(closed_at=timezone.now())
    round_ = Round.objects.select_related("competition").get(pk=assigned.pk)

    assert office.has_perm("judging.remind", round_) is expected
    assert not people["observer"].has_perm("judging.remind", round_)
    reason = refusals.remind_refusal(round_, office, timezone.now())
    progress = reverse("judging:progress", args=[round_.pk])
    client.force_login(office)
    assert ('id="remind-all"' in body(client.get(progress))) is expected
    answer = client.post(reverse("judging:remind", args=[round_.pk]), follow=True)
    if expected:
        assert "已向" in body(answer) and "发送评分提醒" in body(answer)
    else:
        assert str(reason) in body(answer)

    client.force_login(people["observer"])
    assert 'id="remind-all"' not in body(client.get(progress))
    assert client.post(reverse("judging:remind", args=[round_.pk])).status_code == 403


# --------------------------------------------------------------------------- 公示, finalisation, objections


@pytest.mark.parametrize("state", ["rounds closed", "a round open", "not in the judging phase"])
def test_publishing_agrees(assigned, people, state):
    office = people["office"]
    competition = assigned.competition
    _submit(_own(assigned, Assignment.objects.filter(round=assigned).first().judge))
    if state == "rounds closed":
        services.round_close(actor=office, round_=assigned)
    if state == "not in the judging phase":
        Competition.objects.filter(pk=competition.pk).update(phase=Phase.REVIEWING)
    competition.refresh_from_db()
    expected = state == "rounds closed"

    assert office.has_perm("judging.publish_publicity", competition) is expected
    assert not people["observer"].has_perm("judging.publish_publicity", competition)
    reason = refusals.publish_refusal(competition, office, timezone.now())
    url = f"/api/v1/competitions/{competition.pk}/publicity/"
    assert api(people["observer"]).post(url, {}, format="json").status_code == 403
    answer = api(office).post(url, {}, format="json")
    if expected:
        assert answer.status_code == 200
        competition.refresh_from_db()
        assert competition.phase == Phase.PUBLICITY
        # In 公示: finalising waits for its end, and the permission says the same as the API.
        finalize_reason = refusals.finalize_refusal(competition, office, timezone.now())
        assert finalize_reason is not None
        assert not office.has_perm("judging.finalize_awards", competition)
        answer = api(office).post(f"/api/v1/competitions/{competition.pk}/finalize/")
        assert answer.status_code == 409 and answer.json()["error"]["message"] == finalize_reason
    else:
        assert answer.status_code == 409
        assert answer.json()["error"]["message"] == reason
        assert answer.json()["error"]["code"] == reason.code


def test_finalising_outside_the_publicity_agrees(assigned, people):
    office = people["office"]
    competition = assigned.competition
    reason = refusals.finalize_refusal(competition, office, timezone.now())
    assert reason is not None and not office.has_perm("judging.finalize_awards", competition)
    answer = api(office).post(f"/api/v1/competitions/{competition.pk}/finalize/")
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == reason
    assert answer.json()["error"]["code"] == reason.code


def test_handling_an_objection_agrees(assigned, people):
    office = people["office"]
    competition = assigned.competition
    _submit(_own(assigned, Assignment.objects.filter(round=assigned).first().judge))
    services.round_close(actor=office, round_=assigned)
    services.publicity_publish(actor=office, competition=competition, working_days=5)
    award = competition.awards.first()
    objection = Objection.objects.create(
        competition=competition, nomination_id=award.nomination_id, name="张三", phone="13800000000", content="对该对象的事迹有异议。"
    )
    objection = Objection.objects.select_related("competition").get(pk=objection.pk)  # the competition in 公示
    url = f"/api/v1/objections/{objection.pk}/resolve/"
    decision = {"decision": "dismissed", "reason": "经核实，异议不成立。"}

    assert office.has_perm("judging.handle_objection", objection)
    assert not people["observer"].has_perm("judging.handle_objection", objection)
    assert api(people["observer"]).post(url, decision, format="json").status_code == 403
    assert api(office).post(url, decision, format="json").status_code == 200

    objection.refresh_from_db()
    reason = refusals.objection_refusal(objection, office, timezone.now())
    assert reason == "该异议已处理。"
    assert not office.has_perm("judging.handle_objection", objection)
    for again in (url, f"/api/v1/objections/{objection.pk}/spam/"):
        answer = api(office).post(again, decision, format="json")
        assert answer.status_code == 409 and answer.json()["error"]["message"] == reason
