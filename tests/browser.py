"""Browser fixtures, loaded for the whole suite from tests/conftest.py so that every browser test shares one Chromium:
Debian's headless Chromium driven by Playwright against the live server, the demo estate read as at May 2019, signing
in through the form; and the helpers the browser tests share (axe-core, screenshots, charts)."""

import os
import re
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from pegasus.estate.demo import DEMO_AS_AT, DEMO_PASSWORD

# Debian's Chromium headless shell: the same Blink and V8 without the browser's own user interface, which costs each
# page visit more than half again of its CPU in the full browser run headless. The full browser where the shell is not
# installed (`make browser-deps` installs it).
CHROMIUMS = ["/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium"]
CHROMIUM = next((path for path in CHROMIUMS if Path(path).exists()), CHROMIUMS[0])
# No downloaded browser, and nothing that calls out of the machine: updates, sync, field trials, QUIC.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
AXE_JS = Path(settings.BASE_DIR) / "build" / "frontend" / "js" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at any of {CHROMIUMS}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread and the test resumes inside it, so Django would take
    # the tests' own ORM calls between browser steps for calls from async code. They are plain synchronous calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def groups_ensure() -> None:
    """The role groups the migrations made; a flush (after every browser test) empties them."""
    from django.contrib.auth.models import Group

    from pegasus.core.roles import Role

    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def demo_estate(transactional_db, settings):
    """The demo estate, read as at the May 2019 meeting that considered it.

    The live server answers from its own thread, so the data is committed and each test ends with a flush. A flush
    also empties the role groups the migrations made, so they are put back before the demo is loaded.
    """
    groups_ensure()
    estate_and_decisions_load()
    settings.PEGASUS_AS_AT = DEMO_AS_AT


def estate_and_decisions_load() -> None:
    """The demo estate and its decisions: what every browser test's users and pages start from."""
    from pegasus.estate.demo import demo_load
    from pegasus.governance.demo import decisions_demo_load

    demo_load()
    decisions_demo_load()


def requests_finished(timeout: float = 10) -> None:
    """Wait for the live server's requests in flight (a closed page's last fetches): a request that ends after its
    server has stopped closes a database connection the server no longer shares with it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        thread.name.endswith("(process_request_thread)") for thread in threading.enumerate()
    ):
        time.sleep(0.02)


@contextmanager
def committed_site(django_db_blocker, folder: Path, load: Callable[[], object]):
    """What `load` makes, committed once, as at the May 2019 meeting, behind a live server of its own; the database
    emptied afterwards, as after every other browser test. For pages that a run of visits only reads."""
    from django.core.management import call_command
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    with (
        django_db_blocker.unblock(),
        override_settings(PEGASUS_AS_AT=DEMO_AS_AT, MEDIA_ROOT=folder / "media", VAR_DIR=folder / "var"),
    ):
        groups_ensure()
        load()
        server = LiveServer("localhost")
        try:
            yield server
        finally:
            requests_finished()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            groups_ensure()


@pytest.fixture(scope="class")
def class_site(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """What the class's `site_load` makes, committed once for its tests (which only read it) behind a live server of
    the class's own (`committed_site`), and the folder its files are stored in."""
    folder = tmp_path_factory.mktemp("site")
    with committed_site(django_db_blocker, folder, request.cls.site_load) as server:
        yield server, folder


@pytest.fixture
def site_page(browser, class_site, settings):
    """A page in a browser context of its own on the class's site, with the site's stored files where it reads them."""
    server, folder = class_site
    settings.MEDIA_ROOT, settings.VAR_DIR = folder / "media", folder / "var"
    context = new_context(browser, server)
    yield context.new_page()
    context.close()


def new_context(browser, server, **options):
    """A browser context of its own against the given live server, with a London desk's screen, language and zone."""
    context = browser.new_context(
        base_url=server.url,
        viewport=VIEWPORT,
        locale="en-GB",
        timezone_id="Europe/London",
        accept_downloads=True,
        **options,
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def context(browser, live_server, demo_estate):
    context = new_context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def no_js_page(browser, live_server, demo_estate):
    """A page in a browser context with JavaScript turned off."""
    context = new_context(browser, live_server, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def sign_in():
    """Sign a demo user in.

    Through the sign-in form, as a person would, from wherever the page is sent to sign in, when a test says where it
    starts (`start`) or asks for the form: the page is then where the form sent it. Otherwise the browser is given
    the session cookie of a session the server made for the user, as the form would have, and stays where it was:
    the form and where it leads are what the tests that use it check, and the other tests check the pages behind it.
    """

    def sign_in_as(page, username: str, password: str = DEMO_PASSWORD, *, start: str | None = None, form=False):
        if start is None and not form:
            return session_give(page, username)
        page.goto(start or "/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in/" not in url)
        return page

    return sign_in_as


def session_cookie(username: str) -> dict:
    """The cookie of a new session for the user, made as signing in makes one, for a browser context to hold."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username), backend="pegasus.core.backends.PegasusBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    # Every live server the browser tests start listens on localhost.
    return {"name": cookie.key, "value": cookie.value, "domain": "localhost", "path": "/"}


def session_give(page, username: str):
    """Give the page's browser the cookie of a new session for the user."""
    page.context.add_cookies([session_cookie(username)])
    return page


def filters_applied(page, address: str) -> None:
    """Apply a filter form's choices and wait until the list has settled at the `address` it pushes (a pattern).

    The form asks for the list by htmx on every change as well as on submit, and a late answer pushes its address
    after it is drawn: a link clicked before then would be cancelled by that push.
    """
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(address))
    page.wait_for_load_state("networkidle")


def locked_out(page) -> None:
    """Five wrong passwords for the commercial officer, from the sign-in page the browser is on."""
    for _ in range(5):
        page.get_by_label("Username").fill("commercial")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="You cannot sign in yet").wait_for()


def wait_for_charts(page) -> None:
    """vega-embed draws each chart as an SVG once its scripts have loaded."""
    charts = page.locator(".pegasus-chart")
    for n in range(charts.count()):
        charts.nth(n).locator("svg").first.wait_for(state="attached")


# The contrast axe leaves for review (its "incomplete" colour-contrast results: text over an image, a gradient, a
# pseudo-element or another element) measured from the colours the browser computed: the text's colour (its fill, in
# SVG) against the first opaque background behind it, semi-transparent ones blended in, as WCAG 2.1 (1.4.3) measures.
# A node whose backdrop is an image is reported as such: no such text is meant to be on any page.
_CONTRAST_REVIEW_JS = r"""
nodes => nodes.map(target => {
  const el = document.querySelector(target);
  if (!el) return null;
  const parse = c => (c.match(/[\d.]+/g) || []).map(Number).concat([1]).slice(0, 4);
  const style = getComputedStyle(el);
  // Text drawn in SVG (a chart's labels) takes its colour from its fill, other text from its colour.
  const svgFill = el instanceof SVGElement && style.fill.startsWith('rgb');
  let fg = parse(svgFill ? style.fill : style.color);
  if (svgFill) fg[3] *= parseFloat(style.fillOpacity || '1') * parseFloat(style.opacity || '1');
  let layers = [];
  for (let e = el; e; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.backgroundImage !== 'none') {
      return {target, ratio: null, reason: 'over a background image: ' + s.backgroundImage.slice(0, 60)};
    }
    const bg = parse(s.backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let bg = [255, 255, 255, 1];
  for (const layer of layers.reverse()) {
    const a = layer[3];
    bg = [0, 1, 2].map(i => layer[i] * a + bg[i] * (1 - a)).concat([1]);
  }
  fg = [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(channel); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
  const large = size >= 24 || (bold && size >= 18.66);
  const text = el.textContent.trim().slice(0, 60);
  return {target, ratio: (hi + 0.05) / (lo + 0.05), required: large ? 3 : 4.5, text};
}).filter(Boolean)
"""


def axe_violations(page) -> list[dict]:
    """axe-core's violations of WCAG 2.1 A and AA on the page as it now is, with each contrast it left for review
    measured (`_CONTRAST_REVIEW_JS`) and reported as a violation when it falls short or cannot be measured."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # From the static files, as a page's own script: the Content-Security-Policy refuses inline scripts.
        page.add_script_tag(url=f"{settings.STATIC_URL}js/{AXE_JS.name}")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => ({violations: r.violations, incomplete: r.incomplete}))",
        WCAG_TAGS,
    )
    review = [
        " ".join(map(str, node["target"]))
        for item in result["incomplete"]
        if item["id"] == "color-contrast"
        for node in item["nodes"]
    ]
    short = [
        node
        for node in (page.evaluate(_CONTRAST_REVIEW_JS, review) if review else [])
        if node["ratio"] is None or node["ratio"] < node["required"]
    ]
    if short:
        result["violations"].append(
            {
                "id": "color-contrast-reviewed",
                "impact": "serious",
                "help": "Contrast axe left for review, measured from the computed colours, falls short",
                "nodes": [
                    {
                        "target": [n["target"]],
                        "html": n.get("reason") or f"{n['ratio']:.2f}:1 < {n['required']}:1 ({n['text']!r})",
                    }
                    for n in short
                ],
            }
        )
    return result["violations"]


def assert_passes_axe(page, path: str, shot: str) -> None:
    """The page at `path`, with its charts drawn and every details element opened (the tables behind the charts are
    inside them), has no WCAG 2.1 A or AA violations; `shot` names its screenshot."""
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    assert "/sign-in/" not in page.url, f"sent to sign in from {path}"
    wait_for_charts(page)
    screenshot(page, shot)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    violations = axe_violations(page)
    assert not violations, f"axe found on {path}:\n{describe(violations)}"


def describe(violations: list[dict], nodes_shown: int = 3) -> str:
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(f"{violation['id']} ({violation['impact']}, {len(nodes)} element(s)): {violation['help']}")
        for node in nodes[:nodes_shown]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:240]}")
    return "\n".join(lines)


def screenshot(page, name: str, attempts: int = 3) -> None:
    """Save a full-page PNG for people to look at, when they ask for them (`make screenshots`, which sets
    PEGASUS_SCREENSHOTS); the test's assertions have already been made, and nothing reads the picture back.

    Chromium sometimes answers "Unable to capture screenshot" when its compositor is busy (a page
    swapping in a fragment while many browsers share the machine); a moment later the same capture works.
    """
    if not os.environ.get("PEGASUS_SCREENSHOTS"):
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, attempts + 1):
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
            return
        except PlaywrightError as error:
            if "Unable to capture screenshot" not in str(error) or attempt == attempts:
                raise
            page.wait_for_load_state()
            page.wait_for_timeout(250 * attempt)
