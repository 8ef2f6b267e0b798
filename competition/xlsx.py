"""Writing .xlsx cells safely: shared by every workbook the system exports.

Text that people typed (a nomination's title, a unit's name) is data, never
a formula or an error value: a title such as ``=HYPERLINK(…)`` or ``#N/A``
is written as a text cell, and control characters that Excel refuses
(openpyxl raises on them) are dropped. Dates get a date format.

openpyxl is imported inside the function (architecture.md: heavy libraries
load only when a workbook is written).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"


def write_cell(ws, row: int, column: int, value: Any, *, number_format: str | None = None):
    """Write ``value`` into ``ws`` at (row, column) as data and return the cell.

    Strings are always text cells (``"=1+1"`` stays the four characters);
    a date (or datetime) gets ``number_format`` or ``yyyy-mm-dd``; any other
    value gets ``number_format`` when one is given.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, dt.date):
        cell.number_format = number_format or DATE_FORMAT
    elif number_format and value is not None:
        cell.number_format = number_format
    return cell
