"""The evaluation report PDF of the demo tender: every table row whole on one page, and people by their names."""

import io

import pytest
from pypdf import PdfReader

from pegasus.core.classification import Classification, Descriptor, marking
from pegasus.evaluation import reports
from pegasus.evaluation.demo import TENDER_REFERENCE, evaluation_demo_load
from pegasus.evaluation.models import Lot, Moderation, Score

pytestmark = pytest.mark.django_db

MARKING = marking(Classification.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL)


@pytest.fixture
def demo_lot(demo) -> Lot:
    evaluation_demo_load()
    return Lot.objects.get(tender__reference=TENDER_REFERENCE)


def _pages(lot: Lot) -> list[str]:
    body = reports.evaluation_pdf(lot, marking=MARKING).content
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(body)).pages]


def _mark_rows(lot: Lot) -> list[str]:
    """Put a marker at the start and end of every score row's rationale (the tallest cell): one marker per row."""
    markers = []
    rows = list(Score.objects.filter(bid__lot=lot).order_by("pk")) + list(
        Moderation.objects.filter(bid__lot=lot).order_by("pk")
    )
    for n, row in enumerate(rows):
        marker = f"ROW{n:02d}"
        type(row).objects.filter(pk=row.pk).update(rationale=f"{marker}A {row.rationale} {marker}Z")
        markers.append(marker)
    return markers


class TestReportPdfLayout:
    def test_no_table_row_spans_two_pages(self, demo_lot):
        # given
        markers = _mark_rows(demo_lot)
        # when
        pages = _pages(demo_lot)
        # then
        assert len(pages) > 1  # the tables run over a page break, so a row could be split
        split = [m for m in markers if not any(f"{m}A" in page and f"{m}Z" in page for page in pages)]
        assert split == []
        assert all(sum(f"{m}A" in page for page in pages) == 1 for m in markers)

    def test_a_table_continued_on_a_new_page_repeats_its_headings(self, demo_lot):
        # given
        markers = _mark_rows(demo_lot)
        # when
        pages = _pages(demo_lot)
        # then every page after the first that holds score rows starts those rows under the column headings
        for page in pages[1:]:
            if any(f"{m}A" in page for m in markers):
                first = min(page.index(f"{m}A") for m in markers if f"{m}A" in page)
                assert "Bidder Criterion" in page[:first]


class TestReportNames:
    def test_the_by_and_evaluator_columns_show_the_persons_name(self, demo_lot):
        # when
        text = " ".join(_pages(demo_lot))
        workbook = reports.evaluation_workbook(demo_lot, marking=MARKING)
        # then
        moderated_by = {row[4] for row in reports._moderated(demo_lot)}
        evaluators = {row[2] for row in reports._originals(demo_lot)}
        assert moderated_by == {"Casey Commercial"}
        assert evaluators == {"Evan Evaluator", "Erin Evaluator"}
        assert "Casey Commercial" in text and "Evan Evaluator" in text
        assert {c.value for c in workbook["Moderated scores"]["E"][2:]} == {"Casey Commercial"}
        assert {c.value for c in workbook["Original scores"]["C"][2:]} == {"Evan Evaluator", "Erin Evaluator"}

    def test_a_person_without_a_recorded_name_is_shown_by_user_name(self, demo_lot):
        # given
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(username="commercial").update(first_name="", last_name="")
        # when
        moderated_by = {row[4] for row in reports._moderated(demo_lot)}
        # then
        assert moderated_by == {"commercial"}
