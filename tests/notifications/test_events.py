"""Who hears what: each service's event reaches its people, in Chinese naming the year,
the nomination or round, with the link to act on; nobody else hears it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from competition.enums import Role
from competition.exceptions import Conflict, Forbidden
from competition.models import AuditEntry, Unit
from judging import services as judging_services
from judging.models import Assignment, Scorecard
from nominations import services as nomination_services
from notifications import texts
from notifications.enums import Event
from notifications.models import Notification

from .conftest import (
    account,
    judge_account,
    nominating_competition,
    publicity_world,
    submitted_nomination,
)


def told(event: str) -> dict[str, Notification]:
    return {n.recipient.username: n for n in Notification.objects.filter(event=event).select_related("recipient")}


def test_every_event_has_a_wording_that_names_its_year():
    daily = {Event.DAILY_SUMMARY, Event.SUGGESTIONS_RECEIVED}  # the office's daily messages name the day
    for event in Event.values:
        assert event in texts.WORDING, event
        if event in daily:
            assert "{date}" in texts.WORDING[event].title, event
        else:
            assert "{year}" in texts.WORDING[event].title, event


def test_the_lapsed_wording_is_ready_for_lapsing():
    title, body = texts.render(
        Event.NOMINATION_LAPSED,
        {"year": 2030, "category": "最佳志愿服务项目", "nomination": "某项目", "deadline": timezone.now()},
    )
    assert title == "【逾期失效】2030年度最佳志愿服务项目推荐“某项目”"
    assert "已失效" in body


def test_a_missing_value_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        texts.render(Event.NOMINATION_ACCEPTED, {"year": 2030})


@pytest.mark.parametrize(
    ("decision", "event", "title"),
    [
        ("accept", Event.NOMINATION_ACCEPTED, "【审查通过】2030年度最佳志愿服务项目推荐“审查项目”"),
        ("reject", Event.NOMINATION_REJECTED, "【不予通过】2030年度最佳志愿服务项目推荐“审查项目”"),
    ],
)
def test_review_decisions_reach_the_units_officers_only(office, officer, other_officer, decision, event, title):
    competition = nominating_competition(office)
    second = account("n-unit-140105-b", Role.OFFICER, unit=officer.unit)
    nomination = submitted_nomination(officer, competition, title="审查项目")
    nomination_services.nomination_review(actor=office, nomination=nomination, decision=decision, reason="材料不符合要求")
    notices = told(event)
    assert set(notices) == {officer.username, second.username}
    assert notices[officer.username].title == title
    assert notices[officer.username].url == f"/nominations/{nomination.pk}/"


@pytest.fixture
def judging_round(office):
    from tests.judging.conftest import accepted, judging_competition

    competition = judging_competition(office, year=2031, judges_per_nomination=1)
    round_ = competition.rounds.get(order=1)
    xm = competition.categories.get(code="XM")
    nominations = [accepted(competition, xm, u, title=f"评审项目{i}")[0] for i, u in enumerate(Unit.objects.order_by("order")[:3])]
    return round_, nominations


def test_assignments_made_changed_removed_and_unlocked_reach_the_judge(office, judging_round):
    round_, nominations = judging_round
    judge = judge_account("n-judge-x")
    other = judge_account("n-judge-y")

    assignment = judging_services.assignment_add(actor=office, round_=round_, judge=judge, nomination=nominations[0])
    made = told(Event.ASSIGNMENT_MADE)
    assert set(made) == {"n-judge-x"}
    assert made["n-judge-x"].title == "【评审任务】2031年度初评：新分配 1 项评审任务"
    assert "“评审项目0”" in made["n-judge-x"].body
    assert made["n-judge-x"].url == f"/judging/assignments/{assignment.pk}/"

    judging_services.assignments_auto(actor=office, round_=round_, seed=1)
    changed = told(Event.ASSIGNMENT_CHANGED)
    made = told(Event.ASSIGNMENT_MADE)
    # The judge who already had work hears of a change; the new one of new work.
    assert "n-judge-x" in changed and "新增" in changed["n-judge-x"].body
    assert "n-judge-y" in made and made["n-judge-y"].url == "/judging/"
    assert Assignment.objects.filter(round=round_).count() == 3

    judging_services.pledge_accept(judge=judge, competition=round_.competition)
    scores = {c.pk: c.max_points for c in nominations[0].category.criteria.all()}
    judging_services.scorecard_save(judge=judge, assignment=assignment, scores=scores, comment="", version=0)
    judging_services.scorecard_submit(judge=judge, assignment=assignment)
    judging_services.scorecard_unlock(actor=office, assignment=assignment, reason="社会效益分数录入有误")
    unlocked = told(Event.SCORECARD_UNLOCKED)
    assert set(unlocked) == {"n-judge-x"}
    assert unlocked["n-judge-x"].title == "【评分表已解锁】2031年度初评：“评审项目0”"
    assert "解锁理由：社会效益分数录入有误" in unlocked["n-judge-x"].body
    # Unlocked, resubmitted and unlocked again: told again.
    judging_services.scorecard_submit(judge=judge, assignment=assignment)
    judging_services.scorecard_unlock(actor=office, assignment=assignment, reason="再次核对")
    assert Notification.objects.filter(event=Event.SCORECARD_UNLOCKED).count() == 2

    open_one = Assignment.objects.filter(round=round_, judge=other).first()
    judging_services.assignment_remove(actor=office, assignment=open_one, reason="调整评审组")
    removed = told(Event.ASSIGNMENT_REMOVED)
    assert set(removed) == {"n-judge-y"}
    assert "理由：调整评审组" in removed["n-judge-y"].body
    assert not Scorecard.objects.filter(assignment_id=open_one.pk).exists()


def test_the_office_reminds_one_judge_or_all_and_each_reminder_is_recorded(office, judging_round):
    round_, nominations = judging_round
    judge = judge_account("n-judge-x")
    other = judge_account("n-judge-y")
    judging_services.assignment_add(actor=office, round_=round_, judge=judge, nomination=nominations[0])
    judging_services.assignment_add(actor=office, round_=round_, judge=other, nomination=nominations[1])
    judging_services.assignment_add(actor=office, round_=round_, judge=other, nomination=nominations[2])

    with pytest.raises(Forbidden):
        judging_services.judges_remind(actor=judge, round_=round_)
    assert judging_services.judges_remind(actor=office, round_=round_, judge=other) == 1
    assert judging_services.judges_remind(actor=office, round_=round_) == 2
    reminders = Notification.objects.filter(event=Event.JUDGE_REMINDER).select_related("recipient")
    assert sorted(n.recipient.username for n in reminders) == ["n-judge-x", "n-judge-y", "n-judge-y"]
    assert reminders.filter(recipient=other).first().title == "【评分提醒】2031年度初评：您还有 2 项未提交"
    assert AuditEntry.objects.filter(action="judging.judges_remind").count() == 2
    lonely = judge_account("n-judge-z")
    with pytest.raises(Conflict):
        judging_services.judges_remind(actor=office, round_=round_, judge=lonely)


def test_publicity_objections_and_final_results(db):
    world = publicity_world()
    published = told(Event.PUBLICITY_PUBLISHED)
    assert {"n-unit-140105", "n-unit-140106"} <= set(published)
    assert published["n-unit-140105"].title == "【公示】2032年度拟表彰名单开始公示"
    assert published["n-unit-140105"].url == f"/publicity/{world.competition.pk}/"

    objection = judging_services.objection_lodge(
        competition=world.competition, nomination=world.winner, name="张三丰", phone="13800001111",
        content="反映该项目服务时长存在虚报情况，请核实。",
    )
    lodged = told(Event.OBJECTION_LODGED)
    assert set(lodged) == {"n-office"}
    assert "13800001111" not in lodged["n-office"].body

    judging_services.objection_resolve(actor=world.office, objection=objection, decision="dismissed", reason="经核实，服务时长有记录可查")
    resolved = told(Event.OBJECTION_RESOLVED)
    assert set(resolved) == {"n-unit-140105"}  # the unit concerned only
    assert resolved["n-unit-140105"].title == "【异议处理结果】2032年度公示对象“公示项目甲”"
    assert "结论：异议不成立" in resolved["n-unit-140105"].body
    assert "处理意见：经核实，服务时长有记录可查" in resolved["n-unit-140105"].body

    from competition.models import Competition
    from judging.models import Publicity

    Publicity.objects.filter(competition=world.competition).update(ends_on=timezone.localdate() - timezone.timedelta(days=1))
    judging_services.competition_finalize(actor=world.office, competition=Competition.objects.get(pk=world.competition.pk))
    final = told(Event.RESULTS_FINAL)
    assert {"n-unit-140105", "n-unit-140106"} <= set(final)
    assert final["n-unit-140106"].body.endswith("共表彰 1 项。")


def test_a_certificate_ready_reaches_its_unit(db):
    from certificates import services as certificate_services
    from certificates.models import BatchItem
    from tests.certificates.conftest import award_for, make_final

    office = account("n-office", Role.OFFICE)
    officer = account("n-unit-140105", Role.OFFICER, unit=Unit.objects.get(code="140105"))
    competition = make_final(office, year=2022)
    award_for(competition, "XM", officer.unit, title="证书项目", organization="小店区某志愿服务队")
    batch = certificate_services.certificates_issue(actor=office, competition=competition, send=False)
    for item in BatchItem.objects.filter(batch=batch):
        certificate_services.item_render(item_id=item.pk)
    ready = told(Event.CERTIFICATE_READY)
    assert set(ready) == {"n-unit-140105"}
    certificate = competition.certificates.get()
    assert ready["n-unit-140105"].title == "【荣誉证书】2022年度“证书项目”的荣誉证书已生成"
    assert certificate.number in ready["n-unit-140105"].body
    # The link leads to the unit's certificates page, which offers the PDF.
    assert ready["n-unit-140105"].url == f"/certificates/competitions/{competition.pk}/"
    client = Client()
    client.force_login(officer)
    page = client.get(ready["n-unit-140105"].url).content.decode()
    assert f"/certificates/{certificate.pk}/pdf/" in page and certificate.number in page
