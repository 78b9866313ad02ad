"""The contract register at scale: the contract list over 10,000 contracts, in-process and through gunicorn.

    uv run python benchmarks/register.py [--contracts 10000] [--clients 32] [--requests 2000]
                                         [--database-url postgres://postgres@127.0.0.1:5432/pegasus_bench]

Steps, all against a database of its own (SQLite in a temporary directory unless --database-url names a
PostgreSQL database, which is created here and dropped at the end; its name must contain "bench"):

1. migrate, load the demonstration estate, then bulk-generate --contracts contracts (seeded) across the demo
   suppliers and towers, with tower shares adding to 100% and 0-3 extension options each;
2. the baseline: the same view called in-process through django.test.Client, signed in as `commercial`, with the
   SQL queries of each page counted (all, and those that are not authentication or session reads);
3. the real server, for each worker configuration in --configs: the in-process baseline again (the machine's load
   drifts), then gunicorn in a subprocess, signed in over HTTP, one client alone (--serial-requests), then --clients
   concurrent keep-alive clients (threads, http.client) sharing --requests requests;
4. a table, and a last line giving the ratio of the server's p95 (and p50) to the in-process baseline's.

Beside latencies it records the CPU each request cost (this process in-process, gunicorn's processes through the
server; PostgreSQL's own work is in neither) and how many CPUs everything else on the machine kept busy meanwhile
("others": about 0 on a quiet machine with SQLite; with PostgreSQL it includes the database server's work).

The aim is p95 at most 100 ms at 32 clients, and at most 3 SQL queries a page. This is a benchmark, not a test:
it prints figures and ratios, it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import math
import os
import platform
import pstats
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.proc import machine_cpu, tree_cpu  # noqa: E402

AS_AT = "2019-05-23"  # the demo's date, so that generated contracts fall either side of it
USERNAME = "commercial"

# The pages measured in-process. The first is the one the acceptance is about and the one the server is loaded
# with; the others show what paging deep and sorting by a derived date cost.
PAGES = {
    "list": "/contracts/",
    "page-50": "/contracts/?page=50",
    "euc-by-end": "/contracts/?tower=euc&sort=end",
}
PRIMARY = "list"
AIM_P95_MS = 100.0
AIM_QUERIES = 3

# Queries that serve authentication, roles and sessions rather than the page's own data.
AUTH_TABLES = re.compile(r'"(auth_\w+|django_session|django_content_type|axes_\w+)"')


# --- Figures ------------------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); `sorted_values` must be sorted."""
    if not sorted_values:
        return math.nan
    k = (len(sorted_values) - 1) * p / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


@dataclass
class Stats:
    """Latencies in milliseconds and what they come to."""

    label: str
    n: int
    p50: float
    p95: float
    p99: float
    mean: float
    max: float
    throughput: float  # requests a second over the wall time of the run
    errors: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def cpu_ms(self) -> float:
        """CPU a request took: this process's in-process, gunicorn's processes' through the server."""
        return self.extra.get("cpu_ms_per_request", self.extra.get("server_cpu_ms_per_request", math.nan))

    @classmethod
    def of(cls, label: str, seconds: list[float], wall: float, errors: int = 0, **extra) -> Stats:
        ms = sorted(s * 1000 for s in seconds)
        return cls(
            label=label,
            n=len(ms),
            p50=percentile(ms, 50),
            p95=percentile(ms, 95),
            p99=percentile(ms, 99),
            mean=sum(ms) / len(ms) if ms else math.nan,
            max=ms[-1] if ms else math.nan,
            throughput=len(ms) / wall if wall else math.nan,
            errors=errors,
            extra=extra,
        )


def print_table(rows: list[Stats]) -> None:
    header = (
        f"{'run':<44} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'max ms':>8} {'req/s':>7}"
        f" {'CPU ms':>7} {'others':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        errors = f"  ({r.errors} errors)" if r.errors else ""
        print(
            f"{r.label:<44} {r.n:>6} {r.p50:>8.1f} {r.p95:>8.1f} {r.p99:>8.1f} {r.mean:>8.1f} {r.max:>8.1f}"
            f" {r.throughput:>7.1f} {r.cpu_ms:>7.1f} {r.extra.get('other_cpus', math.nan):>6.2f}{errors}"
        )


# --- The database -------------------------------------------------------------------------------------------


class Database:
    """A database of the benchmark's own: a SQLite file in `workdir`, or a PostgreSQL database it creates."""

    def __init__(self, url: str | None, workdir: Path):
        self.created = False
        if not url:
            self.url = f"sqlite:///{workdir / 'register-bench.sqlite3'}"
            self.vendor = "sqlite"
            return
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise SystemExit(f"--database-url must be a PostgreSQL URL, not {parts.scheme}://")
        self.name = parts.path.lstrip("/")
        if "bench" not in self.name:
            raise SystemExit(f"refusing to create and drop {self.name!r}: the database name must contain 'bench'")
        self.url = url
        self.vendor = "postgresql"
        self.maintenance_url = urlunsplit(parts._replace(path="/postgres"))

    def create(self) -> None:
        if self.vendor != "postgresql":
            return
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


def environment(args: argparse.Namespace, database: Database, var_dir: Path) -> dict[str, str]:
    """The environment both the in-process baseline and gunicorn run with."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="pegasus.settings",
        DATABASE_URL=database.url,
        PEGASUS_VAR_DIR=str(var_dir),
        PEGASUS_ENV=args.env,
        PEGASUS_DEBUG="false",
        PEGASUS_AS_AT=AS_AT,
        PEGASUS_LOG_LEVEL="WARNING",
    )
    if args.conn_max_age is not None:
        env["PEGASUS_CONN_MAX_AGE"] = str(args.conn_max_age)
    return env


# --- Generated contracts ------------------------------------------------------------------------------------

WORDS = ["Managed", "Strategic", "Shared", "Core", "Enterprise", "Regional", "Secure", "Integrated", "Legacy", "Cloud"]
THINGS = ["Services", "Support", "Platform", "Maintenance", "Licences", "Transition", "Operations", "Refresh"]


def split_hundred(rng: random.Random, parts: int) -> list[Decimal]:
    """`parts` whole-number percentages, each at least 1, adding to exactly 100."""
    cuts = sorted(rng.sample(range(1, 100), parts - 1))
    bounds = [0, *cuts, 100]
    return [Decimal(b - a) for a, b in zip(bounds, bounds[1:], strict=False)]


def generate_contracts(count: int, seed: int, batch_size: int = 1000) -> dict[str, int]:
    """Bulk-create `count` plausible contracts over the demo's suppliers and towers, `batch_size` at a time."""
    from django.db import transaction

    from pegasus.core.calendar import add_months
    from pegasus.estate.models import Contract, ContractTower, ExtensionOption, Organisation, ServiceTower, Supplier

    rng = random.Random(seed)
    authority = Organisation.objects.get(kind=Organisation.Kind.CONTRACTING_AUTHORITY)
    operator = Organisation.objects.filter(kind=Organisation.Kind.OPERATING_BODY).first()
    suppliers = list(Supplier.objects.order_by("pk"))
    towers = list(ServiceTower.objects.order_by("position"))
    as_at = date.fromisoformat(AS_AT)
    made = {"contracts": 0, "tower shares": 0, "options": 0}
    for first in range(0, count, batch_size):
        planned = []
        for i in range(first, min(first + batch_size, count)):
            start = date(2011, 1, 1) + timedelta(days=rng.randrange(9 * 365))
            term = rng.choice([24, 36, 36, 48, 60, 60, 84])
            initial_end = add_months(start, term) - timedelta(days=1)
            renewal = rng.choices(["none", "express", "tacit"], weights=[80, 10, 10])[0]
            tier = rng.choices([1, 2, 3], weights=[5, 35, 60])[0]
            pounds = rng.randint(50_000, 60_000_000 if tier == 1 else 8_000_000)
            total = Decimal(pounds) + Decimal(rng.randint(0, 99)) / 100
            if start > as_at:
                status, ended_on = Contract.Status.PLANNED, None
            else:
                status = rng.choices(
                    [Contract.Status.ACTIVE, Contract.Status.ENDED, Contract.Status.TERMINATED], weights=[85, 10, 5]
                )[0]
                ended_on = None
                if status == Contract.Status.TERMINATED:
                    ended_on = start + timedelta(days=rng.randrange(30, (initial_end - start).days))
            chosen = rng.sample(towers, rng.choices([1, 2, 3], weights=[50, 35, 15])[0])
            contract = Contract(
                reference=f"GEN-{i + 1:05d}",
                title=f"{rng.choice(WORDS)} {chosen[0].name} {rng.choice(THINGS)}",
                supplier=rng.choice(suppliers),
                authority=authority,
                operating_body=operator,
                tier=tier,
                start_date=start,
                initial_end_date=initial_end,
                notice_period_months=rng.choice([1, 3, 3, 6]),
                renewal_type=renewal,
                renewal_period_months=0 if renewal == "none" else 12,
                max_renewals=rng.randint(1, 3) if renewal == "express" else None,
                ended_on=ended_on,
                total_value=total,
                annual_value=(total * 12 / term).quantize(Decimal("0.01")),
                vat_basis="net",
                status=status,
                classification="OFFICIAL-SENSITIVE" if tier == 1 else "OFFICIAL",
                classification_descriptor="COMMERCIAL" if tier == 1 else "",
            )
            options = [
                (n, rng.choice([6, 12, 12, 24]), rng.choices(["available", "exercised", "lapsed"], [60, 30, 10])[0])
                for n in range(1, rng.randint(0, 3) + 1)
            ]
            planned.append((contract, list(zip(chosen, split_hundred(rng, len(chosen)), strict=True)), options))
        with transaction.atomic():
            contracts = Contract.objects.bulk_create([c for c, _, _ in planned])
            assert all(c.pk for c in contracts), "bulk_create must return primary keys"
            shares = ContractTower.objects.bulk_create(
                [ContractTower(contract=c, tower=tw, share_percent=s) for c, ts, _ in planned for tw, s in ts]
            )
            options = ExtensionOption.objects.bulk_create(
                [
                    ExtensionOption(contract=c, sequence=n, length_months=months, state=state)
                    for c, _, opts in planned
                    for n, months, state in opts
                ]
            )
        made["contracts"] += len(contracts)
        made["tower shares"] += len(shares)
        made["options"] += len(options)
    return made


def prepare_database(args: argparse.Namespace) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from pegasus.estate.demo import demo_load
    from pegasus.estate.models import Contract

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    demo_load()
    made = generate_contracts(args.contracts, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a database in service would have
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "contracts_in_database": Contract.objects.count(),
        **{f"generated_{k.replace(' ', '_')}": v for k, v in made.items()},
    }


# --- In-process baseline ------------------------------------------------------------------------------------


def signed_in_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=USERNAME))
    return client


def count_queries(client, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    sqls = [q["sql"] for q in ctx.captured_queries]
    auth = [s for s in sqls if AUTH_TABLES.search(s)]
    return {
        "total": len(sqls),
        "excluding_auth": len(sqls) - len(auth),
        "auth": len(auth),
        "sql": sqls,
        "bytes": len(response.content),
    }


def run_queue_wait() -> float:
    """Seconds this thread has spent runnable but waiting for a CPU (Linux schedstat): time other work took."""
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return math.nan


def time_in_process(client, path: str, iterations: int) -> Stats:
    """`iterations` sequential requests; besides latencies, the CPU time they took and the CPU wait they suffered."""
    seconds = []
    busy, wait, cpu, wall = machine_cpu()[0], run_queue_wait(), time.process_time(), time.perf_counter()
    for _ in range(iterations):
        t0 = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - t0)
        assert response.status_code == 200, (path, response.status_code)
    wall, cpu, wait = time.perf_counter() - wall, time.process_time() - cpu, run_queue_wait() - wait
    return Stats.of(
        f"in-process {path}",
        seconds,
        wall,
        cpu_ms_per_request=round(cpu * 1000 / iterations, 2),
        cpu_wait_share=round(wait / wall, 3),
        other_cpus=round(max(0.0, machine_cpu()[0] - busy - cpu) / wall, 2),  # whole clock ticks: clamp at 0
    )


def measure_in_process(pages: dict[str, str], iterations: int, warmup: int) -> tuple[dict[str, Stats], dict]:
    client = signed_in_client()
    stats, queries = {}, {}
    for name, path in pages.items():
        for _ in range(warmup):
            assert client.get(path).status_code == 200
        queries[name] = count_queries(client, path)
        stats[name] = time_in_process(client, path, iterations)
    return stats, queries


def profile_in_process(path: str, iterations: int, top: int) -> str:
    client = signed_in_client()
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(iterations):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    report = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"cProfile of {iterations} in-process requests of {path}: by cumulative time\n")
    report.sort_stats("cumulative").print_stats(top)
    out.write("by own time\n")
    report.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# --- The real server ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn serving pegasus.wsgi in its own process group, stopped (and killed if need be) on exit."""

    def __init__(self, env: dict[str, str], workers: int, threads: int, log: Path):
        self.env, self.workers, self.threads, self.log_path = env, workers, threads, log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "pegasus.wsgi:application",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
        ]
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/sign-in/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{self.tail()}")

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # the master stops its workers gracefully
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        self.log.close()

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie()
        cookie.load(header)
        jar.update({name: morsel.value for name, morsel in cookie.items()})


def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through the real form; the Cookie header (session and CSRF) a signed-in browser would send."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/sign-in/")
    response = conn.getresponse()
    page = response.read().decode()
    _cookies(response, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or not token or "csrftoken" not in jar:
        raise RuntimeError(f"the sign-in page answered {response.status} without a CSRF token")
    form = urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": password})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
    }
    conn.request("POST", "/sign-in/", body=form, headers=headers)
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"signing in as {username} answered {response.status}, not a redirect with a session")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


@dataclass
class Load:
    """What one load run measured: latencies (seconds) and its wall time, errors, and the CPU seconds this (client)
    process used, so that the share of the cores the load generator took from the server is known."""

    latencies: list[float]
    wall: float
    errors: int
    error_samples: list[str]
    client_cpu: float

    def stats(self, label: str) -> Stats:
        return Stats.of(
            label,
            self.latencies,
            self.wall,
            self.errors,
            client_cpu_share=round(self.client_cpu / self.wall, 3) if self.wall else None,
            error_samples=sorted(set(self.error_samples))[:5],
        )


def load(port: int, path: str, cookie: str, clients: int, total: int) -> Load:
    """`clients` threads, each with one keep-alive connection (reopened when the server closes it), share `total`
    GETs of `path`; a response counts only if it is a 200 holding the contract table."""
    remaining = [total]
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    samples: list[str] = []
    start = threading.Barrier(clients + 1)
    headers = {"Cookie": cookie, "Accept": "text/html"}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        start.wait()
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - t0
                if response.status != 200 or b"contract-table" not in body:
                    with lock:
                        errors[0] += 1
                        samples.append(f"HTTP {response.status}")
                    continue
                mine.append(elapsed)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # http.client reconnects on the next request
                with lock:
                    errors[0] += 1
                    samples.append(repr(exc))
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    cpu = time.process_time()
    start.wait()
    wall = time.perf_counter()
    for thread in threads:
        thread.join()
    return Load(latencies, time.perf_counter() - wall, errors[0], samples, time.process_time() - cpu)


def measure_server(env: dict[str, str], workers: int, threads: int, args: argparse.Namespace, log: Path) -> dict:
    """One worker configuration: the in-process baseline again just before it (the machine's load drifts), the
    server unloaded (one client, one request at a time), then at --clients clients."""
    from pegasus.estate.demo import DEMO_PASSWORD

    path = PAGES[PRIMARY]
    name = f"gunicorn {workers}w x {threads}t"
    client = signed_in_client()
    client.get(path)
    baseline = time_in_process(client, path, args.iterations)
    from django.db import connections

    connections.close_all()
    with Gunicorn(env, workers, threads, log) as server:
        cookie = sign_in(server.port, USERNAME, DEMO_PASSWORD)
        # Every worker thread renders the page a few times before anything is timed.
        load(server.port, path, cookie, args.clients, max(4 * workers * threads, args.clients * 2))
        runs = {}
        for label, clients, requests in (("serial", 1, args.serial_requests), ("loaded", args.clients, args.requests)):
            busy, cpu = machine_cpu()[0], tree_cpu(server.process.pid)
            result = load(server.port, path, cookie, clients, requests)
            cpu = tree_cpu(server.process.pid) - cpu
            others = max(0.0, machine_cpu()[0] - busy - cpu - result.client_cpu)
            runs[label] = result.stats(f"{name}, {clients} client{'s' if clients > 1 else ''}")
            runs[label].extra["server_cpu_ms_per_request"] = round(cpu * 1000 / max(1, len(result.latencies)), 2)
            runs[label].extra["other_cpus"] = round(others / result.wall, 2)
    return {"config": name, "workers": workers, "threads": threads, "baseline": baseline, **runs}


# --- Main ---------------------------------------------------------------------------------------------------


def parse_configs(text: str) -> list[tuple[int, int]]:
    configs = []
    for item in text.split(","):
        workers, _, threads = item.strip().partition("x")
        configs.append((int(workers), int(threads or 1)))
    return configs


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=10_000, help="contracts to generate (default 10000)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients (default 32)")
    parser.add_argument("--requests", type=int, default=2000, help="requests at --clients clients (default 2000)")
    parser.add_argument("--serial-requests", type=int, default=200, help="requests from one client (default 200)")
    parser.add_argument("--iterations", type=int, default=200, help="in-process requests of each page (default 200)")
    parser.add_argument("--database-url", help="a PostgreSQL database to create, use and drop (name with 'bench')")
    parser.add_argument(
        "--configs",
        default="2x4,2x2,4x1,2x1",
        help="gunicorn WORKERSxTHREADS to try, comma-separated; the first is the one reported as used",
    )
    parser.add_argument("--conn-max-age", type=int, help="PEGASUS_CONN_MAX_AGE for both runs (default: settings')")
    parser.add_argument("--env", default="test", choices=["test", "development"], help="PEGASUS_ENV (default test)")
    parser.add_argument("--seed", type=int, default=2019, help="random seed of the generated contracts")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also cProfile N in-process requests")
    parser.add_argument("--profile-page", default=PRIMARY, choices=sorted(PAGES), help="the page to profile")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON to PATH ('-' for stdout)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (SQLite file, server log)")
    return parser.parse_args(argv)


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "load_average": os.getloadavg(),  # other work on the machine shares its cores with the benchmark
    }


def revision() -> dict:
    """The commit measured, and whether the code the page runs on differed from it."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    modified = [line for line in git("status", "--short", "--", "src").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD"), "modified": modified}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def run(args: argparse.Namespace, workdir: Path) -> dict:
    load_at_start = os.getloadavg()
    database = Database(args.database_url, workdir)
    env = environment(args, database, workdir / "var")
    (workdir / "var" / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns of a missing STATIC_ROOT
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    try:
        database.create()
        import django

        django.setup()
        from django.db import connection, connections

        print(f"Preparing {database.vendor} database with {args.contracts} generated contracts...", flush=True)
        prepared = prepare_database(args)
        print(f"  done in {prepared['seconds']} s: {prepared}", flush=True)

        print(f"In-process baseline: {args.iterations} requests of each page...", flush=True)
        in_process, queries = measure_in_process(PAGES, args.iterations, warmup=5)
        profile = profile_in_process(PAGES[args.profile_page], args.profile, 30) if args.profile else ""
        connections.close_all()

        servers = []
        for workers, threads in parse_configs(args.configs):
            print(f"gunicorn {workers}w x {threads}t: {args.clients} clients, {args.requests} requests...", flush=True)
            servers.append(measure_server(env, workers, threads, args, workdir / "gunicorn.log"))
        return {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {**machine(), "load_average_at_start": load_at_start},
            "revision": revision(),
            "django": django.get_version(),
            "database": {"vendor": connection.vendor, **prepared},
            "settings": {k: env.get(k) for k in ("PEGASUS_ENV", "PEGASUS_AS_AT", "PEGASUS_CONN_MAX_AGE")},
            "arguments": {k: v for k, v in vars(args).items() if k not in {"json", "keep"}},
            "in_process": in_process,
            "queries": queries,
            "servers": servers,
            "profile": profile,
        }
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        database.drop()


def report(result: dict) -> dict:
    in_process: dict[str, Stats] = result["in_process"]
    servers: list[dict] = result["servers"]
    queries = result["queries"]
    m = result["machine"]
    rev = result["revision"]
    print()
    print(
        f"Pegasus contract list, {result['database']['contracts_in_database']} contracts on "
        f"{result['database']['vendor']}; Django {result['django']}, Python {m['python']}, {m['cpus']} CPUs "
        f"({m['processor']}); {result['date']}; commit {rev['commit']}"
        f"{' with src/ modified' if rev['modified'] else ''}"
    )
    print(
        "load average (1, 5, 15 min) at start "
        + " ".join(f"{x:.2f}" for x in m["load_average_at_start"])
        + ", at end "
        + " ".join(f"{x:.2f}" for x in m["load_average"])
    )
    print()
    rows = list(in_process.values())
    for server in servers:
        baseline = server["baseline"]
        rows += [replace(baseline, label=f"{baseline.label} again"), server["serial"], server["loaded"]]
    print_table(rows)
    print(
        "CPU ms: CPU a request cost (this process in-process, gunicorn's processes through the server; not the"
        " database server's). others: CPUs the rest of the machine kept busy meanwhile."
    )
    print()
    print(f"{'page':<36} {'queries':>8} {'without auth':>13} {'bytes':>8}")
    for name, path in PAGES.items():
        q = queries[name]
        print(f"{path:<36} {q['total']:>8} {q['excluding_auth']:>13} {q['bytes']:>8}")
    print()
    for server in servers:
        baseline, serial, loaded = server["baseline"], server["serial"], server["loaded"]
        cpu = loaded.extra["server_cpu_ms_per_request"]
        print(
            f"{server['config']}: p95 {loaded.p95 / baseline.p95:.1f}x, p50 {loaded.p50 / baseline.p50:.1f}x"
            f" the in-process run before it; 1 client p50 {serial.p50 / baseline.p50:.2f}x;"
            f" server CPU {cpu:.1f} ms a request, so at most {m['cpus'] * 1000 / cpu:.0f} req/s on {m['cpus']} CPUs;"
            f" load generator used {loaded.extra['client_cpu_share']:.2f} of a CPU"
        )
    used = servers[0]
    best = min(servers, key=lambda server: server["loaded"].p95)
    if best is not used:
        print(f"best configuration by p95: {best['config']} (p95 {best['loaded'].p95:.1f} ms)")
    baseline, loaded, q = used["baseline"], used["loaded"], queries[PRIMARY]
    summary = {
        "server": loaded.label,
        "best_server": best["loaded"].label,
        "server_p50_ms": loaded.p50,
        "server_p95_ms": loaded.p95,
        "in_process_p50_ms": baseline.p50,
        "in_process_p95_ms": baseline.p95,
        "p50_ratio": loaded.p50 / baseline.p50,
        "p95_ratio": loaded.p95 / baseline.p95,
        "best_p95_ms": best["loaded"].p95,
        "best_p95_ratio": best["loaded"].p95 / best["baseline"].p95,
        "queries": q["total"],
        "queries_excluding_auth": q["excluding_auth"],
        "p95_aim_met": loaded.p95 <= AIM_P95_MS,
        "query_aim_met": q["total"] <= AIM_QUERIES,
    }
    print()
    print(
        f"RATIO {loaded.label} / in-process {PAGES[PRIMARY]}: p95 {loaded.p95:.1f} / {baseline.p95:.1f} ms ="
        f" {summary['p95_ratio']:.2f}x, p50 {loaded.p50:.1f} / {baseline.p50:.1f} ms = {summary['p50_ratio']:.2f}x;"
        f" queries per page {q['total']} ({q['excluding_auth']} without auth);"
        f" aim p95 <= {AIM_P95_MS:.0f} ms {'met' if summary['p95_aim_met'] else 'NOT met'},"
        f" <= {AIM_QUERIES} queries {'met' if summary['query_aim_met'] else 'NOT met'}"
    )
    return summary


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    # SIGTERM unwinds like Ctrl-C, so the server is stopped and the database dropped either way.
    signal.signal(signal.SIGTERM, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="pegasus-bench-"))
    try:
        result = run(args, workdir)
        summary = report(result)
        if result["profile"]:
            print()
            print(result["profile"])
        if args.json:
            document = {
                **{k: v for k, v in result.items() if k not in {"in_process", "servers", "queries"}},
                "in_process": {name: asdict(s) for name, s in result["in_process"].items()},
                "servers": [
                    {k: asdict(v) if isinstance(v, Stats) else v for k, v in server.items()}
                    for server in result["servers"]
                ],
                "queries": result["queries"],
                "summary": summary,
            }
            text = json.dumps(document, indent=2, default=str)
            if args.json == "-":
                print(text)
            else:
                Path(args.json).write_text(text + "\n")
        return 0
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: the server is stopped and the benchmark's database removed", file=sys.stderr)
        sys.exit(130)
