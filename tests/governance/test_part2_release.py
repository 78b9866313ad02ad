"""Part 2 is released only when every exemption covering it has lapsed, or early by legal in the public interest;
every path (service, review page, decision page, API) goes through the one guarded service."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from pegasus.core.exceptions import RuleViolation
from pegasus.core.models import ApiToken, AuditEvent
from pegasus.core.roles import Role
from pegasus.governance import rules as r
from pegasus.governance import services
from pegasus.governance.models import Appointment, Decision, Declaration
from pegasus.governance.services import ExemptionSpec, RecommendationSpec

pytestmark = pytest.mark.django_db
DMPC = "Deputy Mayor for Policing and Crime"
PART2 = "KESTREL-PART2: the incumbent's price was £9.1m."
TODAY = date(2026, 12, 3)


def approved(make_user, *exemptions: ExemptionSpec, reference: str = "PCD 640") -> Decision:
    officer = make_user(Role.PROGRAMME_DIRECTOR, username=f"author-{reference[-3:]}")
    approver = make_user(Role.APPROVER, username=f"dmpc-{reference[-3:]}")
    Appointment.objects.create(user=approver, office=DMPC)
    decision = services.decision_create(
        by=officer,
        reference=reference,
        title="Extension of the networks contract",
        decision_type="contract-extension",
        executive_summary="Extend the network contract by twelve months.",
        value=Decimal("9000000"),
        part2=PART2,
        recommendations=[RecommendationSpec("approve", "Extend the network contract")],
        exemptions=list(exemptions),
    )
    for kind in Declaration.Kind.values:
        services.declaration_confirm(decision=decision, kind=kind, statement="Done.", by=officer)
    services.decision_submit(decision=decision, by=officer)
    return services.decision_approve(decision=decision, by=approver)


S43_TO_2030 = ExemptionSpec("s43", "Commercial interests", date(2030, 12, 31))
S43_CEASED = ExemptionSpec("s43", "Commercial interests", date(2026, 1, 31))
S31_NO_END = ExemptionSpec("s31", "Law enforcement", None)


def unreleased(decision: Decision) -> bool:
    fresh = Decision.objects.get(pk=decision.pk)
    return fresh.part2_released_at is None and fresh.part2_release_note == "" and not fresh.part2_released_early


class TestRule:
    """`exemptions_in_force`: the exemptions that still withhold Part 2 on a day."""

    def test_an_exemption_applies_until_the_day_it_ceases(self):
        s43 = r.Exemption("s43", "Commercial interests", date(2030, 12, 31))
        assert r.exemptions_in_force([s43], date(2030, 12, 30)) == [s43]
        assert r.exemptions_in_force([s43], date(2030, 12, 31)) == []

    def test_an_exemption_without_an_end_date_never_lapses_by_itself(self):
        s31 = r.Exemption("s31", "Law enforcement", None)
        assert r.exemptions_in_force([s31], date(2099, 1, 1)) == [s31]

    def test_every_exemption_must_have_lapsed(self):
        ceased = r.Exemption("s43", "Commercial interests", date(2020, 1, 1))
        live = r.Exemption("s41", "Information provided in confidence", date(2030, 1, 1))
        assert r.exemptions_in_force([ceased, live], TODAY) == [live]
        assert r.exemptions_in_force([], TODAY) == []


class TestReleaseService:
    @pytest.fixture
    def commercial(self, make_user):
        return make_user(Role.COMMERCIAL_OFFICER, username="cora")

    def test_is_refused_while_an_exemption_still_applies(self, make_user, commercial):
        decision = approved(make_user, S43_TO_2030)
        with time_machine.travel(TODAY), pytest.raises(RuleViolation, match="s43 .* applies until 31 December 2030"):
            services.part2_release(decision=decision, by=commercial, note="Looks fine to me.")
        assert unreleased(decision)
        assert not AuditEvent.objects.filter(action__startswith="decision.part2-release").exists()

    def test_is_refused_while_an_exemption_without_an_end_date_applies(self, make_user, commercial):
        decision = approved(make_user, S43_CEASED, S31_NO_END)
        with time_machine.travel(TODAY), pytest.raises(RuleViolation, match="s31 .* has no end date"):
            services.part2_release(decision=decision, by=commercial, note="s43 has ceased.")
        assert unreleased(decision)

    def test_is_allowed_once_every_exemption_has_lapsed(self, make_user, commercial):
        decision = approved(make_user, S43_CEASED)
        with time_machine.travel(TODAY):
            released = services.part2_release(decision=decision, by=commercial, note="s43 ceased; no harm now.")
        assert released.part2_released_by == commercial and not released.part2_released_early

    def test_a_decision_with_no_exemption_may_be_released(self, make_user, commercial):
        decision = approved(make_user)
        services.part2_release(decision=decision, by=commercial, note="Never exempt.")
        assert not unreleased(decision)


class TestEarlyRelease:
    """Legal records a public-interest decision to release Part 2 before its exemptions lapse."""

    def test_legal_releases_early_with_a_reason_recorded_and_audited(self, make_user):
        decision = approved(make_user, S43_TO_2030, S31_NO_END)
        lawyer = make_user(Role.LEGAL, username="lena")
        with time_machine.travel(TODAY):
            released = services.part2_release_early(
                decision=decision, by=lawyer, reason="The public interest in disclosure outweighs the harm."
            )
        released.refresh_from_db()
        assert released.part2_released_early and released.part2_released_by == lawyer
        assert released.part2_released_at.date() == TODAY
        assert released.part2_release_note == "The public interest in disclosure outweighs the harm."
        assert released.part2_release_overrode == "s43 Commercial interests until 2030-12-31; s31 Law enforcement"
        event = AuditEvent.objects.get(action="decision.part2-release-early")
        assert event.actor == lawyer and event.data["overrode"] == [
            {"section": "s43", "name": "Commercial interests", "ceases_on": "2030-12-31"},
            {"section": "s31", "name": "Law enforcement", "ceases_on": None},
        ]

    @pytest.mark.parametrize(
        "role", [Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR, Role.FINANCE, Role.APPROVER, Role.AUDITOR]
    )
    def test_only_legal_may_release_early(self, role, make_user):
        decision = approved(make_user, S43_TO_2030)
        with pytest.raises(RuleViolation, match="Only legal"):
            services.part2_release_early(decision=decision, by=make_user(role, username="x"), reason="Because.")
        assert unreleased(decision)

    def test_needs_a_reason(self, make_user):
        decision = approved(make_user, S43_TO_2030)
        with pytest.raises(RuleViolation, match="public interest"):
            services.part2_release_early(decision=decision, by=make_user(Role.LEGAL, username="lena"), reason=" ")
        assert unreleased(decision)

    def test_the_decision_page_shows_who_released_it_early_when_and_why(self, make_user, signed_in):
        decision = approved(make_user, S43_TO_2030)
        lawyer = make_user(Role.LEGAL, username="lena")
        with time_machine.travel(TODAY):
            services.part2_release_early(decision=decision, by=lawyer, reason="Disclosure is in the public interest.")
        client, _ = signed_in(Role.AUDITOR, username="audrey")
        body = client.get(f"/decisions/{decision.pk}/").content.decode()
        assert "Released early in the public interest" in body
        assert "lena" in body and "3 December 2026" in body and "Disclosure is in the public interest." in body
        assert "s43 Commercial interests until 2030-12-31" in body

    def test_legal_releases_early_from_the_decision_page(self, make_user, signed_in, client):
        decision = approved(make_user, S43_TO_2030)
        client, lawyer = signed_in(Role.LEGAL, username="lena")
        page = client.get(f"/decisions/{decision.pk}/").content.decode()
        assert f'action="/decisions/{decision.pk}/release-early/"' in page
        refused = client.post(f"/decisions/{decision.pk}/release-early/", {"reason": ""})
        assert refused.status_code == 302 and unreleased(decision)
        client.post(f"/decisions/{decision.pk}/release-early/", {"reason": "Public interest."})
        assert Decision.objects.get(pk=decision.pk).part2_released_by == lawyer

    def test_the_commercial_team_cannot_release_early_from_the_decision_page(self, make_user, signed_in):
        decision = approved(make_user, S43_TO_2030)
        client, _ = signed_in(Role.COMMERCIAL_OFFICER, username="cora")
        assert "release-early" not in client.get(f"/decisions/{decision.pk}/").content.decode()
        response = client.post(f"/decisions/{decision.pk}/release-early/", {"reason": "Public interest."})
        assert response.status_code == 403 and unreleased(decision)

    def test_the_public_register_says_it_was_released_early(self, make_user, client):
        decision = approved(make_user, S43_TO_2030)
        services.part2_release_early(
            decision=decision, by=make_user(Role.LEGAL, username="lena"), reason="Public interest."
        )
        body = client.get(f"/public/decisions/{decision.pk}/").content.decode()
        assert PART2.replace("'", "&#x27;") in body and "before its exemption ceased" in body


class TestReleaseReviewPage:
    @pytest.fixture
    def commercial(self, signed_in):
        return signed_in(Role.COMMERCIAL_OFFICER, username="cora")

    def test_a_decision_not_due_cannot_be_released_by_posting_its_id(self, make_user, commercial, client):
        client, _ = commercial
        decision = approved(make_user, S43_TO_2030)
        with time_machine.travel(TODAY):
            response = client.post(
                "/decisions/release-review/", {"decision": decision.pk, "action": "release", "note": "x"}
            )
        assert response.status_code == 400
        body = response.content.decode()
        assert "<title>Error: Part 2 release review" in body and 'class="govuk-error-summary"' in body
        assert "s43 (Commercial interests) applies until 31 December 2030" in body
        assert unreleased(decision)
        assert PART2 not in client.get(f"/public/decisions/{decision.pk}/").content.decode()

    @pytest.mark.parametrize("value", ["abc", "1.5", "", "-1", "99999999999999999999999"])
    @pytest.mark.parametrize("action", ["release", "extend"])
    def test_a_malformed_decision_id_is_a_400(self, value, action, commercial):
        client, _ = commercial
        response = client.post("/decisions/release-review/", {"decision": value, "action": action, "note": "x"})
        assert response.status_code == 400
        assert "Choose a decision on this page" in response.content.decode()

    def test_an_unknown_action_is_a_400(self, make_user, commercial):
        client, _ = commercial
        decision = approved(make_user, S43_CEASED)
        response = client.post("/decisions/release-review/", {"decision": decision.pk, "action": "publish"})
        assert response.status_code == 400 and unreleased(decision)

    @pytest.mark.parametrize("value", ["abc", "1.5", ""])
    def test_a_malformed_exemption_id_is_a_form_error(self, value, make_user, commercial):
        client, _ = commercial
        decision = approved(make_user, S43_CEASED)
        with time_machine.travel(TODAY):
            response = client.post(
                "/decisions/release-review/",
                {
                    "decision": decision.pk,
                    "action": "extend",
                    "exemption": value,
                    "ceases_on": "2031-01-01",
                    "reason": "Still live.",
                },
            )
        assert response.status_code == 400
        assert decision.exemptions.get().ceases_on == S43_CEASED.ceases_on


class TestDecisionActIds:
    @pytest.mark.parametrize("value", ["abc", "1.5", ""])
    def test_a_malformed_attachment_id_is_not_a_server_error(self, value, signed_in):
        client, officer = signed_in(Role.PROGRAMME_DIRECTOR, username="robin")
        decision = services.decision_create(
            by=officer,
            reference="PCD 650",
            title="Draft",
            decision_type="business-case",
            executive_summary="x",
            value=Decimal(1),
            recommendations=[],
        )
        response = client.post(f"/decisions/{decision.pk}/detach/", {"attachment": value})
        assert response.status_code == 404


class TestApi:
    @pytest.fixture
    def api(self, client, make_user):
        def as_role(role: str, username: str):
            user = make_user(role, username=username)
            _, key = ApiToken.issue(user=user, name="tests")
            headers = {"Authorization": f"Bearer {key}"}
            return lambda path, body: client.post(f"/api{path}", body, content_type="application/json", headers=headers)

        return as_role

    def test_the_commercial_team_cannot_release_a_part2_whose_exemption_applies(self, make_user, api, client):
        decision = approved(make_user, S43_TO_2030)
        post = api(Role.COMMERCIAL_OFFICER, "cora")
        with time_machine.travel(TODAY):
            response = post(f"/decisions/{decision.pk}/part2/release", {"note": "x"})
        assert response.status_code == 400
        assert "applies until 31 December 2030" in response.json()["detail"][0]["message"]
        assert unreleased(decision)
        assert PART2 not in client.get(f"/public/decisions/{decision.pk}/").content.decode()

    def test_legal_releases_early_through_the_api(self, make_user, api):
        decision = approved(make_user, S43_TO_2030)
        response = api(Role.LEGAL, "lena")(f"/decisions/{decision.pk}/part2/release-early", {"reason": "PI test."})
        assert response.status_code == 200
        release = response.json()["part2_release"]
        assert release["early"] is True and release["note"] == "PI test."

    def test_others_cannot_release_early_through_the_api(self, make_user, api):
        decision = approved(make_user, S43_TO_2030)
        response = api(Role.COMMERCIAL_OFFICER, "cora")(
            f"/decisions/{decision.pk}/part2/release-early", {"reason": "PI test."}
        )
        assert response.status_code == 403 and unreleased(decision)


class TestNoOtherWayIn:
    """Drafting cannot carry a release (or a status) in with the paper's fields."""

    @pytest.mark.parametrize(
        "field, value",
        [("part2_released_at", "2026-01-01T00:00:00Z"), ("part2_released_early", True), ("status", "approved")],
    )
    def test_a_draft_refuses_fields_that_are_not_the_papers(self, field, value, make_user):
        officer = make_user(Role.PROGRAMME_DIRECTOR, username="robin")
        fields = dict(
            reference="PCD 660",
            title="Draft",
            decision_type="business-case",
            executive_summary="x",
            value=Decimal(1),
            part2=PART2,
            recommendations=[],
        )
        with pytest.raises(TypeError, match=field):
            services.decision_create(by=officer, **fields, **{field: value})
        draft = services.decision_create(by=officer, **fields)
        with pytest.raises(TypeError, match=field):
            services.decision_update(decision=draft, by=officer, **{field: value})
        assert unreleased(draft) and Decision.objects.get(pk=draft.pk).status == "draft"

    def test_the_database_refuses_a_release_of_an_unapproved_decision(self, make_user):
        from django.db import IntegrityError, transaction
        from django.utils import timezone

        officer = make_user(Role.PROGRAMME_DIRECTOR, username="robin")
        draft = services.decision_create(
            by=officer,
            reference="PCD 661",
            title="Draft",
            decision_type="business-case",
            executive_summary="x",
            value=Decimal(1),
            part2=PART2,
            recommendations=[],
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            Decision.objects.filter(pk=draft.pk).update(part2_released_at=timezone.now(), part2_release_note="x")
