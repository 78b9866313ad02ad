"""Import contracts and spend from XLSX or CSV: the whole file or nothing, and the same file twice changes nothing.

Reading is in two layers. The pure layer (`read_table`, `parse_contract_rows`, `parse_spend_rows` and the cell
parsers) takes bytes and plain values and returns plain values plus a `RowError` for every bad cell, located by
line (the header is line 1) and column. The services (`contracts_import`, `spend_import`) look up what the file
refers to, check every row against the database, raise `ImportRejected` before writing anything if any row is bad,
and only then write through the estate services, inside one transaction.

Contracts are keyed by reference and spend by (contract, month): a row that matches what is held is left alone,
so re-importing a file writes no rows, no history and no audit events. A column missing from the header leaves
that value of an existing contract as it is; an empty optional cell means the default.
"""

import csv
import io
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction

from pegasus.core import bounds, intake, spreadsheets
from pegasus.core.audit import audit_record
from pegasus.core.classification import Classification, Descriptor
from pegasus.core.exceptions import ImportRejected, PegasusError, RowError
from pegasus.core.money import round_pennies, to_pounds
from pegasus.estate import demo, services, terms
from pegasus.estate.models import Contract, ContractStatus, Organisation, ServiceTower, Spend, Supplier

CONTRACTS = "contracts"
SPEND = "spend"
KINDS = (CONTRACTS, SPEND)
FORMATS = ("xlsx", "csv")

# 10,000 rows of contracts fit in well under 5 MB; an XLSX of them unpacks to a few tens of MB at most, and
# openpyxl holds a workbook's shared strings in memory, so what a file unpacks to is bounded as tightly.
UPLOAD_LIMIT = intake.UploadLimit(max_bytes=5 * intake.MB, max_unpacked_bytes=50 * intake.MB, max_members=500)
MAX_BYTES = UPLOAD_LIMIT.max_bytes
MAX_ROWS = 10_000
MAX_COLUMNS = 100
# The bounds every way in applies (pegasus.core.bounds): the services check them again on save.
MAX_MONTHS = bounds.MAX_MONTHS  # notice, renewal and option lengths
MAX_RENEWALS = bounds.MAX_RENEWALS
# Under £1tn: SQLite holds decimals as binary floats, exact only to 15 significant digits, and an amount
# that did not come back exactly as imported would make every re-import an update.
MONEY_LIMIT = bounds.MAX_MONEY
FIRST_YEAR, LAST_YEAR = bounds.MIN_DATE.year, bounds.MAX_DATE.year

# File-level problems (line 0 means the whole file, not a line in it).
UNKNOWN_EXTENSION = "{name} is not a CSV or XLSX file: choose a file whose name ends .csv or .xlsx."
FILE_EMPTY = "The file is empty."
FILE_TOO_LARGE = UPLOAD_LIMIT.too_large
FILE_UNPACKS_TOO_LARGE = UPLOAD_LIMIT.unpacks_too_large
NOT_UTF8 = "The file is not UTF-8 text: save it as 'CSV UTF-8' and try again."
NOT_CSV = "The file cannot be read as CSV: {reason}."
UNREADABLE_XLSX = "The file cannot be opened as an Excel workbook: save it from Excel as .xlsx and try again."
NO_HEADER = "The first row must be the header row, naming the columns."
NO_ROWS = "The file has a header row but no rows below it."
TOO_MANY_ROWS = "The file has more than 10,000 rows: split it into smaller files."
MISSING_COLUMN = "The {column} column is missing: it is required."
UNKNOWN_COLUMN = "{value} is not a column of a {kind} file: the template lists the columns."
DUPLICATE_COLUMN = "The {column} column appears more than once."
UNNAMED_COLUMN = "There is a value in a column with no heading."
CONTAINS_NUL = intake.CONTAINS_CONTROL_CHARACTER.format(name="U+0000")
NO_AUTHORITY = "No contracting authority is set up: add one before importing contracts."

# Problems with one cell.
VALUE_REQUIRED = "This cell is empty: {column} is required."
NOT_A_DATE = "{value} is not a date: use YYYY-MM-DD or DD/MM/YYYY."
DATE_OUT_OF_RANGE = f"{{value}} is not a date from {FIRST_YEAR} to {LAST_YEAR}."
NOT_A_MONTH = "{value} is not a month: use YYYY-MM or a date."
NOT_MONEY = "{value} is not an amount of money, such as 1,250,000.00."
MONEY_NEGATIVE = "{value} is negative: a contract value cannot be."
MONEY_TOO_LARGE = "{value} is too large: amounts must be under £1,000,000,000,000."
NOT_A_WHOLE_NUMBER = "{value} is not a whole number."
NUMBER_OUT_OF_RANGE = "{value} is not between {low} and {high}."
NOT_A_CHOICE = "{value} is not one of: {choices}."
UNKNOWN_TOWER = "{value} is not the code or name of a service tower."
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


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str


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


@dataclass(frozen=True)
class Table:
    """A file's rows keyed by normalised column name; `rows` holds (line, cells) for every non-blank line."""

    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, object]], ...]


def error_text(error: RowError) -> str:
    """'Line 4, column total_value: ...' as pages and the command line show it."""
    if not error.line:
        return error.message
    return f"Line {error.line}" + (f", column {error.column}" if error.column else "") + f": {error.message}"


def _shown(value: object) -> str:
    """A cell's value quoted for a message, kept to one short line."""
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    return intake.shown(value)


def _column_name(value: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(value).strip().casefold()) if value is not None else ""


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _printable(name: str) -> str:
    return "".join(ch for ch in name[:400] if ch.isprintable())[:100]


def _reject(message: str, line: int = 0, column: str = "") -> ImportRejected:
    return ImportRejected([RowError(line, column, message)])


def _filled_lines(rows: Iterable[Sequence[object]]) -> list[tuple[int, Sequence[object]]]:
    """(line, cells) for each line with something in it: the header and at most MAX_ROWS rows below it."""
    filled = []
    for line, values in enumerate(rows, start=1):
        if all(_blank(v) for v in values):
            continue
        if len(filled) > MAX_ROWS:
            raise _reject(TOO_MANY_ROWS, line)
        filled.append((line, values))
    return filled


def _csv_lines(data: bytes) -> list[tuple[int, Sequence[object]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        for number, line in enumerate(data.split(b"\n"), start=1):
            try:
                line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise _reject(NOT_UTF8, number) from None
        raise _reject(NOT_UTF8) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _filled_lines(reader)
    except csv.Error as exc:
        raise _reject(NOT_CSV.format(reason=exc), reader.line_num) from None


def _xlsx_lines(data: bytes) -> list[tuple[int, Sequence[object]]]:
    from openpyxl import load_workbook

    try:
        intake.check_archive(io.BytesIO(data), UPLOAD_LIMIT)
    except intake.UploadRefused as exc:
        raise _reject(UNREADABLE_XLSX if str(exc) == intake.NOT_AN_ARCHIVE else str(exc)) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                # Read lazily and only so wide: a sheet may claim far more rows and columns than it holds.
                return _filled_lines(workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True))
            finally:
                workbook.close()
    except ImportRejected:
        raise
    except Exception:  # noqa: BLE001 (a damaged workbook fails in many ways inside zipfile, XML and openpyxl)
        raise _reject(UNREADABLE_XLSX) from None


def read_table(filename: str, data: bytes, kind: str) -> Table:
    """The rows of a CSV or XLSX file under a header row naming `kind`'s columns; raises ImportRejected."""
    columns = COLUMNS[kind]
    extension = PurePath(filename or "").suffix.casefold()
    if extension not in {".csv", ".xlsx"}:
        raise _reject(UNKNOWN_EXTENSION.format(name=_shown(filename or "The file")))
    if not data:
        raise _reject(FILE_EMPTY)
    if len(data) > MAX_BYTES:
        raise _reject(FILE_TOO_LARGE)
    lines = _csv_lines(data) if extension == ".csv" else _xlsx_lines(data)
    if not lines:
        raise _reject(FILE_EMPTY)
    first_line, first = lines[0]
    header = [_column_name(v) for v in first]
    if first_line != 1 or not any(header):
        raise _reject(NO_HEADER, 1)
    known = {c.name for c in columns}
    errors = []
    seen: set[str] = set()
    for name, value in zip(header, first, strict=True):
        if not name:
            continue
        if name not in known:
            errors.append(RowError(1, intake.shortened(value), UNKNOWN_COLUMN.format(value=_shown(value), kind=kind)))
        elif name in seen:
            errors.append(RowError(1, name, DUPLICATE_COLUMN.format(column=name)))
        seen.add(name)
    errors += [
        RowError(1, c.name, MISSING_COLUMN.format(column=c.name)) for c in columns if c.required and c.name not in seen
    ]
    if errors:
        raise ImportRejected(errors)
    rows = []
    for line, values in lines[1:]:
        cells: dict[str, object] = {}
        for position, value in enumerate(values):
            name = header[position] if position < len(header) else ""
            if not name:
                if not _blank(value):
                    errors.append(RowError(line, "", UNNAMED_COLUMN))
                continue
            if isinstance(value, str) and (problem := intake.control_character_problem(value)):
                errors.append(RowError(line, name, problem))
            cells.setdefault(name, value)
        rows.append((line, cells))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise _reject(NO_ROWS, 2)
    return Table(columns=tuple(dict.fromkeys(n for n in header if n)), rows=tuple(rows))


# --- Cell parsers: plain values in, a value out or ValueError with the message to show -----------------------

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?", re.ASCII)
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+(?:\.0*)?", re.ASCII)


def _make_date(value: object, year: int, month: int, day: int) -> date:
    try:
        made = date(year, month, day)
    except ValueError:
        raise ValueError(NOT_A_DATE.format(value=_shown(value))) from None
    if not FIRST_YEAR <= made.year <= LAST_YEAR:
        raise ValueError(DATE_OUT_OF_RANGE.format(value=_shown(value)))
    return made


def parse_date(value: object) -> date:
    """A date from an XLSX date cell, or text as YYYY-MM-DD or DD/MM/YYYY."""
    if isinstance(value, datetime):
        return _make_date(value, value.year, value.month, value.day)
    if isinstance(value, date):
        return _make_date(value, value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        if match := _ISO_DATE.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
            return _make_date(value, year, month, day)
        if match := _UK_DATE.fullmatch(text):
            day, month, year = (int(g) for g in match.groups())
            return _make_date(value, year, month, day)
    raise ValueError(NOT_A_DATE.format(value=_shown(value)))


def parse_month(value: object) -> date:
    """The first day of a month given as YYYY-MM or as any date in it."""
    if isinstance(value, str) and (match := _MONTH.fullmatch(value.strip())):
        year, month = (int(g) for g in match.groups())
        try:
            return _make_date(value, year, month, 1)
        except ValueError:
            raise ValueError(NOT_A_MONTH.format(value=_shown(value))) from None
    try:
        return parse_date(value).replace(day=1)
    except ValueError:
        raise ValueError(NOT_A_MONTH.format(value=_shown(value))) from None


def parse_money(value: object, *, negative: bool = False) -> Decimal:
    """Pounds from a number cell or text such as '£1,250,000.00' (pennies rounded half up)."""
    if isinstance(value, bool) or isinstance(value, date):
        raise ValueError(NOT_MONEY.format(value=_shown(value)))
    try:
        amount = to_pounds(value)
    except (ValueError, ArithmeticError):
        raise ValueError(NOT_MONEY.format(value=_shown(value))) from None
    if abs(amount) >= MONEY_LIMIT:
        raise ValueError(MONEY_TOO_LARGE.format(value=_shown(value)))
    if amount < 0 and not negative:
        raise ValueError(MONEY_NEGATIVE.format(value=_shown(value)))
    return amount + 0  # + 0 turns -0.00 into 0.00


def parse_whole_number(value: object, low: int, high: int) -> int:
    """A whole number from a number cell or text, between `low` and `high` inclusive."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        try:
            if value == int(value):
                number = int(value)
        except (ValueError, OverflowError, ArithmeticError):
            number = None
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()) and len(value.strip()) < 20:
        number = int(Decimal(value.strip()))
    if number is None:
        raise ValueError(NOT_A_WHOLE_NUMBER.format(value=_shown(value)))
    if not low <= number <= high:
        raise ValueError(NUMBER_OUT_OF_RANGE.format(value=_shown(value), low=low, high=high))
    return number


def parse_choice(value: object, choices: dict[str, str]) -> str:
    """The stored value of a choice given by its value or label, in any case."""
    key = " ".join(str(value).split()).casefold()
    if key in choices:
        return choices[key]
    shown = ", ".join(dict.fromkeys(choices.values())) or "nothing"
    raise ValueError(NOT_A_CHOICE.format(value=_shown(value), choices=shown))


def _choices(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, label in pairs:
        found.setdefault(value.casefold(), value)
        found.setdefault(label.casefold(), value)
    return found


STATUS_CHOICES = _choices(ContractStatus.choices)
RENEWAL_CHOICES = _choices((r.value, r.value) for r in terms.RenewalType)
VAT_CHOICES = _choices([("net", "net"), ("gross", "gross")])
CLASSIFICATION_CHOICES = _choices(
    [*Classification.choices, (Classification.OFFICIAL_SENSITIVE.value, "official sensitive")]
)
DESCRIPTOR_CHOICES = _choices((d.value, d.label) for d in Descriptor if d.value)
OPTION_STATES = _choices((s.value, s.value) for s in terms.OptionState)


def parse_share(value: str) -> Decimal:
    text = value.strip().removesuffix("%").strip()
    try:
        share = Decimal(text)
    except InvalidOperation:
        raise ValueError(NOT_A_SHARE.format(value=_shown(value))) from None
    if not share.is_finite() or not Decimal("0.01") <= share <= 100 or share != share.quantize(Decimal("0.01")):
        raise ValueError(NOT_A_SHARE.format(value=_shown(value)))
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
                raise ValueError(NOT_A_TOWER_SHARE.format(value=_shown(item)))
            name, share_text = item, "100"
        code = towers.get(" ".join(name.split()).casefold())
        if code is None:
            raise ValueError(UNKNOWN_TOWER.format(value=_shown(name.strip() or item)))
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
            raise ValueError(NOT_AN_OPTION.format(value=_shown(item))) from None
        options.append((months, state))
    return tuple(options)


def parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def parse_classification(value: object) -> tuple[str, str | None]:
    """'OFFICIAL-SENSITIVE [COMMERCIAL]' (as exports show it) or 'OFFICIAL-SENSITIVE', with any descriptor."""
    text = str(value).strip()
    descriptor = None
    if match := re.fullmatch(r"(.*?)\s*\[\s*([^\]]*)\s*\]", text):
        text, descriptor = match.group(1), parse_choice(match.group(2), DESCRIPTOR_CHOICES)
    return parse_choice(text.replace("_", "-"), CLASSIFICATION_CHOICES), descriptor


# --- Rows of each kind: cells parsed and checked, with every problem kept ------------------------------------


@dataclass
class _RowParser:
    """Parses one row's cells, keeping a RowError for each one that fails instead of stopping at the first."""

    line: int
    cells: dict[str, object]
    errors: list[RowError] = field(default_factory=list)

    def get(self, column: str, parse: Callable[[object], object], *, required: bool = False, default=None):
        value = self.cells.get(column)
        if _blank(value):
            if required:
                self.errors.append(RowError(self.line, column, VALUE_REQUIRED.format(column=column)))
            return default
        try:
            return parse(value.strip() if isinstance(value, str) else value)
        except ValueError as exc:
            self.errors.append(RowError(self.line, column, str(exc)))
            return default

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))


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
        problems.append(("annual_value", MONEY_TOO_LARGE.format(value=_shown(values["annual_value"]))))
    return problems


def parse_contract_rows(table: Table, *, towers: dict[str, str]) -> tuple[list[ContractRow], list[RowError]]:
    """Every contract row parsed, and a RowError for each bad cell or repeated reference."""
    rows, errors = [], []
    first_line: dict[str, int] = {}
    has = set(table.columns)
    for line, cells in table.rows:
        p = _RowParser(line, cells)
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
            if marking and marking[1] is not None and _blank(cells.get("classification_descriptor")):
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
        p = _RowParser(line, cells)
        reference = p.get("contract_reference", parse_text, required=True)
        month = p.get("month", parse_month, required=True)
        amount = p.get("amount", lambda v: parse_money(v, negative=True), required=True)
        vat_basis = p.get("vat_basis", lambda v: parse_choice(v, VAT_CHOICES), default="net")
        if reference is not None and reference not in references:
            p.fail("contract_reference", UNKNOWN_CONTRACT.format(value=_shown(reference)))
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


@dataclass(frozen=True)
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    suppliers_created: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.suppliers_created:
            text += f"; {self.suppliers_created} new supplier{'s' if self.suppliers_created != 1 else ''}"
        return text


def _tower_keys(towers: Iterable[ServiceTower]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for tower in towers:
        keys.setdefault(" ".join(tower.name.split()).casefold(), tower.code)
    for tower in towers:
        keys[tower.code.casefold()] = tower.code  # a code wins over a name that happens to read the same
    return keys


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
def contracts_import(*, filename: str, data: bytes, by) -> ImportResult:
    """Create or update contracts from a CSV or XLSX file, all or nothing; ImportRejected lists every bad row."""
    table = read_table(filename, data, CONTRACTS)
    towers = {tower.code: tower for tower in ServiceTower.objects.all()}
    rows, errors = parse_contract_rows(table, towers=_tower_keys(towers.values()))
    authority = Organisation.objects.filter(kind=Organisation.Kind.CONTRACTING_AUTHORITY).order_by("pk").first()
    if authority is None:
        raise _reject(NO_AUTHORITY)
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
    created = updated = unchanged = 0
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
                created += 1
            elif plan.unchanged:
                unchanged += 1
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
                updated += 1
        except ValidationError as exc:
            errors += _field_errors(exc, row.line)
        except PegasusError as exc:
            errors.append(RowError(row.line, "", str(exc)))
    if errors:
        raise ImportRejected(errors)  # the transaction rolls back whatever was written before the bad row
    result = ImportResult(CONTRACTS, created, updated, unchanged, len(new_suppliers))
    if created or updated:
        audit_record(
            action="contracts.import",
            by=by,
            summary=f"Imported contracts from {_printable(filename)}: {result}",
            data=result.as_dict(),
        )
    return result


@transaction.atomic
def spend_import(*, filename: str, data: bytes, by) -> ImportResult:
    """Record monthly spend from a CSV or XLSX file, all or nothing; ImportRejected lists every bad row."""
    table = read_table(filename, data, SPEND)
    wanted = {
        parse_text(cells["contract_reference"])
        for _, cells in table.rows
        if not _blank(cells.get("contract_reference"))
    }
    contracts = {c.reference: c for c in Contract.objects.filter(reference__in=wanted)}
    rows, errors = parse_spend_rows(table, references=set(contracts))
    if errors:
        raise ImportRejected(errors)
    held = {
        (s.contract_id, s.month): s
        for s in Spend.objects.filter(contract__in=contracts.values(), month__in={r.month for r in rows})
    }
    created = updated = unchanged = 0
    for row in rows:
        contract = contracts[row.reference]
        spend = held.get((contract.pk, row.month))
        vat_basis = row.vat_basis or (spend.vat_basis if spend is not None else "net")
        if spend is not None and spend.amount == row.amount and spend.vat_basis == vat_basis:
            unchanged += 1
            continue
        services.spend_record(contract=contract, month=row.month, amount=row.amount, vat_basis=vat_basis, by=by)
        if spend is None:
            created += 1
        else:
            updated += 1
    result = ImportResult(SPEND, created, updated, unchanged)
    if created or updated:
        audit_record(
            action="spend.import",
            by=by,
            summary=f"Imported spend from {_printable(filename)}: {result}",
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
    example = _example_rows()[kind]
    row = [f"{v:%Y-%m}" if kind == SPEND and isinstance(v, date) else v for v in example]
    return spreadsheets.csv_text([[c.name for c in COLUMNS[kind]], row]).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """An XLSX template: a bold header row, one example row with real dates and money, and a sheet of notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = COLUMNS[kind]
    example = _example_rows()[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Contracts" if kind == CONTRACTS else "Spend"
    spreadsheets.xlsx_append(sheet, [c.name for c in columns])
    spreadsheets.xlsx_append(sheet, example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for position, (column, value) in enumerate(zip(columns, example, strict=True), start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = min(60, max(len(column.name), len(parse_text(value or ""))) + 4)
        cell = sheet[f"{letter}2"]
        if isinstance(value, date):
            cell.number_format = "yyyy-mm" if column.name == "month" else "dd/mm/yyyy"
        elif isinstance(value, Decimal):
            cell.number_format = "£#,##0.00"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Notes")
    spreadsheets.xlsx_append(notes, ["column", "required", "what to enter"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in columns:
        spreadsheets.xlsx_append(notes, [column.name, "yes" if column.required else "no", column.help])
    notes.append([])
    spreadsheets.xlsx_append(notes, ["Pegasus reads the first sheet only. A file is imported whole or not at all."])
    for letter, width in (("A", 28), ("B", 10), ("C", 100)):
        notes.column_dimensions[letter].width = width
    return spreadsheets.xlsx_bytes(workbook)
