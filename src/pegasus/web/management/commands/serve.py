"""`pegasus serve`: the web server and the task worker together, as one command that stops as one.

Pages that queue work (a tickets upload, an optimised scenario) only put it on the database queue; `pegasus
db_worker` is what runs it. Started apart, it is easily forgotten and the work waits for ever, so this command
starts both as child processes: Django's development server (or gunicorn with `--production`, or when
PEGASUS_ENV=production) and one or more `db_worker`s. SIGINT and SIGTERM are passed on to every child; when one
child stops by itself the others are stopped too, and the command exits non-zero if any child failed.
"""

import os
import re
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command

from pegasus.core.management.commands._base import BadInput, PegasusCommand

BIND = re.compile(r"(?P<host>[A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})")
BAD_BIND = "--bind: {value!r} is not HOST:PORT (for example 127.0.0.1:8000)"
BAD_COUNT = "{field}: {value} must be between 1 and {most}"
STOP_GRACE_SECONDS = 20.0  # a worker finishes the step it is on; gunicorn finishes the requests it is serving
CLEAN_STOP = {0, -signal.SIGINT, -signal.SIGTERM}


class Command(PegasusCommand):
    help = (
        "Serve Pegasus with its task worker: runserver in development, gunicorn with --production (or "
        "PEGASUS_ENV=production), and `db_worker`; Ctrl-C stops both."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to serve on (default %(default)s)")
        parser.add_argument(
            "--production",
            action="store_true",
            default=settings.PRODUCTION,
            help="serve with gunicorn (the default when PEGASUS_ENV=production)",
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            default=int(os.environ.get("PEGASUS_WEB_WORKERS", "0")) or min(2 * (os.cpu_count() or 1) + 1, 9),
            help="gunicorn worker processes (default PEGASUS_WEB_WORKERS, else 2 per core and one, at most 9)",
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=int(os.environ.get("PEGASUS_TASK_WORKERS", "1")),
            help="db_worker processes running queued work (default PEGASUS_TASK_WORKERS, else 1)",
        )

    def handle(self, *args, **options):
        bind = options["bind"]
        if not BIND.fullmatch(bind) or not 0 < int(BIND.fullmatch(bind)["port"]) < 65536:
            raise BadInput(BAD_BIND.format(value=bind))
        for field, most in (("web_workers", 64), ("task_workers", 16)):
            if not 1 <= options[field] <= most:
                raise BadInput(BAD_COUNT.format(field="--" + field.replace("_", "-"), value=options[field], most=most))
        python = [sys.executable, "-m"]
        if options["production"]:
            # A missing static manifest or an unsafe setting stops the deployment here rather than in every page.
            call_command("check", deploy=True, fail_level="ERROR")
            web = [*python, "gunicorn", "pegasus.wsgi:application", "--bind", bind]
            web += ["--workers", str(options["web_workers"])]
            # gunicorn's heartbeat files in memory rather than on a disk that may be slow or full
            if os.path.isdir("/dev/shm"):  # noqa: S108
                web += ["--worker-tmp-dir", "/dev/shm"]  # noqa: S108
            web += ["--graceful-timeout", str(int(STOP_GRACE_SECONDS) - 5)]
        else:
            web = [*python, "pegasus.cli", "runserver", bind]
        worker = [*python, "pegasus.cli", "db_worker", "--interval", "1"]
        children = {"web server": web} | {
            f"task worker {n}" if options["task_workers"] > 1 else "task worker": worker
            for n in range(1, options["task_workers"] + 1)
        }
        sys.exit(Supervisor(children, out=self.stdout).run(bind))


class Supervisor:
    """Runs the children, each in a process group of its own so that a signal reaches any process it starts in
    turn (runserver's reloader, gunicorn's workers) and nothing is left behind."""

    def __init__(self, commands: dict[str, list[str]], out):
        self.commands = commands
        self.out = out
        self.processes: dict[str, subprocess.Popen] = {}
        self.stopping: int | None = None

    def run(self, bind: str) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        try:
            for name, command in self.commands.items():
                self.processes[name] = subprocess.Popen(command, start_new_session=True)  # noqa: S603
            started = "; ".join(f"{name} pid {p.pid}" for name, p in self.processes.items())
            self.out.write(f"Pegasus on http://{bind}/ ({started}). Ctrl-C stops them all.")
            self.out.flush()
            first = self._wait_for_one()
        finally:
            # A signal was passed on as it came (a second Ctrl-C is passed on too, and makes a worker give up the
            # task it is running); a child that stopped by itself has the others stopped gracefully.
            self._stop_all(resend=signal.SIGTERM if self.stopping is None else None)
        failed = {
            name: p.returncode
            for name, p in self.processes.items()
            if p.returncode not in (CLEAN_STOP if self.stopping is not None or name != first else {0})
        }
        for name, code in failed.items():
            sys.stderr.write(f"serve: the {name} stopped with exit status {code}\n")
        if first is not None and self.stopping is None and not failed:
            self.out.write(f"The {first} stopped; stopped the rest.")
        return 1 if failed else 0

    def _on_signal(self, signum, frame) -> None:
        self.stopping = signum
        self._signal_all(signum)

    def _signal_all(self, signum: int) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signum)
                except ProcessLookupError:
                    pass

    def _wait_for_one(self) -> str | None:
        """The name of the first child to stop by itself, or None when a signal asked them all to stop."""
        while self.stopping is None:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    return name
            time.sleep(0.2)
        return None

    def _stop_all(self, resend: int | None) -> None:
        if resend is not None:
            self._signal_all(resend)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        # What a child started and left behind in its group (a reloader's server) goes with it.
        for process in self.processes.values():
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
