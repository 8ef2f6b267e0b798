"""Figures with their context: how a number is written and what date it is as of.

Pure functions (no database): the models, the serializers, the pages and the
import share them.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .enums import AsOfPrecision

WAN = Decimal(10000)
YI = Decimal(100_000_000)


def _plain(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(), "f")


def format_number(value: Decimal | int | None) -> str:
    """A number as Chinese texts write it: 3412, 10.41万, 1.2亿 (up to two decimals)."""
    if value is None:
        return ""
    value = Decimal(value)
    if value >= YI:
        return f"{_plain(value / YI)}亿"
    if value >= WAN:
        return f"{_plain(value / WAN)}万"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return _plain(value)


def as_of_text(day: dt.date | None, precision: str) -> str:
    """截至 2022年 / 2022年12月 / 2022年12月31日."""
    if day is None:
        return ""
    if precision == AsOfPrecision.YEAR:
        return f"截至 {day.year}年"
    if precision == AsOfPrecision.DAY:
        return f"截至 {day.year}年{day.month}月{day.day}日"
    return f"截至 {day.year}年{day.month}月"


def as_of_value(day: dt.date, precision: str) -> str:
    """The as-of date in the JSON: "2022", "2022-12" or "2022-12-31"."""
    if precision == AsOfPrecision.YEAR:
        return f"{day.year:04d}"
    if precision == AsOfPrecision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


AS_OF_RE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?)?\s*年?\s*$")


def parse_as_of(text: str) -> tuple[dt.date, str] | None:
    """"2022" / "2022-12" / "2022年12月" / "2022-12-31" -> (date, precision); None if not a date."""
    match = AS_OF_RE.match(str(text or ""))
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            return dt.date(int(year), int(month), int(day)), AsOfPrecision.DAY
        if month:
            return dt.date(int(year), int(month), 1), AsOfPrecision.MONTH
        return dt.date(int(year), 1, 1), AsOfPrecision.YEAR
    except ValueError:
        return None


WRITTEN_RE = re.compile(r"^(?P<number>\d+(?:\.\d+)?)?(?P<scale>[十百千万亿]*)$")
SCALE = {"十": 10, "百": 100, "千": 1000, "万": 10000, "亿": 100_000_000}


def parse_written(text: str) -> Decimal | None:
    """The number a written form means: "10.41万" -> 104100, "百万" -> 1000000, "600" -> 600."""
    text = str(text or "").strip().replace(",", "").replace("，", "")
    match = WRITTEN_RE.match(text)
    if not match or not text:
        return None
    try:
        number = Decimal(match["number"]) if match["number"] else Decimal(1)
    except InvalidOperation:
        return None
    for ch in match["scale"]:
        number *= SCALE[ch]
    return number


def figure_json(figure) -> dict:
    """One figure as the public JSON carries it."""
    return {
        "label": figure.label,
        "value": format(Decimal(figure.value).normalize(), "f"),
        "written": figure.number_text,
        "unit": figure.unit,
        "prefix": figure.prefix,
        "suffix": figure.suffix,
        "approximate": figure.approximate,
        "display": figure.display,
        "as_of": as_of_value(figure.as_of, figure.as_of_precision),
        "as_of_text": figure.as_of_text,
        "source": figure.source,
    }
