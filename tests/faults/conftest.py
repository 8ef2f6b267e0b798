"""The fault tests reuse the nominations and judging fixtures (the accounts and units are tests/conftest.py's)."""

from tests.judging.test_worker import scored_round  # noqa: F401
from tests.nominations.conftest import competition, complete_draft, draft, project_category  # noqa: F401
