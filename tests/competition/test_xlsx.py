"""The one text-safe .xlsx cell writer every export uses."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from competition.xlsx import write_cell


def _round_trip(values: list) -> list:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    for column, value in enumerate(values, start=1):
        write_cell(ws, 1, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return [c for c in openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active[1]]


def test_text_that_looks_like_a_formula_or_an_error_stays_text():
    cells = _round_trip(['=HYPERLINK("http://x","y")', "#N/A", "+1", "普通文字"])

    assert [c.value for c in cells] == ['=HYPERLINK("http://x","y")', "#N/A", "+1", "普通文字"]
    assert all(c.data_type == "s" for c in cells)


def test_control_characters_excel_refuses_are_dropped_and_dates_get_a_date_format():
    text, date, number = _round_trip(["甲\x07乙", dt.date(2016, 3, 5), 12])

    assert text.value == "甲乙"
    assert date.value == dt.datetime(2016, 3, 5) and date.number_format == "yyyy-mm-dd"
    assert number.value == 12 and number.data_type == "n"
