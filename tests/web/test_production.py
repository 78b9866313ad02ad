"""Production from a fresh clone: static files built and collected in production mode, pages served by gunicorn
through `pegasus serve --production`, and every static file a page refers to found."""

import re
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from benchmarks.deployment import Browser, deployment_env, served

# One deployment is built for the session: its tests share a worker when the suite runs in parallel.
pytestmark = pytest.mark.xdist_group("deployment")

HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js)$")
CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)")
SOURCE_MAP = re.compile(r"[/][/*]# sourceMappingURL=([^\s*]+)")
MODULE_IMPORT = re.compile(r"""(?:import|from)\s*["']([^"']+)["']""")


class References(HTMLParser):
    """The static files a page refers to: stylesheets and icons, scripts (and what module scripts import), images."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.found.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.found.append(attrs["src"])
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.found.extend(MODULE_IMPORT.findall(data))


def static_references(html: str) -> list[str]:
    parser = References()
    parser.feed(html)
    return [ref for ref in parser.found if urlsplit(ref).path.startswith("/static/")]


def fetch_all_static(browser: Browser, page: str, html: str) -> dict[str, int]:
    """Fetch every static file the page refers to, following the stylesheets' url()s and every source map."""
    statuses: dict[str, int] = {}
    queue = [urljoin(page, ref) for ref in static_references(html)]
    while queue:
        path = urlsplit(queue.pop()).path
        if path in statuses:
            continue
        response = browser.get(path, follow=False)
        statuses[path] = response.status
        if response.status != 200:
            continue
        if path.endswith((".css", ".js")):
            text = response.text
            refs = SOURCE_MAP.findall(text) + (CSS_URL.findall(text) if path.endswith(".css") else [])
            if path.endswith(".js"):  # a module's imports of its neighbours
                refs += [ref for ref in MODULE_IMPORT.findall(text) if ref.startswith(("./", "../"))]
            queue.extend(urljoin(path, ref) for ref in refs if not ref.startswith(("data:", "#")))
    return statuses


@pytest.fixture(scope="module")
def production(deployment):
    with served(deployment, "--production", "--web-workers", "2") as server:
        yield server


class TestProductionDeployment:
    def test_collectstatic_in_production_mode_writes_the_manifest(self, deployment):
        static = deployment.folder / "var" / "static"
        assert (static / "staticfiles.json").is_file()
        assert list(static.glob("js/vega.min.js.*.map"))  # the source maps the scripts name are collected too

    def test_check_deploy_is_clean_once_static_files_are_collected(self, deployment):
        result = deployment.pegasus("check", "--deploy", "--fail-level", "WARNING")
        assert "no issues" in result.stdout

    def test_check_deploy_reports_static_files_never_collected(self, deployment, tmp_path):
        env = deployment_env(tmp_path) | {"PEGASUS_FRONTEND_DIR": deployment.env["PEGASUS_FRONTEND_DIR"]}
        result = subprocess.run(
            [sys.executable, "-m", "pegasus.cli", "check", "--deploy"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1
        assert "pegasus.E001" in result.stderr
        assert "pegasus collectstatic --no-input" in result.stderr

    @pytest.mark.parametrize(
        ("user", "path", "scripts"),
        [
            (None, "/sign-in/", ["govuk-frontend.min", "htmx.min"]),
            ("commercial", "/dashboard/", ["vega.min", "vega-lite.min", "vega-embed.min", "charts"]),
            ("commercial", "contract", ["vega.min", "vega-lite.min", "vega-embed.min", "charts"]),
        ],
    )
    def test_page_and_every_static_file_it_refers_to_answer_200(self, production, user, path, scripts):
        browser = Browser(production.base)
        if user:
            browser.sign_in(user)
        if path == "contract":  # a contract's page draws its spend against value
            listing = browser.get("/contracts/").text
            path = re.search(r'href="(/contracts/\d+/)"', listing).group(1)
        page = browser.get(path)
        assert page.status == 200, page.text[:2000]
        refs = static_references(page.text)
        assert any(HASHED.search(ref) for ref in refs), refs  # served from the manifest under hashed names
        statuses = fetch_all_static(browser, path, page.text)
        for script in scripts:  # named by the page, or imported by a module it names
            assert any(f"/{script}." in fetched for fetched in statuses), (script, list(statuses))
        assert [p for p in statuses if p.endswith(".css")], statuses
        assert any("govuk-crest" in p for p in statuses), statuses  # followed from the stylesheet
        assert {p: s for p, s in statuses.items() if s != 200} == {}

    def test_static_files_are_served_compressed_and_cached_for_ever(self, production):
        browser = Browser(production.base)
        css = next(ref for ref in static_references(browser.get("/sign-in/").text) if ref.endswith(".css"))
        response = browser.request("GET", css, headers={"Accept-Encoding": "gzip, br"})
        assert response.status == 200
        assert response.headers.get("content-encoding") in {"gzip", "br"}
        assert "immutable" in response.headers["cache-control"]
