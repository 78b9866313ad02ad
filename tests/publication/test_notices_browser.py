"""Notices in a browser: a termination's UK11 drafted from what is due on /notices/, checked by legal and published
by the commercial officer; both pages pass the accessibility check."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from pegasus.estate.models import Contract
from pegasus.publication.models import Notice
from tests.browser import axe_violations, describe, screenshot
from tests.publication.notices import termination

pytestmark = pytest.mark.browser


def test_a_uk11_is_drafted_from_what_is_due_checked_and_published(page, sign_in, live_server, browser):
    # given a termination at the end of transition, effective
    officer = get_user_model().objects.get(username="commercial")
    contract = Contract.objects.get(reference="MPS-DP-T2-102")
    termination(contract, by=officer, on=date(2019, 3, 31))
    sign_in(page, "commercial")

    # when the commercial officer drafts its UK11 from the notices page
    page.goto(f"{live_server.url}/notices/")
    due = page.get_by_test_id("due-terminations")
    expect(due).to_contain_text("MPS-DP-T2-102")
    assert axe_violations(page) == [], describe(axe_violations(page))
    screenshot(page, "notices-due")
    due.get_by_role("link", name="Draft UK11 for MPS-DP-T2-102").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft the UK11 contract termination notice")
    page.get_by_role("button", name="Draft notice").click()

    # then it is a draft the drafter may not check
    expect(page.get_by_role("heading", level=1)).to_have_text("UK11 contract termination notice")
    expect(page.get_by_test_id("requirement")).to_contain_text("Published voluntarily")
    expect(page.get_by_role("button", name="Mark as checked")).to_be_visible()
    page.get_by_role("button", name="Mark as checked").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("someone other than the person who drafted")
    notice = Notice.objects.get()
    assert notice.state == "draft"

    # when legal checks it and the commercial officer publishes it
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "legal")
    page.goto(f"{live_server.url}/notices/{notice.pk}/")
    page.get_by_role("button", name="Mark as checked").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "commercial")
    page.goto(f"{live_server.url}/notices/{notice.pk}/")
    page.get_by_role("button", name="Publish notice").click()

    # then it is published, can only be corrected, and nothing is due
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Notice published")
    expect(page.get_by_role("button", name="Draft a correction")).to_be_visible()
    expect(page.get_by_test_id("notice-termination")).to_contain_text("31 March 2019")
    assert axe_violations(page) == [], describe(axe_violations(page))
    screenshot(page, "notice-published")
    page.goto(f"{live_server.url}/notices/")
    expect(page.get_by_test_id("notices")).to_contain_text("Published")
    expect(page.get_by_test_id("due-terminations")).to_have_count(0)
