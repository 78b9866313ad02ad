"""The performance API: a contract's KPIs with their assessment, for every role that reads performance, and a
supplier user's own contracts only."""

from decimal import Decimal

import pytest

from pegasus.core.roles import Role
from pegasus.estate.demo import SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Contract, Supplier
from pegasus.performance import selectors, services
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

EUC = "MPS-DP-T1-005"


@pytest.fixture
def performance_demo(demo):
    from pegasus.performance.demo import performance_demo_load

    return performance_demo_load()


def kestrel() -> Supplier:
    return Supplier.objects.get(name=SUPPLIERS[SUPPLIER_USER_WORKS_FOR][0])


def test_a_contracts_kpis_with_their_ratings(performance_demo, api_as):
    # given
    api, _ = api_as(Role.AUDITOR)
    contract = Contract.objects.get(reference=EUC)
    services.kpi_create(contract=contract, name="Customer satisfaction", by=None)

    # when
    response = api.get(f"/contracts/{contract.pk}/kpis")

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["contract_reference"], body["kpis_required"]) == (EUC, True)
    assert (body["period_start"], body["period_end"]) == ("2018-05-01", "2019-04-30")
    first, *_, last = body["kpis"]
    assert first["name"] == "Priority 1 incidents resolved within 4 hours"
    assert (first["sla_priority"], first["rating"], first["target"]) == (1, "Inadequate", "95.00")
    expected = selectors.kpi_assessments(contract).items[0].attainment
    assert first["attainment"] == pytest.approx(expected)
    assert (last["rating"], last["attainment"], last["target"]) == (None, None, None)
    assert last["basis"] == "Not an SLA measure: rate it"


def test_a_supplier_user_reads_their_own_contract_and_no_other(performance_demo, api_as):
    api, _ = api_as(Role.SUPPLIER_USER, supplier=kestrel())
    own = Contract.objects.get(reference=EUC)
    other = Contract.objects.exclude(supplier=kestrel()).filter(sla__isnull=False).first()
    assert len(api.get(f"/contracts/{own.pk}/kpis").json()["kpis"]) == 4
    assert api.get(f"/contracts/{other.pk}/kpis").status_code == 404


def test_a_contract_without_kpis_or_figures(demo, api_as):
    api, _ = api_as(Role.COMMERCIAL_OFFICER)
    contract = ContractFactory(total_value=Decimal("5000000.00"))
    body = api.get(f"/contracts/{contract.pk}/kpis").json()
    assert body["kpis"] == [] and body["kpis_required"] is False and body["period_start"] is None


def test_the_endpoint_takes_a_fixed_number_of_queries(performance_demo, api_as, django_assert_max_num_queries):
    api, _ = api_as(Role.COMMERCIAL_OFFICER)
    contract = Contract.objects.get(reference=EUC)
    for n in range(6):
        services.kpi_create(contract=contract, name=f"Extra {n}", by=None)
    with django_assert_max_num_queries(12):
        assert api.get(f"/contracts/{contract.pk}/kpis").status_code == 200
