"""Geometry of the ranking page's severity chart (评委宽严度): pure, no database.

``severity_chart`` turns the per-judge statistics of a ranking snapshot
(``RankingSnapshot.statistics[category]``) into the coordinates the template
draws as an inline SVG: one horizontal bar per anonymous judge, centred on 0
(a lenient judge's bar goes right, a severe judge's left), and the band of
±threshold within which a judge counts as near the consensus.
"""

from __future__ import annotations

from decimal import Decimal

CHART_WIDTH = 640  # the whole SVG
CHART_LABEL = 64  # the judge codes on the left
CHART_VALUE = 120  # the figures on the right
CHART_ROW = 30  # one judge
CHART_TOP = 24  # above the first row
CHART_BOTTOM = 26  # below the last row: the axis and its labels
SCALE_MARGIN = Decimal("1.15")  # the longest bar stops short of the plot's edge


def severity_chart(stats: dict, threshold: Decimal) -> dict:
    """Geometry of a horizontal bar chart of each judge's severity, centred on 0.

    ``stats``: ``{"judges": [{"judge", "severity" (str or None),
    "far_from_consensus", …}], "kendall_w": …}``. A judge without a severity
    (too few scorecards) gets a row without a bar. The scale fits the largest
    severity or the threshold, whichever is larger.
    """
    judges = stats.get("judges", [])
    values = [Decimal(j["severity"]) for j in judges if j.get("severity") is not None]
    scale_max = max([abs(v) for v in values] + [threshold]) * SCALE_MARGIN
    plot = CHART_WIDTH - CHART_LABEL - CHART_VALUE
    centre = CHART_LABEL + plot / 2
    half = Decimal(plot / 2)

    def x(value: Decimal) -> float:
        return round(float(Decimal(centre) + value / scale_max * half), 1)

    rows = []
    for i, j in enumerate(judges):
        y = CHART_TOP + i * CHART_ROW
        severity = None if j.get("severity") is None else Decimal(j["severity"])
        row = {
            **j,
            "y": y,
            "text_y": y + 15,
            "severity_value": severity,
            "far": bool(j.get("far_from_consensus")),
        }
        if severity is not None:
            end = x(severity)
            row["bar_x"] = min(centre, end)
            row["bar_width"] = round(max(abs(end - centre), 1.5), 1)
            row["label_x"] = CHART_WIDTH - CHART_VALUE + 8
            row["kind"] = "lenient" if severity > 0 else ("severe" if severity < 0 else "even")
        rows.append(row)
    height = CHART_TOP + len(judges) * CHART_ROW + CHART_BOTTOM
    return {
        "width": CHART_WIDTH,
        "height": height,
        "centre": centre,
        "plot_left": CHART_LABEL,
        "plot_right": CHART_LABEL + plot,
        "minus": x(-threshold),
        "plus": x(threshold),
        "band": round(x(threshold) - x(-threshold), 1),
        "band_height": height - 22 - 16,
        "axis_bottom": height - 22,
        "value_x": CHART_WIDTH - CHART_VALUE + 8,
        "scale": f"{scale_max:.1f}",
        "rows": rows,
        "kendall_w": stats.get("kendall_w"),
    }
