"""The phase machine: one step at a time, guards that say why, one audit entry per step."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine

from competition import phases, services
from competition.enums import PHASE_ORDER, Phase
from competition.exceptions import Conflict
from competition.models import AuditEntry, Competition
from tests.factories import DEFAULT_ROUNDS, api_client, competition_factory

from .utils import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def foundation_guards(monkeypatch):
    """Only the guards this app registers, for tests that walk the whole machine.

    Apps to the right add guards of their own (e.g. nominations: no judging
    without accepted nominations); their tests cover those. The registry is
    restored after the test.
    """
    own = defaultdict(list)
    for key, guards in phases._guards.items():
        own[key] = [g for g in guards if g.__module__ == phases.__name__]
    monkeypatch.setattr(phases, "_guards", own)
    return own


def advance(client, competition, to, **extra):
    return client.post(
        f"/api/v1/competitions/{competition.pk}/advance/", {"to": to}, format="json", **extra
    )


def assert_refused(response, competition, phase_before, *fragments):
    error = assert_error(response, 409, "phase_guard_failed")
    for fragment in fragments:
        assert fragment in error["message"], error["message"]
    competition.refresh_from_db()
    assert competition.phase == phase_before
    assert not AuditEntry.objects.filter(action="competition.advance").exists()
    return error


def test_advance_draft_to_nominating_writes_one_audit_entry(office, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # the request id is the proxy's
    competition = competition_factory()
    client = api_client(office, REMOTE_ADDR="203.0.113.9")
    before = AuditEntry.objects.count()

    response = advance(client, competition, "nominating", HTTP_X_REQUEST_ID="req-advance-1")

    assert response.status_code == 200, response.json()
    assert response.json()["phase"] == "nominating"
    competition.refresh_from_db()
    assert competition.phase == Phase.NOMINATING
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.get(action="competition.advance")
    assert entry.actor == office
    assert entry.actor_role == "office"
    assert entry.object_type == "competition.competition"
    assert entry.object_id == str(competition.pk)
    assert entry.before == {"phase": "draft"}
    assert entry.after == {"phase": "nominating"}
    assert entry.request_id == "req-advance-1"
    assert entry.client_address == "203.0.113.9"
    assert response["X-Request-ID"] == "req-advance-1"


def test_advance_records_the_reason_given(office_api):
    competition = competition_factory()
    response = office_api.post(
        f"/api/v1/competitions/{competition.pk}/advance/",
        {"to": "nominating", "reason": "市文明办会议决定开始申报"},
        format="json",
    )
    assert response.status_code == 200
    assert AuditEntry.objects.get(action="competition.advance").reason == "市文明办会议决定开始申报"


def test_advance_generates_a_request_id_when_the_client_sends_none_or_a_bad_one(office_api):
    competition = competition_factory()
    response = advance(office_api, competition, "nominating", HTTP_X_REQUEST_ID="bad id; drop")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="competition.advance")
    assert entry.request_id and entry.request_id != "bad id; drop"
    assert response["X-Request-ID"] == entry.request_id


def test_advance_walks_every_phase_to_archived_one_entry_each(office, foundation_guards):
    start = dt.datetime(2031, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        competition = competition_factory()
        assert advance(api_client(office), competition, "nominating").status_code == 200
        traveller.move_to(competition.nominations_close + dt.timedelta(minutes=1))
        client = api_client(office)  # a fresh token: the first one expired meanwhile
        for to in PHASE_ORDER[2:]:
            response = advance(client, competition, to)
            assert response.status_code == 200, (to, response.json())
    entries = list(AuditEntry.objects.filter(action="competition.advance").order_by("id"))
    assert [(e.before["phase"], e.after["phase"]) for e in entries] == list(
        zip(PHASE_ORDER, PHASE_ORDER[1:], strict=False)
    )
    assert {e.actor_id for e in entries} == {office.pk}


@pytest.mark.parametrize(
    ("phase", "to"),
    [
        (Phase.DRAFT, Phase.REVIEWING),
        (Phase.DRAFT, Phase.ARCHIVED),
        (Phase.NOMINATING, Phase.JUDGING),
        (Phase.REVIEWING, Phase.FINAL),
    ],
)
def test_advance_skipping_a_phase_is_refused_naming_the_next_one(office_api, phase, to):
    competition = competition_factory(phase=phase)
    expected_next = PHASE_ORDER[PHASE_ORDER.index(phase) + 1]
    assert_refused(
        advance(office_api, competition, to),
        competition,
        phase,
        Phase(phase).label,
        Phase(expected_next).label,
        Phase(to).label,
    )


@pytest.mark.parametrize(
    ("phase", "to"),
    [
        (Phase.NOMINATING, Phase.DRAFT),
        (Phase.JUDGING, Phase.REVIEWING),
        (Phase.FINAL, Phase.PUBLICITY),
    ],
)
def test_advance_going_backwards_is_refused(office_api, phase, to):
    competition = competition_factory(phase=phase)
    assert_refused(advance(office_api, competition, to), competition, phase, Phase(to).label)


def test_advance_to_the_current_phase_is_refused(office_api):
    competition = competition_factory(phase=Phase.JUDGING)
    assert_refused(advance(office_api, competition, "judging"), competition, Phase.JUDGING, "评审")


def test_advance_past_archived_is_refused_as_the_last_phase(office_api):
    competition = competition_factory(phase=Phase.ARCHIVED)
    assert_refused(
        advance(office_api, competition, "archived"), competition, Phase.ARCHIVED, "最后阶段"
    )


def test_advance_to_an_unknown_phase_is_a_field_error(office_api):
    competition = competition_factory()
    error = assert_error(advance(office_api, competition, "closed"), 400, "validation_failed")
    assert error["fields"]["to"][0].startswith("目标阶段：")
    competition.refresh_from_db()
    assert competition.phase == Phase.DRAFT


@pytest.mark.parametrize(
    ("rubric", "total"),
    [
        ([("项目设计", 15, ""), ("社会效益", 25, "")], "40"),
        ([("项目设计", 60, ""), ("社会效益", 45, "")], "105"),
        ([("项目设计", 50, ""), ("社会效益", 24.5, "", 2)], "99"),
    ],
)
def test_advance_from_draft_refused_when_a_rubric_does_not_total_100(office_api, rubric, total):
    competition = competition_factory()
    # The third category gets the wrong rubric; the others total 100.
    category = competition.categories.get(code="ZYZ")
    category.criteria.all().delete()
    for i, (name, points, guidance, *weight) in enumerate(rubric, start=1):
        category.criteria.create(
            name=name,
            max_points=Decimal(str(points)),
            weight=Decimal(str(weight[0] if weight else 1)),
            guidance=guidance,
            order=i,
        )
    error = assert_refused(
        advance(office_api, competition, "nominating"), competition, Phase.DRAFT, "最美志愿者"
    )
    assert f"合计 {total} 分" in error["message"]
    assert "100" in error["message"]


def test_advance_from_draft_counts_points_times_weight(office_api):
    competition = competition_factory(
        categories=[("XM", "最佳志愿服务项目", "project", 10, 3)],
        rubric=[("项目设计", 20, "", 2), ("社会效益", 30, "", 2)],
    )
    assert phases.rubric_total(competition.categories.get()) == Decimal("100")
    assert advance(office_api, competition, "nominating").status_code == 200


def test_advance_from_draft_refused_without_categories(office_api):
    competition = competition_factory(categories=[])
    assert_refused(advance(office_api, competition, "nominating"), competition, Phase.DRAFT, "奖项")


def test_advance_from_draft_refused_when_round_weights_do_not_sum_to_one(office_api):
    rounds = [DEFAULT_ROUNDS[0], ("终评", Decimal("0.5"), 7, None, False, True)]
    competition = competition_factory(rounds=rounds)
    error = assert_refused(
        advance(office_api, competition, "nominating"), competition, Phase.DRAFT, "权重"
    )
    assert "0.9" in error["message"]


def test_advance_from_draft_refused_without_rounds(office_api):
    competition = competition_factory(rounds=[])
    assert_refused(
        advance(office_api, competition, "nominating"), competition, Phase.DRAFT, "评审轮次"
    )


def test_advance_from_draft_refused_after_nominations_close(office):
    competition = competition_factory()
    with time_machine.travel(competition.nominations_close + dt.timedelta(seconds=1), tick=False):
        assert_refused(
            advance(api_client(office), competition, "nominating"),
            competition,
            Phase.DRAFT,
            "申报截止时间已过",
        )


def test_advance_nominating_to_reviewing_refused_before_the_window_closes(
    office, foundation_guards
):
    competition = competition_factory(phase=Phase.NOMINATING)
    with time_machine.travel(competition.nominations_close - dt.timedelta(seconds=1), tick=False):
        client = api_client(office)
        error = assert_refused(
            advance(client, competition, "reviewing"), competition, Phase.NOMINATING, "申报尚未截止"
        )
    # The deadline is shown in Taiyuan's time.
    local = competition.nominations_close.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert local.strftime("%Y-%m-%d %H:%M") in error["message"]
    with time_machine.travel(competition.nominations_close, tick=False):
        assert advance(client, competition, "reviewing").status_code == 200


def test_competition_advance_service_refusal_changes_nothing(office):
    competition = competition_factory(rounds=[])
    with pytest.raises(Conflict) as refused:
        services.competition_advance(actor=office, competition=competition, to=Phase.NOMINATING)
    assert refused.value.status_code == 409
    assert "评审轮次" in refused.value.message
    assert Competition.objects.get(pk=competition.pk).phase == Phase.DRAFT
    assert not AuditEntry.objects.exists()


def test_register_guard_adds_a_refusal_of_another_app(office, foundation_guards):
    competition = competition_factory(phase=Phase.PUBLICITY)
    client = api_client(office)

    def objections_open(comp, now):
        return "尚有 2 件异议未处理。"

    phases.register_guard(Phase.PUBLICITY, Phase.FINAL, objections_open)
    phases.register_guard(Phase.PUBLICITY, Phase.FINAL, objections_open)  # once only
    assert foundation_guards[(Phase.PUBLICITY, Phase.FINAL)] == [objections_open]
    assert_refused(
        advance(client, competition, "final"), competition, Phase.PUBLICITY, "尚有 2 件异议未处理"
    )
