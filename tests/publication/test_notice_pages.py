"""The notices' pages: the list with its filters and what is due, the draft page from a change or for a contract, a
notice's page and its actions by role, its OCDS release, and a supplier user's view of its own contracts' only."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.publication import services
from pegasus.publication.models import Notice
from tests.factories import ContractFactory, SupplierFactory
from tests.publication.notices import act_contract, published, termination, variation

pytestmark = pytest.mark.django_db

BACKEND = "pegasus.core.backends.PegasusBackend"
NAMES = ["Customer satisfaction", "Service desk answers calls in 60 seconds", "Social value delivered"]
RATED = ["Good", "Approaching target", "Inadequate"]


@pytest.fixture
def people(make_user):
    return {
        "commercial": make_user("commercial-officer", username="drafter"),
        "second": make_user("commercial-officer", username="second"),
        "legal": make_user("legal"),
        "auditor": make_user("auditor"),
    }


def as_user(client, user):
    client.force_login(user, backend=BACKEND)
    return client


class TestDrafting:
    def test_a_commercial_officer_drafts_the_notice_a_change_calls_for(self, client, people):
        # given
        change = variation(ContractFactory(), "400000", ground="additional", by=people["commercial"])
        as_user(client, people["commercial"])

        # when
        page = client.get(f"/notices/new/?change={change.pk}")
        response = client.post(f"/notices/new/?change={change.pk}")

        # then
        assert page.status_code == 200
        assert "Draft the Modification notice (PCR 2015)" in page.text
        assert "regulation 72(3)" in page.text
        notice = Notice.objects.get()
        assert (notice.kind, notice.change, notice.state) == ("PCR-MOD", change, "draft")
        assert response.status_code == 302 and response.url == f"/notices/{notice.pk}/"

    def test_a_change_already_noticed_links_to_its_notice_instead(self, client, people):
        change = variation(ContractFactory(), "400000", ground="additional", by=people["commercial"])
        notice = services.notice_draft_from_change(change=change, by=people["commercial"])

        page = as_user(client, people["commercial"]).get(f"/notices/new/?change={change.pk}")

        assert f'href="/notices/{notice.pk}/"' in page.text
        assert "Draft notice</button>" not in page.text

    def test_a_change_the_rules_ask_no_notice_of_offers_no_draft(self, client, people):
        change = variation(ContractFactory(), "20000", ground="de-minimis", by=people["commercial"])
        as_user(client, people["commercial"])

        page = client.get(f"/notices/new/?change={change.pk}")
        refused = client.post(f"/notices/new/?change={change.pk}")

        assert "The modification rules ask for no notice of this change." in page.text
        assert "Draft notice</button>" not in page.text
        assert "ask for no notice of this change: reg 72(1)(f)" in refused.text
        assert not Notice.objects.exists()

    def test_a_uk7_is_drafted_for_a_contract(self, client, people):
        contract = ContractFactory()
        as_user(client, people["commercial"])

        client.post(f"/notices/new/?contract={contract.pk}&kind=UK7")

        assert Notice.objects.get().kind == "UK7"

    def test_a_uk9_for_a_contract_without_kpis_says_to_set_them(self, client, people):
        contract = ContractFactory()
        as_user(client, people["commercial"])

        page = client.get(f"/notices/new/?contract={contract.pk}&kind=UK9")

        assert f"{contract.reference} has no KPIs set" in page.text
        assert "Draft notice</button>" not in page.text

    def test_a_uk9_asks_the_drafter_to_rate_the_kpis_the_figures_cannot(self, client, people):
        # given KPIs that are not SLA measures, so no figures rate them
        from pegasus.performance.models import ContractKpi

        contract = act_contract(total_value=Decimal("6000000"))
        kpis = [ContractKpi.objects.create(contract=contract, name=name, position=n) for n, name in enumerate(NAMES)]
        as_user(client, people["commercial"])
        url = f"/notices/new/?contract={contract.pk}&kind=UK9"

        # when
        page = client.get(url)
        refused = client.post(url, {f"rating_{kpis[0].pk}": "Good"})
        client.post(url, {f"rating_{k.pk}": rating for k, rating in zip(kpis, RATED, strict=True)})

        # then
        assert "Rating of Customer satisfaction" in page.text
        assert "Select the rating of Service desk answers calls in 60 seconds" in refused.text
        notice = Notice.objects.get()
        assert [(a["name"], a["rating"], a["rated_by"]) for a in notice.body["assessments"]] == [
            (name, rating, "drafter") for name, rating in zip(NAMES, RATED, strict=True)
        ]
        assert "section 71(1)" in notice.body["requirement"]["text"]

    def test_a_contract_asking_for_a_change_notice_by_kind_is_sent_to_its_change(self, client, people):
        contract = ContractFactory()
        ended = termination(contract, by=people["commercial"])
        as_user(client, people["commercial"])

        found = client.get(f"/notices/new/?contract={contract.pk}&kind=UK11")
        missing = client.get(f"/notices/new/?contract={contract.pk}&kind=UK10")

        assert found.status_code == 302 and found.url == f"/notices/new/?change={ended.pk}"
        assert "has no approved or effective change calling for a UK10" in missing.text

    def test_no_parameters_offers_a_choice_of_contract_and_notice(self, client, people):
        contract = ContractFactory()
        page = as_user(client, people["commercial"]).get("/notices/new/")
        assert page.status_code == 200 and contract.reference in page.text

    def test_an_unknown_change_is_not_found(self, client, people):
        assert as_user(client, people["commercial"]).get("/notices/new/?change=999999").status_code == 404

    def test_a_bad_parameter_is_refused_not_a_500(self, client, people):
        assert as_user(client, people["commercial"]).get("/notices/new/?change=x").status_code == 400


class TestNoticePage:
    def test_checked_by_legal_then_published_by_the_drafter(self, client, people):
        notice = services.notice_draft_details(contract=ContractFactory(), by=people["commercial"])

        page = as_user(client, people["legal"]).get(f"/notices/{notice.pk}/")
        assert "Mark as checked" in page.text and "Publish notice" not in page.text
        client.post(f"/notices/{notice.pk}/check/")
        page = as_user(client, people["commercial"]).get(f"/notices/{notice.pk}/")
        assert "Publish notice" in page.text
        client.post(f"/notices/{notice.pk}/publish/")

        notice.refresh_from_db()
        assert (notice.state, notice.checked_by, notice.published_by) == (
            "published",
            people["legal"],
            people["commercial"],
        )

    def test_the_drafter_is_told_someone_else_checks(self, client, people):
        notice = services.notice_draft_details(contract=ContractFactory(), by=people["commercial"])

        response = as_user(client, people["commercial"]).post(f"/notices/{notice.pk}/check/", follow=True)

        assert "checked by someone other than the person who drafted it" in response.text
        notice.refresh_from_db()
        assert notice.state == "draft"

    def test_an_auditor_reads_but_may_not_act(self, client, people):
        notice = services.notice_draft_details(contract=ContractFactory(), by=people["commercial"])
        as_user(client, people["auditor"])

        page = client.get(f"/notices/{notice.pk}/")
        refused = client.post(f"/notices/{notice.pk}/check/")

        assert page.status_code == 200 and "Actions" not in page.text
        assert refused.status_code == 403

    def test_a_published_notice_is_corrected_by_a_new_one_shown_in_the_chain(self, client, people):
        notice = services.notice_draft_details(contract=ContractFactory(), by=people["commercial"])
        published(notice, checker=people["legal"], publisher=people["commercial"])
        as_user(client, people["commercial"])

        page = client.get(f"/notices/{notice.pk}/")
        response = client.post(f"/notices/{notice.pk}/correct/", {"reason": "Wrong supplier name."}, follow=True)

        assert "Draft a correction" in page.text and "Save note" not in page.text
        correction = Notice.objects.get(corrects=notice)
        assert response.redirect_chain[-1][0] == f"/notices/{correction.pk}/"
        assert "Wrong supplier name." in response.text
        assert f'href="/notices/{notice.pk}/"' in response.text

    def test_a_change_notice_says_what_the_law_asks_and_links_to_the_change(self, client, people):
        change = termination(ContractFactory(), by=people["commercial"])
        notice = services.notice_draft_from_change(change=change, by=people["commercial"])

        page = as_user(client, people["auditor"]).get(f"/notices/{notice.pk}/")

        assert "Published voluntarily: the contract was awarded under PCR 2015" in page.text
        assert f"/contracts/{change.contract_id}/#change-{change.pk}" in page.text

    def test_its_release_is_json_tagged_as_the_notice(self, client, people):
        change = termination(ContractFactory(), by=people["commercial"])
        notice = services.notice_draft_from_change(change=change, by=people["commercial"])

        package = as_user(client, people["auditor"]).get(f"/notices/{notice.pk}/release.json").json()

        assert package["releases"][0]["tag"] == ["contractTermination"]


class TestList:
    def test_filters_by_kind_state_contract_and_supplier(self, client, people):
        acme = SupplierFactory(name="Acme")
        first = services.notice_draft_details(contract=ContractFactory(reference="MPS-A-1", supplier=acme), by=None)
        second = services.notice_draft_details(contract=ContractFactory(reference="MPS-B-2"), by=None)
        published(second, checker=people["legal"], publisher=people["commercial"])
        as_user(client, people["auditor"])

        def listed(query):
            page = client.get(f"/notices/?{query}")
            return {pk for pk in (first.pk, second.pk) if f'href="/notices/{pk}/"' in page.text}

        assert listed("") == {first.pk, second.pk}
        assert listed("state=published") == {second.pk}
        assert listed("contract=a-1") == {first.pk}
        assert listed(f"supplier={acme.pk}") == {first.pk}
        assert listed("kind=UK11") == set()

    def test_what_is_due_until_its_notice_is_published(self, client, people):
        change = variation(ContractFactory(), "400000", ground="additional", by=people["commercial"])
        ended = termination(ContractFactory(), by=people["commercial"])
        as_user(client, people["commercial"])

        page = client.get("/notices/")
        assert f"/notices/new/?change={change.pk}" in page.text
        assert f"/notices/new/?change={ended.pk}" in page.text

        notice = services.notice_draft_from_change(change=change, by=people["commercial"])
        published(notice, checker=people["legal"], publisher=people["commercial"])
        page = client.get("/notices/")
        assert f"/notices/new/?change={change.pk}" not in page.text
        assert f"/notices/new/?change={ended.pk}" in page.text

    def test_the_number_of_queries_does_not_grow_with_the_notices(self, client, people):
        services.notice_draft_details(contract=ContractFactory(), by=None)
        as_user(client, people["auditor"])
        with CaptureQueriesContext(connection) as one:
            client.get("/notices/")
        for _ in range(4):
            services.notice_draft_details(contract=ContractFactory(), by=None)

        with CaptureQueriesContext(connection) as five:
            client.get("/notices/")

        assert len(five) == len(one)

    def test_the_queries_of_what_is_due_do_not_grow_with_the_changes(self, client, people):
        officer = people["commercial"]
        variation(ContractFactory(), "400000", ground="additional", by=officer)
        as_user(client, officer)
        with CaptureQueriesContext(connection) as one:
            client.get("/notices/")
        for _ in range(3):
            variation(ContractFactory(), "400000", ground="additional", by=officer)
            termination(ContractFactory(), by=officer)

        with CaptureQueriesContext(connection) as seven:
            page = client.get("/notices/")

        assert page.text.count("/notices/new/?change=") == 7
        assert len(seven) == len(one)


class TestSupplierUsers:
    def test_a_supplier_user_sees_only_its_own_contracts_notices_and_nothing_due(self, client, people, make_user):
        own, other = ContractFactory(), ContractFactory()
        mine = services.notice_draft_details(contract=own, by=None)
        theirs = services.notice_draft_details(contract=other, by=None)
        variation(other, "400000", ground="additional", by=people["commercial"])
        as_user(client, make_user("supplier-user", username="sam", supplier=own.supplier))

        page = client.get("/notices/")

        assert f'href="/notices/{mine.pk}/"' in page.text
        assert f'href="/notices/{theirs.pk}/"' not in page.text
        assert "notices-due" not in page.text
        assert client.get(f"/notices/{mine.pk}/").status_code == 200
        assert client.get(f"/notices/{theirs.pk}/").status_code == 404
        assert client.get(f"/notices/{theirs.pk}/release.json").status_code == 404


class TestPublic:
    def test_the_public_release_package_holds_published_notices_only(self, client, people):
        contract = ContractFactory()
        done = services.notice_draft_details(contract=contract, by=people["commercial"])
        published(done, checker=people["legal"], publisher=people["commercial"])
        draft = services.notice_correct(notice=done, reason="The KPIs were left out.", by=people["commercial"])

        package = client.get("/public/ocds/releases.json").json()

        documents = [
            d["id"] for r in package["releases"] for c in r.get("contracts", []) for d in c.get("documents", [])
        ]
        assert documents == [f"notice-{done.pk}"]
        assert f"notice-{draft.pk}" not in str(package)

    def test_anonymous_users_reach_no_notice_page(self, client, people):
        notice = services.notice_draft_details(contract=ContractFactory(), by=None)
        published(notice, checker=people["legal"], publisher=people["commercial"])

        assert client.get(f"/notices/{notice.pk}/").status_code == 302
        assert client.get(f"/notices/{notice.pk}/release.json").status_code == 302
