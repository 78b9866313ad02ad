"""Tabular files in: reading a CSV or XLSX upload into rows, checking its columns and cells, and telling what an
import did. The one way every import in Pegasus reads a spreadsheet (estate's contracts and spend, sourcing's
market prices), so that every file is refused for the same reasons with the same words.

Pure: bytes and plain values in, plain values out, and `ImportRejected` holding a `RowError` for every problem,
located by line (the header is line 1; line 0 means the whole file) and column. Each domain's import checks its
rows against what it holds and writes through its services, all or nothing.
"""

import csv
import io
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath

from pegasus.core import bounds, intake, spreadsheets
from pegasus.core.exceptions import ImportRejected, RowError
from pegasus.core.money import to_pounds

FORMATS = ("xlsx", "csv")

# 10,000 rows of contracts fit in well under 5 MB; an XLSX of them unpacks to a few tens of MB at most, and
# openpyxl holds a workbook's shared strings in memory, so what a file unpacks to is bounded as tightly.
UPLOAD_LIMIT = intake.UploadLimit(max_bytes=5 * intake.MB, max_unpacked_bytes=50 * intake.MB, max_members=500)
MAX_BYTES = UPLOAD_LIMIT.max_bytes
MAX_ROWS = 10_000
MAX_COLUMNS = 100
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

CLOSING_NOTE = "Pegasus reads the first sheet only. A file is imported whole or not at all."


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str


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


def shown(value: object) -> str:
    """A cell's value quoted for a message, kept to one short line."""
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    return intake.shown(value)


def column_name(value: object) -> str:
    """A header cell as a column's name: 'Start date' and 'start-date' are start_date."""
    return re.sub(r"[\s\-]+", "_", str(value).strip().casefold()) if value is not None else ""


def blank(value: object) -> bool:
    """Whether a cell holds nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def printable(name: str) -> str:
    """A file's name as an audit summary quotes it: printable characters only, and short."""
    return "".join(ch for ch in name[:400] if ch.isprintable())[:100]


def reject(message: str, line: int = 0, column: str = "") -> ImportRejected:
    """The refusal of a file for one problem (line 0: the whole file)."""
    return ImportRejected([RowError(line, column, message)])


def _filled_lines(rows: Iterable[Sequence[object]]) -> list[tuple[int, Sequence[object]]]:
    """(line, cells) for each line with something in it: the header and at most MAX_ROWS rows below it."""
    filled: list[tuple[int, Sequence[object]]] = []
    for line, values in enumerate(rows, start=1):
        if all(blank(v) for v in values):
            continue
        if len(filled) > MAX_ROWS:
            raise reject(TOO_MANY_ROWS, line)
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
                raise reject(NOT_UTF8, number) from None
        raise reject(NOT_UTF8) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _filled_lines(reader)
    except csv.Error as exc:
        raise reject(NOT_CSV.format(reason=exc), reader.line_num) from None


def _xlsx_lines(data: bytes) -> list[tuple[int, Sequence[object]]]:
    from openpyxl import load_workbook

    try:
        intake.check_archive(io.BytesIO(data), UPLOAD_LIMIT)
    except intake.UploadRefused as exc:
        raise reject(UNREADABLE_XLSX if str(exc) == intake.NOT_AN_ARCHIVE else str(exc)) from None
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
        raise reject(UNREADABLE_XLSX) from None


def read_table(filename: str, data: bytes, columns: Sequence[Column], *, kind: str) -> Table:
    """The rows of a CSV or XLSX file under a header row naming `columns` (a `kind` file's); raises ImportRejected."""
    extension = PurePath(filename or "").suffix.casefold()
    if extension not in {".csv", ".xlsx"}:
        raise reject(UNKNOWN_EXTENSION.format(name=shown(filename or "The file")))
    if not data:
        raise reject(FILE_EMPTY)
    if len(data) > MAX_BYTES:
        raise reject(FILE_TOO_LARGE)
    lines = _csv_lines(data) if extension == ".csv" else _xlsx_lines(data)
    if not lines:
        raise reject(FILE_EMPTY)
    first_line, first = lines[0]
    header = [column_name(v) for v in first]
    if first_line != 1 or not any(header):
        raise reject(NO_HEADER, 1)
    known = {c.name for c in columns}
    errors = []
    seen: set[str] = set()
    for name, value in zip(header, first, strict=True):
        if not name:
            continue
        if name not in known:
            errors.append(RowError(1, intake.shortened(value), UNKNOWN_COLUMN.format(value=shown(value), kind=kind)))
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
                if not blank(value):
                    errors.append(RowError(line, "", UNNAMED_COLUMN))
                continue
            if isinstance(value, str) and (problem := intake.control_character_problem(value)):
                errors.append(RowError(line, name, problem))
            cells.setdefault(name, value)
        rows.append((line, cells))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise reject(NO_ROWS, 2)
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
        raise ValueError(NOT_A_DATE.format(value=shown(value))) from None
    if not FIRST_YEAR <= made.year <= LAST_YEAR:
        raise ValueError(DATE_OUT_OF_RANGE.format(value=shown(value)))
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
    raise ValueError(NOT_A_DATE.format(value=shown(value)))


def parse_month(value: object) -> date:
    """The first day of a month given as YYYY-MM or as any date in it."""
    if isinstance(value, str) and (match := _MONTH.fullmatch(value.strip())):
        year, month = (int(g) for g in match.groups())
        try:
            return _make_date(value, year, month, 1)
        except ValueError:
            raise ValueError(NOT_A_MONTH.format(value=shown(value))) from None
    try:
        return parse_date(value).replace(day=1)
    except ValueError:
        raise ValueError(NOT_A_MONTH.format(value=shown(value))) from None


def parse_money(value: object, *, negative: bool = False) -> Decimal:
    """Pounds from a number cell or text such as '£1,250,000.00' (pennies rounded half up)."""
    if isinstance(value, bool) or isinstance(value, date):
        raise ValueError(NOT_MONEY.format(value=shown(value)))
    try:
        amount = to_pounds(value)
    except (ValueError, ArithmeticError):
        raise ValueError(NOT_MONEY.format(value=shown(value))) from None
    if abs(amount) >= MONEY_LIMIT:
        raise ValueError(MONEY_TOO_LARGE.format(value=shown(value)))
    if amount < 0 and not negative:
        raise ValueError(MONEY_NEGATIVE.format(value=shown(value)))
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
        raise ValueError(NOT_A_WHOLE_NUMBER.format(value=shown(value)))
    if not low <= number <= high:
        raise ValueError(NUMBER_OUT_OF_RANGE.format(value=shown(value), low=low, high=high))
    return number


def parse_choice(value: object, choices: dict[str, str]) -> str:
    """The stored value of a choice given by its value or label, in any case."""
    key = " ".join(str(value).split()).casefold()
    if key in choices:
        return choices[key]
    listed = ", ".join(dict.fromkeys(choices.values())) or "nothing"
    raise ValueError(NOT_A_CHOICE.format(value=shown(value), choices=listed))


def choice_keys(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(value, label) pairs as the keys `parse_choice` accepts, each case-folded to its value."""
    found: dict[str, str] = {}
    for value, label in pairs:
        found.setdefault(value.casefold(), value)
        found.setdefault(label.casefold(), value)
    return found


def parse_text(value: object) -> str:
    """A cell as one line of text: a whole number without '.0', a date as YYYY-MM-DD, spaces collapsed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


# --- Rows: cells parsed and checked, with every problem kept -----------------------------------------------


@dataclass
class RowParser:
    """Parses one row's cells, keeping a RowError for each one that fails instead of stopping at the first."""

    line: int
    cells: dict[str, object]
    errors: list[RowError] = field(default_factory=list)

    def get(self, column: str, parse: Callable[[object], object], *, required: bool = False, default=None):
        value = self.cells.get(column)
        if blank(value):
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


def lookup_key(value: object) -> str:
    """A name as a file's cell is matched against names held: spaces collapsed and case folded."""
    return " ".join(parse_text(value).split()).casefold()


def code_and_name_keys(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(code, name) pairs as the keys a cell may give, each to its code: a code wins over a name that reads the same."""
    pairs = list(items)
    keys: dict[str, str] = {}
    for code, name in pairs:
        keys.setdefault(" ".join(name.split()).casefold(), code)
    for code, _ in pairs:
        keys[code.casefold()] = code
    return keys


# --- What an import did ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows created, updated and left as they were, and (for contracts) suppliers added."""

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

    @property
    def changed(self) -> bool:
        """Whether the import wrote anything: an import that changed nothing records no audit event."""
        return bool(self.created or self.updated)


@dataclass
class Tally:
    """The count of rows an import creates, updates and leaves unchanged, as it goes."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, outcome: str) -> None:
        """One more row with `outcome`: "created", "updated" or "unchanged", as a service's save says."""
        setattr(self, outcome, getattr(self, outcome) + 1)

    def result(self, kind: str, *, suppliers_created: int = 0) -> ImportResult:
        return ImportResult(kind, self.created, self.updated, self.unchanged, suppliers_created)


# --- Templates: the header row and one example row ----------------------------------------------------------


def _template_value(value: object, column: Column, months: Collection[str]) -> object:
    return f"{value:%Y-%m}" if column.name in months and isinstance(value, date) else value


def template_csv(columns: Sequence[Column], example: Sequence[object], *, months: Collection[str] = ()) -> bytes:
    """A CSV template: the header row and one example row (a date in a `months` column as YYYY-MM)."""
    row = [_template_value(v, c, months) for c, v in zip(columns, example, strict=True)]
    return spreadsheets.csv_text([[c.name for c in columns], row]).encode("utf-8")


def template_xlsx(
    columns: Sequence[Column], example: Sequence[object], *, title: str, months: Collection[str] = ()
) -> bytes:
    """An XLSX template: a bold header row, one example row with real dates and money, and a sheet of notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    spreadsheets.xlsx_append(sheet, [c.name for c in columns])
    spreadsheets.xlsx_append(sheet, example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for position, (column, value) in enumerate(zip(columns, example, strict=True), start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = min(60, max(len(column.name), len(parse_text(value or ""))) + 4)
        cell = sheet[f"{letter}2"]
        if isinstance(value, date):
            cell.number_format = "yyyy-mm" if column.name in months else "dd/mm/yyyy"
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
    spreadsheets.xlsx_append(notes, [CLOSING_NOTE])
    for letter, width in (("A", 28), ("B", 10), ("C", 100)):
        notes.column_dimensions[letter].width = width
    return spreadsheets.xlsx_bytes(workbook)
