"""Every change to a procurement: atomic, validated, attributed and audited. `<entity>_<verb>(*, ..., by=user)`."""

from datetime import date
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction

from pegasus.core import bounds
from pegasus.core.audit import audit_record
from pegasus.core.clock import default_as_at
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.types import User
from pegasus.core.updates import model_update
from pegasus.procurement import schedule
from pegasus.procurement.models import Procurement, Stage

PROCUREMENT_NEEDS_A_CONTRACT = "Select at least one contract the procurement replaces"
OPTION_NOT_OF_A_REPLACED_CONTRACT = "The extension option must belong to a contract the procurement replaces"
AWARDED_IS_REPLACED = "The contract awarded cannot be one the procurement replaces: choose the new contract"
OPTION_LAPSED = "That extension option has lapsed: choose another, or the current end"
LOT_NOT_CHOSEN = "Lot {position} of {name} is not of the chosen scenario: choose a lot of the chosen scenario"
STAGE_PERIOD_SET_BY_LAW = "The standstill period is set by law ({basis}) and cannot be changed"
STAGE_UNDER_MINIMUM = "The {stage} must be at least {minimum} days, the statutory minimum ({basis})"
STAGE_AT_LEAST_A_DAY = "The {stage} must last at least 1 day"
# Ten years: far beyond any stage, and short enough that the schedule stays within the dates Pegasus stores.
MAX_STAGE_DAYS = 3650

PROCUREMENT_FIELDS = (
    "reference",
    "title",
    "description",
    "starts_on",
    "route",
    "direct_award_justification",
    "annual_value",
    "value_vat_basis",
    "term_months",
    "extension_months",
    "authority_kind",
    "contract_type",
)


class ProcurementFields(TypedDict, total=False):
    """A procurement's own facts (`PROCUREMENT_FIELDS` and the lot it buys), as its create and update take them."""

    reference: str
    title: str
    description: str
    starts_on: date
    route: str
    direct_award_justification: str
    annual_value: Decimal
    value_vat_basis: str
    term_months: int
    extension_months: int
    authority_kind: str
    contract_type: str
    replaces_lot: Any  # a lot of the chosen sourcing scenario, or None: sourcing's model is not named here
    awarded_contract: Any  # the estate Contract the procurement awarded, or None


def _validate_replaces(contracts: list[Any], option: Any | None, awarded: Any | None = None) -> None:
    if not contracts:
        raise ValidationError({"replaces": PROCUREMENT_NEEDS_A_CONTRACT})
    if awarded is not None and awarded.pk in {c.pk for c in contracts}:
        raise ValidationError({"awarded_contract": AWARDED_IS_REPLACED})
    if option is not None:
        if option.contract_id not in {c.pk for c in contracts}:
            raise ValidationError({"replaces_end_option": OPTION_NOT_OF_A_REPLACED_CONTRACT})
        if option.state == "lapsed":
            raise ValidationError({"replaces_end_option": OPTION_LAPSED})


def _check_bounds(procurement: Procurement) -> None:
    """What every way in may store: text without control characters, a start date, value and lengths within
    `pegasus.core.bounds`, so that the schedule computed from them stays within the dates Pegasus can hold."""
    checks = FieldBounds(Procurement)
    checks.model_fields(procurement, names=set(PROCUREMENT_FIELDS) - {"annual_value"})
    checks.check("annual_value", bounds.check_money, procurement.annual_value)
    checks.check("term_months", bounds.check_months, procurement.term_months)
    checks.check("extension_months", bounds.check_months, procurement.extension_months, lo=0)
    checks.raise_any()


def _validate_lot(procurement: Procurement, before: int | None) -> None:
    """A procurement newly buying a lot buys one of the chosen scenario; a lot already bought stays."""
    lot = procurement.replaces_lot
    if lot is not None and lot.pk != before and not lot.scenario.chosen:
        raise ValidationError({"replaces_lot": LOT_NOT_CHOSEN.format(position=lot.position, name=lot.scenario.name)})


def _stages_reset(procurement: Procurement, kept: dict[str, int | None]) -> None:
    """Give the procurement the default stages of its route, keeping the durations of stages it already had."""
    procurement.stages.all().delete()
    templates = schedule.route_stages(procurement.regime, schedule.Route(procurement.route))
    Stage.objects.bulk_create(
        Stage(
            procurement=procurement,
            kind=t.key,
            position=n,
            days=None if t.counting is schedule.Counting.STANDSTILL else kept.get(t.key) or t.days,
        )
        for n, t in enumerate(templates, start=1)
    )


@transaction.atomic
def procurement_create(
    *,
    contracts: list[Any],  # estate Contracts
    replaces_end_option: Any | None = None,  # an estate ExtensionOption
    by: User | None,
    **fields: Unpack[ProcurementFields],
) -> Procurement:
    """Create a procurement replacing `contracts`, with the default stages of its route."""
    procurement = Procurement(replaces_end_option=replaces_end_option, **fields)
    full_clean(procurement)
    _check_bounds(procurement)
    _validate_replaces(contracts, replaces_end_option, procurement.awarded_contract)
    _validate_lot(procurement, None)
    procurement.save()
    procurement.replaces.set(contracts)
    _stages_reset(procurement, {})
    audit_record(
        action="procurement.create",
        by=by,
        obj=procurement,
        summary=f"Created procurement {procurement.reference} ({procurement.route_label})",
        data={"replaces": sorted(c.reference for c in contracts), "route": procurement.route},
    )
    return procurement


@transaction.atomic
def procurement_update(
    *,
    procurement: Procurement,
    contracts: list[Any],  # estate Contracts
    replaces_end_option: Any | None = None,  # an estate ExtensionOption
    by: User | None,
    **fields: Unpack[ProcurementFields],
) -> Procurement:
    """Change a procurement; a new regime or route resets its stages, keeping the durations of shared stages."""
    before = (procurement.regime, procurement.route)
    lot_before = procurement.replaces_lot_id

    def check() -> None:
        _check_bounds(procurement)
        _validate_replaces(contracts, replaces_end_option, procurement.awarded_contract)
        _validate_lot(procurement, lot_before)

    model_update(procurement, data={**fields, "replaces_end_option": replaces_end_option}, check=check)
    procurement.replaces.set(contracts)
    if (procurement.regime, procurement.route) != before:
        _stages_reset(procurement, {st.kind: st.days for st in procurement.stages.all()})
    audit_record(
        action="procurement.update",
        by=by,
        obj=procurement,
        summary=f"Changed procurement {procurement.reference}",
        data={"fields": sorted(fields), "replaces": sorted(c.reference for c in contracts)},
    )
    return procurement


@transaction.atomic
def stage_duration_set(*, stage: Stage, days: int, by: User | None) -> Stage:
    """Change how long a stage takes; never below its statutory minimum, and never for the standstill."""
    procurement = stage.procurement
    template = next(
        t for t in schedule.route_stages(procurement.regime, schedule.Route(procurement.route)) if t.key == stage.kind
    )
    label = stage.get_kind_display().lower()
    if template.counting is schedule.Counting.STANDSTILL:
        raise ValidationError({"days": STAGE_PERIOD_SET_BY_LAW.format(basis=template.basis)})
    if days < 1:
        raise ValidationError({"days": STAGE_AT_LEAST_A_DAY.format(stage=label)})
    checks = FieldBounds(Stage)
    checks.check("days", bounds.check_int, days, 1, MAX_STAGE_DAYS, label=f"{stage.get_kind_display()} duration")
    checks.raise_any()
    if template.minimum is not None and days < template.minimum:
        raise ValidationError(
            {"days": STAGE_UNDER_MINIMUM.format(stage=label, minimum=template.minimum, basis=template.basis)}
        )
    before = stage.days
    stage.days = days
    full_clean(stage)
    stage.save(update_fields=["days"])
    audit_record(
        action="procurement.stage-duration",
        by=by,
        obj=procurement,
        summary=f"{procurement.reference}: {label} from {before} to {days} days",
        data={"stage": stage.kind, "from": before, "to": days},
    )
    return stage


@transaction.atomic
def procurement_award_record(*, procurement: Procurement, contract: Any, by: User | None) -> Procurement:
    """Record the contract a procurement awarded (an estate Contract, not one it replaces); recording the same
    contract again changes nothing."""
    if procurement.awarded_contract_id == contract.pk:
        return procurement
    _validate_replaces(list(procurement.replaces.all()), None, contract)
    model_update(procurement, data={"awarded_contract": contract}, history_user=by)
    audit_record(
        action="procurement.award",
        by=by,
        obj=procurement,
        summary=f"{procurement.reference} awarded contract {contract.reference}",
        data={"contract": contract.reference},
    )
    return procurement


STAGE_END_BEFORE_START = "The actual end cannot be before the actual start ({start:%d %B %Y})"
STAGE_END_WITHOUT_START = "Enter the actual start before the actual end"
STAGE_ACTUAL_IN_FUTURE = "The {which} cannot be after today ({today:%d %B %Y}): record what has happened"


@transaction.atomic
def stage_actuals_set(*, stage: Stage, actual_start: date | None, actual_end: date | None, by: User | None) -> Stage:
    """Record when a stage actually started and ended (either may be cleared); the programme's milestones tied to
    the stage read their actual dates from these.

    Refused, naming the field: an end without a start, an end before the start, a date after today (the clock's
    as-at date, so a demo fixed on a day cannot record what has not happened by then)."""
    today = default_as_at()
    errors: dict[str, str] = {}
    for name, value, which in (
        ("actual_start", actual_start, "actual start"),
        ("actual_end", actual_end, "actual end"),
    ):
        if value is not None and value > today:
            errors[name] = STAGE_ACTUAL_IN_FUTURE.format(which=which, today=today)
    if "actual_end" not in errors and actual_end is not None:
        if actual_start is None:
            errors["actual_end"] = STAGE_END_WITHOUT_START
        elif actual_end < actual_start:
            errors["actual_end"] = STAGE_END_BEFORE_START.format(start=actual_start)
    if errors:
        raise ValidationError(errors)
    before = {"actual_start": stage.actual_start, "actual_end": stage.actual_end}
    model_update(stage, data={"actual_start": actual_start, "actual_end": actual_end}, history_user=by)
    procurement = stage.procurement
    label = stage.get_kind_display().lower()

    def shown(day: date | None) -> str:
        return f"{day:%d %b %Y}" if day else "not recorded"

    audit_record(
        action="procurement.stage-actuals",
        by=by,
        obj=procurement,
        summary=f"{procurement.reference}: {label} actually started {shown(actual_start)}, ended {shown(actual_end)}",
        data={
            "stage": stage.kind,
            "from": {k: v.isoformat() if v else None for k, v in before.items()},
            "to": {
                "actual_start": actual_start.isoformat() if actual_start else None,
                "actual_end": actual_end.isoformat() if actual_end else None,
            },
        },
    )
    return stage


# --- Schedule risk: a stage's three-point estimate ---

ESTIMATE_ALL_OR_NONE = "Give the optimistic, most likely and pessimistic days together, or none of them"
ESTIMATE_PESSIMISTIC_BELOW_OPTIMISTIC = "The pessimistic days cannot be fewer than the optimistic days"
ESTIMATE_MOST_LIKELY_OUTSIDE = "The most likely days must be from the optimistic to the pessimistic days"
ESTIMATE_NOT_NEGATIVE = "Days cannot be negative"


@transaction.atomic
def stage_estimate_set(
    *,
    stage: Stage,
    optimistic: Decimal | None,
    most_likely: Decimal | None,
    pessimistic: Decimal | None,
    distribution: str = Stage.Distribution.PERT,
    by: User | None,
) -> Stage:
    """Set (or, with no days, clear) a stage's three-point estimate in calendar days and its distribution."""
    days = {"optimistic_days": optimistic, "most_likely_days": most_likely, "pessimistic_days": pessimistic}
    given = [v is not None for v in days.values()]
    if any(given) and not all(given):
        missing = next(name for name, v in days.items() if v is None)
        raise ValidationError({missing: ESTIMATE_ALL_OR_NONE})
    if all(given):
        assert optimistic is not None and most_likely is not None and pessimistic is not None
        negative = next((name for name, v in days.items() if v is not None and v < 0), None)
        if negative:
            raise ValidationError({negative: ESTIMATE_NOT_NEGATIVE})
        if pessimistic < optimistic:
            raise ValidationError({"pessimistic_days": ESTIMATE_PESSIMISTIC_BELOW_OPTIMISTIC})
        if not optimistic <= most_likely <= pessimistic:
            raise ValidationError({"most_likely_days": ESTIMATE_MOST_LIKELY_OUTSIDE})
    before = {name: getattr(stage, name) for name in (*days, "distribution")}
    model_update(stage, data={**days, "distribution": distribution}, history_user=by)
    procurement = stage.procurement
    label = stage.get_kind_display().lower()
    summary = (
        f"{procurement.reference}: {label} estimated {optimistic}/{most_likely}/{pessimistic} days ({distribution})"
        if all(given)
        else f"{procurement.reference}: {label} estimate cleared"
    )
    audit_record(
        action="procurement.stage-estimate",
        by=by,
        obj=procurement,
        summary=summary,
        data={
            "stage": stage.kind,
            "from": {k: None if v is None else str(v) for k, v in before.items()},
            "to": {k: None if v is None else str(v) for k, v in {**days, "distribution": distribution}.items()},
        },
    )
    return stage
