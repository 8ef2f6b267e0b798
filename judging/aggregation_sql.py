"""Aggregation of a round in PostgreSQL: the same ranking as ``judging.aggregation``, in SQL.

``judging.aggregation`` (pure Python, ``Decimal``) is the reference and the
path on SQLite; on PostgreSQL ``judging.services.results.snapshot_compute``
uses this module, so that 300,000 scores never become Python objects:

- :func:`inputs_checksum`: the SHA-256 of the inputs, built and hashed by the
  server (``string_agg`` in a canonical order, ``sha256``), byte for byte
  the digest :func:`judging.services.results.inputs_checksum` computes in
  Python;
- :func:`judge_rows`: one narrow aggregated query (per category, judge and
  panel size: counts, sums of totals and of their squares, the panels' sums,
  the judge's nominations) from which :func:`statistics` computes, exactly as
  the reference does, each judge's mean, spread and severity and Kendall's W
  (the W of a complete block is computed from the block's mid-rank sums, one
  more query and only when a block exists);
- :func:`entries_insert`: one ``INSERT … SELECT`` that computes per
  nomination the score by the round's method, the tie-break means, the
  competition rank per category, ``tied``, the advancement and
  proposed-winner flags and the details, and writes the snapshot's entries.

Exactness. Every score is ``numeric``, never a float. A quotient is computed
to 30 decimal places (``round(dividend, 30) / divisor``: PostgreSQL keeps at
least the dividend's scale) and then rounded half up to 2 places with
``round(x, 2)`` (PostgreSQL rounds numeric halves away from zero, which is
half up for scores). For the mean, the trimmed mean, the median, the
tie-break means and the weighted final score the true value is a fraction
with a small denominator, so it is never within 10⁻³⁰ of a half-cent without
being on it: the result is the reference's ``round_half_up(_guard(x))`` to
the cent (docs/aggregation.md, §2). The normalised method takes each judge's
μⱼ and σⱼ and the category's μ and σ computed in Python by the reference's
own formulas (40 digits, ``Decimal.sqrt``) and computes the z-scores in SQL
to at least 38 decimal places, then quantises to 20 places (the reference's
guard) before rounding to the cent: the two agree unless the exact score
lies within 10⁻³⁵ of a half-cent without being on it, the same caveat the
reference's 40-digit arithmetic carries for an irrational σ.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import connection

from . import aggregation
from .aggregation import (
    DEFAULT_SEVERITY_THRESHOLD,
    GUARD,
    ConcordanceBlock,
    InterRaterStats,
    JudgeStats,
    Method,
    _context,
    _guard,
)
from .scoring import round_half_up

# Points of one score as Python writes ``Decimal(half_points) / 2``: 7 → 3.5, 8 → 4.
POINTS_TEXT = (
    "CASE WHEN sc.half_points %% 2 = 0 THEN (sc.half_points / 2)::text"
    " ELSE (sc.half_points / 2)::text || '.5' END"
)

# The counted scorecards, read once per computation into a temporary table that
# every later statement scans without a join: (id, category, nomination, judge,
# total, panel_n and panel_sum: the number and the sum of the totals of the
# card's nomination, tb_text: the checksum's "criterion:points,…" of the tie-break criteria,
# tb1 … tbP: the half points of the card's category's tie-break criterion at
# position p, NULL where not scored).
TABLE = "xlf_aggregation_cards"
WORK_MEM = "64MB"


def _int(value) -> int:
    """An id written into generated SQL: an int, never text."""
    return int(value)


class RoundCards:
    """The temporary table of one round's counted scorecards; use inside a transaction.

    ``tie_break``: {category id: [criterion ids in tie-break order]}.
    """

    def __init__(self, *, round_id: int, excluded: Sequence[int], tie_break: dict[int, Sequence[int]]):
        self.tie_break = {_int(c): [_int(k) for k in ids] for c, ids in tie_break.items()}
        self.positions = max((len(ids) for ids in self.tie_break.values()), default=0)
        tb_columns = "".join(
            f", max(sc.half_points) FILTER (WHERE t.position = {p}) AS tb{p}" for p in range(1, self.positions + 1)
        )
        tb_select = "".join(f", p.tb{p}" for p in range(1, self.positions + 1))
        positions, criteria = [], []
        for _category, ids in sorted(self.tie_break.items()):
            for position, criterion in enumerate(ids, start=1):
                positions.append(position)
                criteria.append(criterion)
        with connection.cursor() as cursor:
            # Sorts and hashes of a round's cards in memory, for this transaction only
            # (the server's 4 MB default spills a 50,000-nomination round to disk).
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{TABLE}")
            cursor.execute(
                f"""
                CREATE TEMPORARY TABLE {TABLE} ON COMMIT DROP AS
                SELECT s.id, n.category_id AS category, a.nomination_id AS nomination, a.judge_id AS judge, s.total,
                       count(*) OVER panel AS panel_n, sum(s.total) OVER panel AS panel_sum,
                       p.text AS tb_text {tb_select}
                FROM judging_scorecard s
                JOIN judging_assignment a ON a.id = s.assignment_id
                JOIN nominations_nomination n ON n.id = a.nomination_id
                LEFT JOIN (
                    SELECT sc.scorecard_id,
                           string_agg(sc.criterion_id || ':' || {POINTS_TEXT}, ',' ORDER BY sc.criterion_id) AS text
                           {tb_columns}
                    FROM judging_score sc
                    JOIN unnest(%(tb_position)s::int[], %(tb_criterion)s::bigint[]) AS t(position, criterion)
                      ON t.criterion = sc.criterion_id
                    WHERE sc.criterion_id = ANY(%(tb_criterion)s::bigint[])
                    GROUP BY sc.scorecard_id
                ) p ON p.scorecard_id = s.id
                WHERE a.round_id = %(round)s AND s.status = 'submitted' AND s.id <> ALL(%(excluded)s::bigint[])
                WINDOW panel AS (PARTITION BY n.category_id, a.nomination_id)
                ORDER BY n.category_id, a.nomination_id, a.judge_id
                """,  # noqa: S608 - module constants and generated names; every value is a parameter
                {
                    "round": round_id,
                    "excluded": sorted(_int(e) for e in excluded),
                    "tb_position": positions,
                    "tb_criterion": criteria,
                },
            )
            self.count = cursor.rowcount

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{TABLE}")


# --------------------------------------------------------------------------- checksum


def inputs_checksum(cards: RoundCards, *, header: str) -> str:
    """The hex SHA-256 of the inputs, hashed by the server.

    ``header`` is the canonical JSON of the method and its parameters; then one
    line per counted scorecard in (category, nomination, judge) order:
    ``\\n{category}|{nomination}|{judge}|{total}|{criterion}:{points},…`` over
    the category's tie-break criteria the card scored (by criterion id). These
    are every input the ranking and the statistics read.
    """
    sql = f"""
        SELECT encode(sha256(convert_to(%(header)s || coalesce(string_agg(
                   E'\\n' || category || '|' || nomination || '|' || judge || '|' || total || '|'
                   || coalesce(tb_text, ''),
                   '' ORDER BY category, nomination, judge), ''), 'UTF8')), 'hex')
        FROM {TABLE}
    """  # noqa: S608 - module constants and generated names; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, {"header": header})
        return cursor.fetchone()[0]


# --------------------------------------------------------------------------- statistics


@dataclass
class JudgeRow:
    """One judge's scorecards in one category, aggregated (exact sums)."""

    count: int = 0
    total: Decimal = Decimal(0)
    squares: Decimal = Decimal(0)
    shared: int = 0  # cards on nominations scored by at least one other judge
    shared_total: Decimal = Decimal(0)
    panel_means: Fraction = Fraction(0)  # Σ over shared cards of the nomination's mean total
    nominations: set[int] | None = None


def judge_rows(cards: RoundCards) -> dict[int, dict[int, JudgeRow]]:
    """{category: {judge: JudgeRow}} from one narrow aggregated query.

    Grouped by (category, judge, panel size n of the nomination) so that the
    panels' means Σ S/n are exact fractions: per group, Σ S over the judge's
    cards whose nomination has n scorecards.
    """
    sql = f"""
        SELECT category, judge, panel_n, count(*), sum(total), sum(total * total), sum(panel_sum),
               array_agg(nomination)
        FROM {TABLE}
        GROUP BY category, judge, panel_n
    """  # noqa: S608 - module constants and generated names; every value is a parameter
    out: dict[int, dict[int, JudgeRow]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for category, judge, n, count, total, squares, panels, nominations in cursor.fetchall():
            row = out[category].get(judge)
            if row is None:
                row = out[category][judge] = JudgeRow(nominations=set())
            row.count += count
            row.total += total
            row.squares += squares
            row.nominations.update(nominations)
            if n > 1:
                row.shared += count
                row.shared_total += total
                row.panel_means += Fraction(panels) / n
    return dict(out)


def _to_decimal(value: Fraction) -> Decimal:
    """An exact fraction as the reference's guarded value (20 places, half even)."""
    with _context() as ctx:
        ctx.prec = 80
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(GUARD)


def _mean(total: Decimal, count: int) -> Decimal:
    with _context():
        return total / count


def _sd_from_sums(count: int, total: Decimal, squares: Decimal) -> Decimal:
    """The reference's ``_sd``: √((nΣx² − (Σx)²) / n²) at 40 digits, from exact sums."""
    with _context():
        variance = (count * squares - total**2) / (count * count)
        return max(variance, aggregation.ZERO).sqrt()


def _category_moments(rows: dict[int, JudgeRow]) -> tuple[int, Decimal, Decimal]:
    count = sum(r.count for r in rows.values())
    total = sum((r.total for r in rows.values()), Decimal(0))
    squares = sum((r.squares for r in rows.values()), Decimal(0))
    return count, total, squares


def statistics(
    *,
    rows: dict[int, JudgeRow],
    severity_threshold: Decimal = DEFAULT_SEVERITY_THRESHOLD,
) -> InterRaterStats:
    """``aggregation.inter_rater`` of one category, from the aggregated rows."""
    stats = []
    for judge in sorted(rows):
        row = rows[judge]
        severity = None
        if row.shared:
            exact = (Fraction(row.shared_total) - row.panel_means) / row.shared
            severity = round_half_up(_to_decimal(exact))
        stats.append(
            JudgeStats(
                judge=judge,
                count=row.count,
                mean=round_half_up(_guard(_mean(row.total, row.count))),
                spread=round_half_up(_guard(_sd_from_sums(row.count, row.total, row.squares))),
                shared=row.shared,
                severity=severity,
                far_from_consensus=severity is not None and abs(severity) > severity_threshold,
            )
        )
    blocks = _blocks(rows)
    return InterRaterStats(
        judges=tuple(stats),
        severity_threshold=severity_threshold,
        blocks=tuple(blocks),
        kendall_w=blocks[0].w if blocks else None,
    )


def _blocks(rows: dict[int, JudgeRow]) -> list[ConcordanceBlock]:
    """``aggregation._blocks``: the complete blocks found from the judges' sets of nominations,
    each block's W from its mid-rank sums computed in SQL."""
    nominations = {judge: frozenset(row.nominations) for judge, row in rows.items()}
    judges = sorted(nominations)
    seen = set()
    found: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for judge in judges:
        columns = nominations[judge]
        if len(columns) < 2 or columns in seen:
            continue
        seen.add(columns)
        members = tuple(other for other in judges if columns <= nominations[other])
        if len(members) >= 2:
            found.append((members, tuple(sorted(columns))))
    ws = _kendall_ws(found) if found else []
    blocks = [ConcordanceBlock(judges=m, nominations=n, w=w) for (m, n), w in zip(found, ws, strict=True)]
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


def _kendall_ws(blocks) -> list[float | None]:
    """Kendall's W of each block (``aggregation.kendall_w``), from one query.

    Per block and judge, 2 × the mid-rank of a total (rank 1 = highest) is
    2·rank + t − 1, t the size of its tie group; Σ(t³ − t) over a judge's tie
    groups is Σ(t² − 1) over their cells. The server returns per block
    4S = Σᵢ (2Rᵢ − m(n + 1))² and Σ T; the division is exact, in Python.
    """
    block_judge = [(b, j) for b, (members, _) in enumerate(blocks) for j in members]
    block_nomination = [(b, n) for b, (_, columns) in enumerate(blocks) for n in columns]
    sql = f"""
        WITH bj AS (SELECT * FROM unnest(%(bj_block)s::int[], %(bj_judge)s::bigint[]) AS t(block, judge)),
        bn AS (SELECT * FROM unnest(%(bn_block)s::int[], %(bn_nomination)s::bigint[]) AS t(block, nomination)),
        size AS (SELECT block, (SELECT count(*) FROM bj WHERE bj.block = b.block) AS m, count(*) AS n
                 FROM bn b GROUP BY block),
        cells AS (
            SELECT bj.block, bj.judge, bn.nomination,
                   2 * rank() OVER w + count(*) OVER (PARTITION BY bj.block, bj.judge, c.total) - 1 AS doubled,
                   count(*) OVER (PARTITION BY bj.block, bj.judge, c.total) AS tie
            FROM bj JOIN bn ON bn.block = bj.block
            JOIN {TABLE} c ON c.judge = bj.judge AND c.nomination = bn.nomination
            WINDOW w AS (PARTITION BY bj.block, bj.judge ORDER BY c.total DESC)
        ),
        sums AS (SELECT block, nomination, sum(doubled) AS r FROM cells GROUP BY block, nomination),
        ties AS (SELECT block, sum(tie * tie - 1) AS t FROM cells GROUP BY block)
        SELECT z.block, z.m, z.n, (SELECT sum((s.r - z.m * (z.n + 1)) ^ 2) FROM sums s WHERE s.block = z.block),
               ties.t
        FROM size z JOIN ties ON ties.block = z.block
        ORDER BY z.block
    """  # noqa: S608 - module constants and generated names; every value is a parameter
    params = {
        "bj_block": [b for b, _ in block_judge],
        "bj_judge": [j for _, j in block_judge],
        "bn_block": [b for b, _ in block_nomination],
        "bn_nomination": [n for _, n in block_nomination],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {block: (m, n, int(four_s), int(ties)) for block, m, n, four_s, ties in cursor.fetchall()}
    out = []
    for index, (members, columns) in enumerate(blocks):
        m, n, four_s, ties = found[index]
        if (m, n) != (len(members), len(columns)):
            raise AssertionError("a complete block is missing cells")
        denominator = m * m * (n**3 - n) - m * ties
        out.append(None if m < 2 or n < 2 or denominator == 0 else float(Fraction(3 * four_s, denominator)))
    return out


def normalization(rows: dict[int, dict[int, JudgeRow]]) -> dict[str, list]:
    """Per judge and category μⱼ, σⱼ and per category μ, σ, by the reference's formulas, for SQL."""
    judge_category, judge_id, judge_mean, judge_sd = [], [], [], []
    category_id, category_mean, category_sd = [], [], []
    for category, judges in sorted(rows.items()):
        for judge, row in sorted(judges.items()):
            judge_category.append(category)
            judge_id.append(judge)
            judge_mean.append(str(_mean(row.total, row.count)))
            judge_sd.append(str(_sd_from_sums(row.count, row.total, row.squares)))
        count, total, squares = _category_moments(judges)
        category_id.append(category)
        category_mean.append(str(_mean(total, count)))
        category_sd.append(str(_sd_from_sums(count, total, squares)))
    return {
        "nz_category": judge_category,
        "nz_judge": judge_id,
        "nz_mean": judge_mean,
        "nz_sd": judge_sd,
        "nc_category": category_id,
        "nc_mean": category_mean,
        "nc_sd": category_sd,
    }


# --------------------------------------------------------------------------- the entries


def _score_sql(method: Method) -> tuple[str, str]:
    """(extra CTEs, the per-nomination raw score expression over ``cards c``) for ``method``."""
    if method is Method.MEAN:
        return "", "round(round(sum(c.total), 30) / count(*), 2)"
    if method is Method.TRIMMED_MEAN:
        return "", (
            "CASE WHEN count(*) >= %(trim)s"
            " THEN round(round(sum(c.total) - max(c.total) - min(c.total), 30) / (count(*) - 2), 2)"
            " ELSE round(round(sum(c.total), 30) / count(*), 2) END"
        )
    if method is Method.MEDIAN:
        return "", (
            "round(round((array_agg(c.total ORDER BY c.total))[(count(*) + 1) / 2]"
            " + (array_agg(c.total ORDER BY c.total))[count(*) / 2 + 1], 30) / 2, 2)"
        )
    # Normalised: z per card against the judge's μⱼ, σⱼ (0 where σⱼ = 0), μ + z̄·σ per nomination.
    ctes = """
        nz AS (SELECT * FROM unnest(%(nz_category)s::bigint[], %(nz_judge)s::bigint[], %(nz_mean)s::numeric[],
                                    %(nz_sd)s::numeric[]) AS t(category, judge, mean, sd)),
        nc AS (SELECT * FROM unnest(%(nc_category)s::bigint[], %(nc_mean)s::numeric[], %(nc_sd)s::numeric[])
               AS t(category, mean, sd)),"""
    return ctes, (
        "round(round(min(nc.mean) + round(sum(CASE WHEN nz.sd = 0 THEN 0 ELSE (c.total - nz.mean) / nz.sd END), 60)"
        " / count(*) * min(nc.sd), 20), 2)"
    )


def entries_insert(
    cards: RoundCards,
    *,
    snapshot_id: int,
    method: str,
    trim_min_judges: int,
    advance_n: int | None,
    last: bool,
    round_weight: Decimal,
    previous: Sequence[tuple[int, Decimal]] = (),
    quotas: dict[int, int] | None = None,
    rows: dict[int, dict[int, JudgeRow]] | None = None,
) -> int:
    """Compute the round's ranking and write the snapshot's entries in one ``INSERT … SELECT``.

    ``previous``: (official snapshot id, weight) of each earlier round, for the
    weighted final score of the last round; ``quotas``: {category: award
    quota}, for the proposed winners. Returns the number of entries written.
    """
    method = Method(method)
    aggregation._check_trim(trim_min_judges)
    extra_ctes, score = _score_sql(method)
    normalized_join = (
        "JOIN nz ON nz.category = c.category AND nz.judge = c.judge JOIN nc ON nc.category = c.category"
        if method is Method.NORMALIZED
        else ""
    )
    positions = range(1, cards.positions + 1)
    # Tie-break means: over the nomination's cards that scored the criterion; NULL (below
    # every mean) when none did.
    tb_means = "".join(
        f", round(round(sum(c.tb{p}), 30) / (2 * nullif(count(c.tb{p}), 0)), 2) AS tb{p}" for p in positions
    )
    tb_order = "".join(f", s.tb{p} DESC NULLS LAST" for p in positions)
    # The entry's details: [[criterion, mean or null], …] in the category's tie-break order.
    whens = [
        f" WHEN {_int(category)} THEN jsonb_build_array("
        + ", ".join(f"jsonb_build_array({_int(k)}, f.tb{p}::text)" for p, k in enumerate(ids, start=1))
        + ")"
        for category, ids in sorted(cards.tie_break.items())
        if ids
    ]
    details = f"CASE f.category{''.join(whens)} ELSE '[]'::jsonb END" if whens else "'[]'::jsonb"
    if last:
        # The weighted final score across the official snapshots of the earlier rounds
        # (``aggregation.combine_rounds``) and its competition rank in the category.
        final_rank = (
            "rank() OVER (PARTITION BY r.category ORDER BY"
            " round(round(coalesce(e.weighted, 0) + %(weight)s::numeric * r.score, 30)"
            " / (coalesce(e.weights, 0) + %(weight)s::numeric), 2) DESC)"
        )
        final_join = """LEFT JOIN (
            SELECT e.nomination_id AS nomination, e.category_id AS category,
                   sum(w.weight * e.score) AS weighted, sum(w.weight) AS weights
            FROM judging_rankingentry e
            JOIN unnest(%(prev_snapshot)s::bigint[], %(prev_weight)s::numeric[]) AS w(snapshot, weight)
              ON w.snapshot = e.snapshot_id
            GROUP BY e.nomination_id, e.category_id
        ) e ON e.nomination = r.nomination AND e.category = r.category"""
    else:
        final_rank, final_join = "NULL::bigint", ""
    sql = f"""
        INSERT INTO judging_rankingentry
            (snapshot_id, nomination_id, category_id, score, rank, judges, tied, advances, proposed_winner, details)
        WITH {extra_ctes}
        scored AS (
            SELECT c.nomination, c.category, count(*) AS judges, {score} AS score {tb_means}
            FROM {TABLE} c {normalized_join}
            GROUP BY c.nomination, c.category
        ),
        ranked AS (
            SELECT s.*, rank() OVER (PARTITION BY s.category ORDER BY s.score DESC{tb_order}) AS rank
            FROM scored s
        ),
        final AS (
            SELECT r.*, count(*) OVER (PARTITION BY r.category, r.rank) > 1 AS tied, {final_rank} AS final_rank
            FROM ranked r {final_join}
        )
        SELECT %(snapshot)s, f.nomination, f.category, f.score, f.rank, f.judges, f.tied,
               %(advance)s > 0 AND f.rank <= %(advance)s,
               coalesce(%(last)s AND f.final_rank <= coalesce(q.quota, 0), false),
               jsonb_build_object('tie_break', {details})
        FROM final f
        LEFT JOIN unnest(%(q_category)s::bigint[], %(q_quota)s::int[]) AS q(category, quota)
          ON q.category = f.category
        ORDER BY f.nomination  -- the foreign-key checks at commit then walk the nominations in order
    """  # noqa: S608 - module constants and generated names; every value is a parameter
    quotas = quotas or {}
    params = {
        "snapshot": snapshot_id,
        "trim": trim_min_judges,
        "advance": 0 if last or not advance_n else int(advance_n),
        "last": bool(last),
        "weight": str(round_weight),
        "prev_snapshot": [_int(s) for s, _ in previous],
        "prev_weight": [str(w) for _, w in previous],
        "q_category": sorted(_int(c) for c in quotas),
        "q_quota": [int(quotas[c]) for c in sorted(quotas)],
    }
    if method is Method.NORMALIZED:
        params.update(normalization(rows if rows is not None else judge_rows(cards)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def header(method: str, parameters: dict) -> str:
    """The checksum's first line: the method and its parameters as canonical JSON."""
    return json.dumps({"method": method, "parameters": parameters}, sort_keys=True)
