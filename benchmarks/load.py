"""Pegasus under load: concurrent users against gunicorn in production mode with the demo loaded.

    uv run python benchmarks/load.py [--users 24] [--duration 180] [--web-workers 5] [--json PATH]

Steps, all in a temporary directory of its own, removed at the end (also on error or Ctrl-C):

1. the deployment as the README's production steps make it: the front end built, static files collected with
   PEGASUS_ENV=production, an SQLite database migrated, the demo loaded, an API token made with
   `pegasus api_token create`;
2. the baseline: the same URLs through Django's test Client in one process (production settings, signed in through
   the /sign-in/ form, the API with the token), --baseline-requests times each, one at a time: what a request costs
   the application itself, with no server, network or concurrency;
3. `pegasus serve --production` (gunicorn and the task worker) on a free loopback port, and --users users, each a
   thread that signs in through the /sign-in/ form as one of the demo's internal users and then, for --duration
   seconds, asks for the dashboard, the contract list, a contract, a decision (signed in), the public register
   (signed out) and `/api/contracts` (with the API token) in turn, with no pause between requests;
4. a table per URL: requests, errors (any answer but 200, or no answer), p50/p95/p99 latency, throughput, the
   in-process p50 and the ratio of the server's p50 and p95 to it.

Only 127.0.0.1 is reached. The run is bounded: at most --max-requests requests and --duration seconds (at most an
hour), then it stops by itself. This is a benchmark, not a test: it prints figures and ratios and exits 1 only when a
request failed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.deployment import DEMO_PASSWORD, Browser, deployment_prepare, served  # noqa: E402
from benchmarks.register import percentile  # noqa: E402

# The demo's internal users; each simulated user signs in as one of them in turn.
USERS = ["commercial", "director", "finance", "legal", "approver", "auditor"]
TOKEN_USER = "commercial"
MAX_USERS = 64
MAX_DURATION = 3600.0


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    audience: str  # "user" (signed in), "public" (signed out) or "api" (token)


@dataclass
class Samples:
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    error_examples: list[str] = field(default_factory=list)


def targets_find(base: str) -> list[Target]:
    """The URLs to load, with a real contract's and decision's ids read from their lists."""
    browser = Browser(base)
    browser.sign_in("commercial")
    contract = re.search(r'href="(/contracts/\d+/)"', browser.get("/contracts/").text)
    decision = re.search(r'href="(/decisions/\d+/)"', browser.get("/decisions/").text)
    if not contract or not decision:
        raise SystemExit("the demo has no contract or decision to load: did `pegasus demo` run?")
    return [
        Target("dashboard", "/dashboard/", "user"),
        Target("contract list", "/contracts/", "user"),
        Target("contract", contract.group(1), "user"),
        Target("decision", decision.group(1), "user"),
        Target("public register", "/public/decisions/", "public"),
        Target("API contracts", "/api/contracts", "api"),
    ]


# --- The in-process baseline (run in a child process with the deployment's environment) -------------------------


def in_process(targets: list[Target], requests: int, token: str) -> dict[str, dict]:
    """Each URL `requests` times through django.test.Client, after one warm-up request each."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pegasus.settings")
    django.setup()
    from django.test import Client

    def client() -> Client:
        return Client(SERVER_NAME="127.0.0.1")

    user = client()
    answer = user.post("/sign-in/", {"username": "commercial", "password": DEMO_PASSWORD}, secure=True)
    if answer.status_code != 302:
        raise SystemExit(f"in-process sign-in answered {answer.status_code}")
    clients = {"user": user, "public": client(), "api": client()}
    headers = {"api": {"authorization": f"Bearer {token}"}}
    result = {}
    for target in targets:
        c = clients[target.audience]
        kwargs = {"secure": True, "headers": headers.get(target.audience, {})}
        status = c.get(target.path, **kwargs).status_code
        if status != 200:
            raise SystemExit(f"in-process {target.path} answered {status}")
        seconds = []
        cpu = time.process_time()
        for _ in range(requests):
            start = time.perf_counter()
            c.get(target.path, **kwargs)
            seconds.append(time.perf_counter() - start)
        cpu_ms = (time.process_time() - cpu) * 1000 / requests
        ms = sorted(s * 1000 for s in seconds)
        result[target.name] = {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "cpu_ms": cpu_ms}
    return result


def baseline_measure(deployment, targets: list[Target], requests: int, token: str) -> dict[str, dict]:
    spec = json.dumps({"targets": [t.__dict__ for t in targets], "requests": requests, "token": token})
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--in-process", spec],
        env=deployment.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"the in-process baseline failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- The load ---------------------------------------------------------------------------------------------------


class Load:
    def __init__(self, base: str, targets: list[Target], token: str, users: int, duration: float, max_requests: int):
        self.base, self.targets, self.token = base, targets, token
        self.users, self.duration, self.max_requests = users, duration, max_requests
        self.samples = {t.name: Samples() for t in targets}
        self.lock = threading.Lock()
        self.sent = 0
        self.sign_in_failures: list[str] = []
        self.wall = 0.0

    def _user(self, number: int, start_gate: threading.Barrier, deadline_box: list[float]) -> None:
        browsers = {
            "user": Browser(self.base),
            "public": Browser(self.base),
            "api": Browser(self.base, token=self.token),
        }
        try:
            browsers["user"].sign_in(USERS[number % len(USERS)])
        except Exception as exc:  # noqa: BLE001  (counted and reported, the run goes on without this user)
            with self.lock:
                self.sign_in_failures.append(f"user {number}: {exc}")
        start_gate.wait()
        deadline = deadline_box[0]
        turn = number  # users start at different URLs so that every URL is loaded from the first second
        while time.monotonic() < deadline:
            with self.lock:
                if self.sent >= self.max_requests:
                    return
                self.sent += 1
            target = self.targets[turn % len(self.targets)]
            turn += 1
            start = time.perf_counter()
            try:
                response = browsers[target.audience].get(target.path, follow=False)
                status, failure = response.status, "" if response.status == 200 else f"{response.status}"
            except Exception as exc:  # noqa: BLE001  (an error of the run, not of the benchmark)
                status, failure = 0, f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - start
            samples = self.samples[target.name]
            with self.lock:
                if status == 200:
                    samples.seconds.append(elapsed)
                else:
                    samples.errors += 1
                    if len(samples.error_examples) < 3:
                        samples.error_examples.append(failure)

    def run(self) -> None:
        gate = threading.Barrier(self.users + 1)
        deadline_box = [0.0]
        threads = [
            threading.Thread(target=self._user, args=(n, gate, deadline_box), daemon=True) for n in range(self.users)
        ]
        for thread in threads:
            thread.start()
        # The clock starts once every user has signed in (or failed to, in at most five minutes).
        waited_from = time.monotonic()
        while gate.n_waiting < self.users and time.monotonic() - waited_from < 300:
            time.sleep(0.05)
        deadline_box[0] = time.monotonic() + self.duration
        start = time.monotonic()
        gate.wait(timeout=60)
        for thread in threads:
            thread.join(timeout=self.duration + 120)
        self.wall = time.monotonic() - start


def report(load: Load, baseline: dict[str, dict], args, load_before: tuple, load_after: tuple) -> dict:
    rows = []
    for target in load.targets:
        samples = load.samples[target.name]
        ms = sorted(s * 1000 for s in samples.seconds)
        base = baseline[target.name]
        rows.append(
            {
                "url": target.path,
                "name": target.name,
                "requests": len(ms) + samples.errors,
                "errors": samples.errors,
                "error_examples": samples.error_examples,
                "p50": percentile(ms, 50),
                "p95": percentile(ms, 95),
                "p99": percentile(ms, 99),
                "throughput": len(ms) / load.wall if load.wall else math.nan,
                "in_process_p50": base["p50"],
                "in_process_p95": base["p95"],
                "in_process_cpu_ms": base["cpu_ms"],
            }
        )
    every = sorted(s * 1000 for t in load.targets for s in load.samples[t.name].seconds)
    total = {
        "requests": sum(r["requests"] for r in rows),
        "errors": sum(r["errors"] for r in rows),
        "p50": percentile(every, 50),
        "p95": percentile(every, 95),
        "p99": percentile(every, 99),
        "throughput": len(every) / load.wall if load.wall else math.nan,
        # What the mix costs in-process: each URL equally often, as the users ask for them.
        "in_process_p50": sum(r["in_process_p50"] for r in rows) / len(rows),
        "in_process_cpu_ms": sum(r["in_process_cpu_ms"] for r in rows) / len(rows),
    }
    header = (
        f"{'url':<28} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7}"
        f" {'in-proc p50':>11} {'CPU ms':>7} {'p50 x':>6} {'p95 x':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in [*rows, {"url": "all", **total, "in_process_p95": math.nan}]:
        print(
            f"{r['url']:<28} {r['requests']:>8} {r['errors']:>6} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f}"
            f" {r['throughput']:>7.1f} {r['in_process_p50']:>11.1f} {r['in_process_cpu_ms']:>7.1f}"
            f" {r['p50'] / r['in_process_p50']:>6.1f} {r['p95'] / r['in_process_p50']:>6.1f}"
        )
    for r in rows:
        for example in r["error_examples"]:
            print(f"error at {r['url']}: {example}")
    for failure in load.sign_in_failures:
        print(f"sign-in failed: {failure}")
    print(
        f"\n{args.users} users for {load.wall:.0f} s against gunicorn ({args.web_workers} workers) and one task "
        f"worker; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min), {os.cpu_count()} CPUs."
    )
    print(
        f"Ratio: p50 under load / in-process p50 = {total['p50']:.1f} / {total['in_process_p50']:.1f} = "
        f"{total['p50'] / total['in_process_p50']:.1f}x; p95 {total['p95']:.1f} ms "
        f"= {total['p95'] / total['in_process_p50']:.1f}x; {total['throughput']:.1f} requests a second, "
        f"{total['errors']} errors."
    )
    # One process answering the same mix one request at a time manages 1000 / in-process p50 requests a second.
    alone = 1000 / total["in_process_p50"]
    print(
        f"Throughput: {total['throughput']:.1f} requests a second under load / {alone:.1f} in one process one at a "
        f"time = {total['throughput'] / alone:.2f}x."
    )
    return {"rows": rows, "total": total, "wall": load.wall, "sign_in_failures": load.sign_in_failures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=24, help="concurrent users (default %(default)s)")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load (default %(default)s)")
    parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--baseline-requests", type=int, default=50, help="in-process requests per URL")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="stop after this many requests")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (its path is printed)")
    parser.add_argument("--in-process", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        spec = json.loads(args.in_process)
        targets = [Target(**t) for t in spec["targets"]]
        print(json.dumps(in_process(targets, spec["requests"], spec["token"])))
        return 0
    if not 1 <= args.users <= MAX_USERS:
        parser.error(f"--users must be between 1 and {MAX_USERS}")
    if not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--duration must be more than 0 and at most {MAX_DURATION:.0f} seconds")

    folder = Path(tempfile.mkdtemp(prefix="pegasus-load-"))
    try:
        started = time.monotonic()
        print(f"Preparing the deployment in {folder} (build, collectstatic, migrate, demo)...", flush=True)
        deployment = deployment_prepare(folder)
        token = deployment.pegasus("api_token", "create", "--user", TOKEN_USER, "--name", "load").stdout.strip()
        print(f"  ready in {time.monotonic() - started:.0f} s", flush=True)
        with served(deployment, "--production", "--web-workers", str(args.web_workers)) as server:
            targets = targets_find(server.base)
            print(f"In-process baseline, {args.baseline_requests} requests per URL...", flush=True)
            baseline = baseline_measure(deployment, targets, args.baseline_requests, token)
            print(f"Load: {args.users} users for {args.duration:.0f} s on {server.base}...", flush=True)
            load = Load(server.base, targets, token, args.users, args.duration, args.max_requests)
            load_before = os.getloadavg()
            load.run()
            load_after = os.getloadavg()
        figures = report(load, baseline, args, load_before, load_after)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))
        return 1 if figures["total"]["errors"] or load.sign_in_failures else 0
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
