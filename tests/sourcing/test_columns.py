"""Column generation: its bound never passes the optimum found by enumeration, its lots are lots the problem allows,
and the structure made of them meets every constraint."""

import time
from decimal import Decimal

from hypothesis import HealthCheck, given, settings

from pegasus.sourcing import optimiser
from pegasus.sourcing.optimiser import ColumnGeneration
from tests.sourcing.test_optimiser import brute_force, compiled, estate, example, independent_cost, instances


def converged(c: optimiser.Compiled, start: optimiser.Awards) -> ColumnGeneration:
    pricing = ColumnGeneration(c)
    pricing.add_solution(start)
    pricing.run(time.perf_counter() + 60)
    return pricing


def allowed(c: optimiser.Compiled, units: frozenset[int], s: int) -> bool:
    """Whether the problem allows the lot: its winner prices it, enough suppliers could bid, no pair kept apart."""
    bidders = set.intersection(*(set(c.unit_price[u]) for u in units))
    return s in bidders and len(bidders) >= c.need and not any((u, v) in c.separate for u in units for v in units)


def services_of(c: optimiser.Compiled, awards: optimiser.Awards) -> list[tuple[tuple[str, ...], str]]:
    return [(lot.services, lot.supplier) for lot in optimiser.awards_to_lots(c, awards)]


class TestColumnGeneration:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(instances(max_services=8, max_suppliers=5))
    def test_the_bound_never_passes_the_optimum_and_the_lots_are_allowed(self, data):
        """Up to 8 services and 5 suppliers with every optional constraint (kept-apart pairs, bundles, up to three
        bidders a lot): the relaxation is solved, its bound is at most the optimum, and the best structure of the
        lots it met meets every constraint and costs at least the optimum."""
        problem, c, greedy = compiled(data)
        if greedy is None:
            return  # column generation starts from a solution
        optimum = brute_force(data)
        assert optimum is not None

        # when
        pricing = converged(c, greedy)
        found = pricing.master(10, greedy)

        # then
        assert pricing.converged
        assert pricing.bound is not None and Decimal(pricing.bound) / c.scale <= optimum
        assert all(allowed(c, units, s) for units, s in pricing.pool)
        assert found is not None
        assert optimiser.lot_structure_violations(problem, services_of(c, found)) == []
        assert Decimal(optimiser.awards_value(c, found)) / c.scale >= optimum
        assert optimiser.awards_value(c, found) >= pricing.bound
        assert independent_cost(data, services_of(c, found)) == Decimal(optimiser.awards_value(c, found)) / c.scale

    def test_the_issue_example_is_proven_by_the_relaxation(self):
        """The relaxation of the issue's example has no fractional optimum below the 118 enumeration finds."""
        problem, c, greedy = compiled(example())
        assert greedy is not None

        pricing = converged(c, greedy)

        assert pricing.converged
        assert Decimal(pricing.bound) / c.scale == brute_force(example()) == 118
        assert Decimal(optimiser.awards_value(c, pricing.master(10, greedy))) / c.scale == 118

    def test_a_pair_kept_apart_is_never_one_lot_however_much_it_would_save(self):
        """a and b would save 10 together; kept apart, the optimum is {a, c} and {b} (2 x 1 + 3 x 5 + 10 cut).
        Without branching on the pair, the relaxation would take the lot {a, b, c} and bound 11 below that."""
        data = {
            "services": [{"id": x, "name": x} for x in ("a", "b", "c")],
            "suppliers": [{"id": k, "prices": {"a": 5, "b": 5, "c": 5}} for k in ("x", "y")],
            "interfaces": [{"a": "a", "b": "b", "weight": 10}],
            "lot_fixed_cost": 1,
            "min_bidders_per_lot": 2,
            "must_separate": [["a", "b"]],
        }
        problem, c, greedy = compiled(data)
        assert greedy is not None

        pricing = converged(c, greedy)

        assert brute_force(data) == Decimal(pricing.bound) / c.scale == 27
        assert all(allowed(c, units, s) for units, s in pricing.pool)

    def test_three_bidders_a_lot_are_counted_not_assumed(self):
        """x, y and z price s0 and s1 but only x and y price s2: with three bidders a lot, s2 can never join
        them, though x could deliver all three and an interface rewards s1 with s2."""
        data = {
            "services": [{"id": x, "name": x} for x in ("s0", "s1", "s2")],
            "suppliers": [
                {"id": "x", "prices": {"s0": 4, "s1": 4, "s2": 4}},
                {"id": "y", "prices": {"s0": 5, "s1": 5, "s2": 5}},
                {"id": "z", "prices": {"s0": 5, "s1": 5}},
                {"id": "w", "prices": {"s2": 6}},
            ],
            "interfaces": [{"a": "s1", "b": "s2", "weight": 8}],
            "lot_fixed_cost": 1,
            "min_bidders_per_lot": 3,
        }
        problem, c, greedy = compiled(data)
        assert greedy is not None

        pricing = converged(c, greedy)

        assert all(allowed(c, units, s) for units, s in pricing.pool)
        assert Decimal(pricing.bound) / c.scale == brute_force(data)

    def test_in_an_estate_of_sixty_services_the_bound_is_below_what_the_optimiser_finds(self):
        data = estate(60, 10, seed=3)
        problem, c, greedy = compiled(data)
        assert greedy is not None

        # when
        pricing = converged(c, greedy)
        result = optimiser.lot_structure_optimise(problem, time_limit=20)
        found = pricing.master(10, greedy)

        # then
        assert pricing.converged
        assert Decimal(pricing.bound) / c.scale <= result.objective
        assert result.best_bound >= Decimal(pricing.bound) / c.scale  # the optimiser reports the higher bound
        assert found is not None
        assert optimiser.lot_structure_violations(problem, services_of(c, found)) == []
        assert optimiser.awards_value(c, found) <= optimiser.awards_value(c, greedy)
