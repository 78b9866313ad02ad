# SQL here is built from the module's own table names and constants; file paths are quoted, values are bound.
# ruff: noqa: S608
"""Canonical ticket files: read, check every row, and load them as typed columns in DuckDB.

The canonical tickets CSV (UTF-8, header row) has `ticket_id, supplier, priority, opened_at, resolved_at` and
optionally `service, reassignment_count, reopen_count, first_contact_resolution, satisfaction`; header names are
matched without regard to case or surrounding spaces and other columns are ignored. The assignments CSV has
`ticket_id, assigned_at, supplier`, one row per change of the supplier holding a ticket.

Timestamps are ISO 8601 (`2019-05-27T09:30`, `2019-05-27 09:30:15.5`, `...Z`, `...+01:00`). One with an offset or
`Z` is that instant; one without is Europe/London wall-clock time, read as `clock.local_to_micros` reads it (the
first of a repeated time when clocks go back; the moment of the change for a time skipped when they go forward).

A file is checked whole before anything is kept. Line numbers are those of the file, the header being line 1.
Bad rows reject the file (`TicketFileError`) unless `skip_invalid`, when they are kept aside with their reasons.

Everything is done by DuckDB's own CSV reader and SQL (no extensions), so checking ten million rows takes seconds.
Instants are held as epoch micros (`opened_us`, `resolved_us`) in the engine and as UTC `TIMESTAMP` columns
(`opened_at`, `resolved_at`) in a stored dataset's Parquet (`pegasus.performance.datasets`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pegasus.core import intake
from pegasus.core.exceptions import InputError
from pegasus.performance import clock
from pegasus.performance.duckdb_sql import (
    define_macros,
    drop_relation,
    instant_sql,
    quote_ident,
    quote_literal,
    scalar_int,
    scalar_row,
    timestamp_sql,
    trimmed_sql,
)

TICKET_REQUIRED = ("ticket_id", "supplier", "priority", "opened_at", "resolved_at")
OPTIONAL_TYPES = {  # the optional columns, in order, with their types once read
    "service": "VARCHAR",
    "reassignment_count": "INTEGER",
    "reopen_count": "INTEGER",
    "first_contact_resolution": "BOOLEAN",
    "satisfaction": "DOUBLE",
}
TICKET_OPTIONAL = tuple(OPTIONAL_TYPES)
ASSIGNMENT_REQUIRED = ("ticket_id", "assigned_at", "supplier")
# The free-text fields, checked for control characters as every importer checks its text.
TICKET_TEXT = ("ticket_id", "supplier", "service")
ASSIGNMENT_TEXT = ("ticket_id", "supplier")
MAX_LISTED = 20

TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0")

NOT_UTF8 = "not UTF-8 text"
MAX_HEADER_BYTES = 64 * 1024
HEADER_TOO_LONG = f"the header row is longer than {MAX_HEADER_BYTES // 1024} KB"
CONTROL_CHARACTER = "{column} contains a control character ({name})"
MISSING_COLUMNS = "missing column(s): {}"
DUPLICATE_ID = "duplicate ticket_id"
_LAST_MICROS = (clock.LAST_YEAR + 1 - 1970) * 365 * clock.MICROS_PER_DAY  # a little before 2100: a safe bound


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class TicketFileError(InputError):
    """A ticket or assignments file that cannot be used; `bad_lines` are the first of `bad_count` bad rows."""

    def __init__(self, path: Path | str, message: str, bad_lines: list[BadLine] | None = None, bad_count: int = 0):
        self.path = Path(path)
        self.bad_lines = bad_lines or []
        self.bad_count = bad_count
        listed = "; ".join(str(b) for b in self.bad_lines)
        super().__init__(f"{self.path.name}: {message}" + (f": {listed}" if listed else ""))


@dataclass
class LoadReport:
    """What a load read and set aside; `rejected_table` names the DuckDB table of rejected rows (line, reason, ...)."""

    rows_read: int = 0
    rows_rejected: int = 0
    rejected_table: str | None = None
    columns: list[str] = field(default_factory=list)


def read_header(path: Path) -> list[str]:
    """The header's column names (trimmed, lower case); raises TicketFileError when there is none."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(MAX_HEADER_BYTES + 1)
    except OSError as exc:
        raise TicketFileError(path, f"cannot be read ({exc.strerror})") from None
    if len(first) > MAX_HEADER_BYTES:
        raise TicketFileError(path, "rejected", [BadLine(1, HEADER_TOO_LONG)], 1)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TicketFileError(path, "rejected", [BadLine(1, NOT_UTF8)], 1) from None
    if not text.strip():
        raise TicketFileError(path, "rejected", [BadLine(1, "no header row")], 1)
    return [name.strip().lower() for name in next(csv.reader([text]))]


def _check_header(path: Path, names: list[str], required: tuple[str, ...]) -> None:
    missing = [name for name in required if name not in names]
    if missing:
        raise TicketFileError(path, "rejected", [BadLine(1, MISSING_COLUMNS.format(", ".join(missing)))], 1)
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        raise TicketFileError(
            path, "rejected", [BadLine(1, f"column(s) named twice: {intake.shortened(', '.join(duplicated), 200)}")], 1
        )


def _csv_sql(
    con: duckdb.DuckDBPyConnection, path: Path, names: list[str], rejects: str, *, keep: tuple[str, ...] = ()
) -> str:
    """A subquery of every field as text, trimmed, empty as NULL, in the file's order; rows the CSV reader cannot
    take go to table `rejects` with their line numbers (when the subquery runs). The columns named in `keep` are
    left as read (the reader makes an empty field NULL) for the caller to trim where it must."""
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
    trimmed = ", ".join(f"c{i}" if name in keep else f"{trimmed_sql(f'c{i}')} AS c{i}" for i, name in enumerate(names))
    con.execute(f"DROP TABLE IF EXISTS {rejects}")
    con.execute(f"DROP TABLE IF EXISTS {rejects}_scan")
    return (
        f"SELECT {trimmed} FROM read_csv('{quote_literal(str(path))}', header = true, "
        f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', columns = {{{columns}}}, "
        f"store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scan', "
        "strict_mode = true, null_padding = false)"
    )


def _timestamp_reason(column: str, alias: str, *, required: bool) -> str:
    empty = f"'{column} is empty'" if required else "NULL"
    return (
        f"CASE WHEN {column}_raw IS NULL THEN {empty} "
        f"WHEN NOT {alias}_ok THEN '{column} ' || quote_text({column}_raw) || ' is not an ISO 8601 date and time' "
        f"WHEN {alias}_naive IS NULL THEN '{column} ' || quote_text({column}_raw) || ' is not a real date and time' "
        f"WHEN {alias}_us IS NULL OR {alias}_us < 0 OR {alias}_us >= {_LAST_MICROS} "
        f"THEN '{column} ' || quote_text({column}_raw) || ' is outside {clock.FIRST_YEAR}-{clock.LAST_YEAR}' END"
    )


def _control_reason(column: str) -> str:
    """SQL for the reason a text field is refused when it holds a control character (the rule of every importer,
    `pegasus.core.intake`), naming the first such character; NULL when it holds none."""
    pattern = quote_literal(intake.CONTROL_CHARACTER_RE2)
    before, after = (quote_literal(part) for part in CONTROL_CHARACTER.format(column=column, name="\0").split("\0"))
    return (
        f"CASE WHEN regexp_matches({column}, '{pattern}') THEN '{before}' "
        f"|| printf('U+%04X', unicode(regexp_extract({column}, '{pattern}'))) || '{after}' END"
    )


def _no_control(columns: tuple[str, ...]) -> str:
    """SQL true when none of the text `columns` holds a control character (NULL fields hold none)."""
    pattern = quote_literal(intake.CONTROL_CHARACTER_RE2)
    return " AND ".join(f"NOT coalesce(regexp_matches({c}, '{pattern}'), false)" for c in columns)


def load_tickets(
    con: duckdb.DuckDBPyConnection, path: Path | str, *, skip_invalid: bool = False, table: str = "tickets"
) -> LoadReport:
    """Check a canonical tickets CSV and load its good rows: TEMP view `table` (every canonical column) over TEMP
    table `{table}_rows` (the columns the file has).

    Raises TicketFileError listing the first bad lines when any row is bad and not `skip_invalid`; then `table`
    does not exist.
    """
    path = Path(path)
    names = read_header(path)
    _check_header(path, names, TICKET_REQUIRED)
    define_macros(con)
    rejects = f"{table}_rejects"
    source = _csv_sql(con, path, names, rejects, keep=("opened_at", "resolved_at"))
    col = {name: f"c{names.index(name)}" for name in (*TICKET_REQUIRED, *TICKET_OPTIONAL) if name in names}

    present = [name for name in TICKET_OPTIONAL if name in col]

    def text(name: str) -> str:
        return col[name] if name in col else "CAST(NULL AS VARCHAR)"

    reasons = [
        "CASE WHEN ticket_id IS NULL THEN 'ticket_id is empty' END",
        "CASE WHEN supplier IS NULL THEN 'supplier is empty' END",
        "CASE WHEN priority IS NULL THEN CASE WHEN priority_raw IS NULL THEN 'priority is empty' "
        "ELSE 'priority ' || quote_text(priority_raw) || ' is not 1-4 or P1-P4' END END",
        _timestamp_reason("opened_at", "opened", required=True),
        _timestamp_reason("resolved_at", "resolved", required=False),
        "CASE WHEN opened_us IS NOT NULL AND resolved_us IS NOT NULL AND resolved_us < opened_us "
        "THEN 'resolved_at is before opened_at' END",
        *(_control_reason(name) for name in TICKET_TEXT),
    ]
    for name in ("reassignment_count", "reopen_count"):
        reasons.append(
            f"CASE WHEN {name}_raw IS NOT NULL AND ({name} IS NULL OR {name} < 0) "
            f"THEN '{name} ' || quote_text({name}_raw) || ' is not a whole number of 0 or more' END"
        )
    reasons.append(
        "CASE WHEN first_contact_resolution_raw IS NOT NULL AND first_contact_resolution IS NULL "
        "THEN 'first_contact_resolution ' || quote_text(first_contact_resolution_raw) || ' is not true or false' END"
    )
    reasons.append(
        "CASE WHEN satisfaction_raw IS NOT NULL AND (satisfaction IS NULL OR NOT isfinite(satisfaction)) "
        "THEN 'satisfaction ' || quote_text(satisfaction_raw) || ' is not a number' END"
    )
    # A row that passes this has no reason (the reasons are only spelt out for the rows that fail it).
    good = (
        "ticket_id IS NOT NULL AND supplier IS NOT NULL AND priority IS NOT NULL "
        f"AND opened_ok AND opened_us >= 0 AND opened_us < {_LAST_MICROS} "
        f"AND (resolved_at_raw IS NULL OR (resolved_ok AND resolved_us >= opened_us AND resolved_us < {_LAST_MICROS})) "
        "AND (reassignment_count_raw IS NULL OR reassignment_count >= 0) "
        "AND (reopen_count_raw IS NULL OR reopen_count >= 0) "
        "AND (first_contact_resolution_raw IS NULL OR first_contact_resolution IS NOT NULL) "
        "AND (satisfaction_raw IS NULL OR isfinite(satisfaction)) "
        f"AND {_no_control(TICKET_TEXT)}"
    )
    true_words = ", ".join(f"'{w}'" for w in TRUE_WORDS)
    false_words = ", ".join(f"'{w}'" for w in FALSE_WORDS)
    fcr = text("first_contact_resolution")
    opened_0, opened_1, opened_2 = timestamp_sql("opened_at_read", "opened_at_raw", "opened")
    resolved_0, resolved_1, resolved_2 = timestamp_sql("resolved_at_read", "resolved_at_raw", "resolved")
    priorities = " ".join(f"WHEN '{p}{n}' THEN {n}" for p in ("", "P", "p") for n in range(1, 5))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table}_checked AS
        WITH texts AS (
            SELECT
                {text("ticket_id")} AS ticket_id,
                {text("supplier")} AS supplier,
                {text("priority")} AS priority_raw,
                {text("opened_at")} AS opened_at_read,
                {text("resolved_at")} AS resolved_at_read,
                {text("service")} AS service,
                {text("reassignment_count")} AS reassignment_count_raw,
                {text("reopen_count")} AS reopen_count_raw,
                {fcr} AS first_contact_resolution_raw,
                {text("satisfaction")} AS satisfaction_raw
            FROM ({source})
        ), fast AS (
            SELECT texts.*, {opened_0}, {resolved_0} FROM texts
        ), shaped AS (
            SELECT fast.*, {", ".join(opened_1)}, {", ".join(resolved_1)} FROM fast
        ), parsed AS (
            SELECT shaped.*, {", ".join(opened_2)}, {", ".join(resolved_2)},
                CAST(CASE priority_raw {priorities} END AS TINYINT) AS priority,
                TRY_CAST(reassignment_count_raw AS INTEGER) AS reassignment_count,
                TRY_CAST(reopen_count_raw AS INTEGER) AS reopen_count,
                CASE WHEN lower(first_contact_resolution_raw) IN ({true_words}) THEN true
                     WHEN lower(first_contact_resolution_raw) IN ({false_words}) THEN false
                     END AS first_contact_resolution,
                TRY_CAST(satisfaction_raw AS DOUBLE) AS satisfaction
            FROM shaped
        ), timed AS (
            SELECT parsed.*,
                {instant_sql("opened")} AS opened_us,
                {instant_sql("resolved")} AS resolved_us
            FROM parsed
        )
        SELECT ticket_id, supplier, priority, opened_us, resolved_us, {"".join(f"{n}, " for n in present)}
            CASE WHEN {good} THEN NULL ELSE nullif(concat_ws('; ', {", ".join(reasons)}), '') END AS reason
        FROM timed
        """
    )
    _duplicate_ids(con, f"{table}_checked", f"{table}_dupes")
    report = _finish(con, path, names, table, rejects, skip_invalid, dupes=f"{table}_dupes")
    drop_relation(con, table)
    con.execute(f"DROP TABLE IF EXISTS {table}_rows")
    if report.rows_rejected:
        con.execute(
            f"CREATE TEMP TABLE {table}_rows AS SELECT * FROM {table}_checked "
            f"WHERE reason IS NULL AND rowid NOT IN (SELECT rid FROM {table}_dupes)"
        )
        con.execute(f"DROP TABLE {table}_checked")
    else:  # every row is good: the checked table holds the tickets
        con.execute(f"ALTER TABLE {table}_checked RENAME TO {table}_rows")
    con.execute(f"DROP TABLE {table}_dupes")
    # The columns a file lacks are NULL in the view, not stored: ten million NULLs a column cost time to write.
    columns = [n if n in present else f"CAST(NULL AS {OPTIONAL_TYPES[n]}) AS {n}" for n in TICKET_OPTIONAL]
    con.execute(
        f"CREATE TEMP VIEW {table} AS SELECT ticket_id, supplier, priority, opened_us, resolved_us, "
        f"{', '.join(columns)} FROM {table}_rows"
    )
    return report


def _duplicate_ids(con: duckdb.DuckDBPyConnection, checked: str, dupes: str) -> None:
    """Make table `dupes` (rid, first_rid, ticket_id) of the rows of `checked` whose ticket_id came before: every
    occurrence after the first is bad, naming the row of the first.

    Two cheap tests come first, since most files have no duplicates. Ids that rise strictly from each row to the
    next are all different, whatever order the rows are taken in (most exports are in id order: one pass, no hash
    table); failing that, a count of the ids seen more than once. Only when that finds some are the rows found.
    """
    rows, rising = scalar_row(
        con,
        f"SELECT count(*), count(*) FILTER (WHERE ticket_id > previous) "
        f"FROM (SELECT ticket_id, lag(ticket_id) OVER () AS previous FROM {checked})",
    )
    repeated = f"FROM {checked} WHERE ticket_id IS NOT NULL GROUP BY ticket_id HAVING count(*) > 1"
    if rows <= 1 or rising == rows - 1 or not scalar_int(con, f"SELECT count(*) FROM (SELECT ticket_id {repeated})"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {dupes} (rid BIGINT, first_rid BIGINT, ticket_id VARCHAR)")
        return
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {dupes} AS
        WITH repeated AS (SELECT ticket_id, min(rowid) AS first_rid {repeated})
        SELECT c.rowid AS rid, r.first_rid, c.ticket_id FROM {checked} c JOIN repeated r USING (ticket_id)
        WHERE c.rowid > r.first_rid
        """
    )


def load_assignments(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    *,
    tickets: str = "tickets",
    skip_invalid: bool = False,
    table: str = "assignments",
) -> LoadReport:
    """Check an assignments CSV against the loaded tickets and load its good rows into TEMP table `table`."""
    path = Path(path)
    names = read_header(path)
    _check_header(path, names, ASSIGNMENT_REQUIRED)
    define_macros(con)
    rejects = f"{table}_rejects"
    source = _csv_sql(con, path, names, rejects, keep=("assigned_at",))
    col = {name: f"c{names.index(name)}" for name in ASSIGNMENT_REQUIRED}
    reasons = [
        "CASE WHEN ticket_id IS NULL THEN 'ticket_id is empty' "
        f"WHEN ticket_id NOT IN (SELECT ticket_id FROM {tickets}) "
        "THEN 'ticket_id ' || quote_text(ticket_id) || ' is not among the tickets' END",
        "CASE WHEN supplier IS NULL THEN 'supplier is empty' END",
        _timestamp_reason("assigned_at", "assigned", required=True),
        *(_control_reason(name) for name in ASSIGNMENT_TEXT),
    ]
    assigned_0, assigned_1, assigned_2 = timestamp_sql("assigned_at_read", "assigned_at_raw", "assigned")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table}_checked AS
        WITH texts AS (
            SELECT
                {col["ticket_id"]} AS ticket_id,
                {col["supplier"]} AS supplier,
                {col["assigned_at"]} AS assigned_at_read
            FROM ({source})
        ), fast AS (
            SELECT texts.*, {assigned_0} FROM texts
        ), shaped AS (
            SELECT fast.*, {", ".join(assigned_1)} FROM fast
        ), parsed AS (
            SELECT shaped.*, {", ".join(assigned_2)} FROM shaped
        ), timed AS (
            SELECT parsed.*, {instant_sql("assigned")} AS assigned_us FROM parsed
        )
        SELECT ticket_id, assigned_us, supplier, nullif(concat_ws('; ', {", ".join(reasons)}), '') AS reason
        FROM timed
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table}_dupes AS
        WITH repeated AS (
            SELECT ticket_id, assigned_us, min(rowid) AS first_rid FROM {table}_checked
            WHERE reason IS NULL GROUP BY ALL HAVING count(*) > 1
        )
        SELECT c.rowid AS rid, r.first_rid, c.ticket_id FROM {table}_checked c
        JOIN repeated r USING (ticket_id, assigned_us)
        WHERE c.rowid > r.first_rid AND c.reason IS NULL
        """
    )
    report = _finish(
        con,
        path,
        names,
        table,
        rejects,
        skip_invalid,
        dupes=f"{table}_dupes",
        dupe_reason="a second assignment at the same time of ticket_id",
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT ticket_id, assigned_us, supplier FROM {table}_checked "
        f"WHERE reason IS NULL AND rowid NOT IN (SELECT rid FROM {table}_dupes)"
    )
    for suffix in ("_checked", "_dupes"):
        con.execute(f"DROP TABLE {table}{suffix}")
    return report


def _finish(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    names: list[str],
    table: str,
    rejects: str,
    skip_invalid: bool,
    *,
    dupes: str,
    dupe_reason: str = DUPLICATE_ID,
) -> LoadReport:
    """Gather the bad rows (reader rejects, failed checks, duplicates) with their file line numbers; raise or keep.

    `dupe_reason` is the reason of a repeated row, before its quoted ticket id and the line of the first.
    """
    good = scalar_int(con, f"SELECT count(*) FROM {table}_checked")
    structural = scalar_int(con, f"SELECT count(DISTINCT line) FROM {rejects}")
    report = LoadReport(rows_read=good + structural, columns=names)
    failed = scalar_int(con, f"SELECT count(*) FROM {table}_checked WHERE reason IS NOT NULL")
    if not (structural or failed or scalar_int(con, f"SELECT count(*) FROM {dupes}")):
        return report
    # A good row's record number is its rowid plus the reader rejects before it; line = record number + 1.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table}_rejected_raw AS
        WITH reader AS (
            SELECT line, string_agg(DISTINCT CASE error_type WHEN 'INVALID ENCODING' THEN '{NOT_UTF8}'
                WHEN 'TOO MANY COLUMNS' THEN 'wrong number of fields (' || error_message || ')'
                WHEN 'MISSING COLUMNS' THEN 'wrong number of fields (' || error_message || ')'
                ELSE lower(replace(CAST(error_type AS VARCHAR), '_', ' ')) || ' (' || error_message || ')' END, '; ')
                AS reason,
                any_value(csv_line) AS raw_line
            FROM {rejects} GROUP BY line
        ), skips AS (
            SELECT (line - 2) - (row_number() OVER (ORDER BY line) - 1) AS good_before FROM reader
        ), checked AS (
            SELECT c.rowid AS rid, d.first_rid, c.reason, c.ticket_id
            FROM {table}_checked c LEFT JOIN {dupes} d ON d.rid = c.rowid
            WHERE c.reason IS NOT NULL OR d.rid IS NOT NULL
        )
        SELECT c.rid + 2 + (SELECT count(*) FROM skips WHERE good_before <= c.rid) AS line,
            concat_ws('; ', c.reason, CASE WHEN c.first_rid IS NOT NULL THEN '{quote_literal(dupe_reason)} '
                || quote_text(c.ticket_id) || ' (first on line '
                || CAST(c.first_rid + 2 + (SELECT count(*) FROM skips WHERE good_before <= c.first_rid) AS VARCHAR)
                || ')' END) AS reason,
            c.rid, NULL AS raw_line
        FROM checked c
        UNION ALL
        SELECT line, reason, NULL, raw_line FROM reader
        """
    )
    report.rows_rejected = scalar_int(con, f"SELECT count(*) FROM {table}_rejected_raw")
    line_map = _physical_lines(path, report.rows_read)
    if line_map is not None:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_line_map AS SELECT unnest($1::BIGINT[]) AS record_line, "
            "unnest($2::BIGINT[]) AS file_line",
            [list(range(2, len(line_map) + 2)), line_map],
        )
        con.execute(
            f"UPDATE {table}_rejected_raw r SET line = m.file_line FROM {table}_line_map m WHERE m.record_line = r.line"
        )
        con.execute(f"DROP TABLE {table}_line_map")
    if not skip_invalid:
        listed = con.execute(
            f"SELECT line, reason FROM {table}_rejected_raw ORDER BY line LIMIT {MAX_LISTED}"
        ).fetchall()
        for name in (table + "_rejected_raw", table + "_checked", dupes):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        bad = report.rows_rejected
        noun = "bad row" if bad == 1 else "bad rows"
        first = f", the first {MAX_LISTED}" if bad > MAX_LISTED else ""
        raise TicketFileError(path, f"rejected: {bad} {noun}{first}", [BadLine(int(n), r) for n, r in listed], bad)
    # The rows as read, for the rejected file: read again, in the same order, only now that some are bad.
    originals = ", ".join(f'r.c{i} AS "{quote_ident(name)}"' for i, name in enumerate(names))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_raw AS {_csv_sql(con, path, names, rejects + '_again')}")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table}_rejected AS
        SELECT j.line, j.reason, {originals}, j.raw_line
        FROM {table}_rejected_raw j LEFT JOIN {table}_raw r ON r.rowid = j.rid ORDER BY j.line
        """
    )
    for name in (table + "_rejected_raw", table + "_raw", rejects + "_again", rejects + "_again_scan"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    report.rejected_table = f"{table}_rejected"
    return report


def _physical_lines(path: Path, records: int) -> list[int] | None:
    """None when every record sits on one line of its own (record n is line n + 1); otherwise the file line on
    which each record starts, found by reading the file again (only when a file has bad rows)."""
    newlines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    lines = newlines + (last != b"\n")
    if lines == records + 1:
        return None
    starts: list[int] = []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        line = reader.line_num + 1
        for row in reader:
            if row:
                starts.append(line)
            line = reader.line_num + 1
    return starts[:records] if len(starts) >= records else None
