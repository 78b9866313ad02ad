"""The performance API: the overview, a supplier's contracts, a contract's scorecard and its KPIs with their
assessment, for every role that reads performance, and a supplier user's own supplier and contracts only."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.roles import Role
from pegasus.estate.demo import SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Contract, Supplier
from pegasus.performance import selectors, services
from pegasus.performance.demo import TARGETS
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

EUC = "MPS-DP-T1-005"
SLA = {"monthly_charge": Decimal("10000.00"), "credit_cap_percent": Decimal("10"), "targets": TARGETS}


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


# --- The overview, a supplier's contracts and a contract's scorecard ---------------------------------------------


def test_the_overview_lists_each_supplier_with_its_rating_credits_and_breaches(performance_demo, api_as):
    # given
    api, user = api_as(Role.AUDITOR)
    upload, rows = selectors.performance_overview(user=user)

    # when
    body = api.get("/performance").json()

    # then
    assert body["dataset"]["upload_id"] == upload.pk and body["dataset"]["name"] == upload.original_name
    assert body["count"] == len(rows) == len(body["items"])
    assert [item["name"] for item in body["items"]] == [row.supplier.name for row in rows]
    first, row = body["items"][0], rows[0]
    assert first["credits_total"] == f"{row.credits_total:.2f}" and first["vat_basis"] == "net"
    assert first["rating"] == row.overall.value and first["open_breached"] == row.open_breached
    assert [c["reference"] for c in first["contracts"]] == [c.contract.reference for c in row.contracts]


def test_the_overview_pages_through_the_suppliers(performance_demo, api_as):
    api, _ = api_as(Role.COMMERCIAL_OFFICER)
    every = api.get("/performance").json()["items"]
    second = api.get("/performance", limit=1, offset=1).json()
    assert (second["count"], second["limit"], second["offset"]) == (len(every), 1, 1)
    assert second["items"] == every[1:2]


def test_a_supplier_user_sees_its_own_supplier_on_the_overview_and_no_other(performance_demo, api_as):
    api, _ = api_as(Role.SUPPLIER_USER, supplier=kestrel())
    other = Contract.objects.exclude(supplier=kestrel()).filter(sla__isnull=False).first()

    body = api.get("/performance").json()

    assert [item["name"] for item in body["items"]] == [kestrel().name]
    assert api.get(f"/performance/suppliers/{kestrel().pk}").status_code == 200
    assert api.get(f"/performance/suppliers/{other.supplier_id}").status_code == 404
    assert api.get(f"/contracts/{other.pk}/performance").status_code == 404


def test_a_suppliers_contracts_with_each_priority_month_and_credit(performance_demo, api_as):
    # given
    api, user = api_as(Role.FINANCE)
    supplier, _, performances = selectors.supplier_performance(user=user, pk=kestrel().pk)
    expected = performances[0]

    # when
    body = api.get(f"/performance/suppliers/{supplier.pk}").json()

    # then
    assert body["name"] == supplier.name and body["dataset"]["dataset"] == "demo"
    assert body["credits_total"] == f"{sum(p.credits_total for p in performances):.2f}"
    contract = body["contracts"][0]
    assert contract["contract"]["reference"] == expected.contract.reference == EUC
    assert (contract["period_start"], contract["period_end"]) == ("2018-05", "2019-04")
    assert contract["rating"] == "Inadequate"
    p1 = contract["priorities"][0]
    kpi = expected.kpis[0]
    assert (p1["priority"], p1["target"], p1["rating"]) == (1, "95.00", kpi.rating.value)
    assert (p1["months_below"], p1["months"], p1["trend"]) == (kpi.months_below, kpi.months, kpi.trend)
    assert p1["attainment"] == pytest.approx(kpi.attainment)
    assert len(contract["results"]) == len(expected.results)
    assert contract["results"][0]["month"] == "2018-05" and contract["results"][0]["target"] == "95.00"
    assert [c["credit"] for c in contract["credits"]] == [c["credit"] for c in expected.credits]
    assert contract["credits_total"] == f"{expected.credits_total:.2f}"


def test_a_contracts_scorecard_and_one_without_an_sla(performance_demo, api_as):
    api, _ = api_as(Role.PROGRAMME_DIRECTOR)
    own = Contract.objects.get(reference=EUC)
    without = ContractFactory()

    scored = api.get(f"/contracts/{own.pk}/performance").json()
    bare = api.get(f"/contracts/{without.pk}/performance").json()

    assert scored["has_sla"] is True and scored["performance"]["contract"]["reference"] == EUC
    assert len(scored["performance"]["priorities"]) == 4
    assert bare == {"dataset": scored["dataset"], "has_sla": False, "performance": None}


def test_before_any_tickets_are_stored_the_dataset_is_null(demo, api_as):
    api, _ = api_as(Role.COMMERCIAL_OFFICER)
    body = api.get("/performance").json()
    assert body["dataset"] is None


def test_a_missing_supplier_or_contract_is_not_found_and_a_roleless_user_refused(performance_demo, api_as):
    api, _ = api_as(Role.AUDITOR)
    nobody, _ = api_as(None, username="nobody")
    assert api.get("/performance/suppliers/999999").status_code == 404
    assert api.get("/contracts/999999/performance").status_code == 404
    assert nobody.get("/performance").status_code == 403
    assert nobody.get(f"/performance/suppliers/{kestrel().pk}").status_code == 403


def test_the_overview_takes_a_fixed_number_of_queries(performance_demo, api_as, django_assert_max_num_queries):
    api, _ = api_as(Role.COMMERCIAL_OFFICER)
    api.get("/performance")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as before:
        api.get("/performance")
    services.sla_save(contract=ContractFactory(), by=None, **SLA)

    with CaptureQueriesContext(connection) as after:
        assert api.get("/performance").status_code == 200

    assert len(after) == len(before)


def test_the_stored_datasets_are_listed_and_any_is_read_on_asking(
    performance_demo, api_as, django_capture_on_commit_callbacks
):
    # given the demo's dataset and a later one-ticket file, which the pages now read
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pegasus.performance.models import TicketUpload

    demo = TicketUpload.objects.get(dataset="demo")
    tickets = "ticket_id,supplier,priority,opened_at,resolved_at\nT1,Nobody,1,2019-03-04T09:00,2019-03-04T10:00\n"
    with django_capture_on_commit_callbacks(execute=True):
        later = services.ticket_upload_create(file=SimpleUploadedFile("t.csv", tickets.encode()), by=None)
    api, _ = api_as(Role.AUDITOR)

    # when
    listed = api.get("/performance/datasets").json()["items"]
    current = api.get("/performance").json()
    asked = api.get(f"/performance?dataset={demo.pk}").json()
    contract = Contract.objects.get(reference=EUC)
    scorecard = api.get(f"/contracts/{contract.pk}/performance?dataset={demo.pk}").json()

    # then
    assert [d["upload_id"] for d in listed] == [later.pk, demo.pk]
    assert current["dataset"]["upload_id"] == later.pk
    assert all(row["rating"] is None for row in current["items"])
    assert asked["dataset"]["upload_id"] == demo.pk
    assert any(Decimal(row["credits_total"]) > 0 for row in asked["items"])
    assert scorecard["dataset"]["upload_id"] == demo.pk and scorecard["performance"]["rating"] == "Inadequate"
    for path in ("/performance", f"/performance/suppliers/{kestrel().pk}", f"/contracts/{contract.pk}/performance"):
        assert api.get(f"{path}?dataset=999999").status_code == 404, path
