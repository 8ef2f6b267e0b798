"""Every write of judging.

``assignments``: pledges, conflicts, panels, assignments and scorecards.
``results``: rankings, round closing, the 公示, objections and final awards.
``console``: the office's adjustments of a round's assignments (replace, reassign,
exclude a scorecard, withdraw a judge from a round).
``office``: the office console's previews (公示, upholding an objection) and
objections entered by the office.
"""

from .assignments import *  # noqa: F403
from .assignments import (  # noqa: F401
    AssignmentPlan,
    AutoAssignSummary,
    DeclaredConflict,
    round_refusal,
)
from .console import *  # noqa: F403
from .office import *  # noqa: F403
from .results import *  # noqa: F403
