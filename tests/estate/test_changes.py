"""Contract changes as records: proposed, approved only with what the modification rules and the scheme ask for,
made effective through the estate's own services, and withdrawn; the value and end that follow are computed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.exceptions import InvalidTransition, RuleViolation
from pegasus.core.models import ApiToken, AuditEvent
from pegasus.estate import selectors, services
from pegasus.estate.models import ContractChange
from pegasus.governance.models import Decision
from tests.factories import DELEGATED_OFFICER, ContractFactory, OptionFactory

pytestmark = pytest.mark.django_db

DAY = date(2019, 2, 1)


def decision(make_user, status="approved", reference="PCD 900"):
    return Decision.objects.create(
        reference=reference,
        title="Extension",
        decision_type="contract-extension",
        executive_summary="Extend.",
        value=Decimal("1000000"),
        originating_officer=make_user("programme-director", username=f"officer-{reference[-3:]}"),
        status=status,
    )


def variation(contract, value, ground="de-minimis", by=None, **more):
    return services.change_propose(
        contract=contract,
        kind="variation",
        reason="More service desk hours.",
        effective_on=DAY,
        value_change=Decimal(value),
        ground=ground,
        by=by,
        **more,
    )


def option_change(contract, option, value, by=None, **more):
    return services.change_propose(
        contract=contract,
        kind="option-exercise",
        option=option,
        reason="Continue service while the towers are re-competed.",
        effective_on=DAY,
        value=Decimal(value),
        by=by,
        **more,
    )


class TestTransitions:
    def test_a_small_variation_goes_proposed_approved_effective_with_history_and_audit(self, make_user):
        commercial, approver = make_user("commercial-officer"), make_user("approver", office=DELEGATED_OFFICER)
        contract = ContractFactory()
        change = variation(contract, "20000", by=commercial, term_change_months=6, scope="Longer hours.")
        assert change.state == "proposed"
        services.change_approve(change=change, by=approver)
        change.refresh_from_db()
        assert (change.state, change.approved_by, change.approver_office) == (
            "approved",
            approver,
            "Delegated officer (MPS Chief Financial Officer)",
        )
        services.change_make_effective(change=change, by=commercial)
        change.refresh_from_db()
        assert change.state == "effective"
        assert change.history.count() == 3
        assert list(
            AuditEvent.objects.filter(object_type="estate.contractchange", object_id=str(change.pk))
            .order_by("pk")
            .values_list("action", flat=True)
        ) == ["change.propose", "change.approve", "change.effective"]

    def test_withdraw_from_proposed_and_from_approved_but_not_from_effective(self, make_user):
        cfo = make_user("approver", username="cfo", office=DELEGATED_OFFICER)
        contract = ContractFactory()
        first = variation(contract, "1000", by=cfo)
        services.change_withdraw(change=first, by=cfo)
        second = variation(contract, "1000", by=cfo)
        services.change_approve(change=second, by=cfo)
        services.change_withdraw(change=second, by=cfo)
        assert {c.state for c in ContractChange.objects.all()} == {"withdrawn"}
        third = variation(contract, "1000", by=cfo)
        services.change_approve(change=third, by=cfo)
        services.change_make_effective(change=third, by=cfo)
        with pytest.raises(InvalidTransition):
            services.change_withdraw(change=third, by=cfo)

    def test_only_a_proposed_change_is_approved_and_only_an_approved_one_becomes_effective(self, make_user):
        cfo = make_user("approver", username="cfo", office=DELEGATED_OFFICER)
        change = variation(ContractFactory(), "1000", by=cfo)
        with pytest.raises(InvalidTransition, match="only an approved change"):
            services.change_make_effective(change=change, by=cfo)
        services.change_approve(change=change, by=cfo)
        with pytest.raises(InvalidTransition, match="only a proposed change"):
            services.change_approve(change=change, by=cfo)

    def test_an_option_exercise_made_effective_exercises_the_option_and_moves_the_end(self, make_user):
        approver = make_user("approver", office=DELEGATED_OFFICER)
        contract = ContractFactory()
        option = OptionFactory(contract=contract, sequence=1, length_months=12)
        before = selectors.contract_current(contract, DAY).current_end
        change = option_change(contract, option, "100000", by=approver)
        services.change_approve(change=change, by=approver)
        services.change_make_effective(change=change, by=approver)
        option.refresh_from_db()
        assert option.state == "exercised"
        assert selectors.contract_current(contract, DAY).current_end == date(before.year + 1, before.month, before.day)

    def test_an_option_lapse_made_effective_lets_the_option_lapse(self, make_user):
        commercial = make_user("commercial-officer")
        cfo = make_user("approver", username="cfo", office=DELEGATED_OFFICER)
        contract = ContractFactory()
        option = OptionFactory(contract=contract, sequence=1)
        change = services.change_propose(
            contract=contract, kind="option-lapse", option=option, reason="Re-let.", effective_on=DAY, by=commercial
        )
        services.change_approve(change=change, by=cfo)
        services.change_make_effective(change=change, by=cfo)
        option.refresh_from_db()
        assert option.state == "lapsed"

    def test_a_termination_made_effective_ends_the_contract(self, make_user):
        commercial = make_user("commercial-officer")
        cfo = make_user("approver", username="cfo", office=DELEGATED_OFFICER)
        contract = ContractFactory()
        change = services.change_propose(
            contract=contract,
            kind="termination",
            reason="Supplier default.",
            effective_on=date(2018, 6, 30),
            termination_date=date(2018, 6, 30),
            termination_reason="default",
            by=commercial,
        )
        services.change_approve(change=change, by=cfo)
        services.change_make_effective(change=change, by=cfo)
        contract.refresh_from_db()
        assert (contract.ended_on, contract.status) == (date(2018, 6, 30), "terminated")


class TestRefusals:
    def test_a_change_the_rules_do_not_permit_cannot_be_approved(self, make_user):
        cfo = make_user("approver", username="cfo", office=DELEGATED_OFFICER)
        contract = ContractFactory()  # £3.6m: 10% is £360,000
        change = variation(contract, "400000", by=cfo)
        with pytest.raises(RuleViolation, match="do not permit"):
            services.change_approve(change=change, by=cfo)
        change.refresh_from_db()
        assert change.state == "proposed"

    def test_earlier_changes_on_the_same_ground_count_towards_de_minimis(self, make_user):
        commercial = make_user("commercial-officer")
        cfo = make_user("approver", username="cfo", office=DELEGATED_OFFICER)
        contract = ContractFactory()
        services.change_approve(change=variation(contract, "100000", by=commercial), by=cfo)
        with pytest.raises(RuleViolation, match="net cumulative value"):
            services.change_approve(change=variation(contract, "100000", by=commercial), by=cfo)

    def test_a_non_substantial_change_waits_for_legals_rationale_then_may_be_approved(self, make_user):
        legal = make_user("legal")
        cfo = make_user("approver", username="cfo", office=DELEGATED_OFFICER)
        change = variation(ContractFactory(), "1000", ground="non-substantial", by=cfo)
        with pytest.raises(RuleViolation, match="waits for legal's recorded rationale"):
            services.change_approve(change=change, by=cfo)
        with pytest.raises(RuleViolation, match="Only legal"):
            services.change_rationale_record(change=change, rationale="Minor.", by=cfo)
        services.change_rationale_record(change=change, rationale="The nature is unchanged.", by=legal)
        change.refresh_from_db()
        assert (change.rationale_by, change.rationale_at is not None) == (legal, True)
        assert services.change_approve(change=change, by=cfo).state == "approved"

    def test_an_empty_rationale_is_refused_on_its_field(self, make_user):
        change = variation(ContractFactory(), "1000", ground="non-substantial")
        with pytest.raises(ValidationError) as caught:
            services.change_rationale_record(change=change, rationale="  ", by=make_user("legal"))
        assert "legal_rationale" in caught.value.message_dict

    @pytest.mark.parametrize("value", ["500000", "750000"])
    def test_an_option_worth_500k_or_more_needs_an_approved_decision(self, make_user, value):
        approver = make_user("approver", office=DELEGATED_OFFICER)
        contract = ContractFactory()
        option = OptionFactory(contract=contract, sequence=1)
        change = option_change(contract, option, value, by=approver)
        with pytest.raises(RuleViolation, match=r"4\.13.*approved decision"):
            services.change_approve(change=change, by=approver)
        change.decision = decision(make_user, status="submitted")
        change.save()
        with pytest.raises(RuleViolation, match="is submitted"):
            services.change_approve(change=change, by=approver)
        Decision.objects.filter(pk=change.decision_id).update(status="approved")
        approved = services.change_approve(change=change, by=approver)
        assert (approved.state, approved.approver_clause) == ("approved", "4.13")

    def test_just_below_500k_needs_no_decision_and_records_the_delegated_officer(self, make_user):
        approver = make_user("approver", office=DELEGATED_OFFICER)
        contract = ContractFactory()
        option = OptionFactory(contract=contract, sequence=1)
        change = services.change_approve(change=option_change(contract, option, "499999.99"), by=approver)
        assert (change.approver_office, change.approver_clause) == (
            "Delegated officer (MPS Chief Financial Officer)",
            "",
        )

    def test_below_500k_only_the_officer_the_scheme_names_may_approve(self, make_user):
        change = variation(ContractFactory(), "1000")
        for user in (
            make_user("approver", username="dmpc", office="Deputy Mayor for Policing and Crime"),
            make_user("commercial-officer", username="co", office=DELEGATED_OFFICER),
        ):
            with pytest.raises(RuleViolation, match=r"only the Delegated officer \(MPS Chief Financial Officer\)"):
                services.change_approve(change=change, by=user)
        change.refresh_from_db()
        assert change.state == "proposed"
        approved = services.change_approve(change=change, by=make_user("approver", office=DELEGATED_OFFICER))
        assert approved.approver_office == DELEGATED_OFFICER

    @pytest.mark.parametrize("role", ["finance", "legal", "evaluator", "auditor", "programme-director"])
    def test_below_500k_a_user_without_the_approving_role_is_refused(self, make_user, role):
        change = variation(ContractFactory(), "1000")
        with pytest.raises(RuleViolation, match="Only an approver or a commercial officer"):
            services.change_approve(change=change, by=make_user(role))
        change.refresh_from_db()
        assert change.state == "proposed"

    def test_a_variation_needs_a_ground_of_the_contracts_regime(self, make_user):
        contract = ContractFactory()
        with pytest.raises(ValidationError) as caught:
            variation(contract, "1000", ground="")
        assert "ground" in caught.value.message_dict
        with pytest.raises(ValidationError, match="not a ground under PCR2015"):
            variation(contract, "1000", ground="below-threshold")

    def test_an_option_change_needs_an_available_option_of_the_contract(self, make_user):
        contract = ContractFactory()
        with pytest.raises(ValidationError) as caught:
            option_change(contract, OptionFactory(), "1000")
        assert "option" in caught.value.message_dict
        used = OptionFactory(contract=contract, sequence=1, state="exercised")
        with pytest.raises(ValidationError, match="exercised"):
            option_change(contract, used, "1000")
        assert not ContractChange.objects.exists()


class TestComputed:
    def test_current_value_and_end_follow_the_effective_changes_only(self, make_user):
        commercial = make_user("commercial-officer")
        cfo = make_user("approver", username="cfo", office=DELEGATED_OFFICER)
        contract = ContractFactory()
        base_end = selectors.contract_current(contract, DAY).current_end
        up = variation(contract, "50000", by=commercial, term_change_months=3)
        services.change_approve(change=up, by=cfo)
        services.change_make_effective(change=up, by=cfo)
        down = variation(contract, "-20000", by=cfo)
        services.change_approve(change=down, by=cfo)
        services.change_make_effective(change=down, by=cfo)
        variation(contract, "9000", by=commercial)  # proposed only: counts for nothing
        current = selectors.contract_current(contract, DAY)
        assert (current.original_value, current.net_change, current.current_value) == (
            Decimal("3600000.00"),
            Decimal("30000.00"),
            Decimal("3630000.00"),
        )
        assert current.current_end == date(2019, 6, 30) and base_end == date(2019, 3, 31)
        contract.refresh_from_db()
        assert contract.total_value == Decimal("3600000.00")

    def test_the_regime_follows_the_start_date(self):
        assert (
            selectors.regime_of(ContractFactory(start_date=date(2025, 2, 23), initial_end_date=date(2026, 1, 1)))
            == "PCR2015"
        )
        assert (
            selectors.regime_of(ContractFactory(start_date=date(2025, 2, 24), initial_end_date=date(2026, 1, 1)))
            == "PA2023"
        )


def test_an_option_with_a_change_in_hand_takes_no_second_one(make_user):
    contract = ContractFactory()
    option = OptionFactory(contract=contract, sequence=1)
    option_change(contract, option, "1000")
    with pytest.raises(ValidationError, match="already has a change proposed"):
        services.option_change_propose(option=option, kind="option-lapse", by=make_user("commercial-officer"))


class TestPages:
    def test_the_contract_page_shows_changes_and_computed_figures_to_staff_not_suppliers(self, signed_in, make_user):
        contract = ContractFactory()
        cfo = make_user("approver", username="cfo", office=DELEGATED_OFFICER)
        change = variation(contract, "25000", by=cfo)
        services.change_approve(change=change, by=cfo)
        services.change_make_effective(change=change, by=cfo)
        client, _ = signed_in("auditor")
        page = client.get(f"/contracts/{contract.pk}/")
        assert page.context["current"].current_value == Decimal("3625000.00")
        body = page.content.decode()
        assert "Changes" in body and "£3,625,000.00" in body
        assert "Propose a change" not in body and "Approve<" not in body
        supplier, _ = signed_in("supplier-user", username="sup", supplier=contract.supplier)
        own = supplier.get(f"/contracts/{contract.pk}/")
        assert own.status_code == 200 and "Net change from effective changes" not in own.content.decode()

    def test_a_commercial_officer_proposes_through_the_form_and_bad_input_names_the_field(self, signed_in):
        contract = ContractFactory()
        client, _ = signed_in("commercial-officer")
        url = f"/contracts/{contract.pk}/changes/new/"
        bad = client.post(url, {"kind": "variation", "reason": "More.", "effective_on": "2019-02-01", "value": "1000"})
        assert bad.status_code == 200
        assert "ground" in bad.context["form"].errors
        assert not ContractChange.objects.exists()
        good = client.post(
            url,
            {
                "kind": "variation",
                "reason": "More.",
                "effective_on": "2019-02-01",
                "value": "1000",
                "ground": "de-minimis",
            },
        )
        assert good.status_code == 302
        assert ContractChange.objects.get().value_change == Decimal("1000.00")

    def test_readers_cannot_propose_approve_or_withdraw(self, signed_in):
        contract = ContractFactory()
        change = variation(contract, "1000")
        for role in ("finance", "auditor", "evaluator", "legal"):
            client, _ = signed_in(role, username=f"r-{role}")
            assert client.post(f"/contracts/{contract.pk}/changes/new/", {}).status_code == 403, role
            for action in ("approve", "withdraw", "effective"):
                url = f"/contracts/{contract.pk}/changes/{change.pk}/{action}/"
                assert client.post(url).status_code == 403, (role, action)
        supplier, _ = signed_in("supplier-user", username="s-other")
        assert supplier.post(f"/contracts/{contract.pk}/changes/{change.pk}/approve/").status_code == 404
        change.refresh_from_db()
        assert change.state == "proposed"

    def test_a_refusal_is_shown_and_nothing_changes(self, signed_in):
        contract = ContractFactory()
        option = OptionFactory(contract=contract, sequence=1)
        change = option_change(contract, option, "600000")
        client, _ = signed_in("approver", office=DELEGATED_OFFICER)
        response = client.post(f"/contracts/{contract.pk}/changes/{change.pk}/approve/", follow=True)
        assert "approved decision linked to it" in response.content.decode()
        change.refresh_from_db()
        assert change.state == "proposed"

    def test_legal_records_a_rationale_on_the_page_and_an_approver_then_approves(self, signed_in):
        contract = ContractFactory()
        change = variation(contract, "1000", ground="non-substantial")
        legal, _ = signed_in("legal", username="lg")
        legal.post(f"/contracts/{contract.pk}/changes/{change.pk}/rationale/", {"legal_rationale": "Minor."})
        approver, _ = signed_in("approver", username="ap", office=DELEGATED_OFFICER)
        approver.post(f"/contracts/{contract.pk}/changes/{change.pk}/approve/")
        change.refresh_from_db()
        assert (change.legal_rationale, change.state) == ("Minor.", "approved")

    def test_the_option_button_proposes_a_change_and_exercises_nothing(self, signed_in):
        contract = ContractFactory()
        option = OptionFactory(contract=contract, sequence=1)
        client, _ = signed_in("commercial-officer")
        client.post(f"/contracts/{contract.pk}/options/{option.pk}/exercise/")
        option.refresh_from_db()
        assert option.state == "available"
        assert option.changes.get().kind == "option-exercise"


class TestDemo:
    def test_pcd_598_authorises_the_networks_option_once_and_its_page_lists_it(self, demo, signed_in):
        from pegasus.governance.demo import decisions_demo_load

        decisions_demo_load()
        decisions_demo_load()
        pcd = Decision.objects.get(reference="PCD 598")
        change = ContractChange.objects.get(decision=pcd)
        assert (change.contract.reference, change.kind, change.option.sequence, change.state) == (
            "MPS-DP-T1-002",
            "option-exercise",
            2,
            "proposed",
        )
        client, _ = signed_in("auditor", username="aud")
        body = client.get(f"/decisions/{pcd.pk}/").content.decode()
        assert "Changes it authorises" in body and "MPS-DP-T1-002" in body
        contract_page = client.get(f"/contracts/{change.contract.pk}/").content.decode()
        assert f"/decisions/{pcd.pk}/" in contract_page


class TestApi:
    def test_get_changes_and_approve_through_the_same_service(self, make_user, client):
        contract = ContractFactory()
        option = OptionFactory(contract=contract, sequence=1)
        big = option_change(contract, option, "600000")
        _, key = ApiToken.issue(user=make_user("approver", office=DELEGATED_OFFICER), name="t")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        listed = client.get(f"/api/contracts/{contract.pk}/changes", **auth)
        assert listed.status_code == 200 and listed.json()[0]["state"] == "proposed"
        refused = client.post(f"/api/contracts/{contract.pk}/changes/{big.pk}/approve", **auth)
        assert refused.status_code == 400 and "approved decision" in refused.content.decode()
        big.refresh_from_db()
        assert big.state == "proposed"
        small = variation(contract, "1000")
        done = client.post(f"/api/contracts/{contract.pk}/changes/{small.pk}/approve", **auth)
        assert done.status_code == 200 and done.json()["state"] == "approved"
        again = client.post(f"/api/contracts/{contract.pk}/changes/{small.pk}/approve", **auth)
        assert again.status_code == 409

    def test_readers_and_suppliers_are_refused(self, make_user, client):
        contract = ContractFactory()
        change = variation(contract, "1000")
        _, key = ApiToken.issue(user=make_user("finance"), name="t")
        url = f"/api/contracts/{contract.pk}/changes/{change.pk}/approve"
        assert client.post(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 403
        _, skey = ApiToken.issue(user=make_user("supplier-user", username="sx"), name="t")
        assert (
            client.get(f"/api/contracts/{contract.pk}/changes", HTTP_AUTHORIZATION=f"Bearer {skey}").status_code == 404
        )
        change.refresh_from_db()
        assert change.state == "proposed"


def test_editing_a_contract_keeps_its_options_changes_and_will_not_remove_such_an_option(make_user):
    commercial = make_user("commercial-officer")
    contract = ContractFactory()
    option = OptionFactory(contract=contract, sequence=1)
    change = option_change(contract, option, "1000")
    services.contract_update(
        contract=contract, by=commercial, title="Renamed", options=[services.OptionSpec(12), services.OptionSpec(6)]
    )
    change.refresh_from_db()
    assert change.option_id == option.pk
    with pytest.raises(ValidationError, match="Option 1 has a contract change"):
        services.contract_update(contract=contract, by=commercial, options=[])
    assert contract.options.count() == 2


class TestNoWayAround:
    """No way in makes a change approved without what the rules and the scheme ask for, nor decides an option
    without a change: the page, the API and the edit form all meet the same refusals (the import: test_imports)."""

    def refused_variation(self):
        contract = ContractFactory()  # £3.6m: half is £1.8m
        return contract, variation(contract, "1800000.01", ground="additional")

    def test_the_page_refuses_a_change_the_rules_do_not_permit(self, signed_in):
        contract, change = self.refused_variation()
        client, _ = signed_in("approver", office=DELEGATED_OFFICER)
        response = client.post(f"/contracts/{contract.pk}/changes/{change.pk}/approve/", follow=True)
        assert "do not permit this change" in response.content.decode()
        change.refresh_from_db()
        assert change.state == "proposed"

    def test_the_api_refuses_a_change_the_rules_do_not_permit(self, make_user, client):
        contract, change = self.refused_variation()
        _, key = ApiToken.issue(user=make_user("approver", office=DELEGATED_OFFICER), name="t")
        response = client.post(
            f"/api/contracts/{contract.pk}/changes/{change.pk}/approve", HTTP_AUTHORIZATION=f"Bearer {key}"
        )
        assert response.status_code == 400 and "do not permit" in response.content.decode()
        change.refresh_from_db()
        assert change.state == "proposed"

    def test_the_page_refuses_an_approver_without_the_office(self, signed_in):
        contract = ContractFactory()
        change = variation(contract, "1000")
        client, _ = signed_in("approver")
        response = client.post(f"/contracts/{contract.pk}/changes/{change.pk}/approve/", follow=True)
        assert "you do not hold that office" in response.content.decode()
        change.refresh_from_db()
        assert change.state == "proposed"

    def test_the_edit_form_cannot_exercise_an_option_nor_end_the_contract(self, signed_in):
        contract = ContractFactory()
        option = OptionFactory(contract=contract, sequence=1)
        client, _ = signed_in("commercial-officer")
        form = client.get(f"/contracts/{contract.pk}/edit/").context["form"]
        data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
        data.update({"title": "Renamed", "option_1_state": "exercised", "ended_on": "2019-01-31"})
        response = client.post(f"/contracts/{contract.pk}/edit/", data)
        assert response.status_code == 302
        option.refresh_from_db()
        contract.refresh_from_db()
        assert (contract.title, option.state, contract.ended_on) == ("Renamed", "available", None)


class TestTermination:
    @pytest.mark.parametrize("day", [date(2010, 1, 1), date(2030, 1, 1)])
    def test_a_termination_outside_the_contracts_term_is_refused(self, day):
        contract = ContractFactory()
        with pytest.raises(ValidationError) as caught:
            services.change_propose(
                contract=contract,
                kind="termination",
                reason="Break.",
                effective_on=day,
                termination_date=day,
                termination_reason="break",
                by=None,
            )
        assert "falls within the contract's term" in caught.value.message_dict["termination_date"][0]
        assert not contract.changes.exists()

    def test_a_termination_takes_effect_on_its_date_not_before(self, make_user):
        contract = ContractFactory(initial_end_date=date(2099, 3, 31))
        cfo = make_user("approver", office=DELEGATED_OFFICER)
        ahead = date(2098, 12, 31)
        change = services.change_propose(
            contract=contract,
            kind="termination",
            reason="Break.",
            effective_on=ahead,
            termination_date=ahead,
            termination_reason="break",
            by=cfo,
        )
        services.change_approve(change=change, by=cfo)
        with pytest.raises(InvalidTransition, match="31 December 2098"):
            services.change_make_effective(change=change, by=cfo)
        contract.refresh_from_db()
        assert (contract.status, contract.ended_on) == ("active", None)
