"""Values no other part of Pegasus can read are refused on the procurement pages, on their field, and nothing is
kept: the service applies the shared bounds, whichever way the values come in."""

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.roles import Role
from pegasus.procurement import services
from pegasus.procurement.models import Procurement
from tests.forms import assert_refused_on

pytestmark = pytest.mark.django_db


def procurement_post(contract, overrides: dict) -> dict:
    return {
        "reference": "P-10",
        "title": "Networks",
        "starts_on": "2025-03-03",
        "route": "open",
        "replaces": [contract.pk],
        "annual_value": "500000",
        "value_vat_basis": "net",
        "term_months": "36",
        "extension_months": "12",
        "authority_kind": "sub-central",
        "contract_type": "services",
        **overrides,
    }


HOSTILE = [
    ("starts_on", "9999-12-31"),
    ("starts_on", "0001-01-01"),
    ("annual_value", "99999999999999"),
    ("term_months", "32767"),
    ("extension_months", "32767"),
    ("title", "Net\x07works"),
    ("reference", "P\x1b-10"),
    ("description", "Wide area\x0c network"),
    ("description", "x" * 20_001),
]
IDS = [f"{field}-{n}" for n, (field, _) in enumerate(HOSTILE)]


@pytest.mark.parametrize(("field", "value"), HOSTILE, ids=IDS)
def test_creating_refuses_on_the_field(signed_in, contract, field, value):
    client, _ = signed_in(Role.COMMERCIAL_OFFICER)
    response = client.post("/procurements/new/", procurement_post(contract, {field: value}))
    assert_refused_on(response, field)
    assert not Procurement.objects.exists()


@pytest.mark.parametrize(("field", "value"), HOSTILE, ids=IDS)
def test_editing_refuses_on_the_field_and_keeps_the_procurement(signed_in, contract, make_procurement, field, value):
    procurement = make_procurement()
    stages = list(procurement.stages.values_list("kind", "days"))
    client, _ = signed_in(Role.COMMERCIAL_OFFICER)
    response = client.post(
        f"/procurements/{procurement.pk}/edit/", procurement_post(contract, {"reference": "PROC-1", field: value})
    )
    assert_refused_on(response, field)
    kept = Procurement.objects.get(pk=procurement.pk)
    assert (kept.reference, kept.title, kept.starts_on, kept.annual_value, kept.term_months, kept.route) == (
        procurement.reference,
        procurement.title,
        procurement.starts_on,
        procurement.annual_value,
        procurement.term_months,
        procurement.route,
    )
    assert list(kept.stages.values_list("kind", "days")) == stages


def test_a_stage_longer_than_the_page_allows_is_refused_by_the_service(make_procurement):
    procurement = make_procurement()
    tender = procurement.stages.get(kind="tender-period")
    with pytest.raises(ValidationError) as refused:
        services.stage_duration_set(stage=tender, days=32_767, by=None)
    assert list(refused.value.message_dict) == ["days"]
    tender.refresh_from_db()
    assert tender.days != 32_767
