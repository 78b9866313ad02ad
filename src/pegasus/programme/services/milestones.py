"""Every change to the programme's milestones and its tolerance: atomic, validated, attributed and audited.

A milestone tied to a procurement's stage holds no actual date of its own: it reads the stage's actual start or end
(recorded by `pegasus.procurement.services.stage_actuals_set`), so the two can never disagree.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pegasus.core import bounds
from pegasus.core.audit import audit_record
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.types import User
from pegasus.core.updates import model_update
from pegasus.programme.models import BusinessCase, Milestone, Programme

MILESTONE_NAME_TAKEN = "The programme already has a milestone called {name}: choose another name"
STAGE_TAKES_ACTUAL = "A milestone tied to a procurement stage takes its actual date from the stage: leave this empty"
ONE_OWNER_RECORD = "A milestone belongs to a procurement stage or to a business case, not both: choose one"
CASE_OF_OTHER_PROGRAMME = "Choose a business case of this programme"
TOLERANCE_RANGE = "The tolerance must be between 0 and 365 days"
MAX_TOLERANCE_DAYS = 365
MILESTONE_FIELDS = ("name", "owner", "baseline_on", "forecast_on", "actual_on", "stage", "stage_event", "business_case")


def _check(milestone: Milestone) -> None:
    checks = FieldBounds(Milestone)
    checks.model_fields(milestone, names={"name", "owner", "baseline_on", "forecast_on", "actual_on"})
    checks.raise_any()
    errors: dict[str, str] = {}
    if milestone.stage_id is not None and milestone.business_case_id is not None:
        errors["business_case"] = ONE_OWNER_RECORD
    if milestone.stage_id is not None and milestone.actual_on is not None:
        errors["actual_on"] = STAGE_TAKES_ACTUAL
    case = milestone.business_case
    if case is not None and case.programme_id != milestone.programme_id:
        errors["business_case"] = CASE_OF_OTHER_PROGRAMME
    duplicate = Milestone.objects.filter(programme=milestone.programme, name=milestone.name)
    if milestone.pk is not None:
        duplicate = duplicate.exclude(pk=milestone.pk)
    if duplicate.exists():
        errors["name"] = MILESTONE_NAME_TAKEN.format(name=milestone.name)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def milestone_save(
    *,
    programme: Programme,
    milestone: Milestone | None = None,
    name: str,
    owner: str,
    baseline_on: date,
    forecast_on: date,
    actual_on: date | None = None,
    stage: Any | None = None,  # a procurement Stage
    stage_event: str = Milestone.Event.END,
    business_case: BusinessCase | None = None,
    by: User | None,
) -> Milestone:
    """Create a milestone of the programme, or change `milestone`; refused naming the field at fault."""
    data = {
        "name": name,
        "owner": owner,
        "baseline_on": baseline_on,
        "forecast_on": forecast_on,
        "actual_on": actual_on,
        "stage": stage,
        "stage_event": stage_event,
        "business_case": business_case,
    }
    if milestone is None:
        milestone = Milestone(programme=programme, **data)
        _check(milestone)
        full_clean(milestone, validate_unique=False)
        milestone.save()
        action, verb = "programme.milestone-create", "Added"
    else:
        before = {
            name: getattr(milestone, f"{name}_id" if name in ("stage", "business_case") else name) for name in data
        }
        after = {name: getattr(value, "pk", value) for name, value in data.items()}
        if before == after:
            return milestone
        model_update(milestone, data=data, check=lambda: _check(milestone), history_user=by)
        action, verb = "programme.milestone-update", "Changed"
    audit_record(
        action=action,
        by=by,
        obj=milestone,
        summary=f"{verb} milestone {milestone.name}: baseline {baseline_on:%d %b %Y}, forecast {forecast_on:%d %b %Y}",
        data={
            "baseline_on": baseline_on.isoformat(),
            "forecast_on": forecast_on.isoformat(),
            "actual_on": actual_on.isoformat() if actual_on else None,
            "stage": getattr(stage, "pk", None),
            "stage_event": stage_event,
            "business_case": getattr(business_case, "reference", None),
        },
    )
    return milestone


@transaction.atomic
def programme_tolerance_set(*, programme: Programme, tolerance_days: int, by: User | None) -> Programme:
    """Set how many days a milestone's forecast may slip past its baseline and still be amber rather than red."""
    checks = FieldBounds(Programme)
    checks.check("tolerance_days", bounds.check_int, tolerance_days, 0, MAX_TOLERANCE_DAYS, label="Tolerance")
    checks.raise_any()
    before = programme.tolerance_days
    if before == tolerance_days:
        return programme
    model_update(programme, data={"tolerance_days": tolerance_days}, history_user=by)
    audit_record(
        action="programme.tolerance",
        by=by,
        obj=programme,
        summary=f"Milestone tolerance of {programme.name} from {before} to {tolerance_days} days",
        data={"from": before, "to": tolerance_days},
    )
    return programme
