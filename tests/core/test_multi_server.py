"""Pegasus beyond one machine: two app servers and a task worker over one PostgreSQL and one object store.

Real processes (gunicorn, `pegasus db_worker`) on this machine, each with a var directory of its own so that nothing
passes between them through the disk; an S3 API served by moto on 127.0.0.1; real HTTP, signing in through the form.
A tickets file uploaded through the first app server is checked by the worker and reported by the second.
"""

import csv
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.multiserver

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "multi-server-password-2019"
SUPPLIER = "Kestrel Digital Services Ltd (illustrative)"
TICKETS = (
    "ticket_id,supplier,priority,opened_at,resolved_at\n"
    f"T1,{SUPPLIER},1,2019-03-04T09:00,2019-03-04T10:00\n"
    f"T2,{SUPPLIER},P1,2019-03-05T09:00,2019-03-05T15:00\n"
)
# The schema, an officer who may upload tickets, and a contract whose SLA reads every ticket of its supplier.
SETUP = f"""
import json
from decimal import Decimal
import django
from django.core.management import call_command
django.setup()
call_command("migrate", verbosity=0)
from django.contrib.auth.models import Group
from django.contrib.auth import get_user_model
from pegasus.core.roles import Role
from pegasus.performance import demo, services
from tests.factories import ContractFactory, SupplierFactory
officer = get_user_model().objects.create_user(username="officer", password={PASSWORD!r})
officer.groups.add(Group.objects.get(name=str(Role.COMMERCIAL_OFFICER)))
contract = ContractFactory(reference="MULTI-1", supplier=SupplierFactory(name={SUPPLIER!r}))
services.sla_save(
    contract=contract, monthly_charge=Decimal(100000), credit_cap_percent=demo.CREDIT_CAP, targets=demo.TARGETS, by=None
)
print(json.dumps({{"contract": contract.pk, "supplier": contract.supplier_id}}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def database():
    """A PostgreSQL database of this test's own, dropped afterwards; the test is skipped without PostgreSQL."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES}: {exc}".splitlines()[0])
    name = f"pegasus_multi_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class Cluster:
    """The processes of one deployment, their logs kept for the failure message."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root, self.env, self.processes = root, env, []

    def environment(self, name: str) -> dict[str, str]:
        var = self.root / name
        var.mkdir(parents=True, exist_ok=True)
        return {**self.env, "PEGASUS_VAR_DIR": str(var)}

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.root / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - the project's own commands
            command, env=self.environment(name), stdout=log, stderr=subprocess.STDOUT, cwd=self.root
        )
        self.processes.append((name, process))
        return process

    def app_server(self, name: str) -> str:
        port = free_port()
        self.start(name, [str(BIN / "gunicorn"), "pegasus.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"])
        return f"http://127.0.0.1:{port}"

    def logs(self) -> str:
        return "\n".join(
            f"--- {name} (exit {p.poll()}):\n{(self.root / f'{name}.log').read_text(errors='replace')[-3000:]}"
            for name, p in self.processes
        )

    def stop(self) -> None:
        for _, process in self.processes:
            process.terminate()
        for _, process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def cluster(database, moto_endpoint, tmp_path):
    from tests.s3 import CREDENTIALS, make_bucket

    bucket = make_bucket(moto_endpoint)
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("PEGASUS_", "AWS_", "DATABASE_URL"))}
    env = {
        **inherited,
        **CREDENTIALS,
        "DJANGO_SETTINGS_MODULE": "pegasus.settings",
        "PEGASUS_ENV": "development",  # production would need collectstatic's manifest: not what this test is about
        "PEGASUS_SECRET_KEY": secrets.token_urlsafe(50),  # the one secret every process shares
        "DATABASE_URL": database,
        "PEGASUS_STORAGE": "s3",
        "PEGASUS_S3_BUCKET": bucket,
        "PEGASUS_S3_ENDPOINT_URL": moto_endpoint,
        "PEGASUS_S3_REGION": CREDENTIALS["AWS_DEFAULT_REGION"],
    }
    found = Cluster(tmp_path, env)
    found.bucket = bucket
    yield found
    found.stop()


def wait_until(check, *, what: str, cluster: Cluster, timeout: float = 40.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in cluster.processes:
            if process.poll() is not None:
                pytest.fail(f"{name} stopped while waiting for {what}\n{cluster.logs()}")
        try:
            found = check()
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still starting
            found = None
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}\n{cluster.logs()}")


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "the form has no CSRF token"
    return found.group(1)


def test_a_file_uploaded_through_one_app_server_is_processed_by_a_worker_and_reported_by_another(cluster):
    # given two app servers, each with its own var directory, starting while one process prepares the database ...
    first, second = cluster.app_server("app-1"), cluster.app_server("app-2")
    setup = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SETUP],
        env=cluster.environment("setup"),
        cwd=ROOT,  # for tests.factories
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    ids = json.loads(setup.stdout.strip().splitlines()[-1])
    # ... and a task worker once the queue's table is there
    cluster.start("worker", [str(BIN / "pegasus"), "db_worker", "--interval", "0.2", "--no-startup-delay"])
    for url in (first, second):
        wait_until(lambda url=url: requests.get(f"{url}/sign-in/", timeout=20).ok, what=url, cluster=cluster)

    # when an officer signs in through the first app server's form and uploads a tickets file there
    browser = requests.Session()
    sign_in = browser.get(f"{first}/sign-in/", timeout=10)
    response = browser.post(
        f"{first}/sign-in/",
        data={"username": "officer", "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(sign_in.text)},
        headers={"Referer": f"{first}/sign-in/"},
        timeout=10,
    )
    assert response.ok and "/sign-in/" not in response.url, response.text[-2000:]
    form = browser.get(f"{first}/performance/uploads/", timeout=10)
    response = browser.post(
        f"{first}/performance/uploads/",
        data={"csrfmiddlewaretoken": csrf_token(form.text)},
        files={"file": ("march.csv", TICKETS.encode(), "text/csv")},
        headers={"Referer": f"{first}/performance/uploads/"},
        timeout=30,
    )
    upload_page = re.search(r"/performance/uploads/(\d+)/$", response.url)
    assert response.ok and upload_page, f"{response.status_code} {response.url}\n{cluster.logs()}"

    # then the worker checks and stores it, and the second app server, with the same session, reports it
    progress = f"{second}/performance/uploads/{upload_page.group(1)}/progress/"

    def finished() -> str | None:
        text = browser.get(progress, timeout=10).text
        return text if "Tickets stored" in text or "nothing was stored" in text else None

    page = wait_until(finished, what="the worker to store the upload", cluster=cluster)
    assert "2 rows read and stored" in page, page
    export = browser.get(f"{second}/performance/suppliers/{ids['supplier']}/export.csv", timeout=30)
    assert export.ok, f"{export.status_code}\n{cluster.logs()}"
    rows = [r for r in csv.DictReader(io.StringIO(export.text)) if r["Month"] == "2019-03" and r["Priority"] == "P1"]
    assert [(r["Contract"], r["Resolved"], r["Met"]) for r in rows] == [("MULTI-1", "2", "1")]
    # and nothing of it passed through any process's own disk: the file and the dataset are in the object store
    stored = cluster.env["PEGASUS_S3_BUCKET"]
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=cluster.env["PEGASUS_S3_ENDPOINT_URL"],
        region_name=cluster.env["PEGASUS_S3_REGION"],
        aws_access_key_id=cluster.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=cluster.env["AWS_SECRET_ACCESS_KEY"],
    )
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=stored).get("Contents", [])}
    assert any(k.startswith("performance/uploads/") for k in keys), keys
    assert any(re.fullmatch(r"performance/datasets/upload-\d+/tickets\.parquet", k) for k in keys), keys
    for name in ("app-1", "app-2", "worker"):
        assert not (cluster.root / name / "media").exists()
        assert not (cluster.root / name / "performance").exists()
