"""Exports of a ranking snapshot: the .xlsx workbook and the printable PDF report.

Both read one ``RankingSnapshot`` with a constant number of queries (the
round and competition, the categories and their criteria, the entries with
their nominations and units, the round's submitted scorecards with their
points, the judges' anonymous codes), whatever the number of nominations.

- ``ranking_xlsx`` writes three sheets: 排名 (per category: rank, title, unit,
  score, judges counted, 并列 / 晋级 / 拟表彰 and each criterion's mean),
  评委明细 (every counted scorecard under its anonymous judge code, with its
  points per criterion) and 评委一致性 (Kendall's W and each judge's count,
  mean, spread and severity). Every sheet opens with the same header block:
  competition, round, method, official or trial, computed time (Beijing
  time) and the input checksum. Text is always written as text: a title
  such as ``=HYPERLINK(…)`` never becomes a formula.
- ``ranking_pdf`` renders ``judging/ranking_report.html`` (Django templates,
  autoescaped) with WeasyPrint: A4 portrait, the system Noto CJK fonts, page
  numbers and the checksum in every page's footer. Nothing is fetched: the
  report has no external resources and the URL fetcher refuses every URL.

Judges appear only as their codes (J01, J02, … from ``selectors.judge_codes``),
never by name or username. The per-criterion means and the breakdown are
computed from the round's submitted scorecards; when those are no longer the
ones the snapshot was computed from (its checksum differs: a scorecard was
unlocked and changed after a trial computation), both exports say so.

openpyxl and WeasyPrint are imported inside the functions that use them
(architecture.md).
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from competition.enums import AggregationMethod
from competition.models import Category, Competition, Criterion, Round
from competition.xlsx import XLSX_CONTENT_TYPE, write_cell

from . import aggregation, selectors
from .models import RankingEntry, RankingSnapshot
from .services.results import inputs_checksum, round_scorecards

__all__ = ["XLSX_CONTENT_TYPE", "PDF_CONTENT_TYPE", "ranking_xlsx", "ranking_pdf", "report_data"]

PDF_CONTENT_TYPE = "application/pdf"
BEIJING = ZoneInfo("Asia/Shanghai")

SHEET_RANKING = "排名"
SHEET_JUDGES = "评委明细"
SHEET_AGREEMENT = "评委一致性"

STATUS_OFFICIAL = "正式结果"
STATUS_TRIAL = "试算"
YES = "是"
STALE_WARNING = (
    "注意：本结果计算之后，本轮已提交的评分又有变更；各项均分与评委明细按当前评分列出，"
    "可能与得分不一致，请重新计算排名。"
)
SEVERITY_NOTE = (
    "说明：平均分、标准差为该评委所评总分的平均值与总体标准差；宽严度为该评委所评总分与"
    "同一对象全体评委平均分之差的平均值（负数偏严，正数偏宽）；偏离共识：宽严度的绝对值"
    f"大于 {aggregation.DEFAULT_SEVERITY_THRESHOLD} 分。肯德尔和谐系数 W 取值 0～1，"
    "越接近 1 评委意见越一致。"
)


# --------------------------------------------------------------------------- data


@dataclass
class Line:
    """One nomination's line in the ranking, with its scorecards."""

    entry: RankingEntry
    title: str
    unit: str
    means: dict[int, Decimal]  # criterion id -> mean points (2 places)
    cards: list[tuple[str, aggregation.Scorecard]]  # (judge code, scorecard), by code

    @property
    def score_text(self) -> str:
        return f"{self.entry.score:.2f}"

    @property
    def marks(self) -> str:
        e = self.entry
        return " ".join(m for m, on in (("并列", e.tied), ("晋级", e.advances), ("拟表彰", e.proposed_winner)) if on)


@dataclass
class Block:
    """One category of the snapshot."""

    category: Category
    criteria: list[Criterion]
    lines: list[Line] = field(default_factory=list)
    kendall_w: float | None = None
    judges: list[dict] = field(default_factory=list)  # statistics, judge as its code
    has_statistics: bool = False


@dataclass
class Report:
    snapshot: RankingSnapshot
    round: Round
    competition: Competition
    method_label: str
    status_label: str
    computed_at: str  # Beijing time, "2026-12-02 10:00:00"
    checksum: str
    stale: bool
    blocks: list[Block]

    @property
    def ranked_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.lines]

    @property
    def header_lines(self) -> list[str]:
        lines = [
            f"轮次：{self.round.name}",
            f"计分方法：{self.method_label}",
            f"结果性质：{self.status_label}",
            f"计算时间：{self.computed_at}（北京时间）",
            f"输入校验和：{self.checksum}",
        ]
        if self.stale:
            lines.append(STALE_WARNING)
        return lines


def method_label(method: str) -> str:
    try:
        return str(AggregationMethod(method).label)
    except ValueError:
        return method


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def report_data(snapshot: RankingSnapshot) -> Report:
    """Everything both exports print, in a constant number of queries."""
    round_ = snapshot.round
    competition = round_.competition
    categories = list(
        Category.objects.filter(competition_id=round_.competition_id)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("order", "id"))
        )
    )
    entries = list(
        RankingEntry.objects.filter(snapshot=snapshot)
        .select_related("nomination__unit")
        .only(
            "snapshot_id",
            "category_id",
            "score",
            "rank",
            "judges",
            "tied",
            "advances",
            "proposed_winner",
            "nomination__title",
            "nomination__unit__name",
        )
        .order_by("rank", "nomination_id")
    )
    by_category = round_scorecards(round_)
    codes = selectors.judge_codes(round_=round_)

    stale = (
        inputs_checksum(by_category, method=snapshot.method, parameters=snapshot.parameters)
        != snapshot.checksum
    )
    cards = [card for category_cards in by_category.values() for card in category_cards]
    means = aggregation.criterion_means(cards)
    cards_of: dict[int, list[tuple[str, aggregation.Scorecard]]] = defaultdict(list)
    for card in cards:
        cards_of[card.nomination].append((codes.get(card.judge, "J??"), card))
    for own in cards_of.values():
        own.sort(key=lambda item: (item[0], item[1].judge))

    blocks = {c.pk: Block(category=c, criteria=list(c.criteria.all())) for c in categories}
    for entry in entries:
        block = blocks.get(entry.category_id)
        if block is None:  # a category of another competition: impossible, but never crash
            continue
        block.lines.append(
            Line(
                entry=entry,
                title=entry.nomination.title,
                unit=entry.nomination.unit.name,
                means=means.get(entry.nomination_id, {}),
                cards=cards_of.get(entry.nomination_id, []),
            )
        )
    for key, stats in (snapshot.statistics or {}).items():
        block = blocks.get(int(key)) if str(key).isdigit() else None
        if block is None:
            continue
        block.has_statistics = True
        block.kendall_w = stats.get("kendall_w")
        block.judges = sorted(
            (
                {
                    "code": codes.get(j.get("judge"), "J??"),
                    "count": j.get("count"),
                    "mean": _decimal(j.get("mean")),
                    "spread": _decimal(j.get("spread")),
                    "severity": _decimal(j.get("severity")),
                    "far_from_consensus": bool(j.get("far_from_consensus")),
                }
                for j in stats.get("judges", [])
            ),
            key=lambda j: j["code"],
        )

    computed = snapshot.computed_at.astimezone(BEIJING) if snapshot.computed_at else None
    return Report(
        snapshot=snapshot,
        round=round_,
        competition=competition,
        method_label=method_label(snapshot.method),
        status_label=STATUS_OFFICIAL if snapshot.official else STATUS_TRIAL,
        computed_at=computed.strftime("%Y-%m-%d %H:%M:%S") if computed else "",
        checksum=snapshot.checksum,
        stale=stale,
        blocks=[b for b in blocks.values() if b.lines or b.has_statistics],
    )


def export_filename(snapshot: RankingSnapshot, extension: str) -> str:
    """The Chinese file name of a download (Django writes ``Content-Disposition``)."""
    round_ = snapshot.round
    status = STATUS_OFFICIAL if snapshot.official else STATUS_TRIAL
    name = (
        f"{round_.competition.title}{round_.name}排名"
        f"（{method_label(snapshot.method)}，{status}）.{extension}"
    )
    return re.sub(r'[\\/:*?"<>|\r\n\t]', "_", name)


# --------------------------------------------------------------------------- .xlsx


class _SheetWriter:
    """Writes rows top to bottom; text stays text, decimals get two places."""

    def __init__(self, ws, styles: dict[str, Any]):
        self.ws = ws
        self.row = 0
        self.styles = styles

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def write(self, values: list[Any], *, style: str = "cell", formats: dict[int, str] | None = None):
        self.row += 1
        formats = formats or {}
        st = self.styles[style]
        for index, value in enumerate(values, start=1):
            # Text entered by units is text: "=…" is never a formula, "#N/A" never an error.
            if isinstance(value, Decimal):
                number_format = formats.get(index, "0.00")
            elif isinstance(value, float):
                number_format = formats.get(index, "0.000")
            else:
                number_format = formats.get(index)
            cell = write_cell(self.ws, self.row, index, value, number_format=number_format)
            if st.get("font") is not None:
                cell.font = st["font"]
            if st.get("fill") is not None:
                cell.fill = st["fill"]
            if st.get("alignment") is not None:
                cell.alignment = st["alignment"]
            if st.get("border") is not None:
                cell.border = st["border"]

    def header_block(self, report: Report, subtitle: str) -> None:
        self.write([report.competition.title], style="title")
        self.ws.row_dimensions[self.row].height = 24
        self.write([subtitle], style="subtitle")
        for line in report.header_lines:
            self.write([line], style="warning" if line == STALE_WARNING else "plain")
        self.skip()

    def widths(self, widths: list[float]) -> None:
        from openpyxl.utils import get_column_letter

        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width


def _styles() -> dict[str, dict[str, Any]]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    return {
        "title": {"font": Font(bold=True, size=14)},
        "subtitle": {"font": Font(bold=True, size=12)},
        "plain": {},
        "warning": {"font": Font(bold=True, color="C00000")},
        "section": {"font": Font(bold=True, size=12)},
        "note": {"font": Font(italic=True, color="555555")},
        "header": {
            "font": Font(bold=True),
            "fill": PatternFill("solid", fgColor="DDEBF7"),
            "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
            "border": border,
        },
        "cell": {"alignment": Alignment(vertical="top", wrap_text=True), "border": border},
    }


RANKING_HEADERS = ["名次", "名称", "推荐单位", "奖项", "得分", "有效评分数", "并列", "晋级", "拟表彰"]
JUDGE_HEADERS = ["名次", "名称", "推荐单位", "奖项", "评委", "加权总分"]
AGREEMENT_HEADERS = ["评委", "评分数", "平均分", "标准差", "宽严度", "偏离共识"]


def _mark(flag: bool) -> str | None:
    return YES if flag else None


def _write_ranking(out: _SheetWriter, report: Report) -> None:
    out.header_block(report, f"{report.round.name}排名")
    widest = max((len(b.criteria) for b in report.blocks), default=0)
    out.widths([7, 34, 20, 18, 9, 10, 7, 7, 8, *([12] * widest)])
    for block in report.blocks:
        if not block.lines:
            continue
        out.write([f"奖项：{block.category.name}（共 {len(block.lines)} 项）"], style="section")
        out.write([*RANKING_HEADERS, *(c.name for c in block.criteria)], style="header")
        for line in block.lines:
            e = line.entry
            out.write(
                [
                    e.rank,
                    line.title,
                    line.unit,
                    block.category.name,
                    e.score,
                    e.judges,
                    _mark(e.tied),
                    _mark(e.advances),
                    _mark(e.proposed_winner),
                    *(line.means.get(c.pk) for c in block.criteria),
                ]
            )
        out.skip()
    if not any(b.lines for b in report.blocks):
        out.write(["本轮尚无排名条目。"], style="note")
    out.write(["说明：得分保留两位小数；各评分项为有效评分表的该项平均分（保留两位小数）。"], style="note")


def _write_judges(out: _SheetWriter, report: Report) -> None:
    out.header_block(report, f"{report.round.name}评委评分明细（评委以匿名编号表示）")
    widest = max((len(b.criteria) for b in report.blocks), default=0)
    out.widths([7, 34, 20, 18, 8, 10, *([12] * widest)])
    for block in report.blocks:
        if not block.lines:
            continue
        out.write([f"奖项：{block.category.name}"], style="section")
        out.write([*JUDGE_HEADERS, *(c.name for c in block.criteria)], style="header")
        for line in block.lines:
            for code, card in line.cards:
                out.write(
                    [
                        line.entry.rank,
                        line.title,
                        line.unit,
                        block.category.name,
                        code,
                        card.total,
                        *(card.criteria.get(c.pk) for c in block.criteria),
                    ]
                )
        out.skip()


def _write_agreement(out: _SheetWriter, report: Report) -> None:
    out.header_block(report, f"{report.round.name}评委一致性（评委以匿名编号表示）")
    out.widths([16, 10, 10, 10, 10, 10])
    for block in report.blocks:
        if not block.has_statistics:
            continue
        out.write([f"奖项：{block.category.name}"], style="section")
        w = block.kendall_w
        out.write(
            ["肯德尔和谐系数 W", float(w) if w is not None else "无法计算"],
            style="plain",
            formats={2: "0.000"},
        )
        out.write(AGREEMENT_HEADERS, style="header")
        for j in block.judges:
            out.write(
                [
                    j["code"],
                    j["count"],
                    j["mean"],
                    j["spread"],
                    j["severity"],
                    _mark(j["far_from_consensus"]),
                ]
            )
        out.skip()
    out.write([SEVERITY_NOTE], style="note")


def ranking_xlsx(snapshot: RankingSnapshot) -> bytes:
    """The snapshot as an .xlsx workbook: sheets 排名, 评委明细, 评委一致性."""
    from openpyxl import Workbook

    report = report_data(snapshot)
    styles = _styles()
    workbook = Workbook()
    workbook.properties.title = f"{report.competition.title} {report.round.name}排名"
    workbook.properties.creator = "太原市学雷锋志愿服务先进典型推选评审系统"
    ranking = workbook.active
    ranking.title = SHEET_RANKING
    for ws, write in (
        (ranking, _write_ranking),
        (workbook.create_sheet(SHEET_JUDGES), _write_judges),
        (workbook.create_sheet(SHEET_AGREEMENT), _write_agreement),
    ):
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        write(_SheetWriter(ws, styles), report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PDF


def _refusing_fetcher():
    """A WeasyPrint URL fetcher that fetches nothing: the report needs no resource."""
    from weasyprint.urls import URLFetcher

    class RefuseAll(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"the ranking report fetches no resources ({url[:60]})")

    return RefuseAll()


def ranking_pdf(snapshot: RankingSnapshot) -> bytes:
    """The printable ranking report (A4 portrait) of the snapshot as PDF bytes."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    report = report_data(snapshot)
    html = render_to_string("judging/ranking_report.html", {"report": report})
    return HTML(string=html, base_url=None, url_fetcher=_refusing_fetcher()).write_pdf()
