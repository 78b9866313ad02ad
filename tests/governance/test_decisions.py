"""Decisions like PCD 579: drafted, declared, submitted to the office the scheme names, decided, and then fixed."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
import time_machine

from pegasus.core.exceptions import InvalidTransition, RuleViolation
from pegasus.core.models import AuditEvent
from pegasus.governance import services
from pegasus.governance.models import Appointment, Decision, Declaration
from pegasus.governance.services import ExemptionSpec, RecommendationSpec

pytestmark = pytest.mark.django_db
DMPC = "Deputy Mayor for Policing and Crime"


@pytest.fixture
def officer(make_user):
    return make_user("programme-director", username="robin")


@pytest.fixture
def dmpc(make_user):
    user = make_user("approver", username="dmpc")
    Appointment.objects.create(user=user, office=DMPC)
    return user


@pytest.fixture
def pcd_579(officer):
    return services.decision_create(
        by=officer,
        reference="PCD 579",
        title="Pegasus Programme – Next Generation of MPS ICT Outsourced Contracts and Partnering Arrangements",
        decision_type="business-case",
        executive_summary="The current MPS ICT outsourced partnering arrangements are due to terminate over the "
        "next 2-3 years.",
        value=Decimal("6700000.00"),
        required_by=date(2019, 6, 7),
        part2="Illustrative commercial detail.",
        recommendations=[
            RecommendationSpec("approve", "The mobilisation of the Pegasus Programme"),
            RecommendationSpec("approve", "Approval up to a total value of £6.7m", Decimal("6700000.00")),
            RecommendationSpec("note", "The associated revenue cost of £6.7m over the next two years"),
            RecommendationSpec("note", "The schedule of governance steps"),
        ],
        exemptions=[ExemptionSpec("s43", "Commercial interests", date(2025, 12, 31))],
        route=[("Investment Advisory & Monitoring", date(2019, 5, 23)), ("DMPC", None)],
    )


def declare_all(decision, by):
    for kind in Declaration.Kind.values:
        services.declaration_confirm(decision=decision, kind=kind, statement="Confirmed.", by=by)


class TestDraft:
    def test_holds_the_shape_of_pcd_579(self, pcd_579):
        assert [r.kind for r in pcd_579.recommendations.all()] == ["approve", "approve", "note", "note"]
        assert [s.body for s in pcd_579.route.all()] == ["Investment Advisory & Monitoring", "DMPC"]
        assert pcd_579.exemptions.get().section == "s43"
        assert pcd_579.declarations.count() == 7 and not pcd_579.declarations.filter(confirmed=True).exists()

    def test_a_deferral_needs_a_reason(self, pcd_579, officer):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            services.decision_update(decision=pcd_579, by=officer, part1_deferred_until=date(2019, 9, 1))


class TestSubmit:
    def test_a_declaration_needs_its_statement(self, pcd_579, officer):
        with pytest.raises(RuleViolation, match="Enter the statement that confirms the legal advice declaration"):
            services.declaration_confirm(decision=pcd_579, kind="legal", statement="  ", by=officer)
        assert not pcd_579.declarations.get(kind="legal").confirmed

    def test_is_refused_until_every_declaration_is_confirmed(self, pcd_579, officer):
        services.declaration_confirm(decision=pcd_579, kind="financial", statement="Consulted.", by=officer)
        with pytest.raises(RuleViolation, match="not yet: .*Legal advice"):
            services.decision_submit(decision=pcd_579, by=officer)
        assert Decision.objects.get(pk=pcd_579.pk).status == "draft"

    @time_machine.travel(date(2019, 6, 10))
    def test_routes_a_6_7m_business_case_to_the_dmpc_under_clause_4_8(self, pcd_579, officer):
        declare_all(pcd_579, officer)
        decision = services.decision_submit(decision=pcd_579, by=officer)
        assert (decision.status, decision.approver_office, decision.approver_clause) == ("submitted", DMPC, "4.8")


class TestDecide:
    @pytest.fixture
    def submitted(self, pcd_579, officer):
        declare_all(pcd_579, officer)
        return services.decision_submit(decision=pcd_579, by=officer)

    def test_the_named_approver_approves_with_an_interest_declaration(self, submitted, dmpc):
        decision = services.decision_approve(decision=submitted, by=dmpc, interests="None")
        assert (decision.status, decision.decided_by, decision.approver_interests) == ("approved", dmpc, "None")

    def test_an_approver_who_does_not_hold_the_office_is_refused(self, submitted, make_user):
        other = make_user("approver", username="delegate")
        Appointment.objects.create(user=other, office="MPS Commercial Director")
        with pytest.raises(RuleViolation, match="Only the Deputy Mayor for Policing and Crime can decide PCD 579"):
            services.decision_approve(decision=submitted, by=other)

    def test_holding_the_office_without_the_approver_role_is_not_enough(self, submitted, make_user):
        user = make_user("commercial-officer", username="co")
        Appointment.objects.create(user=user, office=DMPC)
        with pytest.raises(RuleViolation):
            services.decision_reject(decision=submitted, by=user)

    def test_a_draft_cannot_be_approved(self, pcd_579, dmpc):
        with pytest.raises(InvalidTransition, match="PCD 579 is draft"):
            services.decision_approve(decision=pcd_579, by=dmpc)

    def test_an_approved_decision_is_immutable(self, submitted, dmpc, officer):
        services.decision_approve(decision=submitted, by=dmpc)
        with pytest.raises(RuleViolation, match="is approved and cannot change"):
            services.decision_update(decision=submitted, by=officer, title="Changed")
        with pytest.raises(InvalidTransition):
            services.decision_withdraw(decision=submitted, by=officer)
        assert Decision.objects.get(pk=submitted.pk).title.startswith("Pegasus Programme")

    def test_a_submitted_decision_can_be_withdrawn(self, submitted, officer):
        assert services.decision_withdraw(decision=submitted, by=officer).status == "withdrawn"

    def test_approval_is_atomic(self, submitted, dmpc):
        with mock.patch("pegasus.governance.services.audit_record", side_effect=RuntimeError):
            with pytest.raises(RuntimeError):
                services.decision_approve(decision=submitted, by=dmpc)
        assert Decision.objects.get(pk=submitted.pk).status == "submitted"

    def test_every_transition_is_audited(self, submitted, dmpc):
        services.decision_approve(decision=submitted, by=dmpc)
        actions = list(
            AuditEvent.objects.filter(object_id=str(submitted.pk), object_type="governance.decision")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["decision.create", *["decision.declare"] * 7, "decision.submit", "decision.approved"]


class TestDemoDecision:
    def test_pcd_579_is_loaded_approved_by_the_dmpc_on_10_june_2019(self, demo):
        from pegasus.core.calendar import LONDON_ZONE
        from pegasus.governance.demo import decisions_demo_load

        assert decisions_demo_load() == {"decisions": 3}
        decision = Decision.objects.get(reference="PCD 579")
        assert (decision.status, decision.approver_office, decision.approver_clause) == ("approved", DMPC, "4.8")
        assert decision.decided_at.astimezone(LONDON_ZONE).date() == date(2019, 6, 10)
        assert decision.value == Decimal("6700000.00")
        assert "£181,302" in decision.legal
        assert decision.declarations.filter(confirmed=True).count() == 7
        assert decisions_demo_load() == {"decisions": 0}
        assert dict(Decision.objects.values_list("reference", "status")) == {
            "PCD 579": "approved",
            "PCD 598": "submitted",
            "PCD 612": "draft",
        }


class TestRevise:
    def test_a_correction_is_a_new_draft_version_and_the_approved_one_stays(self, pcd_579, officer, dmpc):
        declare_all(pcd_579, officer)
        services.decision_submit(decision=pcd_579, by=officer)
        approved = services.decision_approve(decision=pcd_579, by=dmpc)
        revision = services.decision_revise(decision=approved, by=officer)
        assert (revision.reference, revision.version, revision.status) == ("PCD 579", 2, "draft")
        assert revision.recommendations.count() == 4 and revision.exemptions.get().section == "s43"
        assert not revision.declarations.filter(confirmed=True).exists()
        services.decision_update(decision=revision, by=officer, title="Corrected title")
        assert Decision.objects.get(pk=approved.pk).status == "approved"
        assert Decision.objects.get(pk=approved.pk).title.startswith("Pegasus Programme")

    def test_a_correction_keeps_its_reference(self, pcd_579, officer, dmpc):
        declare_all(pcd_579, officer)
        services.decision_submit(decision=pcd_579, by=officer)
        revision = services.decision_revise(decision=services.decision_approve(decision=pcd_579, by=dmpc), by=officer)
        with pytest.raises(RuleViolation, match="its reference cannot change"):
            services.decision_update(decision=revision, by=officer, reference="PCD 999")
        assert Decision.objects.get(pk=revision.pk).reference == "PCD 579"

    def test_only_an_approved_decision_is_revised(self, pcd_579, officer):
        with pytest.raises(InvalidTransition, match="revised only when approved"):
            services.decision_revise(decision=pcd_579, by=officer)


class TestDecisionPage:
    """The steps of a decision taken from its page, by the people the rules allow."""

    def test_the_officer_declares_submits_and_the_dmpc_approves(self, client, pcd_579, officer, dmpc):
        url = f"/decisions/{pcd_579.pk}/"
        client.force_login(officer, backend="pegasus.core.backends.PegasusBackend")
        assert "Submit for decision" in client.get(url).content.decode()
        client.post(f"{url}submit/")
        assert Decision.objects.get(pk=pcd_579.pk).status == "draft"  # declarations missing: refused
        for kind in Declaration.Kind.values:
            client.post(f"{url}declare/", {"kind": kind, "statement": "Done."})
        client.post(f"{url}submit/")
        assert Decision.objects.get(pk=pcd_579.pk).status == "submitted"
        assert client.post(f"{url}approve/").status_code == 403  # the officer is not an approver
        client.force_login(dmpc, backend="pegasus.core.backends.PegasusBackend")
        assert "Only the Deputy Mayor for Policing and Crime can decide this." in client.get(url).content.decode()
        client.post(f"{url}approve/", {"interests": "None"})
        decision = Decision.objects.get(pk=pcd_579.pk)
        assert (decision.status, decision.approver_interests) == ("approved", "None")

    def test_someone_else_cannot_act_on_the_officers_draft(self, client, pcd_579, make_user):
        other = make_user("commercial-officer", username="other")
        client.force_login(other, backend="pegasus.core.backends.PegasusBackend")
        assert client.post(f"/decisions/{pcd_579.pk}/withdraw/").status_code == 403
        assert Decision.objects.get(pk=pcd_579.pk).status == "draft"

    def test_an_unknown_action_is_not_found(self, client, pcd_579, officer):
        client.force_login(officer, backend="pegasus.core.backends.PegasusBackend")
        assert client.post(f"/decisions/{pcd_579.pk}/publish-everything/").status_code == 404


def test_declaring_an_unknown_kind_changes_nothing(client, pcd_579, officer):
    client.force_login(officer, backend="pegasus.core.backends.PegasusBackend")
    response = client.post(f"/decisions/{pcd_579.pk}/declare/", {"kind": "astrology", "statement": "x"}, follow=True)
    assert "Choose one of the declarations" in response.content.decode()
    assert not pcd_579.declarations.filter(confirmed=True).exists()
