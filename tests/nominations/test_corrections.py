"""Correction during 资格审查 (issue 14): a return's 补正截止, correcting after the deadline,
the step to judging held while a correction period is open, lapsing, reopening a decision."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from competition import services as competition_services
from competition.enums import Phase
from competition.exceptions import Conflict, ValidationFailed
from competition.models import AuditEntry, Competition
from competition.workdays import working_days_after
from nominations import corrections, services
from nominations.enums import Status
from nominations.models import Nomination
from nominations.tasks import lapse_overdue
from notifications.enums import Event
from notifications.models import Notification
from tests.nominations.conftest import api, attach_required, make_nomination

pytestmark = pytest.mark.django_db


def _at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


def _after_deadline(competition: Competition) -> dt.datetime:
    """A working morning after the nominations closed (the clock of the 资格审查)."""
    local = timezone.localtime(competition.nominations_close) + dt.timedelta(days=1)
    while local.weekday() >= 5:
        local += dt.timedelta(days=1)
    return local.replace(hour=9, minute=0, second=0, microsecond=0)


def _to_reviewing(office, competition: Competition) -> Competition:
    return competition_services.competition_advance(actor=office, competition=competition, to=Phase.REVIEWING)


@pytest.fixture
def second(officer, competition, project_category) -> Nomination:
    """Another submitted nomination of the unit (so that one can be accepted)."""
    nomination = make_nomination(officer, competition, project_category, order=2, title="第二个项目")
    attach_required(nomination)
    return services.nomination_submit(actor=officer, nomination=nomination)


# --------------------------------------------------------------------------- the 补正截止


def test_five_working_days_skip_weekends_holidays_and_count_make_up_days():
    friday = dt.date(2023, 9, 22)
    assert working_days_after(friday, 5) == dt.date(2023, 9, 29)
    # 中秋、国庆 2023: 9-29 to 10-6 off, Saturday 10-7 and Sunday 10-8 worked.
    holidays = ["2023-09-29", "2023-09-30"] + [f"2023-10-0{d}" for d in range(1, 7)]
    assert working_days_after(dt.date(2023, 9, 26), 5, holidays, ["2023-10-07", "2023-10-08"]) == dt.date(
        2023, 10, 9
    )


def test_a_return_defaults_to_five_working_days_on_the_competitions_calendar(office, submitted, competition):
    now = _after_deadline(competition)
    today = timezone.localdate(now)
    # A holiday on the next working day pushes the default one working day further.
    holiday = working_days_after(today, 1)
    Competition.objects.filter(pk=competition.pk).update(holidays=[holiday.isoformat()])
    with _at(now):
        _to_reviewing(office, competition)
        returned = services.nomination_review(
            actor=office, nomination=submitted, decision="return", reason="请补充服务时长证明。"
        )
    assert returned.status == Status.RETURNED
    assert returned.correct_by == working_days_after(today, 5, [holiday.isoformat()])
    assert returned.correct_by == working_days_after(today, 6)
    entry = AuditEntry.objects.get(action="nomination.review.return", object_id=str(submitted.pk))
    assert entry.after["correct_by"] == returned.correct_by.isoformat()
    assert entry.reason == "请补充服务时长证明。"
    told = Notification.objects.get(event=Event.NOMINATION_RETURNED, object_id=str(submitted.pk))
    day = returned.correct_by
    assert f"{day.year}年{day.month}月{day.day}日" in told.body


def test_a_correct_by_in_the_past_or_on_an_accept_is_refused_and_changes_nothing(office, submitted, competition):
    now = _after_deadline(competition)
    with _at(now):
        _to_reviewing(office, competition)
        yesterday = timezone.localdate(now) - dt.timedelta(days=1)
        with pytest.raises(ValidationFailed) as exc:
            services.nomination_review(
                actor=office, nomination=submitted, decision="return", reason="请补充", correct_by=yesterday
            )
        assert exc.value.fields["correct_by"][0].startswith("补正截止：不能早于今天")
        with pytest.raises(ValidationFailed) as exc:
            services.nomination_review(
                actor=office, nomination=submitted, decision="accept", correct_by=timezone.localdate(now)
            )
        assert "补正截止" in exc.value.fields["correct_by"][0]
    nomination = Nomination.objects.get(pk=submitted.pk)
    assert (nomination.status, nomination.correct_by, nomination.version) == (
        Status.SUBMITTED,
        None,
        submitted.version,
    )


# --------------------------------------------------------------------------- correcting after the deadline


def test_the_unit_corrects_and_resubmits_after_the_deadline_until_its_correct_by(
    officer, office, submitted, competition
):
    now = _after_deadline(competition)
    correct_by = timezone.localdate(now) + dt.timedelta(days=2)
    with _at(now):
        _to_reviewing(office, competition)
        services.nomination_review(
            actor=office, nomination=submitted, decision="return", reason="请补充", correct_by=correct_by
        )
    # The last minute of the 补正截止 day (local time) is still inside the period.
    last_minute = corrections.correction_deadline(correct_by)
    with _at(last_minute):
        updated = services.nomination_update(actor=officer, nomination=submitted, data={"service_hours": 120000})
        assert updated.service_hours == 120000
        resubmitted = services.nomination_submit(actor=officer, nomination=submitted)
    assert resubmitted.status == Status.SUBMITTED
    # Back in the office's queue, and the office accepts it.
    with _at(last_minute):
        queue = api(office).get(f"/api/v1/nominations/?competition={competition.pk}&status=submitted").json()
        assert [row["id"] for row in queue["results"]] == [submitted.pk]
        accepted = services.nomination_review(actor=office, nomination=submitted, decision="accept")
    assert accepted.status == Status.ACCEPTED
    assert accepted.correct_by is None


def test_after_the_correct_by_the_unit_may_no_longer_correct(officer, office, submitted, competition):
    now = _after_deadline(competition)
    correct_by = timezone.localdate(now)
    with _at(now):
        _to_reviewing(office, competition)
        services.nomination_review(
            actor=office, nomination=submitted, decision="return", reason="请补充", correct_by=correct_by
        )
    with _at(corrections.correction_deadline(correct_by) + dt.timedelta(minutes=2)):
        with pytest.raises(Conflict) as exc:
            services.nomination_update(actor=officer, nomination=submitted, data={"service_hours": 1})
        assert exc.value.code == "correction_closed"
        assert str(correct_by) in exc.value.message
        response = api(officer).post(f"/api/v1/nominations/{submitted.pk}/submit/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "correction_closed"
    assert Nomination.objects.get(pk=submitted.pk).status == Status.RETURNED


# --------------------------------------------------------------------------- the step to judging


def test_the_step_to_judging_waits_for_an_open_correction_period(office, submitted, second, competition):
    now = _after_deadline(competition)
    correct_by = timezone.localdate(now) + dt.timedelta(days=3)
    with _at(now):
        _to_reviewing(office, competition)
        services.nomination_review(actor=office, nomination=second, decision="accept")
        services.nomination_review(
            actor=office, nomination=submitted, decision="return", reason="请补充", correct_by=correct_by
        )
        with pytest.raises(Conflict) as exc:
            competition_services.competition_advance(actor=office, competition=competition, to=Phase.JUDGING)
        response = api(office).post(
            f"/api/v1/competitions/{competition.pk}/advance/", {"to": "judging"}, format="json"
        )
    assert "补正期内" in exc.value.message
    assert f"“{submitted.title}”（补正截止 {correct_by:%Y-%m-%d}）" in exc.value.message
    assert response.status_code == 409
    assert f"补正截止 {correct_by:%Y-%m-%d}" in response.json()["error"]["message"]
    assert Competition.objects.get(pk=competition.pk).phase == Phase.REVIEWING
    assert Nomination.objects.get(pk=submitted.pk).status == Status.RETURNED


def test_the_step_to_judging_lapses_the_overdue_first_and_tells_the_unit(
    officer, office, submitted, second, competition
):
    now = _after_deadline(competition)
    correct_by = timezone.localdate(now)
    with _at(now):
        _to_reviewing(office, competition)
        services.nomination_review(actor=office, nomination=second, decision="accept")
        services.nomination_review(
            actor=office, nomination=submitted, decision="return", reason="请补充", correct_by=correct_by
        )
    with _at(corrections.correction_deadline(correct_by) + dt.timedelta(hours=10)):
        competition_services.competition_advance(actor=office, competition=competition, to=Phase.JUDGING)
        data = api(officer).get(f"/api/v1/nominations/{submitted.pk}/").json()
    assert Competition.objects.get(pk=competition.pk).phase == Phase.JUDGING
    lapsed = Nomination.objects.get(pk=submitted.pk)
    assert lapsed.status == Status.LAPSED
    assert (data["status"], data["status_display"], data["lapsed"]) == ("lapsed", "已逾期未更正", True)
    assert data["correct_by"] == correct_by.isoformat()
    entry = AuditEntry.objects.get(action="nomination.lapse", object_id=str(submitted.pk))
    assert (entry.before["status"], entry.after["status"]) == ("returned", "lapsed")
    assert entry.actor == office
    told = Notification.objects.get(recipient=officer, event=Event.NOMINATION_LAPSED)
    assert told.title.startswith("【逾期失效】")
    assert str(submitted.pk) in told.url


def test_the_periodic_task_lapses_once_and_only_the_overdue(officer, office, submitted, second, competition):
    now = _after_deadline(competition)
    today = timezone.localdate(now)
    with _at(now):
        _to_reviewing(office, competition)
        services.nomination_review(
            actor=office, nomination=submitted, decision="return", reason="请补充", correct_by=today
        )
        services.nomination_review(
            actor=office, nomination=second, decision="return", reason="请补充",
            correct_by=today + dt.timedelta(days=5),
        )
        assert lapse_overdue() == 0  # nothing is overdue yet
    with _at(corrections.correction_deadline(today) + dt.timedelta(days=1)):
        assert lapse_overdue() == 1
        assert lapse_overdue() == 0  # twice: nothing more
        call_command("lapse_overdue", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Nomination.objects.get(pk=submitted.pk).status == Status.LAPSED
    assert Nomination.objects.get(pk=second.pk).status == Status.RETURNED
    assert AuditEntry.objects.filter(action="nomination.lapse").count() == 1
    assert Notification.objects.filter(event=Event.NOMINATION_LAPSED).count() == 1
    # Its system audit entry has no actor.
    assert AuditEntry.objects.get(action="nomination.lapse").actor is None


def test_a_return_while_the_window_is_open_does_not_lapse_before_the_window_closes(
    officer, office, submitted, competition
):
    """During 申报 the window's close is the later deadline: the unit keeps it."""
    today = timezone.localdate()
    services.nomination_review(
        actor=office, nomination=submitted, decision="return", reason="请补充", correct_by=today
    )
    with _at(corrections.correction_deadline(today) + dt.timedelta(days=1)):
        assert lapse_overdue() == 0
        services.nomination_update(actor=officer, nomination=submitted, data={"service_hours": 5})
    assert Nomination.objects.get(pk=submitted.pk).status == Status.RETURNED


# --------------------------------------------------------------------------- reopening


@pytest.mark.parametrize("decision", ["accept", "reject", "return"])
def test_the_office_reopens_a_decision_with_a_reason_before_judging(office, submitted, competition, decision):
    now = _after_deadline(competition)
    with _at(now):
        _to_reviewing(office, competition)
        services.nomination_review(actor=office, nomination=submitted, decision=decision, reason="理由")
        response = api(office).post(
            f"/api/v1/nominations/{submitted.pk}/review/", {"decision": "reopen", "reason": "材料已核实，重新审查。"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["correct_by"], data["lapsed"]) == ("submitted", None, False)
    entry = AuditEntry.objects.get(action="nomination.review.reopen", object_id=str(submitted.pk))
    assert entry.reason == "材料已核实，重新审查。"
    assert entry.after["status"] == "submitted"


def test_reopening_needs_a_reason_and_is_refused_once_judging_started(office, submitted, second, competition):
    now = _after_deadline(competition)
    with _at(now):
        _to_reviewing(office, competition)
        services.nomination_review(actor=office, nomination=submitted, decision="accept")
        services.nomination_review(actor=office, nomination=second, decision="reject", reason="不符合条件")
        response = api(office).post(f"/api/v1/nominations/{submitted.pk}/review/", {"decision": "reopen"}, format="json")
        assert response.status_code == 400
        assert "reason" in response.json()["error"]["fields"]
        competition_services.competition_advance(actor=office, competition=competition, to=Phase.JUDGING)
        response = api(office).post(
            f"/api/v1/nominations/{second.pk}/review/", {"decision": "reopen", "reason": "重新审查"}, format="json"
        )
    assert response.status_code == 409
    assert "评审已开始" in response.json()["error"]["message"]
    assert Nomination.objects.get(pk=second.pk).status == Status.REJECTED


def test_the_api_return_takes_correct_by_and_shows_it(office, officer, submitted, competition):
    now = _after_deadline(competition)
    correct_by = timezone.localdate(now) + dt.timedelta(days=4)
    with _at(now):
        _to_reviewing(office, competition)
        response = api(office).post(
            f"/api/v1/nominations/{submitted.pk}/review/",
            {"decision": "return", "reason": "请补充", "correct_by": correct_by.isoformat()},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["correct_by"] == correct_by.isoformat()
        mine = api(officer).get(f"/api/v1/nominations/{submitted.pk}/").json()
        assert (mine["correct_by"], mine["lapsed"], mine["review_reason"]) == (correct_by.isoformat(), False, "请补充")
        # The unit cannot set it.
        forced = api(officer).patch(f"/api/v1/nominations/{submitted.pk}/", {"correct_by": "2999-01-01"}, format="json")
        assert forced.status_code == 400
        bad = api(office).post(
            f"/api/v1/nominations/{submitted.pk}/review/",
            {"decision": "return", "reason": "x", "correct_by": "下周"},
            format="json",
        )
    assert bad.status_code == 400
    assert "correct_by" in bad.json()["error"]["fields"]


# --------------------------------------------------------------------------- the pages


def test_the_pages_return_with_a_date_reopen_and_hold_the_step_to_judging(
    client, office, officer, submitted, second, competition
):
    from django.urls import reverse

    now = _after_deadline(competition)
    correct_by = timezone.localdate(now) + dt.timedelta(days=2)
    with _at(now):
        _to_reviewing(office, competition)
        client.force_login(office)
        page = client.get(reverse("nominations:detail", args=[submitted.pk])).content.decode()
        default = corrections.default_correct_by(competition, today=timezone.localdate(now))
        field = page.split('id="correct-by-return"', 1)[1].split(">", 1)[0]
        assert 'name="correct_by"' in field
        assert f'value="{default:%Y-%m-%d}"' in field
        assert f'min="{timezone.localdate(now):%Y-%m-%d}"' in field
        bad = client.post(
            reverse("nominations:review-decision", args=[submitted.pk]),
            {"decision": "return", "reason": "请补充", "correct_by": "2000-01-01"},
        )
        assert bad.status_code == 400
        assert "补正截止：不能早于今天" in bad.content.decode()
        client.post(
            reverse("nominations:review-decision", args=[submitted.pk]),
            {"decision": "return", "reason": "请补充", "correct_by": correct_by.isoformat()},
        )
        assert Nomination.objects.get(pk=submitted.pk).correct_by == correct_by
        services.nomination_review(actor=office, nomination=second, decision="accept")
        queue = client.get(reverse("nominations:review") + f"?competition={competition.pk}")
        assert f"补正截止 {correct_by:%Y-%m-%d}" in queue.content.decode()
        step = client.post(reverse("nominations:start-judging", args=[competition.pk]), follow=True)
        assert f"补正截止 {correct_by:%Y-%m-%d}" in step.content.decode()
        assert "补正期内" in step.content.decode()
        assert Competition.objects.get(pk=competition.pk).phase == Phase.REVIEWING
        # Reopen the accepted one: a reason is required, then it is submitted again.
        empty = client.post(reverse("nominations:reopen", args=[second.pk]), {"reason": " "})
        assert empty.status_code == 400
        assert Nomination.objects.get(pk=second.pk).status == Status.ACCEPTED
        client.post(reverse("nominations:reopen", args=[second.pk]), {"reason": "重新核对材料"})
        assert Nomination.objects.get(pk=second.pk).status == Status.SUBMITTED
        client.force_login(officer)
        mine = client.get(reverse("nominations:index")).content.decode()
        assert f"补正截止 {correct_by:%Y-%m-%d}" in mine
        assert "修改并重新提交" in mine


def test_the_guard_itself_refuses_an_overdue_return_not_yet_lapsed(office, submitted, competition):
    """Even without the preparation (which lapses first), no returned nomination drops out silently."""
    now = _after_deadline(competition)
    with _at(now):
        _to_reviewing(office, competition)
        services.nomination_review(
            actor=office, nomination=submitted, decision="return", reason="请补充", correct_by=timezone.localdate(now)
        )
    later = corrections.correction_deadline(timezone.localdate(now)) + dt.timedelta(hours=1)
    reason = corrections.correction_guard(Competition.objects.get(pk=competition.pk), later)
    assert reason == f"以下退回修改的推荐补正期已过，但尚未标记为“已逾期未更正”，请稍后重试：“{submitted.title}”。"
