"""The working-day calendar of the 公示: weekends and holidays skipped, make-up working days (调休) counted."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from judging.services.results import publicity_terms
from judging.workdays import is_working_day, publicity_period
from tests.factories import competition_factory

# The State Council's 2023 notice: 中秋节、国庆节 9月29日至10月6日放假调休，10月7日（星期六）、10月8日（星期日）上班.
HOLIDAYS_2023 = [f"2023-09-{d}" for d in (29, 30)] + [f"2023-10-0{d}" for d in range(1, 7)]
WORKDAYS_2023 = ["2023-10-07", "2023-10-08"]


def test_a_make_up_saturday_is_a_working_day_and_a_holiday_is_not():
    saturday, holiday, monday = dt.date(2023, 10, 7), dt.date(2023, 10, 2), dt.date(2023, 10, 9)
    holidays, workdays = {dt.date.fromisoformat(d) for d in HOLIDAYS_2023}, {saturday}
    assert is_working_day(saturday, holidays, workdays)
    assert not is_working_day(saturday, holidays)  # without the make-up day it is a weekend
    assert not is_working_day(holiday, holidays, workdays)
    assert is_working_day(monday, holidays, workdays)
    assert not is_working_day(dt.date(2023, 10, 14), holidays, workdays)  # an ordinary Saturday


def test_a_publicity_spanning_a_holiday_and_a_make_up_saturday_ends_earlier():
    # Published Thursday 2023-09-28, five working days: Thu 9-28, (9-29 … 10-6 off),
    # Sat 10-07 and Sun 10-08 worked, Mon 10-09, Tue 10-10.
    start, end = publicity_period(dt.date(2023, 9, 28), 5, HOLIDAYS_2023, WORKDAYS_2023)
    assert (start, end) == (dt.date(2023, 9, 28), dt.date(2023, 10, 10))
    # Only the make-up Saturday: Thu 9-28, Sat 10-07, Mon 10-09, Tue 10-10, Wed 10-11.
    start, end = publicity_period(dt.date(2023, 9, 28), 5, HOLIDAYS_2023, ["2023-10-07"])
    assert end == dt.date(2023, 10, 11)
    # Without make-up days the holiday alone pushes it to Thursday 10-12.
    assert publicity_period(dt.date(2023, 9, 28), 5, HOLIDAYS_2023) == (dt.date(2023, 9, 28), dt.date(2023, 10, 12))


def test_a_publicity_published_during_the_holiday_starts_on_the_make_up_saturday():
    start, end = publicity_period(dt.date(2023, 10, 3), 3, HOLIDAYS_2023, WORKDAYS_2023)
    assert (start, end) == (dt.date(2023, 10, 7), dt.date(2023, 10, 9))
    # The make-up days given as dates count the same as ISO strings.
    as_dates = [dt.date(2023, 10, 7), dt.date(2023, 10, 8)]
    assert publicity_period(dt.date(2023, 10, 3), 3, HOLIDAYS_2023, as_dates) == (start, end)


@pytest.mark.django_db
def test_the_publicity_terms_use_the_competition_s_make_up_days():
    """What the 公示 page previews and publishes: the competition's own calendar."""
    competition = competition_factory(year=2023, holidays=HOLIDAYS_2023, workdays=WORKDAYS_2023)
    now = dt.datetime(2023, 9, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    days, _text, starts, ends = publicity_terms(competition, 5, None, now)
    assert (days, starts, ends) == (5, dt.date(2023, 9, 28), dt.date(2023, 10, 10))

    competition.workdays = []
    competition.save()
    assert publicity_terms(competition, 5, None, now)[3] == dt.date(2023, 10, 12)
