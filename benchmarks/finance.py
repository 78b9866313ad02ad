"""The finance position at scale: 2,000 budget lines, 200,000 commitments, 1,000,000 actuals, 100,000 forecasts.

    uv run python benchmarks/finance.py [--database-url postgres://postgres@127.0.0.1:5432/pegasus_finance_bench]
                                        [--lines 2000] [--commitments 200000] [--actuals 1000000]
                                        [--forecasts 100000] [--runs 7] [--seed 2019] [--explain] [--json PATH]

Steps, all in one run, against a PostgreSQL database of its own (created here and dropped at the end; its name must
contain "bench"; when PostgreSQL cannot be reached the benchmark says so and stops, exit status 0):

1. migrate, then load seeded ledgers with COPY: a tree of budget lines (the DP root, 20 categories, 100 groups and
   the rest leaves), a budget for every line but the root in each financial year 2019-20 to 2024-25, approvals on
   about one leaf in ten, commitments raised over 2019-2025 (most under their line's approval where it has one,
   5% cancelled later), actuals against most commitments (paid after they were raised and before any
   cancellation) and some against none, and forecasts for distinct line-months; then ANALYZE;
2. the baseline: one hand-written SQL statement computing the same figures in the database (each line's own
   budget, actual, open commitments and remaining forecast, rolled up through the tree with a recursive CTE, with
   outturn, variance and available; and each approval's approved, committed, spent and headroom), fetched; run
   with JIT compilation off (see `baseline`), and again with the server's setting, for the record;
3. `finance.selectors.position(as_at=..., year=...)` and its `to_json()`, what `pegasus finance position --json`
   runs; and the command itself in this process (`call_command`, its JSON written to a buffer);
4. each measured --runs times, alternating, best of each kept; the ratio of the position to the baseline, with the
   aim of at most 1.5; the queries `selectors.position` runs, counted.

Before timing, the baseline's figures and the position's are compared, every line and approval, and must be
identical: the baseline computes what the position computes. This is a benchmark, not a test: it prints figures
and ratios and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pegasus_finance_bench"
AS_AT = date(2021, 11, 15)
YEAR = 2021  # 2021-22, the year containing AS_AT
YEARS = range(2019, 2025)  # budgets 2019-20 to 2024-25
FIRST_DAY, LAST_DAY = date(2019, 4, 1), date(2025, 3, 31)
CATEGORIES, GROUPS_PER_CATEGORY = 20, 5
AIM_RATIO = 1.5
SUPPLIERS = [f"Supplier {n} (fictional)" for n in range(40)]

# The baseline: the same figures as `finance.selectors.position`, written by hand for PostgreSQL. Numeric sums are
# exact there, so no pennies; the roll-up is in SQL (every line with each of its descendants, by recursion) rather
# than in Python.
BASELINE_SQL = """
WITH RECURSIVE below (ancestor, code) AS (
    SELECT code, code FROM finance_budgetline
    UNION ALL
    SELECT b.ancestor, l.code FROM below b JOIN finance_budgetline l ON l.parent_id = b.code
), paid AS (
    SELECT commitment_id, SUM(amount) AS paid FROM finance_actual
    WHERE commitment_id IS NOT NULL AND paid_on <= %(as_at)s GROUP BY commitment_id
), live AS (
    SELECT c.line_id, c.approval_id, c.amount, COALESCE(p.paid, 0) AS paid
    FROM finance_commitment c LEFT JOIN paid p ON p.commitment_id = c.reference
    WHERE c.raised_on <= %(as_at)s AND (c.cancelled_on IS NULL OR c.cancelled_on > %(as_at)s)
), own AS (
    SELECT l.code,
        COALESCE(b.amount, 0) AS budget, COALESCE(a.amount, 0) AS actual,
        COALESCE(c.amount, 0) AS committed_open, COALESCE(f.amount, 0) AS forecast_remaining
    FROM finance_budgetline l
    LEFT JOIN (SELECT line_id, SUM(amount) AS amount FROM finance_budgetamount WHERE year = %(year)s
               GROUP BY line_id) b ON b.line_id = l.code
    LEFT JOIN (SELECT line_id, SUM(amount) AS amount FROM finance_actual
               WHERE paid_on >= %(year_start)s AND paid_on <= %(as_at)s GROUP BY line_id) a ON a.line_id = l.code
    LEFT JOIN (SELECT line_id, SUM(GREATEST(amount - paid, 0)) AS amount FROM live
               GROUP BY line_id) c ON c.line_id = l.code
    LEFT JOIN (SELECT line_id, SUM(amount) AS amount FROM finance_forecast
               WHERE month >= %(forecast_from)s AND month <= %(year_end)s GROUP BY line_id) f ON f.line_id = l.code
), totals AS (
    SELECT b.ancestor AS code, SUM(o.budget) AS budget, SUM(o.actual) AS actual,
        SUM(o.committed_open) AS committed_open, SUM(o.forecast_remaining) AS forecast_remaining
    FROM below b JOIN own o ON o.code = b.code GROUP BY b.ancestor
), approvals AS (
    SELECT a.reference, a.line_id, d.reference AS decision, a.amount AS approved,
        COALESCE(SUM(v.amount), 0) AS committed, COALESCE(SUM(v.paid), 0) AS spent
    FROM finance_approval a
    LEFT JOIN governance_decision d ON d.id = a.decision_id
    LEFT JOIN live v ON v.approval_id = a.reference
    GROUP BY a.reference, a.line_id, d.reference, a.amount
)
SELECT 'line', t.code, l.name, l.parent_id, t.budget, t.actual, t.committed_open, t.forecast_remaining,
    t.actual + t.forecast_remaining, t.budget - t.actual - t.forecast_remaining,
    t.budget - t.actual - t.committed_open
FROM totals t JOIN finance_budgetline l ON l.code = t.code
UNION ALL
SELECT 'approval', reference, line_id, decision, approved, committed, spent, approved - committed, NULL, NULL, NULL
FROM approvals
"""
LINE_FIGURES = ("budget", "actual", "committed_open", "forecast_remaining", "outturn", "variance", "available")


# --- The database ------------------------------------------------------------------------------------------------


class Database:
    """A PostgreSQL database of the benchmark's own, created here and dropped at the end."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise SystemExit(f"--database-url must be a PostgreSQL URL, not {parts.scheme}://")
        self.name = parts.path.lstrip("/")
        if "bench" not in self.name:
            raise SystemExit(f"refusing to create and drop {self.name!r}: the database name must contain 'bench'")
        self.url = url
        self.maintenance_url = urlunsplit(parts._replace(path="/postgres"))
        self.created = False

    def reachable(self) -> str | None:
        """None when PostgreSQL answers; otherwise why not."""
        import psycopg

        try:
            with psycopg.connect(self.maintenance_url, connect_timeout=5):
                return None
        except psycopg.Error as exc:
            return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

    def create(self) -> None:
        import psycopg

        with psycopg.connect(self.maintenance_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.created = True

    def drop(self) -> None:
        if not self.created:
            return
        import psycopg

        with psycopg.connect(self.maintenance_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.created = False


# --- Generated ledgers -------------------------------------------------------------------------------------------


def pounds(pennies: int) -> Decimal:
    return Decimal(pennies).scaleb(-2)


def day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def tree(lines: int) -> list[tuple[str, str, str | None]]:
    """(code, name, parent): the DP root, its categories, their groups, and the rest leaves spread over the groups."""
    rows: list[tuple[str, str, str | None]] = [("DP", "Digital Policing", None)]
    groups = []
    for c in range(1, CATEGORIES + 1):
        category = f"DP-C{c:02d}"
        rows.append((category, f"Category {c}", "DP"))
        for g in range(1, GROUPS_PER_CATEGORY + 1):
            group = f"{category}-G{g}"
            rows.append((group, f"Category {c} group {g}", category))
            groups.append(group)
    for n in range(lines - len(rows)):
        group = groups[n % len(groups)]
        rows.append((f"{group}-L{n // len(groups) + 1:03d}", f"Line {n + 1}", group))
    return rows


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    """COPY the rows into the table; how many."""
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def generate(cursor, args: argparse.Namespace) -> dict[str, int]:
    """Seeded ledgers, COPYed table by table in the order of their foreign keys."""
    rng = random.Random(args.seed)
    lines = tree(args.lines)
    leaves = [code for code, _, _ in lines if code.count("-") == 3]
    made = {"budget lines": copy_rows(cursor, "finance_budgetline", ("code", "name", "parent_id"), lines)}

    budgets = [
        (code, year, pounds(rng.randrange(10_000_00, 5_000_000_00)))
        for code, _, parent in lines
        if parent is not None
        for year in YEARS
    ]
    made["budget amounts"] = copy_rows(cursor, "finance_budgetamount", ("line_id", "year", "amount"), budgets)

    approved_lines = {code: f"APP-{i + 1:04d}" for i, code in enumerate(rng.sample(leaves, len(leaves) // 10))}
    commitments = []  # (reference, line, approval, raised_on, pennies, cancelled_on)
    held: dict[str, int] = {}
    for i in range(args.commitments):
        line = rng.choice(leaves)
        approval = approved_lines.get(line) if rng.random() < 0.8 else None
        raised_on = day_between(rng, FIRST_DAY, LAST_DAY)
        pennies = rng.randrange(1_000_00, 500_000_00)
        cancelled_on = raised_on + timedelta(days=rng.randrange(0, 400)) if rng.random() < 0.05 else None
        commitments.append((f"PO-{i + 1:07d}", line, approval, raised_on, pennies, cancelled_on))
        if approval:
            held[approval] = held.get(approval, 0) + pennies
    approvals = [
        (reference, line, pounds(held.get(reference, 0) * 11 // 10), FIRST_DAY)
        for line, reference in approved_lines.items()
    ]
    made["approvals"] = copy_rows(
        cursor, "finance_approval", ("reference", "line_id", "amount", "approved_on"), approvals
    )
    made["commitments"] = copy_rows(
        cursor,
        "finance_commitment",
        ("reference", "line_id", "approval_id", "supplier", "description", "raised_on", "amount", "cancelled_on"),
        (
            (ref, line, approval, SUPPLIERS[n % len(SUPPLIERS)], "", raised, pounds(p), cancelled)
            for n, (ref, line, approval, raised, p, cancelled) in enumerate(commitments)
        ),
    )

    def actuals():
        against = args.actuals * 9 // 10
        for n in range(args.actuals):
            if n < against:
                ref, line, _, raised, p, cancelled = commitments[rng.randrange(len(commitments))]
                last = min(raised + timedelta(days=730), (cancelled or date.max) - timedelta(days=1))
                if last < raised:  # cancelled the day it was raised: nothing was paid against it
                    ref, last = None, raised
                # About five actuals a commitment, a little more than a fifth each: some are paid over.
                yield (f"INV-{n + 1:08d}", line, ref, day_between(rng, raised, last), pounds(rng.randrange(p // 4)))
            else:
                paid_on = day_between(rng, FIRST_DAY, LAST_DAY)
                yield (f"INV-{n + 1:08d}", rng.choice(leaves), None, paid_on, pounds(rng.randrange(1_00, 50_000_00)))

    made["actuals"] = copy_rows(
        cursor, "finance_actual", ("reference", "line_id", "commitment_id", "paid_on", "amount"), actuals()
    )

    months = [date(FIRST_DAY.year + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(72)]
    cells = rng.sample(range(len(leaves) * len(months)), min(args.forecasts, len(leaves) * len(months)))
    made["forecasts"] = copy_rows(
        cursor,
        "finance_forecast",
        ("line_id", "month", "amount"),
        ((leaves[c // len(months)], months[c % len(months)], pounds(rng.randrange(0, 200_000_00))) for c in cells),
    )
    return made


def prepare(args: argparse.Namespace) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        made = generate(cursor.cursor, args)
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a database in service would have
    return {
        "migrate_seconds": round(migrated - started, 1),
        "load_seconds": round(loaded - migrated, 1),
        **{k.replace(" ", "_"): v for k, v in made.items()},
    }


# --- The measures ------------------------------------------------------------------------------------------------


def baseline(*, jit: bool = False) -> dict:
    """The hand-written statement, fetched. Without JIT compilation unless asked: the recursive CTE's row estimate
    (2,001,000 for 7,857) takes the statement past `jit_above_cost`, and compiling costs it about 0.3 s; a hand
    tuned baseline would not pay that, so the ratio is taken against the quicker of the two."""
    from django.db import connection, transaction

    from pegasus.finance import rules

    next_month = date(AS_AT.year + AS_AT.month // 12, AS_AT.month % 12 + 1, 1)
    params = {
        "as_at": AS_AT,
        "year": YEAR,
        "year_start": rules.year_start(YEAR),
        "year_end": rules.year_end(YEAR),
        "forecast_from": max(next_month, rules.year_start(YEAR)),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL jit = {'on' if jit else 'off'}")
        cursor.execute(BASELINE_SQL, params)
        rows = cursor.fetchall()
    return {"params": params, "rows": rows}


def baseline_with_jit() -> dict:
    return baseline(jit=True)


def baseline_as_json(result: dict) -> dict:
    from pegasus.finance import rules

    lines, approvals = [], []
    for kind, key, a, b, *figures in result["rows"]:
        if kind == "line":
            named = dict(zip(LINE_FIGURES, map(two, figures), strict=True))
            lines.append({"code": key, "name": a, "parent": b} | named)
        else:
            approved, committed, spent, headroom = figures[:4]
            approvals.append(
                {
                    "id": key,
                    "budget_line": a,
                    "decision": b,
                    "approved": two(approved),
                    "committed": two(committed),
                    "spent": two(spent),
                    "headroom": two(headroom),
                }
            )
    return {
        "as_at": AS_AT.isoformat(),
        "year": rules.year_label(YEAR),
        "lines": sorted(lines, key=lambda row: row["code"]),
        "approvals": sorted(approvals, key=lambda row: row["id"]),
    }


def two(value: Decimal) -> str:
    return f"{value:.2f}"


def position() -> dict:
    from pegasus.finance import selectors

    return selectors.position(as_at=AS_AT, year=YEAR).to_json()


def command() -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("finance", "position", "--as-at", AS_AT.isoformat(), "--year", "2021-22", "--json", stdout=out)
    return out.getvalue()


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def cpu_timed(run) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def explain() -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the position's statement and of the baseline's."""
    from django.db import connection, transaction

    from pegasus.finance import selectors

    params = baseline()["params"]
    out = []
    statements = [
        ("position (finance.selectors.POSITION_SQL)", selectors.POSITION_SQL, "on"),
        ("baseline, JIT off as measured", BASELINE_SQL, "off"),
    ]
    for label, sql, jit in statements:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL jit = {jit}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            out.append(f"--- {label}\n" + "\n".join(row[0] for row in cursor.fetchall()))
    return "\n".join(out)


def measure(args: argparse.Namespace) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    expected = baseline_as_json(baseline())
    assert baseline_as_json(baseline_with_jit()) == expected
    got = position()
    if got != expected:
        pairs = zip(expected["lines"] + expected["approvals"], got["lines"] + got["approvals"], strict=False)
        wrong = [(theirs, ours) for theirs, ours in pairs if theirs != ours]
        raise SystemExit(f"the baseline and the position differ, e.g. {wrong[:3]}")
    assert json.loads(command()) == expected, "the command prints another position"

    with CaptureQueriesContext(connection) as queries:
        position()
    measures = [
        ("baseline", baseline),
        ("baseline_jit", baseline_with_jit),
        ("position", position),
        ("command", command),
    ]
    times: dict[str, list[float]] = {label: [] for label, _ in measures}
    cpu: dict[str, list[float]] = {k: [] for k in times}
    for _ in range(args.runs):
        for label, run in measures:
            wall, used = cpu_timed(run)
            times[label].append(wall)
            cpu[label].append(used)
    return {
        "identical": True,
        "lines_in_position": len(got["lines"]),
        "approvals_in_position": len(got["approvals"]),
        "position_queries": len(queries),
        "position_sql": [q["sql"][:120] for q in queries.captured_queries],
        "seconds": {k: sorted(v) for k, v in times.items()},
        "process_cpu_seconds": {k: sorted(v) for k, v in cpu.items()},
        "explain": explain() if args.explain else "",
    }


# --- The run -----------------------------------------------------------------------------------------------------


def revision() -> dict:
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    modified = [line for line in git("status", "--short", "--", "src").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD"), "modified": modified}


def run(args: argparse.Namespace, database: Database, workdir: Path) -> dict:
    load_at_start = os.getloadavg()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="pegasus.settings",
        DATABASE_URL=database.url,
        PEGASUS_VAR_DIR=str(workdir / "var"),
        PEGASUS_ENV="test",
        PEGASUS_DEBUG="false",
        PEGASUS_AS_AT=AS_AT.isoformat(),
        PEGASUS_LOG_LEVEL="WARNING",
    )
    (workdir / "var" / "static").mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    try:
        database.create()
        import django

        django.setup()
        from django.db import connection

        print(f"Preparing a PostgreSQL database {database.name!r}: migrate, then COPY the ledgers...", flush=True)
        prepared = prepare(args)
        print(f"  {prepared}", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database())), version()")
            size, server = cursor.fetchone()
        print(f"Measuring: {args.runs} runs each of the baseline, the position and the command...", flush=True)
        measured = measure(args)
        return {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average_at_start": load_at_start,
                "load_average": os.getloadavg(),
            },
            "revision": revision(),
            "django": django.get_version(),
            "postgresql": server.split(" on ")[0],
            "database_size": size,
            "prepared": prepared,
            "arguments": {k: v for k, v in vars(args).items() if k != "json"},
            **measured,
        }
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        database.drop()


def report(result: dict) -> None:
    best = {k: v[0] for k, v in result["seconds"].items()}
    cpu = {k: v[0] for k, v in result["process_cpu_seconds"].items()}
    p = result["prepared"]
    print()
    print(
        f"Finance position, {p['budget_lines']} budget lines, {p['commitments']} commitments, {p['actuals']} actuals, "
        f"{p['forecasts']} forecasts, {p['approvals']} approvals, {p['budget_amounts']} budget amounts "
        f"({result['database_size']}); {result['postgresql']}; Django {result['django']}, Python "
        f"{result['machine']['python']}, {result['machine']['cpus']} CPUs; {result['date']}; commit "
        f"{result['revision']['commit']}{' with src/ modified' if result['revision']['modified'] else ''}"
    )
    print(
        "load average (1, 5, 15 min) at start "
        + " ".join(f"{x:.2f}" for x in result["machine"]["load_average_at_start"])
        + ", at end "
        + " ".join(f"{x:.2f}" for x in result["machine"]["load_average"])
    )
    print(f"as at {AS_AT}, year 2021-22; the baseline's figures and the position's identical: {result['identical']}")
    print()
    print(f"{'run':<58} {'best s':>8} {'median s':>9} {'worst s':>8} {'CPU s':>7}")
    labels = {
        "baseline": "baseline: hand-written SQL (recursive CTE), JIT off",
        "baseline_jit": "the same baseline with the server's JIT setting (on)",
        "position": "selectors.position(...).to_json()",
        "command": "pegasus finance position --json (in-process)",
    }
    for key, label in labels.items():
        runs = result["seconds"][key]
        print(f"{label:<58} {runs[0]:>8.3f} {runs[len(runs) // 2]:>9.3f} {runs[-1]:>8.3f} {cpu[key]:>7.3f}")
    print()
    print(f"queries of selectors.position: {result['position_queries']}")
    quicker = min(best["baseline"], best["baseline_jit"])
    ratio = best["position"] / quicker
    print(
        f"ratio position / baseline (best of {len(result['seconds']['position'])} each, against the quicker "
        f"baseline): {ratio:.2f} (aim at most {AIM_RATIO}: {'met' if ratio <= AIM_RATIO else 'not met'}); "
        f"command / baseline: {best['command'] / quicker:.2f}; position / baseline with JIT off: "
        f"{best['position'] / best['baseline']:.2f}, with JIT on: {best['position'] / best['baseline_jit']:.2f}"
    )
    if result["explain"]:
        print()
        print(result["explain"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"created and dropped (default {DEFAULT_URL})")
    parser.add_argument("--lines", type=int, default=2000, help="budget lines (default 2000)")
    parser.add_argument("--commitments", type=int, default=200_000, help="commitments (default 200000)")
    parser.add_argument("--actuals", type=int, default=1_000_000, help="actuals (default 1000000)")
    parser.add_argument("--forecasts", type=int, default=100_000, help="forecasts (default 100000)")
    parser.add_argument("--runs", type=int, default=7, help="runs of each measure; the best is kept (default 7)")
    parser.add_argument("--seed", type=int, default=2019, help="random seed of the ledgers")
    parser.add_argument("--explain", action="store_true", help="also print EXPLAIN ANALYZE of both statements")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON to PATH")
    args = parser.parse_args(argv)
    if args.lines < 1 + CATEGORIES * (1 + GROUPS_PER_CATEGORY) + 1:
        parser.error(f"--lines: at least {2 + CATEGORIES * (1 + GROUPS_PER_CATEGORY)} (the root, categories, groups)")

    database = Database(args.database_url)
    why = database.reachable()
    if why is not None:
        print(f"Skipped: PostgreSQL is not reachable at {database.maintenance_url} ({why}).", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory(prefix="finance-bench-") as workdir:
        result = run(args, database, Path(workdir))
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
