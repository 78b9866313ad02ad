"""Values no other part of Pegasus can read are refused on the SLA page, on their field, and nothing is kept: the
performance service applies the shared bounds before it touches the database, whichever way the values come in."""

import pytest

from pegasus.core.roles import Role
from pegasus.estate.models import Contract
from pegasus.performance.models import ServiceLevelAgreement, SlaTarget
from tests.forms import assert_refused_on

pytestmark = pytest.mark.django_db

GOOD = {
    "monthly_charge": "400000",
    "credit_cap_percent": "10",
    "service_days": ["mon", "tue", "wed", "thu", "fri"],
    "service_start": "08:00",
    "service_end": "18:00",
    "exclude_bank_holidays": "on",
    "p1_hours": "4",
    "p1_clock": "24x7",
    "p1_target": "95",
    "p1_credit": "5",
}
HOSTILE = [
    ("monthly_charge", "100000000000000"),
    ("monthly_charge", "1000000000000"),
    ("ticket_service", "Service\x1b[2J desk"),
    ("p1_hours", "10000000000"),
    ("p1_hours", "1000000"),
]
IDS = [f"{field}-{n}" for n, (field, _) in enumerate(HOSTILE)]


@pytest.mark.parametrize(("field", "value"), HOSTILE, ids=IDS)
def test_a_new_sla_is_refused_on_the_field_and_nothing_is_kept(demo, signed_in, field, value):
    client, _ = signed_in(Role.COMMERCIAL_OFFICER)
    contract = Contract.objects.get(reference="MPS-DP-T2-101")
    response = client.post(f"/performance/contracts/{contract.pk}/sla/", {**GOOD, field: value})
    assert_refused_on(response, field)
    assert not ServiceLevelAgreement.objects.filter(contract=contract).exists()


@pytest.mark.parametrize(("field", "value"), HOSTILE, ids=IDS)
def test_a_changed_sla_is_refused_on_the_field_and_the_old_one_kept(demo, signed_in, field, value):
    client, _ = signed_in(Role.COMMERCIAL_OFFICER)
    contract = Contract.objects.get(reference="MPS-DP-T2-101")
    assert client.post(f"/performance/contracts/{contract.pk}/sla/", GOOD).status_code == 302
    response = client.post(f"/performance/contracts/{contract.pk}/sla/", {**GOOD, field: value})
    assert_refused_on(response, field)
    sla = ServiceLevelAgreement.objects.get(contract=contract)
    assert (str(sla.monthly_charge), sla.ticket_service) == ("400000.00", "")
    assert [(t.priority, str(t.resolve_within_hours)) for t in SlaTarget.objects.filter(sla=sla)] == [(1, "4.00")]
