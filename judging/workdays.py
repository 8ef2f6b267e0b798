"""The 公示's working-day arithmetic, kept in ``competition.workdays`` (the calendar
page of the year setup previews the 公示 period with it, and competition never
imports judging); re-exported here for the judging code that reads it."""

from competition.workdays import is_working_day, parse_holidays, publicity_period

__all__ = ["is_working_day", "parse_holidays", "publicity_period"]
