"""Every change to the estate: atomic, validated, attributed and audited. `<entity>_<verb>(*, ..., by=user)`."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from pegasus.core.audit import audit_record
from pegasus.core.exceptions import InvalidTransition, RuleViolation
from pegasus.estate import terms as t
from pegasus.estate.models import Contract, ContractTower, ExtensionOption, ServiceTower, Spend, Supplier

TOWER_SHARES_MUST_ADD_UP = "Tower shares must add up to 100%, not {total}%."
TOWER_SHARE_OUT_OF_RANGE = "The share of {tower} must be more than 0% and at most 100%."
TOWER_LISTED_TWICE = "Each tower can be listed once; {tower} is listed twice."
CONTRACT_NEEDS_A_TOWER = "A contract covers at least one service tower."
OPTION_NOT_AVAILABLE = "Option {sequence} is {state}: only an available option can be exercised or lapsed."
OPTION_OUT_OF_ORDER = "Option {sequence} cannot be exercised before option {earlier}."
SPEND_MONTH_NOT_FIRST = "A spend month is given by its first day."

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


@dataclass(frozen=True)
class TowerShare:
    tower: ServiceTower
    share_percent: Decimal


@dataclass(frozen=True)
class OptionSpec:
    length_months: int
    state: str = t.OptionState.AVAILABLE.value


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


def _snapshot(contract: Contract) -> dict:
    return {
        name: str(getattr(contract, f"{name}_id" if name in {"supplier", "authority", "operating_body"} else name))
        for name in CONTRACT_FIELDS
    }


def _replace_towers(contract: Contract, shares: list[TowerShare]) -> None:
    contract.tower_shares.all().delete()
    ContractTower.objects.bulk_create(
        [ContractTower(contract=contract, tower=s.tower, share_percent=s.share_percent) for s in shares]
    )


def _replace_options(contract: Contract, options: list[OptionSpec]) -> None:
    contract.options.all().delete()
    for number, spec in enumerate(options, start=1):
        option = ExtensionOption(contract=contract, sequence=number, length_months=spec.length_months, state=spec.state)
        option.full_clean()
        option.save()


def _validate_terms(contract: Contract, options: list[OptionSpec]) -> None:
    try:
        t.ContractTerms(
            start=contract.start_date,
            initial_end=contract.initial_end_date,
            renewal=t.RenewalType(contract.renewal_type),
            renewal_months=contract.renewal_period_months,
            options=tuple(t.Option(o.length_months, t.OptionState(o.state)) for o in options),
        )
    except ValueError as exc:
        field = "renewal_period_months" if "renewal" in str(exc) else "initial_end_date"
        raise ValidationError({field: str(exc).capitalize() + "."}) from exc


@transaction.atomic
def contract_create(*, towers: list[TowerShare], options: list[OptionSpec] | None = None, by, **fields) -> Contract:
    """Create a contract with its tower shares and extension options."""
    contract = Contract(**fields)
    contract.full_clean()
    options = list(options or [])
    _validate_terms(contract, options)
    _check_tower_shares(towers)
    contract.save()
    _replace_towers(contract, towers)
    _replace_options(contract, options)
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
    by,
    towers: list[TowerShare] | None = None,
    options: list[OptionSpec] | None = None,
    **fields,
) -> Contract:
    """Change a contract's facts; towers and options are replaced only when given."""
    before = _snapshot(contract)
    for name, value in fields.items():
        if name not in CONTRACT_FIELDS:
            raise RuleViolation(f"{name} is not a contract field")
        setattr(contract, name, value)
    contract.full_clean()
    current_options = (
        options if options is not None else [OptionSpec(o.length_months, o.state) for o in contract.options.all()]
    )
    _validate_terms(contract, current_options)
    if towers is not None:
        _check_tower_shares(towers)
    contract.save()
    if towers is not None:
        _replace_towers(contract, towers)
    if options is not None:
        _replace_options(contract, options)
    after = _snapshot(contract)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    audit_record(
        action="contract.update",
        by=by,
        obj=contract,
        summary=f"Changed contract {contract.reference}: {', '.join(changed) or 'towers or options'}",
        data={"changed": changed},
    )
    return contract


def _decide_option(*, option: ExtensionOption, to_state: t.OptionState, by) -> ExtensionOption:
    if option.state != t.OptionState.AVAILABLE:
        raise InvalidTransition(OPTION_NOT_AVAILABLE.format(sequence=option.sequence, state=option.state))
    if to_state is t.OptionState.EXERCISED:
        earlier = option.contract.options.filter(sequence__lt=option.sequence, state=t.OptionState.AVAILABLE)
        first = earlier.order_by("sequence").first()
        if first is not None:
            raise InvalidTransition(OPTION_OUT_OF_ORDER.format(sequence=option.sequence, earlier=first.sequence))
    option.state = to_state.value
    option.save(update_fields=["state"])
    audit_record(
        action=f"option.{to_state.value}",
        by=by,
        obj=option.contract,
        summary=f"Option {option.sequence} ({option.length_months} months) of "
        f"{option.contract.reference} {to_state.value}",
    )
    return option


@transaction.atomic
def option_exercise(*, option: ExtensionOption, by) -> ExtensionOption:
    """Exercise an extension option, which moves the contract's current end.

    Preconditions: the option is available and no earlier option is still available.
    Raises InvalidTransition otherwise.
    """
    option = ExtensionOption.objects.select_for_update().select_related("contract").get(pk=option.pk)
    return _decide_option(option=option, to_state=t.OptionState.EXERCISED, by=by)


@transaction.atomic
def option_lapse(*, option: ExtensionOption, by) -> ExtensionOption:
    """Let an extension option lapse. Preconditions: the option is available; raises InvalidTransition."""
    option = ExtensionOption.objects.select_for_update().select_related("contract").get(pk=option.pk)
    return _decide_option(option=option, to_state=t.OptionState.LAPSED, by=by)


@transaction.atomic
def supplier_create(*, by, **fields) -> Supplier:
    """Create a supplier."""
    supplier = Supplier(**fields)
    supplier.full_clean()
    supplier.save()
    audit_record(action="supplier.create", by=by, obj=supplier, summary=f"Created supplier {supplier.name}")
    return supplier


@transaction.atomic
def supplier_update(*, supplier: Supplier, by, **fields) -> Supplier:
    """Change a supplier's name, Companies House number or SME flag."""
    for name, value in fields.items():
        setattr(supplier, name, value)
    supplier.full_clean()
    supplier.save()
    audit_record(
        action="supplier.update",
        by=by,
        obj=supplier,
        summary=f"Changed supplier {supplier.name}: {', '.join(fields)}",
    )
    return supplier


@transaction.atomic
def spend_record(*, contract: Contract, month: date, amount: Decimal, vat_basis: str = "net", by) -> Spend:
    """Record (or correct) a month's spend on a contract."""
    if month.day != 1:
        raise ValidationError({"month": SPEND_MONTH_NOT_FIRST})
    spend, created = Spend.objects.update_or_create(
        contract=contract, month=month, defaults={"amount": amount, "vat_basis": vat_basis}
    )
    audit_record(
        action="spend.record" if created else "spend.correct",
        by=by,
        obj=contract,
        summary=f"Spend {month:%Y-%m} on {contract.reference}: £{amount:,}",
    )
    return spend
