"""Every change to the RAID log: atomic, validated, attributed (simple_history names who) and audited.

`raid_item_save` creates the item with its reference or brings it to the values given; saving an item exactly as it
is changes nothing and records nothing, so an import read twice writes once. Each kind has what it needs: a risk its
cause, event, effect and inherent probability and impact (the residual whole or not at all); an issue its priority
and, once closed, its resolution. Only a risk is scored and only an issue has a priority. An item is closed by a
closing date (`raid_item_close`) and opened again by `raid_item_reopen`. A refusal is a ValidationError naming the
field at fault.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from pegasus.core.audit import audit_record
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.locks import locked, locked_where
from pegasus.core.transitions import transition_require
from pegasus.core.types import User
from pegasus.core.updates import model_update
from pegasus.programme import risk
from pegasus.programme.models import Mitigation, Programme, RaidItem, RaidKind, RaidStatus

RISK_NEEDS = "A risk states its {what}: enter it."
RISK_NEEDS_RATING = "A risk is scored before its mitigations: enter its inherent {what} (1 to 5)."
RESIDUAL_WHOLE = "Enter both the residual probability and the residual impact, or neither."
ONLY_RISK_SCORED = "Only a risk is scored: an {kind} has no {what}."
ISSUE_NEEDS_PRIORITY = "An issue has a priority: select one."
ONLY_ISSUE_PRIORITY = "Only an issue has a priority: an {kind} has none."
CLOSED_BEFORE_RAISED = "The closing date {closed} is before the item was raised ({raised})."
CLOSED_ISSUE_NEEDS_RESOLUTION = "A closed issue says how it was resolved: enter the resolution."
CLOSE_NEEDS_DATE = "Enter the date it was closed."
ALREADY_CLOSED = "{reference} was closed on {closed}: reopen it first to close it again."
NOT_CLOSED = "{reference} is open: only a closed item can be reopened."
KIND_FIXED = "{reference} is a {kind}: an item keeps its kind (raise a new one instead)."
REFERENCE_PREFIX = "A {kind}'s reference starts {prefix}-, for example {prefix}-001."
DONE_BEFORE_RAISED = "The date done {done} is before {reference} was raised ({raised})."
MITIGATION_NOT_OF_ITEM = "That mitigation is not one of {reference}'s."

TEXTS = ("title", "description", "owner", "cause", "event", "effect", "resolution")
LINKS = ("contract", "procurement", "decision", "milestone", "business_case")


@dataclass(frozen=True)
class Saved:
    """What a save did: the row, and whether it was created, updated or left as it was."""

    row: Any
    outcome: str  # "created", "updated" or "unchanged"


def _bounded(row: models.Model) -> None:
    """Text without control characters and within length; dates within what every way into Pegasus accepts."""
    checks = FieldBounds(type(row))
    checks.model_fields(row)
    checks.raise_any()


def _kind_errors(item: RaidItem) -> dict[str, str]:
    """What the item's kind asks of it, field by field."""
    errors: dict[str, str] = {}
    kind_label = RaidKind(item.kind).label.lower() if item.kind in RaidKind.values else item.kind
    if item.kind == RaidKind.RISK:
        for name in ("cause", "event", "effect"):
            if not getattr(item, name):
                errors[name] = RISK_NEEDS.format(what=name)
        for name, what in (("inherent_probability", "probability"), ("inherent_impact", "impact")):
            if getattr(item, name) is None:
                errors[name] = RISK_NEEDS_RATING.format(what=what)
        if (item.residual_probability is None) != (item.residual_impact is None):
            missing = "residual_probability" if item.residual_probability is None else "residual_impact"
            errors[missing] = RESIDUAL_WHOLE
    else:
        for name in ("inherent_probability", "inherent_impact", "residual_probability", "residual_impact"):
            if getattr(item, name) is not None:
                errors[name] = ONLY_RISK_SCORED.format(kind=kind_label, what=name.replace("_", " "))
    if item.kind == RaidKind.ISSUE:
        if not item.priority:
            errors["priority"] = ISSUE_NEEDS_PRIORITY
        if item.closed_on is not None and not item.resolution:
            errors["resolution"] = CLOSED_ISSUE_NEEDS_RESOLUTION
    elif item.priority:
        errors["priority"] = ONLY_ISSUE_PRIORITY.format(kind=kind_label)
    if item.closed_on is not None and item.raised_on is not None and item.closed_on < item.raised_on:
        errors["closed_on"] = CLOSED_BEFORE_RAISED.format(closed=item.closed_on, raised=item.raised_on)
    prefix = risk.PREFIXES.get(item.kind)
    if prefix and item.reference and not item.reference.startswith(f"{prefix}-"):
        errors["reference"] = REFERENCE_PREFIX.format(kind=kind_label, prefix=prefix)
    return errors


def _validated(item: RaidItem) -> None:
    """The kind's own rules first (each on its field), then the model's own validation."""
    _bounded(item)
    errors = _kind_errors(item)
    if errors:
        raise ValidationError(errors)
    full_clean(item)


def raid_reference_next(kind: str) -> str:
    """The next free reference of a kind: R-001, A-001, I-001, D-001 and on."""
    prefix = risk.PREFIXES[kind]
    taken = RaidItem.objects.filter(reference__startswith=f"{prefix}-").values_list("reference", flat=True)
    return risk.next_reference(prefix, taken)


def _line(text: str) -> str:
    """One line of text as every way in holds it: spaces collapsed (an import reads a cell so, and must match)."""
    return " ".join(text.split())


def _values(item: RaidItem, names) -> dict[str, object]:
    return {name: getattr(item, name) for name in names}


def _record(item: RaidItem, *, action: str, by: User | None, summary: str, data: dict | None = None) -> None:
    audit_record(action=f"programme.raid-{action}", by=by, obj=item, summary=summary, data=data or {})


@transaction.atomic
def raid_item_save(
    *,
    programme: Programme,
    reference: str | None = None,
    kind: str,
    title: str,
    owner: str,
    raised_on: date,
    description: str = "",
    cause: str = "",
    event: str = "",
    effect: str = "",
    inherent_probability: int | None = None,
    inherent_impact: int | None = None,
    residual_probability: int | None = None,
    residual_impact: int | None = None,
    proximity: date | None = None,
    priority: str = "",
    resolution: str = "",
    closed_on: date | None = None,
    contract: Any = None,
    procurement: Any = None,
    decision: Any = None,
    milestone: Any = None,
    business_case: Any = None,
    by: User | None,
) -> Saved:
    """Create the RAID item with `reference` (the next of its kind when none is given) or bring it to these values;
    it is closed exactly when `closed_on` is given. Unchanged when it already holds them."""
    reference = (reference or "").strip()
    existing = locked_where(RaidItem, reference=reference) if reference else None
    if existing is not None and existing.kind != kind:
        raise ValidationError(
            {"kind": KIND_FIXED.format(reference=reference, kind=RaidKind(existing.kind).label.lower())}
        )
    values: dict[str, object] = {
        "programme": programme,
        "kind": kind,
        "title": _line(title),
        "description": description.strip(),
        "owner": _line(owner),
        "raised_on": raised_on,
        "cause": cause.strip(),
        "event": event.strip(),
        "effect": effect.strip(),
        "inherent_probability": inherent_probability,
        "inherent_impact": inherent_impact,
        "residual_probability": residual_probability,
        "residual_impact": residual_impact,
        "proximity": proximity,
        "priority": priority,
        "resolution": resolution.strip(),
        "closed_on": closed_on,
        "status": RaidStatus.CLOSED if closed_on else RaidStatus.OPEN,
        "contract": contract,
        "procurement": procurement,
        "decision": decision,
        "milestone": milestone,
        "business_case": business_case,
    }
    if existing is not None and all(getattr(existing, name) == value for name, value in values.items()):
        return Saved(existing, "unchanged")
    if kind not in RaidKind.values:
        raise ValidationError({"kind": f"Select a kind: {', '.join(RaidKind.labels)}."})
    item = existing or RaidItem(reference=reference or raid_reference_next(kind))
    before = _values(item, values) if existing is not None else {}
    model_update(item, data=values, clean=_validated, history_user=by)
    outcome = "updated" if existing is not None else "created"
    changed = sorted(name for name in values if existing is not None and before[name] != values[name])
    _record(
        item,
        action=outcome,
        by=by,
        summary=f"RAID {item.kind} {item.reference} {outcome}" + (f": {', '.join(changed)}" if changed else ""),
        data={name: str(values[name]) if values[name] is not None else None for name in (changed or values)},
    )
    return Saved(item, outcome)


@transaction.atomic
def raid_item_close(*, item: RaidItem, closed_on: date | None, resolution: str = "", by: User | None) -> RaidItem:
    """Close an open item on `closed_on` (an issue with how it was resolved).

    Refused (ValidationError on its field) without a date, with a date before it was raised, or for an issue without
    a resolution; InvalidTransition when it is already closed."""
    item = locked(RaidItem, item.pk)
    transition_require(
        item.status == RaidStatus.OPEN,
        lambda: ALREADY_CLOSED.format(reference=item.reference, closed=f"{item.closed_on:%d %B %Y}"),
    )
    if closed_on is None:
        raise ValidationError({"closed_on": CLOSE_NEEDS_DATE})
    closing = {"status": RaidStatus.CLOSED, "closed_on": closed_on}
    model_update(
        item,
        data=closing | ({"resolution": resolution.strip()} if resolution.strip() else {}),
        clean=_validated,
        history_user=by,
    )
    _record(
        item,
        action="closed",
        by=by,
        summary=f"RAID {item.kind} {item.reference} closed on {closed_on:%d %B %Y}",
        data={"closed_on": closed_on.isoformat(), "resolution": item.resolution},
    )
    return item


@transaction.atomic
def raid_item_reopen(*, item: RaidItem, by: User | None) -> RaidItem:
    """Open a closed item again, its closing date cleared (its resolution kept for the record).

    InvalidTransition when it is open."""
    item = locked(RaidItem, item.pk)
    transition_require(item.status == RaidStatus.CLOSED, lambda: NOT_CLOSED.format(reference=item.reference))
    closed_on = item.closed_on
    model_update(item, data={"status": RaidStatus.OPEN, "closed_on": None}, clean=_validated, history_user=by)
    _record(
        item,
        action="reopened",
        by=by,
        summary=f"RAID {item.kind} {item.reference} reopened (it had been closed on {closed_on:%d %B %Y})",
    )
    return item


@transaction.atomic
def mitigation_save(
    *,
    item: RaidItem,
    mitigation: Mitigation | None = None,
    action: str,
    owner: str,
    due_on: date,
    done_on: date | None = None,
    by: User | None,
) -> Saved:
    """Add a mitigation to an item, or change one of its own."""
    if mitigation is not None:
        mitigation = locked(Mitigation, mitigation.pk, related=("item",))
        if mitigation.item_id != item.pk:
            raise ValidationError(MITIGATION_NOT_OF_ITEM.format(reference=item.reference))
    values = {"action": action.strip(), "owner": _line(owner), "due_on": due_on, "done_on": done_on}
    if mitigation is not None and all(getattr(mitigation, k) == v for k, v in values.items()):
        return Saved(mitigation, "unchanged")
    outcome = "updated" if mitigation is not None else "created"
    row = mitigation or Mitigation(item=item)
    model_update(row, data=values, clean=_mitigation_checked, history_user=by)
    audit_record(
        action=f"programme.mitigation-{outcome}",
        by=by,
        obj=row,
        summary=f"Mitigation of {item.reference} {outcome}: {row.action[:200]}",
        data={name: str(value) if value is not None else None for name, value in values.items()},
    )
    return Saved(row, outcome)


def _mitigation_checked(row: Mitigation) -> None:
    """A mitigation done no earlier than its item was raised, within bounds, and clean."""
    _check_done(row, row.item)
    _bounded(row)
    full_clean(row)


def _check_done(row: Mitigation, item: RaidItem) -> None:
    if row.done_on is not None and row.done_on < item.raised_on:
        raise ValidationError(
            {"done_on": DONE_BEFORE_RAISED.format(done=row.done_on, reference=item.reference, raised=item.raised_on)}
        )


@transaction.atomic
def mitigation_done(*, mitigation: Mitigation, done_on: date | None, by: User | None) -> Mitigation:
    """Record the day a mitigation was done."""
    row = locked(Mitigation, mitigation.pk, related=("item",))
    if done_on is None:
        raise ValidationError({"done_on": "Enter the date it was done."})
    model_update(row, data={"done_on": done_on}, clean=_mitigation_checked, history_user=by)
    audit_record(
        action="programme.mitigation-done",
        by=by,
        obj=row,
        summary=f"Mitigation of {row.item.reference} done on {done_on:%d %B %Y}: {row.action[:200]}",
        data={"done_on": done_on.isoformat()},
    )
    return row
