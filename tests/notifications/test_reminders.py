"""The beat reminders: before the nominations deadline (3 days, 1 day), the scoring
deadline (2 days, 1 day) and the end of the 公示 (the day before, with open objections).
Run twice on the same day, they send once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from competition.enums import Role
from competition.models import Unit
from judging import services as judging_services
from judging.models import Publicity
from notifications import services
from notifications.enums import Channel, Event
from notifications.models import Delivery, Notification
from tests.judging.conftest import accepted, judging_competition

from .conftest import (
    account,
    judge_account,
    nominating_competition,
    publicity_world,
    submitted_nomination,
)

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def run_twice(capture) -> None:
    for _ in range(2):
        with capture(execute=True):
            services.periodic_run()


def reminders_to(smtp, address: str) -> list:
    return [m for m in smtp.to(address) if "评分提醒" in m["Subject"]]


def reminded(event: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n in Notification.objects.filter(event=event).select_related("recipient").order_by("pk"):
        out.setdefault(n.recipient.username, []).append(n.key)
    return out


@pytest.fixture
def nominating(db, smtp):
    """Close at 2030-03-11 10:00: unit 小店区 has a draft, 迎泽区 submitted everything, 杏花岭区 nothing."""
    with time_machine.travel(at(2030, 3, 1, 10, 0), tick=False):
        office = account("n-office", Role.OFFICE)
        competition = nominating_competition(office, closes_in=dt.timedelta(days=10))
        draft_unit, done_unit, idle_unit = (Unit.objects.get(code=c) for c in ("140105", "140106", "140107"))
        draft_officer = account("n-unit-a", Role.OFFICER, unit=draft_unit, email="a@example.org")
        done_officer = account("n-unit-b", Role.OFFICER, unit=done_unit, email="b@example.org")
        idle_officer = account("n-unit-c", Role.OFFICER, unit=idle_unit, email="c@example.org")
        from tests.nominations.conftest import make_nomination

        make_nomination(draft_officer, competition, competition.categories.get(code="XM"), title="草稿项目")
        submitted_nomination(done_officer, competition, title="已交项目")
    return competition, draft_officer, done_officer, idle_officer


def test_nominations_closing_reminds_units_with_work_left_once_per_threshold(
    nominating, smtp, django_capture_on_commit_callbacks
):
    competition, draft_officer, done_officer, idle_officer = nominating
    close = services.deadline_key(competition.nominations_close, 0)[:-3]

    with time_machine.travel(at(2030, 3, 5, 9, 0), tick=False):  # six days left: nothing yet
        run_twice(django_capture_on_commit_callbacks)
    assert reminded(Event.NOMINATIONS_CLOSING) == {}

    with time_machine.travel(at(2030, 3, 8, 11, 0), tick=False):  # 2 days 23 hours left
        run_twice(django_capture_on_commit_callbacks)
    with time_machine.travel(at(2030, 3, 8, 22, 0), tick=False):  # the same day again
        run_twice(django_capture_on_commit_callbacks)
    assert reminded(Event.NOMINATIONS_CLOSING) == {"n-unit-a": [f"{close}:3d"], "n-unit-c": [f"{close}:3d"]}
    assert len(smtp.to("a@example.org")) == len(smtp.to("c@example.org")) == 1
    assert smtp.to("b@example.org") == []
    mail = smtp.to("a@example.org")[0]
    assert mail["Subject"].strip() == "【申报提醒】2030年度推荐申报将于2030年3月11日 10:00截止"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "1 份草稿未提交" in body and "尚未提交任何推荐" in body
    assert "https://awards.example.org/nominations/" in body
    idle = Notification.objects.get(recipient=idle_officer)
    assert "尚未提交任何推荐" in idle.body and "还剩约 2 天" in idle.body

    with time_machine.travel(at(2030, 3, 10, 12, 0), tick=False):  # 22 hours left
        run_twice(django_capture_on_commit_callbacks)
    assert reminded(Event.NOMINATIONS_CLOSING) == {
        "n-unit-a": [f"{close}:3d", f"{close}:1d"],
        "n-unit-c": [f"{close}:3d", f"{close}:1d"],
    }
    assert len(smtp.to("a@example.org")) == 2

    with time_machine.travel(at(2030, 3, 11, 12, 0), tick=False):  # closed
        run_twice(django_capture_on_commit_callbacks)
    assert Notification.objects.filter(event=Event.NOMINATIONS_CLOSING).count() == 4
    assert len(smtp.messages) == 4


def test_the_management_command_runs_the_same_job(nominating, smtp, capsys, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2030, 3, 10, 12, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders")
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders")
    out = capsys.readouterr().out
    assert "已发出提醒 2 条" in out and "已发出提醒 0 条" in out
    assert len(smtp.messages) == 2


@pytest.fixture
def scoring(db, smtp):
    """Round 初评 with its deadline at 2031-05-20 18:00: judge A has two open cards, judge B submitted."""
    with time_machine.travel(at(2031, 5, 10, 9, 0), tick=False):
        office = account("n-office", Role.OFFICE)
        competition = judging_competition(office, year=2031, judges_per_nomination=1)
        round_ = competition.rounds.get(order=1)
        round_.deadline = at(2031, 5, 20, 18, 0)
        round_.save(update_fields=["deadline"])
        xm = competition.categories.get(code="XM")
        units = list(Unit.objects.order_by("order")[:3])
        noms = [accepted(competition, xm, u)[0] for u in units]
        judge_a = judge_account("n-judge-a", email="judge-a@example.org")
        judge_b = judge_account("n-judge-b", email="judge-b@example.org")
        for n in noms[:2]:
            judging_services.assignment_add(actor=office, round_=round_, judge=judge_a, nomination=n)
        assignment = judging_services.assignment_add(actor=office, round_=round_, judge=judge_b, nomination=noms[2])
        judging_services.pledge_accept(judge=judge_b, competition=competition)
        scores = {c.pk: c.max_points for c in xm.criteria.all()}
        judging_services.scorecard_save(judge=judge_b, assignment=assignment, scores=scores, comment="", version=0)
        judging_services.scorecard_submit(judge=judge_b, assignment=assignment)
    return round_, judge_a, judge_b


def test_scoring_deadline_reminds_judges_with_open_cards_once_per_threshold(
    scoring, smtp, django_capture_on_commit_callbacks
):
    round_, judge_a, judge_b = scoring
    deadline = services.deadline_key(round_.deadline, 0)[:-3]
    with time_machine.travel(at(2031, 5, 17, 9, 0), tick=False):  # 3 days 9 hours: nothing
        run_twice(django_capture_on_commit_callbacks)
    with time_machine.travel(at(2031, 5, 19, 8, 0), tick=False):  # 1 day 10 hours: the 2-day reminder
        run_twice(django_capture_on_commit_callbacks)
    with time_machine.travel(at(2031, 5, 19, 17, 0), tick=False):  # 25 hours: still the 2-day one
        run_twice(django_capture_on_commit_callbacks)
    assert reminded(Event.SCORING_CLOSING) == {"n-judge-a": [f"{deadline}:2d"]}
    # (The assignment mails of the fixture, left pending, went out with the first run's sweep.)
    [mail] = reminders_to(smtp, "judge-a@example.org")
    assert mail["Subject"].strip() == "【评分提醒】2031年度初评评分将于2031年5月20日 18:00截止"
    assert "您还有 2 项评审任务未提交评分表" in mail.get_body(preferencelist=("plain",)).get_content()
    with time_machine.travel(at(2031, 5, 20, 8, 0), tick=False):  # 10 hours
        run_twice(django_capture_on_commit_callbacks)
    assert reminded(Event.SCORING_CLOSING) == {"n-judge-a": [f"{deadline}:2d", f"{deadline}:1d"]}
    assert len(reminders_to(smtp, "judge-a@example.org")) == 2
    assert reminders_to(smtp, "judge-b@example.org") == []


def test_publicity_ending_tomorrow_with_open_objections_tells_the_office_once(
    db, smtp, wecom, django_capture_on_commit_callbacks
):
    world = publicity_world()
    publicity = Publicity.objects.get(competition=world.competition)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    Publicity.objects.filter(pk=publicity.pk).update(ends_on=tomorrow)

    run_twice(django_capture_on_commit_callbacks)  # no objection: nothing to say
    assert reminded(Event.PUBLICITY_ENDING) == {}

    judging_services.objection_lodge(
        competition=world.competition, nomination=world.winner, name="李四光", phone="13900002222",
        content="反映该项目材料与事实不符，请核实。",
    )
    posts = len(wecom.posts)
    run_twice(django_capture_on_commit_callbacks)
    run_twice(django_capture_on_commit_callbacks)
    assert reminded(Event.PUBLICITY_ENDING) == {"n-office": [f"{tomorrow.isoformat()}:1d"]}
    assert len(smtp.to("office@example.org")) == 1
    ending = [p for p in wecom.posts[posts:] if "公示即将结束" in p["json"]["text"]["content"]]
    assert len(ending) == 1
    assert "尚有 1 件异议未处理" in ending[0]["json"]["text"]["content"]
    assert Delivery.objects.filter(channel=Channel.WECOM, event=Event.PUBLICITY_ENDING).count() == 1
