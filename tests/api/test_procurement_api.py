"""The procurement API: the pipeline and each procurement with its regime, route, stages, value, notices and schedule
risk, as at a day, for the authority's staff only (supplier users are refused, as the pages refuse them)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.roles import Role
from pegasus.procurement import selectors, services
from pegasus.procurement.models import Procurement
from tests.factories import ContractFactory, OptionFactory

pytestmark = pytest.mark.django_db

STAFF = [r for r in Role if r != Role.SUPPLIER_USER]


@pytest.fixture
def replaced(db):
    """A contract ending 31 March 2021 with a 12-month option still available."""
    contract = ContractFactory(reference="C-REPLACED", start_date=date(2018, 4, 1), initial_end_date=date(2021, 3, 31))
    OptionFactory(contract=contract, sequence=1, length_months=12)
    return contract


@pytest.fixture
def make_procurement(replaced):
    def make(*, contracts=None, **fields):
        values = {
            "reference": "PROC-1",
            "title": "Replacement of the service desk",
            "starts_on": date(2019, 9, 2),
            "route": "open",
            "annual_value": Decimal("1000000.00"),
            "term_months": 36,
            "extension_months": 12,
        } | fields
        return services.procurement_create(contracts=contracts or [replaced], by=None, **values)

    return make


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_reads_the_pipeline(make_procurement, api_as, role):
    # given
    make_procurement()
    api, _ = api_as(role)

    # when
    body = api.get("/procurements", as_at="2019-05-23").json()

    # then
    assert (body["count"], body["as_at"]) == (1, "2019-05-23")
    [item] = body["items"]
    assert (item["reference"], item["regime"], item["route"]) == ("PROC-1", "PCR2015", "open")
    assert item["route_label"] == "Open procedure"
    assert (item["annual_value"], item["vat_basis"]) == ("1000000.00", "net")
    assert item["replaces"][0]["reference"] == "C-REPLACED"
    assert (item["replaces_end"], item["deadline_contract"]) == ("2021-03-31", "C-REPLACED")
    assert item["awarded_contract_id"] is None and item["problems"] == []


def test_a_supplier_user_is_refused_every_procurement(make_procurement, api_as, replaced):
    procurement = make_procurement()
    api, _ = api_as(Role.SUPPLIER_USER, supplier=replaced.supplier)
    assert api.get("/procurements").status_code == 403
    assert api.get(f"/procurements/{procurement.pk}").status_code == 403
    assert api.get("/procurements/999999").status_code == 403  # refused before anything is looked up


def test_a_latest_start_passed_is_flagged(make_procurement, api_as):
    make_procurement(starts_on=date(2020, 6, 1))
    api, _ = api_as(Role.COMMERCIAL_OFFICER)
    [item] = api.get("/procurements", as_at="2020-05-01").json()["items"]
    assert item["flag"]["kind"] == "passed" and item["at_risk"] is True
    assert item["flag"]["text"].startswith("Latest start passed")


def test_a_procurement_with_its_stages_value_notices_and_schedule_risk(make_procurement, api_as):
    # given: requirements actually started on 2 September 2019 and ended on 30 November 2019
    procurement = make_procurement()
    requirements = procurement.stages.get(kind="requirements")
    services.stage_actuals_set(
        stage=requirements, actual_start=date(2019, 9, 2), actual_end=date(2019, 11, 30), by=None
    )
    api, _ = api_as(Role.AUDITOR)
    expected = selectors.schedule_risk_of(Procurement.objects.get(pk=procurement.pk), date(2019, 10, 1))

    # when: read as at 1 October 2019, before the stage had ended
    body = api.get(f"/procurements/{procurement.pk}", as_at="2019-10-01").json()

    # then
    first = body["stages"][0]
    assert (first["kind"], first["name"], first["planned_start"]) == ("requirements", "Requirements", "2019-09-02")
    assert (first["actual_start"], first["actual_end"]) == ("2019-09-02", None)
    assert [s["kind"] for s in body["stages"]] == [
        s.kind for s in procurement.stages.order_by("position") if s.kind in {x["kind"] for x in body["stages"]}
    ]
    assert body["estimated_value"]["amount"] == "4000000.00" and body["estimated_value"]["vat_basis"] == "net"
    assert body["estimated_value"]["steps"]
    assert body["notices"] and all(n["code"] for n in body["notices"])
    assert body["contract_starts_latest"] == "2021-04-01"
    risk = body["schedule_risk"]
    assert (risk["p80"], risk["uncertain"]) == (expected.p80.isoformat(), False)
    assert risk["incumbents"][0]["contract"]["reference"] == "C-REPLACED"
    assert risk["incumbents"][0]["in_time_current"] == pytest.approx(expected.first.in_time_current)
    assert body["tenders"] == [] and body["lot"] is None and body["awarded_contract"] is None


def test_a_missing_procurement_is_not_found_and_a_bad_date_refused(make_procurement, api_as):
    api, _ = api_as(Role.FINANCE)
    assert api.get("/procurements/999999").status_code == 404
    assert api.get("/procurements", as_at="soon").status_code == 422


def test_the_list_takes_a_fixed_number_of_queries(make_procurement, api_as):
    api, _ = api_as(Role.COMMERCIAL_OFFICER)
    make_procurement()
    api.get("/procurements")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        api.get("/procurements")
    for n in range(3):
        make_procurement(reference=f"P-{n}", contracts=[ContractFactory(), ContractFactory()])

    with CaptureQueriesContext(connection) as four:
        assert api.get("/procurements").json()["count"] == 4

    assert len(four) == len(one)
