"""Every change to sourcing scenarios: create, optimise, choose; atomic and audited.

Optimisation runs in the background (`pegasus.sourcing.tasks`): `scenario_optimise` saves the scenario and a queued
run and enqueues the task once the transaction commits; `optimisation_run_execute` is what the task does.
"""

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.db import transaction

from pegasus.core import clock
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import RuleViolation
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.locks import locked
from pegasus.core.transitions import status_require, transition_require
from pegasus.core.types import User
from pegasus.estate import selectors as estate_selectors
from pegasus.sourcing import selectors
from pegasus.sourcing.models import Lot, OptimisationRun, Scenario
from pegasus.sourcing.optimiser import Lot as OptimiserLot
from pegasus.sourcing.optimiser import SolveStatus, lot_structure_optimise, problem_from_json

NO_LOTS = "A scenario needs at least one lot."
TOWER_TWICE = "{tower} is in more than one lot: put each tower in one lot."
TOWER_MISSING = "{towers} {verb} in no lot: every tower in scope must be in a lot."
NOT_PRICED = "Lot {lot}: {supplier} has not priced {towers}, so cannot deliver the lot."
UNKNOWN_TOWER = "{tower} is not a tower in scope."
NOT_SETTLED = "{name} is still being optimised: choose it when it has finished."
NOTHING_TO_CHOOSE = "{name} has no lots to choose."
ALREADY_CHOSEN = "{name} is already the chosen scenario."
RUN_NOT_QUEUED = "Run {run} is {status}, not queued."
NO_PRICES = "No market prices are held: import them before building scenarios."
POLICY_FIELDS = (
    "lot_fixed_cost",
    "handoff_cost_per_ticket",
    "min_bidders_per_lot",
    "max_lots",
    "max_lots_per_supplier",
    "max_supplier_share",
    "must_separate",
    "must_bundle",
)
# Trade-off sweep: the lot cost as multiples of the scenario's, and the fewest bidders from 1 to 4.
TRADEOFF_LOT_COST_FACTORS = (Decimal("0"), Decimal("0.5"), Decimal("1"), Decimal("2"), Decimal("4"))
TRADEOFF_BIDDERS = (1, 2, 3, 4)
PROGRESS_EVERY_SECONDS = 0.5


class Policy(TypedDict, total=False):
    """The policy a scenario carries (`POLICY_FIELDS`): what a lot costs to run and the rules a lot structure keeps."""

    lot_fixed_cost: Decimal
    handoff_cost_per_ticket: Decimal
    min_bidders_per_lot: int
    max_lots: int | None
    max_lots_per_supplier: int | None
    max_supplier_share: Decimal | None
    must_separate: Sequence[Sequence[str]]  # pairs of tower codes
    must_bundle: Sequence[Sequence[str]]


def _policy(scenario: Scenario, policy: Mapping[str, Any]) -> None:
    unknown = set(policy) - set(POLICY_FIELDS)
    if unknown:
        raise RuleViolation(f"Unknown policy: {', '.join(sorted(unknown))}")
    for key, value in policy.items():
        setattr(scenario, key, value)


def _check_bounds(scenario: Scenario) -> None:
    """What every way in may store: a name and description without control characters and costs within
    `pegasus.core.bounds`, so that the optimiser's sums and the exports made from them stay readable."""
    checks = FieldBounds(Scenario)
    checks.model_fields(scenario, names={"name", "description", "lot_fixed_cost", "handoff_cost_per_ticket"})
    checks.raise_any()


def _save_lots(scenario: Scenario, lots: list[tuple[list[str], int, Decimal, int]]) -> None:
    towers = {t.code: t for t in estate_selectors.towers()}
    for position, (codes, supplier_id, price, bidders) in enumerate(lots, start=1):
        lot = Lot.objects.create(
            scenario=scenario, position=position, supplier_id=supplier_id, price=price, bidders=bidders
        )
        lot.towers.set([towers[c] for c in codes])


def _supplier_pk(key: str) -> int:
    return int(key.removeprefix("supplier-"))


def _check_structure(problem_data: dict, lots: list[tuple[list[str], int]]) -> None:
    """The structure must be a partition of the towers in scope, each lot priced by its supplier; policy may be broken.

    Breaking policy is allowed on purpose: a baseline or a hand-made structure is compared as it is, and the
    comparison page says which rules it breaks.
    """
    if not lots:
        raise RuleViolation(NO_LOTS)
    scope = [s["id"] for s in problem_data["services"]]
    prices = {s["id"]: s["prices"] for s in problem_data["suppliers"]}
    names = dict(estate_selectors.suppliers().values_list("pk", "name"))
    seen: set[str] = set()
    problems = []
    for position, (codes, supplier_id) in enumerate(lots, start=1):
        for code in codes:
            if code not in scope:
                problems.append(UNKNOWN_TOWER.format(tower=code))
            elif code in seen:
                problems.append(TOWER_TWICE.format(tower=code))
            seen.add(code)
        unpriced = [c for c in codes if c not in prices.get(selectors.supplier_key(supplier_id), {})]
        if unpriced:
            problems.append(
                NOT_PRICED.format(
                    lot=position, supplier=names.get(supplier_id, supplier_id), towers=", ".join(unpriced)
                )
            )
    missing = [c for c in scope if c not in seen]
    if missing:
        problems.append(TOWER_MISSING.format(towers=", ".join(missing), verb="is" if len(missing) == 1 else "are"))
    if problems:
        raise RuleViolation(" ".join(problems))


def _priced_lots(problem_data: dict, lots: list[tuple[list[str], int]]) -> list[tuple[list[str], int, Decimal, int]]:
    problem = problem_from_json(problem_data)
    prices = {s.id: s.prices for s in problem.suppliers}
    out = []
    for codes, supplier_id in lots:
        own = prices[selectors.supplier_key(supplier_id)]
        bidders = sum(1 for p in prices.values() if all(c in p for c in codes))
        out.append((codes, supplier_id, sum((own[c] for c in codes), Decimal(0)), bidders))
    return out


@transaction.atomic
def scenario_create(
    *, name: str, lots: list[tuple[list[str], int]], by: User | None, description: str = "", **policy: Unpack[Policy]
) -> Scenario:
    """Save a hand-made scenario: lots as (tower codes, supplier pk), priced at today's market prices."""
    scenario = Scenario(name=name, kind=Scenario.Kind.MANUAL, description=description, created_by=by)
    _policy(scenario, policy)
    full_clean(scenario)
    _check_bounds(scenario)
    scenario.problem = selectors.problem_json(scenario)
    if not scenario.problem["suppliers"]:
        raise RuleViolation(NO_PRICES)
    _check_structure(scenario.problem, lots)
    scenario.save()
    _save_lots(scenario, _priced_lots(scenario.problem, lots))
    audit_record(action="sourcing.scenario-create", by=by, obj=scenario, summary=f"Scenario {name} created by hand")
    return scenario


@transaction.atomic
def scenario_baseline_create(
    *, by: User | None, name: str = "Baseline: today's contracts", **policy: Unpack[Policy]
) -> Scenario:
    """Save today's live contracts as a scenario: one lot per contract, each at its market price where quoted.

    Where the incumbent has not quoted for a tower it runs today, its current annual cost (the contract's annual
    value times the tower's share) stands in, so that every scenario is priced on the same basis.
    """
    contracts = selectors.current_contract_lots()
    current: dict[int, dict[str, Decimal]] = {}
    for contract, towers in contracts:
        for code, cost in towers:
            current.setdefault(contract.supplier_id, {})[code] = cost
    scenario = Scenario(
        name=name,
        kind=Scenario.Kind.BASELINE,
        created_by=by,
        description="Today's contracts as lots: each live contract is one lot, won by its current supplier.",
    )
    _policy(scenario, policy)
    full_clean(scenario)
    _check_bounds(scenario)
    scenario.problem = selectors.problem_json(scenario, extra_prices=current)
    lots: list[tuple[list[str], int]] = []
    placed: set[str] = set()
    for contract, towers in contracts:
        codes = [code for code, _ in towers if code not in placed]  # a tower shared by two contracts counts once
        placed.update(codes)
        if codes:
            lots.append((codes, contract.supplier_id))
    _check_structure(scenario.problem, lots)
    scenario.save()
    _save_lots(scenario, _priced_lots(scenario.problem, lots))
    audit_record(
        action="sourcing.scenario-create",
        by=by,
        obj=scenario,
        summary=f"Baseline scenario {name} created from {len(lots)} live contracts",
    )
    return scenario


@transaction.atomic
def scenario_optimise(
    *, name: str, by: User | None, time_limit: int = 30, description: str = "", **policy: Unpack[Policy]
) -> Scenario:
    """Save an optimised scenario and queue its optimisation; the task starts when this transaction commits."""
    scenario = Scenario(
        name=name, kind=Scenario.Kind.OPTIMISED, status=Scenario.Status.QUEUED, description=description, created_by=by
    )
    _policy(scenario, policy)
    full_clean(scenario)
    _check_bounds(scenario)
    scenario.problem = selectors.problem_json(scenario)
    if not scenario.problem["suppliers"]:
        raise RuleViolation(NO_PRICES)
    problem_from_json(scenario.problem)  # a policy naming unknown towers is refused before anything is saved
    scenario.save()
    run = OptimisationRun(scenario=scenario, time_limit_seconds=time_limit)
    full_clean(run)
    run.save()
    audit_record(
        action="sourcing.scenario-optimise",
        by=by,
        obj=scenario,
        summary=f"Scenario {name} queued for optimisation ({time_limit} s)",
        data={"run": run.pk, "time_limit": time_limit},
    )

    def enqueue() -> None:
        from pegasus.sourcing.tasks import optimise_scenario

        result = optimise_scenario.enqueue(run.pk)
        OptimisationRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return scenario


@dataclass
class _Best:
    """What the solver's threads hand to the thread that owns the database connection."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    objective: Decimal | None = None
    lots: tuple[OptimiserLot, ...] = ()
    improvements: int = 0

    def found(self, lots: tuple[OptimiserLot, ...], objective: Decimal) -> None:
        with self.lock:
            if self.objective is None or objective < self.objective:
                self.objective, self.lots = objective, lots
                self.improvements += 1

    def snapshot(self) -> tuple[Decimal | None, tuple[OptimiserLot, ...], int]:
        with self.lock:
            return self.objective, self.lots, self.improvements


def _lots_json(lots) -> list[dict[str, Any]]:
    return [
        {"services": list(lot.services), "supplier": lot.supplier, "price": str(lot.price), "bidders": lot.bidders}
        for lot in lots
    ]


def optimisation_run_execute(*, run_id: int, sweep: bool = True) -> OptimisationRun:
    """Solve a queued run, saving the best solution so far as the solver improves it, then the result.

    The solver runs in its own thread and reports to `_Best`; this thread writes the progress every half second,
    because database connections belong to the thread that opened them. Raises InvalidTransition unless queued.
    """
    with transaction.atomic():
        run = locked(OptimisationRun, run_id, related=("scenario",))
        status_require(
            run.status,
            {OptimisationRun.Status.QUEUED},
            RUN_NOT_QUEUED,
            run=run_id,
            status=run.get_status_display().lower(),
        )
        run.status, run.started_at = OptimisationRun.Status.RUNNING, clock.now()
        run.save(update_fields=["status", "started_at", "updated_at"])
        Scenario.objects.filter(pk=run.scenario_id).update(status=Scenario.Status.RUNNING)
    scenario = run.scenario
    problem = problem_from_json(scenario.problem)
    best = _Best()
    outcome: dict[str, Any] = {}

    def solve() -> None:
        try:
            outcome["result"] = lot_structure_optimise(
                problem, time_limit=run.time_limit_seconds, on_solution=best.found
            )
        except Exception as exc:  # noqa: BLE001 (reported on the run; the worker must not die silently)
            outcome["error"] = exc

    solver = threading.Thread(target=solve, name=f"optimise-run-{run.pk}", daemon=True)
    solver.start()
    shown = 0
    while solver.is_alive():
        solver.join(PROGRESS_EVERY_SECONDS)
        objective, lots, improvements = best.snapshot()
        if improvements != shown and objective is not None:
            shown = improvements
            OptimisationRun.objects.filter(pk=run.pk).update(
                best_objective=objective,
                best_lots=_lots_json(lots),
                improvements=improvements,
                updated_at=clock.now(),
            )
    if "error" in outcome:
        with transaction.atomic():
            OptimisationRun.objects.filter(pk=run.pk).update(
                status=OptimisationRun.Status.FAILED, message=str(outcome["error"])[:500], finished_at=clock.now()
            )
            Scenario.objects.filter(pk=scenario.pk).update(status=Scenario.Status.FAILED)
        run.refresh_from_db()
        return run
    result = outcome["result"]
    tradeoff = tradeoff_sweep(scenario, seconds=max(1.0, run.time_limit_seconds / 10)) if sweep else []
    with transaction.atomic():
        run = locked(OptimisationRun, run.pk)
        run.status = OptimisationRun.Status.FINISHED
        run.solver_status = result.status.value
        run.best_objective = result.objective
        run.best_bound = result.best_bound
        run.best_lots = _lots_json(result.lots)
        run.reasons = list(result.reasons)
        run.improvements = max(run.improvements, best.snapshot()[2])
        run.finished_at = clock.now()
        run.save()
        scenario.lots.all().delete()
        if result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            _save_lots(
                scenario,
                [(list(lot.services), _supplier_pk(lot.supplier), lot.price, lot.bidders) for lot in result.lots],
            )
            scenario.status = Scenario.Status.READY
        elif result.status == SolveStatus.INFEASIBLE:
            scenario.status = Scenario.Status.INFEASIBLE
        else:
            scenario.status = Scenario.Status.FAILED
        scenario.tradeoff = tradeoff
        scenario.save(update_fields=["status", "tradeoff"])
        audit_record(
            action="sourcing.scenario-optimised",
            by=None,
            obj=scenario,
            summary=f"Scenario {scenario.name} optimised: {result.status.value}",
            data={"run": run.pk, "objective": str(result.objective), "bound": str(result.best_bound)},
        )
    return run


def tradeoff_sweep(scenario: Scenario, *, seconds: float) -> list[dict[str, Any]]:
    """Optimal cost and number of lots as the lot cost, then the fewest bidders, varies around the scenario's."""
    from dataclasses import replace

    base = problem_from_json(scenario.problem)
    step = scenario.lot_fixed_cost or Decimal("500000")
    variants: list[tuple[str, Any]] = [("lot_fixed_cost", step * f) for f in TRADEOFF_LOT_COST_FACTORS]
    variants += [("min_bidders_per_lot", b) for b in TRADEOFF_BIDDERS]
    points = []
    for key, value in variants:
        result = lot_structure_optimise(replace(base, **{key: value}), time_limit=seconds, diagnose=False)
        point: dict[str, Any] = {"vary": key, "value": str(value), "status": result.status.value}
        if result.lots:
            point |= {
                "lots": len(result.lots),
                "suppliers": len({lot.supplier for lot in result.lots}),
                "prices": str(sum((lot.price for lot in result.lots), Decimal(0))),
                "handoff": str(result.handoff_cost),
                "objective": str(result.objective),
            }
        points.append(point)
    return points


@transaction.atomic
def scenario_choose(*, scenario: Scenario, by: User | None) -> Scenario:
    """Make this scenario the lots procurement starts from; the scenario chosen before is no longer chosen.

    Preconditions: the scenario has finished optimising and has lots. Raises InvalidTransition otherwise, or if it
    is already chosen.
    """
    scenario = locked(Scenario, scenario.pk)
    transition_require(scenario.is_settled, NOT_SETTLED.format(name=scenario.name))
    transition_require(scenario.lots.exists(), NOTHING_TO_CHOOSE.format(name=scenario.name))
    transition_require(not scenario.chosen, ALREADY_CHOSEN.format(name=scenario.name))
    previous = list(Scenario.objects.select_for_update().filter(chosen=True))
    for old in previous:
        old.chosen = False
        old.save(update_fields=["chosen"])
    scenario.chosen = True
    scenario.save(update_fields=["chosen"])
    audit_record(
        action="sourcing.scenario-choose",
        by=by,
        obj=scenario,
        summary=f"Scenario {scenario.name} chosen as the lots procurement starts from"
        + (f", replacing {previous[0].name}" if previous else ""),
        data={"replaced": [s.pk for s in previous]},
    )
    return scenario
