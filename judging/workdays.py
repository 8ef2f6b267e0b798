"""The working-day arithmetic now lives in ``competition.workdays`` (nominations use it too)."""

from competition.workdays import (  # noqa: F401  (re-exported)
    is_working_day,
    parse_holidays,
    publicity_period,
    working_days_after,
)
