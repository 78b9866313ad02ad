"""Baselines for the lot-structure optimiser's benchmark: the greedy method and the plain CP-SAT formulation.

The plain formulation is the model as a textbook first writes it: `max_lots` (or one per service) anonymous lots,
"service i in lot l" and "lot l awarded to supplier s" booleans, each service's winner linked to both by
`y[i, s] >= x[i, l] + z[l, s] - 1`, bundles as equalities between lot memberships, and cut interfaces as
`cut >= |x[i, l] - x[j, l]|`. It has none of the optimiser's strengthening: no merging of bundles, no supplier-owned
slots, no symmetry breaking, no constant interfaces, no warm start. It is solved with the same time limit and
workers, so the benchmark can say what the strengthening buys.
"""

from __future__ import annotations

import time
from dataclasses import replace

from ortools.sat.python import cp_model

from pegasus.sourcing.optimiser import (
    Compiled,
    LotProblem,
    LotStructureResult,
    SolveStatus,
    awards_to_lots,
    compile_problem,
    lot_structure_cost,
    lot_structure_greedy,
    solve_model,
    solver_bound,
)

__all__ = ["lot_structure_greedy", "lot_structure_plain"]


def lot_structure_plain(problem: LotProblem, *, time_limit: float = 60.0, workers: int = 2) -> LotStructureResult:
    """The plain formulation, solved by CP-SAT within `time_limit` seconds (model building included)."""
    started = time.perf_counter()
    c = compile_problem(problem)  # only for the scaled integers and the pre-solve reasons
    if c.reasons:
        return LotStructureResult(
            SolveStatus.INFEASIBLE, None, None, (), None, time.perf_counter() - started, tuple(c.reasons)
        )
    index = {s.id: n for n, s in enumerate(problem.services)}
    n_services, n_suppliers = len(problem.services), len(problem.suppliers)
    price = [{index[k]: int(v * c.scale) for k, v in s.prices.items()} for s in problem.suppliers]
    capable = [[s for s in range(n_suppliers) if i in price[s]] for i in range(n_services)]
    n_lots = min(problem.max_lots or n_services, n_services)
    need = max(problem.min_bidders_per_lot, 1)

    model = cp_model.CpModel()
    x = {(i, lot): model.new_bool_var(f"x_{i}_{lot}") for i in range(n_services) for lot in range(n_lots)}
    z = {(lot, s): model.new_bool_var(f"z_{lot}_{s}") for lot in range(n_lots) for s in range(n_suppliers)}
    used = [model.new_bool_var(f"used_{lot}") for lot in range(n_lots)]
    y = {(i, s): model.new_bool_var(f"y_{i}_{s}") for i in range(n_services) for s in capable[i]}
    for i in range(n_services):
        model.add_exactly_one(x[i, lot] for lot in range(n_lots))
        model.add_exactly_one(y[i, s] for s in capable[i])
    for lot in range(n_lots):
        model.add(sum(z[lot, s] for s in range(n_suppliers)) == used[lot])
        for i in range(n_services):
            model.add_implication(x[i, lot], used[lot])
            model.add(x[i, lot] <= sum(z[lot, s] for s in capable[i]))
            for s in capable[i]:
                model.add(y[i, s] >= x[i, lot] + z[lot, s] - 1)
        if need > 1:
            bids = []
            for t in range(n_suppliers):
                bid = model.new_bool_var(f"bid_{lot}_{t}")
                outside = [x[i, lot].Not() for i in range(n_services) if i not in price[t]]
                if outside:
                    model.add_bool_and(outside).only_enforce_if(bid)
                bids.append(bid)
            model.add(sum(bids) >= need * used[lot])
    if problem.max_lots_per_supplier is not None:
        for s in range(n_suppliers):
            model.add(sum(z[lot, s] for lot in range(n_lots)) <= problem.max_lots_per_supplier)
    for a, b in problem.must_separate:
        for lot in range(n_lots):
            model.add(x[index[a], lot] + x[index[b], lot] <= 1)
    for a, b in problem.must_bundle:
        for lot in range(n_lots):
            model.add(x[index[a], lot] == x[index[b], lot])
    spend = [
        cp_model.LinearExpr.weighted_sum(
            [y[i, s] for i in range(n_services) if (i, s) in y], [price[s][i] for i in range(n_services) if (i, s) in y]
        )
        for s in range(n_suppliers)
    ]
    total = cp_model.LinearExpr.sum(spend)
    if c.share is not None:
        for s in range(n_suppliers):
            model.add(c.share.denominator * spend[s] <= c.share.numerator * total)
    handoff = []
    for interface in problem.interfaces:
        i, j = index[interface.a], index[interface.b]
        cut = model.new_bool_var(f"cut_{i}_{j}")
        for lot in range(n_lots):
            model.add(cut >= x[i, lot] - x[j, lot])
            model.add(cut >= x[j, lot] - x[i, lot])
        handoff.append(int(interface.weight * c.scale) * cut)
    model.minimize(c.lot_cost * sum(used) + total + sum(handoff))

    model_seconds = time.perf_counter() - started
    solver, status, first = solve_model(model, time_limit=time_limit, workers=workers, started=started, scale=c.scale)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        awards: dict[int, list[int]] = {}
        for (i, lot), var in x.items():
            if solver.boolean_value(var):
                awards.setdefault(lot, []).append(i)
        winners = {lot: s for (lot, s), var in z.items() if solver.boolean_value(var)}
        lots = awards_to_lots(_identity(c), [(members, winners[lot]) for lot, members in awards.items()])
        cost = lot_structure_cost(problem, [(lot.services, lot.supplier) for lot in lots])
        optimal = status == cp_model.OPTIMAL
        return LotStructureResult(
            SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE,
            cost.total,
            cost.total if optimal else solver_bound(solver, c.scale, cost.total),
            lots,
            cost.handoff,
            time.perf_counter() - started,
            (),
            first,
            model_seconds,
        )
    state = {cp_model.INFEASIBLE: SolveStatus.INFEASIBLE}.get(status, SolveStatus.UNKNOWN)
    return LotStructureResult(state, None, None, (), None, time.perf_counter() - started, (), None, model_seconds)


def _identity(c: Compiled) -> Compiled:
    """The compiled problem with one unit per service, so that `awards_to_lots` reads service indices as units."""
    return replace(c, units=[(i,) for i in range(len(c.problem.services))])
