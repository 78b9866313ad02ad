"""Large-neighbourhood search: re-solve a few lots at a time exactly, every other lot fixed.

The lots of a few related suppliers (joined by interfaces, or able to win each other's lots) are re-solved with the
CP-SAT model, the slots, spend and lot count of the fixed lots carried into the part as offsets. Each part is small
enough for CP-SAT to prove its optimum or improve on it within seconds; the size grows while parts are proven and
shrinks while they are not.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import replace

from ortools.sat.python import cp_model

from pegasus.sourcing.optimiser.compiled import Awards, Compiled, Incumbent
from pegasus.sourcing.optimiser.cpsat import build_model

LNS_SECONDS = 1.0  # per neighbourhood
LNS_SECONDS_LARGE = 2.0  # per neighbourhood of a large model
_LNS_START_UNITS = 30  # units re-solved at once, to start with
_LNS_STEP = 5
_LNS_WINNERS_PER_UNIT = 3  # besides the lots' own winners, the cheapest suppliers of each unit may win a part


def neighbourhood_part(
    c: Compiled, awards: Awards, destroy: set[int], winners_per_unit: int = _LNS_WINNERS_PER_UNIT
) -> tuple[Compiled, list[int], Awards, Awards]:
    """The sub-problem of the lots in `destroy` with every other lot fixed: their units, the slots and share the
    fixed lots leave each supplier, and the lots' own interfaces. Winners are the destroyed lots' own and the
    cheapest few for each unit; every supplier still counts as a bidder. Returns it with the units it holds (its
    unit n is `free[n]`), the destroyed lots as its hint, and the fixed lots."""
    free = sorted(u for n in destroy for u in awards[n][0])
    index = {u: n for n, u in enumerate(free)}
    kept = [award for n, award in enumerate(awards) if n not in destroy]
    won: dict[int, int] = {}
    spend: dict[int, int] = {}
    for units, s in kept:
        won[s] = won.get(s, 0) + 1
        spend[s] = spend.get(s, 0) + sum(c.unit_price[u][s] for u in units)
    winners = {awards[n][1] for n in destroy}
    for u in free:
        winners.update(sorted(c.unit_price[u], key=c.unit_price[u].__getitem__)[:winners_per_unit])

    def room(s: int) -> int:  # the slots a winner has left in the part (any number when lots are not limited)
        return len(free) if c.max_per_supplier is None else c.max_per_supplier - won.get(s, 0)

    part = replace(
        c,
        units=[c.units[u] for u in free],
        unit_price=[c.unit_price[u] for u in free],
        edges={(index[u], index[v]): w for (u, v), w in c.edges.items() if u in index and v in index},
        fixed_handoff=0,
        separate={(index[u], index[v]) for u, v in c.separate if u in index and v in index},
        max_lots=None if c.max_lots is None else c.max_lots - len(kept),
        slot_cap={s: room(s) if s in winners else 0 for s in range(c.n_suppliers)},
        spend_offset=spend,
        total_offset=sum(spend.values()),
        reasons=[],
    )
    hint = [([index[u] for u in awards[n][0]], awards[n][1]) for n in destroy]
    return part, free, hint, kept


def neighbourhood(
    c: Compiled, awards: Awards, adjacent: list[dict[int, int]], rng: random.Random, size: int
) -> set[int]:
    """About `size` units' worth of lots that could trade units: from a random lot (or the two ends of a random cut
    interface), lots joined to them by interfaces, every lot of their winners (which frees those winners' slots),
    and, at random, the lots of other suppliers that could win them."""
    lot_of = {u: n for n, (units, _) in enumerate(awards) for u in units}
    lots_of: dict[int, list[int]] = {}
    for n, (_, s) in enumerate(awards):
        lots_of.setdefault(s, []).append(n)
    cut = [(u, v) for u, v in c.edges if lot_of[u] != lot_of[v]]
    if cut and rng.random() < 0.5:
        u, v = rng.choice(cut)
        frontier = [lot_of[u], lot_of[v]]
    else:
        frontier = [rng.randrange(len(awards))]
    destroy: set[int] = set()
    held = 0
    while held < size and len(destroy) < len(awards):
        if not frontier:
            frontier.append(rng.choice([n for n in range(len(awards)) if n not in destroy]))
        n = frontier.pop(rng.randrange(len(frontier)))
        if n in destroy:
            continue
        for m in lots_of[awards[n][1]]:
            if m in destroy:
                continue
            destroy.add(m)
            units = awards[m][0]
            held += len(units)
            frontier.extend(lot_of[v] for u in units for v in adjacent[u] if lot_of[v] not in destroy)
            rivals = set.intersection(*(set(c.unit_price[u]) for u in units)) - {awards[m][1]}
            for t in sorted(rivals):
                if t in lots_of and rng.random() < 0.5:
                    frontier.extend(lots_of[t])
    return destroy


def resolve(
    c: Compiled,
    awards: Awards,
    destroy: set[int],
    seconds: float,
    seed: int = 0,
    winners_per_unit: int = _LNS_WINNERS_PER_UNIT,
) -> tuple[Awards | None, bool]:
    """The solution with the lots in `destroy` re-solved (at most `seconds`), and whether that part is optimal."""
    part, free, hint, kept = neighbourhood_part(c, awards, destroy, winners_per_unit)
    built = build_model(part, hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.random_seed = seed
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    slots: dict[tuple[int, int], list[int]] = {}
    for (u, s, k), var in built.assign.items():
        if solver.boolean_value(var):
            slots.setdefault((s, k), []).append(free[u])
    return kept + [(sorted(units), s) for (s, _), units in slots.items()], status == cp_model.OPTIMAL


def neighbourhood_search(
    c: Compiled,
    incumbent: Incumbent,
    deadline: float,
    rng: random.Random,
    part_seconds: float,
    finished: Callable[[], bool],
) -> None:
    """Re-solve neighbourhoods of the incumbent (one solver thread) until the deadline or `finished()`, offering the
    incumbent every solution found: each part within `part_seconds`, its size grown while parts are proven optimal
    and shrunk while they are not."""
    adjacent = c.neighbours()
    size = _LNS_START_UNITS
    while not finished():
        left = deadline - time.perf_counter()
        if left < 0.1:
            break
        with incumbent.lock:
            awards = incumbent.awards
        found, optimal = resolve(
            c, awards, neighbourhood(c, awards, adjacent, rng, size), min(part_seconds, left), rng.randrange(1 << 30)
        )
        if found is not None:
            incumbent.offer(found)
        size = min(size + _LNS_STEP, len(c.units)) if optimal else max(_LNS_STEP, size - _LNS_STEP)
