"""Aggregating a round: the application end to end against one SQL query (the floor).

    .venv/bin/python -m bench.aggregation [--sizes 1000,10000,50000] [--repeats 3] [--profile]

What it does:

1. creates the scratch database ``xlf_bench`` (dropped first) and, per size, a
   competition in the judging phase (two categories of six criteria, 100
   points, one round: trimmed mean, trim from 5 judges) with that many accepted
   nominations, each scored by 5 of 200 judges: submitted scorecards with their
   six scores and their total, written by ``INSERT … SELECT`` in PostgreSQL
   (fixture generation, not measured). Each judge has a lean or a severity,
   each nomination a quality, so totals spread and ties occur;
2. for each size, ``--repeats`` times, in alternation:

   - **end to end**: ``judging.services.results.snapshot_compute(round_=…,
     method="trimmed_mean")`` with no snapshot of the round present (the
     previous one is deleted, outside the timing): on PostgreSQL
     (``judging.aggregation_sql``) the counted cards into a temporary table,
     the checksum, the inter-rater statistics from one aggregated query, and
     one ``INSERT … SELECT`` ranking every category into the snapshot's
     entries, committed (with the entries' deferred foreign-key checks);
   - **reuse**: the same call again with the snapshot present (the inputs'
     checksum finds it; nothing is written);
   - **floor**: the same ranking written as one SQL query (trimmed mean per
     nomination, ROUND to 2 places, ``RANK()`` per category with the
     category's tie-break criterion's mean as the second key), every row
     fetched into Python;
   - **floor with write**: the same query as ``INSERT … SELECT`` into a new
     snapshot's entries, rolled back;

3. checks that the application's ranking equals the SQL one (score and rank
   of every nomination) and prints medians, ratios and time per nomination;
4. with ``--profile``: cProfile of one end-to-end run at 10,000 (or the
   middle size), top functions by cumulative time.

A stage breakdown (the same steps ``snapshot_compute`` takes on PostgreSQL,
called one by one through the application's own functions, medians of 3) is
printed for the middle size. The target line is read on CPU time.

Every timing is taken twice: wall clock, and CPU seconds of this process plus
its PostgreSQL backend (read from /proc), the figure least disturbed by other
load on a shared machine. The session runs with ``jit = off`` and no parallel
workers (see ``session_settings``; ``--server-defaults`` to keep the server's).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

from bench import common

JUDGES = 200
JUDGES_PER_NOMINATION = 5
YEAR0 = 2041


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.aggregation", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1000,10000,50000", help="nominations per round, comma separated")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--judges", type=int, default=JUDGES)
    p.add_argument("--profile", action="store_true", help="cProfile one end-to-end run of the middle size")
    p.add_argument("--budget", type=float, default=480.0,
                   help="seconds for the measured runs; later repeats are skipped past it")
    p.add_argument("--server-defaults", action="store_true",
                   help="keep the server's JIT and parallel query settings (see session_settings)")
    p.add_argument("--json", type=Path, help="also write the raw figures here")
    args = p.parse_args(argv)
    args.sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    return args


# --------------------------------------------------------------------------- fixture


def make_judges(count: int) -> list[int]:
    """Judge accounts (bulk: the scoring benchmark covers the account services)."""
    from django.contrib.auth.hashers import make_password

    from competition.enums import Role
    from competition.models import JudgeProfile, User

    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"agg-judge{i + 1:03d}", role=Role.JUDGE, display_name=f"评委{i + 1:03d}",
             password=unusable)
        for i in range(count)
    )
    JudgeProfile.objects.bulk_create(JudgeProfile(user=u, name=u.display_name) for u in users)
    return [u.pk for u in users]


SCORES_SQL = """
-- Five distinct judges per nomination: an offset into the judge pool and four strides.
INSERT INTO judging_assignment (round_id, judge_id, nomination_id, status, created_at)
SELECT %(round)s,
       (%(judges)s::bigint[])[1 + ((n.k * 37 + (n.k / %(pool)s) + s.j * %(stride)s) %% %(pool)s)],
       n.id, 'submitted', now()
FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k
      FROM nominations_nomination WHERE competition_id = %(competition)s) n
CROSS JOIN generate_series(0, %(per)s - 1) AS s(j);

INSERT INTO judging_scorecard (assignment_id, status, comment, total, version, created_at, updated_at,
                               submitted_at)
SELECT a.id, 'submitted', '', 0, 3, now(), now(), now()
FROM judging_assignment a WHERE a.round_id = %(round)s;

-- Points: the nomination's quality + the judge's lean + noise, on the half-point grid.
INSERT INTO judging_score (scorecard_id, criterion_id, half_points, max_half_points)
SELECT sc.id, c.id,
       greatest(0, least(round(c.max_points * 2)::int, round(c.max_points * 2 * (
           0.55 + 0.40 * ((hashint8(a.nomination_id) & 1023) / 1023.0)
           + 0.12 * ((hashint8(a.judge_id * 7919) & 1023) / 1023.0 - 0.5)
           + 0.16 * (random() - 0.5)))::int)),
       round(c.max_points * 2)::int
FROM judging_scorecard sc
JOIN judging_assignment a ON a.id = sc.assignment_id
JOIN nominations_nomination n ON n.id = a.nomination_id
JOIN competition_criterion c ON c.category_id = n.category_id
WHERE a.round_id = %(round)s;

UPDATE judging_scorecard sc SET total = t.total
FROM (SELECT s.scorecard_id, sum(s.half_points * c.weight) / 2.0 AS total
      FROM judging_score s
      JOIN competition_criterion c ON c.id = s.criterion_id
      JOIN judging_scorecard x ON x.id = s.scorecard_id
      JOIN judging_assignment a ON a.id = x.assignment_id
      WHERE a.round_id = %(round)s
      GROUP BY s.scorecard_id) t
WHERE sc.id = t.scorecard_id;
"""


def build_round(office, size: int, judges: list[int], index: int):
    """A competition of ``size`` nominations, each with 5 submitted scorecards of 6 scores."""
    from django.db import connection

    started = time.perf_counter()
    competition = common.judging_competition(
        office, year=YEAR0 + index, judges_per_nomination=JUDGES_PER_NOMINATION
    )
    round_ = competition.rounds.get(order=1)
    common.accepted_nominations(competition, size)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [0.1 + index / 10])
        for statement in SCORES_SQL.split(";\n"):
            if statement.strip():
                cursor.execute(
                    statement,
                    {
                        "round": round_.pk,
                        "competition": competition.pk,
                        "judges": judges,
                        "pool": len(judges),
                        "per": JUDGES_PER_NOMINATION,
                        "stride": max(1, len(judges) // JUDGES_PER_NOMINATION) + 1,
                    },
                )
    return round_, time.perf_counter() - started


def check_fixture(round_, size: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(DISTINCT a.nomination_id), count(*), count(DISTINCT (a.nomination_id, a.judge_id)),
                      (SELECT count(*) FROM judging_score s JOIN judging_scorecard x ON x.id = s.scorecard_id
                       JOIN judging_assignment y ON y.id = x.assignment_id WHERE y.round_id = %s),
                      min(s.total), max(s.total)
               FROM judging_scorecard s JOIN judging_assignment a ON a.id = s.assignment_id
               WHERE a.round_id = %s""",
            [round_.pk, round_.pk],
        )
        nominations, cards, pairs, scores, low, high = cursor.fetchone()
    expected = size * JUDGES_PER_NOMINATION
    if (nominations, cards, pairs, scores) != (size, expected, expected, expected * 6):
        raise SystemExit(
            f"fixture of {size}: {nominations} nominations, {cards} scorecards, {pairs} pairs, {scores} scores"
        )
    print(f"  {size} nominations: {cards} submitted scorecards, {scores} scores, totals {low}–{high}",
          flush=True)


# --------------------------------------------------------------------------- the floor


FLOOR_SQL = """
WITH cards AS (
    SELECT a.nomination_id, n.category_id, s.total
    FROM judging_scorecard s
    JOIN judging_assignment a ON a.id = s.assignment_id
    JOIN nominations_nomination n ON n.id = a.nomination_id
    WHERE a.round_id = %(round)s AND s.status = 'submitted'
), per_nomination AS (
    SELECT nomination_id, category_id, count(*) AS judges,
           CASE WHEN count(*) >= %(trim)s
                THEN (sum(total) - max(total) - min(total)) / (count(*) - 2)
                ELSE avg(total) END AS raw
    FROM cards
    GROUP BY nomination_id, category_id
), tie_break AS (
    SELECT a.nomination_id, round(avg(sc.half_points) / 2.0, 2) AS mean
    FROM judging_score sc
    JOIN competition_criterion c ON c.id = sc.criterion_id AND c.tie_break_rank = 1
    JOIN judging_scorecard s ON s.id = sc.scorecard_id
    JOIN judging_assignment a ON a.id = s.assignment_id
    WHERE a.round_id = %(round)s AND s.status = 'submitted'
    GROUP BY a.nomination_id
)
SELECT p.nomination_id, p.category_id, round(p.raw, 2) AS score, p.judges,
       RANK() OVER (PARTITION BY p.category_id
                    ORDER BY round(p.raw, 2) DESC, t.mean DESC NULLS LAST) AS rank
FROM per_nomination p
LEFT JOIN tie_break t ON t.nomination_id = p.nomination_id
"""


def floor_select(round_) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"round": round_.pk, "trim": round_.trim_min_judges})
        return cursor.fetchall()


def floor_write(round_) -> int:
    """The floor including writing a snapshot and its entries; rolled back."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO judging_rankingsnapshot (round_id, method, parameters, checksum, computed_at,
                                                       official, statistics)
                   VALUES (%s, 'floor', '{}', md5(random()::text), now(), false, '{}') RETURNING id""",
                [round_.pk],
            )
            snapshot = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO judging_rankingentry (snapshot_id, nomination_id, category_id, score, rank, judges,"
                " tied, advances, proposed_winner, details) "
                f"SELECT %(snapshot)s, f.nomination_id, f.category_id, f.score, f.rank, f.judges, false, false,"
                f" false, '{{}}' FROM ({FLOOR_SQL}) f",
                {"round": round_.pk, "trim": round_.trim_min_judges, "snapshot": snapshot},
            )
            written = cursor.rowcount
        transaction.set_rollback(True)
    return written


# --------------------------------------------------------------------------- the application


def drop_snapshots(round_) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM judging_rankingentry WHERE snapshot_id IN "
            "(SELECT id FROM judging_rankingsnapshot WHERE round_id = %s)", [round_.pk]
        )
        cursor.execute("DELETE FROM judging_rankingsnapshot WHERE round_id = %s", [round_.pk])


def app_compute(round_):
    from judging.services.results import snapshot_compute

    return snapshot_compute(round_=round_, method="trimmed_mean")


def compare(round_, snapshot, floor_rows) -> list[str]:
    """The application's ranking against the SQL one: every nomination's score and rank."""
    from decimal import Decimal

    app = {
        n: (Decimal(s), r, c)
        for n, s, r, c in snapshot.entries.values_list("nomination_id", "score", "rank", "category_id")
    }
    sql = {n: (Decimal(s), r, c) for n, c, s, _judges, r in floor_rows}
    problems = []
    if set(app) != set(sql):
        problems.append(f"nominations differ: {len(set(app) ^ set(sql))}")
    differing = [n for n in sorted(set(app) & set(sql)) if app[n] != sql[n]]
    if differing:
        n = differing[0]
        problems.append(f"{len(differing)} entries differ, e.g. nomination {n}: app {app[n]}, sql {sql[n]}")
    return problems


def stage_breakdown(round_, cpu_now, repeats: int = 3) -> list[tuple[str, float, float]]:
    """The steps of ``snapshot_compute`` on PostgreSQL, each through the application's own function.

    Each step ``repeats`` times, in one transaction rolled back at the end (so
    the deferred foreign-key checks of the entries, paid at commit, are in
    "rest"); returns (stage, median wall seconds, median CPU seconds of this
    process and its PostgreSQL backend). CPU time is the steadier figure on a
    busy machine.
    """
    from django.db import transaction

    from judging import aggregation_sql
    from judging.models import RankingSnapshot
    from judging.services import results

    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}

    def stage(name, call):
        started, cpu = time.perf_counter(), cpu_now()
        out = call()
        walls.setdefault(name, []).append(time.perf_counter() - started)
        cpus.setdefault(name, []).append(cpu_now() - cpu)
        return out

    for _ in range(repeats):
        excluded = stage("excluded_scorecard_ids (回避)", lambda: results.excluded_scorecard_ids(round_))
        parameters = stage("_parameters", lambda: results._parameters(round_, "trimmed_mean"))
        tie_break = {int(k): v for k, v in parameters["tie_break"].items()}
        with transaction.atomic():
            cards = stage("RoundCards: the counted cards into a temporary table", lambda: aggregation_sql.RoundCards(
                round_id=round_.pk, excluded=excluded, tie_break=tie_break))  # noqa: B023
            stage("inputs_checksum (sha256 in the server)", lambda: aggregation_sql.inputs_checksum(
                cards, header=aggregation_sql.header("trimmed_mean", parameters)))  # noqa: B023
            rows = stage("judge_rows (one aggregated query)", lambda: aggregation_sql.judge_rows(cards))  # noqa: B023
            stage("statistics + Kendall's W (Python, exact)", lambda: {
                c: aggregation_sql.statistics(rows=j) for c, j in rows.items()})  # noqa: B023
            snapshot = RankingSnapshot.objects.create(round=round_, method="stage", checksum="stage")
            stage("entries_insert (INSERT … SELECT)", lambda: aggregation_sql.entries_insert(
                cards, snapshot_id=snapshot.pk, method="trimmed_mean",  # noqa: B023
                trim_min_judges=round_.trim_min_judges, advance_n=round_.advance_per_category, last=True,
                round_weight=round_.weight, rows=rows))  # noqa: B023
            transaction.set_rollback(True)
        drop_snapshots(round_)
        stage("end to end, same moment (snapshot_compute)", lambda: app_compute(round_))
    out = [(name, common.median(walls[name]), common.median(cpus[name])) for name in walls]
    counted = out[:-1]
    end = out[-1]
    out.append(("rest: bookkeeping and the commit (foreign-key checks of the entries)",
                end[1] - sum(r[1] for r in counted), end[2] - sum(r[2] for r in counted)))
    return out


def profile_once(round_, top: int = 30) -> str:
    drop_snapshots(round_)
    profiler = cProfile.Profile()
    profiler.enable()
    app_compute(round_)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(15)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return "\n".join(line.replace(str(common.ROOT) + "/", "") for line in lines)


# --------------------------------------------------------------------------- main


def session_settings() -> None:
    """``SET jit = off`` and no parallel workers on every connection of this process.

    Applies to the application's queries and the floor's alike. With the
    server's default (``jit = on``, ``jit_above_cost = 100000``) the planner's
    row estimate of the floor query's joins passes the threshold and PostgreSQL
    spends seconds compiling it (and the fixture's ``INSERT … SELECT`` too);
    the application's own queries stay under the threshold (checked at 50,000
    nominations: 16 ms of JIT). Without parallel workers, the CPU time of the
    backend is all the database work, so CPU figures compare like with like;
    on two cores parallel plans gain little.
    """
    from django.db import connection
    from django.db.backends.signals import connection_created

    def apply(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute("SET max_parallel_workers_per_gather = 0")

    connection_created.connect(apply, weak=False)
    if connection.connection is not None:
        apply(None, connection)


def main(argv=None) -> int:
    args = parse_args(argv)
    run_started = time.perf_counter()
    info = common.machine()
    migrate_s = common.django_setup()
    print(f"scratch database {common.DB_NAME}: migrated in {migrate_s:.1f} s", flush=True)
    if not args.server_defaults:
        session_settings()

    from judging.models import RankingEntry

    office = common.office_user()
    judges = make_judges(args.judges)
    rounds = {}
    fixture_s = time.perf_counter()
    for index, size in enumerate(args.sizes):
        round_, seconds = build_round(office, size, judges, index)
        rounds[size] = round_
        print(f"fixture {size}: built in {seconds:.1f} s", flush=True)
    common.vacuum_analyze("nominations_nomination", "judging_assignment", "judging_scorecard",
                          "judging_score", "competition_criterion")
    for size, round_ in rounds.items():
        check_fixture(round_, size)
    fixture_s = time.perf_counter() - fixture_s

    cpu = common.cpu_seconds()
    timers = {
        size: {name: common.Timer(name, cpu) for name in ("app", "reuse", "floor", "floor_write")}
        for size in args.sizes
    }
    problems: list[str] = []
    entries: dict[int, int] = {}
    budget_end = time.monotonic() + args.budget
    # Repeats outermost, sizes inside: a drift of the machine touches every size alike.
    for repeat in range(args.repeats):
        for size in args.sizes:
            if time.monotonic() > budget_end and repeat > 0:
                print(f"budget of {args.budget:.0f} s spent: skipping size {size} repeat {repeat + 1}")
                continue
            round_ = rounds[size]
            t = timers[size]
            drop_snapshots(round_)
            common.vacuum_analyze("judging_rankingentry", "judging_rankingsnapshot")
            with t["floor"].run():
                rows = floor_select(round_)
            with t["app"].run():
                snapshot = app_compute(round_)
            with t["reuse"].run():
                again = app_compute(round_)
            with t["floor_write"].run():
                written = floor_write(round_)
            if again.pk != snapshot.pk:
                problems.append(f"{size}: the reuse path wrote a second snapshot")
            entries[size] = RankingEntry.objects.filter(snapshot=snapshot).count()
            if written != len(rows) or entries[size] != len(rows):
                problems.append(f"{size}: {entries[size]} entries, SQL {len(rows)} rows, wrote {written}")
            if repeat == 0:
                problems += [f"{size}: {p}" for p in compare(round_, snapshot, rows)]
            print(
                f"  #{repeat + 1} {size:6d} nominations: app {t['app'].runs[-1]:7.3f} s, reuse "
                f"{t['reuse'].runs[-1]:7.3f} s, floor {t['floor'].runs[-1]:6.3f} s, floor+write "
                f"{t['floor_write'].runs[-1]:6.3f} s",
                flush=True,
            )

    middle = args.sizes[len(args.sizes) // 2] if 10000 not in args.sizes else 10000
    stages = stage_breakdown(rounds[middle], cpu)
    profile = profile_once(rounds[middle]) if args.profile else ""

    # ---- report
    print()
    common.print_machine(info)
    print(f"fixture: {JUDGES_PER_NOMINATION} submitted scorecards × 6 criteria per nomination, "
          f"{args.judges} judges, 2 categories; built in {fixture_s:.0f} s (not measured); "
          f"medians of {args.repeats} runs")
    rows = []
    for size in args.sizes:
        t = timers[size]
        ratio = t["app"].median / t["floor"].median
        rows.append([
            f"{size:,}",
            f"{t['app'].median:.3f}",
            f"{t['app'].median / size * 1e6:.0f}",
            f"{t['reuse'].median:.3f}",
            f"{t['floor'].median:.3f}",
            f"{t['floor_write'].median:.3f}",
            f"{ratio:.1f}×",
            f"{t['app'].median / t['floor_write'].median:.1f}×",
            f"{t['app'].cpu_median:.2f} / {t['floor'].cpu_median:.2f}",
            f"{t['app'].cpu_median / t['floor'].cpu_median:.1f}×" if t["floor"].cpu_median else "–",
        ])
    print(common.table(
        ["nominations", "end to end s", "µs / nomination", "reuse s", "SQL floor s", "floor + write s",
         "end to end / floor", "end to end / floor+write", "CPU s end to end / floor", "CPU ratio"],
        rows,
    ))
    base = args.sizes[0]
    growth = [
        f"{size // base}× nominations → {timers[size]['app'].median / timers[base]['app'].median:.1f}× wall, "
        f"{timers[size]['app'].cpu_median / timers[base]['app'].cpu_median:.1f}× CPU"
        for size in args.sizes[1:]
    ]
    if growth:
        print(f"growth from {base:,}: " + "; ".join(growth))
    print("CPU µs per nomination, end to end: " + ", ".join(
        f"{size:,}: {timers[size]['app'].cpu_median / size * 1e6:.0f}" for size in args.sizes))
    print("runs (s): " + "; ".join(
        f"{size}: app [{timers[size]['app'].spread()}] floor [{timers[size]['floor'].spread()}]"
        for size in args.sizes
    ))
    print(f"\nstage breakdown at {middle:,} nominations (the application's own functions, medians of 3):")
    print(common.table(["stage", "wall s", "CPU s (Python + PostgreSQL backend)"],
                       [[name, f"{wall:.3f}", f"{cpu:.3f}"] for name, wall, cpu in stages]))
    worst = max(timers[s]["app"].median / timers[s]["floor"].median for s in args.sizes)
    worst_cpu = max(timers[s]["app"].cpu_median / max(timers[s]["floor"].cpu_median, 1e-3) for s in args.sizes)
    per = [timers[s]["app"].cpu_median / s for s in args.sizes]
    linear = max(per) / min(per) <= 1.5
    # The target is read on CPU time (the figure a shared machine disturbs least); wall beside it.
    print(f"\ntarget within 3× of the SQL floor (CPU): worst {worst_cpu:.1f}× CPU ({worst:.1f}× wall) → "
          + ("met" if worst_cpu <= 3 else "MISSED"))
    print("target linear growth (CPU per nomination within 1.5× across sizes): "
          f"{min(per) * 1e6:.0f}–{max(per) * 1e6:.0f} µs ({max(per) / min(per):.2f}×) → "
          + ("met" if linear else "MISSED"))
    if profile:
        print(f"\ncProfile of one end-to-end run at {middle:,} nominations:\n{profile}")
    if problems:
        print("\nPROBLEMS:\n  " + "\n  ".join(problems))
    print(f"\ntotal run time {time.perf_counter() - run_started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": info,
            "sizes": args.sizes,
            "runs": {size: {k: v.runs for k, v in timers[size].items()} for size in args.sizes},
            "cpu_runs": {size: {k: v.cpu_runs for k, v in timers[size].items()} for size in args.sizes},
            "stages": stages,
            "problems": problems,
        }, ensure_ascii=False, indent=2))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
