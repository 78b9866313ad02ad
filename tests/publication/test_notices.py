"""Post-award notices: drafted from the records as the law asks (UK7, UK9, UK10, UK11, a PCR 2015 modification
notice), checked by a second person, published, never changed after, and corrected by a new notice."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.exceptions import InvalidTransition, RuleViolation
from pegasus.core.models import AuditEvent
from pegasus.publication import services
from pegasus.publication.models import Notice
from tests.factories import ContractFactory
from tests.publication.notices import (
    ACT_DAY,
    act_contract,
    approved_decision,
    published,
    termination,
    variation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "commercial": make_user("commercial-officer", username="drafter"),
        "second": make_user("commercial-officer", username="second"),
        "legal": make_user("legal"),
        "finance": make_user("finance"),
    }


class TestDrafting:
    def test_an_act_variation_over_10_per_cent_is_a_uk10_due_before_it_takes_effect(self, people):
        """A PA 2023 variation the rules ask a UK10 of is drafted as one, saying s75 and the day before."""
        # given
        change = variation(act_contract(), "300000", ground="additional", by=people["commercial"], state="approved")

        # when
        notice = services.notice_draft_from_change(change=change, by=people["commercial"])

        # then
        assert (notice.kind, notice.state, notice.change, notice.drafted_by) == (
            "UK10",
            "draft",
            change,
            people["commercial"],
        )
        assert notice.body["change"]["value_before"] == "1000000.00"
        assert notice.body["change"]["value_after"] == "1300000.00"
        requirement = notice.body["requirement"]
        assert (requirement["required"], requirement["provision"]) == (True, "PA 2023 s75")
        assert requirement["due"] == (ACT_DAY - timedelta(days=1)).isoformat()
        assert "section 75(1)" in requirement["text"]
        assert requirement["reminder"] == ""

    def test_a_change_that_leaves_the_contract_over_5m_reminds_of_s77(self, people):
        """s77: the contract as modified is published within 90 days; the notice says so and by when."""
        officer = people["commercial"]
        contract = act_contract(total_value=Decimal("5000000"))
        change = variation(
            contract, "1000000", ground="additional", by=officer, state="approved", decision=approved_decision(officer)
        )

        notice = services.notice_draft_from_change(change=change, by=officer)

        assert "within 90 days" in notice.body["requirement"]["reminder"]
        assert "30 November 2025" in notice.body["requirement"]["reminder"]

    def test_a_pcr_additional_variation_is_a_modification_notice_under_reg_72(self, people):
        change = variation(ContractFactory(), "400000", ground="additional", by=people["commercial"])

        notice = services.notice_draft_from_change(change=change, by=people["commercial"])

        assert notice.kind == "PCR-MOD"
        assert notice.body["requirement"]["provision"] == "PCR 2015 reg 72(3)"
        assert notice.body["change"]["value_after"] == "4000000.00"

    def test_a_change_the_rules_ask_no_notice_of_is_refused_with_the_rules_reason(self, people):
        change = variation(ContractFactory(), "20000", ground="de-minimis", by=people["commercial"])

        with pytest.raises(RuleViolation, match=r"ask for no notice of this change: reg 72\(1\)\(f\)"):
            services.notice_draft_from_change(change=change, by=people["commercial"])
        assert not Notice.objects.exists()

    def test_a_change_has_one_notice_corrected_not_drafted_again(self, people):
        change = variation(ContractFactory(), "400000", ground="additional", by=people["commercial"])
        first = services.notice_draft_from_change(change=change, by=people["commercial"])

        with pytest.raises(RuleViolation, match=f"Notice {first.pk} is already drafted from this change \\(draft\\)"):
            services.notice_draft_from_change(change=change, by=people["commercial"])

    def test_a_proposed_change_has_no_notice_yet(self, people):
        change = variation(ContractFactory(), "400000", ground="additional", by=people["commercial"], state="proposed")

        with pytest.raises(InvalidTransition, match="This change is proposed: a notice is drafted from an approved"):
            services.notice_draft_from_change(change=change, by=people["commercial"])

    def test_a_pcr_termination_is_a_voluntary_uk11(self, people):
        change = termination(ContractFactory(), by=people["commercial"])

        notice = services.notice_draft_from_change(change=change, by=people["commercial"])

        assert notice.kind == "UK11"
        assert notice.body["termination"]["date"] == "2019-03-31"
        assert notice.body["requirement"]["required"] is False
        assert notice.body["requirement"]["text"] == "Published voluntarily: the contract was awarded under PCR 2015"

    def test_an_act_termination_is_a_uk11_due_within_30_days(self, people):
        change = termination(act_contract(), by=people["commercial"], on=date(2026, 1, 31), reason="break")

        notice = services.notice_draft_from_change(change=change, by=people["commercial"])

        assert notice.body["requirement"]["due"] == "2026-03-02"
        assert "section 80(1)" in notice.body["requirement"]["text"]

    def test_a_termination_not_yet_effective_has_no_uk11(self, people):
        change = termination(ContractFactory(), by=people["commercial"], state="approved")

        with pytest.raises(InvalidTransition, match="a UK11 is drafted once the termination is effective"):
            services.notice_draft_from_change(change=change, by=people["commercial"])

    def test_a_uk7_states_whether_kpis_are_required(self, people):
        notice = services.notice_draft_details(
            contract=act_contract(total_value=Decimal("6000000")), by=people["commercial"]
        )

        assert (notice.kind, notice.body["kpis_required"]) == ("UK7", True)
        assert notice.body["requirement"]["provision"] == "PA 2023 s53"

    @pytest.mark.parametrize("role", ["legal", "finance"])
    def test_only_a_commercial_officer_drafts(self, people, role):
        with pytest.raises(RuleViolation, match="Only a commercial officer may draft a notice."):
            services.notice_draft_details(contract=ContractFactory(), by=people[role])


ASSESSMENTS = [
    {"kpi": 1, "name": "P1 resolved in 4 hours", "rating": "Good", "attainment": "99.10", "target": "95.00"},
    {"kpi": 2, "name": "P2 resolved in 8 hours", "rating": None, "attainment": None, "target": "90.00"},
]


class TestPerformance:
    def test_a_kpi_the_figures_could_not_rate_is_rated_by_the_drafter(self, people):
        notice = services.notice_draft_performance(
            contract=act_contract(total_value=Decimal("6000000")),
            period_start=date(2025, 3, 1),
            period_end=date(2026, 2, 28),
            assessments=ASSESSMENTS,
            ratings={"2": "Requires improvement"},
            by=people["commercial"],
        )

        assert [(a["rating"], a["rated_by"]) for a in notice.body["assessments"]] == [
            ("Good", "figures"),
            ("Requires improvement", "drafter"),
        ]
        assert (notice.period_start, notice.period_end) == (date(2025, 3, 1), date(2026, 2, 28))
        assert notice.body["requirement"]["provision"] == "PA 2023 s71"

    @pytest.mark.parametrize(
        ("ratings", "message"),
        [({}, "Rate P2 resolved in 8 hours"), ({"2": "Fine"}, "'Fine' is not a rating")],
    )
    def test_an_unrated_or_wrongly_rated_kpi_is_refused(self, people, ratings, message):
        with pytest.raises(ValidationError, match=message):
            services.notice_draft_performance(
                contract=act_contract(),
                period_start=date(2025, 3, 1),
                period_end=date(2026, 2, 28),
                assessments=ASSESSMENTS,
                ratings=ratings,
                by=people["commercial"],
            )
        assert not Notice.objects.exists()

    def test_a_uk9_for_a_period_and_a_uk7_are_drafted_once_a_contract(self, people):
        contract = act_contract(total_value=Decimal("6000000"))

        def uk9(end):
            return services.notice_draft_performance(
                contract=contract,
                period_start=date(2025, 3, 1),
                period_end=end,
                assessments=ASSESSMENTS,
                ratings={"2": "Good"},
                by=people["commercial"],
            )

        first = uk9(date(2026, 2, 28))
        with pytest.raises(RuleViolation, match=f"Notice {first.pk}, a UK9 of {contract.reference} for the period"):
            uk9(date(2026, 2, 28))
        uk9(date(2027, 2, 28))  # the next year's assessment
        details = services.notice_draft_details(contract=contract, by=people["commercial"])
        with pytest.raises(RuleViolation, match=f"Notice {details.pk}, a UK7"):
            services.notice_draft_details(contract=contract, by=people["commercial"])
        assert Notice.objects.filter(contract=contract).count() == 3

    def test_a_contract_without_kpis_has_no_uk9(self, people):
        contract = act_contract()
        with pytest.raises(RuleViolation, match=f"{contract.reference} has no KPIs set"):
            services.notice_draft_performance(
                contract=contract,
                period_start=date(2025, 3, 1),
                period_end=date(2026, 2, 28),
                assessments=[],
                by=people["commercial"],
            )


@pytest.fixture
def draft(people):
    return services.notice_draft_details(contract=ContractFactory(), by=people["commercial"])


class TestCheckingAndPublishing:
    def test_draft_checked_published_by_two_people_with_history_and_audit(self, people, draft):
        """Checked by another commercial officer, published by the drafter: every step audited and kept."""
        services.notice_check(notice=draft, by=people["second"])
        services.notice_publish(notice=draft, by=people["commercial"])

        draft.refresh_from_db()
        assert (draft.state, draft.checked_by, draft.published_by) == (
            "published",
            people["second"],
            people["commercial"],
        )
        assert draft.published_at is not None
        assert draft.history.count() == 3
        assert list(
            AuditEvent.objects.filter(object_type="publication.notice", object_id=str(draft.pk))
            .order_by("pk")
            .values_list("action", flat=True)
        ) == ["notice.draft", "notice.check", "notice.publish"]

    def test_legal_may_check(self, people, draft):
        assert services.notice_check(notice=draft, by=people["legal"]).state == "checked"

    def test_the_drafter_may_not_check_their_own_notice(self, people, draft):
        with pytest.raises(RuleViolation, match="checked by someone other than the person who drafted it"):
            services.notice_check(notice=draft, by=people["commercial"])
        draft.refresh_from_db()
        assert draft.state == "draft"

    def test_finance_may_not_check_and_legal_may_not_publish(self, people, draft):
        with pytest.raises(RuleViolation, match="Only a commercial officer or legal may check a notice."):
            services.notice_check(notice=draft, by=people["finance"])
        services.notice_check(notice=draft, by=people["legal"])
        with pytest.raises(RuleViolation, match="Only a commercial officer may publish a notice."):
            services.notice_publish(notice=draft, by=people["legal"])

    def test_only_a_checked_notice_is_published_and_only_a_draft_is_checked(self, people, draft):
        with pytest.raises(InvalidTransition, match="This notice is draft: only a checked notice can be published."):
            services.notice_publish(notice=draft, by=people["commercial"])
        published(draft, checker=people["legal"], publisher=people["commercial"])
        with pytest.raises(InvalidTransition, match="This notice is published: only a draft notice can be checked."):
            services.notice_check(notice=draft, by=people["second"])

    def test_changing_a_checked_notice_sends_it_back_to_be_checked(self, people, draft):
        services.notice_check(notice=draft, by=people["legal"])

        services.notice_update(notice=draft, note="Value as agreed.", by=people["commercial"])

        draft.refresh_from_db()
        assert (draft.state, draft.checked_by, draft.body["note"]) == ("draft", None, "Value as agreed.")

    def test_a_published_notice_is_not_changed(self, people, draft):
        published(draft, checker=people["legal"], publisher=people["commercial"])
        before = dict(draft.body)

        with pytest.raises(InvalidTransition, match="This notice is published and cannot be changed"):
            services.notice_update(notice=draft, note="Something else.", by=people["commercial"])

        draft.refresh_from_db()
        assert (draft.state, draft.body) == ("published", before)

    @pytest.mark.parametrize("step", ["check", "publish", "correct"])
    def test_each_step_is_all_or_nothing(self, people, draft, monkeypatch, step):
        """A step whose audit record fails leaves the notice as it was, and no correction behind."""
        if step != "check":
            services.notice_check(notice=draft, by=people["legal"])
        if step == "correct":
            services.notice_publish(notice=draft, by=people["commercial"])
        draft.refresh_from_db()
        before = (draft.state, draft.checked_at, draft.published_at)

        def refuse(**kwargs):
            raise RuntimeError("the audit trail is unavailable")

        monkeypatch.setattr(services, "audit_record", refuse)
        with pytest.raises(RuntimeError):
            if step == "check":
                services.notice_check(notice=draft, by=people["legal"])
            elif step == "publish":
                services.notice_publish(notice=draft, by=people["commercial"])
            else:
                services.notice_correct(notice=draft, reason="Typo.", by=people["commercial"])

        draft.refresh_from_db()
        assert (draft.state, draft.checked_at, draft.published_at) == before
        assert Notice.objects.count() == 1


class TestCorrections:
    def test_a_correction_is_a_new_notice_that_corrects_the_published_one(self, people, draft):
        published(draft, checker=people["legal"], publisher=people["commercial"])

        correction = services.notice_correct(notice=draft, reason="The supplier's name was wrong.", by=people["second"])

        draft.refresh_from_db()
        assert (correction.kind, correction.contract, correction.state, correction.corrects) == (
            "UK7",
            draft.contract,
            "draft",
            draft,
        )
        assert correction.body["note"] == "The supplier's name was wrong."
        assert correction.body["corrects"]["id"] == draft.pk
        assert draft.state == "published"

    def test_a_draft_is_changed_not_corrected(self, people, draft):
        with pytest.raises(InvalidTransition, match="This notice is draft: only a published notice is corrected"):
            services.notice_correct(notice=draft, reason="Typo.", by=people["commercial"])

    def test_one_correction_at_a_time(self, people, draft):
        published(draft, checker=people["legal"], publisher=people["commercial"])
        first = services.notice_correct(notice=draft, reason="Typo.", by=people["commercial"])

        with pytest.raises(InvalidTransition, match=f"Notice {first.pk} already corrects this notice"):
            services.notice_correct(notice=draft, reason="Another.", by=people["commercial"])

    def test_a_uk9_correction_keeps_its_ratings(self, people):
        notice = services.notice_draft_performance(
            contract=act_contract(),
            period_start=date(2025, 3, 1),
            period_end=date(2026, 2, 28),
            assessments=ASSESSMENTS,
            ratings={"2": "Inadequate"},
            by=people["commercial"],
        )
        published(notice, checker=people["legal"], publisher=people["commercial"])

        correction = services.notice_correct(notice=notice, reason="Period corrected.", by=people["commercial"])

        assert [a["rating"] for a in correction.body["assessments"]] == ["Good", "Inadequate"]
        assert (correction.period_start, correction.period_end) == (notice.period_start, notice.period_end)
