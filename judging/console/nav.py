"""The office console's navigation: where the year stands and the next step to take.

``next_step(state)`` is pure: it reads a ``YearState`` (the competition's
phase, its rounds' counts, the 公示 and objections) and answers the one step
the office should take now, as a key, a Chinese text and the object it acts
on. ``STEPS`` is the ordered list of rules it tries; ``STEP_URLS`` maps each
step's key to the page that does it. ``ENTRIES`` lists the console's pages as
the office's navigation shows them. All three are plain lists and dicts: the
pages of 公示, objections, finalisation, certificates and statistics are added
as entries (and their URL names in ``STEP_URLS``) without changing the code.
An entry or a step whose URL name does not exist (yet) is left out, never an
error.

``BADGES`` maps an entry's URL name to a counter of what waits on that page
(the suggestions not yet handled, …): the app that owns the page registers
it (``register_badge``, from its ``AppConfig.ready``), since this app may not
import the apps to its right. ``queries.badges`` asks them; the entries and
the year page show each count as a badge that links to the page filtered to
what waits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.urls import NoReverseMatch, reverse

from competition.enums import Phase

# --------------------------------------------------------------------------- the state (plain data)


@dataclass(frozen=True)
class RoundState:
    pk: int
    name: str
    order: int
    closed: bool
    assigned: int = 0
    submitted: int = 0


@dataclass(frozen=True)
class YearState:
    pk: int
    phase: str
    rounds: tuple[RoundState, ...] = ()
    nominations_submitted: int = 0  # waiting for 资格审查
    corrections_open: int = 0  # returned, their correction period (补正期) still running
    corrections_until: date | None = None  # the last day of the latest of those periods
    publicity: bool = False
    open_objections: int = 0
    proposed_awards: int = 0


@dataclass(frozen=True)
class Step:
    key: str
    text: str
    detail: str = ""
    round: int | None = None  # the round it acts on, if any


# --------------------------------------------------------------------------- the rules


def _open_round(state: YearState) -> RoundState | None:
    return next((r for r in sorted(state.rounds, key=lambda r: r.order) if not r.closed), None)


def _setup(state: YearState) -> Step | None:
    if state.phase == Phase.DRAFT:
        return Step("setup", "完成年度设置并开放申报", "设置奖项、名额、评分细则与评审轮次，然后开放申报。")
    return None


def _nominating(state: YearState) -> Step | None:
    if state.phase == Phase.NOMINATING:
        detail = f"已有 {state.nominations_submitted} 件推荐待审查。" if state.nominations_submitted else "申报截止前推荐单位陆续提交推荐。"
        return Step("review", "受理推荐并开展资格审查", detail)
    return None


def _corrections(state: YearState) -> str:
    if not state.corrections_open:
        return ""
    until = f"{state.corrections_until.month}月{state.corrections_until.day}日" if state.corrections_until else ""
    return (
        f"{state.corrections_open} 件推荐退回补正中（补正期最晚至 {until}），"
        "补正期结束或重新提交并审查后才能开始评审。"
    )


def _reviewing(state: YearState) -> Step | None:
    if state.phase == Phase.REVIEWING:
        if state.nominations_submitted:
            detail = f"还有 {state.nominations_submitted} 件推荐待审查。" + _corrections(state)
        else:
            detail = _corrections(state) or "审查完毕后进入评审阶段。"
        return Step("review", "完成资格审查", detail)
    return None


def _judging(state: YearState) -> Step | None:
    if state.phase != Phase.JUDGING:
        return None
    current = _open_round(state)
    if current is None:
        return Step("publish", "发布公示", "各轮评审均已结束，请核对拟表彰名单后发布公示。")
    if current.assigned == 0:
        return Step("assign", "分配评审任务", f"“{current.name}”尚未分配评委。", current.pk)
    if current.submitted < current.assigned:
        return Step(
            "progress",
            "跟进评审进度",
            f"“{current.name}”已提交 {current.submitted} / {current.assigned} 份评分表。",
            current.pk,
        )
    return Step("close", "计算排名并结束本轮评审", f"“{current.name}”的评分表已全部提交。", current.pk)


def _publicity(state: YearState) -> Step | None:
    if state.phase != Phase.PUBLICITY:
        return None
    if state.open_objections:
        return Step("objections", "处理异议", f"有 {state.open_objections} 件异议待处理。")
    return Step("finalize", "确定表彰结果", "公示期满且异议处理完毕后确定表彰名单。")


def _final(state: YearState) -> Step | None:
    if state.phase == Phase.FINAL:
        return Step("certificates", "颁发荣誉证书", "表彰结果已确定：生成荣誉证书，再将获奖项目发布到云展馆。")
    return None


def _archived(state: YearState) -> Step | None:
    if state.phase == Phase.ARCHIVED:
        return Step("done", "本年度推选已归档", "")
    return None


STEPS: list[Callable[[YearState], Step | None]] = [
    _setup,
    _nominating,
    _reviewing,
    _judging,
    _publicity,
    _final,
    _archived,
]


def next_step(state: YearState) -> Step:
    """The first step a rule of ``STEPS`` gives for the state (pure)."""
    for rule in STEPS:
        step = rule(state)
        if step is not None:
            return step
    return Step("none", "暂无待办事项")


# --------------------------------------------------------------------------- where each step is done

# key -> (URL name, what it takes: "round", "competition" or "" for nothing).
STEP_URLS: dict[str, tuple[str, str]] = {
    "setup": ("setup:dates", "competition"),
    "review": ("nominations:review", ""),
    "assign": ("judging:console:assign", "round"),
    "progress": ("judging:progress", "round"),
    "close": ("judging:ranking", "round"),
    "publish": ("judging:results-publicity", "competition"),
    "objections": ("judging:results-objections", "competition"),
    "finalize": ("judging:results-finalize", "competition"),
    "certificates": ("certificates:competition", "competition"),
}


def _reverse(name: str, args: list) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _args(kind: str, *, competition: int, round_: int | None) -> list | None:
    if kind == "round":
        return None if round_ is None else [round_]
    if kind == "competition":
        return [competition]
    return []


def step_url(step: Step, *, competition: int) -> str | None:
    target = STEP_URLS.get(step.key)
    if target is None:
        return None
    args = _args(target[1], competition=competition, round_=step.round)
    return None if args is None else _reverse(target[0], args)


# --------------------------------------------------------------------------- the console's pages


@dataclass(frozen=True)
class Entry:
    """One page of the office's navigation. ``takes``: "competition", "round" or ""."""

    group: str
    label: str
    url_name: str
    takes: str = "competition"
    phases: tuple[str, ...] = field(default_factory=tuple)  # shown only in these phases (empty: always)


ENTRIES: list[Entry] = [
    Entry("年度设置", "新建年度", "setup:new", takes=""),
    Entry("年度设置", "奖项与名额", "setup:categories"),
    Entry("年度设置", "评分细则", "setup:rubrics"),
    Entry("年度设置", "评审轮次", "setup:rounds"),
    Entry("年度设置", "工作日历（节假日与调休）", "competition-calendar"),
    Entry("年度设置", "颁发单位与印章", "setup:issuers"),
    Entry("年度设置", "日期与开放申报", "setup:dates"),
    Entry("年度设置", "往年获奖名单", "nominations:past-winners", takes=""),
    Entry("单位与账号", "推荐单位", "people:units", takes=""),
    Entry("单位与账号", "账号", "people:accounts", takes=""),
    Entry("单位与账号", "批量导入账号", "people:import", takes=""),
    Entry("单位与账号", "评审专家", "people:judges", takes=""),
    Entry("推荐与资格审查", "资格审查", "nominations:review", takes=""),
    Entry("评审", "评审组", "judging:console:panels"),
    Entry("评审", "分配评委", "judging:console:assign", takes="round"),
    Entry("评审", "评审进度", "judging:progress", takes="round"),
    Entry("评审", "回避冲突", "judging:conflicts", takes="round"),
    Entry("评审", "排名", "judging:ranking", takes="round"),
    Entry("公示与表彰", "概览", "judging:results-overview"),
    Entry("公示与表彰", "公示", "judging:results-publicity"),
    Entry("公示与表彰", "异议", "judging:results-objections"),
    Entry("公示与表彰", "确定结果", "judging:results-finalize"),
    Entry("公示与表彰", "表彰名单", "judging:results-honours"),
    Entry("表彰与证书", "荣誉证书", "certificates:competition"),
    Entry("表彰与证书", "云展馆", "exhibition:office-publish"),
    Entry("表彰与证书", "云展馆：推荐项目", "exhibition:office-recommended"),
    Entry("表彰与证书", "云展馆：往年展品", "exhibition:office-history", takes=""),
    Entry("云展馆", "意见建议", "exhibition:office-suggestions", takes=""),
    Entry("云展馆", "展厅内容（序篇、文化展、制度展、主题展）", "exhibition:office-halls", takes=""),
    Entry("数据统计", "数据统计", "judging:results-statistics"),
]


@dataclass(frozen=True)
class Badge:
    """What waits on a page: how many, the page filtered to them, and the words (``"3 条待处理"``)."""

    count: int
    url: str
    text: str


# URL name of an entry -> a function of no arguments answering its Badge (None: nothing waits).
BADGES: dict[str, Callable[[], Badge | None]] = {}


def register_badge(url_name: str, counter: Callable[[], Badge | None]) -> Callable[[], Badge | None]:
    """Show ``counter``'s count on the entry ``url_name`` (registered by the app that owns the page)."""
    BADGES[url_name] = counter
    return counter


def entries(
    *,
    competition: int,
    round_: int | None = None,
    takes: str = "competition",
    phase: str = "",
    badges: dict[str, Badge] | None = None,
) -> list[dict]:
    """The entries of one kind (per competition, or per round) that exist, with their URLs
    (and the badge of each that has one in ``badges``)."""
    badges = badges or {}
    out = []
    for entry in ENTRIES:
        if entry.takes != takes or (entry.phases and phase not in entry.phases):
            continue
        args = _args(entry.takes, competition=competition, round_=round_)
        url = None if args is None else _reverse(entry.url_name, args)
        if url:
            out.append(
                {
                    "group": entry.group,
                    "label": entry.label,
                    "url": url,
                    "name": entry.url_name,
                    "badge": badges.get(entry.url_name),
                }
            )
    return out


def year_entries(*, competition: int, phase: str = "", badges: dict[str, Badge] | None = None) -> list[dict]:
    """The year page's entries (those of no round and those of the year), each group listed
    once, groups and entries in ``ENTRIES`` order."""
    found = entries(competition=competition, takes="", phase=phase, badges=badges) + entries(
        competition=competition, phase=phase, badges=badges
    )
    groups: list[str] = []
    for entry in ENTRIES:
        if entry.group not in groups:
            groups.append(entry.group)
    position = {e.url_name: i for i, e in enumerate(ENTRIES)}
    return sorted(found, key=lambda e: (groups.index(e["group"]), position[e["name"]]))


def waiting(badges: dict[str, Badge]) -> list[dict]:
    """The year page's card of what waits: the entries with a badge, in ``ENTRIES`` order."""
    out = []
    for entry in ENTRIES:
        badge = badges.get(entry.url_name)
        if badge is not None and all(w["name"] != entry.url_name for w in out):
            out.append({"group": entry.group, "label": entry.label, "name": entry.url_name, "badge": badge})
    return out
