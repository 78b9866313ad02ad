"""Import contracts and spend from XLSX or CSV: the whole file or nothing, and the same file twice changes nothing.

Reading is in two layers. The pure layer (`read_table`, `parse_contract_rows`, `parse_spend_rows` and the cell
parsers, on the reading that every import shares, `pegasus.core.tabular`) takes bytes and plain values and returns
plain values plus a `RowError` for every bad cell, located by line (the header is line 1) and column. The services
(`contracts_import`, `spend_import`) look up what the file refers to, check every row against the database, raise
`ImportRejected` before writing anything if any row is bad, and only then write through the estate services, inside
one transaction.

Contracts are keyed by reference and spend by (contract, month): a row that matches what is held is left alone,
so re-importing a file writes no rows, no history and no audit events. A column missing from the header leaves
that value of an existing contract as it is; an empty optional cell means the default.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from pegasus.core import bounds, intake, tabular
from pegasus.core.audit import audit_record
from pegasus.core.classification import Classification, Descriptor
from pegasus.core.exceptions import ImportRejected, PegasusError, RowError
from pegasus.core.money import round_pennies
from pegasus.core.tabular import (
    MONEY_LIMIT,
    MONEY_TOO_LARGE,
    Column,
    ImportResult,
    RowParser,
    Table,
    Tally,
    blank,
    choice_keys,
    code_and_name_keys,
    parse_choice,
    parse_date,
    parse_money,
    parse_month,
    parse_text,
    parse_whole_number,
    printable,
    reject,
    shown,
)
from pegasus.core.types import User
from pegasus.estate import demo, services, terms
from pegasus.estate.models import Contract, ContractStatus, Organisation, ServiceTower, Spend, Supplier
from pegasus.estate.selectors import UNKNOWN_TOWER

CONTRACTS = "contracts"
SPEND = "spend"
KINDS = (CONTRACTS, SPEND)
# The bounds every way in applies (pegasus.core.bounds): the services check them again on save.
MAX_MONTHS = bounds.MAX_MONTHS  # notice, renewal and option lengths
MAX_RENEWALS = bounds.MAX_RENEWALS

NO_AUTHORITY = "No contracting authority is set up: add one before importing contracts."

# Problems with one cell (the problems any file can have are pegasus.core.tabular's).
NOT_A_TOWER_SHARE = "{value} is not a tower and its share, such as networks:70."
NOT_A_SHARE = "{value} is not a share between 0.01 and 100 with at most 2 decimal places."
NOT_AN_OPTION = (
    "{value} is not an extension option, such as 12:available (months, then available, exercised or lapsed)."
)
END_BEFORE_START = "The initial term ends ({end}) before it starts ({start})."
RENEWAL_NEEDS_LENGTH = "A {renewal} renewal needs renewal_period_months of at least 1."
DUPLICATE_REFERENCE = "Contract {reference} is also on line {line}: each contract can be listed once."
DUPLICATE_SPEND = "Spend on {reference} for {month} is also on line {line}: each month can be listed once."
UNKNOWN_CONTRACT = "No contract has the reference {value}."


CONTRACT_COLUMNS = (
    Column("reference", True, "Unique reference. A reference already held updates that contract."),
    Column("title", True, "What the contract is for."),
    Column("supplier", True, "The supplier's name; a name not yet held adds a supplier."),
    Column("tier", False, "1, 2 or 3; 1 is a major contract. Default 2."),
    Column("status", False, "planned, active, ended or terminated. Default active."),
    Column("start_date", True, "YYYY-MM-DD or DD/MM/YYYY."),
    Column("initial_end_date", True, "The last day of the initial term, YYYY-MM-DD or DD/MM/YYYY."),
    Column("notice_period_months", False, "Whole months. Default 3."),
    Column("renewal_type", False, "none, express or tacit. Default none."),
    Column("renewal_period_months", False, "Whole months; at least 1 for an express or tacit renewal. Default 0."),
    Column("max_renewals", False, "How many renewals; empty for a tacit renewal that rolls on."),
    Column("total_value", True, "Pounds, such as 1,250,000.00 or £1,250,000."),
    Column("annual_value", False, "Pounds; empty for the total value divided by the term in years."),
    Column("vat_basis", False, "net or gross: whether the values include VAT. Default net."),
    Column("classification", False, "OFFICIAL or OFFICIAL-SENSITIVE. Default OFFICIAL."),
    Column("classification_descriptor", False, "COMMERCIAL, PERSONAL, LOCSEN or empty."),
    Column(
        "towers", True, "Tower code or name and its share in %, separated by semicolons: networks:70; telephony:30."
    ),
    Column("options", False, "Extension options in order, months and state: 12:exercised; 12:available."),
)

SPEND_COLUMNS = (
    Column("contract_reference", True, "The reference of a contract already held."),
    Column("month", True, "YYYY-MM, or any date in the month."),
    Column("amount", True, "Pounds paid in the month, such as 1,250,000.00; negative for a credit."),
    Column("vat_basis", False, "net or gross. Default net."),
)

COLUMNS = {CONTRACTS: CONTRACT_COLUMNS, SPEND: SPEND_COLUMNS}

# The contract's own fields that a file can set (the supplier, towers and options are handled apart).
CONTRACT_VALUE_FIELDS = tuple(c.name for c in CONTRACT_COLUMNS if c.name not in {"supplier", "towers", "options"})
CONTRACT_DEFAULTS = {
    "tier": 2,
    "status": ContractStatus.ACTIVE.value,
    "notice_period_months": 3,
    "renewal_type": terms.RenewalType.NONE.value,
    "renewal_period_months": 0,
    "max_renewals": None,
    "annual_value": None,  # worked out from the total value and the term
    "vat_basis": "net",
    "classification": Classification.OFFICIAL.value,
    "classification_descriptor": "",
}


# --- Reading a file into rows ------------------------------------------------------------------------------


def read_table(filename: str, data: bytes, kind: str) -> Table:
    """The rows of a contracts or spend file, as `tabular.read_table` reads them; raises ImportRejected."""
    return tabular.read_table(filename, data, COLUMNS[kind], kind=kind)


# --- Cell parsers of the estate's own columns: plain values in, a value out or ValueError ---------------------

STATUS_CHOICES = choice_keys(ContractStatus.choices)
RENEWAL_CHOICES = choice_keys((r.value, r.value) for r in terms.RenewalType)
VAT_CHOICES = choice_keys([("net", "net"), ("gross", "gross")])
CLASSIFICATION_CHOICES = choice_keys(
    [*Classification.choices, (Classification.OFFICIAL_SENSITIVE.value, "official sensitive")]
)
DESCRIPTOR_CHOICES = choice_keys((d.value, d.label) for d in Descriptor if d.value)
OPTION_STATES = choice_keys((s.value, s.value) for s in terms.OptionState)


def parse_share(value: str) -> Decimal:
    text = value.strip().removesuffix("%").strip()
    try:
        share = Decimal(text)
    except InvalidOperation:
        raise ValueError(NOT_A_SHARE.format(value=shown(value))) from None
    if not share.is_finite() or not Decimal("0.01") <= share <= 100 or share != share.quantize(Decimal("0.01")):
        raise ValueError(NOT_A_SHARE.format(value=shown(value)))
    return share


def parse_towers(value: object, towers: dict[str, str]) -> tuple[tuple[str, Decimal], ...]:
    """Tower shares such as 'networks:70; telephony:30', as (tower code, share) pairs.

    `towers` maps each tower's code and name, case-folded, to its code. A single tower may be given without a
    share, meaning all of it. Shares must add up to 100 and no tower may be named twice.
    """
    items = [item.strip() for item in re.split(r"[;\n]", str(value)) if item.strip()]
    if not items:
        raise ValueError(services.CONTRACT_NEEDS_A_TOWER)
    shares: list[tuple[str, Decimal]] = []
    for item in items:
        name, colon, share_text = item.rpartition(":")
        if not colon:
            if len(items) > 1:
                raise ValueError(NOT_A_TOWER_SHARE.format(value=shown(item)))
            name, share_text = item, "100"
        code = towers.get(" ".join(name.split()).casefold())
        if code is None:
            raise ValueError(UNKNOWN_TOWER.format(value=shown(name.strip() or item)))
        if any(code == seen for seen, _ in shares):
            raise ValueError(services.TOWER_LISTED_TWICE.format(tower=code))
        shares.append((code, parse_share(share_text)))
    total = sum((share for _, share in shares), Decimal(0))
    if total != 100:
        raise ValueError(services.TOWER_SHARES_MUST_ADD_UP.format(total=f"{total.normalize():f}"))
    return tuple(shares)


def parse_options(value: object) -> tuple[tuple[int, str], ...]:
    """Extension options in the order they can be exercised: '12:exercised; 12:available' (state defaults)."""
    options = []
    for item in (i.strip() for i in re.split(r"[;\n]", str(value))):
        if not item:
            continue
        months_text, _, state_text = item.partition(":")
        try:
            months = parse_whole_number(months_text.strip(), 1, MAX_MONTHS)
            state = parse_choice(state_text, OPTION_STATES) if state_text.strip() else terms.OptionState.AVAILABLE.value
        except ValueError:
            raise ValueError(NOT_AN_OPTION.format(value=shown(item))) from None
        options.append((months, state))
    return tuple(options)


def parse_classification(value: object) -> tuple[str, str | None]:
    """'OFFICIAL-SENSITIVE [COMMERCIAL]' (as exports show it) or 'OFFICIAL-SENSITIVE', with any descriptor."""
    text = str(value).strip()
    descriptor = None
    if match := re.fullmatch(r"(.*?)\s*\[\s*([^\]]*)\s*\]", text):
        text, descriptor = match.group(1), parse_choice(match.group(2), DESCRIPTOR_CHOICES)
    return parse_choice(text.replace("_", "-"), CLASSIFICATION_CHOICES), descriptor


# --- Rows of each kind: cells parsed and checked, with every problem kept ------------------------------------


@dataclass(frozen=True)
class ContractRow:
    """One contract as a file gives it: `values` holds the contract fields whose columns the file has."""

    line: int
    reference: str
    supplier: str
    values: dict[str, object]
    towers: tuple[tuple[str, Decimal], ...]
    options: tuple[tuple[int, str], ...] | None  # None when the file has no options column


@dataclass(frozen=True)
class SpendRow:
    line: int
    reference: str
    month: date
    amount: Decimal
    vat_basis: str | None  # None when the file has no vat_basis column


def default_annual_value(total: Decimal, start: date, end: date) -> Decimal:
    """The total value spread over the initial term in years (of 365.25 days)."""
    return round_pennies(total * Decimal("365.25") / Decimal((end - start).days + 1))


def contract_values(row_values: dict[str, object], current: dict[str, object] | None) -> dict[str, object]:
    """A contract's fields after the import: the file's values over what is held (or the defaults)."""
    values = dict(current) if current is not None else dict(CONTRACT_DEFAULTS)
    for name, value in row_values.items():
        values[name] = CONTRACT_DEFAULTS.get(name) if value is None else value
    if values.get("annual_value") is None:
        values["annual_value"] = default_annual_value(
            values["total_value"], values["start_date"], values["initial_end_date"]
        )
    return values


def contract_problems(values: dict[str, object]) -> list[tuple[str, str]]:
    """(column, message) for each rule the contract's values break together, as opposed to one cell alone."""
    problems = []
    if values["initial_end_date"] < values["start_date"]:
        problems.append(
            (
                "initial_end_date",
                END_BEFORE_START.format(end=values["initial_end_date"], start=values["start_date"]),
            )
        )
    if values["renewal_type"] != terms.RenewalType.NONE.value and values["renewal_period_months"] < 1:
        problems.append(("renewal_period_months", RENEWAL_NEEDS_LENGTH.format(renewal=values["renewal_type"])))
    if values["annual_value"] >= MONEY_LIMIT:
        problems.append(("annual_value", MONEY_TOO_LARGE.format(value=shown(values["annual_value"]))))
    return problems


def parse_contract_rows(table: Table, *, towers: dict[str, str]) -> tuple[list[ContractRow], list[RowError]]:
    """Every contract row parsed, and a RowError for each bad cell or repeated reference."""
    rows, errors = [], []
    first_line: dict[str, int] = {}
    has = set(table.columns)
    for line, cells in table.rows:
        p = RowParser(line, cells)
        reference = p.get("reference", parse_text, required=True)
        title = p.get("title", parse_text, required=True)
        supplier = p.get("supplier", parse_text, required=True)
        start = p.get("start_date", parse_date, required=True)
        end = p.get("initial_end_date", parse_date, required=True)
        total = p.get("total_value", parse_money, required=True)
        shares = p.get("towers", lambda v: parse_towers(v, towers), required=True)
        optional: dict[str, Callable[[object], object]] = {
            "tier": lambda v: parse_whole_number(v, 1, 3),
            "status": lambda v: parse_choice(v, STATUS_CHOICES),
            "notice_period_months": lambda v: parse_whole_number(v, 0, MAX_MONTHS),
            "renewal_type": lambda v: parse_choice(v, RENEWAL_CHOICES),
            "renewal_period_months": lambda v: parse_whole_number(v, 0, MAX_MONTHS),
            "max_renewals": lambda v: parse_whole_number(v, 0, MAX_RENEWALS),
            "annual_value": parse_money,
            "vat_basis": lambda v: parse_choice(v, VAT_CHOICES),
            "classification_descriptor": lambda v: parse_choice(v, DESCRIPTOR_CHOICES),
        }
        values: dict[str, object] = {
            "reference": reference,
            "title": title,
            "start_date": start,
            "initial_end_date": end,
            "total_value": total,
        }
        values.update({name: p.get(name, parse) for name, parse in optional.items() if name in has})
        if "classification" in has:
            marking = p.get("classification", parse_classification)
            values["classification"] = marking[0] if marking else None
            if marking and marking[1] is not None and blank(cells.get("classification_descriptor")):
                values["classification_descriptor"] = marking[1]
        options = p.get("options", parse_options, default=()) if "options" in has else None
        if reference is not None:
            if reference in first_line:
                p.fail(
                    "reference",
                    DUPLICATE_REFERENCE.format(reference=intake.shortened(reference), line=first_line[reference]),
                )
            else:
                first_line[reference] = line
        if start is not None and end is not None and end < start:
            p.fail("initial_end_date", END_BEFORE_START.format(end=end, start=start))
        errors += p.errors
        if not p.errors:
            rows.append(ContractRow(line, reference, supplier, values, shares, options))
    return rows, errors


def parse_spend_rows(table: Table, *, references: set[str]) -> tuple[list[SpendRow], list[RowError]]:
    """Every spend row parsed, and a RowError for each bad cell, unknown contract or repeated month."""
    rows, errors = [], []
    first_line: dict[tuple[str, date], int] = {}
    for line, cells in table.rows:
        p = RowParser(line, cells)
        reference = p.get("contract_reference", parse_text, required=True)
        month = p.get("month", parse_month, required=True)
        amount = p.get("amount", lambda v: parse_money(v, negative=True), required=True)
        vat_basis = p.get("vat_basis", lambda v: parse_choice(v, VAT_CHOICES), default="net")
        if reference is not None and reference not in references:
            p.fail("contract_reference", UNKNOWN_CONTRACT.format(value=shown(reference)))
        elif reference is not None and month is not None:
            key = (reference, month)
            if key in first_line:
                p.fail(
                    "month",
                    DUPLICATE_SPEND.format(
                        reference=intake.shortened(reference), month=f"{month:%Y-%m}", line=first_line[key]
                    ),
                )
            else:
                first_line[key] = line
        errors += p.errors
        if not p.errors:
            rows.append(SpendRow(line, reference, month, amount, vat_basis if "vat_basis" in table.columns else None))
    return rows, errors


# --- The services: check everything against the database, then write it all or nothing ----------------------


def _field_errors(exc: ValidationError, line: int, default_column: str = "") -> list[RowError]:
    if not hasattr(exc, "error_dict"):
        return [RowError(line, default_column, m) for m in exc.messages]
    found = []
    for name, messages in exc.message_dict.items():
        column = name if name != "__all__" else default_column
        found += [RowError(line, column, m) for m in messages]
    return found


@dataclass
class _ContractPlan:
    row: ContractRow
    contract: Contract | None
    values: dict[str, object]
    changed: dict[str, object]
    supplier_changed: bool
    towers_changed: bool
    options_changed: bool

    @property
    def unchanged(self) -> bool:
        return self.contract is not None and not (
            self.changed or self.supplier_changed or self.towers_changed or self.options_changed
        )


@transaction.atomic
def contracts_import(*, filename: str, data: bytes, by: User | None) -> ImportResult:
    """Create or update contracts from a CSV or XLSX file, all or nothing; ImportRejected lists every bad row."""
    table = read_table(filename, data, CONTRACTS)
    towers = {tower.code: tower for tower in ServiceTower.objects.all()}
    rows, errors = parse_contract_rows(
        table, towers=code_and_name_keys((tower.code, tower.name) for tower in towers.values())
    )
    authority = Organisation.objects.filter(kind=Organisation.Kind.CONTRACTING_AUTHORITY).order_by("pk").first()
    if authority is None:
        raise reject(NO_AUTHORITY)
    held = {
        c.reference: c
        for c in Contract.objects.filter(reference__in=[r.reference for r in rows])
        .select_related("supplier")
        .prefetch_related("tower_shares__tower", "options")
    }
    suppliers = {s.name.casefold(): s for s in Supplier.objects.all()}
    new_suppliers: dict[str, str] = {}
    plans = []
    for row in rows:
        contract = held.get(row.reference)
        current = {name: getattr(contract, name) for name in CONTRACT_VALUE_FIELDS} if contract else None
        values = contract_values(row.values, current)
        problems = contract_problems(values)
        errors += [RowError(row.line, column, message) for column, message in problems]
        if problems:
            continue
        supplier_key = row.supplier.casefold()
        supplier = suppliers.get(supplier_key)
        if supplier is None:
            supplier = Supplier(name=new_suppliers.get(supplier_key, row.supplier))
            try:
                supplier.clean_fields()
            except ValidationError as exc:
                errors += [RowError(row.line, "supplier", m) for m in exc.messages]
                continue
        try:
            # The model's own field and cross-field checks, without writing: the services repeat them on save.
            Contract(**values, supplier=supplier, authority=authority).full_clean(
                exclude=["supplier", "authority", "operating_body"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors += _field_errors(exc, row.line)
            continue
        if supplier.pk is None:
            new_suppliers.setdefault(supplier_key, row.supplier)
        changed = {name: value for name, value in values.items() if current is None or current[name] != value}
        held_towers = {s.tower.code: s.share_percent for s in contract.tower_shares.all()} if contract else {}
        held_options = [(o.length_months, o.state) for o in contract.options.all()] if contract else []
        plans.append(
            _ContractPlan(
                row=row,
                contract=contract,
                values=values,
                changed=changed,
                supplier_changed=contract is not None and contract.supplier.name.casefold() != supplier_key,
                towers_changed=held_towers != dict(row.towers),
                options_changed=row.options is not None and held_options != list(row.options),
            )
        )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))

    for key, name in new_suppliers.items():
        suppliers[key] = services.supplier_create(name=name, by=by)
    tally = Tally()
    for plan in plans:
        row = plan.row
        supplier = suppliers[row.supplier.casefold()]
        shares = [services.TowerShare(towers[code], share) for code, share in row.towers]
        options = [services.OptionSpec(months, state) for months, state in row.options or ()]
        try:
            if plan.contract is None:
                services.contract_create(
                    towers=shares, options=options, by=by, supplier=supplier, authority=authority, **plan.values
                )
                tally.created += 1
            elif plan.unchanged:
                tally.unchanged += 1
            else:
                fields = dict(plan.changed)
                if plan.supplier_changed:
                    fields["supplier"] = supplier
                services.contract_update(
                    contract=plan.contract,
                    by=by,
                    towers=shares if plan.towers_changed else None,
                    options=options if plan.options_changed else None,
                    **fields,
                )
                tally.updated += 1
        except ValidationError as exc:
            errors += _field_errors(exc, row.line)
        except PegasusError as exc:
            errors.append(RowError(row.line, "", str(exc)))
    if errors:
        raise ImportRejected(errors)  # the transaction rolls back whatever was written before the bad row
    result = tally.result(CONTRACTS, suppliers_created=len(new_suppliers))
    if result.changed:
        audit_record(
            action="contracts.import",
            by=by,
            summary=f"Imported contracts from {printable(filename)}: {result}",
            data=result.as_dict(),
        )
    return result


@transaction.atomic
def spend_import(*, filename: str, data: bytes, by: User | None) -> ImportResult:
    """Record monthly spend from a CSV or XLSX file, all or nothing; ImportRejected lists every bad row."""
    table = read_table(filename, data, SPEND)
    wanted = {
        parse_text(cells["contract_reference"]) for _, cells in table.rows if not blank(cells.get("contract_reference"))
    }
    contracts = {c.reference: c for c in Contract.objects.filter(reference__in=wanted)}
    rows, errors = parse_spend_rows(table, references=set(contracts))
    if errors:
        raise ImportRejected(errors)
    held = {
        (s.contract_id, s.month): s
        for s in Spend.objects.filter(contract__in=contracts.values(), month__in={r.month for r in rows})
    }
    tally = Tally()
    for row in rows:
        contract = contracts[row.reference]
        spend = held.get((contract.pk, row.month))
        vat_basis = row.vat_basis or (spend.vat_basis if spend is not None else "net")
        if spend is not None and spend.amount == row.amount and spend.vat_basis == vat_basis:
            tally.unchanged += 1
            continue
        services.spend_record(contract=contract, month=row.month, amount=row.amount, vat_basis=vat_basis, by=by)
        if spend is None:
            tally.created += 1
        else:
            tally.updated += 1
    result = tally.result(SPEND)
    if result.changed:
        audit_record(
            action="spend.import",
            by=by,
            summary=f"Imported spend from {printable(filename)}: {result}",
            data=result.as_dict(),
        )
    return result


IMPORTERS: dict[str, Callable[..., ImportResult]] = {CONTRACTS: contracts_import, SPEND: spend_import}


# --- Templates: the header row and one example row, from the demonstration estate ---------------------------


def _example_rows() -> dict[str, list[object]]:
    example = next(c for c in demo.CONTRACTS if c.reference == "MPS-DP-T2-102")
    month, amount = demo.demo_spend(example)[-1]
    contract = {
        "reference": example.reference,
        "title": example.title,
        "supplier": demo.SUPPLIERS[example.supplier][0],
        "tier": example.tier,
        "status": "active",
        "start_date": example.start,
        "initial_end_date": example.initial_end,
        "notice_period_months": example.notice_months,
        "renewal_type": example.renewal,
        "renewal_period_months": example.renewal_months,
        "max_renewals": example.max_renewals,
        "total_value": Decimal(example.total_value),
        "annual_value": demo.annual_value(example),
        "vat_basis": "net",
        "classification": "OFFICIAL",
        "classification_descriptor": "",
        "towers": "; ".join(f"{code}:{share}" for code, share in example.towers),
        "options": "; ".join(f"{months}:{state}" for months, state in example.options),
    }
    spend = {"contract_reference": example.reference, "month": month, "amount": amount, "vat_basis": "net"}
    return {
        CONTRACTS: [contract[c.name] for c in CONTRACT_COLUMNS],
        SPEND: [spend[c.name] for c in SPEND_COLUMNS],
    }


def template_csv(kind: str) -> bytes:
    """A CSV template: the header row and one example row."""
    return tabular.template_csv(COLUMNS[kind], _example_rows()[kind], months=("month",))


def template_xlsx(kind: str) -> bytes:
    """An XLSX template: a bold header row, one example row with real dates and money, and a sheet of notes."""
    title = "Contracts" if kind == CONTRACTS else "Spend"
    return tabular.template_xlsx(COLUMNS[kind], _example_rows()[kind], title=title, months=("month",))
