"""Scenarios in the application: services, the market-price import, the background run, figures and pages."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.exceptions import ImportRejected, InvalidTransition, RowError
from pegasus.core.models import AuditEvent
from pegasus.core.money import format_millions
from pegasus.core.roles import Role
from pegasus.estate.selectors import UNKNOWN_TOWER
from pegasus.sourcing import services
from pegasus.sourcing.charts import SCENARIOS_SERIES
from pegasus.sourcing.comparison import scenario_figures
from pegasus.sourcing.demo import BASELINE, OPTIMISED, POLICY, SIAM_PLUS_TOWERS, sourcing_demo_load
from pegasus.sourcing.forms import BOTH_TOWERS, SAME_TOWER
from pegasus.sourcing.imports import UNKNOWN_SUPPLIER, market_prices_import
from pegasus.sourcing.models import MarketPrice, OptimisationRun, Scenario
from pegasus.sourcing.optimiser import problem_from_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenarios(demo):
    sourcing_demo_load(optimise=False)
    return {s.name: s for s in Scenario.objects.all()}


class TestFigures:
    def test_a_small_scenario_is_figured_as_worked_by_hand(self):
        """Two suppliers, three services; the figures match a hand calculation."""
        # given
        problem = problem_from_json(
            {
                "services": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"}],
                "suppliers": [
                    {"id": "x", "name": "X", "prices": {"a": 10, "b": 20, "c": 30}},
                    {"id": "y", "name": "Y", "prices": {"a": 12, "c": 25}},
                ],
                "interfaces": [{"a": "a", "b": "b", "weight": 3}, {"a": "b", "b": "c", "weight": 4}],
                "lot_fixed_cost": 5,
                "min_bidders_per_lot": 1,
                "max_lots_per_supplier": 1,
            }
        )
        # when: X wins {a, b}, Y wins {c}
        figures = scenario_figures(problem, [(["a", "b"], "x"), (["c"], "y")])
        # then: 2 lots x 5 + (10 + 20 + 25) + interface b-c (4) cut
        assert figures.total == Decimal(69)
        assert figures.handoff == Decimal(4)
        assert (figures.lots, figures.suppliers, figures.fewest_bidders) == (2, 2, 1)
        # shares 30/55 and 25/55: 54.545..^2 + 45.454..^2 = 5041.3
        assert figures.hhi == 5041
        assert [b.key for b in figures.binding] == ["max_lots_per_supplier"]


class TestServices:
    def test_demo_has_baseline_and_siam_plus_towers_with_figures(self, scenarios):
        baseline = scenarios[BASELINE]
        assert baseline.kind == Scenario.Kind.BASELINE
        assert baseline.lots.count() == 9  # one lot per live contract
        assert scenarios[SIAM_PLUS_TOWERS].lots.count() == 6

    def test_choose_makes_one_scenario_chosen_and_is_audited(self, scenarios, make_user):
        user = make_user(Role.COMMERCIAL_OFFICER)
        services.scenario_choose(scenario=scenarios[BASELINE], by=user)
        services.scenario_choose(scenario=scenarios[SIAM_PLUS_TOWERS], by=user)
        assert list(Scenario.objects.filter(chosen=True).values_list("name", flat=True)) == [SIAM_PLUS_TOWERS]
        assert AuditEvent.objects.filter(action="sourcing.scenario-choose").count() == 2

    def test_choosing_the_chosen_scenario_is_refused(self, scenarios):
        services.scenario_choose(scenario=scenarios[BASELINE], by=None)
        with pytest.raises(InvalidTransition):
            services.scenario_choose(scenario=scenarios[BASELINE], by=None)

    def test_a_lot_its_supplier_has_not_priced_is_refused_and_nothing_saved(self, scenarios):
        before = Scenario.objects.count()
        lots = [(["siam", "networks"], scenarios[BASELINE].lots.first().supplier_id)]
        with pytest.raises(Exception, match="has not priced"):
            services.scenario_create(name="Bad", lots=lots, by=None)
        assert Scenario.objects.count() == before


class TestOptimisationTask:
    def test_an_optimised_scenario_runs_end_to_end(self, scenarios, make_user, django_capture_on_commit_callbacks):
        """The task runs on the immediate backend once the transaction commits, and saves a valid structure."""
        # when
        with django_capture_on_commit_callbacks(execute=True):
            scenario = services.scenario_optimise(
                name="Optimised in a test", time_limit=5, by=make_user(Role.PROGRAMME_DIRECTOR), min_bidders_per_lot=2
            )
        # then
        scenario.refresh_from_db()
        run = OptimisationRun.objects.get(scenario=scenario)
        assert run.status == OptimisationRun.Status.FINISHED
        assert run.solver_status in {"OPTIMAL", "FEASIBLE"}
        assert scenario.status == Scenario.Status.READY
        assert run.best_objective is not None and run.improvements >= 1
        assert scenario.tradeoff
        lots = [lot.towers.count() for lot in scenario.lots.all()]
        assert sum(lots) == 11


class TestImport:
    def test_bad_rows_are_named_and_nothing_is_saved(self, scenarios):
        before = MarketPrice.objects.count()
        data = (
            b"supplier,tower,annual_price\n"
            b"Nobody Ltd,networks,100\n"
            b"Thamesmead Networks plc (illustrative),nowhere,100\n"
            b"Thamesmead Networks plc (illustrative),euc,-5\n"
            b"Thamesmead Networks plc (illustrative),euc,5\n"
        )
        with pytest.raises(ImportRejected) as rejected:
            market_prices_import(filename="prices.csv", data=data, by=None)
        assert rejected.value.errors[0] == RowError(2, "supplier", UNKNOWN_SUPPLIER.format(value="'Nobody Ltd'"))
        assert rejected.value.errors[1] == RowError(3, "tower", UNKNOWN_TOWER.format(value="'nowhere'"))
        assert [(e.line, e.column) for e in rejected.value.errors] == [
            (2, "supplier"),
            (3, "tower"),
            (4, "annual_price"),
        ]
        assert MarketPrice.objects.count() == before

    def test_a_good_file_updates_and_twice_changes_nothing(self, scenarios):
        data = b"supplier,tower,annual_price\nThamesmead Networks plc (illustrative),euc,25000000\n"
        first = market_prices_import(filename="prices.csv", data=data, by=None)
        second = market_prices_import(filename="prices.csv", data=data, by=None)
        assert (first.created, second.unchanged) == (1, 1)


def _chart_data(spec: dict) -> list[dict]:
    """Every data row of a Vega-Lite spec, inline or in its named datasets."""
    rows = [row for values in spec.get("datasets", {}).values() for row in values]
    rows += spec.get("data", {}).get("values", [])
    for layer in spec.get("layer", []):
        rows += _chart_data(layer)
    return rows


class TestPages:
    def test_list_page_query_count_does_not_grow_with_scenarios(self, scenarios, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        with CaptureQueriesContext(connection) as few:
            client.get("/scenarios/")
        services.scenario_baseline_create(name="Another baseline", by=None)
        with CaptureQueriesContext(connection) as more:
            response = client.get("/scenarios/")
        assert response.status_code == 200
        assert len(more) == len(few)

    def test_pages_carry_the_commercial_marking(self, scenarios, signed_in):
        client, _ = signed_in(Role.FINANCE)
        assert b"OFFICIAL-SENSITIVE [COMMERCIAL]" in client.get("/scenarios/compare/").content

    def test_supplier_users_never_see_scenarios(self, scenarios, signed_in):
        client, _ = signed_in(Role.SUPPLIER_USER)
        assert client.get(f"/scenarios/{scenarios[BASELINE].pk}/export.json").status_code == 403

    def test_trade_off_chart_plots_each_scenarios_cost_a_year_from_zero(self, demo, signed_in):
        """The chart's cost is the scenario pages' "Cost a year" (running costs included), on an axis from zero."""
        # given: the demo's three scenarios, the optimised one solved with its trade-off sweep
        sourcing_demo_load()
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        # when
        response = client.get("/scenarios/compare/")
        # then
        chart = response.context["chart"]
        figures = {v.scenario.name: v.figures for v in response.context["views"]}
        assert set(figures) == {BASELINE, SIAM_PLUS_TOWERS, OPTIMISED}
        data = _chart_data(chart.spec)
        plotted = {d["setting"]: d for d in data if d["varied"] == SCENARIOS_SERIES}
        for name, f in figures.items():
            assert Decimal(str(plotted[name]["millions"])) == (f.total / 1_000_000).quantize(Decimal("0.000001"))
            assert plotted[name]["lots"] == f.lots
            assert [name, str(f.lots), format_millions(f.total)] in [[r[1], r[2], r[4]] for r in chart.rows]
        # the sweep's points at the scenario's own policy cost what the optimised scenario costs
        own = [
            d["millions"]
            for d in data
            if (d["vary"], d["value"]) in {("lot_fixed_cost", POLICY["lot_fixed_cost"]), ("min_bidders_per_lot", 2)}
        ]
        assert own == [plotted[OPTIMISED]["millions"]] * 2
        y = [layer["encoding"]["y"] for layer in chart.spec["layer"]]
        assert all(axis["scale"]["zero"] is True for axis in y)
        assert all("Cost a year" in axis["title"] for axis in y)


class TestJourneys:
    def test_a_queued_scenario_shows_progress_that_polls_until_settled(self, scenarios, signed_in):
        """Without the commit hook the run stays queued: the fragment polls; once settled it asks for a full page."""
        client, user = signed_in(Role.COMMERCIAL_OFFICER)
        scenario = services.scenario_optimise(name="Waiting", time_limit=5, by=user)
        fragment = client.get(f"/scenarios/{scenario.pk}/progress/", headers={"HX-Request": "true"})
        assert b"hx-trigger" in fragment.content and "HX-Refresh" not in fragment
        assert b"Refresh to see progress" in client.get(f"/scenarios/{scenario.pk}/").content
        services.optimisation_run_execute(run_id=scenario.runs.get().pk, sweep=False)
        settled = client.get(f"/scenarios/{scenario.pk}/progress/", headers={"HX-Request": "true"})
        assert settled["HX-Refresh"] == "true"
        assert b"hx-trigger" not in settled.content

    def test_a_hand_made_scenario_is_saved_from_the_form(self, scenarios, signed_in):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        form = client.get("/scenarios/new/").context["form"]
        data = {"name": "All separate", "lot_fixed_cost": "750000", "handoff_cost_per_ticket": "100"}
        data["min_bidders_per_lot"] = "2"
        suppliers = {c: Scenario.objects.get(name=BASELINE).lots.get(towers__code=c).supplier_id for c in form.codes}
        for n, code in enumerate(form.codes, start=1):
            data[f"lot_{code}"] = str(n)
            data[f"supplier_{n}"] = str(suppliers[code])
        # every incumbent has quoted for the towers it runs today, so one lot per tower is priced
        response = client.post("/scenarios/new/", data)
        assert response.status_code == 302
        saved = Scenario.objects.get(name="All separate")
        assert (saved.kind, saved.lots.count()) == (Scenario.Kind.MANUAL, len(form.codes))

    def test_the_policy_takes_a_share_as_a_percentage_and_tower_pairs_from_lists(self, scenarios, signed_in):
        """The form asks for 50 (%) and offers the towers by name: the scenario keeps 0.5 and the pairs' codes."""
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        form = client.get("/scenarios/baseline/").context["form"]
        assert [code for code, _ in form["must_separate_1_a"].field.choices[1:]] == form.codes
        data = {"name": "Baseline capped", "lot_fixed_cost": "750000", "handoff_cost_per_ticket": "100"}
        data |= {"min_bidders_per_lot": "2", "max_supplier_share": "50"}
        data |= {"must_separate_1_a": "siam", "must_separate_1_b": "euc", "must_separate_2_a": "euc"}
        data |= {"must_separate_2_b": "siam", "must_bundle_1_a": "networks", "must_bundle_1_b": "telephony"}

        response = client.post("/scenarios/baseline/", data)

        assert response.status_code == 302
        saved = Scenario.objects.get(name="Baseline capped")
        assert saved.max_supplier_share == Decimal("0.5")
        assert (saved.must_separate, saved.must_bundle) == ([["siam", "euc"]], [["networks", "telephony"]])

    @pytest.mark.parametrize(
        ("pair", "field", "message"),
        [
            ({"must_separate_1_a": "siam"}, "must_separate_1_b", BOTH_TOWERS),
            ({"must_bundle_2_b": "euc"}, "must_bundle_2_a", BOTH_TOWERS),
            ({"must_separate_1_a": "euc", "must_separate_1_b": "euc"}, "must_separate_1_b", SAME_TOWER),
        ],
    )
    def test_half_a_pair_or_a_tower_paired_with_itself_is_refused_on_its_list(
        self, scenarios, signed_in, pair, field, message
    ):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        data = {"name": "Baseline paired", "lot_fixed_cost": "750000", "handoff_cost_per_ticket": "100", **pair}
        response = client.post("/scenarios/baseline/", {**data, "min_bidders_per_lot": "2"})
        assert response.context["form"].errors[field] == [message]
        assert not Scenario.objects.filter(name="Baseline paired").exists()

    def test_a_share_above_100_percent_is_refused(self, scenarios, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        data = {"name": "Baseline over", "lot_fixed_cost": "750000", "handoff_cost_per_ticket": "100"}
        response = client.post(
            "/scenarios/baseline/", {**data, "min_bidders_per_lot": "2", "max_supplier_share": "150"}
        )
        assert "max_supplier_share" in response.context["form"].errors

    def test_choosing_from_the_page_is_confirmed_then_recorded(self, scenarios, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        scenario = scenarios[SIAM_PLUS_TOWERS]
        assert b"Choose SIAM plus towers?" in client.get(f"/scenarios/{scenario.pk}/choose/").content
        assert client.post(f"/scenarios/{scenario.pk}/choose/").status_code == 302
        assert Scenario.objects.get(chosen=True) == scenario
        assert client.post(f"/scenarios/{scenario.pk}/choose/").status_code == 409

    def test_exports_carry_the_marking_and_the_optimiser_input(self, scenarios, signed_in):
        import io
        import json

        from openpyxl import load_workbook

        client, _ = signed_in(Role.FINANCE)
        scenario = scenarios[SIAM_PLUS_TOWERS]
        book = load_workbook(io.BytesIO(client.get(f"/scenarios/{scenario.pk}/export.xlsx").content))
        assert book.active["A1"].value == "OFFICIAL-SENSITIVE [COMMERCIAL]"
        data = json.loads(client.get(f"/scenarios/{scenario.pk}/export.json").content)
        assert problem_from_json({k: v for k, v in data.items() if k != "lots"}).min_bidders_per_lot == 2
        assert [lot["services"] for lot in data["lots"]][0] == ["siam"]
