"""Aggregation mathematics: from submitted scorecards to a ranking. Pure: no database.

Everything here works on the submitted scorecards of ONE round and ONE category.
Scores are ``Decimal`` throughout, computed in a local context of
``PRECISION`` significant digits (square roots with ``Decimal.sqrt``, which is
correctly rounded, so results are the same on every platform), quantised to
``GUARD`` (20 decimal places) to absorb the last-digit error of inexact
divisions and roots, and only then rounded half up to 2 places with
:func:`judging.scoring.round_half_up`. Kendall's W is computed exactly in
integers and fractions and returned as a ``float`` (a statistic, never a
score). Sums are taken over sorted values, so the order of the input never
changes a result. Every formula is written out in ``docs/aggregation.md``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from operator import itemgetter
from typing import NamedTuple, Protocol, TypeVar

from .scoring import CriterionSpec, round_half_up, weighted_total

NominationId = int
JudgeId = int
CriterionId = int

PRECISION = 40
GUARD = Decimal("1e-20")
ZERO = Decimal("0")
DEFAULT_TRIM_MIN_JUDGES = 5
DEFAULT_SEVERITY_THRESHOLD = Decimal("5")

K = TypeVar("K")


class Method(StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    MEDIAN = "median"
    NORMALIZED = "normalized"


class ScorecardLike(Protocol):
    """What the functions read from a submitted scorecard (a model row will do)."""

    @property
    def nomination(self) -> NominationId: ...

    @property
    def judge(self) -> JudgeId: ...

    @property
    def total(self) -> Decimal: ...

    @property
    def criteria(self) -> Mapping[CriterionId, Decimal]: ...


@dataclass(frozen=True)
class Scorecard:
    """One submitted scorecard: its weighted total and its points per criterion."""

    nomination: NominationId
    judge: JudgeId
    total: Decimal
    criteria: Mapping[CriterionId, Decimal] = field(default_factory=dict)

    @classmethod
    def scored(
        cls,
        *,
        nomination: NominationId,
        judge: JudgeId,
        points: Mapping[CriterionId, Decimal],
        rubric: Iterable[CriterionSpec],
    ) -> Scorecard:
        """A scorecard whose total is :func:`judging.scoring.weighted_total` of ``points``."""
        return cls(
            nomination=nomination,
            judge=judge,
            total=weighted_total(points, rubric),
            criteria=dict(points),
        )


@dataclass(frozen=True)
class RankedEntry:
    """One nomination's line in a round's ranking."""

    nomination: NominationId
    score: Decimal  # rounded half up to 2 places: what is shown and what is compared
    rank: int  # competition ranking: 1 + the number of entries strictly better
    judges: int  # the number of scorecards counted for this nomination
    tie_break: tuple[tuple[CriterionId, Decimal | None], ...]  # (criterion, mean to 2 places)
    tied: bool  # shares its rank with another entry
    raw_score: Decimal  # the score before rounding (to 20 places); never shown, never compared


@dataclass(frozen=True)
class FinalEntry:
    """One nomination's line in the final ranking across rounds."""

    nomination: NominationId
    score: Decimal  # weighted final score if it reached the last round, else its last score
    rank: int
    reached: int  # index (0-based) of the last round the nomination took part in
    reached_last: bool
    tied: bool


@dataclass(frozen=True)
class JudgeStats:
    judge: JudgeId
    count: int  # scorecards of this judge
    mean: Decimal  # of their totals, 2 places
    spread: Decimal  # population standard deviation of their totals, 2 places
    shared: int  # their nominations that at least one other judge also scored
    severity: Decimal | None  # mean of (their total − the nomination's mean) over shared; 2 places
    far_from_consensus: bool  # |severity| > the threshold


@dataclass(frozen=True)
class ConcordanceBlock:
    """Judges who all scored every one of ``nominations``: a complete block for Kendall's W."""

    judges: tuple[JudgeId, ...]
    nominations: tuple[NominationId, ...]
    w: float | None


@dataclass(frozen=True)
class InterRaterStats:
    judges: tuple[JudgeStats, ...]  # sorted by judge id
    severity_threshold: Decimal
    blocks: tuple[ConcordanceBlock, ...]  # largest first
    kendall_w: float | None  # W of the largest complete block; None when there is none


# --------------------------------------------------------------------------- helpers


def _decimal(value: object, what: str) -> Decimal:
    if type(value) is Decimal and value.is_finite():
        return value
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal (or int), not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, not {result}")
    return result


class _Card(NamedTuple):
    nomination: NominationId
    judge: JudgeId
    total: Decimal
    criteria: Mapping[CriterionId, Decimal]


def _prepare(scorecards: Iterable[ScorecardLike]) -> list[_Card]:
    """Validated copies sorted by (nomination, judge); one scorecard per pair."""
    cards = [
        _Card(
            nomination=card.nomination,
            judge=card.judge,
            total=_decimal(card.total, "total"),
            criteria={
                criterion: _decimal(points, f"points of criterion {criterion}")
                for criterion, points in card.criteria.items()
            },
        )
        for card in scorecards
    ]
    cards.sort(key=itemgetter(0, 1))  # (nomination, judge)
    for before, after in zip(cards, cards[1:], strict=False):
        if (before.nomination, before.judge) == (after.nomination, after.judge):
            raise ValueError(
                f"judge {after.judge} has two scorecards for nomination {after.nomination}"
            )
    return cards


def _context():
    return localcontext(prec=PRECISION, rounding=ROUND_HALF_EVEN)


def _guard(value: Decimal) -> Decimal:
    with _context():
        return value.quantize(GUARD)


def _sum(values: Iterable[Decimal]) -> Decimal:
    with _context():
        return sum(sorted(values), ZERO)


def _mean(values: Sequence[Decimal]) -> Decimal:
    if not values:
        raise ValueError("the mean of no values")
    with _context():
        return _sum(values) / len(values)


def population_sd(values: Sequence[Decimal]) -> Decimal:
    """σ = √(Σ(x − x̄)² / n), computed as √((nΣx² − (Σx)²) / n²): exact sums, one division."""
    if not values:
        raise ValueError("the standard deviation of no values")
    return _sd([_decimal(value, "value") for value in values])


def _sd(values: Sequence[Decimal]) -> Decimal:
    n = len(values)
    with _context():
        variance = (n * _sum(value * value for value in values) - _sum(values) ** 2) / (n * n)
        return max(variance, ZERO).sqrt()


def _key(values: Iterable[Decimal | None]) -> tuple[tuple[int, Decimal], ...]:
    """A sort key where higher is better and a missing value is below every value."""
    return tuple((0, ZERO) if value is None else (1, value) for value in values)


def competition_ranks(keys: Mapping[K, tuple]) -> dict[K, int]:
    """Rank = 1 + the number of keys strictly greater (higher is better): 1, 2, 2, 4."""
    ordered = sorted(keys.values(), reverse=True)
    ranks: dict[tuple, int] = {}
    for position, key in enumerate(ordered, start=1):
        ranks.setdefault(key, position)
    return {item: ranks[key] for item, key in keys.items()}


# --------------------------------------------------------------------------- per nomination


def _check_trim(trim_min_judges: int) -> None:
    if trim_min_judges < 3:
        raise ValueError("trim_min_judges must be at least 3 (something must remain)")


def _trimmed_of(ordered: list[Decimal], trim_min_judges: int) -> Decimal:
    if len(ordered) >= trim_min_judges:
        ordered = ordered[1:-1]
    return _guard(_mean(ordered))


def _median_of(ordered: list[Decimal]) -> Decimal:
    if not ordered:
        raise ValueError("the median of no values")
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return _guard(ordered[middle])
    return _guard(_mean(ordered[middle - 1 : middle + 1]))


def mean(totals: Sequence[Decimal]) -> Decimal:
    """x̄ = Σt / n (unrounded, to 20 places)."""
    return _guard(_mean([_decimal(total, "total") for total in totals]))


def trimmed_mean(
    totals: Sequence[Decimal], trim_min_judges: int = DEFAULT_TRIM_MIN_JUDGES
) -> Decimal:
    """Drop one highest and one lowest total when n ≥ ``trim_min_judges``, then the mean."""
    _check_trim(trim_min_judges)
    return _trimmed_of(sorted(_decimal(total, "total") for total in totals), trim_min_judges)


def median(totals: Sequence[Decimal]) -> Decimal:
    """The middle total; with an even count the mean of the two middle ones."""
    return _median_of(sorted(_decimal(total, "total") for total in totals))


def normalized(scorecards: Iterable[ScorecardLike]) -> dict[NominationId, Decimal]:
    """μ + z̄·σ per nomination, z = (t − μ_j)/σ_j per judge (0 where σ_j = 0).

    μ_j, σ_j: mean and population sd of judge j's totals in the input; μ, σ: of
    all totals in the input. Unrounded (to 20 places).
    """
    return _normalized(_prepare(scorecards))


def _normalized(cards: Sequence[_Card]) -> dict[NominationId, Decimal]:
    if not cards:
        return {}
    by_judge: dict[JudgeId, list[Decimal]] = defaultdict(list)
    for card in cards:
        by_judge[card.judge].append(card.total)
    with _context():
        judge_mean = {judge: _mean(totals) for judge, totals in by_judge.items()}
        judge_sd = {judge: _sd(totals) for judge, totals in by_judge.items()}
        all_totals = [card.total for card in cards]
        mu, sigma = _mean(all_totals), _sd(all_totals)
        z_by_nomination: dict[NominationId, list[Decimal]] = defaultdict(list)
        for card in cards:
            sd = judge_sd[card.judge]
            z = ZERO if sd == 0 else (card.total - judge_mean[card.judge]) / sd
            z_by_nomination[card.nomination].append(z)
        return {
            nomination: _guard(mu + _mean(zs) * sigma) for nomination, zs in z_by_nomination.items()
        }


def nomination_scores(
    scorecards: Iterable[ScorecardLike],
    *,
    method: Method | str,
    trim_min_judges: int = DEFAULT_TRIM_MIN_JUDGES,
) -> dict[NominationId, Decimal]:
    """Each scored nomination's unrounded score (to 20 places) by ``method``."""
    return _scores(_prepare(scorecards), Method(method), trim_min_judges)


def _scores(
    cards: Sequence[_Card], method: Method, trim_min_judges: int
) -> dict[NominationId, Decimal]:
    _check_trim(trim_min_judges)
    if method is Method.NORMALIZED:
        return _normalized(cards)
    totals: dict[NominationId, list[Decimal]] = defaultdict(list)
    for card in cards:
        totals[card.nomination].append(card.total)
    if method is Method.MEAN:
        return {nomination: _guard(_mean(values)) for nomination, values in totals.items()}
    if method is Method.MEDIAN:
        return {nomination: _median_of(sorted(values)) for nomination, values in totals.items()}
    return {
        nomination: _trimmed_of(sorted(values), trim_min_judges)
        for nomination, values in totals.items()
    }


def criterion_means(
    scorecards: Iterable[ScorecardLike],
) -> dict[NominationId, dict[CriterionId, Decimal]]:
    """Per nomination, each criterion's mean points over the scorecards that have it (2 places)."""
    return _criterion_means(_prepare(scorecards))


def _criterion_means(cards: Sequence[_Card]) -> dict[NominationId, dict[CriterionId, Decimal]]:
    points: dict[NominationId, dict[CriterionId, list[Decimal]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for card in cards:
        for criterion, value in card.criteria.items():
            points[card.nomination][criterion].append(value)
    return {
        nomination: {
            criterion: round_half_up(_guard(_mean(values)))
            for criterion, values in sorted(by_criterion.items())
        }
        for nomination, by_criterion in points.items()
    }


# --------------------------------------------------------------------------- ranking


def rank(
    scorecards: Iterable[ScorecardLike],
    *,
    method: Method | str,
    trim_min_judges: int = DEFAULT_TRIM_MIN_JUDGES,
    tie_break: Sequence[CriterionId] = (),
) -> list[RankedEntry]:
    """The round's ranking of one category, sorted by rank then nomination id.

    Key: the score rounded half up to 2 places, then each tie-break criterion's
    mean points (2 places) in order, higher first; a nomination none of whose
    scorecards has the criterion counts below every mean. Equal keys share a
    rank and the next rank is skipped (1, 2, 2, 4).
    """
    method = Method(method)
    _check_trim(trim_min_judges)
    cards = _prepare(scorecards)
    raw = _scores(cards, method, trim_min_judges)
    means = _criterion_means(cards)
    judges: dict[NominationId, int] = defaultdict(int)
    for card in cards:
        judges[card.nomination] += 1
    scores = {nomination: round_half_up(value) for nomination, value in raw.items()}
    breaks = {
        nomination: tuple(
            (criterion, means.get(nomination, {}).get(criterion)) for criterion in tie_break
        )
        for nomination in raw
    }
    keys = {
        nomination: ((1, scores[nomination]), *_key(value for _, value in breaks[nomination]))
        for nomination in raw
    }
    ranks = competition_ranks(keys)
    shared: dict[int, int] = defaultdict(int)
    for position in ranks.values():
        shared[position] += 1
    return [
        RankedEntry(
            nomination=nomination,
            score=scores[nomination],
            rank=ranks[nomination],
            judges=judges[nomination],
            tie_break=breaks[nomination],
            tied=shared[ranks[nomination]] > 1,
            raw_score=raw[nomination],
        )
        for nomination in sorted(raw, key=lambda nomination: (ranks[nomination], nomination))
    ]


# --------------------------------------------------------------------------- across rounds

RoundScores = tuple[Decimal, Mapping[NominationId, Decimal]]  # (weight, {nomination: score})


def _check_rounds(rounds: Sequence[RoundScores]) -> list[tuple[Decimal, dict]]:
    checked = []
    for index, (weight, scores) in enumerate(rounds):
        weight = _decimal(weight, f"weight of round {index}")
        if weight < 0:
            raise ValueError(f"the weight of round {index} is negative")
        checked.append(
            (weight, {n: _decimal(s, f"score of {n} in round {index}") for n, s in scores.items()})
        )
    return checked


def combine_rounds(rounds: Sequence[RoundScores]) -> dict[NominationId, Decimal]:
    """Weighted final score of each nomination that took part in the last round.

    final = Σ w_r·s_r / Σ w_r over the rounds r the nomination took part in,
    rounded half up to 2 places. With 初评 40% + 终评 60% and a finalist
    scored in both: 0.4·s₁ + 0.6·s₂.
    """
    checked = _check_rounds(rounds)
    if not checked:
        return {}
    combined = {}
    for nomination in sorted(checked[-1][1]):
        taken = [(w, scores[nomination]) for w, scores in checked if nomination in scores]
        with _context():
            weights = _sum(w for w, _ in taken)
            if weights == 0:
                raise ValueError(f"nomination {nomination} took part only in rounds of weight 0")
            value = _sum(w * s for w, s in taken) / weights
        combined[nomination] = round_half_up(_guard(value))
    return combined


def final_ranking(
    rounds: Sequence[RoundScores],
    *,
    tie_break: Mapping[NominationId, Sequence[Decimal | None]] | None = None,
) -> list[FinalEntry]:
    """The final competition ranking across ordered rounds (first round first).

    Key: the index of the last round the nomination took part in (further is
    better), then its score: the weighted final score (:func:`combine_rounds`)
    for those in the last round, their score in their last round for the
    others, then the caller's optional ``tie_break`` values (higher first,
    missing lowest). So with two rounds every finalist ranks above every
    nomination that did not reach the final, whatever its first-round score.
    """
    checked = _check_rounds(rounds)
    if not checked:
        return []
    final = combine_rounds(rounds)
    last = len(checked) - 1
    reached: dict[NominationId, int] = {}
    for index, (_, scores) in enumerate(checked):
        for nomination in scores:
            reached[nomination] = index
    score = {
        nomination: final[nomination]
        if index == last
        else round_half_up(checked[index][1][nomination])
        for nomination, index in reached.items()
    }
    extra = tie_break or {}
    keys = {
        nomination: ((1, Decimal(index)), (1, score[nomination]), *_key(extra.get(nomination, ())))
        for nomination, index in reached.items()
    }
    ranks = competition_ranks(keys)
    shared: dict[int, int] = defaultdict(int)
    for position in ranks.values():
        shared[position] += 1
    return [
        FinalEntry(
            nomination=nomination,
            score=score[nomination],
            rank=ranks[nomination],
            reached=reached[nomination],
            reached_last=reached[nomination] == last,
            tied=shared[ranks[nomination]] > 1,
        )
        for nomination in sorted(reached, key=lambda nomination: (ranks[nomination], nomination))
    ]


# --------------------------------------------------------------------------- inter-rater


def _doubled_midranks(values: Sequence[Decimal]) -> tuple[list[int], int]:
    """2 × the mid-rank of each value (rank 1 = highest) and Σ(t³ − t) over tie groups."""
    order = sorted(range(len(values)), key=lambda i: values[i], reverse=True)
    doubled = [0] * len(values)
    ties = 0
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        size = end - start + 1
        # positions start+1 … end+1 share the mid-rank start + (size + 1)/2
        for i in order[start : end + 1]:
            doubled[i] = 2 * start + size + 1
        ties += size**3 - size
        start = end + 1
    return doubled, ties


def kendall_w(table: Sequence[Sequence[Decimal]]) -> float | None:
    """Kendall's coefficient of concordance W with the tie correction.

    ``table[j][i]`` is judge j's total for nomination i (a complete block: every
    judge scored every nomination, in the same column order). Each judge's
    totals become mid-ranks; R_i = Σ_j r_ij, S = Σ_i (R_i − m(n+1)/2)²,
    W = 12·S / (m²(n³ − n) − m·Σ_j T_j), T_j = Σ (t³ − t) over judge j's tie
    groups. Computed exactly; None when m < 2, n < 2, or every judge tied
    everything (0/0).
    """
    m = len(table)
    n = len(table[0]) if table else 0
    if any(len(row) != n for row in table):
        raise ValueError("every judge must score every nomination of the block")
    if m < 2 or n < 2:
        return None
    sums = [0] * n
    ties = 0
    for row in table:
        doubled, row_ties = _doubled_midranks([_decimal(value, "total") for value in row])
        ties += row_ties
        for i, value in enumerate(doubled):
            sums[i] += value
    # with doubled ranks 2R_i and 2R̄ = m(n + 1): 4S = Σ (2R_i − m(n + 1))²
    four_s = sum((value - m * (n + 1)) ** 2 for value in sums)
    denominator = m * m * (n**3 - n) - m * ties
    if denominator == 0:
        return None
    return float(Fraction(3 * four_s, denominator))


def _blocks(cards: Sequence[_Card]) -> list[ConcordanceBlock]:
    scored: dict[JudgeId, set[NominationId]] = defaultdict(set)
    totals: dict[tuple[JudgeId, NominationId], Decimal] = {}
    for card in cards:
        scored[card.judge].add(card.nomination)  # add, then freeze once: linear, not quadratic
        totals[(card.judge, card.nomination)] = card.total
    nominations = {judge: frozenset(ids) for judge, ids in scored.items()}
    judges = sorted(nominations)
    seen = set()
    blocks = []
    for judge in judges:
        columns = nominations[judge]
        if len(columns) < 2 or columns in seen:
            continue
        seen.add(columns)
        members = tuple(other for other in judges if columns <= nominations[other])
        if len(members) < 2:
            continue
        ordered = tuple(sorted(columns))
        table = [[totals[(member, column)] for column in ordered] for member in members]
        blocks.append(ConcordanceBlock(judges=members, nominations=ordered, w=kendall_w(table)))
    blocks.sort(
        key=lambda b: (
            -len(b.judges) * len(b.nominations),
            -len(b.judges),
            -len(b.nominations),
            b.judges,
            b.nominations,
        )
    )
    return blocks


def inter_rater(
    scorecards: Iterable[ScorecardLike],
    *,
    severity_threshold: Decimal = DEFAULT_SEVERITY_THRESHOLD,
) -> InterRaterStats:
    """Per-judge mean, spread and severity, the far-from-consensus flag, and Kendall's W.

    Severity: the mean over the judge's shared nominations (scored by at least
    one other judge too) of (their total − the mean of all totals of that
    nomination); negative is severe, positive lenient. Far from consensus:
    |severity| (2 places) > ``severity_threshold`` points. Kendall's W: on
    complete blocks (for each judge's set of nominations, every judge who
    scored all of them); ``kendall_w`` is the largest block's (most scores,
    then most judges, then most nominations, then lowest judge ids).
    """
    threshold = _decimal(severity_threshold, "severity_threshold")
    cards = _prepare(scorecards)
    by_nomination: dict[NominationId, list[Decimal]] = defaultdict(list)
    by_judge: dict[JudgeId, list[_Card]] = defaultdict(list)
    for card in cards:
        by_nomination[card.nomination].append(card.total)
        by_judge[card.judge].append(card)
    panel = {nomination: _mean(totals) for nomination, totals in by_nomination.items()}
    stats = []
    for judge in sorted(by_judge):
        own = by_judge[judge]
        totals = [card.total for card in own]
        with _context():
            deviations = [
                card.total - panel[card.nomination]
                for card in own
                if len(by_nomination[card.nomination]) > 1
            ]
            severity = round_half_up(_guard(_mean(deviations))) if deviations else None
        stats.append(
            JudgeStats(
                judge=judge,
                count=len(own),
                mean=round_half_up(_guard(_mean(totals))),
                spread=round_half_up(_guard(_sd(totals))),
                shared=len(deviations),
                severity=severity,
                far_from_consensus=severity is not None and abs(severity) > threshold,
            )
        )
    blocks = _blocks(cards)
    return InterRaterStats(
        judges=tuple(stats),
        severity_threshold=threshold,
        blocks=tuple(blocks),
        kendall_w=blocks[0].w if blocks else None,
    )
