"""Browser fixtures: Debian's headless Chromium driven by Playwright against the live server, the demo estate read
as at May 2019, and signing in through the form."""

import os
from pathlib import Path

import pytest

from pegasus.estate.demo import DEMO_AS_AT, DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
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


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
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


@pytest.fixture
def demo_estate(transactional_db, settings):
    """The demo estate, read as at the May 2019 meeting that considered it.

    The live server answers from its own thread, so the data is committed and each test ends with a flush. A flush
    also empties the role groups the migrations made, so they are put back before the demo is loaded.
    """
    from django.contrib.auth.models import Group

    from pegasus.core.roles import Role
    from pegasus.estate.demo import demo_load

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    demo_load()
    from pegasus.governance.demo import decisions_demo_load

    decisions_demo_load()
    settings.PEGASUS_AS_AT = DEMO_AS_AT


def _new_context(browser, live_server, **options):
    context = browser.new_context(
        base_url=live_server.url,
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
    context = _new_context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def no_js_page(browser, live_server, demo_estate):
    """A page in a browser context with JavaScript turned off."""
    context = _new_context(browser, live_server, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def sign_in():
    """Sign a demo user in through the sign-in form, as a person would, from wherever the page is sent to sign in."""

    def sign_in_as(page, username: str, password: str = DEMO_PASSWORD, *, start: str = "/sign-in/"):
        page.goto(start)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in/" not in url)
        return page

    return sign_in_as
