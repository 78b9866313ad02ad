"""The sourcing API: scenarios with their policy, lots, figures and latest optimisation, for the authority's staff
only (supplier users are refused, as the scenario pages refuse them: scenarios set market prices side by side)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.roles import Role
from pegasus.sourcing import selectors, services
from pegasus.sourcing.demo import BASELINE, POLICY, SIAM_PLUS_TOWERS, sourcing_demo_load
from pegasus.sourcing.models import OptimisationRun, Scenario

pytestmark = pytest.mark.django_db

STAFF = [r for r in Role if r != Role.SUPPLIER_USER]


@pytest.fixture
def scenarios(demo):
    sourcing_demo_load(optimise=False)
    return {s.name: s for s in Scenario.objects.all()}


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_lists_the_scenarios_with_their_cost(scenarios, api_as, role):
    # given
    api, _ = api_as(role)
    expected = {v.scenario.name: v for v in selectors.scenario_views(selectors.scenario_list())}

    # when
    body = api.get("/scenarios").json()

    # then
    assert body["count"] == 2 and [s["name"] for s in body["items"]] == [BASELINE, SIAM_PLUS_TOWERS]
    baseline = body["items"][0]
    assert (baseline["kind"], baseline["status"], baseline["chosen"]) == ("baseline", "ready", False)
    assert baseline["lot_count"] == 9 and baseline["vat_basis"] == "net"
    assert baseline["cost_a_year"] == f"{expected[BASELINE].figures.total:.2f}"
    assert baseline["marking"] == "OFFICIAL-SENSITIVE [COMMERCIAL]"


def test_a_supplier_user_is_refused_every_scenario(scenarios, api_as):
    api, _ = api_as(Role.SUPPLIER_USER, supplier=scenarios[BASELINE].lots.first().supplier)
    assert api.get("/scenarios").status_code == 403
    assert api.get(f"/scenarios/{scenarios[BASELINE].pk}").status_code == 403
    assert api.get("/scenarios/999999").status_code == 403  # refused before anything is looked up


def test_a_scenario_with_its_policy_lots_and_figures(scenarios, api_as):
    # given
    api, _ = api_as(Role.PROGRAMME_DIRECTOR)
    scenario = scenarios[SIAM_PLUS_TOWERS]
    figures = selectors.scenario_view(scenario).figures

    # when
    body = api.get(f"/scenarios/{scenario.pk}").json()

    # then
    assert body["name"] == SIAM_PLUS_TOWERS and body["run"] is None
    assert body["policy"]["lot_fixed_cost"] == f"{scenario.lot_fixed_cost:.2f}"
    assert body["policy"]["min_bidders_per_lot"] == POLICY["min_bidders_per_lot"]
    assert body["figures"]["total"] == f"{figures.total:.2f}" == body["cost_a_year"]
    assert (body["figures"]["lots"], body["figures"]["hhi"]) == (6, figures.hhi)
    first = scenario.lots.order_by("position").first()
    lot = body["lots"][0]
    assert (lot["position"], lot["supplier"]["name"], lot["price"]) == (1, first.supplier.name, f"{first.price:.2f}")
    assert [t["code"] for t in lot["towers"]] == [t.code for t in first.towers.order_by("position")]


def test_an_optimised_scenario_shows_its_bound_and_gap(scenarios, api_as):
    # given: an optimisation that found 10m a year and proved nothing cheaper than 9m
    api, _ = api_as(Role.COMMERCIAL_OFFICER)
    scenario = scenarios[SIAM_PLUS_TOWERS]
    OptimisationRun.objects.create(
        scenario=scenario,
        status=OptimisationRun.Status.FINISHED,
        solver_status="FEASIBLE",
        best_objective=Decimal("10000000"),
        best_bound=Decimal("9000000"),
        improvements=3,
    )

    # when
    run = api.get(f"/scenarios/{scenario.pk}").json()["run"]

    # then
    assert (run["status"], run["solver_status"], run["improvements"]) == ("finished", "FEASIBLE", 3)
    assert (run["best_objective"], run["best_bound"], run["gap_percent"]) == ("10000000.00", "9000000.00", "10.00")


def test_a_missing_scenario_is_not_found(scenarios, api_as):
    api, _ = api_as(Role.AUDITOR)
    assert api.get("/scenarios/999999").status_code == 404


def test_the_list_takes_a_fixed_number_of_queries(scenarios, api_as):
    api, _ = api_as(Role.COMMERCIAL_OFFICER)
    api.get("/scenarios")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as two:
        api.get("/scenarios")
    services.scenario_baseline_create(name="Another baseline", by=None, **POLICY)

    with CaptureQueriesContext(connection) as three:
        assert api.get("/scenarios").json()["count"] == 3

    assert len(three) == len(two)
