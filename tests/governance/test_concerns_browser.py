"""Filing a decision with the contracts it concerns in a browser: the form, then the decision's page and the
contract's."""

import pytest
from playwright.sync_api import expect

from pegasus.governance.models import Decision
from tests.browser import screenshot

pytestmark = pytest.mark.browser


def test_a_commercial_officer_files_pcd_598_with_a_contract_it_concerns(page, sign_in, live_server):
    # given
    pcd_598 = Decision.objects.get(reference="PCD 598")
    sign_in(page, "commercial")
    page.goto(f"{live_server.url}/decisions/{pcd_598.pk}/")
    expect(page.get_by_test_id("concerns")).to_contain_text("MPS-DP-T1-002")

    # when
    page.get_by_role("link", name="Change what PCD 598 concerns").click()
    page.get_by_label("MPS-DP-T1-001 Service Integration and Management (SIAM)").check()
    screenshot(page, "decision-concerns-form")
    page.get_by_role("button", name="Save what it concerns").click()

    # then
    concerns = page.get_by_test_id("concerns")
    expect(concerns).to_contain_text("MPS-DP-T1-001")
    expect(concerns).to_contain_text("MPS-DP-T1-002")
    concerns.get_by_role("link", name="MPS-DP-T1-001").click()
    expect(page.get_by_test_id("decisions")).to_contain_text("PCD 598")
    screenshot(page, "contract-decisions")
