"""Cell conversion: what people type into a sheet, as the nomination schema's
``clean`` takes it (numbers typed as text, Excel date serials, 是/否, lists
split by line or 、).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .columns import FIELD_TYPES
from .report import RowReport

TRUE_WORDS = {"是", "已承诺", "承诺", "同意", "√", "✓", "✔", "y", "yes", "true", "1", "t"}
FALSE_WORDS = {"否", "未承诺", "不同意", "×", "✗", "n", "no", "false", "0", "f"}
LIST_SEPARATORS = re.compile(r"[\r\n、；;]+")
DATE_RE = re.compile(
    r"^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?|(\d{2})(\d{2}))$"
)


def _to_int_text(value: float) -> Any:
    return int(value) if float(value).is_integer() else value


def convert(name: str, label: str, value: Any, report: RowReport) -> Any:
    """A cell's value as the schema's ``clean`` takes it (which validates it)."""
    from openpyxl.utils.datetime import from_excel

    kind = FIELD_TYPES.get(name, "text")
    if kind == "int":
        if isinstance(value, bool):
            return value
        if isinstance(value, float):
            return _to_int_text(value)
        if isinstance(value, str):
            return re.sub(r"[\s,，]", "", value)
        return value
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int | float) and not isinstance(value, bool):
            if 19000101 <= value <= 29991231 and float(value).is_integer():
                value = str(int(value))  # 20160305 typed as a number
            elif 3000 < value < 2958466:
                # An Excel date serial without a date format (a bare year such as
                # 2016 is not one: it goes on, as text, to the date validation).
                return from_excel(value).date().isoformat()
            else:
                return str(_to_int_text(value))
        if isinstance(value, str):
            match = DATE_RE.match(value)
            if match:
                year, month, day = (int(g) for g in match.groups() if g is not None)
                try:
                    return dt.date(year, month, day).isoformat()
                except ValueError:
                    return value
        return str(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(_to_int_text(value) if isinstance(value, float) else value).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        report.add(name, f"{label}：应填写“是”或“否”。")
        return None
    if kind == "list":
        return [part.strip() for part in LIST_SEPARATORS.split(str(value)) if part.strip()]
    # Text: a phone typed as a number arrives as 13800000000 or 13800000000.0.
    if isinstance(value, float):
        value = _to_int_text(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
