"""Every write of judging.

``assignments``: pledges, conflicts, panels, assignments and scorecards.
``results``: rankings, round closing, the 公示, objections and final awards.
"""

from .assignments import *  # noqa: F403
from .assignments import (  # noqa: F401
    AutoAssignSummary,
    DeclaredConflict,
    round_refusal,
)
from .results import *  # noqa: F403
