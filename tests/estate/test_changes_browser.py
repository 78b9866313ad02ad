"""The contract's changes in a browser: PCD 598's proposed option exercise cannot be approved while the decision
that authorises it is only submitted."""

import pytest
from playwright.sync_api import expect

from pegasus.estate.models import Contract
from tests.browser import screenshot

pytestmark = pytest.mark.browser


def test_an_approver_is_refused_a_change_whose_decision_is_not_approved(page, sign_in, live_server):
    # given
    contract = Contract.objects.get(reference="MPS-DP-T1-002")
    sign_in(page, "approver")

    # when
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    row = page.locator("#changes ~ div table tbody tr").first
    expect(row).to_contain_text("PCD 598")
    row.get_by_role("button", name="Approve").click()

    # then
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Decision PCD 598 is submitted: link an approved decision before approving."
    )
    expect(page.locator("#changes ~ div table tbody tr").first).to_contain_text("Proposed")
    screenshot(page, "contract-changes-refused")
