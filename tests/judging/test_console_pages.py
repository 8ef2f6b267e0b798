"""The office console's pages through Django's test client: what the office does, what observers may not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from competition.models import AuditEntry
from judging import services
from judging.enums import ScorecardStatus
from judging.models import Assignment, PanelMember, RoundWithdrawal, Scorecard, ScorecardExclusion
from tests.judging.conftest import make_judge, score_all

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def pairs(round_):
    return set(Assignment.objects.filter(round=round_).values_list("judge_id", "nomination_id"))


@pytest.fixture
def assigned(office, round1, nominations, judges):
    make_judge(username="judgeF")
    services.assignments_auto(actor=office, round_=round1, seed=7)
    return round1


def test_the_year_page_shows_the_stage_and_the_next_step(client, office, competition, round1, nominations, judges):
    client.force_login(office)

    home = text(client.get("/"))
    assert reverse("judging:console:home") in home  # the navigation
    assert reverse("judging:console:year", args=[competition.pk]) in home

    response = client.get(reverse("judging:console:home"), follow=True)
    body = text(response)
    assert response.redirect_chain[-1][0] == reverse("judging:console:year", args=[competition.pk])
    assert "下一步：分配评审任务" in body
    assert f'href="{reverse("judging:console:assign", args=[round1.pk])}" id="next-step-button"' in body
    for name in ("judging:console:assign", "judging:progress", "judging:conflicts", "judging:ranking"):
        assert reverse(name, args=[round1.pk]) in body
    assert reverse("judging:console:panels", args=[competition.pk]) in body
    assert reverse("nominations:review") in body


def test_the_next_step_follows_the_round(client, office, competition, assigned):
    client.force_login(office)
    body = text(client.get(reverse("judging:console:year", args=[competition.pk])))
    assert "下一步：跟进评审进度" in body
    assert reverse("judging:progress", args=[assigned.pk]) in body


def test_console_pages_are_404_for_judges_and_units(client, judges, competition, round1):
    client.force_login(judges[0])
    for url in (
        reverse("judging:console:home"),
        reverse("judging:console:year", args=[competition.pk]),
        reverse("judging:console:panels", args=[competition.pk]),
        reverse("judging:console:assign", args=[round1.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("judging:console:assign_auto", args=[round1.pk]), {"seed": "1"}).status_code == 404
    assert not Assignment.objects.exists()


def test_preview_then_save_by_clicking(client, office, round1, nominations, judges):
    client.force_login(office)
    page = client.get(reverse("judging:console:assign", args=[round1.pk]))
    assert "预览分配" in text(page)

    preview = client.post(
        reverse("judging:console:assign_preview", args=[round1.pk]), {"seed": "5", "judges_per_nomination": "3"}
    )

    assert preview.status_code == 200
    assert not Assignment.objects.exists()
    body = text(preview)
    assert "分配预览（尚未保存）" in body and "确认并保存分配" in body
    assert "避开的回避关系：2 处" in body  # judgeA and the two 小店区 projects
    plan = preview.context["preview"]["plan"]

    saved = client.post(
        reverse("judging:console:assign_auto", args=[round1.pk]),
        {"seed": "5", "judges_per_nomination": "3", "fingerprint": plan.fingerprint},
        follow=True,
    )

    assert pairs(round1) == set(plan.new_pairs)
    assert any("自动分配已保存" in m for m in messages_of(saved))


def test_a_stale_preview_is_refused_with_the_services_message(client, office, round1, nominations, judges):
    client.force_login(office)
    response = client.post(
        reverse("judging:console:assign_auto", args=[round1.pk]),
        {"seed": "5", "judges_per_nomination": "3", "fingerprint": "0000"},
        follow=True,
    )
    assert not Assignment.objects.exists()
    assert any("请重新预览" in m for m in messages_of(response))


def test_add_remove_replace_on_the_page(client, office, assigned, nominations, judges):
    client.force_login(office)
    target = nominations[2]
    rows = list(Assignment.objects.filter(round=assigned, nomination=target))
    taken = {a.judge_id for a in rows}
    free = [j for j in judges if j.pk not in taken and j.username != "judgeA"]

    conflicted = client.post(
        reverse("judging:console:assign_add", args=[assigned.pk]),
        {"judge": judges[0].pk, "nomination": nominations[0].pk},
        follow=True,
    )
    if (judges[0].pk, nominations[0].pk) not in pairs(assigned):
        assert any("回避" in m or "已分配" in m for m in messages_of(conflicted))

    client.post(reverse("judging:console:assign_add", args=[assigned.pk]), {"judge": free[0].pk, "nomination": target.pk})
    assert (free[0].pk, target.pk) in pairs(assigned)

    client.post(reverse("judging:console:remove", args=[rows[0].pk]), {"reason": "调整"})
    assert not Assignment.objects.filter(pk=rows[0].pk).exists()

    response = client.post(
        reverse("judging:console:replace", args=[rows[1].pk]), {"judge": free[1].pk, "reason": "出差"}, follow=True
    )
    assert (free[1].pk, target.pk) in pairs(assigned)
    assert not Assignment.objects.filter(pk=rows[1].pk).exists()
    assert any("已替换为" in m for m in messages_of(response))


def test_unlock_needs_a_reason_and_the_judge_reads_it(client, office, assigned):
    score_all(assigned, lambda judge, nomination, c: c.max_points)
    assignment = Assignment.objects.filter(round=assigned).select_related("judge").first()
    client.force_login(office)
    board = text(client.get(reverse("judging:progress", args=[assigned.pk])))
    assert reverse("judging:console:unlock", args=[assignment.pk]) in board
    assert "已签署" in board

    refused = client.post(reverse("judging:console:unlock", args=[assignment.pk]), {"reason": " "}, follow=True)
    assert any("理由" in m for m in messages_of(refused))
    assert Scorecard.objects.get(assignment=assignment).status == ScorecardStatus.SUBMITTED

    client.post(reverse("judging:console:unlock", args=[assignment.pk]), {"reason": "第三项评分与评语不符"})
    assert Scorecard.objects.get(assignment=assignment).status == ScorecardStatus.DRAFT

    client.force_login(assignment.judge)
    page = text(client.get(reverse("judging:assignment", args=[assignment.pk])))
    assert "理由：第三项评分与评语不符" in page


def test_the_conflict_report_moves_and_reassigns(client, office, observer, assigned):
    from competition.models import JudgeProfile

    assignment = Assignment.objects.filter(round=assigned).select_related("nomination").first()
    JudgeProfile.objects.filter(user_id=assignment.judge_id).update(unit=assignment.nomination.unit)
    url = reverse("judging:conflicts", args=[assigned.pk])
    action = reverse("judging:console:reassign", args=[assignment.pk])

    client.force_login(observer)
    assert action not in text(client.get(url))
    assert client.post(action, {"next": url}).status_code == 403
    assert Assignment.objects.filter(pk=assignment.pk).exists()

    client.force_login(office)
    assert "移出并另行安排评委" in text(client.get(url))
    response = client.post(action, {"next": url}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert Assignment.objects.filter(round=assigned, nomination=assignment.nomination).count() == 3
    assert "本轮没有须回避的分配" in text(response)


def test_exclude_and_withdraw_on_the_page(client, office, assigned, judges):
    score_all(assigned, lambda judge, nomination, c: c.max_points)
    card_owner = Assignment.objects.filter(round=assigned, judge=judges[2]).first()
    client.force_login(office)

    client.post(reverse("judging:console:exclude", args=[card_owner.pk]), {"reason": "评分失准"})
    assert ScorecardExclusion.objects.get(scorecard__assignment=card_owner).reason == "评分失准"

    response = client.post(
        reverse("judging:console:withdraw", args=[assigned.pk]),
        {"judge": judges[1].pk, "reason": "身体原因", "exclude_submitted": "on"},
        follow=True,
    )
    assert RoundWithdrawal.objects.filter(round=assigned, judge=judges[1]).exists()
    assert any("已退出" in m for m in messages_of(response))
    page = text(client.get(reverse("judging:console:assign", args=[assigned.pk])))
    assert "已退出本轮" in page and "已排除" in page


def test_panels_are_set_on_their_page(client, office, observer, competition, category, judges):
    url = reverse("judging:console:panel_save", args=[competition.pk])
    client.force_login(observer)
    page = text(client.get(reverse("judging:console:panels", args=[competition.pk])))
    assert "保存“" not in page
    assert client.post(url, {"category": category.pk, "judges": [judges[1].pk]}).status_code == 403
    assert not PanelMember.objects.exists()

    client.force_login(office)
    client.post(url, {"category": category.pk, "judges": [judges[1].pk, judges[2].pk]})
    assert set(PanelMember.objects.values_list("judge_id", flat=True)) == {judges[1].pk, judges[2].pk}
    assert AuditEntry.objects.filter(action="judging.panel_set").exists()


def test_the_ranking_page_links_the_exports_and_closing_leads_to_the_next_round(client, office, assigned, nominations):
    from competition.models import Round

    final = Round.objects.create(
        competition=assigned.competition, order=2, name="终评", method="mean", judges_per_nomination=2
    )
    assigned.advance_per_category = 3
    assigned.save()
    offsets = {n.pk: i for i, n in enumerate(sorted(nominations, key=lambda n: n.pk))}
    score_all(assigned, lambda judge, nomination, c: c.max_points - offsets[nomination.pk])
    services.snapshot_compute(round_=assigned, method="trimmed_mean")
    client.force_login(office)

    page = text(client.get(reverse("judging:ranking", args=[assigned.pk])))
    assert reverse("round-ranking-export-xlsx", args=[assigned.pk]) in page
    assert reverse("round-ranking-report-pdf", args=[assigned.pk]) in page
    assert reverse("judging:console:close", args=[assigned.pk]) in page

    response = client.post(reverse("judging:console:close", args=[assigned.pk]), {"confirm": "on"}, follow=True)

    assigned.refresh_from_db()
    assert assigned.closed_at is not None
    assert response.redirect_chain[-1][0] == reverse("judging:console:assign", args=[final.pk])
    assert any("下一步：分配“终评”评审任务" in m for m in messages_of(response))
    assert "本轮评审对象 <strong>3</strong> 件" in text(response)


OBSERVER_POSTS = [
    ("judging:console:assign_preview", "round", {"seed": "1"}),
    ("judging:console:assign_auto", "round", {"seed": "1"}),
    ("judging:console:assign_add", "round", {"judge": "{judge}", "nomination": "{nomination}"}),
    ("judging:console:withdraw", "round", {"judge": "{judge}", "reason": "理由"}),
    ("judging:console:close", "round", {"confirm": "on"}),
    ("judging:console:remove", "assignment", {"reason": "理由"}),
    ("judging:console:replace", "assignment", {"judge": "{judge}"}),
    ("judging:console:reassign", "assignment", {}),
    ("judging:console:exclude", "assignment", {"reason": "理由"}),
    ("judging:console:unlock", "assignment", {"reason": "理由"}),
]


@pytest.mark.parametrize(("name", "takes", "data"), OBSERVER_POSTS)
def test_observers_are_refused_every_action(client, observer, office, assigned, judges, nominations, name, takes, data):
    score_all(assigned, lambda judge, nomination, c: c.max_points)
    assignment = Assignment.objects.filter(round=assigned).first()
    free = make_judge(username="judgeG")
    values = {"judge": str(free.pk), "nomination": str(nominations[0].pk)}
    data = {k: values[v[1:-1]] if v.startswith("{") else v for k, v in data.items()}
    before = (pairs(assigned), list(Scorecard.objects.values_list("pk", "status", "version")), AuditEntry.objects.count())
    client.force_login(observer)
    url = reverse(name, args=[assigned.pk if takes == "round" else assignment.pk])

    response = client.post(url, data)

    assert response.status_code == 403
    assert "无权访问" in text(response)
    after = (pairs(assigned), list(Scorecard.objects.values_list("pk", "status", "version")), AuditEntry.objects.count())
    assert after == before
    assigned.refresh_from_db()
    assert assigned.closed_at is None


def test_observers_read_every_console_page_without_buttons(client, observer, competition, assigned):
    client.force_login(observer)
    for url in (
        reverse("judging:console:year", args=[competition.pk]),
        reverse("judging:console:assign", args=[assigned.pk]),
        reverse("judging:console:panels", args=[competition.pk]),
        reverse("judging:progress", args=[assigned.pk]),
        reverse("judging:conflicts", args=[assigned.pk]),
        reverse("judging:ranking", args=[assigned.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = text(response)
        assert 'action="/judging/office/' not in body, url
        assert "预览分配" not in body and "解锁</button>" not in body


def test_the_ranking_page_finds_an_aggregation_still_running(client, office, assigned):
    from judging.models import AggregationJob

    job = AggregationJob.objects.create(round=assigned, method="median", status="running", done=1, total=3)
    client.force_login(office)

    body = text(client.get(reverse("judging:ranking", args=[assigned.pk])))

    assert f'data-job-url="{reverse("aggregation-job-detail", args=[job.pk])}"' in body
    assert 'data-job-method="median"' in body
    assert "正在按“中位数”计算（计算中，已完成 1 / 3）" in body
    AggregationJob.objects.filter(pk=job.pk).update(status="done")
    assert "data-job-url" not in text(client.get(reverse("judging:ranking", args=[assigned.pk])))


def test_the_review_step_names_the_open_correction_periods(client, office, competition, nominations):
    """While returned nominations are being corrected the office is told so, with the last day."""
    import datetime as dt

    from django.utils import timezone

    from competition.enums import Phase
    from competition.models import Competition
    from nominations.enums import Status
    from nominations.models import Nomination

    Competition.objects.filter(pk=competition.pk).update(phase=Phase.REVIEWING)
    last_day = timezone.localdate() + dt.timedelta(days=4)
    Nomination.objects.filter(pk=nominations[0].pk).update(
        status=Status.RETURNED, review_reason="补充材料", correct_by=timezone.localdate() + dt.timedelta(days=1)
    )
    Nomination.objects.filter(pk=nominations[1].pk).update(status=Status.RETURNED, review_reason="补充材料", correct_by=last_day)
    Nomination.objects.filter(pk=nominations[2].pk).update(  # overdue: lapses, no longer waited for
        status=Status.RETURNED, review_reason="补充材料", correct_by=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(office)
    body = text(client.get(reverse("judging:console:year", args=[competition.pk])))
    assert "下一步：完成资格审查" in body
    assert f"2 件推荐退回补正中（补正期最晚至 {last_day.month}月{last_day.day}日）" in body
