"""Working-day arithmetic for the 公示 period. Pure: no database.

A day is a working day when it is a make-up working day (调休: a Saturday or
Sunday worked in exchange for a holiday), or else when it is a weekday that is
not a holiday. The competition keeps both lists (``Competition.holidays``,
``Competition.workdays``); the State Council's schedule for a year can be
filled in from the ``chinese-calendar`` package (``competition.services.calendar_suggest``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def is_working_day(day: dt.date, holidays: set[dt.date], workdays: set[dt.date] = frozenset()) -> bool:
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def parse_holidays(values: Iterable) -> set[dt.date]:
    """A set of dates from dates or ISO strings (holidays and make-up days alike)."""
    out = set()
    for value in values or []:
        out.add(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
    return out


def publicity_period(
    published_on: dt.date, working_days: int, holidays: Iterable, workdays: Iterable = ()
) -> tuple[dt.date, dt.date]:
    """(first day, last day) of a 公示 of ``working_days`` working days.

    It starts on the publication day when that is a working day, else on the
    next working day, and ends on its ``working_days``-th working day;
    weekends and the competition's holidays are skipped, its make-up working
    days (``workdays``) counted.
    """
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    off = parse_holidays(holidays)
    on = parse_holidays(workdays)
    day = published_on
    while not is_working_day(day, off, on):
        day += dt.timedelta(days=1)
    start = day
    counted = 1
    while counted < working_days:
        day += dt.timedelta(days=1)
        if is_working_day(day, off, on):
            counted += 1
    return start, day
