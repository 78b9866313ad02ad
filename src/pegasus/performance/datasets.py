# SQL here is built from the module's own table names and constants; file paths are quoted, values are bound.
# ruff: noqa: S608
"""Stored ticket datasets: loaded tickets and assignments written as Parquet, and read back as DuckDB views.

A dataset is a directory holding `tickets.parquet` (instants as UTC `TIMESTAMP` columns `opened_at`,
`resolved_at`), `assignments.parquet` when assignments were loaded, and the rejected rows of each load as CSV.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from pegasus.core import spreadsheets
from pegasus.performance.duckdb_sql import quote_ident, quote_literal
from pegasus.performance.ticket_loading import LoadReport, TicketFileError

TICKETS_PARQUET = "tickets.parquet"
ASSIGNMENTS_PARQUET = "assignments.parquet"
# Where uploads' datasets are kept in the shared storage (pegasus.core.storage): STORED_DATASETS/<name>/<file>.
STORED_DATASETS = "performance/datasets"


def write_rejected(con: duckdb.DuckDBPyConnection, report: LoadReport, target: Path) -> None:
    """Write a load's rejected rows (line, reason, the row as read, the reader's text of a malformed row) as CSV."""
    assert report.rejected_table
    target.parent.mkdir(parents=True, exist_ok=True)
    # People open this file to fix the rows: text a spreadsheet would run as a formula is written as text, with a
    # single quote in front, as every export writes it (pegasus.core.spreadsheets).
    triggers = ", ".join(f"chr({ord(c)})" for c in spreadsheets.FORMULA_TRIGGERS)
    columns = ", ".join(
        f'CASE WHEN left("{n}", 1) IN ({triggers}) THEN \'\'\'\' || "{n}" ELSE "{n}" END AS "{n}"'
        if kind == "VARCHAR"
        else f'"{n}"'
        for n, kind in (
            (quote_ident(name), kind) for name, kind, *_ in con.execute(f"DESCRIBE {report.rejected_table}").fetchall()
        )
    )
    con.execute(
        f"COPY (SELECT {columns} FROM {report.rejected_table} ORDER BY line) TO '{quote_literal(str(target))}' (HEADER)"
    )


def store_dataset(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    *,
    tickets: str = "tickets",
    assignments: str | None = None,
    rejected: dict[str, LoadReport] | None = None,
) -> None:
    """Write loaded tables as Parquet into `directory`, replacing what was there only once everything is written."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        con.execute(
            f"""COPY (SELECT ticket_id, supplier, priority, make_timestamp(opened_us) AS opened_at,
                make_timestamp(resolved_us) AS resolved_at, service, reassignment_count, reopen_count,
                first_contact_resolution, satisfaction FROM {tickets})
            TO '{quote_literal(str(staging / TICKETS_PARQUET))}' (FORMAT parquet, COMPRESSION zstd)"""
        )
        if assignments:
            con.execute(
                f"""COPY (SELECT ticket_id, make_timestamp(assigned_us) AS assigned_at, supplier FROM {assignments})
                TO '{quote_literal(str(staging / ASSIGNMENTS_PARQUET))}' (FORMAT parquet, COMPRESSION zstd)"""
            )
        for stem, report in (rejected or {}).items():
            if report.rejected_table:
                write_rejected(con, report, staging / f"{stem}.rejected.csv")
        old = None
        if directory.exists():
            old = directory.with_name(f".{directory.name}-old-{os.getpid()}")
            directory.rename(old)
        staging.rename(directory)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def open_dataset(con: duckdb.DuckDBPyConnection, directory: Path, *, tickets: str = "tickets") -> str | None:
    """Make views `tickets` (and `assignments` when stored) over a stored dataset; return the assignments view."""
    ticket_file = directory / TICKETS_PARQUET
    if not ticket_file.is_file():
        raise TicketFileError(directory, f"has no {TICKETS_PARQUET}: ingest a tickets file first")
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {tickets} AS SELECT ticket_id, supplier, priority,
            epoch_us(opened_at) AS opened_us, epoch_us(resolved_at) AS resolved_us, service, reassignment_count,
            reopen_count, first_contact_resolution, satisfaction
        FROM read_parquet('{quote_literal(str(ticket_file))}')"""
    )
    assignment_file = directory / ASSIGNMENTS_PARQUET
    if assignment_file.is_file():
        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW assignments AS SELECT ticket_id, epoch_us(assigned_at) AS assigned_us,
                supplier FROM read_parquet('{quote_literal(str(assignment_file))}')"""
        )
        return "assignments"
    return None
