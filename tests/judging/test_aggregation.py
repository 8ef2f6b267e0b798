"""The aggregation maths (judging.aggregation): plain functions, no database.

Hand-computed rankings for every method (the arithmetic is in the comments so
a reader can check it), then hypothesis properties. Formulas: docs/aggregation.md.
"""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.aggregation import (
    FinalEntry,
    Method,
    Scorecard,
    combine_rounds,
    competition_ranks,
    criterion_means,
    final_ranking,
    inter_rater,
    kendall_w,
    mean,
    median,
    nomination_scores,
    normalized,
    population_sd,
    rank,
    trimmed_mean,
)
from judging.scoring import CriterionSpec, round_half_up

D = Decimal
SOCIAL = 4  # 社会效益, the first tie-break criterion in practice
INNOVATION = 5  # 创新性, the second


def card(nomination, judge, total, social=20, innovation=10):
    return Scorecard(
        nomination=nomination,
        judge=judge,
        total=D(str(total)),
        criteria={SOCIAL: D(str(social)), INNOVATION: D(str(innovation))},
    )


def table(entries):
    """(nomination, score as str, rank, tied) per entry, in output order."""
    return [(e.nomination, str(e.score), e.rank, e.tied) for e in entries]


# --------------------------------------------------------------------------- mean


def mean_cards():
    return [
        # N1: (90 + 85 + 80) / 3 = 255 / 3 = 85.00
        card(1, 11, 90, social=24),
        card(1, 12, 85, social=23),
        card(1, 13, 80, social=22),
        # N2: (88 + 82 + 80) / 3 = 250 / 3 = 83.333… → 83.33
        #     社会效益 (20 + 21 + 22) / 3 = 21.00, 创新性 (12 + 12 + 12) / 3 = 12.00
        card(2, 11, 88, social=20, innovation=12),
        card(2, 12, 82, social=21, innovation=12),
        card(2, 13, 80, social=22, innovation=12),
        # N3: (84 + 83 + 83) / 3 = 250 / 3 → 83.33, 社会效益 (22 + 21 + 20) / 3 = 21.00,
        #     创新性 (13 + 11 + 12) / 3 = 12.00: equal to N2 on everything → shares rank 2
        card(3, 11, 84, social=22, innovation=13),
        card(3, 12, 83, social=21, innovation=11),
        card(3, 13, 83, social=20, innovation=12),
        # N4: (85.5 + 82.5 + 82) / 3 = 250 / 3 → 83.33, but 社会效益 20.00 < 21.00 → rank 4
        #     (its 创新性 15.00 is never looked at: the first criterion decided)
        card(4, 11, "85.5", social=20, innovation=15),
        card(4, 12, "82.5", social=20, innovation=15),
        card(4, 13, 82, social=20, innovation=15),
        # N5: (80.00 + 80.01) / 2 = 80.005 → half up 80.01 (half-even would give 80.00)
        #     社会效益 (24 + 24) / 2 = 24.00
        card(5, 11, "80.00", social=24),
        card(5, 12, "80.01", social=24),
        # N6: (80.01 + 80.01) / 2 = 80.01: raw 80.01 > N5's 80.005, but both show 80.01, so
        #     社会效益 decides: (20 + 21) / 2 = 20.50 < 24.00 → N6 after N5
        card(6, 11, "80.01", social=20),
        card(6, 12, "80.01", social=21),
    ]


def test_mean_ranking_with_a_broken_tie_and_a_tie_that_stays():
    entries = rank(mean_cards(), method="mean", tie_break=[SOCIAL, INNOVATION])
    assert table(entries) == [
        (1, "85.00", 1, False),
        (2, "83.33", 2, True),
        (3, "83.33", 2, True),
        (4, "83.33", 4, False),
        (5, "80.01", 5, False),
        (6, "80.01", 6, False),
    ]
    by_nomination = {e.nomination: e for e in entries}
    assert by_nomination[2].tie_break == ((SOCIAL, D("21.00")), (INNOVATION, D("12.00")))
    assert by_nomination[4].tie_break == ((SOCIAL, D("20.00")), (INNOVATION, D("15.00")))
    assert by_nomination[5].raw_score == D("80.005")
    assert [e.judges for e in entries] == [3, 3, 3, 3, 2, 2]


def test_without_tie_break_criteria_equal_scores_share_the_rank():
    # 83.33 three times → 2, 2, 2, then 5; 80.01 twice → 5, 5
    entries = rank(mean_cards(), method=Method.MEAN)
    assert [(e.nomination, e.rank) for e in entries] == [
        (1, 1),
        (2, 2),
        (3, 2),
        (4, 2),
        (5, 5),
        (6, 5),
    ]
    assert all(e.tied for e in entries[1:])


def test_a_missing_tie_break_criterion_counts_below_every_mean():
    cards = [
        card(1, 11, 80, social=0),
        Scorecard(nomination=2, judge=11, total=D("80"), criteria={}),
    ]
    entries = rank(cards, method="mean", tie_break=[SOCIAL])
    assert [(e.nomination, e.rank, e.tie_break) for e in entries] == [
        (1, 1, ((SOCIAL, D("0.00")),)),
        (2, 2, ((SOCIAL, None),)),
    ]


# --------------------------------------------------------------------------- trimmed mean


def trimmed_cards():
    cards = []
    # N1, 5 judges: 60 80 82 84 95 → drop 60 and 95 → (80 + 82 + 84) / 3 = 246 / 3 = 82.00
    #     (the plain mean would be 401 / 5 = 80.20); 社会效益 21.00, 创新性 12.00
    cards += [card(1, j, t, 21, 12) for j, t in zip(range(11, 16), [95, 80, 82, 84, 60])]
    # N2, 5 judges: 82 × 5 → drop one 82 at each end → 82.00; 社会效益 21.00, 创新性 12.00
    cards += [card(2, j, 82, 21, 12) for j in range(11, 16)]
    # N3, 4 judges (< 5, no trimming): (90 + 80 + 79 + 79) / 4 = 328 / 4 = 82.00;
    #     社会效益 22.00
    cards += [card(3, j, t, 22, 12) for j, t in zip(range(11, 15), [90, 80, 79, 79])]
    # N4, 5 judges: 0 85 85 90 100 → drop 0 and 100 → 260 / 3 = 86.666… → 86.67
    cards += [card(4, j, t) for j, t in zip(range(11, 16), [100, 90, 85, 85, 0])]
    # N5, 5 judges: 70 70 71 72 99 → drop one 70 and 99 → (70 + 71 + 72) / 3 = 71.00
    cards += [card(5, j, t) for j, t in zip(range(11, 16), [70, 70, 71, 72, 99])]
    return cards


def test_trimmed_mean_ranking():
    # 82.00 three times: N3 has 社会效益 22.00 → rank 2; N1 and N2 (21.00, 12.00) stay at 3
    entries = rank(trimmed_cards(), method="trimmed_mean", tie_break=[SOCIAL, INNOVATION])
    assert table(entries) == [
        (4, "86.67", 1, False),
        (3, "82.00", 2, False),
        (1, "82.00", 3, True),
        (2, "82.00", 3, True),
        (5, "71.00", 5, False),
    ]
    assert [e.judges for e in entries] == [5, 4, 5, 5, 5]


def test_trimmed_mean_threshold_is_a_parameter():
    # trim_min_judges=4: N3 is trimmed too: 79 79 80 90 → (79 + 80) / 2 = 79.50 → 1, 2, 2, 4
    entries = rank(
        trimmed_cards(), method="trimmed_mean", trim_min_judges=4, tie_break=[SOCIAL, INNOVATION]
    )
    assert table(entries) == [
        (4, "86.67", 1, False),
        (1, "82.00", 2, True),
        (2, "82.00", 2, True),
        (3, "79.50", 4, False),
        (5, "71.00", 5, False),
    ]


def test_trimmed_mean_below_the_threshold_is_the_mean():
    totals = [D("90"), D("80"), D("79"), D("79")]
    assert trimmed_mean(totals) == mean(totals) == D("82")
    assert trimmed_mean(totals, trim_min_judges=4) == D("79.5")
    assert trimmed_mean([D("88.5")]) == D("88.5")


def test_trimmed_mean_needs_something_left():
    with pytest.raises(ValueError):
        trimmed_mean([D("1"), D("2")], trim_min_judges=2)
    with pytest.raises(ValueError):
        rank(trimmed_cards(), method="trimmed_mean", trim_min_judges=2)


# --------------------------------------------------------------------------- median


def test_median_ranking():
    cards = [
        # N1: 70 80 90 → 80.00; 社会效益 (20 + 22 + 24) / 3 = 22.00, 创新性 (10 + 11 + 12) / 3 = 11.00
        card(1, 11, 80, 20, 10),
        card(1, 12, 90, 22, 11),
        card(1, 13, 70, 24, 12),
        # N2: 79.99 80.00 → (79.99 + 80.00) / 2 = 79.995 → half up 80.00: tied with N1;
        #     社会效益 22.00 equal, 创新性 (12 + 11) / 2 = 11.50 > 11.00 → N2 first
        card(2, 11, "79.99", 22, 12),
        card(2, 12, "80.00", 22, 11),
        # N3: 60 60 85 95 → (60 + 85) / 2 = 72.50; 社会效益 20.00, 创新性 10.00
        card(3, 11, 85),
        card(3, 12, 60),
        card(3, 13, 60),
        card(3, 14, 95),
        # N4: one judge, 72.50; 社会效益 20.00, 创新性 10.00: equal to N3 → both rank 3
        card(4, 11, "72.5"),
        # N5: 50 → rank 5
        card(5, 12, 50),
    ]
    entries = rank(cards, method="median", tie_break=[SOCIAL, INNOVATION])
    assert table(entries) == [
        (2, "80.00", 1, False),
        (1, "80.00", 2, False),
        (3, "72.50", 3, True),
        (4, "72.50", 3, True),
        (5, "50.00", 5, False),
    ]


def test_median_of_odd_and_even_counts():
    assert median([D("3"), D("1"), D("2")]) == D("2")
    assert median([D("4"), D("1"), D("3"), D("2")]) == D("2.5")


# --------------------------------------------------------------------------- normalized


def normalized_cards():
    # judge 1: N1 90, N2 70        μ₁ = 80, σ₁ = √((10² + 10²) / 2) = 10  → z: +1, −1
    # judge 2: N1 84, N2 76, N3 84, N4 76
    #                              μ₂ = 80, σ₂ = √((4 · 4²) / 4) = 4      → z: +1, −1, +1, −1
    # judge 3: N3 70.5, N4 70.5    μ₃ = 70.5, σ₃ = 0                      → z: 0, 0
    # judge 4: N3 70, N4 90        μ₄ = 80, σ₄ = 10                       → z: −1, +1
    # z̄: N1 (1 + 1) / 2 = 1; N2 (−1 − 1) / 2 = −1; N3 (1 + 0 − 1) / 3 = 0; N4 (−1 + 0 + 1) / 3 = 0
    # all ten totals: Σ = 160 + 320 + 141 + 160 = 781, μ = 78.1;
    #   deviations 11.9 −8.1 5.9 −2.1 5.9 −2.1 −7.6 −7.6 −8.1 11.9, squares sum to 608.40,
    #   σ² = 60.84, σ = 7.8
    # scores μ + z̄σ: N1 78.1 + 7.8 = 85.90; N2 78.1 − 7.8 = 70.30; N3 = N4 = 78.10
    # (the plain mean would put N4 (76 + 70.5 + 90) / 3 = 78.83 well above N3 74.83)
    return [
        card(1, 1, 90),
        card(2, 1, 70),
        card(1, 2, 84),
        card(2, 2, 76),
        card(3, 2, 84, social=22),
        card(4, 2, 76, social=21),
        card(3, 3, "70.5", social=22),
        card(4, 3, "70.5", social=21),
        card(3, 4, 70, social=22),
        card(4, 4, 90, social=21),
    ]


def test_normalized_ranking_with_a_judge_whose_sigma_is_zero():
    entries = rank(normalized_cards(), method="normalized")
    assert table(entries) == [
        (1, "85.90", 1, False),
        (3, "78.10", 2, True),
        (4, "78.10", 2, True),
        (2, "70.30", 4, False),
    ]


def test_normalized_tie_broken_by_the_criterion():
    # N3 社会效益 22.00 > N4 21.00
    entries = rank(normalized_cards(), method="normalized", tie_break=[SOCIAL])
    assert table(entries) == [
        (1, "85.90", 1, False),
        (3, "78.10", 2, False),
        (4, "78.10", 3, False),
        (2, "70.30", 4, False),
    ]


def test_normalized_with_one_judge_gives_back_their_totals():
    # one judge: μ = μ₁ and σ = σ₁, so μ + zσ = t
    cards = [card(1, 1, 90), card(2, 1, "77.5"), card(3, 1, 61)]
    assert {n: round_half_up(s) for n, s in normalized(cards).items()} == {
        1: D("90.00"),
        2: D("77.50"),
        3: D("61.00"),
    }


def test_normalized_when_every_total_is_equal():
    # every σ is 0: every z is 0, every score is μ = 80
    cards = [card(n, j, 80) for n in (1, 2) for j in (1, 2)]
    assert normalized(cards) == {1: D("80"), 2: D("80")}


# --------------------------------------------------------------------------- the entry point


def test_nomination_scores_per_method():
    cards = trimmed_cards()
    assert nomination_scores(cards, method="mean")[1] == D("80.2")
    assert nomination_scores(cards, method="trimmed_mean")[1] == D("82")
    assert nomination_scores(cards, method="median")[1] == D("82")


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        rank(mean_cards(), method="best_of_three")


def test_no_scorecards_no_entries():
    assert rank([], method="normalized") == []
    assert nomination_scores([], method="mean") == {}


def test_two_scorecards_of_one_judge_for_one_nomination_are_refused():
    with pytest.raises(ValueError):
        rank([card(1, 11, 80), card(1, 11, 81)], method="mean")


def test_float_totals_are_refused():
    with pytest.raises(TypeError):
        rank([Scorecard(nomination=1, judge=1, total=80.1)], method="mean")


def test_scored_reuses_the_weighted_total():
    rubric = [CriterionSpec(SOCIAL, D("25"), D("1")), CriterionSpec(INNOVATION, D("15"), D("1"))]
    scored = Scorecard.scored(
        nomination=1, judge=2, points={SOCIAL: D("20.5"), INNOVATION: D("12")}, rubric=rubric
    )
    assert scored.total == D("32.50")
    assert criterion_means([scored]) == {1: {SOCIAL: D("20.50"), INNOVATION: D("12.00")}}


def test_population_sd():
    # 2, 4, 4, 4, 5, 5, 7, 9: μ = 5, Σ(x − μ)² = 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32, σ = √(32/8) = 2
    assert population_sd([D(x) for x in (2, 4, 4, 4, 5, 5, 7, 9)]) == D("2")


def test_competition_ranks():
    assert competition_ranks({"a": (3,), "b": (2,), "c": (2,), "d": (1,)}) == {
        "a": 1,
        "b": 2,
        "c": 2,
        "d": 4,
    }


# --------------------------------------------------------------------------- across rounds


def two_rounds():
    return [
        (D("0.4"), {1: D("80"), 2: D("90"), 3: D("85"), 4: D("70"), 5: D("88"), 6: D("85")}),
        (D("0.6"), {1: D("90"), 2: D("80"), 3: D("85"), 6: D("85")}),
    ]


def test_combine_rounds():
    # N1 0.4·80 + 0.6·90 = 32 + 54 = 86; N2 36 + 48 = 84; N3 34 + 51 = 85; N6 34 + 51 = 85
    assert combine_rounds(two_rounds()) == {
        1: D("86.00"),
        2: D("84.00"),
        3: D("85.00"),
        6: D("85.00"),
    }


def test_final_ranking_puts_finalists_first():
    # finalists by final score: N1 86, N3 = N6 85 (shared rank 2), N2 84 → 4;
    # then the others by their last score: N5 88 → 5 (above 84, but it did not reach the final),
    # N4 70 → 6
    entries = final_ranking(two_rounds())
    assert [(e.nomination, str(e.score), e.rank, e.reached_last, e.tied) for e in entries] == [
        (1, "86.00", 1, True, False),
        (3, "85.00", 2, True, True),
        (6, "85.00", 2, True, True),
        (2, "84.00", 4, True, False),
        (5, "88.00", 5, False, False),
        (4, "70.00", 6, False, False),
    ]


def test_final_ranking_tie_break_from_the_caller():
    # e.g. the final round's 社会效益 mean: N6 24 > N3 23
    entries = final_ranking(two_rounds(), tie_break={3: [D("23")], 6: [D("24")]})
    assert [(e.nomination, e.rank) for e in entries][:4] == [(1, 1), (6, 2), (3, 3), (2, 4)]


def test_final_ranking_over_three_rounds():
    # N1 in all three: (0.2·90 + 0.3·80 + 0.5·70) / 1.0 = 18 + 24 + 35 = 77.00 → 1
    # N2 reached round 2 (index 1): its last score 85.00 → 2
    # N3 only round 1: 99.00 → 3 (reaching further ranks first)
    rounds = [
        (D("0.2"), {1: D("90"), 2: D("80"), 3: D("99")}),
        (D("0.3"), {1: D("80"), 2: D("85")}),
        (D("0.5"), {1: D("70")}),
    ]
    assert final_ranking(rounds) == [
        FinalEntry(
            nomination=1, score=D("77.00"), rank=1, reached=2, reached_last=True, tied=False
        ),
        FinalEntry(
            nomination=2, score=D("85.00"), rank=2, reached=1, reached_last=False, tied=False
        ),
        FinalEntry(
            nomination=3, score=D("99.00"), rank=3, reached=0, reached_last=False, tied=False
        ),
    ]


def test_combine_rounds_normalises_by_the_weights_taken_part_in():
    # N7 only in the final: 0.6·80 / 0.6 = 80.00; N1: (0.4·81 + 0.6·80) / 1 = 32.4 + 48 = 80.40
    rounds = [(D("0.4"), {1: D("81")}), (D("0.6"), {1: D("80"), 7: D("80")})]
    assert combine_rounds(rounds) == {1: D("80.40"), 7: D("80.00")}


def test_combine_rounds_refuses_weightless_finalists_and_negative_weights():
    with pytest.raises(ValueError):
        combine_rounds([(D("0"), {1: D("80")}), (D("0"), {1: D("90")})])
    with pytest.raises(ValueError):
        combine_rounds([(D("-1"), {1: D("80")})])
    assert combine_rounds([]) == {} and final_ranking([]) == []


# --------------------------------------------------------------------------- inter-rater


def test_inter_rater_statistics():
    cards = [
        # nomination means: A (80 + 90 + 70) / 3 = 80, B (70 + 80 + 60) / 3 = 70, C 75 (judge 4 only)
        card(1, 1, 80),  # judge 1: mean 75, spread 5, severity (0 + 0) / 2 = 0
        card(2, 1, 70),
        card(1, 2, 90),  # judge 2: mean 85, spread 5, severity (10 + 10) / 2 = +10 (lenient)
        card(2, 2, 80),
        card(1, 3, 70),  # judge 3: mean 65, spread 5, severity (−10 − 10) / 2 = −10 (severe)
        card(2, 3, 60),
        card(3, 4, 75),  # judge 4: shares nothing → no severity
    ]
    stats = inter_rater(cards)
    assert [
        (s.judge, s.count, str(s.mean), str(s.spread), s.shared, s.severity, s.far_from_consensus)
        for s in stats.judges
    ] == [
        (1, 2, "75.00", "5.00", 2, D("0.00"), False),
        (2, 2, "85.00", "5.00", 2, D("10.00"), True),
        (3, 2, "65.00", "5.00", 2, D("-10.00"), True),
        (4, 1, "75.00", "0.00", 0, None, False),
    ]
    # every judge of the complete block {1, 2, 3} × {A, B} puts A above B: W = 1
    assert stats.kendall_w == 1.0
    assert [(b.judges, b.nominations) for b in stats.blocks] == [((1, 2, 3), (1, 2))]
    # the flag is |severity| > threshold, strictly
    assert not any(s.far_from_consensus for s in inter_rater(cards, severity_threshold=10).judges)


def test_kendall_w_with_tie_correction():
    # rank 1 = highest total
    # judge 1: 90 80 70 60 → 1 2 3 4
    # judge 2: 85 85 70 65 → 1.5 1.5 3 4   (one tie of 2: t³ − t = 6)
    # judge 3: 80 70 75 60 → 1 3 2 4
    # R = 3.5, 6.5, 8, 12; R̄ = m(n + 1)/2 = 3·5/2 = 7.5
    # S = 4² + 1² + 0.5² + 4.5² = 16 + 1 + 0.25 + 20.25 = 37.5
    # W = 12·S / (m²(n³ − n) − m·ΣT) = 450 / (9·60 − 3·6) = 450 / 522 = 25/29 ≈ 0.862
    # (without the correction 450 / 540 = 0.833)
    rows = [[90, 80, 70, 60], [85, 85, 70, 65], [80, 70, 75, 60]]
    assert kendall_w([[D(x) for x in row] for row in rows]) == float(Fraction(25, 29))


def test_kendall_w_on_the_complete_block_of_an_incomplete_design():
    # judges 1 and 2 scored A B C; judge 3 scored A B C D; judge 4 scored D E.
    # Complete blocks: {A, B, C} is covered by judges 1, 2, 3; {A B C D} and {D E} by one
    # judge each (no block). On the block:
    # judge 1: 90 80 70 → 1 2 3; judge 2: 80 90 70 → 2 1 3; judge 3: 85 80 75 → 1 2 3
    # R = 4, 5, 9; R̄ = 3·4/2 = 6; S = 4 + 1 + 9 = 14; W = 12·14 / (9·(27 − 3)) = 168/216 = 7/9
    a, b, c, d, e = 1, 2, 3, 4, 5
    cards = [
        card(a, 1, 90),
        card(b, 1, 80),
        card(c, 1, 70),
        card(a, 2, 80),
        card(b, 2, 90),
        card(c, 2, 70),
        card(a, 3, 85),
        card(b, 3, 80),
        card(c, 3, 75),
        card(d, 3, 60),
        card(d, 4, 70),
        card(e, 4, 72),
    ]
    stats = inter_rater(cards)
    assert [(b.judges, b.nominations) for b in stats.blocks] == [((1, 2, 3), (a, b, c))]
    assert stats.kendall_w == float(Fraction(7, 9))


def test_kendall_w_is_none_without_a_complete_block():
    # each judge on their own nominations: no two judges share a set
    cards = [card(1, 1, 80), card(2, 1, 70), card(3, 2, 80), card(4, 2, 70)]
    assert inter_rater(cards).kendall_w is None
    assert kendall_w([[D(1), D(2)]]) is None  # one judge
    assert kendall_w([[D(5), D(5)], [D(3), D(3)]]) is None  # everything tied: 0/0


# --------------------------------------------------------------------------- properties

FAST = settings(max_examples=150, deadline=None)

cents = st.integers(0, 10000).map(lambda c: D(c) / 100)
coarse = st.sampled_from([D("60"), D("70.5"), D("80"), D("80.00"), D("90"), D("100")])
totals = st.one_of(cents, coarse)  # coarse values make ties likely
half_points = st.integers(0, 50).map(lambda h: D(h) / 2)
methods = st.sampled_from(list(Method))


@st.composite
def scorecard_sets(draw, max_nominations=6, max_judges=6):
    nominations = draw(st.integers(1, max_nominations))
    judges = draw(st.integers(1, max_judges))
    cells = draw(
        st.lists(
            st.tuples(st.integers(1, nominations), st.integers(1, judges)),
            min_size=1,
            max_size=nominations * judges,
            unique=True,
        )
    )
    return [
        Scorecard(
            nomination=nomination,
            judge=100 + judge,
            total=draw(totals),
            criteria={SOCIAL: draw(half_points), INNOVATION: draw(half_points)},
        )
        for nomination, judge in cells
    ]


@FAST
@given(st.lists(totals, min_size=1, max_size=12), st.integers(3, 8))
def test_trimmed_mean_lies_between_min_and_max(values, trim_min_judges):
    result = trimmed_mean(values, trim_min_judges)
    assert min(values) <= result <= max(values)
    if len(values) < trim_min_judges:
        assert result == mean(values)


@FAST
@given(st.lists(totals, min_size=1, max_size=12))
def test_median_lies_between_min_and_max(values):
    assert min(values) <= median(values) <= max(values)


def _better_key(entry):
    return (entry.score, *(D("-Infinity") if m is None else m for _, m in entry.tie_break))


@FAST
@given(scorecard_sets(), methods, st.sampled_from([(), (SOCIAL,), (SOCIAL, INNOVATION)]))
def test_ranks_are_a_competition_ranking(cards, method, tie_break):
    entries = rank(cards, method=method, tie_break=tie_break)
    assert {e.nomination for e in entries} == {c.nomination for c in cards}
    assert entries[0].rank == 1
    for entry in entries:
        better = sum(1 for other in entries if _better_key(other) > _better_key(entry))
        assert entry.rank == 1 + better
        same = sum(1 for other in entries if other.rank == entry.rank)
        assert entry.tied == (same > 1)
        assert entry.judges == sum(1 for c in cards if c.nomination == entry.nomination)
        assert entry.score == round_half_up(entry.raw_score)
    assert [(e.rank, e.nomination) for e in entries] == sorted(
        (e.rank, e.nomination) for e in entries
    )


@FAST
@given(scorecard_sets(), methods, st.randoms(use_true_random=False))
def test_permuting_the_input_changes_nothing(cards, method, random):
    shuffled = list(cards)
    random.shuffle(shuffled)
    tie_break = [SOCIAL, INNOVATION]
    assert rank(shuffled, method=method, tie_break=tie_break) == rank(
        cards, method=method, tie_break=tie_break
    )
    assert inter_rater(shuffled) == inter_rater(cards)


@FAST
@given(scorecard_sets(), st.sampled_from([D("2"), D("3"), D("10"), D("0.5"), D("1.25")]))
def test_scaling_all_totals_scales_the_normalized_scores(cards, factor):
    """z-scores do not change under t → c·t, μ and σ scale by c, so every score scales by c.

    Hence the order of the unrounded scores is unchanged. The published ranking
    compares scores rounded to 2 places, so a pair shown equal may come apart
    after scaling (80.004 vs 80.000 becomes 160.01 vs 160.00) and then tie-breaks
    no longer apply; what holds is that a strictly better score is never worse.
    """
    scaled = [
        Scorecard(
            nomination=c.nomination, judge=c.judge, total=c.total * factor, criteria=c.criteria
        )
        for c in cards
    ]
    before, after = normalized(cards), normalized(scaled)
    assert before.keys() == after.keys()
    for nomination, value in before.items():
        assert abs(after[nomination] - value * factor) <= D("1e-18")
    shown_before = {e.nomination: e.score for e in rank(cards, method="normalized")}
    shown_after = {e.nomination: e.score for e in rank(scaled, method="normalized")}
    for a in shown_before:
        for b in shown_before:
            if shown_before[a] > shown_before[b]:
                assert shown_after[a] >= shown_after[b]


@FAST
@given(
    st.lists(st.sampled_from([D(60), D(70), D(80), D(90)]), min_size=2, max_size=8),
    st.integers(2, 6),
)
def test_kendall_w_is_one_for_identical_rankings(row, judges):
    w = kendall_w([row] * judges)
    if len(set(row)) == 1:
        assert w is None  # every judge tied everything: 0/0
    else:
        assert w == 1.0


@FAST
@given(st.integers(2, 6), st.integers(2, 6), st.data())
def test_kendall_w_lies_between_zero_and_one(judges, nominations, data):
    rows = [
        data.draw(st.lists(totals, min_size=nominations, max_size=nominations))
        for _ in range(judges)
    ]
    w = kendall_w(rows)
    assert w is None or 0.0 <= w <= 1.0


@FAST
@given(scorecard_sets())
def test_inter_rater_w_within_bounds_and_severities_sum_to_zero_on_complete_designs(cards):
    stats = inter_rater(cards)
    assert stats.kendall_w is None or 0.0 <= stats.kendall_w <= 1.0
    for block in stats.blocks:
        assert block.w is None or 0.0 <= block.w <= 1.0
    for s in stats.judges:
        assert s.far_from_consensus == (s.severity is not None and abs(s.severity) > D(5))
    judges = {c.judge for c in cards}
    nominations = {c.nomination for c in cards}
    if len(judges) > 1 and len(cards) == len(judges) * len(nominations):
        # Σ_j mean_i(t_ij − t̄_i) = (1/n) Σ_i Σ_j (t_ij − t̄_i) = 0, up to each judge's rounding
        total = sum(s.severity for s in stats.judges)
        assert abs(total) <= D("0.005") * len(judges)
