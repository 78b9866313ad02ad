"""Every change to the exit plans of the incumbent contracts being replaced, and to their tasks: atomic, validated,
attributed and audited."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pegasus.core.audit import audit_record
from pegasus.core.clock import default_as_at
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.types import User
from pegasus.core.updates import model_update
from pegasus.programme.models import ExitPlan, ExitTask, Programme

CONTRACT_HAS_PLAN = "{contract} already has an exit plan: change that one"
NOT_REPLACED_BY = "{procurement} does not replace {contract}: choose the procurement that replaces it"
DONE_NEEDS_DATE = "Enter the day the task was done"
DONE_IN_FUTURE = "The day it was done cannot be after today ({today:%d %B %Y})"
NOT_DONE_NO_DATE = "Only a task that is done has a day it was done: leave it empty"


TASK_TEXT = {"title", "owner", "due_on"}


def _bounds(obj: ExitPlan | ExitTask, names: set[str]) -> None:
    """What every way in may store: text without control characters, dates Pegasus can compute with."""
    checks = FieldBounds(type(obj))
    checks.model_fields(obj, names=names)
    checks.raise_any()


def _audit_summary(plan: ExitPlan) -> str:
    return f"exit plan of {plan.contract.reference}"


@transaction.atomic
def exit_plan_save(
    *,
    programme: Programme,
    plan: ExitPlan | None = None,
    contract: Any,  # an estate Contract
    procurement: Any | None,  # the procurement that replaces it
    summary: str = "",
    by: User | None,
) -> ExitPlan:
    """Create the exit plan of an incumbent contract, or change `plan`; one plan a contract, and its procurement must
    be one that replaces the contract."""
    errors: dict[str, str] = {}
    taken = ExitPlan.objects.filter(contract=contract)
    if plan is not None:
        taken = taken.exclude(pk=plan.pk)
    if taken.exists():
        errors["contract"] = CONTRACT_HAS_PLAN.format(contract=contract.reference)
    if procurement is not None and not procurement.replaces.filter(pk=contract.pk).exists():
        errors["procurement"] = NOT_REPLACED_BY.format(procurement=procurement.reference, contract=contract.reference)
    if errors:
        raise ValidationError(errors)
    data = {"contract": contract, "procurement": procurement, "summary": summary}
    if plan is None:
        plan = ExitPlan(programme=programme, **data)
        _bounds(plan, {"summary"})
        full_clean(plan, validate_unique=False)
        plan.save()
        action, verb = "programme.exit-plan-create", "Added the"
    else:
        edited = plan
        model_update(plan, data=data, check=lambda: _bounds(edited, {"summary"}), history_user=by)
        action, verb = "programme.exit-plan-update", "Changed the"
    audit_record(
        action=action,
        by=by,
        obj=plan,
        summary=f"{verb} {_audit_summary(plan)}",
        data={"contract": contract.reference, "procurement": getattr(procurement, "reference", None)},
    )
    return plan


@transaction.atomic
def exit_task_save(
    *,
    plan: ExitPlan,
    task: ExitTask | None = None,
    area: str,
    title: str,
    owner: str,
    due_on: date,
    by: User | None,
) -> ExitTask:
    """Add a task to an exit plan (not started), or change `task`'s area, title, owner or due date."""
    data = {"area": area, "title": title, "owner": owner, "due_on": due_on}
    if task is None:
        task = ExitTask(plan=plan, **data)
        _bounds(task, TASK_TEXT)
        full_clean(task)
        task.save()
        action, verb = "programme.exit-task-create", "Added"
    else:
        if all(getattr(task, name) == value for name, value in data.items()):
            return task
        edited = task
        model_update(task, data=data, check=lambda: _bounds(edited, TASK_TEXT), history_user=by)
        action, verb = "programme.exit-task-update", "Changed"
    audit_record(
        action=action,
        by=by,
        obj=task,
        summary=f"{verb} task {task.title!r} of the {_audit_summary(plan)}, due {due_on:%d %b %Y}",
        data={"plan": plan.pk, "area": area, "due_on": due_on.isoformat()},
    )
    return task


@transaction.atomic
def exit_task_state_set(*, task: ExitTask, state: str, done_on: date | None = None, by: User | None) -> ExitTask:
    """Move a task to not started, in progress or done. Done needs the day it was done (not after today, the clock's
    as-at date); the other states clear it. Setting the state it already has, on the same day, changes nothing."""
    if state == ExitTask.State.DONE:
        if done_on is None:
            raise ValidationError({"done_on": DONE_NEEDS_DATE})
        today = default_as_at()
        if done_on > today:
            raise ValidationError({"done_on": DONE_IN_FUTURE.format(today=today)})
    elif done_on is not None:
        raise ValidationError({"done_on": NOT_DONE_NO_DATE})
    if task.state == state and task.done_on == done_on:
        return task
    before = task.state
    model_update(task, data={"state": state, "done_on": done_on}, history_user=by)
    audit_record(
        action="programme.exit-task-state",
        by=by,
        obj=task,
        summary=f"Task {task.title!r} of the {_audit_summary(task.plan)}: {task.get_state_display().lower()}"
        + (f" on {done_on:%d %b %Y}" if done_on else ""),
        data={"from": before, "to": state, "done_on": done_on.isoformat() if done_on else None},
    )
    return task
