"""`make test` against its aim of 6 minutes, and the floor that the tests' own bodies set on this machine.

    uv run python benchmarks/suite.py [--aim 360] [--skip-postgresql] [--json PATH]

Steps, in one run:

1. a yardstick of the machine's speed: a Python loop of 20 million additions, best of three;
2. the lint of `make lint` as on a fresh clone (ruff, the formatter's check, mypy and the import contracts, with no
   cache of any of them), its wall and CPU time;
3. the suite as `make test` runs it, on SQLite and then on PostgreSQL where it answers on 127.0.0.1:5432 (the same
   pytest options: every core, the deployment's tests on one worker), with `benchmarks/suite_cpu.py` recording each
   test's setup, body and teardown CPU: its own, its child processes' (Chromium, commands run as processes, the
   served deployment) and, on PostgreSQL, the server process of its connection; and the machine's busy and idle
   time over each run, from /proc/stat;
4. the baseline is the run itself: lint and both suites' wall, what `make test` takes after installing;
5. the floor: the CPU of the lint, of every test's body (its call phase: what it does and asserts, not the data its
   fixtures make), and, once per database, one start-up and collection and each session-scoped fixture (the test
   database's migrations, the production deployment, Chromium's start; the least of the workers that made it),
   spread over every core with none of it waiting. Every other fixture's setup and teardown counts as nothing, and
   CPU no test can be charged with (the run's controller, a process that outlived its parent, other connections'
   server processes) is left out. No arrangement of the suite that keeps its tests can take less wall time than
   this on the machine, at the speed the product's own code and Chromium have now.

The floor is printed again with every browser test's body left out as well: the most any change to the browser
tests (one axe visit per template, say) could save. This is a benchmark, not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.proc import machine_cpu  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/pegasus"
LINT = [
    ["ruff", "check", "--no-cache", "src", "tests", "benchmarks", "scripts"],
    ["ruff", "format", "--no-cache", "--check", "src", "tests", "benchmarks", "scripts"],
    ["mypy", "--cache-dir", "{cache}"],
    ["lint-imports", "--no-logo", "--no-cache"],
]


# Run at a module's top level, as the figures in docs/adr/0005-one-house.md were: names there are looked up in a dict.
YARDSTICK = compile("total = 0\nfor i in range(20_000_000):\n    total += i\n", "yardstick", "exec")


def yardstick() -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        exec(YARDSTICK, {})  # noqa: S102  (the loop above, at a module's top level)
        best = min(best, time.perf_counter() - start)
    return best


def timed(command: list[str], env: dict[str, str] | None = None, log: Path | None = None) -> dict:
    """Run `command`; its wall time, its and its children's CPU, and the machine's busy and idle share meanwhile."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, idle0 = machine_cpu()
    start = time.perf_counter()
    with open(log or os.devnull, "w") as out:
        status = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT).returncode  # noqa: S603
    wall = time.perf_counter() - start
    busy1, idle1 = machine_cpu()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "status": status,
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "machine_busy": busy1 - busy0,
        "machine_idle": idle1 - idle0,
    }


def lint(folder: Path) -> dict:
    parts = [timed([a.format(cache=folder / "mypy") for a in ["uv", "run", "--frozen", *c]]) for c in LINT]
    return {
        "status": max(p["status"] for p in parts),
        "wall": sum(p["wall"] for p in parts),
        "cpu": sum(p["cpu"] for p in parts),
    }


def postgresql_reachable() -> bool:
    probe = "import psycopg; psycopg.connect('postgres://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()"
    answered = subprocess.run(["uv", "run", "--frozen", "python", "-c", probe], cwd=ROOT, capture_output=True)  # noqa: S603, S607
    return answered.returncode == 0


def suite(database: str, folder: Path) -> dict:
    figures = folder / database
    figures.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEGASUS_", "DATABASE_URL"))} | {
        "PEGASUS_ENV": "test",
        "PEGASUS_AS_AT": "",
        "DATABASE_URL": PG_URL if database == "postgresql" else "",
        "PYTHONDONTWRITEBYTECODE": "",
        "PEGASUS_SUITE_CPU_DIR": str(figures),
        "PYTHONPATH": str(ROOT),  # where `-p benchmarks.suite_cpu` is found before any conftest is read
    }
    command = ["uv", "run", "--frozen", "pytest", "-n", "auto", "--dist", "loadgroup", "-p", "benchmarks.suite_cpu"]
    run = timed(command, env, folder / f"{database}.log")
    workers = [json.loads(path.read_text()) for path in sorted(figures.glob("*.json"))]
    phases: dict[str, float] = defaultdict(float)
    kinds: dict[str, float] = defaultdict(float)
    modules: dict[str, float] = defaultdict(float)
    browser_bodies = 0.0
    for worker in workers:
        for nodeid, when, browser, cpu in worker["phases"]:
            total = cpu["own"] + cpu["children"] + cpu["database"]
            phases[when] += total
            if when == "call":
                for kind in ("own", "children", "database"):
                    kinds[kind] += cpu[kind]
                modules[nodeid.split("::")[0]] += total
                browser_bodies += total * browser
    startups = [w["run"].get("startup_and_collection", 0.0) for w in workers]
    # Each session-scoped fixture made once: the least any worker that made it took (the test database's migrations,
    # the production deployment, Chromium's start).
    made: dict[str, list[float]] = defaultdict(list)
    for worker in workers:
        for name, cpu in worker["session"].items():
            made[name].append(cpu)
    session = {name: min(cpus) for name, cpus in made.items()}
    return run | {
        "tests": sum(1 for w in workers for row in w["phases"] if row[1] == "call"),
        "phases": dict(phases),
        "bodies": dict(kinds),
        "browser_bodies": browser_bodies,
        "startup_and_collection": startups,
        "session_fixtures": session,
        "floor_cpu": phases["call"] + min(startups, default=0.0) + sum(session.values()),
        "modules": dict(sorted(modules.items(), key=lambda kv: -kv[1])[:12]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aim", type=float, default=360.0, help="seconds of wall time make test is aimed to take")
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)  # noqa: S603, S607
    print(f"Pegasus suite benchmark, commit {commit.stdout.strip()}, {cores} cores, Python {platform.python_version()}")
    stick = yardstick()
    print(f"yardstick: 20 M additions in {stick:.2f} s (best of 3)")
    results: dict = {"cores": cores, "yardstick": stick, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory(prefix="pegasus-suite-") as tmp:
        folder = Path(tmp)
        results["lint"] = lint(folder)
        print(f"lint, no caches: {results['lint']['wall']:.0f} s wall, {results['lint']['cpu']:.0f} s CPU")
        databases = ["sqlite"] + ([] if args.skip_postgresql or not postgresql_reachable() else ["postgresql"])
        for database in databases:
            run = results[database] = suite(database, folder)
            busy, idle = run["machine_busy"], run["machine_idle"]
            print(
                f"{database}: {run['tests']} tests, status {run['status']}, {run['wall']:.0f} s wall; the machine "
                f"{busy:.0f} s busy and {100 * idle / (busy + idle):.1f}% idle; recorded CPU: setup "
                f"{run['phases'].get('setup', 0):.0f} s, bodies {run['phases'].get('call', 0):.0f} s "
                f"(own {run['bodies'].get('own', 0):.0f}, children {run['bodies'].get('children', 0):.0f}, "
                f"database server {run['bodies'].get('database', 0):.0f}; browser tests "
                f"{run['browser_bodies']:.0f}), teardown {run['phases'].get('teardown', 0):.0f} s; start-up and "
                f"collection {min(run['startup_and_collection']):.0f} s a worker; session fixtures made once "
                f"{sum(run['session_fixtures'].values()):.0f} s ("
                + ", ".join(f"{name} {cpu:.0f}" for name, cpu in run["session_fixtures"].items() if cpu >= 0.5)
                + ")"
            )
            for module, cpu in run["modules"].items():
                print(f"    {cpu:7.1f} s of bodies  {module}")
    measured = results["lint"]["wall"] + sum(results[d]["wall"] for d in databases)
    floor_cpu = results["lint"]["cpu"] + sum(results[d]["floor_cpu"] for d in databases)
    floor = floor_cpu / cores
    floor_without_browser = (floor_cpu - sum(results[d]["browser_bodies"] for d in databases)) / cores
    results |= {"measured": measured, "floor": floor, "floor_without_browser": floor_without_browser, "aim": args.aim}
    print(f"make test after installing (the baseline, this run): {measured:.0f} s, {measured / args.aim:.2f}x the aim")
    print(f"floor: {floor_cpu:.0f} s of CPU over {cores} cores = {floor:.0f} s, {floor / args.aim:.2f}x the aim")
    print(
        f"floor with no browser test's body: {floor_without_browser:.0f} s, "
        f"{floor_without_browser / args.aim:.2f}x the aim"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
