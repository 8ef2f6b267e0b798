"""The ranking computed in PostgreSQL (``judging.aggregation_sql``) equals the pure-Python reference.

Hypothesis generates rounds — ties, trimming thresholds, missing criterion
scores, two categories, an earlier official round — and writes them as rows;
the database path must give every nomination the score, rank, judge count,
``tied`` flag, tie-break means, advancement and proposed-winner flags of
``judging.aggregation`` for every method, the same inter-rater statistics and
the same inputs checksum as the Python path.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competition.models import Criterion
from judging import aggregation, aggregation_sql
from judging.enums import AssignmentStatus, ScorecardStatus
from judging.models import Assignment, RankingEntry, RankingSnapshot, Score, Scorecard
from judging.services import results
from tests.judging.conftest import accepted, judging_competition, make_judge

pytestmark = pytest.mark.django_db

NOMINATIONS = 7  # per category
JUDGES = 5
ROUNDS = [
    {"name": "初评", "method": "trimmed_mean", "judges_per_nomination": 3, "weight": "0.4", "blind": False,
     "comment_required": False},
    {"name": "终评", "method": "mean", "judges_per_nomination": 3, "weight": "0.6", "blind": False,
     "comment_required": False},
]


@pytest.fixture
def world(postgres, office, units):
    """Two categories with their criteria, 7 nominations each, 5 judges, two rounds."""
    competition = judging_competition(office, year=2036, rounds=ROUNDS)
    categories = list(competition.categories.order_by("pk"))[:2]
    nominations = {
        c.pk: [n.pk for n in accepted(competition, c, units[3 + i], n=NOMINATIONS)] for i, c in enumerate(categories)
    }
    judges = [make_judge(username=f"sql{i}").pk for i in range(JUDGES)]
    criteria = {c.pk: list(c.criteria.order_by("pk").values_list("pk", "max_points")) for c in categories}
    first, last = competition.rounds.order_by("order")
    return {"categories": categories, "nominations": nominations, "judges": judges, "criteria": criteria,
            "first": first, "last": last}


# Totals on a coarse grid so that equal totals, equal means and ties are frequent.
totals = st.integers(min_value=0, max_value=39).map(lambda x: Decimal(x) * Decimal("2.5") + Decimal("0.01") * (x % 3))
halves = st.integers(min_value=0, max_value=6)


@st.composite
def rounds(draw):
    """{category index: [(nomination index, judge index, total, {criterion index: half points})]}."""
    out = {}
    for category in range(2):
        cards = []
        for nomination in range(draw(st.integers(min_value=0, max_value=NOMINATIONS))):
            judges = draw(st.sets(st.integers(min_value=0, max_value=JUDGES - 1), min_size=1, max_size=JUDGES))
            for judge in sorted(judges):
                points = draw(st.dictionaries(st.integers(min_value=0, max_value=2), halves, max_size=3))
                cards.append((nomination, judge, draw(totals), points))
        out[category] = cards
    return out


def write_round(world, round_, generated) -> dict[int, list[aggregation.Scorecard]]:
    """The generated scorecards as rows of ``round_``; returns them as the reference wants them."""
    Score.objects.filter(scorecard__assignment__round=round_).delete()
    Scorecard.objects.filter(assignment__round=round_).delete()
    Assignment.objects.filter(round=round_).delete()
    by_category: dict[int, list[aggregation.Scorecard]] = {}
    now = timezone.now()
    for index, category in enumerate(world["categories"]):
        criteria = world["criteria"][category.pk]
        for nomination_i, judge_i, total, points in generated[index]:
            nomination = world["nominations"][category.pk][nomination_i]
            judge = world["judges"][judge_i]
            assignment = Assignment.objects.create(
                round=round_, judge_id=judge, nomination_id=nomination, status=AssignmentStatus.SUBMITTED
            )
            card = Scorecard.objects.create(
                assignment=assignment, status=ScorecardStatus.SUBMITTED, total=total, submitted_at=now
            )
            scored, rows = {}, []
            for criterion_i, half in points.items():
                criterion, max_points = criteria[criterion_i]
                half = min(half, int(max_points * 2))
                rows.append(Score(scorecard=card, criterion_id=criterion, half_points=half,
                                  max_half_points=int(max_points * 2)))
                scored[criterion] = Decimal(half) / 2
            Score.objects.bulk_create(rows)
            by_category.setdefault(category.pk, []).append(
                aggregation.Scorecard(nomination=nomination, judge=judge, total=total, criteria=scored)
            )
    return by_category


def set_tie_break(world, choice) -> dict[int, list[int]]:
    """Tie-break criteria per category: none, one or two, in a drawn order."""
    Criterion.objects.filter(category__in=world["categories"]).update(tie_break_rank=None)
    tie_break = {}
    for index, category in enumerate(world["categories"]):
        ids = [world["criteria"][category.pk][i][0] for i in choice[index]]
        for rank, criterion in enumerate(ids, start=1):
            Criterion.objects.filter(pk=criterion).update(tie_break_rank=rank)
        tie_break[category.pk] = ids
    return tie_break


tie_breaks = st.lists(st.lists(st.integers(min_value=0, max_value=2), unique=True, max_size=2), min_size=2, max_size=2)


def sql_entries(round_, *, method, trim, tie_break, advance, last, weight=Decimal(1), previous=(), quotas=None):
    with transaction.atomic():
        snapshot = RankingSnapshot.objects.create(round=round_, method=method, checksum=f"t{RankingSnapshot.objects.count()}")
        cards = aggregation_sql.RoundCards(round_id=round_.pk, excluded=[], tie_break=tie_break)
        rows = aggregation_sql.judge_rows(cards)
        aggregation_sql.entries_insert(
            cards, snapshot_id=snapshot.pk, method=method, trim_min_judges=trim, advance_n=advance, last=last,
            round_weight=weight, previous=previous, quotas=quotas, rows=rows,
        )
        stats = {category: aggregation_sql.statistics(rows=judges) for category, judges in rows.items()}
        cards.drop()
    entries = {
        e.nomination_id: e
        for e in RankingEntry.objects.filter(snapshot=snapshot)
    }
    return snapshot, entries, stats


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@SETTINGS
@given(generated=rounds(), method=st.sampled_from(list(aggregation.Method)), trim=st.integers(3, 5),
       choice=tie_breaks, advance=st.integers(0, 4))
def test_every_method_ranks_like_the_reference(world, generated, method, trim, choice, advance):
    round_ = world["first"]
    by_category = write_round(world, round_, generated)
    tie_break = set_tie_break(world, choice)
    _snapshot, entries, stats = sql_entries(
        round_, method=method, trim=trim, tie_break=tie_break, advance=advance, last=False
    )
    expected = {}
    for category, cards in by_category.items():
        for e in aggregation.rank(cards, method=method, trim_min_judges=trim, tie_break=tie_break[category]):
            expected[e.nomination] = (
                category, e.score, e.rank, e.judges, e.tied, bool(advance) and e.rank <= advance, False,
                {"tie_break": [[c, None if v is None else str(v)] for c, v in e.tie_break]},
            )
    got = {
        n: (e.category_id, e.score, e.rank, e.judges, e.tied, e.advances, e.proposed_winner, e.details)
        for n, e in entries.items()
    }
    assert got == expected
    for category, cards in by_category.items():
        assert stats[category] == aggregation.inter_rater(cards)
    assert set(stats) == set(by_category)


@SETTINGS
@given(first=rounds(), second=rounds(), method=st.sampled_from(list(aggregation.Method)),
       quota=st.integers(0, 4), choice=tie_breaks)
def test_the_last_round_proposes_the_winners_of_the_weighted_final_ranking(
    world, first, second, method, quota, choice
):
    tie_break = set_tie_break(world, choice)
    write_round(world, world["first"], first)
    earlier, earlier_entries, _ = sql_entries(
        world["first"], method="trimmed_mean", trim=5, tie_break=tie_break, advance=0, last=False
    )
    by_category = write_round(world, world["last"], second)
    quotas = {c.pk: quota for c in world["categories"]}
    _snapshot, entries, _ = sql_entries(
        world["last"], method=method, trim=5, tie_break=tie_break, advance=3, last=True,
        weight=Decimal("0.6"), previous=[(earlier.pk, Decimal("0.4"))], quotas=quotas,
    )
    proposed = set()
    for category, cards in by_category.items():
        ranked = aggregation.rank(cards, method=method, trim_min_judges=5, tie_break=tie_break[category])
        before = {n: e.score for n, e in earlier_entries.items() if e.category_id == category}
        finals = aggregation.final_ranking([(Decimal("0.4"), before), (Decimal("0.6"), {e.nomination: e.score for e in ranked})])
        proposed |= {f.nomination for f in finals if f.reached_last and f.rank <= quota}
    assert {n for n, e in entries.items() if e.proposed_winner} == proposed
    assert not any(e.advances for e in entries.values())  # the last round advances nobody


@SETTINGS
@given(generated=rounds(), choice=tie_breaks)
def test_the_server_checksums_the_inputs_like_python(world, generated, choice):
    round_ = world["first"]
    by_category = write_round(world, round_, generated)
    set_tie_break(world, choice)
    parameters = results._parameters(round_, "median")
    with transaction.atomic():
        cards = aggregation_sql.RoundCards(
            round_id=round_.pk, excluded=[], tie_break={int(k): v for k, v in parameters["tie_break"].items()}
        )
        digest = aggregation_sql.inputs_checksum(cards, header=aggregation_sql.header("median", parameters))
        cards.drop()
    assert digest == results.inputs_checksum(by_category, method="median", parameters=parameters)


def test_snapshot_compute_gives_the_same_snapshot_on_both_paths(world, settings):
    """End to end through the service: the SQL path and the Python path write the same
    entries, statistics and checksum (a checksum match means the second call reuses)."""
    round_ = world["first"]
    generated = {
        0: [(n, j, Decimal(60 + (n * 7 + j * 3) % 25), {0: (n + j) % 5, 1: 4}) for n in range(6) for j in range(4)],
        1: [(n, j, Decimal(70 + (n * 5 + j) % 9), {2: j % 3}) for n in range(5) for j in range(3)],
    }
    write_round(world, round_, generated)
    set_tie_break(world, [[0], [2, 1]])
    assert connection.vendor == "postgresql"
    settings.JUDGING_AGGREGATION_SQL = True
    in_sql = results.snapshot_compute(round_=round_, method="trimmed_mean")
    settings.JUDGING_AGGREGATION_SQL = False
    in_python = results.snapshot_compute(round_=round_, method="trimmed_mean")
    assert in_python.pk == in_sql.pk  # same checksum: the Python path found the SQL path's snapshot
    RankingEntry.objects.filter(snapshot=in_sql).delete()
    RankingSnapshot.objects.filter(pk=in_sql.pk).delete()
    in_python = results.snapshot_compute(round_=round_, method="trimmed_mean")
    settings.JUDGING_AGGREGATION_SQL = True
    assert in_python.checksum == in_sql.checksum
    assert in_python.statistics == in_sql.statistics

    def rows(snapshot):
        return sorted(snapshot.entries.values_list(
            "nomination_id", "category_id", "score", "rank", "judges", "tied", "advances", "proposed_winner", "details"
        ))

    saved = rows(in_python)
    RankingSnapshot.objects.filter(pk=in_python.pk).delete()
    again = results.snapshot_compute(round_=round_, method="trimmed_mean")
    assert rows(again) == saved and len(saved) == 11
