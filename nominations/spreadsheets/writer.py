"""Writing the 推荐汇总表: the export of nominations as .xlsx.

One worksheet per award category, named after the category (sanitised to
Excel's 31 characters without ``[]:*?/\\``); row 1 the title, row 2 who
exported it and when, row 3 the header (``columns``), data from row 4. The
import decides the 奖项 by the sheet name, so an exported file round-trips
into the import. Cells are written by ``competition.xlsx.write_cell`` (text
stays text).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from competition.models import Category, Competition, Unit
from competition.xlsx import write_cell

from ..enums import ServiceField, Status
from ..models import Nomination
from .columns import COLUMNS, FIRST_DATA_ROW, HEADER_ROW, INFO_ROW, TITLE_ROW, Column, sheet_names
from .reader import MAX_ROWS

# Statuses the export leaves out: drafts (unless a unit exports its own with
# include_drafts) and withdrawn nominations (taken back, no longer proposed).
EXPORT_EXCLUDED = (Status.DRAFT, Status.WITHDRAWN)


def export_queryset(
    nominations: QuerySet[Nomination], *, competition: Competition, include_drafts: bool = False
) -> QuerySet[Nomination]:
    """The rows of an export, from an already scoped queryset, in the 推荐汇总表 order.

    Ordered per category by the unit's order, then the unit's preference
    order (unnumbered drafts last). One query whatever the number of rows.
    """
    excluded = [Status.WITHDRAWN] if include_drafts else list(EXPORT_EXCLUDED)
    return (
        nominations.filter(competition=competition)
        .exclude(status__in=excluded)
        .select_related("competition", "category", "unit")
        .prefetch_related(None)
        .order_by(
            "category__order",
            "category_id",
            "unit__order",
            "unit__code",
            F("order").asc(nulls_last=True),
            "id",
        )
    )


def _export_value(column: Column, nomination: Nomination, seq: int) -> Any:
    if column.export == "seq":
        return seq
    if column.export == "unit":
        return nomination.unit.name
    if column.export == "years":
        return nomination.years_running
    if column.export == "status":
        return nomination.get_status_display()
    if column.export == "warnings":
        return "\n".join(w.get("message", "") for w in nomination.warnings or [])
    value = getattr(nomination, column.field)
    if column.type == "list":
        return "\n".join(value or [])
    if column.type == "bool":
        return "是" if value else "否"
    return value


def export_workbook(
    *,
    competition: Competition,
    nominations: Iterable[Nomination],
    categories: Iterable[Category] | None = None,
    unit: Unit | None = None,
) -> bytes:
    """The 推荐汇总表 as .xlsx bytes: one sheet per category, rows in the given order."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if categories is None:
        categories = Category.objects.filter(competition=competition).order_by("order", "id")
    categories = list(categories)
    by_category: dict[int, list[Nomination]] = {c.pk: [] for c in categories}
    for nomination in nominations:
        by_category.setdefault(nomination.category_id, []).append(nomination)

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    exported_at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    who = f"推荐单位（盖章）：{unit.name}" if unit else "推荐单位：全部"

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, category in sheet_names(categories).items():
        columns = COLUMNS[category.kind]
        rows = by_category.get(category.pk, [])
        ws = workbook.create_sheet(title=name)
        last = get_column_letter(len(columns))

        ws.cell(TITLE_ROW, 1, f"{competition.title} {category.name}推荐汇总表")
        ws.cell(TITLE_ROW, 1).font = Font(bold=True, size=16)
        ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
        ws.row_dimensions[TITLE_ROW].height = 30
        ws.cell(INFO_ROW, 1, f"{who}    导出时间：{exported_at}    共 {len(rows)} 项")
        ws.merge_cells(f"A{INFO_ROW}:{last}{INFO_ROW}")

        for index, column in enumerate(columns, start=1):
            cell = ws.cell(HEADER_ROW, index, column.header)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 5)

        for seq, nomination in enumerate(rows, start=1):
            row = FIRST_DATA_ROW + seq - 1
            for index, column in enumerate(columns, start=1):
                # Text entered by units is text: "=…" is never a formula, "#N/A" never an error.
                cell = write_cell(ws, row, index, _export_value(column, nomination, seq))
                cell.alignment = wrap
                cell.border = border

        # Help whoever fills the sheet in by hand (the export doubles as a template).
        fields = [c.field for c in columns]
        if "field" in fields:
            letter = get_column_letter(fields.index("field") + 1)
            choices = ",".join(ServiceField.values)
            validation = DataValidation(
                type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=False
            )
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + MAX_ROWS}")
            ws.add_data_validation(validation)
        letter = get_column_letter(fields.index("pledge") + 1)
        validation = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + MAX_ROWS}")
        ws.add_data_validation(validation)

    if not workbook.sheetnames:
        ws = workbook.create_sheet(title="推荐汇总表")
        ws.cell(1, 1, f"{competition.title}：尚未设置奖项。")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(competition: Competition, unit: Unit | None = None) -> str:
    who = (unit.short_name or unit.name) if unit else ""
    name = f"{competition.title}{who}推荐汇总表.xlsx"
    return re.sub(r'[\\/:*?"<>|\r\n]', "_", name)
