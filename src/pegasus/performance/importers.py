"""Importers from service-desk exports to the canonical tickets and assignments CSVs.

- ServiceNow incident event log (UCI "Incident management process enriched event log"): one row per update of an
  incident, the last row of a number being its final state; `?` is missing; dates `d/m/yyyy HH:MM`; priority
  `1 - Critical`. Both the original export and the edited one (`ident_state`, prefixes stripped) are read.
- BPI Challenge 2014 (Rabobank ITIL): a case table (one row per incident) and an activity log.

Assignment groups become suppliers through a mapping (`assignment_group,supplier` CSV); an unmapped group is its
own supplier. Assignment changes come from the sequence of updates: a row whenever the supplier holding the ticket
changes. Source times are wall-clock times in a stated zone (Europe/London for ServiceNow, whose zone is not
published; Europe/Amsterdam for the Dutch BPIC data) and are written with their UTC offset, so nothing downstream
has to guess.

How each canonical field is chosen (what the sources lack is left empty):

ServiceNow: `ticket_id` number; `supplier` the mapped group of the final row, or of the last row that names one,
else "Unassigned"; `priority` the final row's; `opened_at` opened_at; `resolved_at` resolved_at, or when missing on
a resolved or closed incident the first update of its final resolved/closed run, else closed_at; `service`
category; `reassignment_count`, `reopen_count` the final row's.

BPIC 2014: `ticket_id` incident_id; `supplier` the mapped group of the last activity at or before resolution;
`priority` 2-4 as given and the lowest, 5, folded into 4 (the canonical form has four priorities; the count is
reported); `opened_at` open_time; `resolved_at` resolved_time, else close_time; `service` the affected service
component (service_component_wbs_aff); `reassignment_count` x_reassignments; `reopen_count` 1 when a reopen_time is
recorded, else 0.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pegasus.core.calendar import LONDON_ZONE_NAME
from pegasus.core.exceptions import InputError
from pegasus.performance import clock

TICKET_COLUMNS = (
    "ticket_id",
    "supplier",
    "priority",
    "opened_at",
    "resolved_at",
    "service",
    "reassignment_count",
    "reopen_count",
    "first_contact_resolution",
    "satisfaction",
)
ASSIGNMENT_COLUMNS = ("ticket_id", "assigned_at", "supplier")
UNASSIGNED = "Unassigned"
MISSING = "?"
RESOLVED_STATES = ("Resolved", "Closed")
HAS_NUL = "a NUL byte: not a text export"


class ImportFileError(InputError):
    """A source file an importer cannot read; the message names the file and what is wrong."""


@dataclass
class Imported:
    tickets: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    events_read: int = 0
    groups: set[str] = field(default_factory=set)
    unmapped_groups: set[str] = field(default_factory=set)
    priorities_folded: int = 0

    def group_tickets(self) -> list[tuple[str, int]]:
        """Each assignment group the export names with how many tickets it holds at the end (most first): the
        table a user maps to suppliers and contracts. Read from an import with no mapping, where a ticket's
        supplier is its group."""
        counts = dict.fromkeys(sorted(self.groups), 0)
        for ticket in self.tickets:
            if ticket["supplier"] in counts:
                counts[ticket["supplier"]] += 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def summary(self) -> dict:
        return {
            "events_read": self.events_read,
            "tickets": len(self.tickets),
            "resolved": sum(1 for t in self.tickets if t["resolved_at"]),
            "assignments": len(self.assignments),
            "groups": len(self.groups),
            "unmapped_groups": len(self.unmapped_groups),
            "priorities_folded": self.priorities_folded,
        }


class ExportKind:
    """What a service-desk file is, told from its header row."""

    TICKETS = "tickets"  # Pegasus's canonical tickets CSV
    ASSIGNMENTS = "assignments"  # Pegasus's canonical assignments CSV
    SERVICENOW = "servicenow"  # a ServiceNow incident event log
    BPIC_CASES = "bpic2014-cases"  # BPIC 2014 case attributes
    BPIC_EVENTS = "bpic2014-events"  # BPIC 2014 activity log


# The columns that tell each kind apart (each kind's own required columns hold more).
_KIND_COLUMNS = (
    (ExportKind.SERVICENOW, {"number", "assignment_group", "sys_updated_at"}),
    (ExportKind.BPIC_CASES, {"incident_id", "open_time"}),
    (ExportKind.BPIC_EVENTS, {"incident_id", "data_stamp"}),
    (ExportKind.ASSIGNMENTS, {"ticket_id", "assigned_at", "supplier"}),
    (ExportKind.TICKETS, {"ticket_id", "supplier", "opened_at"}),
)
UNKNOWN_EXPORT = (
    "{name}: line 1: not a file Pegasus reads: expected Pegasus's tickets columns (ticket_id, supplier, priority, "
    "opened_at, resolved_at), a ServiceNow incident event log (number, incident_state, assignment_group, ...) or "
    "BPI Challenge 2014 case attributes or activity log (incident_id, ...)"
)


def export_kind(path: Path | str, name: str | None = None) -> str:
    """Which export `path` is (an ExportKind), from its header (of the one CSV inside, for a zip); raises
    ImportFileError naming the file when it is none Pegasus reads. `name` is the file's name as the user knows it."""
    path = Path(path)
    shown = name or path.name
    try:
        for handle in _open_text(path):
            header = {h.strip().lower() for h in next(csv.reader(handle), [])}
            header = {"incident_state" if h == "ident_state" else h for h in header}
            for kind, columns in _KIND_COLUMNS:
                if columns <= header:
                    return kind
    except UnicodeDecodeError:
        raise ImportFileError(f"{shown}: not UTF-8 text") from None
    except (csv.Error, zipfile.BadZipFile) as exc:
        raise ImportFileError(f"{shown}: not a CSV file ({exc})") from None
    except ImportFileError as exc:
        raise ImportFileError(str(exc).replace(path.name, shown, 1)) from None
    raise ImportFileError(UNKNOWN_EXPORT.format(name=shown))


def read_mapping(path: Path | str | None) -> dict[str, str]:
    """assignment_group -> supplier from a CSV with those two columns."""
    if path is None:
        return {}
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            names = [n.strip().lower() for n in reader.fieldnames or []]
            if "assignment_group" not in names or "supplier" not in names:
                raise ImportFileError(f"{path.name}: line 1: needs columns assignment_group, supplier")
            reader.fieldnames = names
            mapping = {}
            for row in reader:
                group, supplier = (row.get("assignment_group") or "").strip(), (row.get("supplier") or "").strip()
                if not group or not supplier:
                    raise ImportFileError(f"{path.name}: line {reader.line_num}: assignment_group and supplier needed")
                if "\x00" in group + supplier:
                    raise ImportFileError(f"{path.name}: line {reader.line_num}: {HAS_NUL}")
                mapping[group] = supplier
            return mapping
    except OSError as exc:
        raise ImportFileError(f"{path.name}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path.name}: not UTF-8 text") from None
    except csv.Error as exc:
        raise ImportFileError(f"{path.name}: not a CSV of assignment_group, supplier ({exc})") from None


def _open_text(path: Path) -> Iterator[io.TextIOBase]:
    """The CSV text of `path`, or of the single CSV inside it when it is a zip."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv") and not m.startswith("__MACOSX")]
            if len(members) != 1:
                raise ImportFileError(f"{path.name}: expected one CSV inside, found {len(members)}")
            with archive.open(members[0]) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield handle


def _rows(path: Path, required: tuple[str, ...], aliases: dict[str, str] | None = None) -> Iterator[dict[str, str]]:
    """Rows as dicts keyed by lower-case column name (the first of repeated names wins)."""
    try:
        for handle in _open_text(path):
            reader = csv.reader(handle)
            header = [h.strip().lower() for h in next(reader, [])]
            header = [(aliases or {}).get(h, h) for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                raise ImportFileError(f"{path.name}: line 1: missing column(s) {', '.join(missing)}")
            index = {name: header.index(name) for name in dict.fromkeys(header)}
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise ImportFileError(
                        f"{path.name}: line {reader.line_num}: {len(row)} fields where the header has {len(header)}"
                    )
                if any("\x00" in value for value in row):
                    raise ImportFileError(f"{path.name}: line {reader.line_num}: {HAS_NUL}")
                yield {name: row[i] for name, i in index.items()}
    except FileNotFoundError:
        raise ImportFileError(f"{path.name}: no such file") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path.name}: not UTF-8 text") from None
    except csv.Error as exc:  # a field over the csv module's limit (128 KiB): no service-desk export has one
        raise ImportFileError(f"{path.name}: line {reader.line_num}: {exc}") from None


def _iso(naive: datetime | None, zone: str) -> str:
    if naive is None:
        return ""
    return clock.local_iso(naive, zone)


SERVICENOW_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})$")


def _servicenow_time(text: str, where: str) -> datetime | None:
    text = text.strip()
    if not text or text == MISSING:
        return None
    match = SERVICENOW_DATE.match(text)
    if not match:
        raise ImportFileError(f"{where}: {text!r} is not a d/m/yyyy HH:MM date")
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        when = datetime(year, month, day, hour, minute)
    except ValueError:
        raise ImportFileError(f"{where}: {text!r} is not a real date") from None
    return _in_years(when, text, where)


def _in_years(when: datetime, text: str, where: str) -> datetime:
    """A time within the years the tickets are read in, so that it can be shifted to UTC and loaded."""
    if not clock.FIRST_YEAR <= when.year <= clock.LAST_YEAR:
        raise ImportFileError(f"{where}: {text!r} is outside {clock.FIRST_YEAR}-{clock.LAST_YEAR}")
    return when


def _priority(text: str) -> str:
    match = re.match(r"^\s*([1-9])\b", text)
    return match.group(1) if match else text.strip()


def _count(text: str) -> str:
    text = text.strip()
    return text if text.isdigit() else ""


class _Assignments:
    """Assignment rows of one ticket: a row when the holding supplier changes; same-instant changes keep the last."""

    def __init__(self, ticket_id: str, zone: str):
        self.ticket_id, self.zone = ticket_id, zone
        self.rows: list[tuple[datetime, str]] = []

    def add(self, when: datetime | None, supplier: str) -> None:
        if when is None:
            return
        if self.rows and self.rows[-1][0] == when:
            self.rows.pop()
        if not self.rows or self.rows[-1][1] != supplier:
            self.rows.append((when, supplier))

    def out(self) -> list[dict]:
        return [
            {"ticket_id": self.ticket_id, "assigned_at": _iso(when, self.zone), "supplier": supplier}
            for when, supplier in self.rows
        ]


def import_servicenow(
    log: Path | str,
    *,
    mapping: dict[str, str] | None = None,
    service_of: dict[str, str] | None = None,
    zone: str = LONDON_ZONE_NAME,
) -> Imported:
    """Canonical tickets and assignments from a ServiceNow incident event log (CSV, or a zip holding one).

    `service_of` gives the tickets of a group a service of their own (the ticket service of the contract the group
    is mapped to) in place of their category."""
    path = Path(log)
    mapping, service_of = mapping or {}, service_of or {}
    result = Imported()
    required = (
        "number",
        "incident_state",
        "opened_at",
        "sys_updated_at",
        "priority",
        "assignment_group",
        "resolved_at",
        "closed_at",
        "category",
        "reassignment_count",
        "reopen_count",
    )
    updates: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in enumerate(_rows(path, required, {"ident_state": "incident_state"}), start=2):
        result.events_read += 1
        updates.setdefault(row["number"].strip(), []).append((line, row))
    for number, rows in updates.items():
        final_line, final = rows[-1]
        where = f"{path.name}: line {final_line}"
        assignments = _Assignments(number, zone)
        group = ""
        for line, row in rows:
            candidate = row["assignment_group"].strip()
            if candidate and candidate != MISSING:
                group = candidate
                result.groups.add(group)
                if mapping and group not in mapping:
                    result.unmapped_groups.add(group)
                assignments.add(
                    _servicenow_time(row["sys_updated_at"], f"{path.name}: line {line}"), mapping.get(group, group)
                )
        resolved = _servicenow_time(final["resolved_at"], where)
        if resolved is None and final["incident_state"].strip() in RESOLVED_STATES:
            run = rows[:]
            while len(run) > 1 and run[-2][1]["incident_state"].strip() in RESOLVED_STATES:
                run.pop()
            resolved = _servicenow_time(run[-1][1]["sys_updated_at"], f"{path.name}: line {run[-1][0]}")
            resolved = resolved or _servicenow_time(final["closed_at"], where)
        category = final["category"].strip()
        result.tickets.append(
            {
                "ticket_id": number,
                "supplier": mapping.get(group, group) if group else UNASSIGNED,
                "priority": _priority(final["priority"]),
                "opened_at": _iso(_servicenow_time(final["opened_at"], where), zone),
                "resolved_at": _iso(resolved, zone),
                "service": service_of.get(group) or ("" if category == MISSING else category),
                "reassignment_count": _count(final["reassignment_count"]),
                "reopen_count": _count(final["reopen_count"]),
                "first_contact_resolution": "",
                "satisfaction": "",
            }
        )
        result.assignments.extend(assignments.out())
    return result


def _bpic_time(text: str, where: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        when = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise ImportFileError(f"{where}: {text!r} is not a yyyy-mm-dd HH:MM:SS time") from None
    return _in_years(when, text, where)


def import_bpic2014(
    cases: Path | str,
    events: Path | str,
    *,
    mapping: dict[str, str] | None = None,
    service_of: dict[str, str] | None = None,
    zone: str = "Europe/Amsterdam",
) -> Imported:
    """Canonical tickets and assignments from the BPIC 2014 case attributes and activity log (`service_of` as for
    ServiceNow)."""
    cases, events = Path(cases), Path(events)
    mapping, service_of = mapping or {}, service_of or {}
    result = Imported()
    activity: dict[str, list[tuple[datetime, str, str]]] = {}
    for line, row in enumerate(
        _rows(events, ("incident_id", "data_stamp", "incident_activity_number", "assignment_group")), start=2
    ):
        result.events_read += 1
        when = _bpic_time(row["data_stamp"], f"{events.name}: line {line}")
        group = row["assignment_group"].strip()
        if when is None or not group:
            continue
        result.groups.add(group)
        if mapping and group not in mapping:
            result.unmapped_groups.add(group)
        activity.setdefault(row["incident_id"].strip(), []).append(
            (when, row["incident_activity_number"].strip(), group)
        )
    required = (
        "incident_id",
        "priority",
        "open_time",
        "resolved_time",
        "close_time",
        "x_reassignments",
        "reopen_time",
        "service_component_wbs_aff",
    )
    for line, row in enumerate(_rows(cases, required), start=2):
        where = f"{cases.name}: line {line}"
        ticket_id = row["incident_id"].strip()
        opened = _bpic_time(row["open_time"], where)
        resolved = _bpic_time(row["resolved_time"], where) or _bpic_time(row["close_time"], where)
        history = sorted(activity.get(ticket_id, []))
        assignments = _Assignments(ticket_id, zone)
        for when, _number, group in history:
            assignments.add(when, mapping.get(group, group))
        before = [g for w, _n, g in history if resolved is None or w <= resolved] or [g for _w, _n, g in history]
        group = before[-1] if before else ""
        priority = row["priority"].strip()
        if priority == "5":
            priority = "4"
            result.priorities_folded += 1
        result.tickets.append(
            {
                "ticket_id": ticket_id,
                "supplier": mapping.get(group, group) if group else UNASSIGNED,
                "priority": priority,
                "opened_at": _iso(opened, zone),
                "resolved_at": _iso(resolved, zone),
                "service": service_of.get(group) or row["service_component_wbs_aff"].strip(),
                "reassignment_count": _count(row["x_reassignments"]),
                "reopen_count": "1" if row["reopen_time"].strip() else "0",
                "first_contact_resolution": "",
                "satisfaction": "",
            }
        )
        result.assignments.extend(assignments.out())
    return result


def write_csv(rows: list[dict], columns: tuple[str, ...], target: Path) -> None:
    """Write canonical rows; the file appears whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    partial.replace(target)
