"""Evaluation pages: the no-peeking rules as an evaluator sees them, moderation, results, the report, the award and
what supplier users reach (nothing)."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from pegasus.core.roles import Role
from pegasus.evaluation import services
from pegasus.evaluation.models import ConflictDeclaration, Score
from pegasus.governance.models import Decision
from tests.evaluation.conftest import moderate

pytestmark = pytest.mark.django_db

BIDDERS = ("Alpha Ltd", "Beta plc")


def as_user(client, user):
    client.force_login(user, backend="pegasus.core.backends.PegasusBackend")
    return client


class TestScoringPage:
    """Acceptance, as pages: no bid before the declaration, no other evaluator's score before moderation."""

    def test_no_bid_is_shown_before_the_evaluator_declares(self, client, tender):
        # when
        body = as_user(client, tender.ev1).get(f"/tenders/lots/{tender.lot.pk}/scoring/").content.decode()
        # then
        assert "No bid is shown until you declare" in body
        for name in BIDDERS:
            assert name not in body
        detail = client.get(f"/tenders/{tender.tender.pk}/").content.decode()
        assert not any(name in detail for name in BIDDERS)

    def test_a_score_posted_before_the_declaration_is_not_recorded(self, client, tender):
        as_user(client, tender.ev1).post(
            f"/tenders/lots/{tender.lot.pk}/scoring/",
            {"bid": tender.alpha.pk, "criterion": tender.tech.pk, "score": "50", "rationale": "x"},
        )
        assert not Score.objects.exists()

    def test_declaring_no_conflict_on_the_page_shows_the_bids(self, client, tender):
        as_user(client, tender.ev1)
        response = client.post(f"/tenders/{tender.tender.pk}/declaration/", {"has_conflict": "no"})
        assert response.status_code == 302
        assert ConflictDeclaration.objects.get(evaluator=tender.ev1).has_conflict is False
        body = client.get(f"/tenders/lots/{tender.lot.pk}/scoring/").content.decode()
        assert all(name in body for name in BIDDERS)

    def test_a_conflict_without_details_is_an_error_on_the_page(self, client, tender):
        as_user(client, tender.ev1)
        response = client.post(f"/tenders/{tender.tender.pk}/declaration/", {"has_conflict": "yes", "details": ""})
        assert "Describe the conflict" in response.content.decode()
        assert not ConflictDeclaration.objects.exists()

    def test_the_evaluator_scores_on_the_page_only_what_is_assigned(self, client, declared):
        t = declared
        as_user(client, t.ev2)
        body = client.get(f"/tenders/lots/{t.lot.pk}/scoring/").content.decode()
        assert "Technical approach" in body and "Social value" not in body
        response = client.post(
            f"/tenders/lots/{t.lot.pk}/scoring/",
            {"bid": t.alpha.pk, "criterion": t.tech.pk, "score": "75", "rationale": "Clear plan"},
        )
        assert response.status_code == 302
        assert Score.objects.get(evaluator=t.ev2).score == 75
        refused = client.post(
            f"/tenders/lots/{t.lot.pk}/scoring/",
            {"bid": t.alpha.pk, "criterion": t.sv.pk, "score": "75", "rationale": "x"},
        )
        assert "not assigned" in refused.content.decode()
        assert Score.objects.filter(evaluator=t.ev2).count() == 1

    def test_another_evaluators_score_appears_only_after_moderation(self, client, scored):
        t = scored
        as_user(client, t.ev1)
        body = client.get(f"/tenders/lots/{t.lot.pk}/scoring/").content.decode()
        assert "SECRET-EV2-A" not in body and "SECRET-EV2-B" not in body
        moderate(t, t.alpha, t.tech, 75)
        body = client.get(f"/tenders/lots/{t.lot.pk}/scoring/").content.decode()
        assert "SECRET-EV2-A" in body and "SECRET-EV2-B" not in body


class TestModerationPage:
    def test_every_original_is_shown_side_by_side_and_a_consensus_is_recorded(self, client, scored):
        t = scored
        as_user(client, t.officer)
        body = client.get(f"/tenders/lots/{t.lot.pk}/moderation/").content.decode()
        assert "SECRET-EV2-A" in body and "ev1 on alpha tech" in body
        response = client.post(
            f"/tenders/lots/{t.lot.pk}/moderation/",
            {"bid": t.alpha.pk, "criterion": t.tech.pk, "score": "75", "rationale": "Agreed: good"},
        )
        assert response.status_code == 302
        assert t.alpha.moderations.get().score == 75
        assert Score.objects.filter(bid=t.alpha, criterion=t.tech).count() == 2

    def test_evaluators_cannot_moderate(self, client, scored):
        t = scored
        response = as_user(client, t.ev1).post(
            f"/tenders/lots/{t.lot.pk}/moderation/",
            {"bid": t.alpha.pk, "criterion": t.tech.pk, "score": "75", "rationale": "x"},
        )
        assert response.status_code == 403
        assert not t.alpha.moderations.exists()


class TestResultsAndAward:
    def test_results_wait_for_moderation(self, client, scored, make_user):
        director = make_user(Role.PROGRAMME_DIRECTOR, username="dana")
        body = as_user(client, director).get(f"/tenders/lots/{scored.lot.pk}/results/").content.decode()
        assert "Not ranked yet: 0 of 4" in body
        assert "SECRET-EV2" not in body

    def test_results_rank_on_moderated_scores_with_sensitivity_in_words(self, client, moderated, make_user):
        director = make_user(Role.PROGRAMME_DIRECTOR, username="dana")
        body = as_user(client, director).get(f"/tenders/lots/{moderated.lot.pk}/results/").content.decode()
        assert body.index("Alpha Ltd") < body.index("Beta plc")
        assert "Alpha Ltd leads Beta plc by 33.00 points." in body
        assert "OFFICIAL-SENSITIVE [COMMERCIAL]" in body

    def test_the_report_is_marked_and_holds_originals_and_ranking(self, client, moderated):
        response = as_user(client, moderated.officer).get(f"/tenders/lots/{moderated.lot.pk}/report.xlsx")
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["Criteria", "Original scores", "Moderated scores", "Ranking"]
        for sheet in workbook.worksheets:
            assert sheet["A1"].value == "OFFICIAL-SENSITIVE [COMMERCIAL]"
        assert workbook["Original scores"].max_row == 2 + 6
        assert [r[1] for r in workbook["Ranking"].iter_rows(min_row=3, max_row=4, values_only=True)] == list(BIDDERS)

    def test_the_pdf_report_is_marked_on_every_page_and_holds_originals_and_ranking(self, client, moderated):
        from pypdf import PdfReader

        response = as_user(client, moderated.officer).get(f"/tenders/lots/{moderated.lot.pk}/report.pdf")
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].endswith('.pdf"')
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
        assert all("OFFICIAL-SENSITIVE [COMMERCIAL]" in page for page in pages)
        text = "\n".join(pages)
        assert text.index("Ranking") < text.index("Alpha Ltd") < text.index("Beta plc")
        assert "Alpha Ltd leads Beta plc by 33.00 points." in text
        originals = Score.objects.filter(bid__lot=moderated.lot)
        assert originals.count() == 6
        assert all(score.rationale in text for score in originals if score.rationale)

    def test_the_award_page_drafts_the_decision(self, client, moderated):
        as_user(client, moderated.officer)
        page = client.get(f"/tenders/lots/{moderated.lot.pk}/award/").content.decode()
        assert 'value="1100000' in page  # the suggested envelope: the next £100,000 above the winning price
        response = client.post(
            f"/tenders/lots/{moderated.lot.pk}/award/",
            {"reference": "PCD 700", "value": "1100000", "rationale": "Best value"},
        )
        decision = Decision.objects.get(reference="PCD 700")
        assert response.url == f"/decisions/{decision.pk}/"
        assert decision.decision_type == "contract-award" and "Alpha Ltd" in decision.part2


class TestSupplierUsers:
    def test_supplier_users_reach_no_evaluation_page(self, client, moderated, make_user):
        t = moderated
        supplier_user = make_user(Role.SUPPLIER_USER, username="sam")
        as_user(client, supplier_user)
        for path in (
            "/tenders/",
            f"/tenders/{t.tender.pk}/",
            f"/tenders/{t.tender.pk}/declaration/",
            f"/tenders/lots/{t.lot.pk}/scoring/",
            f"/tenders/lots/{t.lot.pk}/results/",
            f"/tenders/lots/{t.lot.pk}/moderation/",
            f"/tenders/lots/{t.lot.pk}/report.xlsx",
            f"/tenders/lots/{t.lot.pk}/report.pdf",
        ):
            response = client.get(path)
            assert response.status_code == 403, path
            assert not any(name.encode() in response.content for name in BIDDERS), path

    def test_no_tenders_link_for_supplier_users(self, client, make_user):
        body = as_user(client, make_user(Role.SUPPLIER_USER, username="sam")).get("/contracts/").content.decode()
        assert "/tenders/" not in body


class TestPublicRegister:
    def test_nothing_of_a_bid_reaches_the_public_register(self, client, moderated):
        services.award_recommend(
            lot=moderated.lot, reference="PCD 700", value=1100000, rationale="Best value", by=moderated.officer
        )
        # Published only once approved: force approval to see what Part 1 would publish.
        Decision.objects.filter(reference="PCD 700").update(status=Decision.Status.APPROVED)
        decision = Decision.objects.get(reference="PCD 700")
        register = client.get("/public/decisions/").content.decode()
        page = client.get(f"/public/decisions/{decision.pk}/").content.decode()
        assert "PCD 700" in register + page
        for text in (register, page):
            for secret in ("Alpha", "Beta", "1,000,000", "1,250,000", "95.00"):
                assert secret not in text


def test_the_tender_list_takes_the_same_queries_for_one_tender_or_many(client, tender):
    as_user(client, tender.officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/tenders/").status_code == 200
        return len(captured)

    one = queries()
    for n in range(2, 7):
        services.tender_create(reference=f"T-{n}", title=f"Tender {n}", lots=["A", "B"], by=tender.officer)
    assert queries() == one
