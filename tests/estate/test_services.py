"""Changes to the estate: validated, atomic, attributed, audited and kept in history."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.exceptions import InvalidTransition
from pegasus.core.models import AuditEvent
from pegasus.estate import services
from pegasus.estate.models import Contract, ContractTower, ExtensionOption
from pegasus.estate.services import OptionSpec, TowerShare
from tests.factories import (
    DELEGATED_OFFICER,
    ContractFactory,
    OptionFactory,
    OrganisationFactory,
    SupplierFactory,
    TowerFactory,
)

pytestmark = pytest.mark.django_db


def contract_fields(**overrides):
    fields = {
        "reference": "MPS-NEW-001",
        "title": "Hosting",
        "supplier": SupplierFactory(),
        "authority": OrganisationFactory(),
        "start_date": date(2020, 4, 1),
        "initial_end_date": date(2023, 3, 31),
        "total_value": Decimal("3600000.00"),
        "annual_value": Decimal("1200000.00"),
    }
    return {**fields, **overrides}


class TestContractCreate:
    def test_creates_the_contract_with_its_towers_options_and_an_audit_event(self, make_user):
        # given
        user = make_user("commercial-officer")
        net, tel = TowerFactory(code="networks"), TowerFactory(code="telephony")
        # when
        contract = services.contract_create(
            towers=[TowerShare(net, Decimal(70)), TowerShare(tel, Decimal(30))],
            options=[OptionSpec(12), OptionSpec(12)],
            by=user,
            **contract_fields(),
        )
        # then
        assert sorted(contract.tower_shares.values_list("tower__code", "share_percent")) == [
            ("networks", Decimal("70.00")),
            ("telephony", Decimal("30.00")),
        ]
        assert list(contract.options.values_list("sequence", "length_months", "state")) == [
            (1, 12, "available"),
            (2, 12, "available"),
        ]
        event = AuditEvent.objects.get(action="contract.create")
        assert (event.actor, event.object_id) == (user, str(contract.pk))
        assert contract.history.count() == 1

    def test_a_36_month_term_with_a_tacit_12_month_renewal_and_3_months_notice_is_held(self, make_user):
        contract = services.contract_create(
            towers=[TowerShare(TowerFactory(), Decimal(100))],
            by=make_user("commercial-officer"),
            **contract_fields(renewal_type="tacit", renewal_period_months=12, notice_period_months=3),
        )
        assert contract.terms().renewal == "tacit"

    @pytest.mark.parametrize("shares", [["60", "30"], ["70", "40"]])
    def test_refuses_tower_shares_that_do_not_add_up_to_100(self, shares, make_user):
        towers = [TowerShare(TowerFactory(), Decimal(s)) for s in shares]
        with pytest.raises(ValidationError, match="must add up to 100%"):
            services.contract_create(towers=towers, by=make_user("commercial-officer"), **contract_fields())
        assert not Contract.objects.exists()

    def test_refuses_a_term_that_ends_before_it_starts(self, make_user):
        with pytest.raises(ValidationError) as error:
            services.contract_create(
                towers=[TowerShare(TowerFactory(), Decimal(100))],
                by=make_user("commercial-officer"),
                **contract_fields(initial_end_date=date(2019, 1, 1)),
            )
        assert "initial_end_date" in error.value.message_dict

    def test_refuses_a_renewal_without_a_length(self, make_user):
        with pytest.raises(ValidationError) as error:
            services.contract_create(
                towers=[TowerShare(TowerFactory(), Decimal(100))],
                by=make_user("commercial-officer"),
                **contract_fields(renewal_type="tacit", renewal_period_months=0),
            )
        assert "renewal_period_months" in error.value.message_dict

    def test_is_atomic_when_the_audit_write_fails(self, make_user):
        with mock.patch("pegasus.estate.services.audit_record", side_effect=RuntimeError("disk full")):
            with pytest.raises(RuntimeError):
                services.contract_create(
                    towers=[TowerShare(TowerFactory(), Decimal(100))],
                    by=make_user("commercial-officer"),
                    **contract_fields(),
                )
        assert not Contract.objects.exists()
        assert not ContractTower.objects.exists()


class TestContractUpdate:
    def test_records_what_changed(self, make_user):
        contract = ContractFactory(total_value=Decimal("100.00"))
        services.contract_update(contract=contract, by=make_user("commercial-officer"), total_value=Decimal("250.00"))
        event = AuditEvent.objects.get(action="contract.update")
        assert event.data["changed"] == {"total_value": ["100.00", "250.00"]}
        assert contract.history.count() == 2

    def test_keeps_options_unless_given(self, make_user):
        option = OptionFactory(sequence=1)
        services.contract_update(contract=option.contract, by=make_user("commercial-officer"), title="Renamed")
        assert option.contract.options.count() == 1


def decide_option(option, kind, by, value="1000"):
    """Exercise or let lapse an option the one way there is: a contract change, proposed, approved, made effective."""
    change = services.change_propose(
        contract=option.contract,
        kind=kind,
        option=option,
        reason="Decided.",
        effective_on=date(2019, 4, 1),
        value=Decimal(value) if kind == "option-exercise" else Decimal(0),
        by=by,
    )
    services.change_approve(change=change, by=by)
    return services.change_make_effective(change=change, by=by)


class TestOptionTransitions:
    @pytest.mark.parametrize(("kind", "state"), [("option-exercise", "exercised"), ("option-lapse", "lapsed")])
    def test_an_available_option_is_decided_by_a_change(self, kind, state, make_user):
        option = OptionFactory(sequence=1)
        decide_option(option, kind, make_user("approver", office=DELEGATED_OFFICER))
        option.refresh_from_db()
        assert option.state == state
        assert AuditEvent.objects.filter(action=f"option.{state}").count() == 1

    @pytest.mark.parametrize("state", ["exercised", "lapsed"])
    def test_a_decided_option_cannot_be_decided_again(self, state, make_user):
        option = OptionFactory(sequence=1, state=state)
        with pytest.raises(ValidationError, match=f"Option 1 is {state}"):
            decide_option(option, "option-exercise", make_user("approver", office=DELEGATED_OFFICER))

    def test_options_are_exercised_in_order(self, make_user):
        first = OptionFactory(sequence=1)
        second = OptionFactory(contract=first.contract, sequence=2)
        with pytest.raises(InvalidTransition, match="before option 1"):
            decide_option(second, "option-exercise", make_user("approver", office=DELEGATED_OFFICER))
        assert ExtensionOption.objects.get(pk=second.pk).state == "available"

    def test_exercising_moves_the_current_end(self, make_user):
        option = OptionFactory(sequence=1, length_months=12)
        contract = option.contract
        before = contract.terms()
        decide_option(option, "option-exercise", make_user("approver", office=DELEGATED_OFFICER))
        after = Contract.objects.get(pk=contract.pk).terms()
        from pegasus.estate.terms import current_end

        assert (current_end(before, date(2019, 1, 1)), current_end(after, date(2019, 1, 1))) == (
            date(2019, 3, 31),
            date(2020, 3, 31),
        )

    def test_is_atomic_when_the_audit_write_fails(self, make_user):
        option = OptionFactory(sequence=1)
        with mock.patch("pegasus.estate.services.audit_record", side_effect=RuntimeError):
            with pytest.raises(RuntimeError):
                decide_option(option, "option-exercise", make_user("approver", office=DELEGATED_OFFICER))
        assert ExtensionOption.objects.get(pk=option.pk).state == "available"


class TestChangeControlledFacts:
    """What only a contract change may do is refused to an edit (the page, the API and the import all edit through
    `contract_update`), naming the field, and changes nothing."""

    @pytest.mark.parametrize("state", ["exercised", "lapsed"])
    def test_an_edit_cannot_decide_an_option(self, make_user, state):
        option = OptionFactory(sequence=1)
        with pytest.raises(ValidationError) as caught:
            services.contract_update(
                contract=option.contract, by=make_user("commercial-officer"), options=[OptionSpec(12, state)]
            )
        assert caught.value.message_dict["options"] == [
            "Option 1 is available: an option is exercised or let lapse only as a contract change, proposed and "
            "approved on the contract's page."
        ]
        assert ExtensionOption.objects.get(pk=option.pk).state == "available"

    def test_an_edit_cannot_add_an_option_already_decided_but_may_add_one_available(self, make_user):
        contract = ContractFactory()
        user = make_user("commercial-officer")
        with pytest.raises(ValidationError, match="Option 1 is new"):
            services.contract_update(contract=contract, by=user, options=[OptionSpec(12, "exercised")])
        services.contract_update(contract=contract, by=user, options=[OptionSpec(12)])
        assert list(contract.options.values_list("state", flat=True)) == ["available"]

    def test_an_edit_cannot_undo_a_decided_option(self, make_user):
        option = OptionFactory(sequence=1, state="exercised")
        with pytest.raises(ValidationError, match="Option 1 is exercised"):
            services.contract_update(
                contract=option.contract, by=make_user("commercial-officer"), options=[OptionSpec(12)]
            )

    @pytest.mark.parametrize(
        ("fields", "field"),
        [({"ended_on": date(2019, 1, 31)}, "ended_on"), ({"status": "terminated"}, "status")],
    )
    def test_an_edit_cannot_end_a_contract_early(self, make_user, fields, field):
        contract = ContractFactory()
        with pytest.raises(ValidationError) as caught:
            services.contract_update(contract=contract, by=make_user("commercial-officer"), **fields)
        assert caught.value.message_dict == {field: [services.END_BY_CHANGE]}
        contract.refresh_from_db()
        assert (contract.ended_on, contract.status) == (None, "active")

    def test_the_original_terms_are_fixed_once_a_change_is_recorded(self, make_user):
        contract = ContractFactory(total_value=Decimal("1000000.00"))
        user = make_user("commercial-officer")
        services.contract_update(contract=contract, by=user, total_value=Decimal("1200000.00"))  # a correction
        services.change_propose(
            contract=contract,
            kind="variation",
            reason="More desk hours.",
            effective_on=date(2019, 2, 1),
            value_change=Decimal("10000"),
            ground="de-minimis",
            by=user,
        )
        with pytest.raises(ValidationError) as caught:
            services.contract_update(contract=contract, by=user, total_value=Decimal("2000000.00"))
        assert list(caught.value.message_dict) == ["total_value"]
        assert "record a variation" in caught.value.message_dict["total_value"][0]
        with pytest.raises(ValidationError, match="record a variation"):  # nor by an instance the refusal left changed
            services.contract_update(contract=contract, by=user, title="Renamed")
        contract.refresh_from_db()
        services.contract_update(contract=contract, by=user, title="Renamed")  # other facts stay editable
        contract.refresh_from_db()
        assert (contract.total_value, contract.title) == (Decimal("1200000.00"), "Renamed")


class TestSpend:
    def test_records_then_corrects_a_month(self, make_user):
        contract = ContractFactory()
        user = make_user("finance")
        services.spend_record(contract=contract, month=date(2019, 1, 1), amount=Decimal("10.00"), by=user)
        services.spend_record(contract=contract, month=date(2019, 1, 1), amount=Decimal("12.00"), by=user)
        assert list(contract.spend.values_list("amount", flat=True)) == [Decimal("12.00")]
        assert [e.action for e in AuditEvent.objects.order_by("id")] == ["spend.record", "spend.correct"]

    def test_a_month_is_given_by_its_first_day(self, make_user):
        with pytest.raises(ValidationError, match="first day"):
            services.spend_record(
                contract=ContractFactory(), month=date(2019, 1, 2), amount=Decimal(1), by=make_user("finance")
            )


def test_each_share_must_lie_between_0_and_100_even_when_they_add_up(make_user):
    towers = [TowerShare(TowerFactory(), Decimal(150)), TowerShare(TowerFactory(), Decimal(-50))]
    with pytest.raises(ValidationError, match="more than 0% and at most 100%"):
        services.contract_create(towers=towers, by=make_user("commercial-officer"), **contract_fields())
    assert not Contract.objects.exists()


class TestBoundsForEveryWayIn:
    """The services refuse what the rest of Pegasus cannot read, whoever calls them (page, import, API, command)."""

    @pytest.mark.parametrize(
        ("overrides", "options", "field"),
        [
            ({}, [OptionSpec(139_031)], "options"),
            ({}, [OptionSpec(12)] * 21, "options"),
            ({"renewal_type": "express", "renewal_period_months": 12, "max_renewals": 3378}, [], "max_renewals"),
            ({"notice_period_months": 121}, [], "notice_period_months"),
            ({"start_date": date(364, 1, 1)}, [], "start_date"),
            ({"initial_end_date": date(2101, 1, 1)}, [], "initial_end_date"),
            ({"reference": "MPS\x00001"}, [], "reference"),
            ({"description": "Ring \x07"}, [], "description"),
            ({"description": "x" * 20_001}, [], "description"),
            ({"total_value": Decimal("1000000000000.00")}, [], "total_value"),
        ],
    )
    def test_a_contract_out_of_bounds_is_refused_naming_the_field(self, make_user, overrides, options, field):
        with pytest.raises(ValidationError) as caught:
            services.contract_create(
                towers=[TowerShare(TowerFactory(), Decimal(100))],
                options=options,
                by=make_user("commercial-officer"),
                **contract_fields(**overrides),
            )

        assert field in caught.value.message_dict
        assert not Contract.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_an_update_out_of_bounds_leaves_the_contract_its_history_and_the_audit_alone(self, make_user):
        contract = ContractFactory()
        before = (contract.history.count(), ExtensionOption.history.count(), AuditEvent.objects.count())

        with pytest.raises(ValidationError) as caught:
            services.contract_update(
                contract=contract, options=[OptionSpec(139_031)], title="Changed", by=make_user("commercial-officer")
            )

        assert caught.value.message_dict == {"options": ["Option 1 length: enter a whole number from 1 to 120."]}
        assert Contract.objects.get(pk=contract.pk).title != "Changed"
        assert (contract.history.count(), ExtensionOption.history.count(), AuditEvent.objects.count()) == before

    def test_the_message_names_the_field_as_the_user_sees_it(self, make_user):
        with pytest.raises(ValidationError) as caught:
            services.contract_create(
                towers=[TowerShare(TowerFactory(), Decimal(100))],
                by=make_user("commercial-officer"),
                **contract_fields(start_date=date(364, 1, 1)),
            )

        assert caught.value.message_dict["start_date"] == [
            "Start date: enter a date from 01 January 1990 to 31 December 2100."
        ]

    @pytest.mark.parametrize(
        ("month", "amount", "field"),
        [(date(364, 1, 1), Decimal(1), "month"), (date(2020, 1, 1), Decimal("1E+13"), "amount")],
    )
    def test_spend_out_of_bounds_is_refused(self, make_user, month, amount, field):
        with pytest.raises(ValidationError) as caught:
            services.spend_record(contract=ContractFactory(), month=month, amount=amount, by=make_user("finance"))

        assert set(caught.value.message_dict) == {field}

    def test_a_supplier_name_with_a_control_character_is_refused(self, make_user):
        with pytest.raises(ValidationError) as caught:
            services.supplier_create(name="Acme\x1b Ltd", by=make_user("commercial-officer"))

        assert set(caught.value.message_dict) == {"name"}


class TestTowerShareHistory:
    def test_each_change_to_a_share_is_kept_in_history_and_attributed(self, make_user):
        # given
        user = make_user("commercial-officer")
        net, tel, dc = TowerFactory(code="networks"), TowerFactory(code="telephony"), TowerFactory(code="dc")
        contract = services.contract_create(
            towers=[TowerShare(net, Decimal(70)), TowerShare(tel, Decimal(30))], by=user, **contract_fields()
        )

        # when
        services.contract_update(
            contract=contract, towers=[TowerShare(net, Decimal(70)), TowerShare(dc, Decimal(30))], by=user
        )

        # then
        history = ContractTower.history.filter(contract_id=contract.pk).order_by("history_id")
        assert [(h.history_type, h.tower_id, h.history_user) for h in history] == [
            ("+", net.pk, user),
            ("+", tel.pk, user),
            ("+", dc.pk, user),
            ("-", tel.pk, user),
        ]
        event = AuditEvent.objects.get(action="contract.update")
        assert event.data["changed"] == {"towers": ["networks 70.00%, telephony 30.00%", "dc 30.00%, networks 70.00%"]}


def test_an_option_decided_without_a_request_is_attributed_in_history(make_user):
    # given: a decision taken by a command or a task, where no request names the user
    user = make_user("approver", office=DELEGATED_OFFICER)
    option = OptionFactory()

    # when
    decide_option(option, "option-exercise", user)

    # then
    assert option.history.latest().history_user == user


def test_spend_is_validated_by_its_model_before_it_is_stored(make_user):
    contract = ContractFactory()

    with pytest.raises(ValidationError) as caught:
        services.spend_record(
            contract=contract, month=date(2020, 1, 1), amount=Decimal(1), vat_basis="bogus", by=make_user("finance")
        )

    assert set(caught.value.message_dict) == {"vat_basis"}
    assert not contract.spend.exists()
