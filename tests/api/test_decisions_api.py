"""The decisions API: each step allowed, refused for the wrong state or role, and atomic; Part 2 only for the roles
that may read it; query counts; the OpenAPI document."""

from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.models import ApiToken, AuditEvent
from pegasus.core.roles import Role
from pegasus.governance import rules, services
from pegasus.governance.models import Appointment, Decision, DecisionStatus, Declaration, Recommendation
from pegasus.governance.services import ExemptionSpec, RecommendationSpec
from tests.api.conftest import Api
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

DMPC = "Deputy Mayor for Policing and Crime"
PART2_MARKER = "OSPREY-PART2-4b1d-WITHHELD"
# The scheme in force when PCD 579 was submitted routes a £6.7m business case to the DMPC (clause 4.8).
SUBMITTED_ON = datetime(2019, 6, 3, 10, 0, tzinfo=UTC)

ROLES = [role.value for role in Role]
INTERNAL = [role for role in ROLES if role != Role.SUPPLIER_USER]
PART2_READERS = {r for r in INTERNAL if r != Role.EVALUATOR}
ORIGINATORS = {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR, Role.FINANCE, Role.LEGAL}


@pytest.fixture
def api_as(client, make_user):
    """An API client holding a token for a new user with the given role, and the user."""

    def make(role: str, *, username: str | None = None, office: str | None = None) -> tuple[Api, object]:
        supplier = SupplierFactory() if role == Role.SUPPLIER_USER else None
        user = make_user(role, username=username or f"{role}-api", supplier=supplier)
        if office:
            Appointment.objects.create(user=user, office=office)
        _, key = ApiToken.issue(user=user, name="tests")
        return Api(client, key), user

    return make


@pytest.fixture
def officer(api_as):
    """The originating officer of the decisions below (a programme director), with their API client."""
    return api_as(Role.PROGRAMME_DIRECTOR, username="robin")


@pytest.fixture
def dmpc(api_as):
    """An approver who holds the office the scheme names for PCD 579."""
    return api_as(Role.APPROVER, username="dmpc", office=DMPC)


def draft_of(user, reference: str = "PCD 579") -> Decision:
    return services.decision_create(
        by=user,
        reference=reference,
        title="Pegasus Programme – Next Generation of MPS ICT Outsourced Contracts and Partnering Arrangements",
        decision_type="business-case",
        executive_summary="The current MPS ICT outsourced partnering arrangements are due to terminate.",
        value=Decimal("6700000.00"),
        required_by=date(2019, 6, 7),
        legal="Contracts of £181,302 or above go through the Regulations.",
        part2=f"Illustrative commercial detail. {PART2_MARKER}",
        recommendations=[
            RecommendationSpec("approve", "The mobilisation of the Pegasus Programme"),
            RecommendationSpec("approve", "Approval up to a total value of £6.7m", Decimal("6700000.00")),
            RecommendationSpec("note", "The associated revenue cost of £6.7m over the next two years"),
        ],
        exemptions=[ExemptionSpec("s43", "Commercial interests", date(2025, 12, 31))],
        route=[("Investment Advisory & Monitoring", date(2019, 5, 23)), ("DMPC", None)],
    )


def declare_all(decision: Decision, by) -> None:
    for kind in Declaration.Kind.values:
        services.declaration_confirm(decision=decision, kind=kind, statement="Confirmed.", by=by)


def decision_in(state: str, officer_user, dmpc_user) -> Decision:
    """PCD 579 driven through the services to `state`."""
    decision = draft_of(officer_user)
    if state == "draft":
        return decision
    declare_all(decision, officer_user)
    if state == "withdrawn":
        return services.decision_withdraw(decision=decision, by=officer_user)
    with time_machine.travel(SUBMITTED_ON, tick=False):
        decision = services.decision_submit(decision=decision, by=officer_user)
    if state == "approved":
        return services.decision_approve(decision=decision, by=dmpc_user, interests="None")
    if state == "rejected":
        return services.decision_reject(decision=decision, by=dmpc_user)
    return decision


@pytest.fixture
def in_state(officer, dmpc):
    return lambda state: decision_in(state, officer[1], dmpc[1])


def messages_of(response) -> list[str]:
    return [item["message"] for item in response.json()["detail"]]


def snapshot(decision: Decision) -> dict:
    """What a failed step must leave as it was: the decision's row, its lists and the audit trail."""
    fresh = Decision.objects.get(pk=decision.pk)
    return {
        "row": {f.attname: getattr(fresh, f.attname) for f in Decision._meta.concrete_fields},
        "recommendations": list(fresh.recommendations.values_list("kind", "text", "amount")),
        "declarations": list(fresh.declarations.values_list("kind", "statement", "confirmed")),
        "route": list(fresh.route.values_list("body", "meets_on")),
        "exemptions": list(fresh.exemptions.values_list("section", "ceases_on")),
        "decisions": Decision.objects.count(),
        "audit": AuditEvent.objects.filter(action__startswith="decision.").count(),
    }


def failing_audit(client: Api):
    """Make the audit trail fail after the step's writes, and let the 500 come back instead of being raised."""
    client.client.raise_request_exception = False
    return mock.patch("pegasus.governance.services.audit_record", side_effect=RuntimeError("audit store down"))


def decision_body(**overrides) -> dict:
    body = {
        "reference": "PCD 612",
        "title": "Pegasus: procurement strategy for service integration",
        "decision_type": "procurement-strategy",
        "executive_summary": "Approve the procurement strategy for the SIAM tower.",
        "value": "42000000.00",
        "required_by": "2019-09-01",
        "part2": "Commercial detail of the strategy.",
        "recommendations": [
            {"kind": "approve", "text": "The procurement strategy for SIAM", "amount": "42000000.00"},
            {"kind": "note", "text": "The market engagement carried out so far"},
        ],
        "route": [{"body": "Investment Advisory & Monitoring", "meets_on": "2019-08-15"}, {"body": DMPC}],
        "exemptions": [{"section": "s43", "name": "Commercial interests", "ceases_on": "2021-12-31"}],
    }
    return {**body, **overrides}


# --- Reading -----------------------------------------------------------------------------------------------


class TestList:
    """GET /api/decisions."""

    @pytest.mark.parametrize("role", INTERNAL)
    def test_staff_of_every_role_list_decisions(self, role, api_as, in_state):
        """Every internal role reads the list, newest first, with the value as text."""
        # given
        first = in_state("approved")
        second = draft_of(first.originating_officer, reference="PCD 600")
        client, _ = api_as(role)

        # when
        response = client.get("/decisions")

        # then
        assert response.status_code == 200
        page = response.json()
        assert page["count"] == 2
        assert [d["id"] for d in page["items"]] == [second.pk, first.pk]
        assert page["items"][1] | {"originating_officer": None} == {
            "id": first.pk,
            "reference": "PCD 579",
            "version": 1,
            "title": first.title,
            "decision_type": "business-case",
            "status": "approved",
            "value": "6700000.00",
            "vat_basis": "net",
            "required_by": "2019-06-07",
            "originating_officer": None,
            "approver_office": DMPC,
        }

    def test_filters_by_status_and_reference(self, api_as, in_state, officer):
        """status and reference narrow the list; reference matches every version of a decision."""
        approved = in_state("approved")
        revision = services.decision_revise(decision=approved, by=officer[1])
        other = draft_of(officer[1], reference="PCD 600")
        client, _ = api_as(Role.AUDITOR)

        by_reference = client.get("/decisions", reference="pcd 579").json()
        drafts = client.get("/decisions", status="draft").json()
        both = client.get("/decisions", status="draft", reference="PCD 579").json()

        assert [d["id"] for d in by_reference["items"]] == [revision.pk, approved.pk]
        assert [d["id"] for d in drafts["items"]] == [other.pk, revision.pk]
        assert [(d["reference"], d["version"]) for d in both["items"]] == [("PCD 579", 2)]

    def test_an_unknown_status_is_422(self, api_as):
        client, _ = api_as(Role.AUDITOR)

        assert client.get("/decisions", status="signed").status_code == 422

    def test_is_paged(self, api_as, officer):
        """limit and offset pick a window; count is the whole list."""
        made = [draft_of(officer[1], reference=f"PCD {600 + i}") for i in range(5)]
        client, _ = api_as(Role.FINANCE)

        page = client.get("/decisions", limit=2, offset=1).json()

        assert (page["count"], page["limit"], page["offset"]) == (5, 2, 1)
        assert [d["id"] for d in page["items"]] == [made[3].pk, made[2].pk]

    def test_supplier_users_are_refused(self, api_as, in_state):
        in_state("approved")
        client, _ = api_as(Role.SUPPLIER_USER)

        response = client.get("/decisions")

        assert response.status_code == 403
        assert PART2_MARKER not in response.content.decode()

    def test_without_a_token_is_401(self, client):
        assert client.get("/api/decisions").status_code == 401


class TestDetail:
    """GET /api/decisions/{id}."""

    def test_holds_part_1_the_lists_and_the_approval(self, api_as, in_state, dmpc):
        decision = in_state("approved")
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        body = client.get(f"/decisions/{decision.pk}").json()

        assert body["legal"] == "Contracts of £181,302 or above go through the Regulations."
        assert [(r["position"], r["kind"], r["amount"]) for r in body["recommendations"]] == [
            (1, "approve", None),
            (2, "approve", "6700000.00"),
            (3, "note", None),
        ]
        assert body["route"] == [
            {"position": 1, "body": "Investment Advisory & Monitoring", "meets_on": "2019-05-23"},
            {"position": 2, "body": "DMPC", "meets_on": None},
        ]
        assert {d["kind"] for d in body["declarations"] if d["confirmed"]} == set(Declaration.Kind.values)
        assert [(e["section"], e["ceases_on"]) for e in body["exemptions"]] == [("s43", "2025-12-31")]
        assert body["approval"] | {"decided_at": None} == {
            "office": DMPC,
            "clause": "4.8",
            "decided_by": {"id": dmpc[1].pk, "name": "dmpc"},
            "decided_at": None,
            "interests": "None",
        }
        assert body["approval"]["decided_at"] is not None
        assert body["part2_release"] is None

    @pytest.mark.parametrize("role", sorted(PART2_READERS))
    def test_part_2_is_shown_to_the_roles_that_advise_or_decide(self, role, api_as, in_state):
        decision = in_state("approved")
        client, _ = api_as(role)

        body = client.get(f"/decisions/{decision.pk}").json()

        assert PART2_MARKER in body["part2"]
        assert body["part2_withheld"] is False
        assert body["marking"] == "OFFICIAL-SENSITIVE [COMMERCIAL]"

    def test_part_2_is_withheld_from_evaluators_in_the_list_and_the_detail(self, api_as, in_state):
        """An evaluator reads Part 1 but Part 2 is null, flagged as withheld, and its text is nowhere."""
        decision = in_state("approved")
        client, _ = api_as(Role.EVALUATOR)

        detail = client.get(f"/decisions/{decision.pk}")
        listed = client.get("/decisions")

        assert detail.status_code == 200
        body = detail.json()
        assert (body["part2"], body["part2_withheld"], body["marking"]) == (None, True, "OFFICIAL")
        assert body["exemptions"][0]["section"] == "s43"
        assert PART2_MARKER not in detail.content.decode()
        assert PART2_MARKER not in listed.content.decode()

    def test_supplier_users_are_refused_whether_or_not_the_decision_exists(self, api_as, in_state):
        """The refusal is the same for a real id and a missing one, so it discloses nothing."""
        decision = in_state("approved")
        client, _ = api_as(Role.SUPPLIER_USER)

        real = client.get(f"/decisions/{decision.pk}")
        missing = client.get(f"/decisions/{decision.pk + 1000}")

        assert (real.status_code, missing.status_code) == (403, 403)
        assert real.content == missing.content
        assert PART2_MARKER not in real.content.decode()

    def test_a_missing_decision_is_404_for_staff(self, api_as):
        client, _ = api_as(Role.AUDITOR)

        response = client.get("/decisions/999999")

        assert response.status_code == 404


# --- Drafting ----------------------------------------------------------------------------------------------


class TestCreate:
    """POST /api/decisions."""

    @pytest.mark.parametrize("role", sorted(ORIGINATORS))
    def test_an_originator_drafts_a_decision_as_its_officer(self, role, api_as):
        client, user = api_as(role)

        response = client.post("/decisions", decision_body())

        assert response.status_code == 201, response.content
        body = response.json()
        decision = Decision.objects.get(pk=body["id"])
        assert (decision.status, decision.originating_officer, decision.value) == (
            "draft",
            user,
            Decimal("42000000.00"),
        )
        assert [r["text"] for r in body["recommendations"]] == [
            "The procurement strategy for SIAM",
            "The market engagement carried out so far",
        ]
        assert [s["body"] for s in body["route"]] == ["Investment Advisory & Monitoring", DMPC]
        assert len(body["declarations"]) == 7 and not any(d["confirmed"] for d in body["declarations"])
        assert AuditEvent.objects.get(action="decision.create", object_id=str(decision.pk)).actor == user

    @pytest.mark.parametrize("role", sorted(set(ROLES) - ORIGINATORS))
    def test_other_roles_are_refused(self, role, api_as):
        client, _ = api_as(role)

        response = client.post("/decisions", decision_body())

        assert response.status_code == 403
        assert not Decision.objects.exists()

    def test_a_deferral_without_a_reason_is_400_naming_the_rule(self, api_as):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/decisions", decision_body(part1_deferred_until="2019-12-31"))

        assert response.status_code == 400
        assert not Decision.objects.exists()

    def test_a_value_sent_as_a_number_with_pennies_is_422(self, api_as):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/decisions", decision_body(value=42000000.5))

        assert response.status_code == 422
        assert not Decision.objects.exists()

    def test_an_unknown_decision_type_is_422(self, api_as):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        assert client.post("/decisions", decision_body(decision_type="whim")).status_code == 422

    def test_is_atomic(self, api_as):
        """A failure after the decision is written leaves no decision, list or declaration behind."""
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        with failing_audit(client):
            response = client.post("/decisions", decision_body())

        assert response.status_code == 500
        assert not Decision.objects.exists()
        assert not Declaration.objects.exists()


class TestUpdate:
    """PATCH /api/decisions/{id}."""

    def test_the_officer_changes_a_draft_and_a_list_sent_replaces_the_drafts(self, officer, in_state):
        client, _ = officer
        decision = in_state("draft")

        response = client.patch(
            f"/decisions/{decision.pk}",
            {"title": "Pegasus Programme (corrected)", "recommendations": [{"kind": "note", "text": "Only this"}]},
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["title"] == "Pegasus Programme (corrected)"
        assert [(r["kind"], r["text"]) for r in body["recommendations"]] == [("note", "Only this")]
        assert [e["section"] for e in body["exemptions"]] == ["s43"]  # not sent: kept
        assert body["value"] == "6700000.00"

    def test_someone_else_is_refused(self, api_as, in_state):
        decision = in_state("draft")
        before = snapshot(decision)
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.patch(f"/decisions/{decision.pk}", {"title": "Hijacked"})

        assert response.status_code == 403
        assert snapshot(decision) == before

    @pytest.mark.parametrize("state", ["submitted", "rejected", "withdrawn"])
    def test_only_a_draft_changes(self, state, officer, in_state):
        decision = in_state(state)
        before = snapshot(decision)

        response = officer[0].patch(f"/decisions/{decision.pk}", {"title": "Too late"})

        assert response.status_code == 409
        assert messages_of(response) == [f"PCD 579 is {state}: it can be changed only when draft."]
        assert snapshot(decision) == before

    def test_an_approved_decision_is_immutable(self, officer, in_state):
        decision = in_state("approved")

        response = officer[0].patch(f"/decisions/{decision.pk}", {"title": "Too late"})

        assert response.status_code == 400
        assert messages_of(response) == ["PCD 579 v1 is approved and cannot change: make a new version."]

    def test_is_atomic(self, officer, in_state):
        decision = in_state("draft")
        before = snapshot(decision)

        with failing_audit(officer[0]):
            response = officer[0].patch(
                f"/decisions/{decision.pk}", {"title": "Changed", "recommendations": [{"kind": "note", "text": "X"}]}
            )

        assert response.status_code == 500
        assert snapshot(decision) == before


class TestDeclare:
    """POST /api/decisions/{id}/declarations/{kind}."""

    def test_the_officer_confirms_a_declaration_with_its_statement(self, officer, in_state):
        decision = in_state("draft")

        response = officer[0].post(
            f"/decisions/{decision.pk}/declarations/financial", {"statement": "Advice from the CFO's team."}
        )

        assert response.status_code == 200
        financial = next(d for d in response.json()["declarations"] if d["kind"] == "financial")
        assert financial == {
            "kind": "financial",
            "label": "Financial advice",
            "statement": "Advice from the CFO's team.",
            "confirmed": True,
        }

    def test_an_unknown_kind_is_422(self, officer, in_state):
        decision = in_state("draft")

        response = officer[0].post(f"/decisions/{decision.pk}/declarations/astrology", {"statement": "Yes"})

        assert response.status_code == 422

    def test_someone_else_is_refused(self, api_as, in_state):
        decision = in_state("draft")
        client, _ = api_as(Role.LEGAL)

        response = client.post(f"/decisions/{decision.pk}/declarations/legal", {"statement": "Not mine to give"})

        assert response.status_code == 403
        assert not Decision.objects.get(pk=decision.pk).declarations.filter(confirmed=True).exists()

    @pytest.mark.parametrize("state", ["submitted", "approved", "rejected", "withdrawn"])
    def test_only_a_draft_is_declared_on(self, state, officer, in_state):
        decision = in_state(state)
        before = snapshot(decision)

        response = officer[0].post(f"/decisions/{decision.pk}/declarations/legal", {"statement": "Late"})

        assert response.status_code == 409
        assert snapshot(decision) == before

    def test_is_atomic(self, officer, in_state):
        decision = in_state("draft")
        before = snapshot(decision)

        with failing_audit(officer[0]):
            response = officer[0].post(f"/decisions/{decision.pk}/declarations/legal", {"statement": "Done"})

        assert response.status_code == 500
        assert snapshot(decision) == before


# --- Steps -------------------------------------------------------------------------------------------------


class TestSubmit:
    """POST /api/decisions/{id}/submit."""

    def test_routes_a_declared_draft_to_the_office_the_scheme_names(self, officer, in_state):
        decision = in_state("draft")
        declare_all(decision, officer[1])

        with time_machine.travel(SUBMITTED_ON, tick=False):
            response = officer[0].post(f"/decisions/{decision.pk}/submit")

        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["approval"]["office"], body["approval"]["clause"]) == ("submitted", DMPC, "4.8")

    def test_is_refused_until_every_declaration_is_confirmed(self, officer, in_state):
        decision = in_state("draft")
        before = snapshot(decision)

        response = officer[0].post(f"/decisions/{decision.pk}/submit")

        assert response.status_code == 400
        assert messages_of(response)[0].startswith("Every declaration must be confirmed before submission")
        assert snapshot(decision) == before

    @pytest.mark.parametrize("state", ["submitted", "approved", "rejected", "withdrawn"])
    def test_only_a_draft_is_submitted(self, state, officer, in_state):
        decision = in_state(state)
        before = snapshot(decision)

        response = officer[0].post(f"/decisions/{decision.pk}/submit")

        assert response.status_code == 409
        assert snapshot(decision) == before

    @pytest.mark.parametrize("role", [Role.COMMERCIAL_OFFICER, Role.APPROVER, Role.EVALUATOR])
    def test_only_the_originating_officer_submits(self, role, api_as, officer, in_state):
        decision = in_state("draft")
        declare_all(decision, officer[1])
        client, _ = api_as(role)

        response = client.post(f"/decisions/{decision.pk}/submit")

        assert response.status_code == 403
        assert Decision.objects.get(pk=decision.pk).status == "draft"

    def test_is_atomic(self, officer, in_state):
        decision = in_state("draft")
        declare_all(decision, officer[1])
        before = snapshot(decision)

        with failing_audit(officer[0]), time_machine.travel(SUBMITTED_ON, tick=False):
            response = officer[0].post(f"/decisions/{decision.pk}/submit")

        assert response.status_code == 500
        assert snapshot(decision) == before


@pytest.mark.parametrize(("step", "outcome"), [("approve", "approved"), ("reject", "rejected")])
class TestDecide:
    """POST /api/decisions/{id}/approve and /reject."""

    def test_the_approver_holding_the_office_decides_with_an_interest_declaration(self, step, outcome, dmpc, in_state):
        decision = in_state("submitted")

        response = dmpc[0].post(f"/decisions/{decision.pk}/{step}", {"interests": "None to declare"})

        assert response.status_code == 200
        approval = response.json()["approval"]
        assert response.json()["status"] == outcome
        assert (approval["decided_by"]["id"], approval["interests"]) == (dmpc[1].pk, "None to declare")
        assert AuditEvent.objects.filter(action=f"decision.{outcome}", actor=dmpc[1]).exists()

    def test_an_approver_without_the_office_is_400(self, step, outcome, api_as, in_state):
        decision = in_state("submitted")
        before = snapshot(decision)
        delegate, _ = api_as(Role.APPROVER, username="delegate", office="MPS Commercial Director")

        response = delegate.post(f"/decisions/{decision.pk}/{step}", {"interests": ""})

        assert response.status_code == 400
        assert messages_of(response) == [f"Only the {DMPC} can decide PCD 579 (scheme clause 4.8)."]
        assert snapshot(decision) == before

    @pytest.mark.parametrize("role", [Role.PROGRAMME_DIRECTOR, Role.COMMERCIAL_OFFICER, Role.AUDITOR])
    def test_other_roles_are_refused_even_holding_the_office(self, step, outcome, role, api_as, in_state):
        decision = in_state("submitted")
        client, _ = api_as(role, office=DMPC)

        response = client.post(f"/decisions/{decision.pk}/{step}", {"interests": ""})

        assert response.status_code == 403
        assert Decision.objects.get(pk=decision.pk).status == "submitted"

    @pytest.mark.parametrize("state", ["draft", "approved", "rejected", "withdrawn"])
    def test_only_a_submitted_decision_is_decided(self, step, outcome, state, dmpc, in_state):
        decision = in_state(state)
        before = snapshot(decision)

        response = dmpc[0].post(f"/decisions/{decision.pk}/{step}", {"interests": ""})

        assert response.status_code == 409
        assert messages_of(response)[0].startswith(f"PCD 579 is {state}")
        assert snapshot(decision) == before

    def test_is_atomic(self, step, outcome, dmpc, in_state):
        decision = in_state("submitted")
        before = snapshot(decision)

        with failing_audit(dmpc[0]):
            response = dmpc[0].post(f"/decisions/{decision.pk}/{step}", {"interests": "None"})

        assert response.status_code == 500
        assert snapshot(decision) == before


class TestWithdraw:
    """POST /api/decisions/{id}/withdraw."""

    @pytest.mark.parametrize("state", ["draft", "submitted"])
    def test_the_officer_withdraws_an_undecided_decision(self, state, officer, in_state):
        decision = in_state(state)

        response = officer[0].post(f"/decisions/{decision.pk}/withdraw")

        assert response.status_code == 200
        assert response.json()["status"] == "withdrawn"

    @pytest.mark.parametrize("state", ["approved", "rejected", "withdrawn"])
    def test_a_decided_or_withdrawn_decision_is_not_withdrawn(self, state, officer, in_state):
        decision = in_state(state)
        before = snapshot(decision)

        response = officer[0].post(f"/decisions/{decision.pk}/withdraw")

        assert response.status_code == 409
        assert snapshot(decision) == before

    def test_someone_else_is_refused(self, api_as, in_state):
        decision = in_state("submitted")
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post(f"/decisions/{decision.pk}/withdraw")

        assert response.status_code == 403
        assert Decision.objects.get(pk=decision.pk).status == "submitted"

    def test_is_atomic(self, officer, in_state):
        decision = in_state("submitted")
        before = snapshot(decision)

        with failing_audit(officer[0]):
            response = officer[0].post(f"/decisions/{decision.pk}/withdraw")

        assert response.status_code == 500
        assert snapshot(decision) == before


class TestRevise:
    """POST /api/decisions/{id}/revise."""

    def test_a_correction_is_a_new_draft_version_drafted_by_the_caller(self, api_as, in_state):
        approved = in_state("approved")
        client, user = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post(f"/decisions/{approved.pk}/revise")

        assert response.status_code == 201
        body = response.json()
        assert (body["reference"], body["version"], body["status"]) == ("PCD 579", 2, "draft")
        assert body["originating_officer"]["id"] == user.pk
        assert not any(d["confirmed"] for d in body["declarations"])
        assert len(body["recommendations"]) == 3
        assert Decision.objects.get(pk=approved.pk).status == "approved"

    @pytest.mark.parametrize("state", ["draft", "submitted", "rejected", "withdrawn"])
    def test_only_an_approved_decision_is_revised(self, state, officer, in_state):
        decision = in_state(state)
        before = snapshot(decision)

        response = officer[0].post(f"/decisions/{decision.pk}/revise")

        assert response.status_code == 409
        assert messages_of(response) == [f"PCD 579 is {state}: it can be revised only when approved."]
        assert snapshot(decision) == before

    @pytest.mark.parametrize("role", [Role.EVALUATOR, Role.APPROVER, Role.AUDITOR])
    def test_roles_that_do_not_draft_decisions_are_refused(self, role, api_as, in_state):
        decision = in_state("approved")
        client, _ = api_as(role)

        response = client.post(f"/decisions/{decision.pk}/revise")

        assert response.status_code == 403
        assert Decision.objects.count() == 1

    def test_is_atomic(self, officer, in_state):
        decision = in_state("approved")
        before = snapshot(decision)

        with failing_audit(officer[0]):
            response = officer[0].post(f"/decisions/{decision.pk}/revise")

        assert response.status_code == 500
        assert snapshot(decision) == before


class TestPart2Release:
    """POST /api/decisions/{id}/part2/release."""

    def test_the_commercial_team_releases_an_approved_part_2_with_a_note(self, api_as, in_state):
        decision = in_state("approved")
        client, user = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post(f"/decisions/{decision.pk}/part2/release", {"note": "s43 ceased; bidders consulted."})

        assert response.status_code == 200
        release = response.json()["part2_release"]
        assert (release["released_by"]["id"], release["note"]) == (user.pk, "s43 ceased; bidders consulted.")
        assert AuditEvent.objects.filter(action="decision.part2-release", actor=user).exists()

    def test_a_blank_note_is_400(self, api_as, in_state):
        decision = in_state("approved")
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post(f"/decisions/{decision.pk}/part2/release", {"note": "  "})

        assert response.status_code == 400
        assert messages_of(response) == [services.RELEASE_NEEDS_NOTE]
        assert Decision.objects.get(pk=decision.pk).part2_released_at is None

    def test_a_second_release_is_400(self, api_as, in_state):
        decision = in_state("approved")
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        client.post(f"/decisions/{decision.pk}/part2/release", {"note": "Reviewed."})
        before = snapshot(decision)

        response = client.post(f"/decisions/{decision.pk}/part2/release", {"note": "Again."})

        assert response.status_code == 400
        assert snapshot(decision) == before

    @pytest.mark.parametrize("state", ["draft", "submitted", "rejected", "withdrawn"])
    def test_only_an_approved_decision_is_released(self, state, api_as, in_state):
        decision = in_state(state)
        before = snapshot(decision)
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post(f"/decisions/{decision.pk}/part2/release", {"note": "Reviewed."})

        assert response.status_code == 409
        assert snapshot(decision) == before

    @pytest.mark.parametrize("role", [Role.PROGRAMME_DIRECTOR, Role.FINANCE, Role.APPROVER, Role.EVALUATOR])
    def test_other_roles_are_refused(self, role, api_as, in_state):
        decision = in_state("approved")
        client, _ = api_as(role)

        response = client.post(f"/decisions/{decision.pk}/part2/release", {"note": "Reviewed."})

        assert response.status_code == 403
        assert Decision.objects.get(pk=decision.pk).part2_released_at is None

    def test_is_atomic(self, api_as, in_state):
        decision = in_state("approved")
        before = snapshot(decision)
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        with failing_audit(client):
            response = client.post(f"/decisions/{decision.pk}/part2/release", {"note": "Reviewed."})

        assert response.status_code == 500
        assert snapshot(decision) == before


# --- Costs and the document --------------------------------------------------------------------------------


class TestQueryCounts:
    def test_the_list_runs_as_many_queries_for_30_decisions_as_for_3(
        self, api_as, officer, dmpc, django_assert_max_num_queries, django_assert_num_queries
    ):
        client, _ = api_as(Role.AUDITOR)
        for i in range(3):
            decided = draft_of(officer[1], reference=f"PCD {700 + i}")
            declare_all(decided, officer[1])
            with time_machine.travel(SUBMITTED_ON, tick=False):
                services.decision_submit(decision=decided, by=officer[1])
            services.decision_approve(decision=decided, by=dmpc[1])
        client.get("/decisions")  # the first call of the minute also records when the token was used

        with django_assert_max_num_queries(6) as few:
            assert client.get("/decisions").json()["count"] == 3

        for i in range(27):
            draft_of(officer[1], reference=f"PCD {800 + i}")
        with django_assert_num_queries(len(few.captured_queries)):
            assert len(client.get("/decisions").json()["items"]) == 30

    def test_the_detail_runs_a_fixed_number_of_queries_however_long_its_lists(
        self, api_as, officer, django_assert_num_queries
    ):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        decision = draft_of(officer[1])
        client.get(f"/decisions/{decision.pk}")
        with CaptureQueriesContext(connection) as few:
            client.get(f"/decisions/{decision.pk}")

        services.decision_update(
            decision=decision,
            by=officer[1],
            recommendations=[RecommendationSpec("note", f"Item {i}") for i in range(8)],
            exemptions=[ExemptionSpec(f"s{40 + i}", "Exempt") for i in range(3)],
        )
        with django_assert_num_queries(len(few)):
            body = client.get(f"/decisions/{decision.pk}").json()
        assert len(body["recommendations"]) == 8


class TestOpenApi:
    def test_the_document_lists_the_decision_paths(self, client):
        paths = client.get("/api/openapi.json").json()["paths"]

        assert {
            "/api/decisions": {"get", "post"},
            "/api/decisions/{decision_id}": {"get", "patch"},
            "/api/decisions/{decision_id}/declarations/{kind}": {"post"},
            "/api/decisions/{decision_id}/submit": {"post"},
            "/api/decisions/{decision_id}/approve": {"post"},
            "/api/decisions/{decision_id}/reject": {"post"},
            "/api/decisions/{decision_id}/withdraw": {"post"},
            "/api/decisions/{decision_id}/revise": {"post"},
            "/api/decisions/{decision_id}/part2/release": {"post"},
        }.items() <= {path: set(operations) for path, operations in paths.items()}.items()
        assert set(paths["/api/decisions/{decision_id}/approve"]["post"]["responses"]) >= {"200", "400", "403", "409"}

    def test_money_is_text_and_each_kind_keeps_its_own_values(self, client):
        """A decision's value is a string; declaration, recommendation and tower kinds do not overwrite each other."""
        schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

        assert schemas["DecisionOut"]["properties"]["value"]["type"] == "string"
        assert schemas["DecisionIn"]["properties"]["value"]["type"] == "string"
        assert schemas["DeclarationOut"]["properties"]["kind"]["enum"] == list(Declaration.Kind.values)
        assert schemas["RecommendationIn"]["properties"]["kind"]["enum"] == ["approve", "note"]
        tower_kind = schemas["TowerOut"]["properties"]["kind"]["$ref"].rsplit("/", 1)[1]
        assert schemas[tower_kind]["enum"] == ["tower", "category"]

    def test_statuses_and_kinds_are_governance_s_words_under_their_names(self, client):
        """A decision's status, declarations and recommendations are governance's words (`governance.rules`), the
        models' choices too; the document names them as it always has."""
        schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

        assert schemas["DecisionSummary"]["properties"]["status"] == {"$ref": "#/components/schemas/DecisionStatus"}
        assert schemas["DecisionStatus"]["enum"] == list(rules.DecisionStatus) == DecisionStatus.values
        declared = schemas["DeclarationOut"]["properties"]["kind"]["enum"]
        assert declared == list(rules.DeclarationKind) == Declaration.Kind.values
        recommended = schemas["RecommendationOut"]["properties"]["kind"]["enum"]
        assert recommended == list(rules.RecommendationKind) == Recommendation.Kind.values
