"""Every change to the estate: atomic, validated, attributed and audited. `<entity>_<verb>(*, ..., by=user)`."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import models, transaction

from pegasus.core import bounds
from pegasus.core.audit import audit_record
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.locks import locked
from pegasus.core.transitions import status_require, transition_require
from pegasus.core.types import User
from pegasus.core.updates import model_update
from pegasus.estate import terms
from pegasus.estate.models import (
    Contract,
    ContractTower,
    ExtensionOption,
    Organisation,
    ServiceTower,
    Spend,
    Supplier,
)

TOWER_SHARES_MUST_ADD_UP = "Tower shares must add up to 100%, not {total}%."
TOWER_SHARE_OUT_OF_RANGE = "The share of {tower} must be more than 0% and at most 100%."
TOWER_LISTED_TWICE = "Each tower can be listed once; {tower} is listed twice."
CONTRACT_NEEDS_A_TOWER = "A contract covers at least one service tower."
OPTION_NOT_AVAILABLE = "Option {sequence} is {state}: only an available option can be exercised or lapsed."
OPTION_OUT_OF_ORDER = "Option {sequence} cannot be exercised before option {earlier}."
SPEND_MONTH_NOT_FIRST = "A spend month is given by its first day."
TOO_MANY_OPTIONS = "A contract has at most {most} extension options, not {count}."

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


def _attributed(obj: models.Model, by: User | None) -> models.Model:
    # django-simple-history takes the user from the request; a command or a task has none, so say who.
    if getattr(by, "is_authenticated", False):
        obj._history_user = by  # type: ignore[attr-defined]
    return obj


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
        _attributed(row, by).save()
    for row in existing.values():
        _attributed(row, by).delete()


def _replace_options(contract: Contract, options: list[OptionSpec], by: User | None) -> None:
    for old in ExtensionOption.objects.filter(contract=contract):
        _attributed(old, by).delete()
    for number, spec in enumerate(options, start=1):
        option = ExtensionOption(contract=contract, sequence=number, length_months=spec.length_months, state=spec.state)
        full_clean(option)
        _attributed(option, by).save()


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
    _attributed(contract, by).save()
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


@transaction.atomic
def contract_update(
    *,
    contract: Contract,
    by: User | None,
    towers: list[TowerShare] | None = None,
    options: list[OptionSpec] | None = None,
    **fields: Unpack[ContractFields],
) -> Contract:
    """Change a contract's facts; towers and options are replaced only when given."""
    before = {**_snapshot(contract), "towers": _shares_text(contract), "options": _options_text(contract)}

    def check() -> None:
        current_options = (
            list(options)
            if options is not None
            else [OptionSpec(o.length_months, o.state) for o in ExtensionOption.objects.filter(contract=contract)]
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
    _attributed(option, by).save(update_fields=["state"])
    audit_record(
        action=f"option.{to_state.value}",
        by=by,
        obj=option.contract,
        summary=f"Option {option.sequence} ({option.length_months} months) of "
        f"{option.contract.reference} {to_state.value}",
    )
    return option


@transaction.atomic
def option_exercise(*, option: ExtensionOption, by: User | None) -> ExtensionOption:
    """Exercise an extension option, which moves the contract's current end.

    Preconditions: the option is available and no earlier option is still available.
    Raises InvalidTransition otherwise.
    """
    option = locked(ExtensionOption, option.pk, related=("contract",))
    return _decide_option(option=option, to_state=terms.OptionState.EXERCISED, by=by)


@transaction.atomic
def option_lapse(*, option: ExtensionOption, by: User | None) -> ExtensionOption:
    """Let an extension option lapse. Preconditions: the option is available; raises InvalidTransition."""
    option = locked(ExtensionOption, option.pk, related=("contract",))
    return _decide_option(option=option, to_state=terms.OptionState.LAPSED, by=by)


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
    spend = Spend.objects.select_for_update().filter(contract=contract, month=month).first()
    created = spend is None
    if spend is None:
        spend = Spend(contract=contract, month=month)
    spend.amount, spend.vat_basis = amount, vat_basis
    full_clean(spend, validate_unique=False)
    _attributed(spend, by).save()
    audit_record(
        action="spend.record" if created else "spend.correct",
        by=by,
        obj=contract,
        summary=f"Spend {month:%Y-%m} on {contract.reference}: £{amount:,}",
    )
    return spend
