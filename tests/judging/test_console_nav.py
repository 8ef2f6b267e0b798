"""The office console's next step: a pure function of the year's state."""

from __future__ import annotations

import pytest

from competition.enums import Phase
from judging.console import nav
from judging.console.nav import RoundState, YearState, next_step


def year(phase, *rounds, **more) -> YearState:
    return YearState(pk=1, phase=phase, rounds=tuple(rounds), **more)


def test_a_draft_year_asks_for_its_settings():
    assert next_step(year(Phase.DRAFT)).key == "setup"


@pytest.mark.parametrize("phase", [Phase.NOMINATING, Phase.REVIEWING])
def test_before_judging_the_step_is_the_review(phase):
    step = next_step(year(phase, nominations_submitted=4))
    assert step.key == "review"
    assert "4 件" in step.detail


def test_open_correction_periods_are_named_in_the_review_step():
    """The office sees why judging cannot start yet: returned nominations still being corrected."""
    import datetime as dt

    waiting = next_step(year(Phase.REVIEWING, corrections_open=2, corrections_until=dt.date(2026, 10, 9)))
    assert waiting.key == "review"
    assert waiting.detail == "2 件推荐退回补正中（补正期最晚至 10月9日），补正期结束或重新提交并审查后才能开始评审。"
    both = next_step(year(Phase.REVIEWING, nominations_submitted=3, corrections_open=1,
                          corrections_until=dt.date(2026, 10, 9)))
    assert both.detail.startswith("还有 3 件推荐待审查。1 件推荐退回补正中")
    assert next_step(year(Phase.REVIEWING)).detail == "审查完毕后进入评审阶段。"


def test_a_round_without_assignments_asks_for_them():
    step = next_step(year(Phase.JUDGING, RoundState(pk=7, name="初评", order=1, closed=False)))
    assert (step.key, step.text, step.round) == ("assign", "分配评审任务", 7)
    assert "初评" in step.detail


def test_a_round_being_scored_points_at_its_progress():
    step = next_step(
        year(Phase.JUDGING, RoundState(pk=7, name="初评", order=1, closed=False, assigned=30, submitted=12))
    )
    assert (step.key, step.round) == ("progress", 7)
    assert "12 / 30" in step.detail


def test_a_fully_scored_round_is_to_be_ranked_and_closed():
    step = next_step(
        year(Phase.JUDGING, RoundState(pk=7, name="初评", order=1, closed=False, assigned=30, submitted=30))
    )
    assert (step.key, step.round) == ("close", 7)


def test_after_closing_a_round_the_next_one_is_assigned():
    state = year(
        Phase.JUDGING,
        RoundState(pk=8, name="终评", order=2, closed=False),
        RoundState(pk=7, name="初评", order=1, closed=True, assigned=30, submitted=30),
    )
    step = next_step(state)
    assert (step.key, step.round) == ("assign", 8)


def test_when_every_round_is_closed_the_publicity_is_next():
    state = year(Phase.JUDGING, RoundState(pk=7, name="初评", order=1, closed=True, assigned=3, submitted=3))
    assert next_step(state).key == "publish"


def test_during_the_publicity_open_objections_come_first():
    assert next_step(year(Phase.PUBLICITY, publicity=True, open_objections=2)).key == "objections"
    assert next_step(year(Phase.PUBLICITY, publicity=True)).key == "finalize"


def test_after_the_final_list_the_certificates():
    assert next_step(year(Phase.FINAL)).key == "certificates"
    assert next_step(year(Phase.ARCHIVED)).key == "done"


def test_a_rule_added_to_the_list_takes_part(monkeypatch):
    extra = lambda state: nav.Step("audit", "核对") if state.phase == Phase.JUDGING else None  # noqa: E731
    monkeypatch.setattr(nav, "STEPS", [extra, *nav.STEPS])
    assert next_step(year(Phase.JUDGING)).key == "audit"


def test_a_step_or_entry_without_its_page_yet_has_no_link(monkeypatch):
    monkeypatch.setitem(nav.STEP_URLS, "publish", ("judging:console:not-built-yet", "competition"))
    assert nav.step_url(nav.Step("publish", "发布公示"), competition=1) is None
    assert nav.step_url(nav.Step("nothing", "x"), competition=1) is None
    monkeypatch.setattr(nav, "ENTRIES", [*nav.ENTRIES, nav.Entry("其他", "尚未建成的页面", "judging:console:not-built-yet")])
    labels = [e["label"] for e in nav.entries(competition=1)]
    assert "评审组" in labels and "尚未建成的页面" not in labels


def test_the_results_steps_link_their_pages():
    assert nav.step_url(nav.Step("publish", "发布公示"), competition=3) == "/judging/office/competitions/3/publicity/"
    assert nav.step_url(nav.Step("objections", "处理异议"), competition=3) == "/judging/office/competitions/3/objections/"
    assert nav.step_url(nav.Step("finalize", "确定表彰结果"), competition=3) == "/judging/office/competitions/3/finalize/"
    labels = [e["label"] for e in nav.entries(competition=3)]
    assert {"公示", "异议", "确定结果", "表彰名单", "荣誉证书", "云展馆", "数据统计"} <= set(labels)


def test_the_assign_step_links_the_rounds_assignment_page():
    step = nav.Step("assign", "分配评审任务", round=7)
    assert nav.step_url(step, competition=1) == "/judging/office/rounds/7/assign/"


def test_a_badge_rides_on_its_entry_and_in_the_waiting_card(monkeypatch):
    """The apps to the right register what waits on their pages; the entries carry it."""
    from judging.console import queries

    badge = nav.Badge(count=3, url="/judging/office/competitions/1/objections/?open", text="3 件待处理")
    monkeypatch.setattr(nav, "BADGES", {})
    nav.register_badge("judging:results-objections", lambda: badge)
    nav.register_badge("judging:results-publicity", lambda: None)  # nothing waits
    nav.register_badge("judging:results-honours", lambda: nav.Badge(count=0, url="/x", text="0"))
    found = queries.badges()
    assert found == {"judging:results-objections": badge}

    pages = {e["name"]: e for e in nav.year_entries(competition=1, badges=found)}
    assert pages["judging:results-objections"]["badge"] == badge
    assert pages["judging:results-publicity"]["badge"] is None
    assert [w["label"] for w in nav.waiting(found)] == ["异议"]
    assert nav.waiting({}) == []


def test_the_exhibition_registers_the_suggestions_badge():
    assert "exhibition:office-suggestions" in nav.BADGES
