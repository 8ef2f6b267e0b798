"""Geometry of the statistics page's inline SVG bar charts. Pure: no database, no Django.

``grouped_bars`` lays out one group of horizontal bars per row (a unit or a
category), one bar per series (submitted, accepted, winners), scaled to the
largest value. The template draws rectangles and text at these coordinates;
the SVG scales with its ``viewBox``, so the chart fits a phone as well.
"""

from __future__ import annotations

WIDTH = 640
LABEL = 170  # room for the row's name
VALUE = 44  # room for the number after the bar
BAR = 11
GAP = 2
ROW_GAP = 10
TOP = 28  # the legend
COLOURS = ("#9aa5b1", "#2f6fb3", "#c4121e")


def _label(name: str, limit: int = 10) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def grouped_bars(rows: list[tuple[str, list[int]]], *, series: list[str]) -> dict:
    """``rows``: (name, one value per series). Returns the SVG's size, the legend and every bar."""
    largest = max([v for _, values in rows for v in values] + [1])
    plot = WIDTH - LABEL - VALUE
    group = len(series) * (BAR + GAP) - GAP
    out_rows = []
    y = TOP
    for name, values in rows:
        bars = []
        for i, value in enumerate(values):
            width = round(plot * value / largest, 1)
            bar_y = y + i * (BAR + GAP)
            bars.append(
                {
                    "x": LABEL,
                    "y": bar_y,
                    "width": max(width, 1.0) if value else 0,
                    "height": BAR,
                    "colour": COLOURS[i % len(COLOURS)],
                    "value": value,
                    "value_x": LABEL + width + 4,
                    "value_y": bar_y + BAR - 1,
                    "series": series[i],
                }
            )
        out_rows.append({"name": name, "label": _label(name), "label_y": y + group / 2 + 4, "bars": bars})
        y += group + ROW_GAP
    legend = [
        {"name": name, "colour": COLOURS[i % len(COLOURS)], "x": LABEL + i * 110, "text_x": LABEL + i * 110 + 14}
        for i, name in enumerate(series)
    ]
    return {
        "width": WIDTH,
        "height": y + 4,
        "label_x": LABEL - 6,
        "axis_x": LABEL,
        "axis_bottom": y - ROW_GAP + 2,
        "largest": largest,
        "rows": out_rows,
        "legend": legend,
    }
