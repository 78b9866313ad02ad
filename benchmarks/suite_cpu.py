"""A pytest plugin that records the CPU each test's setup, body and teardown took, for `benchmarks/suite.py`.

    PYTHONPATH=. PEGASUS_SUITE_CPU_DIR=FOLDER pytest -p benchmarks.suite_cpu ...   (the figures are written to FOLDER)

For each phase of each test, three kinds of CPU time:

- `own`: the test process, every thread of it (the live server's threads that draw a browser test's pages included);
- `children`: every process the test process started, and theirs (Chromium and Playwright's driver, `pegasus`
  commands run as processes, the served deployment), read from /proc: what each still running has used, and what
  the ones that ended have left with the process that waited for them;
- `database`: the PostgreSQL server process that serves the test process's default connection.

CPU that no phase can be charged with is left out: other connections' server processes, a process that outlived
the one that started it. The figures are lower bounds of the work each phase made the machine do. Each xdist
worker writes `<database>-<worker>.json`, with the CPU its start-up and collection took and what making each
session-scoped fixture took (the test database's migrations are `django_db_setup`).
"""

import json
import os
import time
from pathlib import Path

import pytest

from benchmarks.proc import process_cpu, tree_cpu


def database_cpu() -> dict[int, float]:
    """CPU seconds of the PostgreSQL process behind this process's default connection, by its pid."""
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "postgresql" or connection.connection is None:
        return {}
    pid = connection.connection.info.backend_pid
    cpu = process_cpu(pid)
    return {} if cpu is None else {pid: cpu}


class _Snapshot:
    def __init__(self):
        self.own = time.process_time()
        self.children = tree_cpu(os.getpid(), own=False)
        self.database = database_cpu()
        self.wall = time.perf_counter()

    def since(self, start: "_Snapshot") -> dict[str, float]:
        database = sum(cpu - start.database.get(pid, 0.0) for pid, cpu in self.database.items())
        return {
            "own": self.own - start.own,
            "children": max(0.0, self.children - start.children),
            "database": database,
            "wall": self.wall - start.wall,
        }


_ROWS: list[tuple[str, str, bool, dict[str, float]]] = []
_RUN: dict[str, float] = {}


def _phase(when: str):
    @pytest.hookimpl(hookwrapper=True)
    def hook(item, *args, **kwargs):
        start = _Snapshot()
        yield
        _ROWS.append((item.nodeid, when, item.get_closest_marker("browser") is not None, _Snapshot().since(start)))

    return hook


pytest_runtest_setup = _phase("setup")
pytest_runtest_call = _phase("call")
pytest_runtest_teardown = _phase("teardown")


def pytest_collection_finish(session):
    _RUN["startup_and_collection"] = time.process_time()


_SESSION: dict[str, float] = {}
_making: list[str] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """What making each session-scoped fixture took: its own body, the fixtures it names being made before it (one
    it asks for while it is made, by `request.getfixturevalue`, is inside its figure). The test database's
    migrations are `django_db_setup`."""
    if fixturedef.scope != "session" or _making:
        yield
        return
    _making.append(fixturedef.argname)
    start = _Snapshot()
    try:
        yield
    finally:
        _making.pop()
        cpu = _Snapshot().since(start)
        _SESSION[fixturedef.argname] = _SESSION.get(fixturedef.argname, 0.0) + sum(
            cpu[k] for k in ("own", "children", "database")
        )


def pytest_sessionfinish(session):
    folder = os.environ.get("PEGASUS_SUITE_CPU_DIR")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not folder or not worker:
        return
    database = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    figures = {"run": _RUN, "session": _SESSION, "phases": _ROWS}
    (Path(folder) / f"{database}-{worker}.json").write_text(json.dumps(figures))
