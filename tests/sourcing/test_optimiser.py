"""The lot-structure optimiser: input checking, infeasibility reasons, and optimality against exhaustive enumeration."""

import itertools
import json
import random
import threading
import time
from decimal import Decimal
from pathlib import Path

import hypothesis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegasus.sourcing import optimiser
from pegasus.sourcing.baselines import lot_structure_plain
from pegasus.sourcing.optimiser.annealing import anneal
from pegasus.sourcing.optimiser.compiled import Incumbent
from pegasus.sourcing.optimiser.greedy import greedy_awards
from pegasus.sourcing.optimiser.neighbourhoods import resolve
from pegasus.sourcing.optimiser.search import improve

EXAMPLE = Path(__file__).parent / "example.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text())


def solve(data: dict, time_limit: float = 10.0) -> optimiser.LotStructureResult:
    return optimiser.lot_structure_optimise(optimiser.problem_from_json(data), time_limit=time_limit)


def pairs(result: optimiser.LotStructureResult) -> list[tuple[tuple[str, ...], str]]:
    return [(lot.services, lot.supplier) for lot in result.lots]


# ---------------------------------------------------------------------------------------------------------------
# Exhaustive enumeration, written apart from the engine: every set partition, every award


def set_partitions(items: list[str]):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in set_partitions(rest):
        yield [[first], *partition]
        for n in range(len(partition)):
            yield [*partition[:n], [first, *partition[n]], *partition[n + 1 :]]


def brute_force(data: dict) -> Decimal | None:
    """The optimum by enumeration, or None when nothing meets every constraint."""
    services = [s["id"] for s in data["services"]]
    prices = {s["id"]: {k: Decimal(str(v)) for k, v in s["prices"].items()} for s in data["suppliers"]}
    fixed = Decimal(str(data["lot_fixed_cost"]))
    interfaces = [(i["a"], i["b"], Decimal(str(i["weight"]))) for i in data["interfaces"]]
    need = data["min_bidders_per_lot"]
    max_lots = data.get("max_lots")
    per_supplier = data.get("max_lots_per_supplier")
    share = Decimal(str(data["max_supplier_share"])) if data.get("max_supplier_share") is not None else None
    best: Decimal | None = None
    for partition in set_partitions(services):
        if max_lots is not None and len(partition) > max_lots:
            continue
        lot_of = {s: n for n, lot in enumerate(partition) for s in lot}
        if any(lot_of[a] == lot_of[b] for a, b in data.get("must_separate") or []):
            continue
        if any(lot_of[a] != lot_of[b] for a, b in data.get("must_bundle") or []):
            continue
        capable = [[s for s, p in prices.items() if all(x in p for x in lot)] for lot in partition]
        if any(len(c) < max(need, 1) for c in capable):
            continue
        handoff = sum((w for a, b, w in interfaces if lot_of[a] != lot_of[b]), Decimal(0))
        lot_prices = [{s: sum(prices[s][x] for x in lot) for s in c} for lot, c in zip(partition, capable, strict=True)]
        floor = fixed * len(partition) + handoff + sum(min(p.values()) for p in lot_prices)
        if best is not None and floor >= best:
            continue  # even the cheapest award of this partition is no better
        if per_supplier is None and share is None:
            best = floor
            continue
        for award in itertools.product(*capable):
            if per_supplier is not None and any(award.count(s) > per_supplier for s in set(award)):
                continue
            spend = {s: Decimal(0) for s in prices}
            for p, s in zip(lot_prices, award, strict=True):
                spend[s] += p[s]
            total = sum(spend.values(), Decimal(0))
            if share is not None and any(v > share * total for v in spend.values()):
                continue
            cost = fixed * len(partition) + total + handoff
            if best is None or cost < best:
                best = cost
    return best


def independent_cost(data: dict, lots: list[tuple[tuple[str, ...], str]]) -> Decimal:
    prices = {s["id"]: s["prices"] for s in data["suppliers"]}
    lot_of = {s: n for n, (services, _) in enumerate(lots) for s in services}
    cost = Decimal(str(data["lot_fixed_cost"])) * len(lots)
    cost += sum((Decimal(str(prices[w][s])) for services, w in lots for s in services), Decimal(0))
    cost += sum((Decimal(str(i["weight"])) for i in data["interfaces"] if lot_of[i["a"]] != lot_of[i["b"]]), Decimal(0))
    return cost


@st.composite
def instances(draw, max_services: int, max_suppliers: int, optional: bool = True) -> dict:
    n = draw(st.integers(1, max_services))
    services = [f"s{i}" for i in range(n)]
    money = st.integers(0, 80).map(lambda q: q / 4)  # quarters: exercises the exact decimal scaling
    suppliers = []
    for k in range(draw(st.integers(1, max_suppliers))):
        priced = [s for s in services if draw(st.integers(0, 3))] or [draw(st.sampled_from(services))]
        suppliers.append({"id": f"p{k}", "prices": {s: draw(money) for s in priced}})
    all_pairs = list(itertools.combinations(services, 2))
    interfaces = []
    if all_pairs:
        for a, b in draw(st.lists(st.sampled_from(all_pairs), unique=True, max_size=2 * n)):
            interfaces.append({"a": a, "b": b, "weight": draw(st.integers(0, 20)) / 2})
    data: dict = {
        "services": [{"id": s, "name": s.upper()} for s in services],
        "suppliers": suppliers,
        "interfaces": interfaces,
        "lot_fixed_cost": draw(st.integers(0, 12)) / 2,
        "min_bidders_per_lot": draw(st.integers(0, 3)),
    }
    if optional:
        data["max_lots"] = draw(st.none() | st.integers(1, n + 1))
        data["max_lots_per_supplier"] = draw(st.none() | st.integers(1, 3))
        data["max_supplier_share"] = draw(st.none() | st.sampled_from([0.3, 0.5, 0.6, 0.75, 0.9, 1]))
        if all_pairs:
            data["must_separate"] = [
                list(p) for p in draw(st.lists(st.sampled_from(all_pairs), unique=True, max_size=2))
            ]
            data["must_bundle"] = [list(p) for p in draw(st.lists(st.sampled_from(all_pairs), unique=True, max_size=2))]
    return data


def assert_agrees_with_enumeration(data: dict) -> None:
    expected = brute_force(data)
    result = solve(data)
    problem = optimiser.problem_from_json(data)
    if expected is None:
        assert result.status == optimiser.SolveStatus.INFEASIBLE
        assert result.reasons
        assert result.lots == ()
        return
    assert result.status == optimiser.SolveStatus.OPTIMAL, result.reasons
    assert optimiser.lot_structure_violations(problem, pairs(result)) == []
    assert abs(result.objective - expected) <= Decimal("1e-6")
    assert result.objective == independent_cost(data, pairs(result)) == result.best_bound
    assert result.handoff_cost == optimiser.lot_structure_cost(problem, pairs(result)).handoff
    for lot in result.lots:
        assert lot.bidders >= data["min_bidders_per_lot"]


class TestAgainstEnumeration:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(instances(max_services=6, max_suppliers=4))
    def test_optimum_and_feasibility_match_on_tiny_instances(self, data):
        """Up to 6 services and 4 suppliers, every optional constraint drawn at random."""
        assert_agrees_with_enumeration(data)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(instances(max_services=8, max_suppliers=5))
    def test_optimum_and_feasibility_match_up_to_8_services_and_5_suppliers(self, data):
        """The acceptance's size: up to 8 services and 5 suppliers."""
        assert_agrees_with_enumeration(data)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(instances(max_services=6, max_suppliers=4))
    def test_greedy_and_plain_solutions_meet_every_constraint(self, data):
        """The benchmark's baselines: whatever they return is valid, and never better than the optimum."""
        expected = brute_force(data)
        problem = optimiser.problem_from_json(data)
        for result in (optimiser.lot_structure_greedy(problem), lot_structure_plain(problem, time_limit=10)):
            if result.status in (optimiser.SolveStatus.OPTIMAL, optimiser.SolveStatus.FEASIBLE):
                assert optimiser.lot_structure_violations(problem, pairs(result)) == []
                assert expected is not None and result.objective >= expected
                assert result.objective == independent_cost(data, pairs(result))
            if result.status == optimiser.SolveStatus.OPTIMAL:
                assert result.objective == expected
            if expected is None:
                assert result.status in (optimiser.SolveStatus.INFEASIBLE, optimiser.SolveStatus.UNKNOWN)


# ---------------------------------------------------------------------------------------------------------------


def compiled(data: dict) -> tuple[optimiser.LotProblem, optimiser.Compiled, optimiser.Awards | None]:
    """The problem, its integer form and the greedy solution (None where greedy gets stuck)."""
    problem = optimiser.problem_from_json(data)
    c = optimiser.compile_problem(problem)
    return problem, c, greedy_awards(c)


def estate(n_services: int, n_suppliers: int, seed: int) -> dict:
    """A seeded estate with every optional constraint: specialists by tower, a few generalists, interfaces mostly
    inside towers; big enough for the optimiser to search neighbourhoods beside the whole-problem solver."""
    rng = random.Random(seed)
    towers = 5
    services = [f"t{i % towers}-{i:02d}" for i in range(n_services)]
    base = {s: rng.randint(20, 80) / 4 for s in services}
    suppliers = []
    for k in range(n_suppliers):
        home = k % towers
        prices = {}
        for s in services:
            own = s.startswith(f"t{home}-")
            if (own and rng.random() < 0.85) or (k >= n_suppliers - 2 and rng.random() < 0.6):
                prices[s] = base[s] * (rng.randint(85, 110) if own else rng.randint(100, 125)) / 100
        suppliers.append({"id": f"p{k}", "prices": prices})
    for s in services:  # at least two prices each
        for sup in rng.sample(suppliers, len(suppliers)):
            if sum(s in other["prices"] for other in suppliers) >= 2:
                break
            sup["prices"].setdefault(s, base[s] * 1.2)
    interfaces = {}
    for s in services:
        mates = [t for t in services if t != s and t[:2] == s[:2]]
        t = rng.choice(mates)
        interfaces[min(s, t), max(s, t)] = rng.randint(1, 6) / 2
    return {
        "services": [{"id": s, "name": s} for s in services],
        "suppliers": suppliers,
        "interfaces": [{"a": a, "b": b, "weight": w} for (a, b), w in sorted(interfaces.items())],
        "lot_fixed_cost": 1.5,
        "min_bidders_per_lot": 2,
        "max_lots": n_services // 2,
        "max_lots_per_supplier": 3,
        "max_supplier_share": 0.4,
        "must_separate": [[services[0], services[1]]],
        "must_bundle": [],
    }


class TestNeighbourhoodSearch:
    """Lots re-solved a few at a time with the rest fixed: each part keeps every constraint of the whole."""

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=instances(max_services=8, max_suppliers=5), picks=st.lists(st.booleans(), min_size=8, max_size=8))
    @hypothesis.example(  # unlimited lots a supplier: a winner with a kept lot may still win the part's
        data={
            "services": [{"id": f"s{i}", "name": f"S{i}"} for i in range(3)],
            "suppliers": [
                {"id": "p0", "prices": {"s0": 0.0}},
                {"id": "p1", "prices": {"s0": 0.0, "s2": 0.25}},
                {"id": "p2", "prices": {"s1": 0.0, "s2": 0.0}},
                {"id": "p3", "prices": {"s1": 0.0}},
            ],
            "interfaces": [],
            "lot_fixed_cost": 0.0,
            "min_bidders_per_lot": 2,
        },
        picks=[False, False, True, False, False, False, False, False],
    )
    def test_a_part_re_solved_keeps_every_constraint_and_the_whole_re_solved_is_optimal(self, data, picks):
        problem, c, greedy = compiled(data)
        if greedy is None:
            return
        greedy_value = optimiser.awards_value(c, greedy)
        destroy = {n for n in range(len(greedy)) if picks[n % len(picks)]} or {0}

        # when a part is re-solved with the others fixed
        found, optimal = resolve(c, greedy, destroy, seconds=10, winners_per_unit=len(data["suppliers"]))

        # then the whole still meets every constraint, and is no worse
        assert optimal and found is not None
        lots = optimiser.awards_to_lots(c, found)
        assert optimiser.lot_structure_violations(problem, [(lot.services, lot.supplier) for lot in lots]) == []
        assert optimiser.awards_value(c, found) <= greedy_value

        # when every lot is re-solved, the part is the whole problem: its optimum is the enumeration's
        everything, optimal = resolve(c, greedy, set(range(len(greedy))), 10, winners_per_unit=len(c.problem.suppliers))
        assert optimal and everything is not None
        assert Decimal(optimiser.awards_value(c, everything)) / c.scale == brute_force(data)

    def test_the_search_improves_on_greedy_and_keeps_every_constraint(self):
        data = estate(60, 10, seed=3)
        problem, c, greedy = compiled(data)
        assert greedy is not None
        incumbent = Incumbent(c, greedy, None)

        # when
        improve(c, incumbent, time.perf_counter() + 5, threading.Event())

        # then
        assert incumbent.value < optimiser.awards_value(c, greedy)
        lots = optimiser.awards_to_lots(c, incumbent.awards)
        assert optimiser.lot_structure_violations(problem, [(lot.services, lot.supplier) for lot in lots]) == []

    def test_with_the_whole_problem_solver_the_best_of_both_is_returned(self):
        data = estate(60, 10, seed=4)
        problem = optimiser.problem_from_json(data)
        seen: list[Decimal] = []

        # when
        result = optimiser.lot_structure_optimise(
            problem, time_limit=8, on_improvement=lambda cost, _: seen.append(cost)
        )

        # then
        assert result.status in (optimiser.SolveStatus.OPTIMAL, optimiser.SolveStatus.FEASIBLE)
        assert optimiser.lot_structure_violations(problem, pairs(result)) == []
        assert result.objective == independent_cost(data, pairs(result)) == seen[-1]
        assert seen == sorted(seen, reverse=True) and len(set(seen)) == len(seen)
        assert result.objective < optimiser.lot_structure_greedy(problem).objective
        assert result.best_bound is not None and result.best_bound <= result.objective


class TestTheIssueExample:
    def test_optimum(self):
        """SIAM, networks and telephony to A (the bundle kept whole); end-user computing and data centres to C."""
        result = solve(example())
        assert result.status == optimiser.SolveStatus.OPTIMAL
        assert result.lots == (
            optimiser.Lot(("siam", "net", "tel"), "a", Decimal("52.5"), 2),
            optimiser.Lot(("euc", "dc"), "c", Decimal("60"), 2),
        )
        assert (result.objective, result.best_bound, result.handoff_cost) == (
            Decimal("118"),
            Decimal("118"),
            Decimal("1.5"),
        )
        assert result.objective == brute_force(example())

    def test_greedy_meets_every_constraint(self):
        problem = optimiser.problem_from_json(example())
        greedy = optimiser.lot_structure_greedy(problem)
        assert greedy.status == optimiser.SolveStatus.FEASIBLE
        assert optimiser.lot_structure_violations(problem, pairs(greedy)) == []
        assert greedy.objective >= solve(example()).objective

    def test_without_a_warm_start_the_optimum_is_the_same(self):
        problem = optimiser.problem_from_json(example())
        assert optimiser.lot_structure_optimise(problem, warm_start=False, time_limit=10).objective == Decimal("118")

    def test_the_plain_formulation_finds_the_same_optimum(self):
        result = lot_structure_plain(optimiser.problem_from_json(example()), time_limit=10)
        assert (result.status, result.objective) == (optimiser.SolveStatus.OPTIMAL, Decimal("118"))

    def test_amounts_are_exact_decimals(self):
        """0.1 + 0.2 is 0.3, not 0.30000000000000004."""
        data = {
            "services": [{"id": "x"}, {"id": "y"}],
            "suppliers": [{"id": "a", "prices": {"x": 0.1, "y": 0.2}}],
            "interfaces": [],
            "lot_fixed_cost": 0,
            "min_bidders_per_lot": 1,
        }
        assert solve(data).objective == Decimal("0.3")

    def test_progress_reports_each_improvement(self):
        seen = []
        optimiser.lot_structure_optimise(
            optimiser.problem_from_json(example()), time_limit=10, on_improvement=lambda cost, t: seen.append(cost)
        )
        assert seen and seen[-1] == Decimal("118")


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda d: d["suppliers"][2]["prices"].update(net=-1), "suppliers[2].prices.net: negative price"),
            (lambda d: d["suppliers"][0]["prices"].update(mobile=3), "suppliers[0].prices.mobile: unknown service id"),
            (lambda d: d.pop("lot_fixed_cost"), "lot_fixed_cost: missing"),
            (lambda d: d.pop("interfaces"), "interfaces: missing"),
            (lambda d: d["suppliers"][1].pop("prices"), "suppliers[1].prices: missing"),
            (lambda d: d["interfaces"][1].update(b="printers"), "interfaces[1].b: unknown service id"),
            (lambda d: d["interfaces"][0].update(weight="4"), "interfaces[0].weight: expected a number"),
            (lambda d: d["must_bundle"].append(["net", "nope"]), "must_bundle[1][1]: unknown service id"),
            (lambda d: d["must_separate"].append(["net"]), "must_separate[1]: expected a pair of two different"),
            (lambda d: d.update(max_supplier_share=1.5), "max_supplier_share: expected a share above 0"),
            (lambda d: d.update(min_bidders_per_lot=1.5), "min_bidders_per_lot: expected a whole number"),
            (lambda d: d.update(max_lots=0), "max_lots: expected at least 1"),
            (lambda d: d.update(lot_fixed_cost=True), "lot_fixed_cost: expected a number"),
            (lambda d: d.update(max_lot=3), "max_lot: unknown key"),
            (lambda d: d["services"].append({"id": "net"}), "services[5].id: duplicate id 'net'"),
            (lambda d: d.update(services=[]), "services: at least one service is needed"),
            (lambda d: d.update(suppliers={}), "suppliers: expected a list"),
        ],
    )
    def test_the_error_names_the_field(self, change, message):
        data = example()
        change(data)
        with pytest.raises(optimiser.ProblemInputError) as raised:
            optimiser.problem_from_json(data)
        assert str(raised.value).startswith(message)

    def test_optional_keys_may_be_left_out(self):
        data = example()
        for key in optimiser.OPTIONAL_KEYS:
            data.pop(key)
        result = solve(data)
        assert result.status == optimiser.SolveStatus.OPTIMAL
        assert result.objective == brute_force(data)


class TestInfeasibleReasons:
    def minimal(self, **changes) -> dict:
        data = {
            "services": [{"id": "siam"}, {"id": "net"}, {"id": "tel"}],
            "suppliers": [
                {"id": "a", "prices": {"siam": 1, "net": 1, "tel": 1}},
                {"id": "b", "prices": {"siam": 1, "net": 1}},
                {"id": "c", "prices": {"tel": 1}},
            ],
            "interfaces": [],
            "lot_fixed_cost": 1,
            "min_bidders_per_lot": 2,
        }
        data.update(changes)
        return data

    def test_a_service_priced_by_too_few_suppliers(self):
        result = solve(self.minimal(min_bidders_per_lot=3))
        assert result.status == optimiser.SolveStatus.INFEASIBLE
        assert "service 'siam' is priced by 2 supplier(s) (a, b); every lot needs at least 3 bidders" in result.reasons

    def test_a_service_nobody_prices(self):
        data = self.minimal()
        data["services"].append({"id": "euc"})
        assert "no supplier prices service 'euc'" in solve(data).reasons

    def test_a_bundle_too_few_suppliers_price_together(self):
        result = solve(self.minimal(must_bundle=[["net", "tel"]]))
        assert result.status == optimiser.SolveStatus.INFEASIBLE
        assert result.reasons[0].startswith(
            "services net, tel must be bundled in one lot, but only 1 supplier(s) price all of them (a)"
        )

    def test_a_separation_inside_a_chain_of_bundles(self):
        data = self.minimal(must_bundle=[["siam", "net"], ["net", "tel"]], must_separate=[["siam", "tel"]])
        data["suppliers"][1]["prices"]["tel"] = 1
        result = solve(data)
        assert result.status == optimiser.SolveStatus.INFEASIBLE
        assert result.reasons == (
            "'siam' and 'tel' must be in different lots but are bundled together (must_bundle: siam-net, net-tel)",
        )

    def test_too_few_lots_for_the_separations(self):
        data = self.minimal(min_bidders_per_lot=1, max_lots=2, must_separate=[["siam", "net"], ["net", "tel"]])
        data["must_separate"].append(["siam", "tel"])
        result = solve(data)
        assert result.status == optimiser.SolveStatus.INFEASIBLE
        assert result.reasons[0].startswith("3 services can never share a lot")
        assert result.reasons[0].endswith("max_lots is 2")

    def test_a_share_no_split_can_meet(self):
        data = self.minimal(min_bidders_per_lot=1, max_supplier_share=0.2)
        assert solve(data).reasons[0].startswith("max_supplier_share 0.2 is below 1/3")

    def test_a_combination_only_the_solver_finds_names_what_to_relax(self):
        """A share of 50% cannot be met with these prices; each constraint alone could be."""
        data = {
            "services": [{"id": "x"}, {"id": "y"}],
            "suppliers": [{"id": "a", "prices": {"x": 10, "y": 1}}, {"id": "b", "prices": {"x": 10, "y": 1}}],
            "interfaces": [],
            "lot_fixed_cost": 0,
            "min_bidders_per_lot": 1,
            "max_supplier_share": 0.5,
        }
        result = solve(data)
        assert result.status == optimiser.SolveStatus.INFEASIBLE
        assert result.reasons == (
            "no lot structure meets every constraint together; relaxing any one of these alone would give one: "
            "max_supplier_share (0.5)",
        )


class TestChecker:
    def test_names_every_broken_constraint(self):
        problem = optimiser.problem_from_json(example())
        lots = [(("siam", "net", "euc"), "a"), (("tel",), "b"), (("tel",), "d"), (("dc",), "z")]
        assert optimiser.lot_structure_violations(problem, lots) == [
            "lot 1 has 1 bidder(s), fewer than 2",
            "service 'tel' is in more than one lot",
            "lot 3: 'd' does not price 'tel'",
            "lot 4 is awarded to an unknown supplier 'z'",
            "service 'dc' is in no lot",
            "'siam' and 'euc' must be in different lots",
            "'net' and 'tel' must be in the same lot",
        ]

    def test_lots_and_lots_per_supplier(self):
        data = example()
        data.update(max_lots=2, max_lots_per_supplier=1, max_supplier_share=None)
        problem = optimiser.problem_from_json(data)
        lots = [(("siam",), "a"), (("net", "tel"), "a"), (("euc", "dc"), "c")]
        assert optimiser.lot_structure_violations(problem, lots) == [
            "3 lots, more than 2",
            "'a' wins 2 lots, more than 1",
        ]

    def test_share_is_checked_against_the_total(self):
        problem = optimiser.problem_from_json(example())
        lots = [(("siam", "net", "tel"), "a"), (("euc",), "a"), (("dc",), "b")]
        assert optimiser.lot_structure_violations(problem, lots) == ["'a' takes 92.5 of 112.5, more than 0.6"]


class TestAnnealing:
    """Single units moved, lots re-awarded, swapped and merged: every step keeps every constraint of the whole."""

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=instances(max_services=8, max_suppliers=5), seed=st.integers(0, 1000))
    def test_what_it_returns_keeps_every_constraint_and_beats_where_it_started(self, data, seed):
        problem, c, greedy = compiled(data)
        if greedy is None:
            return

        # when
        found = anneal(c, greedy, 0.05, random.Random(seed))

        # then
        if found is not None:
            lots = optimiser.awards_to_lots(c, found)
            assert optimiser.lot_structure_violations(problem, [(lot.services, lot.supplier) for lot in lots]) == []
            assert optimiser.awards_value(c, found) < optimiser.awards_value(c, greedy)
            assert Decimal(optimiser.awards_value(c, found)) / c.scale >= brute_force(data)

    def test_it_improves_on_greedy_in_an_estate_of_sixty_services(self):
        data = estate(60, 10, seed=3)
        problem, c, greedy = compiled(data)
        assert greedy is not None

        # when
        found = anneal(c, greedy, 1.0, random.Random(1))

        # then
        assert found is not None
        lots = optimiser.awards_to_lots(c, found)
        assert optimiser.lot_structure_violations(problem, [(lot.services, lot.supplier) for lot in lots]) == []
        assert optimiser.awards_value(c, found) < optimiser.awards_value(c, greedy)
        assert independent_cost(data, [(lot.services, lot.supplier) for lot in lots]) == (
            Decimal(optimiser.awards_value(c, found)) / c.scale
        )

    def test_a_cheaper_award_that_would_push_another_supplier_over_its_share_is_refused(self):
        """Re-awarding s1 to B saves 1 but lowers the total to 9, of which X's 5 would be more than half."""
        data = {
            "services": [{"id": "s0", "name": "S0"}, {"id": "s1", "name": "S1"}],
            "suppliers": [
                {"id": "x", "prices": {"s0": 5}},
                {"id": "y", "prices": {"s0": 6}},
                {"id": "a", "prices": {"s1": 5}},
                {"id": "b", "prices": {"s1": 4}},
            ],
            "interfaces": [],
            "lot_fixed_cost": 0,
            "min_bidders_per_lot": 2,
            "max_supplier_share": 0.5,
        }
        problem = optimiser.problem_from_json(data)
        c = optimiser.compile_problem(problem)
        only_solution = [([0], 0), ([1], 2)]
        assert brute_force(data) == Decimal(optimiser.awards_value(c, only_solution)) / c.scale == 10

        assert anneal(c, only_solution, 0.2, random.Random(0)) is None
