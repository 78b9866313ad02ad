"""Column generation for the lot-structure problem: a lower bound from the set-partitioning relaxation, and the best
lot structure made of the lots it has met (price-and-branch).

A lot structure is a choice of lots (a set of units and the supplier that wins them) that covers every unit once.
Each lot's cost is its own: the lot's fixed cost, its winner's prices, less the interfaces inside it (the interfaces
cut are all interfaces less those inside lots). The limits are rows over lots: at most `max_lots`, at most
`max_lots_per_supplier` for each supplier, each supplier's spend at most `max_supplier_share` of the total. So the
problem is a set partitioning over every possible lot, and its linear relaxation, solved over the lots met so far
(the master) with the missing ones priced in as needed (column generation), bounds the optimum from below far more
tightly than the solver's relaxation of the assignment model: at 200 x 20 it equals the optimum, where CP-SAT's bound
stays 1.6% below it after 60 s.

Pricing is exact. For a winner s and dual prices, a lot's reduced cost is a constant less
sum(dual value of each unit) - sum(weight of the interfaces inside it), each unit's value being its dual less s's
price (scaled by the share row's duals). Every lot lies within the units s prices together with `need - 1` other
suppliers, and the best lot within such a set is a maximum-weight closure (units and the interfaces between them,
an interface counting only if both its units are in), one minimum cut per connected part. Kept-apart pairs are
branched on. A Lagrangian bound holds at any dual prices, so the bound is valid before the relaxation converges, and
dual prices are smoothed towards the best bound's so that it converges in tens rather than hundreds of rounds.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable

from ortools.graph.python import max_flow
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from pegasus.sourcing.optimiser.compiled import Awards, Compiled

_K = 1000  # the max-flow's units: a thousandth of the problem's scaled unit
_SMOOTHING = 0.7  # dual prices priced at: this much of the best bound's, the rest of the master's
_LOTS_PER_ROUND = 5  # new lots per winner and round, the best first
_MAX_CANDIDATES = 50_000  # unit sets (winner and fellow bidders) above which there is no column generation
_TOLERANCE = 1e-3  # scaled units the floating-point bound is lowered by before it is rounded up
# Solving the relaxation takes tens of rounds (79-94 at 200 x 20, about 100 at 500 x 100). A round that takes
# longer than the time given over this many says the relaxation will not be solved in it: the time is better spent
# otherwise (at 500 x 100 with a minute in all, a round takes 2-3 s of the 10 s given).
_ROUNDS = 20


class ColumnGeneration:
    """The set-partitioning relaxation of one compiled problem, over a pool of lots that grows.

    `add_solution` puts a solution's lots in the pool; `run` prices lots in until the relaxation is solved or the
    time is up, raising `bound` (a lower bound on the objective, scaled, or None); `master` returns the best lot
    structure made of pool lots. Only whole problems (no other lots fixed).
    """

    def __init__(self, c: Compiled):
        assert c.slot_cap is None, "column generation works on the whole problem"
        self.c = c
        self.n_units = len(c.units)
        self.units_of = [frozenset(units) for units in c.supplier_units()]
        self.adjacent = c.neighbours()
        self.apart = c.kept_apart()
        self.reach = [sum(others.values()) for others in self.adjacent]
        self.lots_cap = c.max_lots or self.n_units
        self.per_supplier_cap = min(c.max_per_supplier or self.n_units, self.lots_cap)
        self.shared = c.share is not None and c.share < 1
        # interfaces cut = all interfaces (and those cut in any case) - those inside lots
        self.constant = c.fixed_handoff + sum(c.edges.values())
        self.pool: dict[tuple[frozenset[int], int], tuple[int, int]] = {}  # (units, winner) -> (cost, spend)
        self.bound: int | None = None
        self.converged = False
        self._columns: list[tuple[frozenset[int], int]] = []  # pool lots in the master, in its column order
        self._candidates: list[list[frozenset[int]]] | None = None
        self._center: tuple | None = None
        self._best = -math.inf
        self._lp = self._master_lp()

    # ----------------------------------------------------------------------------------------------------------
    # the pool

    def add(self, units: Iterable[int], s: int) -> bool:
        key = (frozenset(units), s)
        if key in self.pool:
            return False
        price = self.c.unit_price
        spend = sum(price[u][s] for u in key[0])
        inside = sum(w for u in key[0] for v, w in self.adjacent[u].items() if v in key[0]) // 2
        self.pool[key] = (self.c.lot_cost + spend - inside, spend)
        return True

    def add_solution(self, awards: Awards) -> None:
        for units, s in awards:
            self.add(units, s)

    # ----------------------------------------------------------------------------------------------------------
    # the relaxation

    def _master_lp(self) -> dict:
        solver = pywraplp.Solver.CreateSolver("GLOP")
        infinity = solver.infinity()
        lp = {
            "solver": solver,
            "cover": [solver.Constraint(1, 1) for _ in range(self.n_units)],
            "lots": solver.Constraint(-infinity, self.lots_cap) if self.c.max_lots is not None else None,
            "per": (
                [solver.Constraint(-infinity, self.per_supplier_cap) for _ in range(self.c.n_suppliers)]
                if self.c.max_per_supplier is not None
                else None
            ),
            "total": None,
            "share": None,
        }
        if self.shared:
            assert self.c.share is not None
            total = solver.NumVar(0, infinity, "total")
            lp["total"] = solver.Constraint(0, 0)  # total - sum(spend) = 0
            lp["total"].SetCoefficient(total, 1)
            lp["share"] = [solver.Constraint(-infinity, 0) for _ in range(self.c.n_suppliers)]
            for row in lp["share"]:  # spend of s - share * total <= 0
                row.SetCoefficient(total, -float(self.c.share))
        solver.Objective().SetMinimization()
        return lp

    def _extend_master(self) -> None:
        lp = self._lp
        solver = lp["solver"]
        scale = self.c.scale
        for key in list(self.pool)[len(self._columns) :]:
            units, s = key
            cost, spend = self.pool[key]
            x = solver.NumVar(0, solver.infinity(), "")
            solver.Objective().SetCoefficient(x, cost / scale)
            for u in units:
                lp["cover"][u].SetCoefficient(x, 1)
            if lp["lots"] is not None:
                lp["lots"].SetCoefficient(x, 1)
            if lp["per"] is not None:
                lp["per"][s].SetCoefficient(x, 1)
            if lp["total"] is not None:
                lp["total"].SetCoefficient(x, -spend / scale)
                lp["share"][s].SetCoefficient(x, spend / scale)
            self._columns.append(key)

    def _solve_master(self, deadline: float) -> bool:
        """Solve the master with the pool's new lots added; once more from scratch should GLOP, reoptimising,
        stop short of an optimum (it does, rarely, on a long run)."""
        for attempt in range(2):
            if attempt:
                self._lp, self._columns = self._master_lp(), []
            self._extend_master()
            solver = self._lp["solver"]
            solver.SetTimeLimit(max(1, int((deadline - time.perf_counter()) * 1000)))
            if solver.Solve() == pywraplp.Solver.OPTIMAL:
                return True
        return False

    def _duals(self) -> tuple[float, tuple]:
        """The master's value and its dual prices, in scaled units, the inequality rows' kept at or below 0."""
        lp = self._lp
        scale = self.c.scale
        m = self.c.n_suppliers
        cover = [row.dual_value() * scale for row in lp["cover"]]
        lots = min(0.0, lp["lots"].dual_value() * scale) if lp["lots"] is not None else 0.0
        per = [min(0.0, row.dual_value() * scale) for row in lp["per"]] if lp["per"] is not None else [0.0] * m
        total = lp["total"].dual_value() if lp["total"] is not None else 0.0
        share = [min(0.0, row.dual_value()) for row in lp["share"]] if lp["share"] is not None else [0.0] * m
        return lp["solver"].Objective().Value() * scale, (cover, lots, per, total, share)

    def _lagrangian(self, duals: tuple, cheapest: list[float]) -> float:
        """A lower bound on the objective at any dual prices, from each winner's cheapest reduced cost."""
        cover, lots, per, total, share = duals
        value = sum(cover) + lots * self.lots_cap + sum(per) * self.per_supplier_cap
        value += max(self.per_supplier_cap * sum(cheapest), self.lots_cap * min(cheapest))
        if self.shared:
            assert self.c.share is not None
            total_reduced = -total + float(self.c.share) * sum(share)  # the total's own reduced cost
            most = sum(max(prices.values()) for prices in self.c.unit_price)
            value += min(0.0, total_reduced) * most
        return value + self.constant

    def candidates(self) -> list[list[frozenset[int]]] | None:
        """For each winner, the largest unit sets it prices together with `need - 1` other suppliers (every lot it
        may win lies within one), or None when there are too many to price."""
        if self._candidates is not None:
            return self._candidates
        m, need = self.c.n_suppliers, self.c.need
        out: list[list[frozenset[int]]] = []
        count = 0
        for s in range(m):
            level = {self.units_of[s]}
            for _ in range(need - 1):
                level = {q & self.units_of[t] for q in level for t in range(m) if t != s} - {frozenset()}
                if len(level) > _MAX_CANDIDATES:
                    return None
            if need > 2:  # a set met twice through one supplier has fewer bidders than it seems
                level = {q for q in level if sum(1 for t in range(m) if q <= self.units_of[t]) >= need}
            largest = [q for q in level if not any(q < other for other in level)]
            count += len(largest)
            if count > _MAX_CANDIDATES:
                return None
            out.append(largest)
        self._candidates = out
        return out

    def _closure(self, part: list[int], value: dict[int, int]) -> tuple[int, list[int]]:
        """The best subset of a connected part: max sum(value) + _K * weight of interfaces inside, by a minimum cut."""
        index = {u: i for i, u in enumerate(part)}
        edges = [(u, v, w * _K) for u in part for v, w in self.adjacent[u].items() if v in index and u < v]
        source, sink = len(part) + len(edges), len(part) + len(edges) + 1
        flow = max_flow.SimpleMaxFlow()
        flow.add_arc_with_capacity(source, sink, 0)  # both ends exist even when nothing costs
        gain = sum(max(0, value[u]) for u in part) + sum(w for _, _, w in edges)
        for u in part:
            if value[u] > 0:
                flow.add_arc_with_capacity(source, index[u], value[u])
            elif value[u] < 0:
                flow.add_arc_with_capacity(index[u], sink, -value[u])
        for k, (u, v, w) in enumerate(edges):
            node = len(part) + k  # the interface, worth w if both its units are taken
            flow.add_arc_with_capacity(source, node, w)
            flow.add_arc_with_capacity(node, index[u], gain + 1)
            flow.add_arc_with_capacity(node, index[v], gain + 1)
        status = flow.solve(source, sink)
        assert status == flow.OPTIMAL, status
        taken = set(flow.get_source_side_min_cut())
        return gain - flow.optimal_flow(), [u for u in part if index[u] in taken]

    def _best_within(self, allowed: frozenset[int], value: dict[int, int]) -> tuple[int, list[int]]:
        """The best lot within `allowed` (value, units), ignoring kept-apart pairs: connected part by part."""
        seen: set[int] = set()
        total, chosen = 0, []
        for root in allowed:
            if root in seen:
                continue
            part = [root]
            seen.add(root)
            for u in part:
                for v in self.adjacent[u]:
                    if v in allowed and v not in seen:
                        seen.add(v)
                        part.append(v)
            if len(part) == 1:
                gained, units = value[root], [root]
            else:
                gained, units = self._closure(part, value)
            if gained > 0:
                total += gained
                chosen.extend(units)
        return total, chosen

    def _best_apart(self, allowed: frozenset[int], value: dict[int, int]) -> tuple[int, list[int]]:
        gained, units = self._best_within(allowed, value)
        taken = set(units)
        for u in units:
            for v in self.apart[u]:
                if v in taken:  # branch: without u, or without v
                    return max(self._best_apart(allowed - {u}, value), self._best_apart(allowed - {v}, value))
        return gained, units

    def _price(self, duals: tuple) -> tuple[list[float], list[tuple[float, tuple[int, ...], int]]]:
        """Each winner's cheapest reduced cost at these dual prices, and its best few lots that cost less than 0."""
        cover, lots, per, total, share = duals
        price = self.c.unit_price
        candidates = self.candidates()
        assert candidates is not None
        cheapest: list[float] = []
        found: list[tuple[float, tuple[int, ...], int]] = []
        for s in range(self.c.n_suppliers):
            factor = 1 + total - share[s]
            # rounded up, so that a lot's reduced cost is never overstated and the bound stays a bound
            value = {u: math.ceil(_K * (cover[u] - price[u][s] * factor)) for u in self.units_of[s]}
            useful = frozenset(u for u in self.units_of[s] if value[u] + _K * self.reach[u] > 0)
            base = self.c.lot_cost - lots - per[s]
            best, mine = 0.0, []
            seen: set[frozenset[int]] = set()
            for within in candidates[s]:
                allowed = within & useful
                if not allowed or allowed in seen:
                    continue
                seen.add(allowed)
                gained, units = self._best_apart(allowed, value)
                if gained <= 0:
                    continue
                reduced = base - gained / _K
                best = min(best, reduced)
                if reduced < -1e-6:
                    mine.append((reduced, tuple(sorted(units)), s))
            cheapest.append(best)
            mine.sort()
            found.extend(mine[:_LOTS_PER_ROUND])
        return cheapest, found

    def run(self, deadline: float, stop: threading.Event | None = None, *, give_up: bool = True) -> None:
        """Price lots in until the relaxation is solved, the deadline passes or `stop` is set, or (with `give_up`)
        a round takes so long that it would not be solved by the deadline."""
        if self.converged or self.candidates() is None:
            return
        round_started = time.perf_counter()
        longest = (deadline - round_started) / _ROUNDS if give_up else math.inf
        while (now := time.perf_counter()) < deadline and not (stop is not None and stop.is_set()):
            if now - round_started > longest:
                return
            round_started = now
            if not self._solve_master(deadline):
                return
            value, at_master = self._duals()
            value += self.constant
            # price at the smoothed dual prices; when they find nothing, closer to the master's, then at them
            weight = _SMOOTHING if self._center is not None else 0.0
            while True:
                duals = at_master if weight < 0.05 else _blend(self._center, at_master, weight)
                cheapest, found = self._price(duals)
                bound = self._lagrangian(duals, cheapest)
                if bound > self._best:
                    self._best, self._center = bound, duals
                    self._raise_bound(bound)
                added = sum(1 for _, units, s in found if self.add(units, s))
                if added or duals is at_master:
                    break
                weight = weight * weight if weight >= 0.05 else 0.0
            if not added or self._best >= value - _TOLERANCE:  # the relaxation is solved
                self.converged = True
                if not added:  # no lot costs less than 0: the master's value is the relaxation's
                    self._raise_bound(value)
                return

    def _raise_bound(self, value: float) -> None:
        """Take a floating-point lower bound, rounded up to the integer objective after the tolerance."""
        rounded = math.ceil(value - _TOLERANCE)
        self.bound = rounded if self.bound is None else max(self.bound, rounded)

    # ----------------------------------------------------------------------------------------------------------
    # price-and-branch

    def master(self, seconds: float, hint: Awards | None = None, seed: int = 0) -> Awards | None:
        """The best lot structure made of pool lots found within `seconds` (CP-SAT, one worker), or None."""
        c = self.c
        model = cp_model.CpModel()
        keys = list(self.pool)
        take = [model.new_bool_var(f"lot{j}") for j in range(len(keys))]
        covering: list[list[int]] = [[] for _ in range(self.n_units)]
        by_winner: dict[int, list[int]] = {}
        for j, (units, s) in enumerate(keys):
            for u in units:
                covering[u].append(j)
            by_winner.setdefault(s, []).append(j)
        for lots in covering:
            model.add_exactly_one(take[j] for j in lots)
        if c.max_lots is not None:
            model.add(sum(take) <= c.max_lots)
        if c.max_per_supplier is not None:
            for lots in by_winner.values():
                model.add(sum(take[j] for j in lots) <= c.max_per_supplier)
        if self.shared:
            assert c.share is not None
            total = sum(self.pool[key][1] * take[j] for j, key in enumerate(keys))
            for lots in by_winner.values():
                spend = sum(self.pool[keys[j]][1] * take[j] for j in lots)
                model.add(c.share.denominator * spend <= c.share.numerator * total)
        model.minimize(sum(self.pool[key][0] * take[j] for j, key in enumerate(keys)))
        if hint is not None:
            chosen = {(frozenset(units), s) for units, s in hint}
            for j, key in enumerate(keys):
                model.add_hint(take[j], key in chosen)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return [(sorted(keys[j][0]), keys[j][1]) for j in range(len(keys)) if solver.boolean_value(take[j])]


def _blend(center: tuple | None, at_master: tuple, weight: float) -> tuple:
    assert center is not None

    def mix(a, b):
        if isinstance(a, list):
            return [weight * x + (1 - weight) * y for x, y in zip(a, b, strict=True)]
        return weight * a + (1 - weight) * b

    return tuple(mix(a, b) for a, b in zip(center, at_master, strict=True))
