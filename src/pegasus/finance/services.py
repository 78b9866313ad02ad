"""Every change to the programme's ledgers: atomic, validated, attributed and audited. `<entity>_save(*, ..., by=user)`
creates the row with that reference or changes it; saving a row exactly as it is changes nothing and records nothing.

The control of PCD 579's kind is here, once, for every way in (pages, API, imports, commands): no commitment may take
an approval's committed total past its amount on any day from the commitment's date on (`rules.peak_committed`); an
actual may not pay a commitment on or after the day it was cancelled, nor on another budget line than its own.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypedDict, TypeVar, Unpack

from django.db import models, transaction

from pegasus.core import bounds
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import RuleViolation
from pegasus.core.field_bounds import FieldBounds
from pegasus.core.locks import locked_where
from pegasus.core.types import User
from pegasus.core.updates import model_update
from pegasus.estate import selectors as estate_selectors
from pegasus.finance import rules, selectors
from pegasus.finance.models import Actual, Approval, BudgetAmount, BudgetLine, Commitment, Forecast
from pegasus.governance import rules as scheme
from pegasus.governance import selectors as governance_selectors

M = TypeVar("M", bound=models.Model)
UNKNOWN = "{value} is not {what} held: {hint}."
PARENT_CYCLE = "{parent} is {code} or below it: a budget line cannot be its own ancestor."
CANCELLED_BEFORE_RAISED = "The cancellation date {cancelled} is before the commitment was raised ({raised})."
ACTUAL_OTHER_LINE = (
    "Actual {actual} is on budget line {line}, but commitment {commitment} is on {own}: an actual "
    "against a commitment is on the commitment's line."
)
ACTUAL_AFTER_CANCELLED = (
    "Commitment {commitment} was cancelled on {cancelled}: nothing can be paid against it "
    "from that day (actual {actual} paid {paid})."
)
CANCEL_BEFORE_PAID = (
    "Commitment {commitment} has actual {actual} paid on {paid}: it cannot be cancelled before that day has passed."
)
LINE_HAS_ACTUALS = "Commitment {commitment} has actuals on budget line {line}: move or remove them before moving it."
APPROVAL_BELOW_COMMITTED = (
    "Approval {approval} has £{peak:,.2f} committed against it on {day}: it cannot be reduced below that."
)


class FinanceRefused(RuleViolation):
    """A change the ledgers refuse; `field` names the field at fault."""

    def __init__(self, field: str, message: str, *, commitment: str | None = None):
        self.field = field
        self.commitment = commitment  # the commitment a refused control names
        super().__init__(message)


@dataclass(frozen=True)
class Pending:
    """An approval a write touched: verify it from `from_day`, naming `commitment` if it is exceeded."""

    approval: Approval
    from_day: date
    commitment: str


@dataclass(frozen=True)
class Saved:
    """What a save did: the row, and whether it was created, updated or left as it was."""

    row: models.Model
    outcome: str  # "created", "updated" or "unchanged"


def _save(model: type[models.Model], key: dict, values: dict, *, by: User | None, action: str) -> Saved:
    """Create the row with `key` or bring it to `values`, attributed to `by`; nothing when it already holds them."""
    row = locked_where(model, **key)
    outcome = "created" if row is None else "updated"
    if row is None:
        row = model(**key)
    elif all(getattr(row, name) == value for name, value in values.items()):
        return Saved(row, "unchanged")
    model_update(row, data=values, clean=_bounded, history_user=by)
    audit_record(
        action=f"finance.{action}-{outcome}",
        by=by,
        obj=row,
        summary=f"{str(model._meta.verbose_name).capitalize()} {row} {outcome}",
        data={name: str(value) if value is not None else None for name, value in values.items()},
    )
    return Saved(row, outcome)


def _bounded(row: models.Model) -> None:
    """Text without control characters, dates and money within what every way into Pegasus accepts."""
    checks = FieldBounds(type(row))
    texts = {f.name for f in row._meta.concrete_fields if isinstance(f, models.CharField) and not f.is_relation}
    checks.model_fields(row, names=texts)
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(field, models.DecimalField):
            checks.check(field.name, bounds.check_money, value)
        elif isinstance(field, models.DateField) and value is not None:
            checks.check(field.name, bounds.check_date, value)
    checks.raise_any()
    for field in row._meta.concrete_fields:
        if isinstance(field, models.DecimalField) and getattr(row, field.name) < 0:
            raise FinanceRefused(field.name, f"{field.name}: £{getattr(row, field.name):,.2f} is negative")


def _get(model: type[M], field: str, what: str, hint: str, **key: str) -> M:
    row = model._default_manager.filter(**key).first()
    if row is None:
        raise FinanceRefused(field, UNKNOWN.format(value=repr(next(iter(key.values()))), what=what, hint=hint))
    return row


def line_get(code: str, field: str = "budget_line") -> BudgetLine:
    return _get(BudgetLine, field, "a budget line", "import or add the budget line first", code=code)


# --- Budgets -------------------------------------------------------------------------------------------------------


@transaction.atomic
def budget_line_save(*, code: str, name: str, parent: str | None, by: User | None) -> Saved:
    if parent:
        line_get(parent, "parent")
        if rules.cycle_through(selectors.line_parents(), code, parent):
            raise FinanceRefused("parent", PARENT_CYCLE.format(parent=parent, code=code))
    return _save(BudgetLine, {"code": code}, {"name": name, "parent_id": parent or None}, by=by, action="budget-line")


@transaction.atomic
def budget_amount_save(*, line: str, year: int, amount: Decimal, by: User | None) -> Saved:
    line_get(line)
    return _save(BudgetAmount, {"line_id": line, "year": year}, {"amount": amount}, by=by, action="budget")


@transaction.atomic
def forecast_save(*, line: str, month: date, amount: Decimal, by: User | None) -> Saved:
    line_get(line)
    return _save(
        Forecast, {"line_id": line, "month": month.replace(day=1)}, {"amount": amount}, by=by, action="forecast"
    )


# --- Approvals and the control -------------------------------------------------------------------------------------


def _held(approval: str) -> dict[str, rules.Held]:
    rows = Commitment.objects.filter(approval_id=approval).values_list(
        "reference", "raised_on", "cancelled_on", "amount"
    )
    return {ref: rules.Held(raised, cancelled, amount) for ref, raised, cancelled, amount in rows}


def approval_verify(approval: Approval, *, from_day: date, culprit: str) -> None:
    """Refuse what has been written if the approval's committed total now exceeds its amount on any day from
    `from_day` on; call it inside the transaction that wrote, after writing, with the approval locked. The headroom
    the refusal names is what was left for commitment `culprit` on the day the total is exceeded."""
    held = _held(approval.reference)
    peak, day = rules.peak_committed(held.values(), from_day)
    if peak <= approval.amount:
        return
    shortfall = peak - approval.amount
    headroom = approval.amount - rules.committed_on([h for ref, h in held.items() if ref != culprit], day)
    try:
        needed = scheme.approver_for(decision_type=scheme.DecisionType.BUSINESS_CASE, value=shortfall, day=day)
        approver, clause = needed.approver, needed.clause
    except scheme.SchemeInputError:
        approver, clause = "the approver the scheme of delegation names", None
    raise FinanceRefused(
        "amount",
        rules.shortfall_message(
            approval=approval.reference,
            headroom=max(headroom, rules.ZERO),
            shortfall=shortfall,
            approver=approver,
            clause=clause,
        ),
        commitment=culprit,
    )


def _decision_get(reference: str):
    decision = governance_selectors.approved_decision(reference)
    if decision is None:
        raise FinanceRefused(
            "decision",
            UNKNOWN.format(value=repr(reference), what="a decision approved in Pegasus", hint="leave it empty"),
        )
    return decision


@transaction.atomic
def approval_save(
    *, reference: str, line: str, amount: Decimal, approved_on: date, decision: str | None, by: User | None
) -> Saved:
    line_get(line)
    values = {
        "line_id": line,
        "amount": amount,
        "approved_on": approved_on,
        "decision": _decision_get(decision) if decision else None,
    }
    saved = _save(Approval, {"reference": reference}, values, by=by, action="approval")
    if saved.outcome == "updated":
        held = _held(reference)
        peak, day = rules.peak_committed(held.values(), min((h.raised_on for h in held.values()), default=approved_on))
        if peak > amount:
            raise FinanceRefused("amount", APPROVAL_BELOW_COMMITTED.format(approval=reference, peak=peak, day=day))
    return saved


# --- Commitments and actuals ---------------------------------------------------------------------------------------


def _approval_locked(reference: str) -> Approval:
    approval = locked_where(Approval, reference=reference)
    if approval is None:
        raise FinanceRefused(
            "approval", UNKNOWN.format(value=repr(reference), what="an approval", hint="import it first")
        )
    return approval


def commitment_write(
    *,
    reference: str,
    line: str,
    approval: str | None,
    supplier: str,
    description: str,
    raised_on: date,
    amount: Decimal,
    cancelled_on: date | None,
    contract: str | None,
    by: User | None,
) -> tuple[Saved, list["Pending"]]:
    """Write one commitment without the approval control, and say which approvals to verify from which day.

    The imports write many rows and then verify each approval once; `commitment_save` verifies at once.
    """
    line_get(line)
    to_verify: list[Pending] = []
    if approval:
        to_verify.append(Pending(_approval_locked(approval), raised_on, reference))
    if contract:
        if not estate_selectors.contracts_of([contract]).exists():
            raise FinanceRefused(
                "contract", UNKNOWN.format(value=repr(contract), what="a contract", hint="leave it empty")
            )
    if cancelled_on is not None and cancelled_on < raised_on:
        raise FinanceRefused("cancelled_on", CANCELLED_BEFORE_RAISED.format(cancelled=cancelled_on, raised=raised_on))
    current = locked_where(Commitment, reference=reference)
    if current is not None:
        paid = Actual.objects.filter(commitment_id=reference)
        if current.line_id != line and paid.exists():
            raise FinanceRefused("budget_line", LINE_HAS_ACTUALS.format(commitment=reference, line=current.line_id))
        late = paid.filter(paid_on__gte=cancelled_on).order_by("paid_on").first() if cancelled_on else None
        if late is not None:
            raise FinanceRefused(
                "cancelled_on",
                CANCEL_BEFORE_PAID.format(commitment=reference, actual=late.reference, paid=late.paid_on),
            )
    values = {
        "line_id": line,
        "approval_id": approval or None,
        "supplier": supplier,
        "description": description,
        "raised_on": raised_on,
        "amount": amount,
        "cancelled_on": cancelled_on,
        "contract_id": contract or None,
    }
    saved = _save(Commitment, {"reference": reference}, values, by=by, action="commitment")
    if saved.outcome == "unchanged":
        return saved, []
    return saved, to_verify


class CommitmentFields(TypedDict):
    """What `commitment_write` takes, named once for `commitment_save` to pass on."""

    reference: str
    line: str
    approval: str | None
    supplier: str
    description: str
    raised_on: date
    amount: Decimal
    cancelled_on: date | None
    contract: str | None
    by: User | None


@transaction.atomic
def commitment_save(**fields: Unpack[CommitmentFields]) -> Saved:
    """Raise or change a commitment; refused, with nothing written, if it would exceed its approval."""
    saved, to_verify = commitment_write(**fields)
    approvals_verify(to_verify)
    return saved


@transaction.atomic
def commitment_cancel(*, reference: str, on: date, by: User | None) -> Saved:
    """Cancel a commitment from `on`: from that day it no longer counts, and its approval's headroom is freed."""
    current = _get(Commitment, "commitment", "a commitment", "check the reference", reference=reference)
    fields = {name: getattr(current, name) for name in ("supplier", "description", "raised_on", "amount")}
    return commitment_save(
        reference=reference,
        line=current.line_id,
        approval=current.approval_id,
        contract=current.contract_id,
        cancelled_on=on,
        by=by,
        **fields,
    )


@transaction.atomic
def actual_save(
    *, reference: str, line: str, commitment: str | None, paid_on: date, amount: Decimal, by: User | None
) -> Saved:
    line_get(line)
    if commitment:
        paying = _get(Commitment, "commitment", "a commitment", "import the commitment first", reference=commitment)
        if paying.line_id != line:
            raise FinanceRefused(
                "budget_line",
                ACTUAL_OTHER_LINE.format(actual=reference, line=line, commitment=commitment, own=paying.line_id),
            )
        if paying.cancelled_on is not None and paid_on >= paying.cancelled_on:
            raise FinanceRefused(
                "commitment",
                ACTUAL_AFTER_CANCELLED.format(
                    commitment=commitment, cancelled=paying.cancelled_on, actual=reference, paid=paid_on
                ),
            )
    values = {"line_id": line, "commitment_id": commitment or None, "paid_on": paid_on, "amount": amount}
    return _save(Actual, {"reference": reference}, values, by=by, action="actual")


def approvals_verify(pending: Iterable[Pending]) -> None:
    """Verify each approval once, from the earliest day any write touched it, naming the last commitment written."""
    earliest: dict[str, Pending] = {}
    for each in pending:
        known = earliest.get(each.approval.reference)
        day = min(each.from_day, known.from_day) if known else each.from_day
        earliest[each.approval.reference] = Pending(each.approval, day, each.commitment)
    for each in earliest.values():
        approval_verify(each.approval, from_day=each.from_day, culprit=each.commitment)
