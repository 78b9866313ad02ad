"""Values no other part of Pegasus can read are refused on the decision pages, on their field, and nothing is kept."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from pegasus.core.roles import Role
from pegasus.governance.models import Decision, FoiExemption, Part2Attachment
from tests.forms import assert_refused_on
from tests.governance.test_decision_pages import draft_post
from tests.governance.test_part2_release import S43_CEASED, TODAY, approved, unreleased

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(signed_in):
    return signed_in(Role.PROGRAMME_DIRECTOR, username="robin")


HOSTILE = [
    ("value", {"value": "99999999999999"}, "value"),
    ("required_by", {"required_by": "9999-12-31"}, "required_by"),
    ("required_by", {"required_by": "0001-01-01"}, "required_by"),
    ("part1_deferred_until", {"part1_deferred_until": "9999-12-31", "part1_deferral_reason": "Later"}, None),
    ("title", {"title": "Pegasus\x07strategy"}, "title"),
    ("reference", {"reference": "PCD\x1b612"}, "reference"),
    ("executive_summary", {"executive_summary": "Approve\x00 it"}, "executive_summary"),
    ("executive_summary", {"executive_summary": "Approve\x0b it"}, "executive_summary"),
    ("part2", {"part2": "x" * 20_001}, "part2"),
    ("rec_1_amount", {"rec_1_amount": "99999999999999"}, "rec_1_amount"),
    ("rec_1_text", {"rec_1_text": "Appr\x1fove"}, "rec_1_text"),
    ("route_1_date", {"route_1_date": "0001-01-01"}, "route_1_date"),
    ("route_1_body", {"route_1_body": "Bo\x7fard"}, "route_1_body"),
    ("exempt_1_ceases", {"exempt_1_ceases": "9999-12-31"}, "exempt_1_ceases"),
    ("exempt_1_name", {"exempt_1_name": "Commercial\u2028interests"}, "exempt_1_name"),
]
IDS = [f"{name}-{n}" for n, (name, _, _) in enumerate(HOSTILE)]


class TestDraftingRefusesValuesOutOfBounds:
    @pytest.mark.parametrize(("name", "overrides", "field"), HOSTILE, ids=IDS)
    def test_drafting_refuses_on_the_field(self, officer_client, name, overrides, field):
        client, _ = officer_client
        response = client.post("/decisions/new/", draft_post(**overrides))
        assert_refused_on(response, field or name)
        assert not Decision.objects.exists()

    @pytest.mark.parametrize(("name", "overrides", "field"), HOSTILE, ids=IDS)
    def test_editing_refuses_on_the_field_and_keeps_the_draft(self, officer_client, name, overrides, field):
        client, _ = officer_client
        client.post("/decisions/new/", draft_post())
        draft = Decision.objects.get(reference="PCD 612")
        response = client.post(f"/decisions/{draft.pk}/edit/", draft_post(**overrides))
        assert_refused_on(response, field or name)
        kept = Decision.objects.get(pk=draft.pk)
        assert (kept.title, kept.value, kept.required_by) == (draft.title, draft.value, draft.required_by)
        assert [r.amount for r in kept.recommendations.all()] == [r.amount for r in draft.recommendations.all()]
        assert [e.ceases_on for e in kept.exemptions.all()] == [date(2021, 12, 31)]


class TestStepsRefuseValuesOutOfBounds:
    @pytest.fixture
    def draft(self, officer_client):
        client, _ = officer_client
        client.post("/decisions/new/", draft_post())
        return Decision.objects.get(reference="PCD 612")

    def test_a_declaration_with_a_control_character_is_refused(self, officer_client, draft):
        client, _ = officer_client
        kind = draft.declarations.first().kind
        response = client.post(
            f"/decisions/{draft.pk}/declare/", {"kind": kind, "statement": "I confirm\x1b[2J"}, follow=True
        )
        assert response.status_code == 200
        assert b"control character" in response.content
        assert not draft.declarations.get(kind=kind).confirmed


class TestReleaseReviewRefusesValuesOutOfBounds:
    @pytest.mark.parametrize(
        ("ceases_on", "reason"), [("9999-12-31", "Still live."), ("2031-01-01", "Still\x1b[2J live.")]
    )
    def test_keeping_an_exemption_is_refused_and_the_date_kept(self, make_user, signed_in, ceases_on, reason):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER, username="cora")
        decision = approved(make_user, S43_CEASED)
        with time_machine.travel(TODAY):
            response = client.post(
                "/decisions/release-review/",
                {
                    "decision": decision.pk,
                    "action": "extend",
                    "exemption": decision.exemptions.get().pk,
                    "ceases_on": ceases_on,
                    "reason": reason,
                },
            )
        assert response.status_code == 400
        body = response.content.decode()
        assert 'class="govuk-error-summary"' in body
        assert "enter a date from" in body or "control character" in body
        assert FoiExemption.objects.get(decision=decision).ceases_on == S43_CEASED.ceases_on

    def test_a_release_note_with_a_control_character_is_refused(self, make_user, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER, username="cora")
        decision = approved(make_user, S43_CEASED)
        with time_machine.travel(TODAY):
            response = client.post(
                "/decisions/release-review/",
                {"decision": decision.pk, "action": "release", "note": "Reviewed\x07 and released"},
            )
        assert response.status_code == 400
        assert "control character" in response.content.decode()
        assert unreleased(Decision.objects.get(pk=decision.pk))


class TestAttachmentTitle:
    def test_an_attachment_titled_with_a_control_character_is_refused(self, officer_client):
        client, _ = officer_client
        client.post("/decisions/new/", draft_post())
        draft = Decision.objects.get(reference="PCD 612")
        upload = SimpleUploadedFile("paper.pdf", b"%PDF-1.4\n%%EOF\n")
        response = client.post(
            f"/decisions/{draft.pk}/attach/", {"file": upload, "title": "Evaluation\x1b[2J report"}, follow=True
        )
        assert response.status_code == 200
        assert "control character" in response.content.decode()
        assert not Part2Attachment.objects.exists()
