"""Supplier performance at scale: ingest and SLA report over a generated canonical tickets file.

    uv run python benchmarks/sla.py [--rows 1000000] [--sample 100000] [--seed 5] [--keep DIR]

Steps, in one run:

1. generate a seeded canonical tickets CSV of --rows rows with DuckDB (6 suppliers, priorities 1-4 written as
   `1` or `P1`, Europe/London wall-clock timestamps over 2019 so both clock changes are crossed, 5% unresolved);
2. the hand-written DuckDB query, the baseline: read the same file with typed columns and compute resolved, met
   and the median and p90 per supplier, month and priority on the 24x7 clock (no checks, no time zone);
3. `pegasus performance sla --tickets FILE --sla SLA --json` as a subprocess, end to end (Python and Django start,
   every row checked, the report printed), with an all-24x7 SLA file and again with service-hours targets for P3
   and P4; its peak memory (max RSS);
4. the same engine in this process (connect, check and load, report), to separate the command's start-up;
5. the floor: what any command computing the issue's 24x7 report must spend at least, whatever it checks: Python
   starting and importing DuckDB (a subprocess doing nothing else), plus the hand-written query corrected only for
   what the issue defines and it ignores, times without an offset being Europe/London time (the instants through
   the engine's own London CASE, months by London time), still with the typed reader and no checks at all;
6. a plain Python loop doing the 24x7 report (csv module, fromisoformat, zoneinfo, grouping, numpy-style
   percentiles) on the first --sample rows, scaled to --rows.

Wall time on a shared machine swings with the neighbours' load, so CPU time (user + system, all threads) is
printed beside it and the ratios are given for both.

It prints each time and the ratios. This is a benchmark, not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb
import yaml

from pegasus.core.calendar import LONDON_ZONE

ROOT = Path(__file__).resolve().parent.parent
OFFICE = {
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "start": "08:00",
    "end": "18:00",
    "timezone": "Europe/London",
    "exclude_bank_holidays": "england-and-wales",
}
HOURS = {1: 4, 2: 8, 3: 16, 4: 40}


def sla_file(path: Path, *, service_hours: bool) -> None:
    entries = []
    for n in range(6):
        targets = []
        for priority, hours in HOURS.items():
            clock = "service-hours" if service_hours and priority >= 3 else "24x7"
            targets.append(
                {
                    "priority": priority,
                    "resolve_within_hours": hours,
                    "clock": clock,
                    "attainment_target": 90.0,
                    "credit_percent": 2.5,
                }
            )
        entries.append(
            {
                "supplier": f"Supplier {n}",
                "monthly_charge": 1250000.00,
                "service_hours": OFFICE,
                "credit_cap_percent": 12.0,
                "targets": targets,
            }
        )
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")


def generate(path: Path, rows: int, seed: int) -> None:
    """Deterministic: every value is a hash of the row number and the seed."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"""
        COPY (
            WITH r AS (
                SELECT i, hash(i * 7919 + {seed}) AS h1, hash(i * 104729 + {seed}) AS h2 FROM range({rows}) t(i)
            ), t AS (
                SELECT i, h1, h2,
                    TIMESTAMP '2019-01-01 00:00:00' + to_seconds(CAST(h1 % (365 * 86400) AS BIGINT)) AS opened,
                    CASE WHEN h2 % 100 < 60 THEN h2 % (8 * 3600)
                         WHEN h2 % 100 < 95 THEN h2 % (5 * 86400)
                         ELSE h2 % (30 * 86400) END AS seconds
                FROM r
            )
            SELECT 'INC' || lpad(CAST(i AS VARCHAR), 9, '0') AS ticket_id,
                'Supplier ' || CAST(h1 % 6 AS VARCHAR) AS supplier,
                CASE WHEN h2 % 2 = 0 THEN 'P' ELSE '' END || CAST(1 + (h1 // 7) % 4 AS VARCHAR) AS priority,
                strftime(opened, '%Y-%m-%dT%H:%M:%S') AS opened_at,
                CASE WHEN (h2 // 13) % 100 < 5 THEN ''
                     ELSE strftime(opened + to_seconds(CAST(seconds AS BIGINT)), '%Y-%m-%dT%H:%M:%S') END
                    AS resolved_at
            FROM t ORDER BY i
        ) TO '{path}' (HEADER)
        """
    )


def report_query(path: Path, *, opened: str, resolved: str, month: str, hours: str) -> str:
    """The 24x7 report over the file read with typed columns and no checks, given SQL for the instants (from the
    typed `opened_at` and `resolved_at`), and for the month and the hours (from those instants)."""
    return f"""
    SELECT supplier, {month} AS month, priority, count(*) AS resolved,
        count(*) FILTER (WHERE {hours} <= g.hours) AS met, quantile_cont({hours}, [0.5, 0.9]) AS q
    FROM (
        SELECT supplier, CAST(right(priority, 1) AS INTEGER) AS priority, {opened} AS opened, {resolved} AS resolved
        FROM read_csv('{path}', header = true, auto_detect = false, delim = ',', quote = '"',
            columns = {{'ticket_id': 'VARCHAR', 'supplier': 'VARCHAR', 'priority': 'VARCHAR',
                       'opened_at': 'TIMESTAMP', 'resolved_at': 'TIMESTAMP'}})
        WHERE resolved_at IS NOT NULL
    ) t JOIN (SELECT unnest([1, 2, 3, 4]) AS priority, unnest([4, 8, 16, 40]) AS hours) g USING (priority)
    GROUP BY ALL ORDER BY ALL
    """


def hand_written_query(path: Path) -> str:
    """The baseline: times as read, no time zone."""
    hours = "epoch(resolved - opened) / 3600.0"
    return report_query(
        path, opened="opened_at", resolved="resolved_at", month="strftime(resolved, '%Y-%m')", hours=hours
    )


def london_query(path: Path) -> str:
    """The hand-written query with London time: the least the issue's definitions ask beyond it. It gives the
    engine's 24x7 figures exactly (resolved, met, median and p90 of every group, on the 1,000,000-row file)."""
    from pegasus.performance.duckdb_sql import london_instant_sql, london_wall_sql

    return report_query(
        path,
        opened=london_instant_sql("epoch_us(opened_at)"),
        resolved=london_instant_sql("epoch_us(resolved_at)"),
        month=f"strftime(make_timestamp({london_wall_sql('resolved')}), '%Y-%m')",
        hours="(resolved - opened) / 3600000000.0",
    )


def floor(path: Path) -> tuple[float, float, float, float]:
    """Wall and CPU of Python starting with DuckDB imported (a subprocess), and of the London-time query."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", "import duckdb"])
    _pid, _status, usage = os.wait4(process.pid, 0)
    startup, startup_cpu = time.perf_counter() - start, usage.ru_utime + usage.ru_stime
    london, london_cpu, _groups = timed_query(london_query(path))
    return startup, startup_cpu, london, london_cpu


def timed_query(sql: str) -> tuple[float, float, int]:
    """Wall and CPU time of a query in a new DuckDB connection, and the rows it gave."""
    con = duckdb.connect()
    start, cpu = time.perf_counter(), time.process_time()
    rows = con.execute(sql).fetchall()
    return time.perf_counter() - start, time.process_time() - cpu, len(rows)


def in_process(path: Path, sla_path: Path) -> tuple[float, float]:
    """The engine without the command's start-up: connect, check and load every row, report."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pegasus.settings")
    os.environ.setdefault("PEGASUS_ENV", "test")
    import django

    django.setup()
    from pegasus.performance import duckdb_sql, sla, ticket_loading

    agreements = sla.read_agreements(sla_path)
    start, cpu = time.perf_counter(), time.process_time()
    con = duckdb_sql.connect()
    ticket_loading.load_tickets(con, path)
    sla.sla_report(con, agreements)
    return time.perf_counter() - start, time.process_time() - cpu


def command(tickets: Path, sla: Path) -> tuple[float, float, int, dict]:
    """Wall time, CPU time, peak RSS (KiB) and the JSON of `pegasus performance sla`, run as its own process."""
    env = {**os.environ, "PEGASUS_ENV": "test", "DATABASE_URL": ""}
    argv = [sys.executable, "-m", "pegasus.cli", "performance", "sla", "--tickets", str(tickets), "--sla", str(sla)]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([*argv, "--json"], stdout=out, env=env, cwd=ROOT)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise SystemExit(f"the command failed ({process.returncode})")
        out.seek(0)
        return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, json.loads(out.read())


def python_loop(path: Path, sample: int) -> tuple[float, float, int]:
    """The 24x7 report one row at a time: what a straightforward script would do."""
    start, cpu = time.perf_counter(), time.process_time()
    groups: dict[tuple[str, str, int], list[float]] = {}
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            if n >= sample:
                break
            if row["ticket_id"] in seen:
                raise ValueError("duplicate")
            seen.add(row["ticket_id"])
            priority = int(row["priority"].upper().removeprefix("P"))
            opened = datetime.fromisoformat(row["opened_at"]).replace(tzinfo=LONDON_ZONE)
            if not row["resolved_at"]:
                continue
            resolved = datetime.fromisoformat(row["resolved_at"]).replace(tzinfo=LONDON_ZONE)
            hours = (resolved.timestamp() - opened.timestamp()) / 3600  # elapsed: across a clock change too
            groups.setdefault((row["supplier"], resolved.strftime("%Y-%m"), priority), []).append(hours)
    results = []
    for (supplier, month, priority), durations in sorted(groups.items()):
        durations.sort()

        def percentile(q: float, values: list[float] = durations) -> float:
            position = (len(values) - 1) * q
            low = int(position)
            high = min(low + 1, len(values) - 1)
            return values[low] + (values[high] - values[low]) * (position - low)

        met = sum(1 for d in durations if d <= HOURS[priority])
        results.append((supplier, month, priority, len(durations), met, percentile(0.5), percentile(0.9)))
    return time.perf_counter() - start, time.process_time() - cpu, len(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=100_000, help="rows the plain Python loop reads (scaled)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", help="keep the generated files in this directory")
    args = parser.parse_args()

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pegasus-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        tickets = work / f"tickets-{args.rows}.csv"
        start = time.perf_counter()
        if not tickets.exists():
            generate(tickets, args.rows, args.seed)
        generated = time.perf_counter() - start
        with tickets.open("rb") as handle:  # into the page cache, so that the first measure does not read the disk
            while handle.read(1 << 24):
                pass
        flat, mixed = work / "sla-24x7.yaml", work / "sla-service-hours.yaml"
        sla_file(flat, service_hours=False)
        sla_file(mixed, service_hours=True)
        print(
            f"{platform.python_implementation()} {platform.python_version()}, duckdb {duckdb.__version__}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
        )
        print(f"generated {args.rows:,} rows ({tickets.stat().st_size / 2**20:,.0f} MiB) in {generated:.1f} s")

        baseline, baseline_cpu, groups = timed_query(hand_written_query(tickets))
        print(
            f"hand-written DuckDB query, 24x7:           {baseline:7.2f} s wall {baseline_cpu:7.2f} s CPU  "
            f"({groups} groups)"
        )
        e2e_flat, cpu_flat, rss_flat, report = command(tickets, flat)
        print(
            f"`pegasus performance sla`, 24x7:          {e2e_flat:7.2f} s wall {cpu_flat:7.2f} s CPU  "
            f"(peak RSS {rss_flat / 2**20:.2f} GiB, {len(report['results'])} results, {report['rows_read']:,} rows)"
        )
        e2e_mixed, cpu_mixed, rss_mixed, report = command(tickets, mixed)
        print(
            f"`pegasus performance sla`, service hours: {e2e_mixed:7.2f} s wall {cpu_mixed:7.2f} s CPU  "
            f"(peak RSS {rss_mixed / 2**20:.2f} GiB)"
        )
        engine_flat, engine_flat_cpu = in_process(tickets, flat)
        print(f"engine in-process (no start-up), 24x7:    {engine_flat:7.2f} s wall {engine_flat_cpu:7.2f} s CPU")
        engine_mixed, engine_mixed_cpu = in_process(tickets, mixed)
        print(f"engine in-process, service hours:         {engine_mixed:7.2f} s wall {engine_mixed_cpu:7.2f} s CPU")
        startup, startup_cpu, london, london_cpu = floor(tickets)
        print(
            f"floor: Python + DuckDB start-up {startup:5.2f} s wall {startup_cpu:5.2f} s CPU, "
            f"hand-written query with London time {london:5.2f} s wall {london_cpu:5.2f} s CPU"
        )
        sample = min(args.sample, args.rows)
        loop, loop_cpu, _groups = python_loop(tickets, sample)
        scale = args.rows / sample
        print(
            f"plain Python loop, 24x7, {sample:,} rows:    {loop:7.2f} s wall {loop_cpu:7.2f} s CPU  "
            f"(scaled to {args.rows:,}: {loop * scale:.1f} s wall, {loop_cpu * scale:.1f} s CPU)"
        )
        print()
        print("ratios (wall, CPU):")
        print(
            f"  command / hand-written query, 24x7:           {e2e_flat / baseline:5.2f}x "
            f"{cpu_flat / baseline_cpu:5.2f}x"
        )
        print(
            f"  command / hand-written query, service hours:  {e2e_mixed / baseline:5.2f}x "
            f"{cpu_mixed / baseline_cpu:5.2f}x"
        )
        print(
            f"  engine / hand-written query, 24x7:            {engine_flat / baseline:5.2f}x "
            f"{engine_flat_cpu / baseline_cpu:5.2f}x"
        )
        print(
            f"  engine / hand-written query, service hours:   {engine_mixed / baseline:5.2f}x "
            f"{engine_mixed_cpu / baseline_cpu:5.2f}x"
        )
        print(
            f"  floor / hand-written query, 24x7:             {(startup + london) / baseline:5.2f}x "
            f"{(startup_cpu + london_cpu) / baseline_cpu:5.2f}x"
        )
        print(
            f"  plain Python loop (scaled) / floor, 24x7:     {loop * scale / (startup + london):5.2f}x "
            f"{loop_cpu * scale / (startup_cpu + london_cpu):5.2f}x"
        )
        print(
            f"  plain Python loop (scaled) / command, 24x7:   {loop * scale / e2e_flat:5.2f}x "
            f"{loop_cpu * scale / cpu_flat:5.2f}x"
        )
        print(
            f"  plain Python loop (scaled) / engine, 24x7:    {loop * scale / engine_flat:5.2f}x "
            f"{loop_cpu * scale / engine_flat_cpu:5.2f}x"
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
