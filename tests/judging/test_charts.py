"""The severity chart's geometry (``judging.charts``): plain functions, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from judging.charts import CHART_LABEL, CHART_ROW, CHART_VALUE, CHART_WIDTH, severity_chart

THRESHOLD = Decimal("0.5")


def judge(code: str, severity, *, far: bool = False) -> dict:
    return {"judge": code, "count": 6, "severity": severity, "far_from_consensus": far}


def test_bars_grow_from_the_centre_lenient_right_severe_left():
    chart = severity_chart(
        {"judges": [judge("J01", "1.00"), judge("J02", "-0.50"), judge("J03", "0")], "kendall_w": "0.8"},
        THRESHOLD,
    )
    centre = chart["centre"]
    assert centre == CHART_LABEL + (CHART_WIDTH - CHART_LABEL - CHART_VALUE) / 2
    lenient, severe, even = chart["rows"]

    assert lenient["kind"] == "lenient"
    assert lenient["bar_x"] == centre and lenient["bar_width"] > 0
    assert severe["kind"] == "severe"
    assert severe["bar_x"] + severe["bar_width"] == pytest.approx(centre, abs=0.1)
    # Bars are proportional to the severity: -0.5 is half as long as 1.0.
    assert severe["bar_width"] == pytest.approx(lenient["bar_width"] / 2, abs=0.1)
    # A judge exactly at the consensus still gets a visible sliver.
    assert even["kind"] == "even" and even["bar_width"] == 1.5
    assert chart["kendall_w"] == "0.8"


def test_the_longest_bar_stays_inside_the_plot():
    chart = severity_chart({"judges": [judge("J01", "-7.25"), judge("J02", "3")]}, THRESHOLD)
    for row in chart["rows"]:
        assert chart["plot_left"] <= row["bar_x"]
        assert row["bar_x"] + row["bar_width"] <= chart["plot_right"]
    assert chart["scale"] == "8.3"  # 7.25 × 1.15, the margin beyond the largest severity


def test_the_consensus_band_is_symmetric_and_sets_the_scale_when_everyone_is_close():
    chart = severity_chart({"judges": [judge("J01", "0.10")]}, THRESHOLD)
    assert chart["minus"] + chart["plus"] == pytest.approx(2 * chart["centre"], abs=0.1)
    assert chart["band"] == pytest.approx(chart["plus"] - chart["minus"], abs=0.1)
    assert chart["scale"] == "0.6"  # the threshold (0.5 × 1.15), not the tiny severity
    assert chart["plot_left"] < chart["minus"] < chart["centre"] < chart["plus"] < chart["plot_right"]


def test_rows_stack_and_the_chart_grows_with_the_judges():
    one = severity_chart({"judges": [judge("J01", "0.2")]}, THRESHOLD)
    three = severity_chart(
        {"judges": [judge("J01", "0.2"), judge("J02", None), judge("J03", "-0.9", far=True)]}, THRESHOLD
    )
    assert three["height"] - one["height"] == 2 * CHART_ROW
    assert [r["y"] for r in three["rows"]] == [24, 24 + CHART_ROW, 24 + 2 * CHART_ROW]
    assert three["axis_bottom"] == three["height"] - 22
    # A judge without a severity (too few scorecards) is listed without a bar.
    no_bar = three["rows"][1]
    assert no_bar["severity_value"] is None and "bar_x" not in no_bar and "kind" not in no_bar
    assert three["rows"][2]["far"] is True and three["rows"][0]["far"] is False
    assert three["rows"][0]["judge"] == "J01"  # the statistics are carried along for the labels


def test_no_judges_no_rows():
    chart = severity_chart({}, THRESHOLD)
    assert chart["rows"] == [] and chart["kendall_w"] is None
    assert chart["height"] == 24 + 26
