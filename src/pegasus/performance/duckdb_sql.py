# SQL here is built from the module's own table names and constants; file paths are quoted, values are bound.
# ruff: noqa: S608
"""DuckDB SQL shared by the ticket loader, the dataset store and the SLA engine.

The connection (in memory, spilling to a temporary directory), quoting, one-row queries, and the SQL that reads
ISO 8601 timestamps and turns Europe/London wall-clock time into instants and back (as `clock.local_to_micros`
reads it), built as CASE expressions that DuckDB evaluates a vector at a time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import lru_cache

import duckdb

from pegasus.core.calendar import LONDON_ZONE_NAME
from pegasus.performance import clock

ISO_PATTERN = r"\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?"
OFFSET_PATTERN = r"(Z|[+-]\d{2}(:?\d{2})?)$"


def connect(*, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to a temporary directory, with the macros of `define_macros`."""
    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET temp_directory = '{quote_literal(tempfile.gettempdir())}/pegasus-duckdb'")
    if memory_limit:
        con.execute(f"SET memory_limit = '{quote_literal(memory_limit)}'")
    define_macros(con)
    return con


def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    """`quote_text(t)`: a field quoted in a reason, cut to its first 60 characters."""
    con.execute("CREATE OR REPLACE TEMP MACRO quote_text(t) AS '''' || left(t, 60) || ''''")


def quote_literal(text: str) -> str:
    """`text` to go between the single quotes of an SQL string literal."""
    return str(text).replace("'", "''")


def quote_ident(name: str) -> str:
    """`name` to go between the double quotes of an SQL identifier."""
    return name.replace('"', '""')


def scalar_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    """The one row of a query that always gives one (an aggregate)."""
    row = con.execute(sql).fetchone()
    assert row is not None
    return row


def scalar_int(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The first value of the one row of a query that always gives one, as an int (a count)."""
    return int(scalar_row(con, sql)[0])


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """The number of rows in the table or view `table`."""
    return scalar_int(con, f"SELECT count(*) FROM {table}")


def drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop the view or table `name`, if there is one."""
    views = scalar_int(
        con, f"SELECT count(*) FROM duckdb_views() WHERE view_name = '{quote_literal(name)}' AND NOT internal"
    )
    con.execute(f"DROP {'VIEW' if views else 'TABLE'} IF EXISTS {name}")


# The shapes almost every file uses, as LIKE patterns (cheap) with the strptime formats that then read them strictly.
FAST_SHAPES = (
    ("____-__-__T__:__:__", "%Y-%m-%dT%H:%M:%S"),
    ("____-__-__ __:__:__", "%Y-%m-%d %H:%M:%S"),
    ("____-__-__T__:__", "%Y-%m-%dT%H:%M"),
    ("____-__-__ __:__", "%Y-%m-%d %H:%M"),
)


def trimmed_sql(text: str) -> str:
    """SQL for `text` without its surrounding spaces (as DuckDB's trim: the ASCII space and Unicode's other spaces),
    empty as NULL. Only values that may need it are trimmed, which is several times cheaper than trimming every
    value: those with an ASCII space at either end, and those with any other character than ASCII (fewer bytes
    than characters)."""
    return (
        f"nullif(CASE WHEN {text} LIKE ' %' OR {text} LIKE '% ' OR strlen({text}) <> length({text}) "
        f"THEN trim({text}) ELSE {text} END, '')"
    )


def timestamp_sql(read: str, text: str, alias: str) -> tuple[str, list[str], list[str]]:
    """Three layers of select-list items parsing `read`, a field as read: `{alias}_fast` (the wall-clock micros of
    a time without an offset in one of the `FAST_SHAPES`); then `text` (the field trimmed, empty as NULL),
    `{alias}_ok` (its shape) and `{alias}_tz` (the offset as written, '' when none); then `{alias}_naive`
    (wall-clock micros) and `{alias}_offset` (micros to subtract, NULL for a Europe/London wall-clock time).

    Most times take the fast path: a LIKE for the shape, then strptime, which accepts only digits where the
    format has them and only real dates and times; such a field needs no trimming. The rest are trimmed and
    checked by one regular expression. Given that shape, a time of 16 characters (to the minute) or of 19 with
    seconds has no offset; otherwise an offset is a final 'Z' or a sign six, five or three characters from the end
    (±HH:MM, ±HHMM, ±HH): looking there is much cheaper than another pattern. DuckDB evaluates a CASE branch only
    for the rows that reach it, so the slow path costs nothing when no row takes it.
    """
    fast = f"{alias}_fast"
    shapes = " ".join(
        f"WHEN {read} LIKE '{shape}' THEN epoch_us(try_strptime({read}, '{form}'))" for shape, form in FAST_SHAPES
    )
    zeroth = f"CASE {shapes} END AS {fast}"
    slow = trimmed_sql(read)  # in the slow branches only
    size = f"length({slow})"
    sign = "IN ('+', '-')"
    first = [
        f"CASE WHEN {fast} IS NOT NULL THEN {read} ELSE {slow} END AS {text}",
        f"CASE WHEN {fast} IS NOT NULL THEN true ELSE regexp_full_match({slow}, '{ISO_PATTERN}') END AS {alias}_ok",
        f"CASE WHEN {fast} IS NOT NULL OR {size} = 16 OR ({size} = 19 AND substr({slow}, 17, 1) = ':') THEN '' "
        f"WHEN right({slow}, 1) = 'Z' THEN 'Z' "
        f"WHEN substr({slow}, {size} - 5, 1) {sign} THEN right({slow}, 6) "
        f"WHEN substr({slow}, {size} - 4, 1) {sign} THEN right({slow}, 5) "
        f"WHEN substr({slow}, {size} - 2, 1) {sign} THEN right({slow}, 3) ELSE '' END AS {alias}_tz",
    ]
    tz = f"{alias}_tz"
    second = [
        f"coalesce({fast}, CASE WHEN {alias}_ok "
        f"THEN epoch_us(TRY_CAST(left({text}, length({text}) - length({tz})) AS TIMESTAMP)) END) AS {alias}_naive",
        f"CASE WHEN NOT {alias}_ok OR {tz} = '' THEN NULL WHEN {tz} = 'Z' THEN 0 "
        f"ELSE (CASE WHEN left({tz}, 1) = '-' THEN -1 ELSE 1 END) * (CAST(substr({tz}, 2, 2) AS BIGINT) * 60 "
        f"+ CASE WHEN length({tz}) > 3 THEN CAST(right({tz}, 2) AS BIGINT) ELSE 0 END) * 60000000 END "
        f"AS {alias}_offset",
    ]
    return zeroth, first, second


def instant_sql(alias: str) -> str:
    """Epoch micros from `{alias}_naive`/`{alias}_offset`: the offset when one was written, else London time."""
    naive = f"{alias}_naive"
    return f"CASE WHEN {alias}_offset IS NOT NULL THEN {naive} - {alias}_offset ELSE {london_instant_sql(naive)} END"


def search_sql(bounds: list[int], value: str, leaf: Callable[[int], str], low: int = 0, high: int | None = None) -> str:
    """A CASE giving `leaf(k)` for the segment k in [low, high] (by default all of them) with
    bounds[k - 1] <= value < bounds[k], found by halving: `len(bounds)` sorted bounds make `len(bounds) + 1` segments.
    DuckDB evaluates it a vector at a time, so a row costs a comparison per level."""
    if high is None:
        high = len(bounds)
    if low == high:
        return leaf(low)
    middle = (low + high + 1) // 2
    return (
        f"CASE WHEN {value} < {bounds[middle - 1]} THEN {search_sql(bounds, value, leaf, low, middle - 1)} "
        f"ELSE {search_sql(bounds, value, leaf, middle, high)} END"
    )


@lru_cache(maxsize=1)
def _london_segments() -> tuple[list[int], list[int], list[int]]:
    """London's changes as segments of wall-clock time: where each starts, its offset, and the next change."""
    changes = clock.changes(LONDON_ZONE_NAME)
    starts = [instant + max(before, after) for instant, before, after in changes]
    offsets = [changes[0][1], *(after for _instant, _before, after in changes)]
    nexts = [instant for instant, _before, _after in changes]
    return starts, offsets, nexts


def london_instant_sql(wall: str) -> str:
    """SQL for the epoch micros of London wall-clock micros `wall`, read as `clock.local_to_micros` reads them.

    Between the wall-clock time from which one change's offset applies (the change plus the larger offset) and the
    next such time, the instant is `least(wall - offset, next change)`: that reads a repeated time as its first
    occurrence and a skipped time as the moment of the change. The segment is found by halving (a CASE nine deep
    for the 257 changes of 1970-2099), which DuckDB evaluates a vector at a time: far cheaper than a join or a
    time-zone library call per row.
    """
    starts, offsets, nexts = _london_segments()

    def leaf(k: int) -> str:
        shifted = f"{wall} - ({offsets[k]})"
        return f"least({shifted}, {nexts[k]})" if k < len(nexts) else shifted

    return search_sql(starts, wall, leaf)


def london_wall_sql(instant: str) -> str:
    """SQL for the London wall-clock micros of epoch micros `instant`."""
    starts, offsets, nexts = _london_segments()
    return search_sql(nexts, instant, lambda k: f"{instant} + ({offsets[k]})")
