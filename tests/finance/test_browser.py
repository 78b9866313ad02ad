"""The finance pages in a real browser, on a small ledger built with the services beside the demo estate: the
position and a line page as finance and as an approver under axe-core (WCAG 2.1 A and AA) with a screenshot of each,
a drill-down from a figure to the rows behind it, a commitment past its approval refused on the page, and the pages
without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from pegasus.finance.models import Commitment
from tests.browser import assert_passes_axe, estate_and_decisions_load, screenshot, session_give
from tests.finance.test_views import ledger

pytestmark = pytest.mark.browser


@pytest.fixture
def books(demo_estate):
    """The demo estate (its users sign in) with the small ledger of the view tests, as at 23 May 2019."""
    ledger()


PAGES = [
    ("position", "finance", "/finance/"),
    ("position", "approver", "/finance/"),
    ("line", "finance", "/finance/lines/DP-PEG/"),
    ("line", "approver", "/finance/lines/DP-PEG/"),
    ("approval", "auditor", "/finance/approvals/PCD579/"),
    ("position-bad-date", "director", "/finance/?as_at=2019-02-30"),
    ("commitment-new", "finance", "/finance/commitments/new/?line=DP-PEG-CONS"),
    ("cancel", "commercial", "/finance/commitments/PO-1001/cancel/"),
    ("forecast", "finance", "/finance/forecasts/"),
    ("import", "finance", "/finance/import/"),
    ("dashboard", "director", "/dashboard/"),
]


@pytest.mark.django_db
class TestPagesPassAxe:
    """Every finance page under axe-core, as each role that uses it: the visits only read, so the demo estate and the
    small ledger are committed once for them."""

    @staticmethod
    def site_load():
        estate_and_decisions_load()
        ledger()

    @pytest.mark.parametrize(("name", "role", "path"), PAGES, ids=[f"{r}-{n}" for n, r, _ in PAGES])
    def test_page_passes_axe(self, site_page, name, role, path):
        assert_passes_axe(session_give(site_page, role), path, f"finance-{role}-{name}")


def test_a_figure_leads_to_the_commitments_behind_it(page, sign_in, books):
    # given
    sign_in(page, "approver")
    page.goto("/finance/")

    # when
    page.get_by_role("link", name="£330,000 committed open on DP-PEG-CONS").click()

    # then
    expect(page).to_have_url(re.compile(r"/finance/lines/DP-PEG-CONS/\?as_at=2019-05-23&year=2019#commitments$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultancy")
    rows = page.get_by_test_id("commitments").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("PO-1001")
    expect(rows.first).to_contain_text("£330,000.00")
    expect(page.get_by_role("button", name="Raise a commitment")).to_have_count(0)  # an approver only reads
    screenshot(page, "finance-approver-drill-down")


def test_a_commitment_past_its_approval_is_refused_and_nothing_is_written(page, sign_in, books):
    # given
    sign_in(page, "commercial")
    page.goto("/finance/lines/DP-PEG-CONS/")
    page.get_by_role("button", name="Raise a commitment").click()

    # when
    page.get_by_label("Reference").fill("PO-9001")
    page.get_by_label("Approval").select_option("PCD579")
    page.get_by_label("Supplier").fill("Independent consultants")
    page.get_by_label("Date raised").fill("2019-05-10")
    page.get_by_label("Amount").fill("6000000")
    page.get_by_role("button", name="Raise commitment").click()

    # then
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("its headroom is £5,950,000.00")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Amount")).to_be_focused()
    expect(page.locator("#id_amount-error")).to_contain_text("approval PCD579")
    screenshot(page, "finance-commercial-commitment-refused")
    assert not Commitment.objects.filter(reference="PO-9001").exists()

    # and a commitment within the headroom is raised
    page.get_by_label("Amount").fill("100000")
    page.get_by_role("button", name="Raise commitment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Commitment PO-9001 created")
    expect(page.get_by_test_id("commitments")).to_contain_text("PO-9001")
    assert Commitment.objects.get(reference="PO-9001").approval_id == "PCD579"


@pytest.mark.parametrize("path", ["/finance/", "/finance/lines/DP-PEG/"])
def test_page_reads_without_javascript(no_js_page, sign_in, books, path):
    """The tree, the S-curve's figures and the headroom bars are all there without JavaScript."""
    # given
    page = no_js_page
    sign_in(page, "finance")

    # when
    response = page.goto(path)

    # then
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if "lines" in path:
        expect(page.get_by_test_id("s-curve-table").locator("tbody tr")).to_have_count(12)
    else:
        expect(page.get_by_test_id("position-lines").locator("tbody tr")).to_have_count(4)
        expect(page.locator("meter")).to_have_count(1)
    screenshot(page, f"finance-no-js-{path.strip('/').replace('/', '-')}")
