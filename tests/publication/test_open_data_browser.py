"""The Open data page in a browser: the public finds it from the footer and is told that nothing has been generated
yet; a commercial officer generates both packages; the public then reads what they hold and downloads them. Each
state of the page passes the accessibility check."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser import axe_violations, describe, screenshot

pytestmark = pytest.mark.browser


def test_the_packages_are_generated_by_staff_and_downloaded_by_the_public(page, sign_in, live_server):
    # given the public on the decisions register, with no package generated yet
    page.goto(f"{live_server.url}/public/decisions/")
    page.locator("footer").get_by_role("link", name="Open data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open data")
    expect(page.get_by_test_id("no-export")).to_contain_text("No package has been generated yet")
    expect(page.get_by_role("button", name="Generate now")).to_have_count(0)
    assert axe_violations(page) == [], describe(axe_violations(page))
    screenshot(page, "open-data-none")

    # when a commercial officer generates them
    sign_in(page, "commercial")
    page.goto(f"{live_server.url}/public/open-data/")
    page.get_by_role("button", name="Generate now").click()

    # then both are offered, valid, with what they hold
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Release and record packages generated as at 23 May 2019: both valid against OCDS 1.1.5."
    )
    for kind in ("releases", "records"):
        expect(page.get_by_test_id(f"validation-{kind}")).to_contain_text("Valid against OCDS 1.1.5")
    assert axe_violations(page) == [], describe(axe_violations(page))
    screenshot(page, "open-data-generated")

    # when the public reads the page again and downloads the release package
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/public/open-data/")
    releases = page.get_by_test_id("package-releases")
    expect(releases).to_contain_text("releases of")
    expect(releases).to_contain_text("23 May 2019")
    expect(page.get_by_role("button", name="Generate now")).to_have_count(0)
    with page.expect_download() as download:
        releases.get_by_role("link", name="Download the release package").click()

    # then it is the release package, as published
    package = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert package["releases"] and package["license"].startswith("http://www.nationalarchives.gov.uk/")
    assert axe_violations(page) == [], describe(axe_violations(page))
    screenshot(page, "open-data-public")
