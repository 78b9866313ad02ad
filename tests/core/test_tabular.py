"""The one tabular reader: any kind's columns, names matched by code or name, and one tally of what an import did."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from pegasus.core import tabular
from pegasus.core.exceptions import ImportRejected, RowError

COLUMNS = (
    tabular.Column("name", True, "Who."),
    tabular.Column("month", True, "When."),
    tabular.Column("amount", False, "How much."),
)


class TestReadTable:
    def test_a_file_is_read_under_the_columns_it_is_given(self):
        data = b"Name,Month,Amount\nAcme,2024-04,12.50\n\nBeta,2024-05,\n"
        table = tabular.read_table("prices.csv", data, COLUMNS, kind="prices")
        assert table.columns == ("name", "month", "amount")
        assert table.rows == (
            (2, {"name": "Acme", "month": "2024-04", "amount": "12.50"}),
            (4, {"name": "Beta", "month": "2024-05", "amount": ""}),
        )

    def test_an_unknown_column_is_named_with_the_kind_of_file(self):
        with pytest.raises(ImportRejected) as caught:
            tabular.read_table("prices.csv", b"name,month,colour\nAcme,2024-04,red\n", COLUMNS, kind="prices")
        assert caught.value.errors == [
            RowError(1, "colour", tabular.UNKNOWN_COLUMN.format(value="'colour'", kind="prices"))
        ]


class TestKeys:
    def test_a_cell_matches_a_code_or_a_name_in_any_case_and_spacing(self):
        keys = tabular.code_and_name_keys([("wan", "Wide  Area Network"), ("lan", "Local")])
        assert keys[tabular.lookup_key("  wide area   NETWORK ")] == "wan"
        assert keys[tabular.lookup_key("LAN")] == "lan"

    def test_a_code_wins_over_a_name_that_reads_the_same(self):
        keys = tabular.code_and_name_keys([("networks", "hosting"), ("hosting", "Hosting services")])
        assert keys["hosting"] == "hosting"


class TestTally:
    def test_the_result_counts_each_row_once_and_says_whether_anything_changed(self):
        tally = tabular.Tally()
        tally.created += 2
        tally.unchanged += 1
        result = tally.result("prices")
        assert (result.created, result.updated, result.unchanged, result.changed) == (2, 0, 1, True)
        assert str(result) == "2 created, 0 updated, 1 unchanged"

    def test_counts_each_outcome_a_save_names(self):
        tally = tabular.Tally()
        for outcome in ("created", "updated", "created", "unchanged"):
            tally.count(outcome)
        assert (tally.created, tally.updated, tally.unchanged) == (2, 1, 1)

    def test_an_import_that_wrote_nothing_has_not_changed(self):
        tally = tabular.Tally(unchanged=3)
        assert not tally.result("prices").changed
        text = str(tally.result("contracts", suppliers_created=1))
        assert text == "0 created, 0 updated, 3 unchanged; 1 new supplier"


class TestTemplates:
    EXAMPLE = ("Acme", date(2024, 4, 1), Decimal("12.50"))

    def test_the_csv_template_writes_a_month_column_as_a_month(self):
        text = tabular.template_csv(COLUMNS, self.EXAMPLE, months=("month",)).decode()
        assert text.splitlines() == ["name,month,amount", "Acme,2024-04,12.50"]

    def test_the_xlsx_template_has_a_bold_header_an_example_and_notes(self):
        data = tabular.template_xlsx(COLUMNS, self.EXAMPLE, title="Prices", months=("month",))
        book = load_workbook(io.BytesIO(data))
        sheet, notes = book["Prices"], book["Notes"]
        assert [c.value for c in sheet[1]] == ["name", "month", "amount"] and all(c.font.bold for c in sheet[1])
        assert sheet["B2"].number_format == "yyyy-mm" and sheet["C2"].number_format == "£#,##0.00"
        assert [c.value for c in notes[2]] == ["name", "yes", "Who."]
        assert notes.cell(notes.max_row, 1).value == tabular.CLOSING_NOTE
