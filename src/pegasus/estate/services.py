"""Every change to the estate: atomic, validated, attributed and audited. `<entity>_<verb>(*, ..., by=user)`."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction

from pegasus.core import bounds
from pegasus.core.audit import audit_record
from pegasus.core.clock import london_today, now
from pegasus.core.exceptions import RuleViolation
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.locks import locked, locked_where
from pegasus.core.roles import Role, has_role
from pegasus.core.transitions import status_require, transition_require
from pegasus.core.types import User
from pegasus.core.updates import attributed, model_update
from pegasus.estate import selectors, terms
from pegasus.estate.models import (
    Contract,
    ContractChange,
    ContractStatus,
    ContractTower,
    ExtensionOption,
    Organisation,
    ServiceTower,
    Spend,
    Supplier,
)
from pegasus.governance.rules import DecisionType, SchemeInputError, approver_for
from pegasus.governance.selectors import holds_office
from pegasus.procurement.law import Regime
from pegasus.procurement.modification import GROUNDS

TOWER_SHARES_MUST_ADD_UP = "Tower shares must add up to 100%, not {total}%."
TOWER_SHARE_OUT_OF_RANGE = "The share of {tower} must be more than 0% and at most 100%."
TOWER_LISTED_TWICE = "Each tower can be listed once; {tower} is listed twice."
CONTRACT_NEEDS_A_TOWER = "A contract covers at least one service tower."
OPTION_NOT_AVAILABLE = "Option {sequence} is {state}: only an available option can be exercised or lapsed."
OPTION_OUT_OF_ORDER = "Option {sequence} cannot be exercised before option {earlier}."
SPEND_MONTH_NOT_FIRST = "A spend month is given by its first day."
OPTION_HAS_CHANGES = "Option {sequence} has a contract change recorded against it, so it cannot be removed."
TOO_MANY_OPTIONS = "A contract has at most {most} extension options, not {count}."
# What only a contract change may do (section "Changes to a contract" below): an edit or an import says so.
OPTION_STATE_BY_CHANGE = (
    "Option {sequence} is {state}: an option is exercised or let lapse only as a contract change, proposed and "
    "approved on the contract's page."
)
NEW_OPTION_AVAILABLE = "Option {sequence} is new: a new option is available until a contract change decides it."
END_BY_CHANGE = "A contract is ended early only by a termination recorded as a contract change, not by an edit."
ORIGINAL_TERMS_BY_CHANGE = (
    "Contract {reference} has changes recorded against its original terms: record a variation rather than "
    "editing its {field}."
)
# The original terms a change is measured against, as the messages name them: fixed once a change is recorded.
ORIGINAL_TERMS = {
    "total_value": "total contract value",
    "start_date": "start date",
    "initial_end_date": "end of initial term",
}

CONTRACT_FIELDS = (
    "reference",
    "title",
    "description",
    "supplier",
    "authority",
    "operating_body",
    "tier",
    "start_date",
    "initial_end_date",
    "notice_period_months",
    "renewal_type",
    "renewal_period_months",
    "max_renewals",
    "ended_on",
    "total_value",
    "annual_value",
    "vat_basis",
    "status",
    "classification",
    "classification_descriptor",
)


class ContractFields(TypedDict, total=False):
    """A contract's own facts (`CONTRACT_FIELDS`), as `contract_create` and `contract_update` take them."""

    reference: str
    title: str
    description: str
    supplier: Supplier
    authority: Organisation
    operating_body: Organisation | None
    tier: int
    start_date: date
    initial_end_date: date
    notice_period_months: int
    renewal_type: str
    renewal_period_months: int
    max_renewals: int | None
    ended_on: date | None
    total_value: Decimal
    annual_value: Decimal
    vat_basis: str
    status: str
    classification: str
    classification_descriptor: str


class SupplierFields(TypedDict, total=False):
    """A supplier's facts, as `supplier_create` and `supplier_update` take them."""

    name: str
    companies_house_number: str
    is_sme: bool
    is_illustrative: bool


@dataclass(frozen=True)
class TowerShare:
    tower: ServiceTower
    share_percent: Decimal


@dataclass(frozen=True)
class OptionSpec:
    length_months: int
    state: str = terms.OptionState.AVAILABLE.value


def _check_tower_shares(shares: list[TowerShare]) -> None:
    if not shares:
        raise ValidationError({"towers": CONTRACT_NEEDS_A_TOWER})
    seen: set[int] = set()
    for share in shares:
        if share.share_percent is None or not Decimal(0) < share.share_percent <= Decimal(100):
            raise ValidationError({"towers": TOWER_SHARE_OUT_OF_RANGE.format(tower=share.tower)})
        if share.tower.pk in seen:
            raise ValidationError({"towers": TOWER_LISTED_TWICE.format(tower=share.tower)})
        seen.add(share.tower.pk)
    total = sum((share.share_percent for share in shares), Decimal(0))
    if total != Decimal(100):
        raise ValidationError({"towers": TOWER_SHARES_MUST_ADD_UP.format(total=f"{total.normalize():f}")})


_Bounds = FieldBounds


def _check_contract_bounds(contract: Contract, options: list[OptionSpec]) -> None:
    """What every way in may store: dates, lengths and counts the terms can compute with, money below the
    bound, and text without control characters (the model's own constraints are checked by full_clean)."""
    checks = _Bounds(Contract)
    for name in ("reference", "title"):
        checks.check(name, bounds.check_text, getattr(contract, name))
    checks.check(
        "description", bounds.check_text, contract.description, multiline=True, max_length=bounds.MAX_LONG_TEXT
    )
    for name in ("start_date", "initial_end_date", "ended_on"):
        checks.check(name, bounds.check_date, getattr(contract, name))
    checks.check("notice_period_months", bounds.check_months, contract.notice_period_months, lo=0)
    checks.check("renewal_period_months", bounds.check_months, contract.renewal_period_months, lo=0)
    checks.check("max_renewals", bounds.check_int, contract.max_renewals, 0, bounds.MAX_RENEWALS)
    for name in ("total_value", "annual_value"):
        checks.check(name, bounds.check_money, getattr(contract, name))
    if len(options) > bounds.MAX_OPTIONS:
        checks.errors["options"] = [TOO_MANY_OPTIONS.format(most=bounds.MAX_OPTIONS, count=len(options))]
    for number, spec in enumerate(options, start=1):
        checks.check("options", bounds.check_months, spec.length_months, label=f"Option {number} length")
    checks.raise_any()


def _shares_text(contract: Contract) -> str:
    shares = ContractTower.objects.filter(contract=contract).select_related("tower").order_by("tower__code")
    return ", ".join(f"{s.tower.code} {s.share_percent:.2f}%" for s in shares)


def _options_text(contract: Contract) -> str:
    options = ExtensionOption.objects.filter(contract=contract).order_by("sequence")
    return ", ".join(f"{o.length_months} months {o.state}" for o in options)


def _snapshot(contract: Contract) -> dict:
    return {
        name: str(getattr(contract, f"{name}_id" if name in {"supplier", "authority", "operating_body"} else name))
        for name in CONTRACT_FIELDS
    }


def _replace_towers(contract: Contract, shares: list[TowerShare], by: User | None) -> None:
    """Make the contract's shares these, one row at a time so that each change is kept in history."""
    existing = {s.tower_id: s for s in ContractTower.objects.filter(contract=contract)}
    for share in shares:
        row = existing.pop(share.tower.pk, None)
        if row is None:
            row = ContractTower(contract=contract, tower=share.tower, share_percent=share.share_percent)
        elif row.share_percent == share.share_percent:
            continue
        row.share_percent = share.share_percent
        full_clean(row, validate_unique=False)
        attributed(row, by).save()
    for row in existing.values():
        attributed(row, by).delete()


def _replace_options(contract: Contract, options: list[OptionSpec], by: User | None) -> None:
    """Make the contract's options these, in place by sequence, so that a change recorded against an option keeps
    it; an option with a change recorded cannot be removed."""
    existing = {o.sequence: o for o in ExtensionOption.objects.filter(contract=contract)}
    for number, spec in enumerate(options, start=1):
        option = existing.pop(number, None)
        if option is None:
            option = ExtensionOption(contract=contract, sequence=number)
        elif (option.length_months, option.state) == (spec.length_months, spec.state):
            continue
        option.length_months, option.state = spec.length_months, spec.state
        full_clean(option, validate_unique=False)
        attributed(option, by).save()
    for old in existing.values():
        if old.changes.exists():
            raise ValidationError({"options": OPTION_HAS_CHANGES.format(sequence=old.sequence)})
        attributed(old, by).delete()


def _validate_terms(contract: Contract, options: list[OptionSpec]) -> None:
    try:
        terms.ContractTerms(
            start=contract.start_date,
            initial_end=contract.initial_end_date,
            renewal=terms.RenewalType(contract.renewal_type),
            renewal_months=contract.renewal_period_months,
            options=tuple(terms.Option(o.length_months, terms.OptionState(o.state)) for o in options),
        )
    except ValueError as exc:
        field = "renewal_period_months" if "renewal" in str(exc) else "initial_end_date"
        raise ValidationError({field: str(exc).capitalize() + "."}) from exc


@transaction.atomic
def contract_create(
    *,
    towers: list[TowerShare],
    options: list[OptionSpec] | None = None,
    by: User | None,
    **fields: Unpack[ContractFields],
) -> Contract:
    """Create a contract with its tower shares and extension options."""
    contract = Contract(**fields)
    full_clean(contract)
    options = list(options or [])
    _check_contract_bounds(contract, options)
    _validate_terms(contract, options)
    _check_tower_shares(towers)
    attributed(contract, by).save()
    _replace_towers(contract, towers, by)
    _replace_options(contract, options, by)
    audit_record(
        action="contract.create",
        by=by,
        obj=contract,
        summary=f"Created contract {contract.reference}",
        data=_snapshot(contract),
    )
    return contract


def _check_change_controlled(
    contract: Contract, before: dict, old_options: list[ExtensionOption], options: list[OptionSpec] | None
) -> None:
    """Refuse an edit that would do what only a contract change may: decide an option (or add one decided), end
    the contract early, or move the original terms that recorded changes are measured against."""
    errors: dict[str, list[str]] = {}
    if contract.ended_on != before["ended_on"] or (
        ContractStatus.TERMINATED in {contract.status, before["status"]} and contract.status != before["status"]
    ):
        errors["ended_on" if contract.ended_on != before["ended_on"] else "status"] = [END_BY_CHANGE]
    if options is not None:
        old = {o.sequence: o.state for o in old_options}
        for number, spec in enumerate(options, start=1):
            if number in old and spec.state != old[number]:
                errors.setdefault("options", []).append(
                    OPTION_STATE_BY_CHANGE.format(sequence=number, state=old[number])
                )
            elif number not in old and spec.state != terms.OptionState.AVAILABLE:
                errors.setdefault("options", []).append(NEW_OPTION_AVAILABLE.format(sequence=number))
    if contract.changes.exclude(state=ContractChange.State.WITHDRAWN).exists():
        for name, label in ORIGINAL_TERMS.items():
            if getattr(contract, name) != before[name]:
                errors[name] = [ORIGINAL_TERMS_BY_CHANGE.format(reference=contract.reference, field=label)]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contract_update(
    *,
    contract: Contract,
    by: User | None,
    towers: list[TowerShare] | None = None,
    options: list[OptionSpec] | None = None,
    **fields: Unpack[ContractFields],
) -> Contract:
    """Change a contract's facts; towers and options are replaced only when given. What only a contract change may
    do (decide an option, end the contract early, move the original terms once changes are recorded) is refused
    with a ValidationError naming the field."""
    return _contract_update(contract=contract, by=by, towers=towers, options=options, controlled=True, **fields)


def _contract_update(
    *,
    contract: Contract,
    by: User | None,
    towers: list[TowerShare] | None = None,
    options: list[OptionSpec] | None = None,
    controlled: bool,
    **fields: Unpack[ContractFields],
) -> Contract:
    before = {**_snapshot(contract), "towers": _shares_text(contract), "options": _options_text(contract)}
    # As stored, not as this instance holds them: an instance an earlier, refused edit left changed must not pass.
    original = Contract.objects.filter(pk=contract.pk).values("ended_on", "status", *ORIGINAL_TERMS).get()
    old_options = list(ExtensionOption.objects.filter(contract=contract))

    def check() -> None:
        if controlled:
            _check_change_controlled(contract, original, old_options, options)
        current_options = (
            list(options) if options is not None else [OptionSpec(o.length_months, o.state) for o in old_options]
        )
        _check_contract_bounds(contract, current_options)
        _validate_terms(contract, current_options)
        if towers is not None:
            _check_tower_shares(towers)

    model_update(contract, data=fields, allowed=CONTRACT_FIELDS, check=check, history_user=by)
    if towers is not None:
        _replace_towers(contract, towers, by)
    if options is not None:
        _replace_options(contract, options, by)
    after = {**_snapshot(contract), "towers": _shares_text(contract), "options": _options_text(contract)}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    audit_record(
        action="contract.update",
        by=by,
        obj=contract,
        summary=f"Changed contract {contract.reference}: {', '.join(changed) or 'towers or options'}",
        data={"changed": changed},
    )
    return contract


def _decide_option(*, option: ExtensionOption, to_state: terms.OptionState, by: User | None) -> ExtensionOption:
    status_require(
        option.state, {terms.OptionState.AVAILABLE}, OPTION_NOT_AVAILABLE, sequence=option.sequence, state=option.state
    )
    if to_state is terms.OptionState.EXERCISED:
        earlier = option.contract.options.filter(sequence__lt=option.sequence, state=terms.OptionState.AVAILABLE)
        first = earlier.order_by("sequence").values_list("sequence", flat=True).first()
        transition_require(first is None, lambda: OPTION_OUT_OF_ORDER.format(sequence=option.sequence, earlier=first))
    option.state = to_state.value
    attributed(option, by).save(update_fields=["state"])
    audit_record(
        action=f"option.{to_state.value}",
        by=by,
        obj=option.contract,
        summary=f"Option {option.sequence} ({option.length_months} months) of "
        f"{option.contract.reference} {to_state.value}",
    )
    return option


def _check_supplier_bounds(supplier: Supplier) -> None:
    checks = _Bounds(Supplier)
    checks.check("name", bounds.check_text, supplier.name)
    checks.raise_any()


@transaction.atomic
def supplier_create(*, by: User | None, **fields: Unpack[SupplierFields]) -> Supplier:
    """Create a supplier."""
    supplier = Supplier(**fields)
    full_clean(supplier)
    _check_supplier_bounds(supplier)
    supplier.save()
    audit_record(action="supplier.create", by=by, obj=supplier, summary=f"Created supplier {supplier.name}")
    return supplier


@transaction.atomic
def supplier_update(*, supplier: Supplier, by: User | None, **fields: Unpack[SupplierFields]) -> Supplier:
    """Change a supplier's name, Companies House number or SME flag."""
    model_update(supplier, data=fields, check=lambda: _check_supplier_bounds(supplier))
    audit_record(
        action="supplier.update",
        by=by,
        obj=supplier,
        summary=f"Changed supplier {supplier.name}: {', '.join(fields)}",
    )
    return supplier


@transaction.atomic
def spend_record(*, contract: Contract, month: date, amount: Decimal, vat_basis: str = "net", by: User | None) -> Spend:
    """Record (or correct) a month's spend on a contract."""
    checks = _Bounds(Spend)
    checks.check("month", bounds.check_date, month)
    checks.check("amount", bounds.check_money, amount, lo=-bounds.MAX_MONEY)
    checks.raise_any()
    if month.day != 1:
        raise ValidationError({"month": SPEND_MONTH_NOT_FIRST})
    spend = locked_where(Spend, contract=contract, month=month)
    created = spend is None
    if spend is None:
        spend = Spend(contract=contract, month=month)
    spend.amount, spend.vat_basis = amount, vat_basis
    full_clean(spend, validate_unique=False)
    attributed(spend, by).save()
    audit_record(
        action="spend.record" if created else "spend.correct",
        by=by,
        obj=contract,
        summary=f"Spend {month:%Y-%m} on {contract.reference}: £{amount:,}",
    )
    return spend


# --- Changes to a contract -----------------------------------------------------------------------------------

CHANGE_NOT_PROPOSED = "This change is {status}: only a proposed change can be approved."
CHANGE_NOT_APPROVED = "This change is {status}: only an approved change can become effective."
CHANGE_NOT_WITHDRAWABLE = "This change is {status}: only a proposed or approved change can be withdrawn."
CHANGE_NEEDS_OPTION = "Choose the extension option of this contract that the change exercises or lets lapse."
CHANGE_OPTION_NOT_AVAILABLE = "Option {sequence} is {state}: only an available option can be exercised or lapsed."
CHANGE_OPTION_PENDING = "Option {sequence} already has a change proposed or approved: decide that one first."
CHANGE_NEEDS_GROUND = "Choose the ground of {regime} the variation rests on."
CHANGE_GROUND_NOT_OF_REGIME = "{ground!r} is not a ground under {regime}; its grounds are {grounds}."
CHANGE_NEEDS_TERMINATION = "Give the termination's date and reason."
CHANGE_TERMINATION_OUTSIDE = (
    "A termination falls within the contract's term: {reference} runs from {start:%d %B %Y} to {end:%d %B %Y}."
)
CHANGE_AWAITS_RATIONALE = "This change waits for legal's recorded rationale before it can be approved: {reason}."
CHANGE_NOT_PERMITTED = "The modification rules do not permit this change: {reason}."
CHANGE_NEEDS_DECISION = (
    "This change is worth {value}: the scheme ({clause}) asks for an approved decision linked to it before it "
    "can be approved."
)
CHANGE_DECISION_NOT_APPROVED = "Decision {reference} is {status}: link an approved decision before approving."
CHANGE_APPROVER_ROLE = "Only an approver or a commercial officer may approve a contract change."
CHANGE_NOT_THE_OFFICER = (
    "This change is worth {value}, below the scheme's reserved decisions: only the {office} may approve it, and "
    "you do not hold that office."
)

CHANGE_RATIONALE_ROLE = "Only legal may record the rationale of a contract change."
CHANGE_RATIONALE_EMPTY = "Write legal's rationale."
CHANGE_TERMINATION_AHEAD = "The termination takes effect on {day:%d %B %Y}: it can be made effective from that day."

# The ground an option provided for in the contract rests on, by regime.
OPTION_GROUND = {"PCR2015": "review-clause", "PA2023": "provided-for"}


def _change_audit(change: ContractChange, action: str, by: User | None, summary: str) -> None:
    audit_record(
        action=f"change.{action}",
        by=by,
        obj=change,
        summary=f"{summary}: {change.get_kind_display().lower()} of {change.contract.reference}",
        data={"contract": change.contract.reference, "state": change.state, "value": str(change.value)},
    )


@transaction.atomic
def change_propose(
    *,
    contract: Contract,
    kind: str,
    reason: str,
    effective_on: date,
    value: Decimal = Decimal(0),
    option: ExtensionOption | None = None,
    value_change: Decimal = Decimal(0),
    term_change_months: int = 0,
    scope: str = "",
    termination_date: date | None = None,
    termination_reason: str = "",
    ground: str = "",
    decision=None,
    by: User | None,
) -> ContractChange:
    """Propose a change to a contract. An option change names one of the contract's available options; a
    variation names a ground of the contract's regime; a termination its date and reason. Raises
    ValidationError naming the field."""
    regime = selectors.regime_of(contract)
    if kind in (ContractChange.Kind.OPTION_EXERCISE, ContractChange.Kind.OPTION_LAPSE):
        if option is None or option.contract_id != contract.pk:
            raise ValidationError({"option": CHANGE_NEEDS_OPTION})
        if option.state != terms.OptionState.AVAILABLE:
            raise ValidationError(
                {"option": CHANGE_OPTION_NOT_AVAILABLE.format(sequence=option.sequence, state=option.state)}
            )
        if option.changes.filter(state__in=[ContractChange.State.PROPOSED, ContractChange.State.APPROVED]).exists():
            raise ValidationError({"option": CHANGE_OPTION_PENDING.format(sequence=option.sequence)})
        if kind == ContractChange.Kind.OPTION_EXERCISE:
            ground = ground or OPTION_GROUND[regime]
    else:
        option = None
    if kind == ContractChange.Kind.VARIATION:
        value = value_change if value_change else value
        value_change = value
        if not ground:
            raise ValidationError({"ground": CHANGE_NEEDS_GROUND.format(regime=regime)})
    if ground and ground not in GROUNDS[Regime(regime)]:
        raise ValidationError(
            {
                "ground": CHANGE_GROUND_NOT_OF_REGIME.format(
                    ground=ground, regime=regime, grounds=", ".join(GROUNDS[Regime(regime)])
                )
            }
        )
    if kind == ContractChange.Kind.TERMINATION:
        if termination_date is None or not termination_reason:
            raise ValidationError({"termination_date": CHANGE_NEEDS_TERMINATION})
        last = selectors.contract_current(contract, termination_date).current_end
        if not contract.start_date <= termination_date <= last:
            raise ValidationError(
                {
                    "termination_date": CHANGE_TERMINATION_OUTSIDE.format(
                        start=contract.start_date, end=last, reference=contract.reference
                    )
                }
            )
    change = ContractChange(
        contract=contract,
        kind=kind,
        option=option,
        reason=reason,
        effective_on=effective_on,
        value=value,
        value_change=value_change,
        term_change_months=term_change_months,
        scope=scope,
        termination_date=termination_date,
        termination_reason=termination_reason,
        ground=ground,
        decision=decision,
        proposed_by=by if getattr(by, "is_authenticated", False) else None,
    )
    checks = _Bounds(ContractChange)
    checks.check("reason", bounds.check_text, reason, multiline=True, max_length=bounds.MAX_LONG_TEXT)
    checks.check("scope", bounds.check_text, scope, multiline=True, max_length=bounds.MAX_LONG_TEXT)
    checks.check("effective_on", bounds.check_date, effective_on)
    checks.check("termination_date", bounds.check_date, termination_date)
    checks.check("value", bounds.check_money, value, lo=-bounds.MAX_MONEY)
    checks.check("term_change_months", bounds.check_months, term_change_months, lo=-bounds.MAX_MONTHS)
    checks.raise_any()
    full_clean(change)
    attributed(change, by).save()
    _change_audit(change, "propose", by, "Proposed")
    return change


def option_change_propose(*, option: ExtensionOption, kind: str, by: User | None) -> ContractChange:
    """Propose the exercise or lapse of an option as a change: effective the day after the contract's current
    end, valued (for an exercise) at the annual value for the option's months."""
    contract = option.contract
    starts = selectors.contract_current(contract, london_today()).current_end + timedelta(days=1)
    value = (
        (contract.annual_value * option.length_months / 12).quantize(Decimal("0.01"))
        if kind == ContractChange.Kind.OPTION_EXERCISE
        else Decimal(0)
    )
    verb = "Exercise" if kind == ContractChange.Kind.OPTION_EXERCISE else "Let lapse"
    return change_propose(
        contract=contract,
        kind=kind,
        option=option,
        reason=f"{verb} option {option.sequence} ({option.length_months} months).",
        effective_on=starts,
        value=value,
        by=by,
    )


def _verdict_check(change: ContractChange) -> None:
    """Refuse a modifying change that the contract's regime does not permit, or that awaits legal's rationale."""
    verdict = selectors.change_verdict(change)
    if verdict is None:
        return
    if verdict.awaits_rationale:
        raise RuleViolation(CHANGE_AWAITS_RATIONALE.format(reason=verdict.reason))
    if not verdict.permitted:
        raise RuleViolation(CHANGE_NOT_PERMITTED.format(reason=verdict.reason))


def _approver_check(change: ContractChange, by: User | None) -> tuple[str, str]:
    """Who the scheme names for this change; an approved decision linked to it where the scheme asks for one."""
    if not (has_role(by, Role.APPROVER) or has_role(by, Role.COMMERCIAL_OFFICER)):
        raise RuleViolation(CHANGE_APPROVER_ROLE)
    if change.kind not in selectors.MODIFYING_KINDS:
        return "", ""
    try:
        named = approver_for(
            decision_type=DecisionType.CONTRACT_EXTENSION, value=abs(change.value), day=change.effective_on
        )
    except SchemeInputError as exc:
        raise RuleViolation(str(exc).split(": ", 1)[-1]) from exc
    if named.clause:  # a clause of the scheme reserves it (4.13): an approved decision, linked
        if change.decision is None:
            raise RuleViolation(CHANGE_NEEDS_DECISION.format(value=f"£{abs(change.value):,.2f}", clause=named.clause))
        if change.decision.status != "approved":
            raise RuleViolation(
                CHANGE_DECISION_NOT_APPROVED.format(
                    reference=change.decision.reference, status=change.decision.get_status_display().lower()
                )
            )
    elif not (has_role(by, Role.APPROVER) and holds_office(by, named.approver)):
        raise RuleViolation(CHANGE_NOT_THE_OFFICER.format(value=f"£{abs(change.value):,.2f}", office=named.approver))
    return named.approver, named.clause or ""


@transaction.atomic
def change_approve(*, change: ContractChange, by: User | None) -> ContractChange:
    """Approve a proposed change. Refuses (InvalidTransition, RuleViolation, PermissionRefused) a change that is
    not proposed, that the modification rules do not permit or that awaits legal's rationale, one that the
    scheme reserves to a decision without an approved decision linked, and an approver without the role."""
    change = locked(ContractChange, change.pk, related=("contract",))
    status_require(change.state, {ContractChange.State.PROPOSED}, CHANGE_NOT_PROPOSED)
    _verdict_check(change)
    office, clause = _approver_check(change, by)
    if change.option is not None:
        status_require(
            change.option.state,
            {terms.OptionState.AVAILABLE},
            CHANGE_OPTION_NOT_AVAILABLE,
            sequence=change.option.sequence,
            state=change.option.state,
        )
    change.state = ContractChange.State.APPROVED
    change.approved_by, change.approved_at = by, now()
    change.approver_office, change.approver_clause = office, clause
    attributed(change, by).save()
    _change_audit(change, "approve", by, "Approved")
    return change


@transaction.atomic
def change_make_effective(*, change: ContractChange, by: User | None) -> ContractChange:
    """Make an approved change effective: an option is exercised or lapses through the option services, a
    termination ends the contract through `contract_update`; a variation's value and term follow in the selectors."""
    change = locked(ContractChange, change.pk, related=("contract",))
    status_require(change.state, {ContractChange.State.APPROVED}, CHANGE_NOT_APPROVED)
    if change.kind == ContractChange.Kind.OPTION_EXERCISE:
        _decide_option(
            option=locked(ExtensionOption, change.option_id, related=("contract",)),
            to_state=terms.OptionState.EXERCISED,
            by=by,
        )
    elif change.kind == ContractChange.Kind.OPTION_LAPSE:
        _decide_option(
            option=locked(ExtensionOption, change.option_id, related=("contract",)),
            to_state=terms.OptionState.LAPSED,
            by=by,
        )
    elif change.kind == ContractChange.Kind.TERMINATION:
        assert change.termination_date is not None  # a termination is proposed with its date
        transition_require(
            change.termination_date <= london_today(),
            lambda: CHANGE_TERMINATION_AHEAD.format(day=change.termination_date),
        )
        status = (
            ContractStatus.ENDED
            if change.termination_reason == ContractChange.TerminationReason.EXPIRY
            else ContractStatus.TERMINATED
        )
        _contract_update(
            contract=change.contract, by=by, ended_on=change.termination_date, status=status, controlled=False
        )
    change.state = ContractChange.State.EFFECTIVE
    attributed(change, by).save()
    _change_audit(change, "effective", by, "Made effective")
    return change


@transaction.atomic
def change_withdraw(*, change: ContractChange, by: User | None) -> ContractChange:
    """Withdraw a proposed or approved change."""
    change = locked(ContractChange, change.pk, related=("contract",))
    status_require(
        change.state, {ContractChange.State.PROPOSED, ContractChange.State.APPROVED}, CHANGE_NOT_WITHDRAWABLE
    )
    change.state = ContractChange.State.WITHDRAWN
    attributed(change, by).save()
    _change_audit(change, "withdraw", by, "Withdrew")
    return change


@transaction.atomic
def change_rationale_record(*, change: ContractChange, rationale: str, by: User | None) -> ContractChange:
    """Record legal's rationale for a proposed change (legal only)."""
    if not has_role(by, Role.LEGAL):
        raise RuleViolation(CHANGE_RATIONALE_ROLE)
    change = locked(ContractChange, change.pk, related=("contract",))
    status_require(
        change.state, {ContractChange.State.PROPOSED}, CHANGE_NOT_PROPOSED.replace("approved", "given a rationale")
    )
    if not rationale.strip():
        raise ValidationError({"legal_rationale": CHANGE_RATIONALE_EMPTY})
    checks = _Bounds(ContractChange)
    checks.check("legal_rationale", bounds.check_text, rationale, multiline=True, max_length=bounds.MAX_LONG_TEXT)
    checks.raise_any()
    change.legal_rationale, change.rationale_by, change.rationale_at = rationale, by, now()
    attributed(change, by).save()
    _change_audit(change, "rationale", by, "Recorded legal's rationale")
    return change
