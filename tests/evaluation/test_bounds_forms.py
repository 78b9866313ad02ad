"""Values no other part of Pegasus can read are refused on the tender pages, on their field, and nothing is kept:
the evaluation services apply the shared bounds, whichever way the values come in."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.roles import Role
from pegasus.evaluation.models import Bid, ConflictDeclaration, Criterion, Lot, Moderation, Score, Tender
from pegasus.governance.models import Decision
from tests.evaluation.test_pages import as_user
from tests.forms import assert_refused_on

pytestmark = pytest.mark.django_db

TOO_MUCH = "99999999999999"  # fits the column, is beyond any contract, and breaks the sums made with it


class TestTenderForm:
    @pytest.mark.parametrize(
        ("field", "value"),
        [("reference", "T\x1b-9"), ("title", "Net\x07works"), ("lots", "SIAM\nNet\x00works"), ("lots", "Host\x9bing")],
    )
    def test_a_tender_is_refused_on_the_field(self, signed_in, field, value):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        data = {"reference": "T-9", "title": "Networks", "lots": "SIAM\nNetworks", field: value}
        response = client.post("/tenders/new/", data)
        assert_refused_on(response, field, "form")
        assert not Tender.objects.exists() and not Lot.objects.exists()


class TestLotSetup:
    def test_a_bid_price_beyond_the_bounds_is_refused_on_its_field(self, client, tender):
        as_user(client, tender.officer)
        response = client.post(
            f"/tenders/lots/{tender.lot.pk}/setup/", {"action": "bid", "bidder_name": "Gamma", "price": TOO_MUCH}
        )
        assert_refused_on(response, "price", "bid_form")
        assert Bid.objects.count() == 2

    def test_a_bidder_name_with_a_control_character_is_refused_on_its_field(self, client, tender):
        as_user(client, tender.officer)
        response = client.post(
            f"/tenders/lots/{tender.lot.pk}/setup/", {"action": "bid", "bidder_name": "Gam\x1bma", "price": "900000"}
        )
        assert_refused_on(response, "bidder_name", "bid_form")
        assert Bid.objects.count() == 2

    def test_a_criterion_title_with_a_control_character_is_refused_on_its_field(self, client, make_user):
        from pegasus.evaluation import services

        officer = make_user(Role.COMMERCIAL_OFFICER, username="officer")
        lot = services.tender_create(reference="T-2", title="Hosting", lots=["Hosting"], by=officer).lots.get()
        as_user(client, officer)
        response = client.post(
            f"/tenders/lots/{lot.pk}/setup/",
            {
                "action": "criteria",
                "c1_title": "Tech\x08nical",
                "c1_code": "tech",
                "c1_kind": "quality",
                "c1_weight": "100",
                **{f"c{n}_kind": "quality" for n in range(2, 9)},
            },
        )
        assert_refused_on(response, "c1_title", "criteria_form")
        assert not Criterion.objects.filter(lot=lot).exists()


class TestEvaluatorsText:
    def test_a_declaration_with_a_control_character_is_refused(self, client, tender):
        as_user(client, tender.ev1)
        response = client.post(
            f"/tenders/{tender.tender.pk}/declaration/", {"has_conflict": "yes", "details": "My\x1b[2J brother"}
        )
        assert response.status_code == 200
        assert "control character" in response.content.decode()
        assert not ConflictDeclaration.objects.exists()

    def test_a_score_rationale_with_a_control_character_is_refused(self, client, declared):
        as_user(client, declared.ev2)
        response = client.post(
            f"/tenders/lots/{declared.lot.pk}/scoring/",
            {"bid": declared.alpha.pk, "criterion": declared.tech.pk, "score": "75", "rationale": "Clear\x1b plan"},
        )
        assert response.status_code == 200
        assert "control character" in response.content.decode()
        assert not Score.objects.exists()

    def test_a_moderation_rationale_with_a_control_character_is_refused(self, client, scored):
        as_user(client, scored.officer)
        response = client.post(
            f"/tenders/lots/{scored.lot.pk}/moderation/",
            {"bid": scored.alpha.pk, "criterion": scored.tech.pk, "score": "75", "rationale": "Agreed\x7f"},
        )
        assert response.status_code == 200
        assert "control character" in response.content.decode()
        assert not Moderation.objects.exists()


class TestAwardForm:
    @pytest.mark.parametrize(
        ("field", "value"), [("value", TOO_MUCH), ("rationale", "Best\x1b value"), ("reference", "PCD\x07700")]
    )
    def test_an_award_is_refused_on_the_field(self, client, moderated, field, value):
        as_user(client, moderated.officer)
        data = {"reference": "PCD 700", "value": "1100000", "rationale": "Best value", field: value}
        response = client.post(f"/tenders/lots/{moderated.lot.pk}/award/", data)
        assert_refused_on(response, field, "form")
        assert not Decision.objects.exists()


class TestCriteriaFromAnyCaller:
    """The page's fields stop a weight above 100; the service stops one from any other caller too."""

    @pytest.mark.parametrize(
        "weights", [(Decimal(-50), Decimal(150)), (Decimal("NaN"), Decimal(100)), (Decimal(100), Decimal(0))]
    )
    def test_weights_outside_0_to_100_are_refused_even_when_they_add_up(self, make_user, weights):
        from pegasus.evaluation import services
        from pegasus.evaluation.services import CriterionSpec

        officer = make_user(Role.COMMERCIAL_OFFICER, username="officer")
        lot = services.tender_create(reference="T-3", title="Hosting", lots=["Hosting"], by=officer).lots.get()
        criteria = [
            CriterionSpec("tech", "Technical", "quality", weights[0]),
            CriterionSpec("sv", "Social value", "social-value", weights[1], pass_mark=Decimal(500)),
        ]
        with pytest.raises(ValidationError) as refused:
            services.lot_criteria_set(lot=lot, criteria=criteria, by=officer)
        assert "from 0 to 100" in " ".join(refused.value.messages)
        assert not Criterion.objects.filter(lot=lot).exists()
