"""`pegasus serve` starts the web server and the task worker together, runs queued work, and stops as one."""

import os
import signal
import subprocess
import sys
import time

import pytest
from benchmarks.deployment import DEMO_PASSWORD, ROOT, Browser, process_group_alive, served

from tests.browser import VIEWPORT

# One deployment is built for the session: its tests share a worker when the suite runs in parallel.
pytestmark = pytest.mark.xdist_group("deployment")

TICKETS = (
    b"ticket_id,supplier,priority,opened_at,resolved_at\n"
    b"T1,Kestrel Digital Services Ltd (illustrative),1,2019-03-04T09:00,2019-03-04T10:00\n"
    b"T2,Kestrel Digital Services Ltd (illustrative),P1,2019-03-05T09:00,2019-03-05T15:00\n"
)


def wait_until_gone(pids, seconds: float = 20) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if process_group_alive(pid)]
        if not alive:
            return []
        time.sleep(0.2)
    return alive


class TestServe:
    def test_a_ticket_upload_is_run_by_the_worker_and_ctrl_c_stops_both(self, deployment):
        with served(deployment, environment="development") as server:
            # given the web server and the task worker, both announced
            assert set(server.children) == {"web server", "task worker"}
            browser = Browser(server.base, behind_https=False)
            browser.sign_in("commercial")
            token = browser.csrf_token("/performance/uploads/")
            # when a tickets file is uploaded through the page
            response = browser.post_file(
                "/performance/uploads/", {"csrfmiddlewaretoken": token}, "file", "march.csv", TICKETS
            )
            assert response.status == 302, response.text[:1000]
            progress = response.headers["location"].rstrip("/") + "/progress/"
            # then the worker picks it up and the page says it is stored
            deadline = time.monotonic() + 60
            while "Tickets stored" not in (page := browser.get(progress).text):
                assert time.monotonic() < deadline, page
                time.sleep(0.5)
            assert 'data-testid="queue-notice"' not in page
            # and Ctrl-C stops the command and both children, with nothing left behind
            assert server.stop(signal.SIGINT) == 0
        assert wait_until_gone(server.children.values()) == []

    def test_when_the_worker_dies_the_server_is_stopped_and_serve_fails(self, deployment):
        with served(deployment, environment="development") as server:
            worker = server.children["task worker"]
            os.killpg(worker, signal.SIGKILL)
            code = server.process.wait(timeout=30)
        assert code == 1
        assert wait_until_gone(server.children.values()) == []
        log = (deployment.folder / f"serve-{server.port}.log").read_text()
        assert f"the task worker stopped with exit status {-signal.SIGKILL}" in log

    @pytest.mark.parametrize(
        ("args", "field"),
        [
            (["--bind", "8000"], "--bind"),
            (["--bind", "127.0.0.1:99999"], "--bind"),
            (["--task-workers", "0"], "--task-workers"),
        ],
    )
    def test_bad_options_exit_2_naming_the_option(self, deployment, args, field):
        result = subprocess.run(
            [sys.executable, "-m", "pegasus.cli", "serve", *args],
            env=deployment.env | {"PEGASUS_ENV": "development"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2
        assert result.stderr.startswith(f"error: {field}:")
        assert len(result.stderr.strip().splitlines()) == 1


SERVICENOW_ZIP = ROOT.parent / "shared" / "data" / "itsm-servicenow-incident-log"
SERVICENOW_ZIP = SERVICENOW_ZIP / "incident_event_log_first119998_original_format.zip"


@pytest.mark.skipif(not SERVICENOW_ZIP.exists(), reason=f"the real ServiceNow export is not at {SERVICENOW_ZIP}")
def test_a_real_servicenow_export_is_uploaded_mapped_and_reported_by_serves_own_worker(deployment, browser):
    """From the demo as `make run` serves it: upload the real export, map its busiest group to a demo contract on
    the page, and read a non-empty SLA report of that contract, the work done by serve's own task worker."""
    with served(deployment, environment="development") as server:
        assert set(server.children) == {"web server", "task worker"}
        page = browser.new_page(viewport=VIEWPORT)
        try:
            page.set_default_timeout(30_000)
            page.goto(server.base + "/sign-in/")
            page.get_by_label("Username").fill("commercial")
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/sign-in/" not in url)
            # given the real export uploaded through the page
            page.goto(server.base + "/performance/uploads/")
            page.get_by_label("Service-desk file (CSV or ZIP)").set_input_files(str(SERVICENOW_ZIP))
            page.get_by_role("button", name="Upload and check").click()
            # when the worker has read its groups, the busiest is mapped to the end-user computing contract
            page.get_by_role("link", name="Map the assignment groups").click(timeout=180_000)
            busiest = page.get_by_label("Group 70 (8,966 tickets): maps to")
            busiest.select_option(label="MPS-DP-T1-005: End User Computing Services")
            page.get_by_role("button", name="Save the mapping and convert").click()
            # then the worker converts and stores it, and the page says what the SLAs read
            page.get_by_role("heading", name="What the reports read").wait_for(timeout=180_000)
            assert "8,966 of 20,769 tickets (43.2%) fall under a contract's SLA" in page.inner_text("main")
            # and the contract's scorecard is rated from the export's tickets
            page.get_by_role("link", name="See supplier performance from it").click()
            page.get_by_role("link", name="MPS-DP-T1-005").click()
            assert "incident_event_log_first119998_original_format.zip" in page.inner_text('[data-testid="dataset"]')
            rating = page.inner_text('[data-testid="overall-rating"]')
            assert rating.strip() not in {"", "Not rated"}, rating
            # and the demo's dataset is put back for the reports, from the uploads page
            page.goto(server.base + "/performance/uploads/")
            page.get_by_role("row").filter(has_text="demo tickets").get_by_role("button", name="Read this one").click()
            assert "demo tickets" in page.inner_text("h1")
        finally:
            page.close()


class TestSupervisor:
    def test_ctrl_c_reaches_each_child_once_and_a_busy_child_is_let_finish(self, tmp_path):
        # given two children that count the SIGINTs they get and take a second to finish, as a worker does its task
        child = (
            "import signal, sys, time\n"
            "got = []\n"
            "signal.signal(signal.SIGINT, lambda *_: got.append(1))\n"
            "deadline = time.monotonic() + 20\n"
            "while not got and time.monotonic() < deadline: time.sleep(0.05)\n"
            "time.sleep(1)\n"
            "open(sys.argv[1], 'w').write(str(len(got)))\n"
        )
        supervisor = (
            "import sys\n"
            "from django.core.management.base import OutputWrapper\n"
            "from pegasus.web.management.commands.serve import Supervisor\n"
            f"child = [sys.executable, '-c', {child!r}]\n"
            "commands = {'one': [*child, sys.argv[1]], 'two': [*child, sys.argv[2]]}\n"
            "sys.exit(Supervisor(commands, out=OutputWrapper(sys.stdout)).run('127.0.0.1:0'))\n"
        )
        counts = [tmp_path / "one", tmp_path / "two"]
        process = subprocess.Popen(
            [sys.executable, "-c", supervisor, *map(str, counts)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert "Ctrl-C stops them all" in process.stdout.readline()
            time.sleep(0.5)
            # when Ctrl-C comes once
            process.send_signal(signal.SIGINT)
            # then each child got it once, finished its work, and the supervisor exits 0
            assert process.wait(timeout=30) == 0
        finally:
            process.kill()
            process.wait()
        assert [count.read_text() for count in counts] == ["1", "1"]
