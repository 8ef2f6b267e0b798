"""The one function that turns a judge's scores into a weighted total.

Pure: no database. A criterion counts ``points × weight``; the rubric of a
category totals 100 (``max_points × weight`` summed), so the total is out of
100, kept to 2 decimals (half up).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")
HALF = Decimal("0.5")


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    max_points: Decimal
    weight: Decimal


def round_half_up(value: Decimal, places: Decimal = TWO_PLACES) -> Decimal:
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def weighted_total(scores: Mapping[int, Decimal], criteria: Iterable[CriterionSpec]) -> Decimal:
    """Σ points × weight over the criteria that have a score, to 2 decimals (half up)."""
    total = Decimal("0")
    for criterion in criteria:
        points = scores.get(criterion.id)
        if points is not None:
            total += Decimal(points) * Decimal(criterion.weight)
    return round_half_up(total)


def score_problem(points: Decimal, criterion: CriterionSpec) -> str | None:
    """Why ``points`` is not a valid score for ``criterion`` (0 … max in half points), or None."""
    if points < 0:
        return "不能为负数。"
    if points > criterion.max_points:
        return f"不能超过满分 {criterion.max_points.normalize():f} 分。"
    if (points / HALF) != (points / HALF).to_integral_value():
        return f"只能以 {HALF} 分为单位。"
    return None
