"""The problem in integers, with bundles merged into units: what the greedy method, annealing, the neighbourhoods, the
CP-SAT model and column generation all work on, and the complete solutions (awards) they exchange.

Services that must be bundled are merged first into *units* (union-find), so bundles cost no constraints and the
interfaces inside a bundle disappear; interfaces between units are summed. An interface whose ends can never share a
lot (kept apart, or too few common bidders) is a constant (`fixed_handoff`). Amounts are integer multiples of
`1 / scale` (pennies for amounts with two decimals). Infeasibility that shows before any search is proven here
(`reasons`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from pegasus.sourcing.optimiser.problem import Lot, LotProblem, problem_scale

_CLIQUE_STARTS = 30  # units, the most conflicting first, from which a large set of pairwise conflicting units is grown

Awards = list[tuple[list[int], int]]  # a complete solution: each lot's units and the supplier that wins it


@dataclass
class Compiled:
    """One problem in integers: its units, each unit's scaled prices, the interfaces that count, and the limits."""

    problem: LotProblem
    scale: int
    units: list[tuple[int, ...]]  # service indices, ascending; units ordered by their first service
    unit_price: list[dict[int, int]]  # unit -> {supplier index: scaled price} for suppliers pricing all of it
    edges: dict[tuple[int, int], int]  # (u, v), u < v -> scaled weight, only pairs that can share a lot
    fixed_handoff: int  # scaled weight of interfaces that are cut in every solution
    separate: set[tuple[int, int]]  # unit pairs u < v kept apart
    lot_cost: int
    need: int  # fewest bidders per lot (at least 1: the winner)
    max_lots: int | None
    max_per_supplier: int | None
    share: Fraction | None
    reasons: list[str] = field(default_factory=list)
    # a part of a larger problem whose other lots are fixed: the slots they leave each supplier, their spend
    slot_cap: dict[int, int] | None = None
    spend_offset: dict[int, int] = field(default_factory=dict)
    total_offset: int = 0

    @property
    def n_suppliers(self) -> int:
        return len(self.problem.suppliers)

    def supplier_units(self) -> list[list[int]]:
        units: list[list[int]] = [[] for _ in range(self.n_suppliers)]
        for u, prices in enumerate(self.unit_price):
            for s in prices:
                units[s].append(u)
        return units

    def neighbours(self) -> list[dict[int, int]]:
        """Each unit's interfaces to the units it may share a lot with: {other unit: scaled weight}."""
        adjacent: list[dict[int, int]] = [{} for _ in self.units]
        for (u, v), weight in self.edges.items():
            adjacent[u][v] = weight
            adjacent[v][u] = weight
        return adjacent

    def kept_apart(self) -> list[set[int]]:
        """Each unit's units that must not share its lot."""
        apart: list[set[int]] = [set() for _ in self.units]
        for u, v in self.separate:
            apart[u].add(v)
            apart[v].add(u)
        return apart

    def can_share(self, u: int, v: int) -> bool:
        key = (u, v) if u < v else (v, u)
        if key in self.separate:
            return False
        return len(self.unit_price[u].keys() & self.unit_price[v].keys()) >= self.need

    def slots(self, s: int, n_units: int) -> int:
        limit = n_units
        for cap in (self.max_per_supplier, self.max_lots):
            if cap is not None:
                limit = min(limit, cap)
        if self.slot_cap is not None:
            limit = min(limit, self.slot_cap.get(s, limit))
        return limit


def _names(problem: LotProblem, services: Iterable[int]) -> str:
    return ", ".join(problem.services[i].id for i in services)


def compile_problem(problem: LotProblem) -> Compiled:
    scale = problem_scale(problem)
    index = {s.id: n for n, s in enumerate(problem.services)}
    n_services = len(problem.services)
    need = max(problem.min_bidders_per_lot, 1)
    reasons: list[str] = []

    parent = list(range(n_services))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in problem.must_bundle:
        ra, rb = find(index[a]), find(index[b])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n_services):
        groups.setdefault(find(i), []).append(i)
    units = [tuple(g) for _, g in sorted(groups.items())]
    unit_of = [0] * n_services
    for u, members in enumerate(units):
        for i in members:
            unit_of[i] = u

    scaled = [{index[k]: int(v * scale) for k, v in s.prices.items()} for s in problem.suppliers]
    capable = [[s for s in range(len(scaled)) if i in scaled[s]] for i in range(n_services)]
    for i, suppliers in enumerate(capable):
        if len(suppliers) < need:
            sid = problem.services[i].id
            if not suppliers:
                reasons.append(f"no supplier prices service {sid!r}")
            else:
                who = ", ".join(problem.suppliers[s].id for s in suppliers)
                reasons.append(
                    f"service {sid!r} is priced by {len(suppliers)} supplier(s) ({who}); every lot needs at least "
                    f"{problem.min_bidders_per_lot} bidders"
                )
    unit_price: list[dict[int, int]] = []
    for members in units:
        common = set.intersection(*(set(capable[i]) for i in members))
        unit_price.append({s: sum(scaled[s][i] for i in members) for s in sorted(common)})
        if len(members) > 1 and len(common) < need and all(len(capable[i]) >= need for i in members):
            who = ", ".join(problem.suppliers[s].id for s in sorted(common)) or "none"
            reasons.append(
                f"services {_names(problem, members)} must be bundled in one lot, but only {len(common)} supplier(s) "
                f"price all of them ({who}); every lot needs at least {max(need, 1)}"
                + (" bidders" if problem.min_bidders_per_lot > 1 else " supplier to deliver it")
            )

    separate: set[tuple[int, int]] = set()
    for a, b in problem.must_separate:
        u, v = unit_of[index[a]], unit_of[index[b]]
        if u == v:
            chain = [f"{x}-{y}" for x, y in problem.must_bundle if unit_of[index[x]] == u]
            reasons.append(
                f"{a!r} and {b!r} must be in different lots but are bundled together (must_bundle: {', '.join(chain)})"
            )
        else:
            separate.add((min(u, v), max(u, v)))

    edges: dict[tuple[int, int], int] = {}
    fixed = 0
    for interface in problem.interfaces:
        u, v = unit_of[index[interface.a]], unit_of[index[interface.b]]
        weight = int(interface.weight * scale)
        if u == v or weight == 0:
            continue
        key = (min(u, v), max(u, v))
        if key in separate or len(unit_price[u].keys() & unit_price[v].keys()) < need:
            fixed += weight
        else:
            edges[key] = edges.get(key, 0) + weight

    share = Fraction(problem.max_supplier_share) if problem.max_supplier_share is not None else None
    compiled = Compiled(
        problem=problem,
        scale=scale,
        units=units,
        unit_price=unit_price,
        edges=edges,
        fixed_handoff=fixed,
        separate=separate,
        lot_cost=int(problem.lot_fixed_cost * scale),
        need=need,
        max_lots=problem.max_lots,
        max_per_supplier=problem.max_lots_per_supplier,
        share=share,
        reasons=reasons,
    )
    if not reasons:
        reasons.extend(_structural_reasons(compiled))
    return compiled


def _structural_reasons(c: Compiled) -> list[str]:
    """Proofs of infeasibility from the lot limits: units that pairwise cannot share a lot, and the share cap."""
    problem = c.problem
    reasons: list[str] = []
    n = len(c.units)
    if c.max_lots is not None or c.max_per_supplier is not None:
        conflicts = [set() for _ in range(n)]  # type: list[set[int]]
        for u in range(n):
            for v in range(u + 1, n):
                if not c.can_share(u, v):
                    conflicts[u].add(v)
                    conflicts[v].add(u)
        clique = _greedy_clique(conflicts)
        services = [c.units[u][0] for u in clique]
        if c.max_lots is not None and len(clique) > c.max_lots:
            reasons.append(
                f"{len(clique)} services can never share a lot (kept apart, or too few suppliers price them "
                f"together): {_names(problem, services)}; max_lots is {c.max_lots}"
            )
        if c.max_per_supplier is not None:
            suppliers = set().union(*(c.unit_price[u].keys() for u in clique)) if clique else set()
            if len(suppliers) * c.max_per_supplier < len(clique):
                reasons.append(
                    f"{len(clique)} services can never share a lot ({_names(problem, services)}) but the "
                    f"{len(suppliers)} supplier(s) that price them may win at most {c.max_per_supplier} lot(s) each"
                )
    if c.share is not None and c.share < 1:
        winners = {s for prices in c.unit_price for s in prices}
        cheapest = sum(min(prices.values()) for prices in c.unit_price if prices)
        if cheapest > 0 and len(winners) * c.share < 1:
            reasons.append(
                f"max_supplier_share {problem.max_supplier_share} is below 1/{len(winners)}: the {len(winners)} "
                f"supplier(s) that price anything cannot share the total between them"
            )
    return reasons


def _greedy_clique(conflicts: list[set[int]]) -> list[int]:
    order = sorted(range(len(conflicts)), key=lambda u: -len(conflicts[u]))
    best: list[int] = []
    for start in order[:_CLIQUE_STARTS]:
        clique = [start]
        candidates = set(conflicts[start])
        while candidates:
            pick = max(candidates, key=lambda u: (len(conflicts[u] & candidates), -u))
            clique.append(pick)
            candidates &= conflicts[pick]
        if len(clique) > len(best):
            best = clique
    return sorted(best)


def awards_value(c: Compiled, awards: Awards) -> int:
    """The scaled objective of a complete solution: lots, winning prices, interfaces cut."""
    lot_of: dict[int, int] = {}
    total = c.fixed_handoff + c.lot_cost * len(awards)
    for n, (units, s) in enumerate(awards):
        for u in units:
            lot_of[u] = n
            total += c.unit_price[u][s]
    return total + sum(w for (u, v), w in c.edges.items() if lot_of[u] != lot_of[v])


def awards_to_lots(c: Compiled, awards: Sequence[tuple[Sequence[int], int]]) -> tuple[Lot, ...]:
    """The lots of a solution in the problem's own terms, ordered by their first service."""
    problem = c.problem
    out = []
    for units, s in awards:
        services = sorted(i for u in units for i in c.units[u])
        supplier = problem.suppliers[s]
        ids = tuple(problem.services[i].id for i in services)
        bidders = sum(1 for other in problem.suppliers if all(sid in other.prices for sid in ids))
        price = sum((supplier.prices[sid] for sid in ids), Decimal(0))
        out.append((services[0], Lot(ids, supplier.id, price, bidders)))
    return tuple(lot for _, lot in sorted(out, key=lambda pair: pair[0]))


class Incumbent:
    """The best complete solution so far, offered by the search and by the whole-problem solver's thread."""

    def __init__(self, c: Compiled, awards: Awards | None, on_better: Callable[[Awards, int], None] | None):
        self.c = c
        self.awards = awards or []
        self.value = awards_value(c, awards) if awards is not None else math.inf
        self.on_better = on_better
        self.lock = threading.Lock()

    def offer(self, awards: Awards) -> bool:
        value = awards_value(self.c, awards)
        with self.lock:
            if value >= self.value:
                return False
            self.awards, self.value = awards, value
        if self.on_better is not None:
            self.on_better(awards, value)
        return True
