"""Import the ledgers from CSV or XLSX: budgets, approvals, commitments, actuals and forecasts.

Each file is read by `pegasus.core.tabular`, as every import in Pegasus is: the whole file or nothing, every bad cell
named by line and column, and the same file twice changes nothing (rows are matched on their `id`; forecasts on
their line and month; budgets on their line and year). Rows are written through `finance.services`, so the control
applies here as everywhere: a commitment that would exceed its approval refuses the whole file, naming its line.
"""

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction

from pegasus.core import tabular
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import ImportRejected, OutOfBounds, RowError
from pegasus.core.tabular import Column, ImportResult, RowParser, Tally, parse_date, parse_money, read_table
from pegasus.core.types import User
from pegasus.finance import rules, services
from pegasus.finance.models import BudgetLine
from pegasus.finance.services import FinanceRefused, Pending, Saved

KINDS = ("budgets", "approvals", "commitments", "actuals", "forecasts")

REFERENCE_HELP = "Its reference, unique among them: the same id again updates the row."
COLUMNS: dict[str, tuple[Column, ...]] = {
    "budgets": (
        Column("code", True, "The budget line's code, such as DP or DP-PEG-CONS."),
        Column("name", True, "The budget line's name."),
        Column("parent", False, "The code of the line it sits under; empty for a top line."),
        Column("year", False, "The financial year, such as 2019-20 (1 April to 31 March); empty for the line alone."),
        Column("amount", False, "The budget for that year in pounds, excluding VAT."),
    ),
    "approvals": (
        Column("id", True, REFERENCE_HELP),
        Column("budget_line", True, "The code of the budget line it authorises spending from."),
        Column("amount", True, "The amount approved in pounds, excluding VAT."),
        Column("approved_on", True, "The date it was approved, YYYY-MM-DD."),
        Column("decision", False, "The reference of the approved decision in Pegasus that gave it, such as PCD 579."),
    ),
    "commitments": (
        Column("id", True, REFERENCE_HELP),
        Column("budget_line", True, "The code of the budget line it is charged to."),
        Column("approval", False, "The id of the approval it is made under."),
        Column("supplier", True, "Who it is with."),
        Column("description", False, "What it buys."),
        Column("raised_on", True, "The date it was raised, YYYY-MM-DD."),
        Column("amount", True, "Its amount in pounds, excluding VAT."),
        Column("cancelled_on", False, "The date it was cancelled, if it was: from that day it no longer counts."),
        Column("contract", False, "The reference of the contract in the estate it belongs to, if any."),
    ),
    "actuals": (
        Column("id", True, REFERENCE_HELP),
        Column("budget_line", True, "The code of the budget line it is paid from: its commitment's, if it has one."),
        Column("commitment", False, "The id of the commitment it pays, if any."),
        Column("paid_on", True, "The date it was paid, YYYY-MM-DD."),
        Column("amount", True, "The amount paid in pounds, excluding VAT."),
    ),
    "forecasts": (
        Column("budget_line", True, "The code of the budget line."),
        Column("month", True, "The month, YYYY-MM."),
        Column("amount", True, "What the line is forecast to pay in that month, in pounds excluding VAT."),
    ),
}
EXAMPLES: dict[str, list[object]] = {
    "budgets": ["DP-PEG", "Pegasus programme", "DP", "2019-20", Decimal("3350000.00")],
    "approvals": ["PCD579", "DP-PEG", Decimal("6700000.00"), tabular.parse_date("2019-06-10"), "PCD 579"],
    "commitments": [
        "PO-1001",
        "DP-PEG-CONS",
        "PCD579",
        "Independent consultants through Bloom",
        "Requirements and market engagement",
        tabular.parse_date("2019-06-17"),
        Decimal("450000.00"),
        "",
        "",
    ],
    "actuals": ["INV-5001", "DP-PEG-CONS", "PO-1001", tabular.parse_date("2019-07-31"), Decimal("37500.00")],
    "forecasts": ["DP-PEG-CONS", tabular.parse_month("2019-08"), Decimal("40000.00")],
}
DUPLICATE = "{what} is also on line {line}: each may appear once in a file."
LINE_NAMED_TWICE = "Budget line {code} has another {column} on line {line}: a line has one name and one parent."
PARENT_UNKNOWN = "{value} is not a budget line held or in this file: add the parent line first."
PARENT_LOOP = "Budget line {code} would sit below itself through its parents."


def _year(value: object) -> int:
    return rules.year_parse(tabular.parse_text(value))


def _text(value: object) -> str:
    return tabular.parse_text(value)


def _rows(table, parse: Callable[[RowParser], dict[str, Any] | None]) -> list[tuple[int, dict[str, Any]]]:
    rows, errors = [], []
    for line, cells in table.rows:
        parser = RowParser(line, cells)
        values = parse(parser)
        errors += parser.errors
        if not parser.errors and values is not None:
            rows.append((line, values))
    if errors:
        raise ImportRejected(errors)
    return rows


def _unique(rows: list[tuple[int, dict]], key: Callable[[dict], object], column: str, what: Callable[[dict], str]):
    seen: dict[object, int] = {}
    errors = []
    for line, values in rows:
        k = key(values)
        if k in seen:
            errors.append(RowError(line, column, DUPLICATE.format(what=what(values), line=seen[k])))
        seen.setdefault(k, line)
    if errors:
        raise ImportRejected(errors)


def _money(parser: RowParser, column: str = "amount", required: bool = True) -> Decimal | None:
    return parser.get(column, parse_money, required=required)


# --- Parsing each kind of file: pure --------------------------------------------------------------------------------


def _budget(p: RowParser):
    row = {
        "code": p.get("code", _text, required=True),
        "name": p.get("name", _text, required=True),
        "parent": p.get("parent", _text) or None,
        "year": p.get("year", _year),
        "amount": _money(p, required=False),
    }
    if (row["year"] is None) != (row["amount"] is None) and not p.errors:
        missing = "amount" if row["amount"] is None else "year"
        p.fail(missing, f"A budget gives both its year and its amount: {missing} is empty.")
    return row


def _approval(p: RowParser):
    return {
        "reference": p.get("id", _text, required=True),
        "line": p.get("budget_line", _text, required=True),
        "amount": _money(p),
        "approved_on": p.get("approved_on", parse_date, required=True),
        "decision": p.get("decision", _text) or None,
    }


def _commitment(p: RowParser):
    row = {
        "reference": p.get("id", _text, required=True),
        "line": p.get("budget_line", _text, required=True),
        "approval": p.get("approval", _text) or None,
        "supplier": p.get("supplier", _text, required=True),
        "description": p.get("description", _text) or "",
        "raised_on": p.get("raised_on", parse_date, required=True),
        "amount": _money(p),
        "cancelled_on": p.get("cancelled_on", parse_date),
        "contract": p.get("contract", _text) or None,
    }
    if row["cancelled_on"] and row["raised_on"] and row["cancelled_on"] < row["raised_on"]:
        p.fail(
            "cancelled_on",
            services.CANCELLED_BEFORE_RAISED.format(cancelled=row["cancelled_on"], raised=row["raised_on"]),
        )
    return row


def _actual(p: RowParser):
    return {
        "reference": p.get("id", _text, required=True),
        "line": p.get("budget_line", _text, required=True),
        "commitment": p.get("commitment", _text) or None,
        "paid_on": p.get("paid_on", parse_date, required=True),
        "amount": _money(p),
    }


def _forecast(p: RowParser):
    return {
        "line": p.get("budget_line", _text, required=True),
        "month": p.get("month", tabular.parse_month, required=True),
        "amount": _money(p),
    }


# --- Writing: through the services, all or nothing -------------------------------------------------------------------

# The file's column for each field a refusal names.
COLUMN_OF = {"line": "budget_line", "reference": "id", "parent_id": "parent"}


def _refused(line: int, exc: FinanceRefused | OutOfBounds) -> ImportRejected:
    field = getattr(exc, "field", "")
    return ImportRejected([RowError(line, COLUMN_OF.get(field, field), str(exc))])


def _write(rows: list[tuple[int, dict]], save: Callable[..., Saved], by: User | None, tally: Tally) -> None:
    for line, values in rows:
        try:
            outcome = save(**values, by=by).outcome
        except (FinanceRefused, OutOfBounds) as exc:
            raise _refused(line, exc) from None
        tally.count(outcome)


def _budgets(rows: list[tuple[int, dict]], by: User | None, tally: Tally) -> None:
    lines: dict[str, tuple[int, dict]] = {}
    errors = []
    for line, row in rows:
        first = lines.setdefault(row["code"], (line, row))
        for column in ("name", "parent"):
            if first[1][column] != row[column]:
                errors.append(
                    RowError(line, column, LINE_NAMED_TWICE.format(code=row["code"], column=column, line=first[0]))
                )
    _unique(
        [(line, row) for line, row in rows if row["year"] is not None],
        lambda row: (row["code"], row["year"]),
        "year",
        lambda row: f"The {rules.year_label(row['year'])} budget of {row['code']}",
    )
    held = set(BudgetLine.objects.values_list("code", flat=True))
    for line, row in lines.values():
        if row["parent"] and row["parent"] not in lines and row["parent"] not in held:
            errors.append(RowError(line, "parent", PARENT_UNKNOWN.format(value=tabular.shown(row["parent"]))))
    if errors:
        raise ImportRejected(errors)
    # Parents before their children: a line is written once the line it sits under is.
    outcomes: dict[int, set[str]] = {line: set() for line, _ in rows}
    waiting = dict(lines)
    while waiting:
        ready = [code for code, (_, row) in waiting.items() if row["parent"] not in waiting]
        if not ready:
            code, (line, _) = next(iter(waiting.items()))
            raise ImportRejected([RowError(line, "parent", PARENT_LOOP.format(code=code))])
        for code in ready:
            line, row = waiting.pop(code)
            try:
                saved = services.budget_line_save(code=code, name=row["name"], parent=row["parent"], by=by)
            except (FinanceRefused, OutOfBounds) as exc:
                raise _refused(line, exc) from None
            outcomes[line].add(saved.outcome)
    for line, row in rows:
        if row["year"] is None:
            continue
        try:
            saved = services.budget_amount_save(line=row["code"], year=row["year"], amount=row["amount"], by=by)
        except (FinanceRefused, OutOfBounds) as exc:
            raise _refused(line, exc) from None
        outcomes[line].add(saved.outcome)
    for done in outcomes.values():
        outcome = "created" if "created" in done else "updated" if "updated" in done else "unchanged"
        tally.count(outcome)


def _commitments(rows: list[tuple[int, dict]], by: User | None, tally: Tally) -> None:
    pending: list[Pending] = []
    last_line: dict[str, int] = {}
    for line, values in rows:
        try:
            saved, touched = services.commitment_write(**values, by=by)
        except (FinanceRefused, OutOfBounds) as exc:
            raise _refused(line, exc) from None
        tally.count(saved.outcome)
        pending += touched
        last_line[values["reference"]] = line
    try:
        services.approvals_verify(pending)
    except FinanceRefused as exc:
        raise _refused(last_line.get(exc.commitment or "", 0), exc) from None


PARSERS: dict[str, Callable[[RowParser], dict | None]] = {
    "budgets": _budget,
    "approvals": _approval,
    "commitments": _commitment,
    "actuals": _actual,
    "forecasts": _forecast,
}
KEYS: dict[str, tuple[Callable[[dict], object], str, Callable[[dict], str]]] = {
    "approvals": (lambda r: r["reference"], "id", lambda r: f"Approval {r['reference']}"),
    "commitments": (lambda r: r["reference"], "id", lambda r: f"Commitment {r['reference']}"),
    "actuals": (lambda r: r["reference"], "id", lambda r: f"Actual {r['reference']}"),
    "forecasts": (
        lambda r: (r["line"], r["month"]),
        "month",
        lambda r: f"The {rules.month_label(r['month'])} forecast of {r['line']}",
    ),
}
WRITERS: dict[str, Callable[[list, User | None, Tally], None]] = {
    "budgets": _budgets,
    "approvals": lambda rows, by, tally: _write(rows, services.approval_save, by, tally),
    "commitments": _commitments,
    "actuals": lambda rows, by, tally: _write(rows, services.actual_save, by, tally),
    "forecasts": lambda rows, by, tally: _write(rows, services.forecast_save, by, tally),
}


@transaction.atomic
def ledger_import(kind: str, *, filename: str, data: bytes, by: User | None) -> ImportResult:
    """Import one kind of ledger file, all or nothing; ImportRejected names every bad line (or the first refusal)."""
    table = read_table(filename, data, COLUMNS[kind], kind=kind)
    rows = _rows(table, PARSERS[kind])
    if kind in KEYS:
        _unique(rows, *KEYS[kind])
    tally = Tally()
    WRITERS[kind](rows, by, tally)
    result = tally.result(kind)
    if result.changed:
        audit_record(
            action=f"finance.{kind}-import",
            by=by,
            summary=f"Finance {kind} imported from {tabular.printable(filename)}: {result}",
            data=result.as_dict(),
        )
    return result


def template(kind: str, extension: str) -> bytes:
    """The import template of one kind: its columns and one example row, as CSV or XLSX (with a sheet of notes)."""
    months = ("month",) if kind == "forecasts" else ()
    if extension == "csv":
        return tabular.template_csv(COLUMNS[kind], EXAMPLES[kind], months=months)
    return tabular.template_xlsx(COLUMNS[kind], EXAMPLES[kind], title=kind.capitalize(), months=months)


IMPORTERS: dict[str, Callable[..., ImportResult]] = {kind: partial(ledger_import, kind) for kind in KINDS}
