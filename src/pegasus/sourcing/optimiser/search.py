"""The search that drives the optimiser: the whole-problem CP-SAT solver on one thread, and on the other annealing,
column generation and large neighbourhoods from the greedy solution; the best of both is returned.

A greedy solution is given to CP-SAT as a complete hint, and is the answer of last resort if the solver finds nothing
in time. On problems of `LNS_MIN_UNITS` units or more, one thread searches from the greedy solution: for two thirds of
its time by simulated annealing (`annealing`), then by large neighbourhoods (`neighbourhoods`). The whole-problem
solver runs on the other thread for the bound (and its own solutions; on mid-sized models it searches for the bound
alone, see `solve_model`). After the first annealing run, the searching thread also solves the set-partitioning
relaxation by column generation (`columns`), whose bound is far tighter than the solver's (at 200 x 20 it is the
optimum). When it reaches the incumbent, the incumbent is proven optimal and both threads stop; when it is solved,
the best structure made of the lots it priced is sought too. The higher of the two bounds is reported.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ortools.sat.python import cp_model

from pegasus.sourcing.optimiser.annealing import anneal, run_seconds
from pegasus.sourcing.optimiser.columns import ColumnGeneration
from pegasus.sourcing.optimiser.compiled import Awards, Compiled, Incumbent, awards_to_lots, compile_problem
from pegasus.sourcing.optimiser.cpsat import Model, build_model
from pegasus.sourcing.optimiser.greedy import greedy_awards
from pegasus.sourcing.optimiser.neighbourhoods import LNS_SECONDS, LNS_SECONDS_LARGE, neighbourhood_search
from pegasus.sourcing.optimiser.problem import (
    Lot,
    LotProblem,
    LotStructureResult,
    SolveStatus,
    lot_structure_cost,
)

DEFAULT_TIME_LIMIT = 60.0
DEFAULT_WORKERS = 2
LARGE_MODEL = 15_000  # (unit, supplier, slot) choices above which presolve is kept light and slots are not ordered
# large-neighbourhood search beside the whole-problem solver, for problems of at least this many units
LNS_MIN_UNITS = 40
# (unit, supplier, slot) choices from which, while the neighbourhood search finds the solutions, the whole-problem
# worker searches for a bound rather than for a proof (below it, max_lp proves 50 x 10 instances in seconds).
BOUND_SEARCH_MODEL = 1_500
_ANNEAL_SHARE = 2 / 3  # of the search's time, before the neighbourhoods
_COLUMNS_SHARE = 1 / 3  # of the search's time, by which column generation stops if it has not solved the relaxation


def improve(
    c: Compiled,
    incumbent: Incumbent,
    deadline: float,
    done: threading.Event,
    seed: int = 0,
    part_seconds: float = LNS_SECONDS,
    stop_whole: Callable[[], None] | None = None,
) -> int | None:
    """Improve the incumbent until the deadline or `done`; returns the set-partitioning relaxation's lower bound
    (scaled), or None when column generation gave none.

    One annealing run of a few seconds first; then column generation (`ColumnGeneration`) from the lots
    met so far, until the relaxation is solved or `_COLUMNS_SHARE` of the time has gone. When its bound reaches the
    incumbent the incumbent is optimal: the whole-problem solver is stopped (`stop_whole`) and the search ends.
    When the relaxation is solved, the best structure made of the lots it met is sought (price-and-branch). Until
    `_ANNEAL_SHARE` of the time, more annealing runs, each from the incumbent the search was given (restarts from the
    same point with other random choices find better structures than one run continued, or runs continued from the
    best). Then neighbourhoods of the best are re-solved exactly (one solver thread): each sub-problem is small
    enough for CP-SAT to prove its optimum or improve on it within `part_seconds`; the size grows while they are
    proven and shrinks while they are not."""
    rng = random.Random(seed)
    with incumbent.lock:
        start = incumbent.awards
    now = time.perf_counter()
    columns_end = now + (deadline - now) * _COLUMNS_SHARE
    annealing_ends = now + (deadline - now) * _ANNEAL_SHARE
    run = run_seconds(c)
    pricing = ColumnGeneration(c)
    pricing.add_solution(start)

    def proven() -> bool:
        """Whether the bound has reached the incumbent; if so, the whole-problem solver is stopped."""
        if pricing.bound is None or incumbent.value > pricing.bound:
            return False
        while stop_whole is not None and not done.is_set():  # until its search has started and so can stop
            stop_whole()
            done.wait(0.05)
        return True

    def anneal_until(until: float) -> None:
        while not done.is_set() and not proven() and (left := until - time.perf_counter()) > 0.1:
            found = anneal(c, start, min(run, left), rng)
            if found is not None:
                pricing.add_solution(found)
                incumbent.offer(found)

    anneal_until(min(now + run, annealing_ends))
    pricing.run(columns_end, done)
    if pricing.converged and not done.is_set() and not proven():
        with incumbent.lock:
            hint = incumbent.awards
        pricing.add_solution(hint)
        found = pricing.master(annealing_ends - time.perf_counter(), hint, rng.randrange(1 << 30))
        if found is not None:
            incumbent.offer(found)
    anneal_until(annealing_ends)
    neighbourhood_search(c, incumbent, deadline, rng, part_seconds, lambda: done.is_set() or proven())
    return pricing.bound


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        started: float,
        scale: int,
        on_improvement: Callable[[Decimal, float], None] | None,
        on_assignment: Callable[[Callable[[cp_model.IntVar], bool]], None] | None = None,
    ):
        super().__init__()
        self.started = started
        self.scale = scale
        self.on_improvement = on_improvement
        self.on_assignment = on_assignment
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        elapsed = time.perf_counter() - self.started
        if self.first is None:
            self.first = elapsed
        if self.on_improvement is not None:
            self.on_improvement(Decimal(round(self.objective_value)) / self.scale, elapsed)
        if self.on_assignment is not None:
            self.on_assignment(self.boolean_value)


def solve_model(
    model: cp_model.CpModel,
    *,
    time_limit: float,
    workers: int,
    started: float,
    scale: int,
    on_improvement: Callable[[Decimal, float], None] | None = None,
    log: bool = False,
    large: bool = False,
    on_assignment: Callable[[Callable[[cp_model.IntVar], bool]], None] | None = None,
    bound_search: bool = False,
    solver: cp_model.CpSolver | None = None,
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus, float | None]:
    """Solve in the time left of `time_limit` since `started`; returns the solver, its status, first-solution time.

    The full-problem worker is `max_lp`, which puts the clauses linking lots, bidders and interfaces into the LP;
    the default worker leaves them out and its bound stays far below the optimum. On large models presolve is kept
    light so that the search starts (from the warm start) within seconds.

    With `bound_search`, for a single worker while solutions come from elsewhere (the neighbourhood search), that
    worker searches a tree over the LP's bound instead (`optimize_with_lb_tree_search`, the same LP): at 200 x 20
    its bound after 60 s was 1037.18 against max_lp's 1030.54 on one instance, 1148.00 against 1146.80 on another.
    Not on large models: at 500 x 100 it had no useful bound after 60 s, where max_lp's is 5.8% below greedy.

    `solver`, when given, is the one used: another thread may then stop its search.
    """
    solver = solver or cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit - (time.perf_counter() - started))
    solver.parameters.num_workers = workers
    solver.parameters.log_search_progress = log
    if bound_search and workers == 1:
        solver.parameters.optimize_with_lb_tree_search = True
    else:
        solver.parameters.subsolvers.append("max_lp")
    if workers == 1:  # a single worker runs the base parameters, not the subsolvers: ask for max_lp's relaxation
        solver.parameters.linearization_level = 2
    if large:
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        solver.parameters.max_presolve_iterations = 1
    progress = _Progress(started, scale, on_improvement, on_assignment)
    status = solver.solve(model, progress)
    return solver, status, progress.first


def solver_bound(solver: cp_model.CpSolver, scale: int, objective: Decimal | None) -> Decimal:
    bound = Decimal(math.ceil(solver.best_objective_bound - 1e-6)) / scale
    return min(bound, objective) if objective is not None else bound


def lot_structure_optimise(
    problem: LotProblem,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    workers: int = DEFAULT_WORKERS,
    warm_start: bool = True,
    diagnose: bool = True,
    on_improvement: Callable[[Decimal, float], None] | None = None,
    on_solution: Callable[[tuple[Lot, ...], Decimal], None] | None = None,
    log: bool = False,
) -> LotStructureResult:
    """The cheapest lot structure that meets every constraint, proven optimal where the time limit allows.

    `time_limit` covers everything (model building included). Infeasible inputs return INFEASIBLE with reasons:
    those found before solving are proofs; otherwise, when the solver proves infeasibility, the constraints whose
    relaxation alone would restore a solution (each tried within the time left).

    `on_improvement(objective, seconds)` is called for the warm start and every better solution the solver finds;
    `on_solution(lots, objective)` likewise with the lots themselves, so that a caller can show the best lot
    structure so far. Both are called from the solver's threads: keep them quick and do not touch a database there.
    """
    started = time.perf_counter()
    c = compile_problem(problem)
    if c.reasons:
        return LotStructureResult(
            SolveStatus.INFEASIBLE, None, None, (), None, time.perf_counter() - started, tuple(c.reasons)
        )
    greedy = greedy_awards(c) if warm_start else None
    greedy_seconds = time.perf_counter() - started if greedy is not None else None
    if greedy is not None and (on_improvement is not None or on_solution is not None):
        lots = awards_to_lots(c, greedy)
        cost = lot_structure_cost(problem, [(lot.services, lot.supplier) for lot in lots])
        if on_improvement is not None:
            on_improvement(cost.total, time.perf_counter() - started)
        if on_solution is not None:
            on_solution(lots, cost.total)
    choices = sum(len(prices) for prices in c.unit_price) * (c.max_per_supplier or 1)
    large = choices > LARGE_MODEL
    # With a warm start on a problem of some size, one thread anneals and then searches neighbourhoods of the
    # incumbent while the whole-problem solver proves bounds (and finds what it finds) on the other.
    neighbourhoods = greedy is not None and len(c.units) >= LNS_MIN_UNITS and workers >= 2

    def better(awards: Awards, value: int) -> None:
        if on_improvement is not None:
            on_improvement(Decimal(value) / c.scale, time.perf_counter() - started)
        if on_solution is not None:
            on_solution(awards_to_lots(c, awards), Decimal(value) / c.scale)

    incumbent = Incumbent(c, greedy, better)
    built: Model | None = None

    def on_assignment(value: Callable[[cp_model.IntVar], bool]) -> None:
        assert built is not None
        slots: dict[tuple[int, int], list[int]] = {}
        for (u, s, k), var in built.assign.items():
            if value(var):
                slots.setdefault((s, k), []).append(u)
        incumbent.offer([(units, s) for (s, _), units in slots.items()])

    outcome: dict[str, Any] = {}
    done = threading.Event()
    whole_solver = cp_model.CpSolver()

    def whole() -> None:
        nonlocal built
        try:
            built = build_model(c, greedy, order_slots=not large)
            outcome["model_seconds"] = time.perf_counter() - started
            outcome["solved"] = solve_model(
                built.model,
                time_limit=time_limit,
                workers=workers - 1 if neighbourhoods else workers,
                started=started,
                scale=c.scale,
                log=log,
                large=large,
                on_assignment=on_assignment,
                bound_search=neighbourhoods and BOUND_SEARCH_MODEL < choices <= LARGE_MODEL,
                solver=whole_solver,
            )
        finally:
            done.set()

    if neighbourhoods:
        thread = threading.Thread(target=whole, name="lot-structure-cp-sat", daemon=True)
        thread.start()
        relaxed = improve(
            c,
            incumbent,
            started + time_limit,
            done,
            part_seconds=LNS_SECONDS_LARGE if large else LNS_SECONDS,
            stop_whole=whole_solver.stop_search,
        )
        thread.join()
    else:
        relaxed = None
        whole()
    solver, status, first = outcome["solved"]
    model_seconds = outcome["model_seconds"]
    assert built is not None
    if greedy_seconds is not None:
        first = greedy_seconds  # the warm start is the first solution the call holds
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        on_assignment(solver.boolean_value)  # the solver's last word, should its callback not have seen it
    if incumbent.awards and status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
        # every solution the solver found was offered to the incumbent, so the incumbent is the best of all
        lots = awards_to_lots(c, incumbent.awards)
        cost = lot_structure_cost(problem, [(lot.services, lot.supplier) for lot in lots])
        bound = solver_bound(solver, c.scale, cost.total) if status != cp_model.UNKNOWN else None
        if relaxed is not None:  # column generation's bound, when it is the higher
            from_columns = Decimal(relaxed) / c.scale
            bound = min(cost.total, from_columns if bound is None else max(bound, from_columns))
        optimal = status == cp_model.OPTIMAL or bound == cost.total
        return LotStructureResult(
            SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE,
            cost.total,
            cost.total if optimal else bound,
            lots,
            cost.handoff,
            time.perf_counter() - started,
            (),
            first,
            model_seconds,
        )
    if status == cp_model.INFEASIBLE:
        reasons = _relaxation_reasons(problem, time_limit, started, workers) if diagnose else []
        return LotStructureResult(
            SolveStatus.INFEASIBLE,
            None,
            None,
            (),
            None,
            time.perf_counter() - started,
            tuple(reasons or ["no lot structure meets every constraint together"]),
            None,
            model_seconds,
        )
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"the lot-structure model is invalid: {built.model.validate()}")
    return LotStructureResult(
        SolveStatus.UNKNOWN,
        None,
        None,
        (),
        None,
        time.perf_counter() - started,
        ("no solution was found, and none was proven impossible, within the time limit",),
        None,
        model_seconds,
    )


_RELAXATIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("max_lots", {"max_lots": None}),
    ("max_lots_per_supplier", {"max_lots_per_supplier": None}),
    ("max_supplier_share", {"max_supplier_share": None}),
    ("must_separate", {"must_separate": ()}),
    ("must_bundle", {"must_bundle": ()}),
    ("min_bidders_per_lot", {"min_bidders_per_lot": 1}),
)


def _relaxation_reasons(problem: LotProblem, time_limit: float, started: float, workers: int) -> list[str]:
    active = [
        (name, change)
        for name, change in _RELAXATIONS
        if getattr(problem, name) not in (None, ())
        and not (name == "min_bidders_per_lot" and problem.min_bidders_per_lot <= 1)
    ]
    helps = []
    for name, change in active:
        left = time_limit - (time.perf_counter() - started)
        if left <= 0.2:
            break
        relaxed = replace(problem, **change)
        result = lot_structure_optimise(
            relaxed, time_limit=min(left, max(1.0, left / len(active))), workers=workers, diagnose=False
        )
        if result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            helps.append(f"{name} ({_describe(getattr(problem, name))})")
    if not helps:
        return []
    return [
        "no lot structure meets every constraint together; relaxing any one of these alone would give one: "
        + "; ".join(helps)
    ]


def _describe(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(f"{a}-{b}" for a, b in value)
    return str(value)
