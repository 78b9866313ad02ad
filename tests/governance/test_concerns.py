"""Decisions filed with the contracts and procurements they concern: the service, the pages, the API and the demo."""

from decimal import Decimal

import pytest

from pegasus.core.exceptions import RuleViolation
from pegasus.core.models import ApiToken, AuditEvent
from pegasus.core.roles import Role
from pegasus.estate import selectors as estate_selectors
from pegasus.estate.models import Contract
from pegasus.governance import selectors, services
from pegasus.governance.models import Decision
from pegasus.governance.services import RecommendationSpec
from pegasus.procurement.models import Procurement

pytestmark = pytest.mark.django_db

FILERS = [Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR]
NOT_FILERS = [Role.FINANCE, Role.LEGAL, Role.APPROVER, Role.AUDITOR, Role.EVALUATOR]
TIER_1 = [f"MPS-DP-T1-00{n}" for n in range(1, 7)]
PROGRAMME = ["PEG-2019-01", "PEG-2019-03", "PEG-2020-02"]


@pytest.fixture(scope="module")
def demo_links(module_transaction):
    """The estate, the decisions and the procurements of the demo, with the decisions filed against them, loaded once
    for the module; each test's changes are undone."""
    from pegasus.estate.demo import demo_load
    from pegasus.governance.demo import decision_concerns_demo_load, decisions_demo_load
    from pegasus.procurement.demo import procurements_demo_load

    demo_load()
    decisions_demo_load()
    procurements_demo_load()
    decision_concerns_demo_load()


def decision(reference: str) -> Decision:
    return Decision.objects.get(reference=reference)


def contract(reference: str) -> Contract:
    return Contract.objects.get(reference=reference)


def procurement(reference: str) -> Procurement:
    return Procurement.objects.get(reference=reference)


def concerns(d: Decision) -> tuple[list[str], list[str]]:
    return (
        sorted(c.reference for c in d.contracts.all()),
        sorted(p.reference for p in d.procurements.all()),
    )


class TestService:
    @pytest.mark.parametrize("role", FILERS)
    def test_a_commercial_officer_or_programme_director_files_an_approved_decision(self, role, demo_links, make_user):
        """Filing is not the paper: an approved decision is linked and stays approved, its content untouched."""
        # given
        by = make_user(role)
        pcd_579 = decision("PCD 579")
        versions = pcd_579.history.count()
        # when
        services.decision_concerns_set(
            decision=pcd_579, contracts=[contract("MPS-DP-T2-101")], procurements=[procurement("PEG-2019-03")], by=by
        )
        # then
        pcd_579.refresh_from_db()
        assert pcd_579.status == Decision.Status.APPROVED
        assert concerns(pcd_579) == (["MPS-DP-T2-101"], ["PEG-2019-03"])
        assert pcd_579.history.count() == versions

    def test_the_change_is_audited_with_who_and_the_references_before_and_after(self, demo_links, make_user):
        by = make_user(Role.COMMERCIAL_OFFICER, username="kim")
        services.decision_concerns_set(
            decision=decision("PCD 598"), contracts=[], procurements=[procurement("PEG-2019-01")], by=by
        )
        event = AuditEvent.objects.filter(action="decision.concerns").latest("pk")
        assert event.actor == by and event.object_id == str(decision("PCD 598").pk)
        assert event.data == {
            "before": {"contracts": ["MPS-DP-T1-002"], "procurements": []},
            "after": {"contracts": [], "procurements": ["PEG-2019-01"]},
        }
        assert "PCD 598 v1 filed as concerning procurements PEG-2019-01" in event.summary

    @pytest.mark.parametrize("reference", ["PCD 612", "PCD 598", "PCD 579"])
    def test_is_allowed_at_any_status(self, reference, demo_links, make_user):
        """A draft (PCD 612), a submitted decision (PCD 598) and an approved one (PCD 579) alike."""
        d = decision(reference)
        status = d.status
        services.decision_concerns_set(
            decision=d, contracts=[contract("MPS-DP-T2-103")], procurements=[], by=make_user(Role.PROGRAMME_DIRECTOR)
        )
        d.refresh_from_db()
        assert concerns(d) == (["MPS-DP-T2-103"], []) and d.status == status

    def test_a_withdrawn_decision_is_filed_too(self, demo_links, make_user):
        draft = decision("PCD 612")
        services.decision_withdraw(decision=draft, by=draft.originating_officer)
        services.decision_concerns_set(
            decision=draft,
            contracts=[],
            procurements=[procurement("PEG-2019-01")],
            by=make_user(Role.COMMERCIAL_OFFICER),
        )
        assert concerns(draft) == ([], ["PEG-2019-01"])

    @pytest.mark.parametrize("role", NOT_FILERS)
    def test_other_roles_are_refused_and_nothing_changes(self, role, demo_links, make_user):
        pcd_579 = decision("PCD 579")
        before, events = concerns(pcd_579), AuditEvent.objects.count()
        with pytest.raises(RuleViolation, match="Only PCD 579's originating officer"):
            services.decision_concerns_set(decision=pcd_579, contracts=[], procurements=[], by=make_user(role))
        assert concerns(pcd_579) == before and AuditEvent.objects.count() == events

    def test_the_originating_officer_files_their_own_decision_whatever_their_role(self, demo_links, make_user):
        author, colleague = make_user(Role.FINANCE, username="author"), make_user(Role.FINANCE, username="colleague")
        paper = services.decision_create(
            by=author,
            reference="PCD 700",
            title="Finance paper",
            decision_type="business-case",
            executive_summary="Summary.",
            value=Decimal("1000.00"),
            recommendations=[RecommendationSpec("approve", "Approve it")],
        )
        services.decision_concerns_set(
            decision=paper, contracts=[contract("MPS-DP-T1-006")], procurements=[], by=author
        )
        assert concerns(paper) == (["MPS-DP-T1-006"], [])
        with pytest.raises(RuleViolation):
            services.decision_concerns_set(decision=paper, contracts=[], procurements=[], by=colleague)

    def test_setting_what_is_already_recorded_writes_nothing(self, demo_links, make_user):
        pcd_598 = decision("PCD 598")
        events = AuditEvent.objects.count()
        services.decision_concerns_set(
            decision=pcd_598,
            contracts=[contract("MPS-DP-T1-002")],
            procurements=[],
            by=make_user(Role.COMMERCIAL_OFFICER),
        )
        assert AuditEvent.objects.count() == events


class TestSelectors:
    def test_a_contract_lists_the_decisions_concerning_it_and_those_authorising_its_changes(
        self, demo_links, make_user, django_assert_num_queries
    ):
        networks = contract("MPS-DP-T1-002")
        # PCD 598 no longer names the contract, but still authorises the exercise of its option
        services.decision_concerns_set(
            decision=decision("PCD 598"), contracts=[], procurements=[], by=make_user(Role.COMMERCIAL_OFFICER)
        )
        with django_assert_num_queries(1):
            listed = [d.reference for d in selectors.decisions_concerning_contract(networks)]
        assert listed == ["PCD 579", "PCD 598"]
        assert [d.reference for d in selectors.decisions_concerning_contract(contract("MPS-DP-T2-101"))] == []

    def test_a_procurement_lists_the_decisions_concerning_it(self, demo_links):
        assert [d.reference for d in selectors.decisions_concerning_procurement(procurement("PEG-2019-01"))] == [
            "PCD 579"
        ]


class TestPages:
    def test_the_decision_page_links_to_each_contract_and_procurement_it_concerns(self, demo_links, signed_in):
        client, _ = signed_in(Role.AUDITOR)
        pcd_579 = decision("PCD 579")
        body = client.get(f"/decisions/{pcd_579.pk}/").content.decode()
        concerns_section = body.split('data-testid="concerns"', 1)[1].split("</dl>", 1)[0]
        for reference in TIER_1:
            assert f'href="/contracts/{contract(reference).pk}/">{reference}</a>' in concerns_section
        for reference in PROGRAMME:
            assert f'href="/procurements/{procurement(reference).pk}/">{reference}</a>' in concerns_section
        assert f"/decisions/{pcd_579.pk}/concerns/" not in body

    def test_the_decision_page_runs_as_many_queries_for_nine_links_as_for_one(self, demo_links, signed_in, make_user):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client, _ = signed_in(Role.AUDITOR)
        pcd_579 = decision("PCD 579")
        with CaptureQueriesContext(connection) as nine:
            client.get(f"/decisions/{pcd_579.pk}/")
        services.decision_concerns_set(
            decision=pcd_579,
            contracts=[contract("MPS-DP-T1-001")],
            procurements=[],
            by=make_user(Role.COMMERCIAL_OFFICER),
        )
        with CaptureQueriesContext(connection) as one:
            client.get(f"/decisions/{pcd_579.pk}/")
        assert len(nine) == len(one)

    @pytest.mark.parametrize("role", FILERS)
    def test_those_who_may_file_are_offered_the_form(self, role, demo_links, signed_in):
        client, _ = signed_in(role)
        pcd_579 = decision("PCD 579")
        assert f"/decisions/{pcd_579.pk}/concerns/" in client.get(f"/decisions/{pcd_579.pk}/").content.decode()

    def test_the_form_shows_what_is_recorded_and_saves_the_choice(self, demo_links, signed_in):
        client, user = signed_in(Role.COMMERCIAL_OFFICER)
        pcd_598 = decision("PCD 598")
        url = f"/decisions/{pcd_598.pk}/concerns/"
        page = client.get(url)
        assert page.status_code == 200
        assert list(page.context["form"]["contracts"].value()) == [contract("MPS-DP-T1-002").pk]
        assert "MPS-DP-T1-002 " in page.content.decode() and "PEG-2019-01 " in page.content.decode()
        response = client.post(
            url, {"contracts": [contract("MPS-DP-T1-002").pk], "procurements": [procurement("PEG-2019-01").pk]}
        )
        assert response.status_code == 302 and response.url == f"/decisions/{pcd_598.pk}/"
        assert concerns(pcd_598) == (["MPS-DP-T1-002"], ["PEG-2019-01"])
        assert AuditEvent.objects.filter(action="decision.concerns").latest("pk").actor == user

    def test_an_unknown_choice_is_an_error_on_its_list_and_nothing_is_saved(self, demo_links, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        pcd_598 = decision("PCD 598")
        response = client.post(f"/decisions/{pcd_598.pk}/concerns/", {"contracts": ["999999"]})
        assert response.status_code == 200 and response.context["form"].errors["contracts"]
        assert concerns(pcd_598) == (["MPS-DP-T1-002"], [])

    @pytest.mark.parametrize("role", NOT_FILERS)
    def test_other_roles_cannot_open_or_post_the_form(self, role, demo_links, signed_in):
        client, _ = signed_in(role)
        url = f"/decisions/{decision('PCD 579').pk}/concerns/"
        assert client.get(url).status_code == 403
        assert client.post(url, {"contracts": []}).status_code == 403
        assert concerns(decision("PCD 579")) == (TIER_1, PROGRAMME)

    def test_the_contract_page_lists_its_decisions_to_staff(self, demo_links, signed_in):
        client, _ = signed_in(Role.FINANCE)
        networks = contract("MPS-DP-T1-002")
        page = client.get(f"/contracts/{networks.pk}/")
        assert [d.reference for d in page.context["decisions"]] == ["PCD 579", "PCD 598"]
        section = page.content.decode().split('data-testid="decisions"', 1)[1].split("</table>", 1)[0]
        assert f'href="/decisions/{decision("PCD 598").pk}/">PCD 598</a>' in section and "Submitted" in section

    def test_supplier_users_see_no_decisions_on_their_own_contract(self, demo_links, signed_in):
        networks = contract("MPS-DP-T1-002")
        client, _ = signed_in(Role.SUPPLIER_USER, supplier=networks.supplier)
        page = client.get(f"/contracts/{networks.pk}/")
        body = page.content.decode()
        assert page.status_code == 200 and not page.context["can_view_decisions"]
        assert 'id="decisions"' not in body and "PCD 579" not in body and "PCD 598" not in body

    def test_the_procurement_page_lists_its_decisions_to_staff(self, demo_links, signed_in):
        client, _ = signed_in(Role.AUDITOR)
        towers = procurement("PEG-2019-01")
        body = client.get(f"/procurements/{towers.pk}/").content.decode()
        section = body.split('data-testid="decisions"', 1)[1].split("</table>", 1)[0]
        assert f'href="/decisions/{decision("PCD 579").pk}/">PCD 579</a>' in section and "Approved" in section

    def test_supplier_users_cannot_open_a_procurement_page(self, demo_links, signed_in):
        client, _ = signed_in(Role.SUPPLIER_USER, supplier=contract("MPS-DP-T1-001").supplier)
        assert client.get(f"/procurements/{procurement('PEG-2019-01').pk}/").status_code == 403


@pytest.fixture
def api_put(client, make_user):
    """PUT a decision's concerns through the API as a new user of the given role."""

    def put(role: str, decision_pk: int, body: dict, **user):
        _, key = ApiToken.issue(user=make_user(role, **user), name="tests")
        return client.put(
            f"/api/decisions/{decision_pk}/concerns",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )

    return put


class TestApi:
    def test_the_decision_lists_what_it_concerns_by_reference(self, demo_links, client, make_user):
        _, key = ApiToken.issue(user=make_user(Role.AUDITOR), name="tests")
        answer = client.get(f"/api/decisions/{decision('PCD 579').pk}", headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200
        assert (answer.json()["contracts"], sorted(answer.json()["procurements"])) == (TIER_1, PROGRAMME)

    def test_a_commercial_officer_sets_them_by_reference(self, demo_links, api_put):
        pcd_579 = decision("PCD 579")
        answer = api_put(Role.COMMERCIAL_OFFICER, pcd_579.pk, {"contracts": ["MPS-DP-T2-102"], "procurements": []})
        assert answer.status_code == 200
        assert (answer.json()["contracts"], answer.json()["procurements"], answer.json()["status"]) == (
            ["MPS-DP-T2-102"],
            [],
            "approved",
        )
        assert concerns(pcd_579) == (["MPS-DP-T2-102"], [])
        assert AuditEvent.objects.filter(action="decision.concerns", object_id=str(pcd_579.pk)).exists()

    def test_an_unknown_reference_is_400_naming_the_list_and_nothing_changes(self, demo_links, api_put):
        pcd_579 = decision("PCD 579")
        answer = api_put(
            Role.PROGRAMME_DIRECTOR, pcd_579.pk, {"contracts": ["MPS-DP-T1-001", "NOPE-1"], "procurements": []}
        )
        assert answer.status_code == 400
        assert answer.json()["detail"] == [{"field": "contracts", "message": "No contract with the reference NOPE-1."}]
        assert concerns(pcd_579) == (TIER_1, PROGRAMME)

    @pytest.mark.parametrize("role", [*NOT_FILERS, Role.SUPPLIER_USER])
    def test_other_roles_are_refused(self, role, demo_links, api_put):
        pcd_579 = decision("PCD 579")
        assert api_put(role, pcd_579.pk, {"contracts": [], "procurements": []}).status_code == 403
        assert concerns(pcd_579) == (TIER_1, PROGRAMME)


class TestDemo:
    def test_pcd_579_concerns_the_tier_1_contracts_and_the_programmes_procurements(self, demo_links):
        assert concerns(decision("PCD 579")) == (
            sorted(c.reference for c in estate_selectors.contracts_of_tier(1)),
            PROGRAMME,
        )
        assert concerns(decision("PCD 579"))[0] == TIER_1

    def test_pcd_598_concerns_the_contract_it_extends(self, demo_links):
        assert concerns(decision("PCD 598")) == (["MPS-DP-T1-002"], [])

    def test_loading_again_changes_nothing(self, demo_links):
        from pegasus.governance.demo import decision_concerns_demo_load, decisions_demo_load

        events = AuditEvent.objects.count()
        assert decisions_demo_load() == {"decisions": 0}
        assert decision_concerns_demo_load() == {"decision links": 0}
        assert AuditEvent.objects.count() == events
        assert concerns(decision("PCD 579")) == (TIER_1, PROGRAMME)
