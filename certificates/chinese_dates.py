"""Dates written in Chinese numerals, as on a certificate: 二〇二二年十二月五日.

Pure functions, no database. The year is read digit by digit with 〇 for
zero; the month and the day are counted (十二月, 二十一日, 三十日).
"""

from __future__ import annotations

import datetime as dt

DIGITS = "〇一二三四五六七八九"


def year_numerals(year: int) -> str:
    """2022 → 二〇二二."""
    if year < 0:
        raise ValueError("year must not be negative")
    return "".join(DIGITS[int(d)] for d in str(year))


def count_numerals(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 31 → 三十一 (1 to 99)."""
    if not 1 <= n <= 99:
        raise ValueError("only 1 to 99 are counted")
    tens, ones = divmod(n, 10)
    out = ""
    if tens:
        out = ("" if tens == 1 else DIGITS[tens]) + "十"
    if ones:
        out += DIGITS[ones]
    return out


def chinese_date(value: dt.date) -> str:
    """The date as printed on a certificate: ``date(2022, 12, 5)`` → 二〇二二年十二月五日."""
    return f"{year_numerals(value.year)}年{count_numerals(value.month)}月{count_numerals(value.day)}日"
