"""The .xlsx exports of the office's results pages: the 表彰名单 and the statistics.

Written with the ranking export's sheet writer (``exports._SheetWriter``):
text stays text (a title such as ``=HYPERLINK(…)`` never becomes a formula),
the same header and cell styles. openpyxl is imported inside the functions.
"""

from __future__ import annotations

import io

from competition.models import Competition

from . import standings
from .exports import XLSX_CONTENT_TYPE, _SheetWriter, _styles

__all__ = ["XLSX_CONTENT_TYPE", "honours_xlsx", "statistics_xlsx"]

HONOURS_HEADERS = ["序号", "奖项", "名称", "实施单位/所在单位", "推荐单位", "最终得分", "最终名次"]


def _workbook(title: str):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.title = title
    workbook.properties.creator = "太原市学雷锋志愿服务先进典型推选评审系统"
    return workbook


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _page_setup(ws) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def honours_xlsx(competition: Competition) -> bytes:
    """The final 表彰名单: one sheet, a block per category, numbered within it."""
    blocks = standings.award_rows(competition=competition, final_only=True)
    workbook = _workbook(f"{competition.title}表彰名单")
    ws = workbook.active
    ws.title = "表彰名单"
    _page_setup(ws)
    out = _SheetWriter(ws, _styles())
    out.write([f"{competition.title}表彰名单"], style="title")
    out.write([f"共 {sum(len(b.rows) for b in blocks)} 个"], style="plain")
    out.skip()
    out.widths([7, 20, 36, 30, 22, 10, 10])
    for block in blocks:
        out.write([f"{block.category.name}（{len(block.rows)} 个）"], style="section")
        out.write(HONOURS_HEADERS, style="header")
        for number, row in enumerate(block.rows, start=1):
            nomination = row.nomination
            out.write(
                [
                    number,
                    block.category.name,
                    nomination.title,
                    nomination.organization or "",
                    nomination.unit.name,
                    row.award.final_score,
                    row.award.final_rank,
                ]
            )
        out.skip()
    if not blocks:
        out.write(["表彰结果尚未确定。"], style="note")
    return _save(workbook)


def statistics_xlsx(stats: standings.Statistics) -> bytes:
    """Two sheets: per recommending unit and per category, with a total line."""
    keys = [*standings.COUNT_KEYS, *standings.SUM_KEYS]
    labels = {**standings.STAT_LABELS, "winners": stats.winners_label}
    workbook = _workbook(f"{stats.competition.title}数据统计")
    styles = _styles()
    for index, (title, first, rows) in enumerate(
        (("按推荐单位", "推荐单位", stats.units), ("按奖项", "奖项", stats.categories))
    ):
        ws = workbook.active if index == 0 else workbook.create_sheet()
        ws.title = title
        _page_setup(ws)
        out = _SheetWriter(ws, styles)
        out.write([f"{stats.competition.title}数据统计（{title}）"], style="title")
        out.write(["志愿者人数、服务时长、活动次数为审查通过的推荐所填数据之和；曾退回修改含补正后通过的推荐。"], style="note")
        out.skip()
        out.widths([30, *([12] * len(keys))])
        out.write([first, *(labels[k] for k in keys)], style="header")
        for row in rows:
            out.write([row.name, *(row.get(k) for k in keys)])
        out.write(["合计", *(stats.totals[k] for k in keys)], style="header")
    return _save(workbook)
