"""The exit plans as they stood on a day: each incumbent contract with its tasks done by then, its readiness, how its
end meets the replacement's planned start (the red flag), and the replacement's mobilisation and exit stages."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from pegasus.estate import selectors as estate_selectors
from pegasus.procurement import selectors as procurement_selectors
from pegasus.programme import rules
from pegasus.programme.models import ExitPlan, ExitTask, Programme

MOBILISATION, INCUMBENT_EXIT = "mobilisation", "incumbent-exit"


@dataclass(frozen=True)
class TaskRow:
    task: ExitTask
    state: str  # as at the day read: a task done later was not yet done then
    overdue: bool  # not done by the day read, and due before it

    @property
    def done(self) -> bool:
        return self.state == ExitTask.State.DONE

    @property
    def state_label(self) -> str:
        return ExitTask.State(self.state).label

    @property
    def done_on(self) -> date | None:
        return self.task.done_on if self.done else None


@dataclass(frozen=True)
class StageDates:
    name: str
    planned_start: date
    planned_end: date
    latest_start: date
    latest_end: date


@dataclass
class ExitRow:
    plan: ExitPlan
    tasks: list[TaskRow]
    current_end: date
    latest_end: date | None  # the current end with every option left exercised; None when it may roll on
    outlook: rules.ExitOutlook
    readiness: Any  # Decimal percentage, or None with no tasks
    replacement_starts: date | None = None  # the schedule's planned start of the new contract
    replacement_latest_start: date | None = None  # the latest the new contract can start (the day after the end)
    mobilisation: StageDates | None = None
    incumbent_exit: StageDates | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def contract(self) -> Any:
        return self.plan.contract

    @property
    def procurement(self) -> Any:
        return self.plan.procurement

    @property
    def done(self) -> int:
        return sum(1 for t in self.tasks if t.done)

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.overdue)

    def by_area(self) -> list[tuple[str, str, list[TaskRow]]]:
        """The tasks under each area of an exit, in the model's order of areas: (area, label, tasks)."""
        return [
            (area.value, area.label, [t for t in self.tasks if t.task.area == area.value]) for area in ExitTask.Area
        ]


def task_row(task: ExitTask, as_at: date) -> TaskRow:
    done = task.done_on is not None and task.done_on <= as_at
    if done:
        state = ExitTask.State.DONE.value
    elif task.state == ExitTask.State.DONE:
        state = ExitTask.State.IN_PROGRESS.value  # done after the day read: it was still being worked on
    else:
        state = task.state
    return TaskRow(task, state, overdue=not done and task.due_on < as_at)


def plans_of(programme: Programme) -> QuerySet[ExitPlan]:
    return (
        programme.exit_plans.select_related("contract__supplier", "procurement__replaces_end_option")
        .prefetch_related(
            "contract__options",
            Prefetch("tasks", queryset=ExitTask.objects.order_by("due_on", "pk")),
            Prefetch("procurement__replaces", queryset=estate_selectors.contracts_with_options()),
            "procurement__stages",
        )
        .order_by("contract__reference")
    )


def _stage_dates(row: Any, kind: str) -> StageDates | None:
    stage = row.stage(kind)
    if stage is None:
        return None
    s = stage.scheduled
    return StageDates(s.template.name, s.planned_start, s.planned_end, s.latest_start, s.latest_end)


def exit_row(plan: ExitPlan, as_at: date, replacement: Any | None = None) -> ExitRow:
    """One plan as at `as_at`; `replacement` is its procurement's row (`procurement_selectors.procurement_row`),
    computed here when not given."""
    contract = plan.contract
    contract_row = estate_selectors.contract_row(contract, as_at, contract.terms(list(contract.options.all())))
    tasks = [task_row(t, as_at) for t in plan.tasks.all()]
    row = ExitRow(
        plan=plan,
        tasks=tasks,
        current_end=contract_row.current_end,
        latest_end=contract_row.maximum_end,
        outlook=rules.exit_outlook(
            current_end=contract_row.current_end, latest_end=contract_row.maximum_end, replacement_starts=None
        ),
        readiness=rules.readiness(done=sum(1 for t in tasks if t.done), total=len(tasks)),
    )
    procurement = plan.procurement
    if procurement is None:
        row.problems.append("No procurement replaces it yet.")
        return row
    replacement = replacement or procurement_selectors.procurement_row(procurement, as_at)
    row.problems.extend(replacement.problems)
    if replacement.schedule is None:
        return row
    row.replacement_starts = replacement.schedule.planned_contract_start
    row.replacement_latest_start = replacement.schedule.contract_start
    row.mobilisation = _stage_dates(replacement, MOBILISATION)
    row.incumbent_exit = _stage_dates(replacement, INCUMBENT_EXIT)
    row.outlook = rules.exit_outlook(
        current_end=row.current_end, latest_end=row.latest_end, replacement_starts=row.replacement_starts
    )
    return row


def exit_rows(as_at: date, programme: Programme | None = None) -> list[ExitRow]:
    """Every exit plan of the programme (the current one by default) as at `as_at`, by contract reference; each
    procurement is scheduled once."""
    programme = programme or Programme.objects.order_by("code").first()
    if programme is None:
        return []
    replacements: dict[int, Any] = {}
    rows = []
    for plan in plans_of(programme):
        replacement = None
        procurement = plan.procurement
        if procurement is not None:
            if procurement.pk not in replacements:
                replacements[procurement.pk] = procurement_selectors.procurement_row(procurement, as_at)
            replacement = replacements[procurement.pk]
        rows.append(exit_row(plan, as_at, replacement))
    return rows


def exit_plan_get(*, programme: Programme, pk: int) -> ExitPlan:
    return plans_of(programme).get(pk=pk)


def exit_task_get(*, plan: ExitPlan, pk: int) -> ExitTask:
    return plan.tasks.get(pk=pk)


def contract_choices() -> QuerySet[Any]:
    """The contracts an exit plan may be for: every contract, by reference, with its supplier."""
    return estate_selectors.contracts_by_reference().select_related("supplier")


def procurement_choices() -> QuerySet[Any]:
    return procurement_selectors.procurements().order_by("reference")
