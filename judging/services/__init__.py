"""Every write of judging.

``assignments``: pledges, conflicts, panels, assignments and scorecards.
``results``: rankings, round closing, the 公示, objections and final awards.
``office``: the office console's previews (公示, upholding an objection) and
objections entered by the office.
"""

from .assignments import *  # noqa: F403
from .assignments import (  # noqa: F401
    AutoAssignSummary,
    DeclaredConflict,
    round_refusal,
)
from .office import *  # noqa: F403
from .results import *  # noqa: F403
