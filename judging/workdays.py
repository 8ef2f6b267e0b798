"""The working-day arithmetic lives in ``competition.workdays`` (nominations use it for a
returned nomination's 补正截止, and the year setup's calendar page previews the 公示
period with it; competition never imports judging); re-exported here for the judging
code that reads it."""

from competition.workdays import (  # noqa: F401  (re-exported)
    is_working_day,
    parse_holidays,
    publicity_period,
    working_days_after,
)
