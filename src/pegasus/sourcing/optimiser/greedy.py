"""Greedy: a commercial analyst's method, the warm start and the benchmark's baseline.

Every unit to its cheapest supplier, each supplier's units packed first-fit into as few lots as allowed; then the pair
of lots whose merging saves most (a lot's cost and the interfaces between them, less any dearer best price) merged
while any saves, and while there are too many lots the pair that costs least to merge; then the lots awarded, those
with most to lose first, to the cheapest supplier with room under the limits, and the share cap repaired.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from pegasus.sourcing.optimiser.compiled import Awards, Compiled, awards_to_lots, compile_problem
from pegasus.sourcing.optimiser.problem import LotProblem, LotStructureResult, SolveStatus, lot_structure_cost

_ALL_PAIRS_LOTS = 120  # lots up to which every pair is weighed for a merge; above it, only pairs joined by interfaces


@dataclass
class _GreedyLot:
    units: list[int]
    prices: dict[int, int]  # supplier -> scaled price of the whole lot, for every supplier that prices all of it


class _Merger:
    """Merges of greedy lots, with their savings cached by the lots' serial numbers."""

    def __init__(self, c: Compiled):
        self.c = c
        self.adjacent = c.neighbours()
        self.apart = c.kept_apart()
        self.cache: dict[tuple[int, int], tuple[int, _GreedyLot] | None] = {}

    def merged(self, a: _GreedyLot, b: _GreedyLot) -> _GreedyLot | None:
        common = a.prices.keys() & b.prices.keys()
        if len(common) < self.c.need:
            return None
        members = set(b.units)
        if any(self.apart[u] & members for u in a.units):
            return None
        return _GreedyLot(sorted(a.units + b.units), {s: a.prices[s] + b.prices[s] for s in common})

    def gain(self, i: int, a: _GreedyLot, j: int, b: _GreedyLot) -> tuple[int, _GreedyLot] | None:
        """What merging saves: one lot's cost and the interfaces between them, less any dearer best price."""
        key = (i, j) if i < j else (j, i)
        if key not in self.cache:
            merged = self.merged(a, b)
            if merged is None:
                self.cache[key] = None
            else:
                members = set(b.units)
                between = sum(w for u in a.units for v, w in self.adjacent[u].items() if v in members)
                saving = self.c.lot_cost + between + min(a.prices.values()) + min(b.prices.values())
                self.cache[key] = (saving - min(merged.prices.values()), merged)
        return self.cache[key]


def greedy_awards(c: Compiled) -> Awards | None:
    """Lots of units with their winners, meeting every constraint, or None where the greedy method gets stuck."""
    if c.reasons:
        return None
    merger = _Merger(c)
    # 1. every unit to its cheapest supplier; each supplier's units packed first-fit into as few lots as allowed
    by_supplier: dict[int, list[_GreedyLot]] = {}
    for u, prices in enumerate(c.unit_price):
        cheapest = min(prices, key=lambda s: (prices[s], s))
        unit = _GreedyLot([u], dict(prices))
        group = by_supplier.setdefault(cheapest, [])
        for n, lot in enumerate(group):
            packed = merger.merged(lot, unit)
            if packed is not None and cheapest in packed.prices:
                group[n] = packed
                break
        else:
            group.append(unit)
    lots = dict(enumerate(lot for group in by_supplier.values() for lot in group))
    serial = len(lots)

    # 2. merge the pair of lots that saves most (lot cost + interfaces - dearer prices) while any saves;
    # 3. then, while there are too many lots, the pair that costs least to merge
    while True:
        too_many = c.max_lots is not None and len(lots) > c.max_lots
        keys = sorted(lots)
        if too_many or len(lots) <= _ALL_PAIRS_LOTS:
            pairs = {(i, j) for n, i in enumerate(keys) for j in keys[n + 1 :]}
        else:
            where = {u: n for n, lot in lots.items() for u in lot.units}
            pairs = {(min(where[u], where[v]), max(where[u], where[v])) for u, v in c.edges if where[u] != where[v]}
        best: tuple[int, int, int, _GreedyLot] | None = None
        for i, j in sorted(pairs):
            found = merger.gain(i, lots[i], j, lots[j])
            if found is not None and (best is None or found[0] > best[0]):
                best = (found[0], i, j, found[1])
        if best is None or (best[0] <= 0 and not too_many):
            break
        _, i, j, merged = best
        del lots[i], lots[j]
        lots[serial] = merged
        serial += 1
    if c.max_lots is not None and len(lots) > c.max_lots:
        return None

    # 4. award: lots with most to lose first, to the cheapest supplier with room under the limits
    return _award(c, list(lots.values()))


def _award(c: Compiled, lots: list[_GreedyLot]) -> Awards | None:
    cap = c.max_per_supplier if c.max_per_supplier is not None else len(lots)
    estimate = sum(min(lot.prices.values()) for lot in lots)
    limit = c.share * estimate if c.share is not None else math.inf

    def regret(lot: _GreedyLot) -> float:
        prices = sorted(lot.prices.values())
        return prices[1] - prices[0] if len(prices) > 1 else math.inf

    won = [0] * c.n_suppliers
    spend = [0] * c.n_suppliers
    winner: dict[int, int] = {}
    for n in sorted(range(len(lots)), key=lambda n: -regret(lots[n])):
        options = sorted(lots[n].prices, key=lambda s: (lots[n].prices[s], s))
        open_ = [s for s in options if won[s] < cap]
        if not open_:
            return None
        within = [s for s in open_ if spend[s] + lots[n].prices[s] <= limit]
        s = (within or open_)[0]
        winner[n] = s
        won[s] += 1
        spend[s] += lots[n].prices[s]

    # repair the share with the exact total: move the lot that costs least to move off an over-share supplier
    for _ in range(4 * len(lots)):
        if c.share is None:
            break
        total = sum(spend)
        over = [s for s in range(c.n_suppliers) if spend[s] > c.share * total]
        if not over:
            break
        moves = []
        for n, s in winner.items():
            if s not in over:
                continue
            for t, price in lots[n].prices.items():
                if t != s and won[t] < cap:
                    new_total = total - lots[n].prices[s] + price
                    if spend[t] + price <= c.share * new_total:
                        moves.append((price - lots[n].prices[s], n, t))
        if not moves:
            return None
        _, n, t = min(moves)
        s = winner[n]
        won[s] -= 1
        spend[s] -= lots[n].prices[s]
        winner[n] = t
        won[t] += 1
        spend[t] += lots[n].prices[t]
    if c.share is not None and any(spend[s] > c.share * sum(spend) for s in range(c.n_suppliers)):
        return None
    return [(lots[n].units, winner[n]) for n in range(len(lots))]


def lot_structure_greedy(problem: LotProblem) -> LotStructureResult:
    """The greedy method alone: cheapest supplier per service, first-fit packing, paying merges, then repairs."""
    started = time.perf_counter()
    c = compile_problem(problem)
    awards = greedy_awards(c)
    elapsed = time.perf_counter() - started
    if awards is None:
        status = SolveStatus.INFEASIBLE if c.reasons else SolveStatus.UNKNOWN
        reasons = tuple(c.reasons) or ("the greedy method found no lot structure that meets every constraint",)
        return LotStructureResult(status, None, None, (), None, elapsed, reasons)
    lots = awards_to_lots(c, awards)
    cost = lot_structure_cost(problem, [(lot.services, lot.supplier) for lot in lots])
    return LotStructureResult(SolveStatus.FEASIBLE, cost.total, None, lots, cost.handoff, elapsed, (), elapsed)
