"""The fault tests reuse the nominations and judging fixtures."""

from tests.judging.conftest import units  # noqa: E402, F401
from tests.judging.test_worker import scored_round  # noqa: E402, F401
from tests.nominations.conftest import (  # noqa: F401
    competition,
    complete_draft,
    draft,
    office,
    officer,
    project_category,
    unit,
)
