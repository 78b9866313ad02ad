"""A Pegasus deployment on this machine, made from the checkout as a fresh clone would be, and a browser for it.

Used by the load benchmark and the production tests: `deployment_prepare` builds the front end into a folder of its
own, collects the static files as production does, migrates an SQLite database and loads the demo; `served` runs
`pegasus serve` on a free loopback port and stops it; `Browser` signs in through the real form and keeps its
cookies. Only loopback addresses are ever reached.
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEMO_PASSWORD = "pegasus-demo-2019"  # noqa: S105  (the demo's published password)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED = re.compile(r"\((web server pid (\d+).*)\)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Deployment:
    folder: Path
    env: dict[str, str]

    def pegasus(self, *args: str, timeout: float = 600, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "pegasus.cli", *args],
            env={**self.env, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )


def deployment_env(folder: Path, environment: str = "production") -> dict[str, str]:
    """The settings a production deployment needs, with everything it writes under `folder`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEGASUS_", "DATABASE_URL", "DJANGO_"))}
    return env | {
        "PEGASUS_ENV": environment,
        "PEGASUS_SECRET_KEY": "load-" + secrets.token_urlsafe(40),
        "PEGASUS_ALLOWED_HOSTS": f"{HOST},localhost",
        "PEGASUS_VAR_DIR": str(folder / "var"),
        "PEGASUS_FRONTEND_DIR": str(folder / "frontend"),
        "PEGASUS_AS_AT": "2019-05-23",
        # The market view's published data is left out: the demo is the estate, the decision and the tickets.
        "PEGASUS_SHARED_DATA": str(folder / "no-shared-data"),
        "PEGASUS_LOG_LEVEL": "ERROR",
    }


def deployment_prepare(folder: Path) -> Deployment:
    """Build, collect, migrate and load the demo, as the README's production steps do."""
    env = deployment_env(folder)
    subprocess.run(  # noqa: S603
        ["node", "frontend/build.mjs", str(folder / "frontend")],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    deployment = Deployment(folder=folder, env=env)
    deployment.pegasus("collectstatic", "--no-input")
    deployment.pegasus("migrate", "--no-input")
    deployment.pegasus("demo")
    return deployment


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    children: dict[str, int] = field(default_factory=dict)  # name -> pid, as `pegasus serve` announced them

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self, signum: int = signal.SIGINT, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)


@contextmanager
def served(deployment: Deployment, *args: str, environment: str | None = None, ready_path: str = "/sign-in/"):
    """`pegasus serve` on a free port, until it answers `ready_path`; stopped with SIGINT afterwards."""
    port = free_port()
    env = deployment.env | ({"PEGASUS_ENV": environment} if environment else {})
    log = (deployment.folder / f"serve-{port}.log").open("w+")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "pegasus.cli", "serve", "--bind", f"{HOST}:{port}", *args],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Served(process=process, port=port)
    last: object = None
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"pegasus serve stopped with {process.returncode}:\n{log.read()[-3000:]}")
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=5)
                conn.request("GET", ready_path, headers={"X-Forwarded-Proto": "https"})
                last = conn.getresponse().status
                if last < 500:
                    break
            except OSError as exc:
                last = exc
            if time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(
                    f"pegasus serve did not answer {ready_path} on port {port} within 90 s ({last}):\n"
                    + log.read()[-3000:]
                )
            time.sleep(0.3)
        log.seek(0)
        announced = STARTED.search(log.read())
        if announced:
            for name, pid in re.findall(r"(\w[\w ]*?) pid (\d+)", announced.group(1)):
                running.children[name.strip()] = int(pid)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Browser:
    """One user's browser: keeps its cookies and follows redirects on the same site. `behind_https` (production)
    speaks to gunicorn as the TLS proxy in front of it would, saying the request came over HTTPS, so that Secure
    cookies and the CSRF origin check work as they do for a real user."""

    def __init__(self, base: str, *, token: str | None = None, timeout: float = 60, behind_https: bool = True):
        parts = urlsplit(base)
        self.base = base
        self.host, self.port = parts.hostname or HOST, parts.port or 80
        self.behind_https = behind_https
        self.origin = f"{'https' if behind_https else 'http'}://{self.host}:{self.port}"
        self.cookies: dict[str, str] = {}
        self.token = token
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        sent = {"Referer": self.origin + path, "Origin": self.origin}
        if self.behind_https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        sent |= headers or {}
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=sent)
                raw = self.conn.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn's sync workers close the connection after each response; open a new one.
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt:
                    raise
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if raw.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data, path)

    def get(self, path: str, *, follow: bool = True) -> Response:
        response = self.request("GET", path)
        for _ in range(5):
            if not follow or response.status not in (301, 302, 303, 307, 308):
                break
            target = urlsplit(urljoin(self.origin + path, response.headers["location"]))
            path = target.path + (f"?{target.query}" if target.query else "")
            response = self.request("GET", path)
        return response

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        body = urlencode(fields).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, path: str, fields: dict[str, str], name: str, filename: str, content: bytes) -> Response:
        boundary = "pegasus" + secrets.token_hex(8)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: text/csv\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def csrf_token(self, path: str) -> str:
        found = CSRF_FIELD.search(self.get(path).text)
        if not found:
            raise AssertionError(f"no CSRF token in the form at {path}")
        return found.group(1)

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> Response:
        """Sign in through the /sign-in/ form, as a person does."""
        token = self.csrf_token("/sign-in/")
        response = self.post_form(
            "/sign-in/", {"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        if response.status != 302:
            raise AssertionError(f"signing in as {username} answered {response.status}, not a redirect")
        return response


def process_group_alive(pid: int) -> bool:
    """Whether any process of the group `pid` led (each child of `pegasus serve` leads its own) is still running."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True
