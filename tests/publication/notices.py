"""Contract changes and notices in the states the notices' tests start from."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from pegasus.estate import services as estate
from pegasus.governance.models import Appointment, Decision
from pegasus.publication import services
from tests.factories import DELEGATED_OFFICER, ContractFactory

PCR_DAY = date(2019, 2, 1)
ACT_START = date(2025, 3, 1)
ACT_DAY = date(2025, 9, 1)


def act_contract(**fields):
    """A contract awarded under the Procurement Act 2023 (it starts after 24 February 2025)."""
    return ContractFactory(
        start_date=ACT_START,
        initial_end_date=date(2028, 2, 29),
        total_value=fields.pop("total_value", Decimal("1000000")),
        annual_value=Decimal("333333"),
        **fields,
    )


def approved_decision(by_officer, reference="PCD 950"):
    return Decision.objects.create(
        reference=reference,
        title="Variation",
        decision_type="contract-extension",
        executive_summary="Vary.",
        value=Decimal("1000000"),
        originating_officer=by_officer,
        status="approved",
    )


def delegated_officer():
    """The approver the scheme names for changes below £500,000 (one per test database)."""
    user, new = get_user_model().objects.get_or_create(username="delegated-officer")
    if new:
        user.groups.add(Group.objects.get_or_create(name="approver")[0])
        Appointment.objects.create(user=user, office=DELEGATED_OFFICER)
    return user


def variation(contract, value, *, ground, by, effective_on=None, state="effective", decision=None):
    """A variation taken to `state` by the commercial officer `by`."""
    change = estate.change_propose(
        contract=contract,
        kind="variation",
        reason="More service desk hours.",
        effective_on=effective_on or (ACT_DAY if contract.start_date >= ACT_START else PCR_DAY),
        value_change=Decimal(value),
        ground=ground,
        scope="Service desk open until 22:00.",
        decision=decision,
        by=by,
    )
    if state in ("approved", "effective"):
        estate.change_approve(change=change, by=delegated_officer() if decision is None else by)
    if state == "effective":
        estate.change_make_effective(change=change, by=by)
    change.refresh_from_db()
    return change


def termination(contract, *, by, on=date(2019, 3, 31), reason="expiry", state="effective"):
    change = estate.change_propose(
        contract=contract,
        kind="termination",
        reason="The service moves to the new towers.",
        effective_on=on,
        termination_date=on,
        termination_reason=reason,
        by=by,
    )
    if state in ("approved", "effective"):
        estate.change_approve(change=change, by=by)
    if state == "effective":
        estate.change_make_effective(change=change, by=by)
    change.refresh_from_db()
    return change


def published(notice, *, checker, publisher):
    services.notice_check(notice=notice, by=checker)
    return services.notice_publish(notice=notice, by=publisher)
