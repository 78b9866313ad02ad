"""Run a `pegasus` command inside the test process, as the console script would run it, without its start-up cost.

`pegasus(...)` goes through `pegasus.cli.main` (argument parsing, the commands' own exit codes and one-line errors)
with standard input, output and error of its own, and answers as `subprocess.run` would. Each command also keeps one
test that runs it as its own process, through the console script, so the two cannot drift apart.
"""

import io
import subprocess
import sys
from contextlib import contextmanager, redirect_stderr, redirect_stdout

from django.db import connections

from pegasus.cli import main


@contextmanager
def _connections_kept_open():
    """A command run from the command line closes every database connection as it ends, as a process about to exit
    should. Here the connection is the test's, holding the test's transaction, so it is left open."""
    close_all = connections.close_all
    connections.close_all = lambda: None
    try:
        yield
    finally:
        connections.close_all = close_all


def pegasus(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
    """`pegasus ARGS` in this process: its exit status, standard output and standard error, as text."""
    raw = stdin.encode() if isinstance(stdin, str) else (stdin or b"")
    out, err = io.StringIO(), io.StringIO()
    previous_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err), _connections_kept_open():
            main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin = previous_stdin
    return subprocess.CompletedProcess(["pegasus", *args], code, out.getvalue(), err.getvalue())


def pegasus_process(
    *args: str, stdin: str | None = None, timeout: float = 120, **options
) -> subprocess.CompletedProcess:
    """`pegasus ARGS` as its own process, as a user runs it."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pegasus.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
        **options,
    )
