"""Values no other part of Pegasus can read are refused on the scenario pages, on their field, and nothing is kept:
the sourcing services apply the shared bounds, whichever way the values come in."""

import pytest

from pegasus.core.roles import Role
from pegasus.sourcing.demo import sourcing_demo_load
from pegasus.sourcing.models import OptimisationRun, Scenario
from tests.forms import assert_refused_on
from tests.sourcing.test_scenarios import BASELINE

pytestmark = pytest.mark.django_db

HOSTILE = [
    ("name", "All\x1b[2J separate"),
    ("description", "Every tower\x07 on its own"),
    ("lot_fixed_cost", "99999999999999"),
]
IDS = [f"{field}-{n}" for n, (field, _) in enumerate(HOSTILE)]


@pytest.fixture
def scenarios(demo):
    sourcing_demo_load(optimise=False)
    return {s.name: s for s in Scenario.objects.all()}


@pytest.mark.parametrize(("field", "value"), HOSTILE, ids=IDS)
def test_a_hand_made_scenario_is_refused_on_the_field(scenarios, signed_in, field, value):
    client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
    form = client.get("/scenarios/new/").context["form"]
    data = {"name": "All separate", "lot_fixed_cost": "750000", "handoff_cost_per_ticket": "100"}
    data["min_bidders_per_lot"] = "2"
    suppliers = {c: Scenario.objects.get(name=BASELINE).lots.get(towers__code=c).supplier_id for c in form.codes}
    for n, code in enumerate(form.codes, start=1):
        data[f"lot_{code}"] = str(n)
        data[f"supplier_{n}"] = str(suppliers[code])
    before = Scenario.objects.count()
    response = client.post("/scenarios/new/", {**data, field: value})
    assert_refused_on(response, field)
    assert Scenario.objects.count() == before


@pytest.mark.parametrize(("field", "value"), HOSTILE, ids=IDS)
def test_an_optimised_scenario_is_refused_on_the_field(scenarios, signed_in, field, value):
    client, _ = signed_in(Role.COMMERCIAL_OFFICER)
    data = {
        "name": "Optimised",
        "lot_fixed_cost": "750000",
        "handoff_cost_per_ticket": "100",
        "min_bidders_per_lot": "2",
        "time_limit": "5",
    }
    before = Scenario.objects.count()
    response = client.post("/scenarios/optimise/", {**data, field: value})
    assert_refused_on(response, field)
    assert Scenario.objects.count() == before and not OptimisationRun.objects.exists()


@pytest.mark.parametrize(("field", "value"), [h for h in HOSTILE if h[0] != "description"])
def test_a_baseline_is_refused_on_the_field(scenarios, signed_in, field, value):
    client, _ = signed_in(Role.COMMERCIAL_OFFICER)
    data = {"name": "Baseline 9", "lot_fixed_cost": "750000", "handoff_cost_per_ticket": "100"}
    data["min_bidders_per_lot"] = "2"
    before = Scenario.objects.count()
    response = client.post("/scenarios/baseline/", {**data, field: value})
    assert_refused_on(response, field)
    assert Scenario.objects.count() == before
