"""The tenders API: each role reads exactly what the tender pages give it, and nothing confidential leaks.

Commercial officers: every bidder, price and original score. Evaluators: no bid before they declare no conflict of
interest; then bidders (never prices) on their own criteria, their own scores and others' only once moderated; no
results. Other staff: tenders and criteria, the number of bids and, once every bid is moderated, the results.
Supplier users: nothing.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.models import ApiToken
from pegasus.core.roles import Role
from pegasus.evaluation import selectors, services
from tests.api.conftest import Api
from tests.evaluation.conftest import ALPHA_PRICE, BETA_PRICE, moderate

pytestmark = pytest.mark.django_db

STAFF = [r for r in Role if r != Role.SUPPLIER_USER]
RESULTS_READERS = [r for r in STAFF if r != Role.EVALUATOR]
NOT_MANAGERS = [r for r in STAFF if r != Role.COMMERCIAL_OFFICER]
BIDDERS = ("Alpha Ltd", "Beta plc")
PRICES = ("1000000", "1250000")
SECRETS = ("SECRET-EV2-A", "SECRET-EV2-B")


@pytest.fixture
def as_user(client):
    """An API client holding a token for a user the evaluation fixtures made."""

    def make(user):
        _, key = ApiToken.issue(user=user, name=f"tests-{user.pk}")
        return Api(client, key)

    return make


def leaks(response, *words) -> list[str]:
    text = response.content.decode()
    return [w for w in words if w in text]


class TestTenders:
    @pytest.mark.parametrize("role", STAFF)
    def test_every_staff_role_lists_the_tenders(self, tender, api_as, role):
        api, _ = api_as(role)
        body = api.get("/tenders").json()
        assert body["count"] == 1
        assert (body["items"][0]["reference"], body["items"][0]["lot_count"]) == ("T-1", 1)

    def test_a_commercial_officer_reads_every_bid_and_price(self, tender, as_user):
        body = as_user(tender.officer).get(f"/tenders/{tender.tender.pk}").json()
        [lot] = body["lots"]
        assert body["marking"] == "OFFICIAL-SENSITIVE [COMMERCIAL]"
        assert lot["bids_withheld"] is False and lot["bid_count"] == 2
        assert [(b["bidder"], b["price"]) for b in lot["bids"]] == [
            ("Alpha Ltd", f"{ALPHA_PRICE:.2f}"),
            ("Beta plc", f"{BETA_PRICE:.2f}"),
        ]
        assert [c["code"] for c in lot["criteria"]] == ["tech", "sv", "price"]
        assert lot["criteria"][0]["weight"] == "50.00" and lot["criteria"][0]["pass_mark"] == "25.00"

    @pytest.mark.parametrize("role", NOT_MANAGERS)
    def test_other_staff_read_the_criteria_and_the_number_of_bids_only(self, moderated, api_as, role):
        api, _ = api_as(role)

        response = api.get(f"/tenders/{moderated.tender.pk}")

        [lot] = response.json()["lots"]
        assert (lot["bids"], lot["bids_withheld"], lot["bid_count"]) == (None, True, 2)
        assert response.json()["marking"] == "OFFICIAL"
        assert leaks(response, *BIDDERS, *PRICES) == []

    def test_an_evaluator_reads_their_own_declaration_and_no_other_role_has_one(self, declared, as_user, api_as):
        mine = as_user(declared.ev1).get(f"/tenders/{declared.tender.pk}").json()["declaration"]
        director, _ = api_as(Role.PROGRAMME_DIRECTOR)
        assert mine["has_conflict"] is False
        assert director.get(f"/tenders/{declared.tender.pk}").json()["declaration"] is None

    def test_a_supplier_user_reaches_no_tender(self, moderated, api_as):
        api, _ = api_as(Role.SUPPLIER_USER)
        lot = moderated.lot.pk
        for path in ("/tenders", f"/tenders/{moderated.tender.pk}", f"/tenders/lots/{lot}/results"):
            assert api.get(path).status_code == 403
        assert api.get(f"/tenders/lots/{lot}/scoring").status_code == 403
        assert api.get(f"/tenders/lots/{lot}/moderation").status_code == 403

    def test_a_missing_tender_or_lot_is_not_found(self, tender, as_user):
        api = as_user(tender.officer)
        assert api.get("/tenders/999999").status_code == 404
        assert api.get("/tenders/lots/999999/results").status_code == 404
        assert api.get("/tenders/lots/999999/moderation").status_code == 404
        assert as_user(tender.ev1).get("/tenders/lots/999999/scoring").status_code == 404

    def test_the_list_takes_a_fixed_number_of_queries(self, tender, api_as):
        api, _ = api_as(Role.AUDITOR)
        api.get("/tenders")  # the token's first use is recorded once
        with CaptureQueriesContext(connection) as one:
            api.get("/tenders")
        for n in range(3):
            services.tender_create(reference=f"T-{n + 2}", title="More", lots=["A", "B"], by=tender.officer)

        with CaptureQueriesContext(connection) as four:
            assert api.get("/tenders").json()["count"] == 4

        assert len(four) == len(one)


class TestScoring:
    def test_no_bid_is_shown_before_the_evaluator_declares(self, tender, as_user):
        response = as_user(tender.ev1).get(f"/tenders/lots/{tender.lot.pk}/scoring")
        body = response.json()
        assert (body["bids_shown"], body["declaration"], body["criteria"]) == (False, None, [])
        assert leaks(response, *BIDDERS, *PRICES) == []

    def test_an_evaluator_with_a_conflict_sees_no_bid(self, tender, as_user):
        services.conflict_declare(tender=tender.tender, has_conflict=True, details="I worked there", by=tender.ev1)
        response = as_user(tender.ev1).get(f"/tenders/lots/{tender.lot.pk}/scoring")
        assert response.json()["bids_shown"] is False and response.json()["declaration"]["has_conflict"] is True
        assert leaks(response, *BIDDERS, *PRICES) == []

    def test_before_moderation_an_evaluator_reads_their_own_scores_only_and_never_a_price(self, scored, as_user):
        # when
        response = as_user(scored.ev1).get(f"/tenders/lots/{scored.lot.pk}/scoring")

        # then: ev1 scores tech and social value, sees both bidders, their own rationale, nobody else's
        body = response.json()
        assert body["bids_shown"] is True
        assert [c["code"] for c in body["criteria"]] == ["tech", "sv"]
        tech = body["criteria"][0]
        assert [cell["bidder"] for cell in tech["cells"]] == list(BIDDERS)
        assert tech["cells"][0]["own"]["rationale"] == "ev1 on alpha tech"
        assert all(cell["others"] == [] and cell["moderation"] is None for cell in tech["cells"])
        assert [p["descriptor"] for p in tech["scale"]][:2] == ["Unacceptable", "Poor"]
        assert leaks(response, *SECRETS, *PRICES) == []

    def test_an_evaluator_reads_only_the_criteria_assigned_to_them(self, scored, as_user):
        body = as_user(scored.ev2).get(f"/tenders/lots/{scored.lot.pk}/scoring").json()
        assert [c["code"] for c in body["criteria"]] == ["tech"]

    def test_after_moderation_the_other_evaluators_scores_are_shown(self, scored, as_user):
        # given: alpha moderated on tech, beta not yet
        moderate(scored, scored.alpha, scored.tech, 75)

        # when
        response = as_user(scored.ev1).get(f"/tenders/lots/{scored.lot.pk}/scoring")

        # then
        alpha, beta = response.json()["criteria"][0]["cells"]
        assert [o["rationale"] for o in alpha["others"]] == ["ev2 on alpha tech SECRET-EV2-A"]
        assert alpha["moderation"]["score"] == "75.00"
        assert beta["others"] == [] and beta["moderation"] is None
        assert leaks(response, "SECRET-EV2-B", *PRICES) == []

    @pytest.mark.parametrize("role", RESULTS_READERS)
    def test_no_other_role_reaches_scoring(self, scored, api_as, role):
        api, _ = api_as(role)
        assert api.get(f"/tenders/lots/{scored.lot.pk}/scoring").status_code == 403


class TestModeration:
    def test_a_commercial_officer_reads_every_original_score_side_by_side(self, scored, as_user):
        response = as_user(scored.officer).get(f"/tenders/lots/{scored.lot.pk}/moderation")
        body = response.json()
        tech = body["rows"][0]
        assert tech["criterion"]["code"] == "tech" and [r["criterion"]["code"] for r in body["rows"]] == ["tech", "sv"]
        alpha = tech["cells"][0]
        assert (alpha["bidder"], alpha["expected"], alpha["ready"]) == ("Alpha Ltd", 2, True)
        assert [o["evaluator"] for o in alpha["originals"]] == ["ev1", "ev2"]
        assert all(secret in response.content.decode() for secret in SECRETS)

    @pytest.mark.parametrize("role", NOT_MANAGERS)
    def test_no_other_role_reaches_moderation(self, scored, api_as, role):
        api, _ = api_as(role)
        assert api.get(f"/tenders/lots/{scored.lot.pk}/moderation").status_code == 403


class TestResults:
    @pytest.mark.parametrize("role", RESULTS_READERS)
    def test_results_readers_see_the_ranking_once_every_bid_is_moderated(self, moderated, api_as, role):
        # given
        api, _ = api_as(role)
        expected = selectors.lot_result(moderated.lot)

        # when
        body = api.get(f"/tenders/lots/{moderated.lot.pk}/results").json()

        # then
        assert (body["complete"], body["moderated"], body["needed"]) == (True, 4, 4)
        assert [(r["bidder"], r["rank"], r["total"]) for r in body["ranking"]] == [
            (row.bidder, row.rank, row.total) for row in expected.rows
        ]
        assert body["ranking"][0]["price"] in {f"{ALPHA_PRICE:.2f}", f"{BETA_PRICE:.2f}"}
        assert body["sensitivity"] == expected.sensitivity_words

    def test_before_moderation_is_complete_there_is_no_ranking(self, scored, api_as):
        api, _ = api_as(Role.APPROVER)
        response = api.get(f"/tenders/lots/{scored.lot.pk}/results")
        body = response.json()
        assert (body["complete"], body["moderated"], body["needed"], body["ranking"]) == (False, 0, 4, [])
        assert leaks(response, *BIDDERS, *PRICES) == []

    def test_an_evaluator_is_refused_the_results(self, moderated, as_user):
        assert as_user(moderated.ev1).get(f"/tenders/lots/{moderated.lot.pk}/results").status_code == 403
        assert as_user(moderated.ev1).get("/tenders/lots/999999/results").status_code == 403
