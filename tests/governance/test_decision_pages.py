"""Drafting and editing a decision on its page, and the commercial team's Part 2 release review."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.governance import services
from pegasus.governance.models import Appointment, Decision, Declaration
from pegasus.governance.services import ExemptionSpec, RecommendationSpec

pytestmark = pytest.mark.django_db
DMPC = "Deputy Mayor for Policing and Crime"


def draft_post(**overrides) -> dict:
    data = {
        "reference": "PCD 612",
        "title": "Pegasus: procurement strategy for service integration",
        "decision_type": "procurement-strategy",
        "executive_summary": "Approve the procurement strategy for the SIAM tower.",
        "value": "42000000.00",
        "required_by": "2019-09-01",
        "rec_1_kind": "approve",
        "rec_1_text": "The procurement strategy for service integration and management",
        "rec_1_amount": "42000000.00",
        "rec_2_kind": "note",
        "rec_2_text": "The market engagement carried out so far",
        "route_1_body": "Investment Advisory & Monitoring",
        "route_1_date": "2019-08-15",
        "route_2_body": DMPC,
        "part2": "Commercial detail of the strategy.",
        "exempt_1_section": "s43",
        "exempt_1_name": "Commercial interests",
        "exempt_1_ceases": "2021-12-31",
    }
    for n in range(3, 7):
        data[f"rec_{n}_kind"] = "approve"
    return {**data, **overrides}


@pytest.fixture
def officer_client(signed_in):
    return signed_in(Role.PROGRAMME_DIRECTOR, username="robin")


class TestDraftPage:
    def test_drafts_a_decision_with_its_lists(self, officer_client):
        client, officer = officer_client
        response = client.post("/decisions/new/", draft_post())
        decision = Decision.objects.get(reference="PCD 612")
        assert response.status_code == 302 and response.url == f"/decisions/{decision.pk}/"
        assert (decision.status, decision.originating_officer, decision.value) == (
            "draft",
            officer,
            Decimal("42000000.00"),
        )
        assert [(r.kind, r.amount) for r in decision.recommendations.all()] == [
            ("approve", Decimal("42000000.00")),
            ("note", None),
        ]
        assert [(s.body, s.meets_on) for s in decision.route.all()] == [
            ("Investment Advisory & Monitoring", date(2019, 8, 15)),
            (DMPC, None),
        ]
        assert [(e.section, e.ceases_on) for e in decision.exemptions.all()] == [("s43", date(2021, 12, 31))]
        assert decision.declarations.count() == len(Declaration.Kind.values)

    def test_errors_name_the_field_and_nothing_is_saved(self, officer_client):
        client, _ = officer_client
        response = client.post(
            "/decisions/new/",
            draft_post(
                title="", value="lots", rec_2_text="", rec_2_amount="5", exempt_1_name="", route_3_date="2019-09-09"
            ),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert errors["title"] == ["Enter the title"]
        assert errors["value"] == ["The value must be a number"]
        assert errors["rec_2_text"] == ["Enter the text of recommendation 2, or remove its amount"]
        assert errors["exempt_1_name"] == ["Enter both the section and the name of exemption 1"]
        assert errors["route_3_body"] == ["Enter the meeting 3 that meets on that date"]
        assert b"There is a problem" in response.content
        assert not Decision.objects.exists()

    def test_a_deferral_without_a_reason_is_refused_on_its_field(self, officer_client):
        client, _ = officer_client
        response = client.post("/decisions/new/", draft_post(part1_deferred_until="2019-12-01"))
        assert response.status_code == 200
        assert "part1_deferral_reason" in response.context["form"].errors or response.context["form"].non_field_errors()
        assert not Decision.objects.exists()

    @pytest.mark.parametrize("role", [Role.EVALUATOR, Role.AUDITOR, Role.APPROVER, Role.SUPPLIER_USER])
    def test_roles_that_do_not_write_papers_cannot_draft(self, role, signed_in):
        client, _ = signed_in(role)
        assert client.post("/decisions/new/", draft_post()).status_code == 403
        assert not Decision.objects.exists()


class TestEditPage:
    @pytest.fixture
    def draft(self, officer_client):
        client, _ = officer_client
        client.post("/decisions/new/", draft_post())
        return Decision.objects.get(reference="PCD 612")

    def test_the_officer_edits_the_draft_and_the_lists_are_replaced(self, officer_client, draft):
        client, _ = officer_client
        form = client.get(f"/decisions/{draft.pk}/edit/").context["form"]
        assert form["rec_1_text"].value() == "The procurement strategy for service integration and management"
        response = client.post(
            f"/decisions/{draft.pk}/edit/", draft_post(title="Revised title", rec_2_text="", route_2_body="")
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.title == "Revised title"
        assert draft.recommendations.count() == 1 and draft.route.count() == 1
        event = AuditEvent.objects.filter(action="decision.update").get()
        assert "title" in event.summary and "recommendations" in event.summary

    def test_another_officer_cannot_edit_it(self, draft, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER, username="other")
        assert client.post(f"/decisions/{draft.pk}/edit/", draft_post(title="Hijacked")).status_code == 403
        draft.refresh_from_db()
        assert draft.title != "Hijacked"

    def test_a_submitted_decision_is_not_editable(self, officer_client, draft):
        client, officer = officer_client
        for kind in Declaration.Kind.values:
            services.declaration_confirm(decision=draft, kind=kind, statement="Done.", by=officer)
        services.decision_submit(decision=draft, by=officer)
        response = client.post(f"/decisions/{draft.pk}/edit/", draft_post(title="Late change"))
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.title != "Late change"

    def test_a_decision_without_recommendations_cannot_be_submitted(self, officer_client, draft):
        client, officer = officer_client
        client.post(f"/decisions/{draft.pk}/edit/", draft_post(rec_1_text="", rec_1_amount="", rec_2_text=""))
        for kind in Declaration.Kind.values:
            services.declaration_confirm(decision=draft, kind=kind, statement="Done.", by=officer)
        response = client.post(f"/decisions/{draft.pk}/submit/", follow=True)
        assert "Add at least one recommendation before submission." in response.content.decode()
        assert Decision.objects.get(pk=draft.pk).status == "draft"


def approved_decision(make_user, *, part2="Withheld commercial detail.", ceases_on=date(2020, 12, 31)):
    officer = make_user(Role.PROGRAMME_DIRECTOR, username="author")
    approver = make_user(Role.APPROVER, username="dmpc")
    Appointment.objects.create(user=approver, office=DMPC)
    decision = services.decision_create(
        by=officer,
        reference="PCD 600",
        title="Network tower extension",
        decision_type="contract-extension",
        executive_summary="Extend the network contract by twelve months.",
        value=Decimal("9000000"),
        part2=part2,
        recommendations=[RecommendationSpec("approve", "Extend the network contract")],
        exemptions=[ExemptionSpec("s43", "Commercial interests", ceases_on)] if ceases_on else [],
    )
    for kind in Declaration.Kind.values:
        services.declaration_confirm(decision=decision, kind=kind, statement="Done.", by=officer)
    services.decision_submit(decision=decision, by=officer)
    return services.decision_approve(decision=decision, by=approver)


class TestReleaseReview:
    @pytest.fixture
    def commercial(self, signed_in):
        return signed_in(Role.COMMERCIAL_OFFICER, username="cora")

    def test_lists_a_part2_once_its_exemption_has_ceased(self, commercial, make_user):
        client, _ = commercial
        decision = approved_decision(make_user)
        with time_machine.travel(date(2020, 12, 30)):
            assert list(client.get("/decisions/release-review/").context["due"]) == []
        with time_machine.travel(date(2020, 12, 31)):
            due = client.get("/decisions/release-review/").context["due"]
            assert [item["decision"] for item in due] == [decision]

    def test_release_is_explicit_and_audited(self, commercial, make_user):
        client, user = commercial
        decision = approved_decision(make_user)
        with time_machine.travel(date(2021, 1, 5)):
            refused = client.post("/decisions/release-review/", {"decision": decision.pk, "action": "release"})
            assert refused.status_code == 400 and Decision.objects.get(pk=decision.pk).part2_released_at is None
            response = client.post(
                "/decisions/release-review/",
                {"decision": decision.pk, "action": "release", "note": "The contract was extended; no harm now."},
            )
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.part2_released_by == user and decision.part2_release_note.startswith("The contract")
        event = AuditEvent.objects.get(action="decision.part2-release")
        assert event.actor == user and event.object_id == str(decision.pk)

    def test_keeping_it_withheld_moves_the_date_with_a_reason(self, commercial, make_user):
        client, _ = commercial
        decision = approved_decision(make_user)
        exemption = decision.exemptions.get()
        with time_machine.travel(date(2021, 1, 5)):
            client.post(
                "/decisions/release-review/",
                {
                    "decision": decision.pk,
                    "action": "extend",
                    "exemption": exemption.pk,
                    "ceases_on": "2022-06-30",
                    "reason": "The re-procurement is still live.",
                },
            )
            assert list(client.get("/decisions/release-review/").context["due"]) == []
        exemption.refresh_from_db()
        assert exemption.ceases_on == date(2022, 6, 30)
        assert AuditEvent.objects.get(action="decision.exemption-extend").data["reason"] == (
            "The re-procurement is still live."
        )

    def test_a_release_cannot_happen_twice(self, make_user):
        decision = approved_decision(make_user)
        user = make_user(Role.COMMERCIAL_OFFICER, username="cora")
        services.part2_release(decision=decision, by=user, note="Reviewed.")
        with pytest.raises(Exception, match="was released on"):
            services.part2_release(decision=decision, by=user, note="Again.")

    def test_a_draft_part2_cannot_be_released(self, make_user):
        from pegasus.core.exceptions import InvalidTransition

        officer = make_user(Role.PROGRAMME_DIRECTOR, username="author")
        draft = services.decision_create(
            by=officer,
            reference="PCD 601",
            title="Draft",
            decision_type="business-case",
            executive_summary="x",
            value=Decimal(1),
            part2="Secret",
            recommendations=[],
        )
        with pytest.raises(InvalidTransition):
            services.part2_release(decision=draft, by=officer, note="No.")

    @pytest.mark.parametrize("role", [Role.FINANCE, Role.LEGAL, Role.EVALUATOR, Role.APPROVER, Role.AUDITOR])
    def test_only_the_commercial_team_reviews(self, role, signed_in, make_user):
        decision = approved_decision(make_user)
        client, _ = signed_in(role, username="someone")
        with time_machine.travel(date(2021, 1, 5)):
            response = client.post(
                "/decisions/release-review/", {"decision": decision.pk, "action": "release", "note": "Mine."}
            )
        assert response.status_code == 403
        assert Decision.objects.get(pk=decision.pk).part2_released_at is None


class TestPart2Attachments:
    @pytest.fixture
    def draft(self, officer_client):
        client, _ = officer_client
        client.post("/decisions/new/", draft_post())
        return Decision.objects.get(reference="PCD 612")

    @staticmethod
    def upload(name: str, body: bytes = b"%PDF-1.4 price schedule"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile(name, body)

    def test_the_officer_attaches_a_paper_that_only_part2_readers_can_download(self, officer_client, draft, signed_in):
        client, _ = officer_client
        response = client.post(
            f"/decisions/{draft.pk}/attach/", {"title": "Price schedule", "file": self.upload("prices.pdf")}
        )
        assert response.status_code == 302
        attachment = draft.attachments.get()
        assert (attachment.title, attachment.content_type, attachment.size) == ("Price schedule", "application/pdf", 23)
        url = f"/decisions/{draft.pk}/attachments/{attachment.pk}/"
        assert "Price schedule" in client.get(f"/decisions/{draft.pk}/").content.decode()
        download = client.get(url)
        assert b"".join(download.streaming_content) == b"%PDF-1.4 price schedule"
        assert {"private", "no-store"} <= {part.strip() for part in download["Cache-Control"].split(",")}
        assert AuditEvent.objects.filter(action="decision.attach").count() == 1
        assert AuditEvent.objects.filter(action="decision.export", data__attachment=attachment.pk).count() == 1
        evaluator, _ = signed_in(Role.EVALUATOR, username="eve")
        assert evaluator.get(url).status_code == 404
        assert "Price schedule" not in evaluator.get(f"/decisions/{draft.pk}/").content.decode()

    @pytest.mark.parametrize("name", ["run.exe", "page.html", "notes.txt", "noextension"])
    def test_only_documents_are_accepted(self, officer_client, draft, name):
        client, _ = officer_client
        response = client.post(f"/decisions/{draft.pk}/attach/", {"file": self.upload(name)}, follow=True)
        assert "Attach a PDF, Word (DOCX) or Excel (XLSX) file" in response.content.decode()
        assert not draft.attachments.exists()

    def test_a_submitted_decision_takes_no_attachment(self, officer_client, draft):
        client, officer = officer_client
        for kind in Declaration.Kind.values:
            services.declaration_confirm(decision=draft, kind=kind, statement="Done.", by=officer)
        services.decision_submit(decision=draft, by=officer)
        client.post(f"/decisions/{draft.pk}/attach/", {"file": self.upload("late.pdf")})
        assert not draft.attachments.exists()

    def test_removing_an_attachment_deletes_its_file(self, officer_client, draft, django_capture_on_commit_callbacks):
        client, officer = officer_client
        attachment = services.part2_attachment_add(decision=draft, upload=self.upload("prices.xlsx"), by=officer)
        path = attachment.file.path
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/decisions/{draft.pk}/detach/", {"attachment": attachment.pk})
        assert not draft.attachments.exists()
        assert not Path(path).exists()

    def test_a_correction_keeps_the_attachments(self, make_user):
        decision = approved_decision(make_user)
        Part2Attachment = decision.attachments.model
        Part2Attachment.objects.create(
            decision=decision,
            title="Schedule",
            file="part2/x.pdf",
            content_type="application/pdf",
            size=1,
            uploaded_by=decision.originating_officer,
        )
        revision = services.decision_revise(decision=decision, by=decision.originating_officer)
        assert [(a.title, a.file.name) for a in revision.attachments.all()] == [("Schedule", "part2/x.pdf")]
