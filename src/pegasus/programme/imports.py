"""Import the RAID log from XLSX (or CSV): one sheet of items keyed by reference.

Read by `pegasus.core.tabular`, as every import in Pegasus is: the whole file or nothing, every bad cell named by line
and column, and the same file twice changes nothing (an item whose reference is held is brought to the row; one
already as the row is left alone). Rows are written through `programme.services.raid`, so each kind's rules apply
here as on the pages. The export (`programme.exports.raid_xlsx`) is such a file: its computed columns (scores, band,
status) are read and ignored.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pegasus.core import tabular
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import ImportRejected, RowError
from pegasus.core.tabular import Column, ImportResult, RowParser, Tally, parse_date, read_table
from pegasus.core.types import User
from pegasus.estate import selectors as estate_selectors
from pegasus.governance import selectors as governance_selectors
from pegasus.procurement import selectors as procurement_selectors
from pegasus.programme.models import IssuePriority, RaidKind
from pegasus.programme.selectors import raid as selectors
from pegasus.programme.selectors.programmes import the_programme
from pegasus.programme.services import raid as services

KIND = "RAID"
COMPUTED = "Computed by Pegasus in the export; ignored on import."
COLUMNS: tuple[Column, ...] = (
    Column(
        "reference",
        True,
        "R-001 for a risk, A-001 an assumption, I-001 an issue, D-001 a dependency. A "
        "reference held updates that item.",
    ),
    Column("kind", True, "risk, assumption, issue or dependency."),
    Column("title", True, "What it is, in a line."),
    Column("owner", True, "Who answers for it: a name or a post."),
    Column("raised_on", True, "The date it was raised, YYYY-MM-DD."),
    Column("description", False, "More about it."),
    Column("cause", False, "A risk's cause (required for a risk)."),
    Column("event", False, "A risk's event (required for a risk)."),
    Column("effect", False, "A risk's effect (required for a risk)."),
    Column("inherent_probability", False, "A risk's probability before mitigation, 1 to 5 (required for a risk)."),
    Column("inherent_impact", False, "A risk's impact before mitigation, 1 to 5 (required for a risk)."),
    Column("residual_probability", False, "A risk's probability after mitigation, 1 to 5, with the residual impact."),
    Column("residual_impact", False, "A risk's impact after mitigation, 1 to 5, with the residual probability."),
    Column("proximity", False, "A risk's date of proximity: when it would happen, YYYY-MM-DD."),
    Column("priority", False, "An issue's priority: critical, high, medium or low (required for an issue)."),
    Column("resolution", False, "How an issue was resolved (required for a closed issue)."),
    Column("closed_on", False, "The date it was closed; empty while it is open."),
    Column("contract", False, "The reference of the contract it concerns, such as MPS-DP-T1-002."),
    Column("procurement", False, "The reference of the procurement it concerns, such as PEG-2019-01."),
    Column("decision", False, "The reference of the decision it concerns, such as PCD 579."),
    Column("milestone", False, "The name of the programme milestone it concerns."),
    Column("business_case", False, "The reference of the business case it concerns."),
    Column("status", False, COMPUTED),
    Column("inherent_score", False, COMPUTED),
    Column("residual_score", False, COMPUTED),
    Column("current_score", False, COMPUTED),
    Column("band", False, COMPUTED),
)
IGNORED = ("status", "inherent_score", "residual_score", "current_score", "band")
EXAMPLE: list[object] = [
    "R-001",
    "risk",
    "IR35: independent consultants engaged to mobilise the programme",
    "Programme Director",
    tabular.parse_date("2019-04-01"),
    "Bloom lowers the IR35 risk (PCD 579).",
    "The mobilisation uses independent consultants.",
    "An engagement is found to be inside IR35.",
    "Tax liabilities and penalties fall on the MPS.",
    4,
    4,
    2,
    4,
    tabular.parse_date("2019-07-01"),
    "",
    "",
    "",
    "",
    "",
    "PCD 579",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
]
DUPLICATE = "{reference} is also on line {line}: each item may appear once in a file."
UNKNOWN = "{value} is not {what} held in Pegasus."
NO_PROGRAMME = "No programme is held: load or add the programme before importing its RAID log."
KINDS = tabular.choice_keys(RaidKind.choices)
PRIORITIES = tabular.choice_keys(IssuePriority.choices)
LINKS = ("contract", "procurement", "decision", "milestone", "business_case")


def _text(value: object) -> str:
    return tabular.parse_text(value)


def _long_text(value: object) -> str:
    """A multi-line cell kept with its line breaks."""
    return str(value).strip()


def _rating(value: object) -> int:
    return tabular.parse_whole_number(value, 1, 5)


def _row(p: RowParser) -> dict[str, Any]:
    return {
        "reference": p.get("reference", _text, required=True),
        "kind": p.get("kind", lambda v: tabular.parse_choice(v, KINDS), required=True),
        "title": p.get("title", _text, required=True),
        "owner": p.get("owner", _text, required=True),
        "raised_on": p.get("raised_on", parse_date, required=True),
        "description": p.get("description", _long_text, default=""),
        "cause": p.get("cause", _long_text, default=""),
        "event": p.get("event", _long_text, default=""),
        "effect": p.get("effect", _long_text, default=""),
        "inherent_probability": p.get("inherent_probability", _rating),
        "inherent_impact": p.get("inherent_impact", _rating),
        "residual_probability": p.get("residual_probability", _rating),
        "residual_impact": p.get("residual_impact", _rating),
        "proximity": p.get("proximity", parse_date),
        "priority": p.get("priority", lambda v: tabular.parse_choice(v, PRIORITIES), default=""),
        "resolution": p.get("resolution", _long_text, default=""),
        "closed_on": p.get("closed_on", parse_date),
        **{name: p.get(name, _text) or None for name in LINKS},
    }


def _lookups() -> dict[str, dict[str, Any]]:
    """Each kind of link by the key a file gives it (case folded)."""
    decisions: dict[str, Any] = {}
    for decision in governance_selectors.decision_list().order_by("reference", "version"):
        decisions[tabular.lookup_key(decision.reference)] = decision  # the latest version wins
    return {
        "contract": {tabular.lookup_key(c.reference): c for c in estate_selectors.contracts_by_reference()},
        "procurement": {tabular.lookup_key(p.reference): p for p in procurement_selectors.procurements()},
        "decision": decisions,
        "milestone": {tabular.lookup_key(m.name): m for m in selectors.milestones()},
        "business_case": {tabular.lookup_key(b.reference): b for b in selectors.business_cases()},
    }


WHAT = {
    "contract": "a contract",
    "procurement": "a procurement",
    "decision": "a decision",
    "milestone": "a milestone",
    "business_case": "a business case",
}


def _parsed(table) -> list[tuple[int, dict[str, Any]]]:
    rows, errors = [], []
    lookups = _lookups()
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        parser = RowParser(line, cells)
        values = _row(parser)
        for name in LINKS:
            if values[name] is not None:
                found = lookups[name].get(tabular.lookup_key(values[name]))
                if found is None:
                    parser.fail(name, UNKNOWN.format(value=tabular.shown(values[name]), what=WHAT[name]))
                values[name] = found
        reference = values["reference"]
        if reference:
            if reference in seen:
                parser.fail("reference", DUPLICATE.format(reference=reference, line=seen[reference]))
            seen.setdefault(reference, line)
        errors += parser.errors
        if not parser.errors:
            rows.append((line, values))
    if errors:
        raise ImportRejected(errors)
    return rows


def _refusals(line: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            RowError(line, "" if field == "__all__" else field, str(message))
            for field, errors in exc.error_dict.items()
            for error in errors
            for message in error
        ]
    return [RowError(line, "", str(message)) for message in exc.messages]


@transaction.atomic
def raid_import(*, filename: str, data: bytes, by: User | None) -> ImportResult:
    """Import the RAID log's items, all or nothing; ImportRejected names every bad line and column."""
    table = read_table(filename, data, COLUMNS, kind=KIND)
    rows = _parsed(table)
    programme = the_programme()
    if programme is None:
        raise tabular.reject(NO_PROGRAMME)
    tally = Tally()
    errors: list[RowError] = []
    for line, values in rows:
        try:
            outcome = services.raid_item_save(programme=programme, **values, by=by).outcome
        except ValidationError as exc:
            errors += _refusals(line, exc)
            continue
        tally.count(outcome)
    if errors:
        raise ImportRejected(errors)  # rolls back every row written before it
    result = tally.result("raid")
    if result.changed:
        audit_record(
            action="programme.raid-import",
            by=by,
            summary=f"RAID log imported from {tabular.printable(filename)}: {result}",
            data=result.as_dict(),
        )
    return result


def template(extension: str) -> bytes:
    """The import template: its columns and one example row, as XLSX (with a sheet of notes) or CSV."""
    if extension == "csv":
        return tabular.template_csv(COLUMNS, EXAMPLE)
    return tabular.template_xlsx(COLUMNS, EXAMPLE, title="RAID")
