"""The .xlsx import of past winners (往年获奖名单): a template to download, a dry
run that lists every problem by row, and an all-or-nothing import.

Columns: 年度, 奖项 (name or code), 名称（项目或组织）, 单位 (the project's
implementing unit; may be empty for an organisation), 推荐单位. Each row goes
through ``past_winners.clean`` (the same checks as the page) and is created by
``past_winner_create`` (audited); a row already recorded is reported and skipped.
"""

from __future__ import annotations

from django.db import transaction

from competition.exceptions import ApplicationError, ValidationFailed
from competition.models import User
from competition.rules import is_office, require

from . import past_winners
from .models import PastWinner
from .spreadsheets.report import ImportResult, RowReport
from .spreadsheets.table import TableColumn, read_table, template_workbook

COLUMNS = [
    TableColumn("year", "年度", ("获奖年度", "年份"), 8, 2019),
    TableColumn("category_code", "奖项", ("奖项名称", "所获奖项", "荣誉"), 22, "最佳志愿服务组织"),
    TableColumn("title", "名称（项目或组织）", ("名称", "项目名称", "组织名称", "项目或组织"), 34, "太原市城市综合管理服务指挥中心"),
    TableColumn("organization", "单位", ("实施单位", "推荐单位/单位"), 30, ""),
    TableColumn("unit_name", "推荐单位", (), 22, "市城管系统"),
]
SHEET = "往年获奖名单"
TEMPLATE_NAME = "往年获奖名单（导入模板）.xlsx"


def template() -> bytes:
    return template_workbook(
        SHEET,
        COLUMNS,
        [
            "往年获奖名单导入模板：每行一个获奖项目或组织；“奖项”填奖项名称（如最佳志愿服务项目）或代码。",
            "“单位”填项目的实施单位（组织可不填）；系统据“名称”与“单位”判断往年获奖者不得再次推荐。",
        ],
    )


def summary(result: ImportResult) -> str:
    wrong = len(result.wrong_rows)
    if result.errors or wrong:
        return f"共 {len(result.rows)} 行，其中 {wrong} 行有误" + (
            f"，另有 {len(result.errors)} 处文件问题" if result.errors else ""
        ) + "，未导入任何记录。"
    if not result.rows:
        return "文件中没有可导入的数据行。"
    skipped = sum(1 for r in result.rows if r.action == "skip")
    extra = f"（其中 {skipped} 行已在名单中，将跳过）" if skipped else ""
    if result.dry_run:
        return f"试运行：共 {len(result.rows)} 行，全部可以导入{extra}；未写入任何数据。"
    return f"已导入 {len(result.created)} 条往年获奖记录" + (f"，{skipped} 行已在名单中，已跳过。" if skipped else "。")


def import_past_winners(*, actor: User, content: bytes, dry_run: bool = True) -> ImportResult:
    """Import the workbook, or (dry run) report what it would do. Nothing is written when any row is wrong."""
    require(is_office, actor, message=past_winners.OFFICE_ONLY)
    rows, problems, _ignored = read_table(content, COLUMNS, required=("year", "category_code", "title"))
    result = ImportResult(dry_run=dry_run, errors=problems)
    awards = past_winners.known_awards()
    seen: dict[tuple, int] = {}
    with transaction.atomic():
        for parsed in rows:
            report = RowReport(sheet=SHEET, row=parsed.row, title=str(parsed.values.get("title") or ""), cells=parsed.cells)
            result.rows.append(report)
            data = {k: ("" if v is None else v) for k, v in parsed.values.items()}
            try:
                cleaned = past_winners.clean(data, awards=awards)
            except ValidationFailed as exc:
                for name, messages in exc.fields.items():
                    for message in messages:
                        report.add(name, message)
                continue
            key = (cleaned["year"], cleaned["category_code"], cleaned["normalized_key"])
            if key in seen:
                report.add("title", f"名称：与第 {seen[key]} 行重复（同一年度、同一奖项、同一名称与单位）。")
                continue
            seen[key] = parsed.row
            if PastWinner.objects.filter(
                year=key[0], category_code=key[1], normalized_key=key[2]
            ).exists():
                report.action = "skip"
                continue
            try:
                winner = past_winners.past_winner_create(actor=actor, data={k: cleaned[k] for k in past_winners.FIELDS})
            except ApplicationError as exc:
                report.add_refusal(exc)
                continue
            report.id = winner.pk
            result.created.append(winner.pk)
        if dry_run or result.errors or result.wrong_rows:
            transaction.set_rollback(True)  # a dry run, or a wrong row: nothing is written
            result.forget_writes()
    return result
