"""A supplier's performance exports: a contract reference a spreadsheet would run comes out as text, not a formula."""

import csv
import io

import pytest
from openpyxl import load_workbook

from pegasus.core.roles import Role
from pegasus.estate import services as estate_services
from pegasus.estate.models import Contract

pytestmark = pytest.mark.django_db

HOSTILE_REFERENCE = "=cmd|' /C calc'!A0"


@pytest.fixture
def hostile_reference(performance_demo, signed_in):
    """The demo with contract MPS-DP-T1-005 renamed, through the estate's service, to a formula."""
    client, user = signed_in(Role.COMMERCIAL_OFFICER)
    contract = Contract.objects.get(reference="MPS-DP-T1-005")
    estate_services.contract_update(contract=contract, reference=HOSTILE_REFERENCE, by=user)
    return client, contract.supplier


class TestPerformanceExports:
    def test_csv_quotes_the_reference_and_keeps_numbers(self, hostile_reference):
        client, supplier = hostile_reference
        body = client.get(f"/performance/suppliers/{supplier.pk}/export.csv").content.decode()
        rows = list(csv.DictReader(io.StringIO(body, newline="")))
        assert {r["Contract"] for r in rows} == {f"'{HOSTILE_REFERENCE}", "MPS-DP-T1-006"}
        assert all(r["Resolved"].isdigit() for r in rows)

    def test_xlsx_stores_the_reference_as_text(self, hostile_reference):
        client, supplier = hostile_reference
        workbook = load_workbook(io.BytesIO(client.get(f"/performance/suppliers/{supplier.pk}/export.xlsx").content))
        for sheet in workbook:
            references = [row[0] for row in sheet.iter_rows(min_row=4) if row[0].value != "MPS-DP-T1-006"]
            assert references and {(c.value, c.data_type) for c in references} == {(HOSTILE_REFERENCE, "s")}
        assert all(c.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for c in row)


class TestRejectedRowsFile:
    def test_text_a_spreadsheet_would_run_is_quoted_and_line_numbers_stay_numbers(self, tmp_path):
        """The rows a load set aside are written for people to open and fix: no cell of them may run."""
        # given
        from pegasus.performance import datasets, duckdb_sql, ticket_loading

        path = tmp_path / "tickets.csv"
        path.write_text(
            "ticket_id,supplier,priority,opened_at,resolved_at\n"
            f"T1,{HOSTILE_REFERENCE},9,2019-06-03T09:00,\n"
            "=1+1,S,1,2019-06-03T09:00\n"
            "T3,S,1,2019-06-03T09:00,\n",
            encoding="utf-8",
        )
        con = duckdb_sql.connect()
        report = ticket_loading.load_tickets(con, path, skip_invalid=True)
        # when
        target = tmp_path / "tickets.rejected.csv"
        datasets.write_rejected(con, report, target)
        # then
        with target.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [(r["line"], r["supplier"], r["raw_line"]) for r in rows] == [
            ("2", f"'{HOSTILE_REFERENCE}", ""),
            ("3", "", "'=1+1,S,1,2019-06-03T09:00"),
        ]
