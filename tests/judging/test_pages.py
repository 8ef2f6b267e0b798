"""The Chinese web pages of judging and rankings, through Django's test client."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from judging import services
from judging.models import Assignment, ConflictDeclaration, Pledge, Scorecard
from tests.judging.conftest import accepted, make_judge

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def scoring_config(response) -> dict:
    match = re.search(
        r'<script id="scoring-config" type="application/json">(.*?)</script>', text(response), re.S
    )
    assert match, "the scoring page carries its configuration"
    return json.loads(match.group(1))


def score_all(round_, points_for, *, submit=True):
    """Every assigned judge pledges and scores ``points_for(judge, nomination, criterion)``."""
    for a in Assignment.objects.filter(round=round_).select_related(
        "judge", "nomination", "nomination__category"
    ):
        services.pledge_accept(judge=a.judge, competition=round_.competition)
        scores = {
            c.pk: points_for(a.judge, a.nomination, c) for c in a.nomination.category.criteria.all()
        }
        services.scorecard_save(
            judge=a.judge, assignment=a, scores=scores, comment="认真评审", version=0
        )
        if submit:
            services.scorecard_submit(judge=a.judge, assignment=a)


@pytest.fixture
def assigned(office, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    return round1


@pytest.fixture
def judge_a(judges):
    return judges[0]


@pytest.fixture
def judge_b(judges):
    return judges[1]


def own(judge, round_):
    return list(Assignment.objects.filter(round=round_, judge=judge).order_by("pk"))


# --------------------------------------------------------------------------- the judge's list and pledge


def test_judge_sees_only_their_own_assignments(client, assigned, judge_a, judge_b):
    mine = own(judge_a, assigned)
    others = Assignment.objects.filter(round=assigned).exclude(judge=judge_a)
    assert mine and others.exists()

    response = login(client, judge_a).get(reverse("judging:index"))

    assert response.status_code == 200
    body = text(response)
    shown = {
        a.pk for block in response.context["blocks"] for r in block["rounds"] for a in r["rows"]
    }
    assert shown == {a.pk for a in mine}
    for a in mine:
        assert reverse("judging:assignment", args=[a.pk]) in body
    for a in others:
        assert f'href="{reverse("judging:assignment", args=[a.pk])}"' not in body
    assert "我的评审任务" in body and "初评" in body
    assert f"已提交 <strong>0</strong> / {len(mine)} 件" in body
    # Judge A belongs to 小店区: none of their rows is a 小店区 nomination.
    assert all(a.nomination.unit_id != judge_a.judge_profile.unit_id for a in mine)


def test_pledge_is_shown_until_signed(client, assigned, judge_a, competition):
    client = login(client, judge_a)
    body = text(client.get(reverse("judging:index")))
    assert "评审专家承诺书" in body
    assert "签署承诺书" in body

    # Without the box ticked nothing is signed.
    refused = client.post(reverse("judging:pledge", args=[competition.pk]), {}, follow=True)
    assert "请勾选" in text(refused)
    assert not Pledge.objects.filter(judge=judge_a).exists()

    signed = client.post(
        reverse("judging:pledge", args=[competition.pk]), {"agree": "on"}, follow=True
    )
    assert signed.redirect_chain[-1][0] == reverse("judging:index")
    assert Pledge.objects.filter(judge=judge_a, competition=competition).count() == 1
    body = text(signed)
    assert "评审承诺书已签署" in body
    assert "您已签署本次推选活动的评审承诺书" in body
    assert "签署承诺书</button>" not in body


def test_pledge_from_the_scoring_page_returns_there(client, assigned, judge_a, competition):
    assignment = own(judge_a, assigned)[0]
    url = reverse("judging:assignment", args=[assignment.pk])
    client = login(client, judge_a)

    before = client.get(url)
    assert "请先签署本次推选活动的评审承诺书" in text(before)
    assert scoring_config(before)["editable"] is False

    after = client.post(
        reverse("judging:pledge", args=[competition.pk]), {"agree": "on", "next": url}, follow=True
    )
    assert after.redirect_chain[-1][0] == url
    assert scoring_config(after)["editable"] is True


def test_only_judges_sign_the_pledge(client, assigned, office, competition):
    response = login(client, office).post(
        reverse("judging:pledge", args=[competition.pk]), {"agree": "on"}
    )
    assert response.status_code == 403
    assert not Pledge.objects.exists()


# --------------------------------------------------------------------------- the scoring page


def test_scoring_page_shows_materials_rubric_and_inputs(
    client, assigned, judge_a, competition, category
):
    assignment = own(judge_a, assigned)[0]
    nomination = assignment.nomination
    category.criteria.filter(name="社会效益").update(
        guidance="覆盖面与受益人数，媒体报道与社会影响"
    )
    services.pledge_accept(judge=judge_a, competition=competition)

    response = login(client, judge_a).get(reverse("judging:assignment", args=[assignment.pk]))

    assert response.status_code == 200
    body = text(response)
    # A blind round: the title as written, less the unit's name it carries (迎泽区项目1).
    assert nomination.unit.short_name in nomination.title
    assert nomination.title.replace(nomination.unit.short_name, "〔已隐去〕") in body
    assert "覆盖面与受益人数，媒体报道与社会影响" in body
    for criterion in category.criteria.all():
        assert f'id="score-{criterion.pk}"' in body
        assert f'max="{criterion.max_points}"' in body
    assert 'step="0.5"' in body and 'min="0"' in body
    # A blind round: the nominee's unit is never shown to the judge; contacts never.
    assert nomination.unit.name not in body
    assert "匿名评审" in body
    assert "13800000000" not in body and "联系人" not in body
    config = scoring_config(response)
    assert config["editable"] is True
    assert config["version"] == 0
    assert config["saveUrl"] == f"/api/v1/assignments/{assignment.pk}/scorecard/"
    assert [c["id"] for c in config["criteria"]] == list(
        category.criteria.values_list("pk", flat=True)
    )


def test_an_open_round_shows_the_unit(client, assigned, judge_a, round1):
    round1.blind = False
    round1.save(update_fields=["blind"])
    assignment = own(judge_a, assigned)[0]
    body = text(login(client, judge_a).get(reverse("judging:assignment", args=[assignment.pk])))
    assert f"推荐单位：{assignment.nomination.unit.name}" in body


def test_reloading_the_scoring_page_shows_the_saved_draft(
    client, assigned, judge_a, competition, category
):
    assignment = own(judge_a, assigned)[0]
    services.pledge_accept(judge=judge_a, competition=competition)
    first, second = list(category.criteria.all())[:2]
    services.scorecard_save(
        judge=judge_a,
        assignment=assignment,
        scores={first.pk: Decimal("12.5"), second.pk: Decimal("10")},
        comment="草稿评语",
        version=0,
    )

    response = login(client, judge_a).get(reverse("judging:assignment", args=[assignment.pk]))

    body = text(response)
    assert re.search(rf'id="score-{first.pk}"[^>]*value="12.5"', body, re.S)
    assert re.search(rf'id="score-{second.pk}"[^>]*value="10"', body, re.S)
    assert "草稿评语" in body
    assert scoring_config(response)["version"] == 1
    assert '<strong id="running-total">22.50</strong>' in body


def test_a_submitted_scorecard_is_read_only(client, assigned, judge_a, competition, category):
    assignment = own(judge_a, assigned)[0]
    services.pledge_accept(judge=judge_a, competition=competition)
    services.scorecard_save(
        judge=judge_a,
        assignment=assignment,
        scores={c.pk: c.max_points for c in category.criteria.all()},
        comment="",
        version=0,
    )
    services.scorecard_submit(judge=judge_a, assignment=assignment)

    response = login(client, judge_a).get(reverse("judging:assignment", args=[assignment.pk]))

    body = text(response)
    assert "提交并锁定" in body
    assert scoring_config(response)["editable"] is False
    assert 'id="submit-button"' not in body
    assert '<fieldset class="plain" disabled>' in body
    index = text(client.get(reverse("judging:index")))
    assert "已提交 <strong>1</strong>" in index


def test_another_judges_assignment_is_404(client, assigned, judge_a, judge_b, officer):
    theirs = own(judge_b, assigned)[0]
    url = reverse("judging:assignment", args=[theirs.pk])

    response = login(client, judge_a).get(url)
    assert response.status_code == 404
    assert "未找到" in text(response)
    assert theirs.nomination.title not in text(response)
    # The same answer as an assignment that does not exist, and for a unit officer.
    assert client.get(reverse("judging:assignment", args=[999999])).status_code == 404
    assert login(client, officer).get(url).status_code == 404
    # Declaring a conflict on someone else's assignment: 404 too, nothing written.
    login(client, judge_a).post(reverse("judging:conflict", args=[theirs.pk]), {"reason": "理由"})
    assert not ConflictDeclaration.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, assigned, judge_a):
    assignment = own(judge_a, assigned)[0]
    response = client.get(reverse("judging:assignment", args=[assignment.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_office_reads_a_scorecard_page_but_cannot_edit(client, assigned, office, judge_a):
    assignment = own(judge_a, assigned)[0]
    response = login(client, office).get(reverse("judging:assignment", args=[assignment.pk]))
    assert response.status_code == 200
    assert "只读" in text(response)
    assert scoring_config(response)["editable"] is False
    # The office sees the unit even in a blind round.
    assert assignment.nomination.unit.name in text(response)


def test_declaring_a_conflict_releases_the_assignment(client, assigned, judge_a):
    assignment = own(judge_a, assigned)[0]
    client = login(client, judge_a)
    url = reverse("judging:conflict", args=[assignment.pk])

    empty = client.post(url, {"reason": "  "}, follow=True)
    assert "请填写回避理由" in text(empty)
    assert Assignment.objects.filter(pk=assignment.pk).exists()

    response = client.post(url, {"reason": "本人曾在该项目实施单位任职"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("judging:index")
    assert "已申明回避" in text(response)
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    declaration = ConflictDeclaration.objects.get(judge=judge_a, nomination=assignment.nomination)
    assert declaration.reason == "本人曾在该项目实施单位任职"


# --------------------------------------------------------------------------- the office's boards


def test_office_progress_board_per_judge_and_category(
    client, assigned, office, judge_a, competition, category
):
    services.pledge_accept(judge=judge_a, competition=competition)
    for a in own(judge_a, assigned):
        services.scorecard_save(
            judge=judge_a,
            assignment=a,
            scores={c.pk: 5 for c in category.criteria.all()},
            comment="",
            version=0,
        )
        services.scorecard_submit(judge=judge_a, assignment=a)
    total = Assignment.objects.filter(round=assigned).count()
    done = len(own(judge_a, assigned))

    response = login(client, office).get(reverse("judging:progress", args=[assigned.pk]))

    assert response.status_code == 200
    body = text(response)
    assert f'<strong id="submitted-total">{done}</strong> / {total}' in body
    assert "按评委" in body and "按奖项" in body
    judges = {j["username"]: j for j in response.context["judges"]}
    assert judges["judgeA"]["submitted"] == judges["judgeA"]["assigned"] == done
    assert judges["judgeA"]["percent"] == 100
    (xm,) = response.context["categories"]
    assert xm["name"] == category.name
    assert (xm["assigned"], xm["submitted"], xm["count"]) == (total, done, 6)
    assert 'style="width: 100%"' in body


def test_office_conflict_report_lists_a_forced_row(
    client, assigned, office, judge_a, competition, category, units
):
    own_unit = accepted(competition, category, units[0], title="小店区自己的项目")[0]
    Assignment.objects.create(
        round=assigned, judge=judge_a, nomination=own_unit
    )  # slipped past the checks

    response = login(client, office).get(reverse("judging:conflicts", args=[assigned.pk]))

    assert response.status_code == 200
    body = text(response)
    assert "发现 1 条须回避的分配" in body
    assert "小店区自己的项目" in body and "judgeA" in body
    assert "同属一个推荐单位" in body


def test_conflict_report_without_conflicts(client, assigned, observer):
    body = text(login(client, observer).get(reverse("judging:conflicts", args=[assigned.pk])))
    assert "本轮没有须回避的分配" in body


def test_office_pages_are_404_for_judges_and_units(client, assigned, judge_a, officer):
    for user in (judge_a, officer):
        for name in ("progress", "conflicts", "ranking"):
            response = login(client, user).get(reverse(f"judging:{name}", args=[assigned.pk]))
            assert response.status_code == 404, (user, name)
        assert (
            login(client, user)
            .post(reverse("judging:close", args=[assigned.pk]), {"confirm": "on"})
            .status_code
            == 404
        )


def test_office_index_lists_the_rounds(client, assigned, office):
    body = text(login(client, office).get(reverse("judging:index")))
    assert "评审与排名" in body
    assert reverse("judging:progress", args=[assigned.pk]) in body
    assert reverse("judging:ranking", args=[assigned.pk]) in body


# --------------------------------------------------------------------------- the ranking page


@pytest.fixture
def tied_round(office, competition, category, units, round1):
    """Six projects, three judges each; the 2nd and 3rd get the same points everywhere (a tie)."""
    nominations = []
    for unit in units[3:6]:
        nominations += accepted(competition, category, unit, n=2)
    for i in range(4):
        make_judge(username=f"r{i}")
    services.assignments_auto(actor=office, round_=round1, seed=1)
    offset = dict(zip([n.pk for n in nominations], [0, 1, 1, 2, 3, 4], strict=True))
    score_all(
        round1, lambda judge, nomination, c: max(Decimal(0), c.max_points - offset[nomination.pk])
    )
    return nominations


def test_ranking_page_marks_ties_and_winners(client, office, round1, tied_round):
    services.snapshot_compute(round_=round1, method="mean")

    response = login(client, office).get(
        reverse("judging:ranking", args=[round1.pk]), {"method": "mean"}
    )

    assert response.status_code == 200
    body = text(response)
    (xm,) = response.context["categories"]
    assert [e["rank"] for e in xm["entries"]] == [1, 2, 2, 4, 5, 6]
    assert [e["tied"] for e in xm["entries"]] == [False, True, True, False, False, False]
    assert body.count('<span class="badge tie">并列</span>') == 2 + 1  # two rows and the legend
    assert "拟表彰" in body
    assert "试算" in body
    assert "算术平均" in body
    # The severity chart: an inline SVG bar per anonymous judge.
    assert "<svg" in body and "评委宽严度" in body
    assert re.search(r'data-judge="J0\d"', body)
    # The office may aggregate and close.
    assert 'data-method="normalized"' in body
    assert "结束本轮评审" in body


def test_ranking_page_compares_two_methods(client, office, round1, tied_round):
    services.snapshot_compute(round_=round1, method="mean")
    services.snapshot_compute(round_=round1, method="median")

    response = login(client, office).get(
        reverse("judging:ranking", args=[round1.pk]), {"method": "mean", "a": "mean", "b": "median"}
    )

    compare = response.context["compare"]
    assert compare["methods"] == ["mean", "median"]
    assert len(compare["rows"]) == 6
    assert "两种方法对照" in text(response)
    assert "中位数" in text(response)


def test_ranking_page_without_a_snapshot(client, office, round1, tied_round):
    body = text(login(client, office).get(reverse("judging:ranking", args=[round1.pk])))
    assert "尚未按" in body
    assert "点击上方的方法按钮开始计算" in body


def test_observers_read_the_ranking_but_act_on_nothing(client, observer, round1, tied_round):
    services.snapshot_compute(round_=round1, method="trimmed_mean")

    response = login(client, observer).get(reverse("judging:ranking", args=[round1.pk]))

    assert response.status_code == 200
    body = text(response)
    assert "并列" in body
    assert "监督员只读查看" in body
    assert "data-method=" not in body
    assert 'action="/judging/rounds/' not in body
    refused = client.post(reverse("judging:close", args=[round1.pk]), {"confirm": "on"})
    assert refused.status_code == 403
    round1.refresh_from_db()
    assert round1.closed_at is None


def test_office_closes_the_round_after_confirming(client, office, round1, tied_round):
    client = login(client, office)
    url = reverse("judging:close", args=[round1.pk])

    unconfirmed = client.post(url, {}, follow=True)
    assert "请先勾选确认" in text(unconfirmed)
    round1.refresh_from_db()
    assert round1.closed_at is None

    response = client.post(url, {"confirm": "on"}, follow=True)

    round1.refresh_from_db()
    assert round1.closed_at is not None
    body = text(response)
    assert "已结束" in body
    assert "正式结果" in body
    assert "结束本轮评审</button>" not in body
    # Closing twice: the service refuses, the page says why.
    again = client.post(url, {"confirm": "on"}, follow=True)
    assert "已经结束" in text(again)


# --------------------------------------------------------------------------- the public 公示 page


@pytest.fixture
def published(office, round1, tied_round, competition):
    from zoneinfo import ZoneInfo

    with time_machine.travel(
        dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True
    ):
        services.round_close(actor=office, round_=round1)
        services.publicity_publish(actor=office, competition=competition, working_days=5)
        yield tied_round


def test_public_publicity_page_lists_names_without_scores(client, competition, published):
    response = client.get(reverse("publicity:detail", args=[competition.pk]))

    assert response.status_code == 200
    body = text(response)
    assert "拟表彰对象公示" in body
    assert "2026年12月2日" in body and "2026年12月8日" in body
    listed = [e["nomination"] for _, entries in response.context["groups"] for e in entries]
    assert listed == [n.pk for n in published[:3]]
    for n in published[:3]:
        assert n.title in body
        assert n.unit.name in body
    for n in published[4:]:
        assert n.title not in body
    assert "100.00" not in body and "得分" not in body and "评委" not in body
    # The objection form: name, mobile, content, the chosen nominee; posting to the public API.
    assert 'id="objection-form"' in body
    assert 'data-url="/api/v1/public/objections/"' in body
    for label in ("姓名", "手机号码", "异议内容", "异议对象"):
        assert label in body


def test_publicity_page_is_404_before_publication(client, competition, assigned):
    response = client.get(reverse("publicity:detail", args=[competition.pk]))
    assert response.status_code == 404
    assert "未找到" in text(response)


def test_publicity_page_after_the_period_refuses_objections(client, competition, published):
    publicity = competition.publicity
    later = dt.datetime.combine(publicity.ends_on + dt.timedelta(days=1), dt.time(9))
    from django.utils import timezone

    with time_machine.travel(timezone.make_aware(later), tick=False):
        body = text(client.get(reverse("publicity:detail", args=[competition.pk])))
    assert 'id="objection-form"' not in body
    assert "不再受理异议" in body


# --------------------------------------------------------------------------- no N+1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_do_not_query_per_row(client, office, competition, category, units, round1, judges):
    judge = judges[1]
    accepted(competition, category, units[3], n=2)
    services.assignments_auto(actor=office, round_=round1, seed=3)
    services.pledge_accept(judge=judge, competition=competition)
    client.force_login(judge)
    few = _queries(client, reverse("judging:index"))
    login(client, office)
    few_progress = _queries(client, reverse("judging:progress", args=[round1.pk]))
    few_conflicts = _queries(client, reverse("judging:conflicts", args=[round1.pk]))

    for unit in units[4:9]:
        accepted(competition, category, unit, n=2)
    services.assignments_auto(actor=office, round_=round1, seed=3)
    for a in Assignment.objects.filter(judge=judge)[:3]:
        services.scorecard_save(judge=judge, assignment=a, scores={}, comment="", version=0)
    assert Scorecard.objects.count() == 3
    assert Assignment.objects.filter(judge=judge).count() > 3

    client.force_login(judge)
    assert _queries(client, reverse("judging:index")) == few
    login(client, office)
    assert _queries(client, reverse("judging:progress", args=[round1.pk])) == few_progress
    assert _queries(client, reverse("judging:conflicts", args=[round1.pk])) == few_conflicts
