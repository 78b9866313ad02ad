# SQL here is built from the module's own table names and constants; file paths are quoted, values are bound.
# ruff: noqa: S608
"""Service levels: the SLA file, attainment per supplier, month and priority, and the service credits they earn.

Definitions (issue 5, exact so that results can be checked):

- A ticket belongs to the calendar month (Europe/London) of its `resolved_at`.
- Its duration on the `24x7` clock is `resolved_at - opened_at` in hours; on the `service-hours` clock, the hours of
  that interval inside the supplier's service windows (see `clock`).
- It meets its target when duration <= `resolve_within_hours`.
- For each supplier, month and priority with a target: `resolved`, `met`, `attainment` = 100 x met / resolved
  (null when nothing was resolved), `median_hours` and `p90_hours` of the durations (linear interpolation between
  closest ranks, numpy's default), and `credit` = `credit_percent` x `monthly_charge` / 100 when attainment is
  below `attainment_target`, else 0 (a month with nothing resolved earns no credit).
- A supplier's month credit is the sum of its priorities' credits, capped at `credit_cap_percent` x
  `monthly_charge` / 100. Money is rounded to pennies, half up, at the end.
- `open_breached`: tickets unresolved at the end of a month (the first instant of the next month, Europe/London)
  whose duration so far exceeds the target. A ticket resolved exactly at that instant is not open. The months run
  from the month of the earliest opened ticket to the month of the latest timestamp in the data (the "as at"
  instant); the last month's end is taken as that instant, since the data says nothing later.
- A row appears for a supplier, month and priority when it has resolved tickets or open breaches there.

Durations are computed in integer microseconds; only the hours reported are floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import duckdb

from pegasus.core.bounds import MAX_MONEY
from pegasus.core.exceptions import InputError, OutOfBounds
from pegasus.core.money import round_pennies
from pegasus.core.reading import DocumentError, decimal_in_bounds, load_json, load_yaml
from pegasus.performance import clock
from pegasus.performance.duckdb_sql import scalar_row, search_sql

CLOCKS = ("24x7", "service-hours")
# An SLA file's numbers: a target of at most ten years' hours, money below a trillion pounds, six decimal places.
MAX_HOURS = Decimal(10 * 366 * 24)
MAX_PLACES = 6
MICROS_PER_HOUR = Decimal(clock.MICROS_PER_HOUR)


class SlaFileError(InputError):
    """An SLA file that cannot be used; the message names the entry and field."""


@dataclass(frozen=True)
class Target:
    priority: int
    resolve_within_hours: Decimal
    clock: str
    attainment_target: Decimal
    credit_percent: Decimal

    @property
    def limit_micros(self) -> int:
        """Whole micros a duration may last and still meet the target (durations are whole micros)."""
        return int((self.resolve_within_hours * MICROS_PER_HOUR).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class Agreement:
    supplier: str
    monthly_charge: Decimal
    credit_cap_percent: Decimal
    service_hours: clock.ServiceHours | None
    targets: tuple[Target, ...]

    def target(self, priority: int) -> Target | None:
        return next((t for t in self.targets if t.priority == priority), None)


def read_agreements(path: Path | str) -> list[Agreement]:
    """Read an SLA file (YAML, or JSON which YAML also reads)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SlaFileError(f"{path.name}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SlaFileError(f"{path.name}: not UTF-8 text") from None
    try:
        data = load_json(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except DocumentError as exc:
        raise SlaFileError(f"{path.name}: {exc}") from None
    try:
        return parse_agreements(data)
    except SlaFileError as exc:
        raise SlaFileError(f"{path.name}: {exc}") from None


def _decimal(
    value: object, where: str, *, low: Decimal | None = None, high: Decimal | None = None, above: Decimal | None = None
) -> Decimal:
    """A number of the SLA file, bounded before any arithmetic (OutOfBounds becomes SlaFileError naming `where`)."""
    if isinstance(value, bool) or value is None:
        raise SlaFileError(f"{where}: {value!r} is not a number")
    try:
        return decimal_in_bounds(value, where, lo=low, hi=high, above=above, places=MAX_PLACES)
    except OutOfBounds as exc:
        raise SlaFileError(str(exc)) from None


def parse_priority(value: object, where: str) -> int:
    text = str(value).strip().upper().removeprefix("P")
    if isinstance(value, bool) or text not in ("1", "2", "3", "4"):
        raise SlaFileError(f"{where}: {value!r} is not a priority 1-4 or P1-P4")
    return int(text)


def parse_agreements(data: object) -> list[Agreement]:
    """The agreements of a parsed SLA file: a list of entries, one per supplier."""
    if not isinstance(data, list) or not data:
        raise SlaFileError("an SLA file is a list of entries, one per supplier")
    agreements: list[Agreement] = []
    seen: set[str] = set()
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise SlaFileError(f"entry {number}: not a mapping")
        supplier = str(entry.get("supplier") or "").strip()
        where = f"entry {number}" + (f" ({supplier})" if supplier else "")
        if not supplier:
            raise SlaFileError(f"{where}: supplier is required")
        if supplier in seen:
            raise SlaFileError(f"{where}: supplier {supplier!r} has two entries")
        seen.add(supplier)
        for key in ("monthly_charge", "credit_cap_percent", "targets"):
            if key not in entry:
                raise SlaFileError(f"{where}: {key} is required")
        charge = _decimal(entry["monthly_charge"], f"{where} monthly_charge", low=Decimal(0), high=MAX_MONEY)
        cap = _decimal(entry["credit_cap_percent"], f"{where} credit_cap_percent", low=Decimal(0), high=Decimal(100))
        targets_data = entry["targets"]
        if not isinstance(targets_data, list) or not targets_data:
            raise SlaFileError(f"{where}: targets must list at least one target")
        targets: list[Target] = []
        for index, item in enumerate(targets_data, start=1):
            at = f"{where} targets[{index}]"
            if not isinstance(item, dict):
                raise SlaFileError(f"{at}: not a mapping")
            for key in ("priority", "resolve_within_hours", "clock", "attainment_target", "credit_percent"):
                if key not in item:
                    raise SlaFileError(f"{at}: {key} is required")
            priority = parse_priority(item["priority"], f"{at} priority")
            if any(t.priority == priority for t in targets):
                raise SlaFileError(f"{at} priority: P{priority} has two targets")
            clock_name = str(item["clock"]).strip().lower()
            if clock_name not in CLOCKS:
                raise SlaFileError(f"{at} clock: {item['clock']!r} is not 24x7 or service-hours")
            targets.append(
                Target(
                    priority=priority,
                    resolve_within_hours=_decimal(
                        item["resolve_within_hours"], f"{at} resolve_within_hours", above=Decimal(0), high=MAX_HOURS
                    ),
                    clock=clock_name,
                    attainment_target=_decimal(
                        item["attainment_target"], f"{at} attainment_target", low=Decimal(0), high=Decimal(100)
                    ),
                    credit_percent=_decimal(
                        item["credit_percent"], f"{at} credit_percent", low=Decimal(0), high=Decimal(100)
                    ),
                )
            )
        hours = None
        if entry.get("service_hours") is not None:
            try:
                hours = clock.ServiceHours.from_spec(entry["service_hours"])
            except clock.ClockError as exc:
                raise SlaFileError(f"{where}: {exc}") from None
        elif any(t.clock == "service-hours" for t in targets):
            raise SlaFileError(f"{where}: service_hours is required by its service-hours targets")
        agreements.append(
            Agreement(
                supplier=supplier,
                monthly_charge=charge,
                credit_cap_percent=cap,
                service_hours=hours,
                targets=tuple(sorted(targets, key=lambda t: t.priority)),
            )
        )
    return agreements


# -- Formulas ---------------------------------------------------------------------------------------------------


def attainment(met: int, resolved: int) -> float | None:
    return None if resolved == 0 else 100 * met / resolved


def below_target(met: int, resolved: int, target: Decimal) -> bool:
    """attainment < target, compared exactly (100 x met / resolved < target <=> 100 x met < target x resolved)."""
    return resolved > 0 and Decimal(100 * met) < target * resolved


def priority_credit(agreement: Agreement, target: Target, met: int, resolved: int) -> Decimal:
    """Unrounded credit of one priority in one month."""
    if below_target(met, resolved, target.attainment_target):
        return target.credit_percent * agreement.monthly_charge / 100
    return Decimal(0)


def month_credit(agreement: Agreement, credits: list[Decimal]) -> tuple[Decimal, bool]:
    """The supplier's month credit, rounded to pennies half up, and whether the cap cut it."""
    total = sum(credits, Decimal(0))
    cap = agreement.credit_cap_percent * agreement.monthly_charge / 100
    return round_pennies(min(total, cap)), total > cap


def percentile_linear(values: list[float], q: float) -> float | None:
    """numpy's default percentile (linear interpolation between closest ranks), for checking the engine."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# -- The engine: DuckDB SQL over the loaded tickets -------------------------------------------------------------


def _month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _load_targets(con: duckdb.DuckDBPyConnection, agreements: list[Agreement], calendars: dict[int, int]) -> None:
    """Table `sla_targets`: each agreement's targets, with the calendar of its service hours (`calendars` maps an
    agreement's index to its calendar) for a service-hours target."""
    rows = [
        (a.supplier, t.priority, t.limit_micros, t.clock, calendars[index] if t.clock == "service-hours" else None)
        for index, a in enumerate(agreements)
        for t in a.targets
    ]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE sla_targets (supplier VARCHAR, priority TINYINT, limit_us BIGINT, "
        "clock VARCHAR, calendar_id INTEGER)"
    )
    if rows:
        con.executemany("INSERT INTO sla_targets VALUES (?, ?, ?, ?, ?)", rows)


@dataclass(frozen=True)
class _Calendars:
    """The service-hours clocks of the agreements that need one, numbered 0, 1, ... (`of` maps an agreement's index
    to its calendar's number; agreements with the same hours share one), each a `clock.ClockTable` over the same
    UTC days. In SQL they are the one row of table `sla_clock`: lists `cum0`, `a0`, `b0`, `a1`, ... holding every
    calendar's days one calendar after the other, so that a ticket's day is found by position rather than by a
    join."""

    of: dict[int, int]
    tables: list[clock.ClockTable]
    first_day: int
    days: int
    width: int

    def service_time_sql(self, instant: str, calendar: str) -> str:
        """SQL for the service time up to `instant` (micros) on calendar number `calendar`, with `sla_clock` joined
        as `k`."""
        at = f"({calendar} * {self.days} + {instant} // {clock.MICROS_PER_DAY} - {self.first_day} + 1)"
        pieces = " + ".join(f"greatest(0, least({instant}, k.b{j}[{at}]) - k.a{j}[{at}])" for j in range(self.width))
        return f"(k.cum0[{at}] + {pieces})"


def _load_calendars(
    con: duckdb.DuckDBPyConnection, agreements: list[Agreement], first_day: int, last_day: int
) -> _Calendars:
    # Agreements with the same service hours share a calendar.
    numbers: dict[clock.ServiceHours, int] = {}
    of: dict[int, int] = {}
    for index, a in enumerate(agreements):
        if a.service_hours is not None and any(t.clock == "service-hours" for t in a.targets):
            of[index] = numbers.setdefault(a.service_hours, len(numbers))
    tables = [clock.ClockTable.build(hours, first_day, last_day) for hours in numbers]
    # As many pieces as a day of any calendar has (one, for office hours): each costs two lookups per instant.
    width = max([1, *(len(pieces) for t in tables for pieces in t.pieces)])
    lists: list[list[int]] = [[] for _ in range(1 + 2 * width)]
    for table in tables:
        for cum0, pieces in zip(table.cum0, table.pieces, strict=True):
            values = [cum0, *(bound for piece in pieces for bound in piece)]
            values += [0] * (len(lists) - len(values))
            for column, value in zip(lists, values, strict=True):
                column.append(value)
    names = ["cum0", *(f"{side}{j}" for j in range(width) for side in "ab")]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE sla_clock AS SELECT "
        + ", ".join(f"${n + 1}::BIGINT[] AS {name}" for n, name in enumerate(names)),
        lists,
    )
    return _Calendars(of, tables, first_day, last_day - first_day + 1, width)


def sla_report(
    con: duckdb.DuckDBPyConnection,
    agreements: list[Agreement],
    *,
    tickets: str = "tickets",
    assignments: str | None = None,
) -> dict:
    """Results, credits and unmatched suppliers for the tickets loaded in `tickets` (see the module docstring)."""
    by_supplier = {a.supplier: a for a in agreements}
    unmatched = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT supplier FROM {tickets} WHERE supplier NOT IN (SELECT unnest($1::VARCHAR[])) "
            "ORDER BY supplier",
            [list(by_supplier)],
        ).fetchall()
    ]
    first_us, as_at_us = scalar_row(
        con, f"SELECT min(opened_us), max(greatest(opened_us, coalesce(resolved_us, opened_us))) FROM {tickets}"
    )
    report: dict = {"results": [], "credits": [], "unmatched_suppliers": unmatched}
    if first_us is None:
        if assignments:
            report["handoffs"] = {"pairs": [], "holding": []}
        return report
    first_day = first_us // clock.MICROS_PER_DAY - 1
    last_day = as_at_us // clock.MICROS_PER_DAY + 1
    calendars = _load_calendars(con, agreements, first_day, last_day)
    _load_targets(con, agreements, calendars.of)

    # Month ends from the first opened month to the as-at month, the last capped at the as-at instant.
    first_local = clock.local_of(first_us).date()
    as_at_local = clock.local_of(as_at_us).date()
    month_rows: list[tuple[str, int, int | None, int | None]] = []
    labels: list[str] = []
    next_starts: list[int] = []  # the instant each month ends (uncapped), for finding an instant's month in SQL
    for start in clock.month_starts(first_local, as_at_local):
        label = _month_label(start)
        next_start = clock.local_to_micros(_midnight(clock.first_of_next_month(start)))
        labels.append(label)
        next_starts.append(next_start)
        end = min(next_start, as_at_us)
        for number, table in enumerate(calendars.tables):
            month_rows.append((label, end, number, table.at(end)))
        month_rows.append((label, end, None, None))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE sla_month_ends (month VARCHAR, end_us BIGINT, calendar_id INTEGER, "
        "service_at_end BIGINT)"
    )
    con.executemany("INSERT INTO sla_month_ends VALUES (?, ?, ?, ?)", month_rows)

    def month_of(instant: str) -> str:
        """SQL for the index in `labels` of the month an instant falls in (between the first and the as-at)."""
        return search_sql(next_starts[:-1], instant, str)

    opened_service = calendars.service_time_sql("t.opened_us", "t.calendar_id")
    resolved_service = calendars.service_time_sql("t.resolved_us", "t.calendar_id")
    resolved_rows = con.execute(
        f"""
        WITH t AS (
            SELECT t.supplier, t.priority, t.opened_us, t.resolved_us, g.limit_us, g.clock, g.calendar_id
            FROM {tickets} t JOIN sla_targets g ON g.supplier = t.supplier AND g.priority = t.priority
            WHERE t.resolved_us IS NOT NULL
        ), timed AS (
            SELECT t.supplier, t.priority, t.limit_us,
                {month_of("t.resolved_us")} AS month,
                CASE WHEN t.clock = '24x7' THEN t.resolved_us - t.opened_us
                     ELSE {resolved_service} - {opened_service} END AS duration_us
            FROM t, sla_clock k
        )
        SELECT supplier, month, priority, count(*) AS resolved, count(*) FILTER (WHERE duration_us <= limit_us),
            quantile_cont(duration_us / {clock.MICROS_PER_HOUR}.0, [0.5, 0.9])
        FROM timed GROUP BY supplier, month, priority
        """
    ).fetchall()
    opened_at_end = calendars.service_time_sql("o.opened_us", "o.calendar_id")
    breached_rows = con.execute(
        f"""
        WITH t AS (
            SELECT t.supplier, t.priority, t.opened_us, t.resolved_us, g.limit_us, g.clock, g.calendar_id
            FROM {tickets} t JOIN sla_targets g ON g.supplier = t.supplier AND g.priority = t.priority
            -- Only a ticket resolved in a later month than it opened (or not resolved) can be open at a month end.
            WHERE t.resolved_us IS NULL OR {month_of("t.opened_us")} <> {month_of("t.resolved_us")}
        ), open_at_end AS (
            SELECT t.supplier, t.priority, t.limit_us, t.clock, t.calendar_id, t.opened_us, m.month, m.end_us
            FROM t JOIN (SELECT DISTINCT month, end_us FROM sla_month_ends) m
              ON m.end_us > t.opened_us AND m.end_us < coalesce(t.resolved_us, {2**62})
        )
        SELECT o.supplier, o.month, o.priority, count(*)
        FROM open_at_end o
        LEFT JOIN sla_month_ends me ON me.calendar_id = o.calendar_id AND me.month = o.month
        CROSS JOIN sla_clock k
        WHERE CASE WHEN o.clock = '24x7' THEN o.end_us - o.opened_us
                   ELSE me.service_at_end - {opened_at_end} END > o.limit_us
        GROUP BY ALL
        """
    ).fetchall()

    cells: dict[tuple[str, str, int], dict] = {}
    for supplier, month, priority, resolved, met, quantiles in resolved_rows:
        cells[(supplier, labels[month], priority)] = {
            "resolved": resolved,
            "met": met,
            "median_hours": quantiles[0],
            "p90_hours": quantiles[1],
            "open_breached": 0,
        }
    for supplier, month, priority, count in breached_rows:
        cell = cells.setdefault(
            (supplier, month, priority),
            {"resolved": 0, "met": 0, "median_hours": None, "p90_hours": None, "open_breached": 0},
        )
        cell["open_breached"] = count

    month_credits: dict[tuple[str, str], list[Decimal]] = {}
    for (supplier, month, priority), cell in sorted(cells.items()):
        agreement = by_supplier[supplier]
        target = agreement.target(priority)
        assert target is not None
        credit = priority_credit(agreement, target, cell["met"], cell["resolved"])
        month_credits.setdefault((supplier, month), []).append(credit)
        report["results"].append(
            {
                "supplier": supplier,
                "month": month,
                "priority": priority,
                "resolved": cell["resolved"],
                "met": cell["met"],
                "attainment": attainment(cell["met"], cell["resolved"]),
                "target": float(target.attainment_target),
                "median_hours": cell["median_hours"],
                "p90_hours": cell["p90_hours"],
                "credit": f"{round_pennies(credit):.2f}",
                "open_breached": cell["open_breached"],
            }
        )
    for (supplier, month), credits in sorted(month_credits.items()):
        total, capped = month_credit(by_supplier[supplier], credits)
        report["credits"].append({"supplier": supplier, "month": month, "credit": f"{total:.2f}", "capped": capped})
    if assignments:
        report["handoffs"] = handoffs(con, tickets=tickets, assignments=assignments)
    return report


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def handoffs(con: duckdb.DuckDBPyConnection, *, tickets: str, assignments: str) -> dict:
    """The SIAM view: tickets passed between suppliers, and how long each supplier held the tickets it had.

    Consecutive assignments to the same supplier are one holding. `pairs` counts, for each (from, to), the tickets
    passed that way at least once (`tickets`) and the passes (`handoffs`). `holding` gives, per supplier, the
    resolved tickets it held and the median of the hours it held each (its spells summed, from the assignment to
    the next one or the resolution, within the ticket's open interval; 24x7 clock).
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE sla_spells AS
        WITH ordered AS (
            SELECT ticket_id, assigned_us, supplier,
                lag(supplier) OVER (PARTITION BY ticket_id ORDER BY assigned_us) AS previous,
                lead(assigned_us) OVER (PARTITION BY ticket_id ORDER BY assigned_us) AS next_us
            FROM {assignments}
        )
        SELECT * FROM ordered
        """
    )
    pairs = con.execute(
        """
        SELECT previous, supplier, count(DISTINCT ticket_id), count(*) FROM sla_spells
        WHERE previous IS NOT NULL AND previous <> supplier GROUP BY ALL ORDER BY 1, 2
        """
    ).fetchall()
    holding = con.execute(
        f"""
        WITH held AS (
            SELECT s.ticket_id, s.supplier, sum(greatest(0, least(coalesce(s.next_us, t.resolved_us), t.resolved_us)
                - greatest(s.assigned_us, t.opened_us))) AS held_us
            FROM sla_spells s JOIN {tickets} t ON t.ticket_id = s.ticket_id
            WHERE t.resolved_us IS NOT NULL
            GROUP BY ALL
        )
        SELECT supplier, count(*), quantile_cont(held_us / {clock.MICROS_PER_HOUR}.0, 0.5)
        FROM held GROUP BY supplier ORDER BY supplier
        """
    ).fetchall()
    con.execute("DROP TABLE sla_spells")
    return {
        "pairs": [{"from": a, "to": b, "tickets": n, "handoffs": h} for a, b, n, h in pairs],
        "holding": [{"supplier": s, "tickets": n, "median_hours": m} for s, n, m in holding],
    }
