"""Supplier performance in a real browser, with the demo's SLAs and tickets: every page under axe-core (WCAG 2.1 A
and AA) with a full-page screenshot, an upload followed to the end, and the pages without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from pegasus.estate.models import Contract, Supplier
from tests.browser import (
    assert_passes_axe,
    axe_violations,
    estate_and_decisions_load,
    screenshot,
    session_give,
)

pytestmark = pytest.mark.browser

KESTREL = "Kestrel Digital Services Ltd (illustrative)"


@pytest.fixture
def performance_data(demo_estate):
    from pegasus.performance.demo import performance_demo_load

    performance_demo_load()


def kestrel_pk() -> int:
    return Supplier.objects.get(name=KESTREL).pk


def contract_pk(reference: str) -> int:
    return Contract.objects.get(reference=reference).pk


PAGES = [
    ("overview", "commercial", lambda: "/performance/"),
    ("supplier", "commercial", lambda: f"/performance/suppliers/{kestrel_pk()}/"),
    ("scorecard", "commercial", lambda: f"/performance/contracts/{contract_pk('MPS-DP-T1-005')}/"),
    ("sla-edit", "commercial", lambda: f"/performance/contracts/{contract_pk('MPS-DP-T1-002')}/sla/"),
    ("kpi-create", "commercial", lambda: f"/performance/contracts/{contract_pk('MPS-DP-T1-005')}/kpis/new/"),
    ("handoffs", "commercial", lambda: "/performance/handoffs/"),
    ("uploads", "commercial", lambda: "/performance/uploads/"),
    ("supplier", "supplier", lambda: f"/performance/suppliers/{kestrel_pk()}/"),
    ("handoffs", "supplier", lambda: "/performance/handoffs/"),
]


@pytest.mark.django_db
class TestPagesPassAxe:
    """Every page under axe-core, as each role that uses it: the visits only read, so the demo with its SLAs and
    tickets is committed once for them."""

    @staticmethod
    def site_load():
        from pegasus.performance.demo import performance_demo_load

        estate_and_decisions_load()
        performance_demo_load()

    @pytest.mark.parametrize(("name", "role", "path"), PAGES, ids=[f"{r}-{n}" for n, r, _ in PAGES])
    def test_page_passes_axe(self, site_page, name, role, path):
        assert_passes_axe(session_give(site_page, role), path(), f"{role}-performance-{name}")


def test_a_bad_upload_shows_its_bad_lines(page, sign_in, performance_data, tmp_path):
    """Upload a file with a bad priority: the progress page ends in a rejection listing the line and reason."""
    # given
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ticket_id,supplier,priority,opened_at,resolved_at\nT1,Someone,P7,2019-03-04T09:00,2019-03-04T10:00\n"
    )
    sign_in(page, "commercial")
    page.goto("/performance/uploads/")

    # when
    page.get_by_label("Service-desk file (CSV or ZIP)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()

    # then
    expect(page).to_have_url(re.compile(r"/performance/uploads/\d+/$"))
    expect(page.get_by_test_id("upload-status")).to_have_text("Rejected")
    expect(page.get_by_test_id("bad-lines")).to_contain_text("Line 2: priority 'P7' is not 1-4 or P1-P4")
    screenshot(page, "commercial-performance-upload-rejected")
    assert not axe_violations(page)


def test_an_export_is_mapped_on_its_page_and_shows_what_the_slas_read(page, sign_in, performance_data, tmp_path):
    """A ServiceNow log: its groups are mapped on a page (axe-clean), then the stored upload says what matched."""
    # given a ServiceNow log of two incidents of one group
    from tests.performance.test_uploads import SERVICENOW_LOG

    log = tmp_path / "march.csv"
    log.write_text(SERVICENOW_LOG)
    sign_in(page, "commercial")
    page.goto("/performance/uploads/")
    page.get_by_label("Service-desk file (CSV or ZIP)").set_input_files(str(log))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_test_id("upload-status")).to_have_text("To be mapped")

    # when its desk is mapped to the end-user computing contract
    page.get_by_role("link", name="Map the assignment groups").click()
    screenshot(page, "commercial-performance-upload-mapping")
    assert not axe_violations(page)
    page.get_by_label("Desk (2 tickets): maps to").select_option(label="MPS-DP-T1-005: End User Computing Services")
    page.get_by_role("button", name="Save the mapping and convert").click()

    # then the upload is stored and says which tickets the SLAs read
    expect(page.get_by_test_id("upload-status")).to_have_text("Stored")
    expect(page.get_by_test_id("coverage-summary")).to_contain_text("2 of 4 tickets (50.0%) fall under a contract")
    screenshot(page, "commercial-performance-upload-matched")
    assert not axe_violations(page)


def test_supplier_page_works_without_javascript(no_js_page, sign_in, performance_data):
    """Without JavaScript the charts' figures are still there as tables."""
    sign_in(no_js_page, "commercial")
    no_js_page.goto(f"/performance/suppliers/{kestrel_pk()}/")
    no_js_page.get_by_text("MPS-DP-T1-005: monthly attainment against target as a table").click()
    expect(no_js_page.get_by_role("table", name="MPS-DP-T1-005: monthly attainment against target")).to_be_visible()


def test_a_kpi_is_added_and_the_scorecard_shows_every_kpi_rated(page, sign_in, performance_data):
    """Add a KPI that is not an SLA measure: the scorecard lists it beside the SLA KPIs, each with its rating tag."""
    # given
    sign_in(page, "commercial")
    page.goto(f"/performance/contracts/{contract_pk('MPS-DP-T1-005')}/")

    # when
    page.get_by_role("link", name="Add a KPI").click()
    page.get_by_label("Name").fill("Customer satisfaction at least 4 out of 5")
    page.get_by_role("button", name="Save KPI").click()

    # then
    kpis = page.get_by_test_id("contract-kpis")
    expect(kpis.locator("tbody tr")).to_have_count(5)
    expect(kpis.locator("tbody tr").first).to_contain_text("Priority 1 incidents resolved within 4 hours")
    expect(kpis.locator("tbody tr").first.locator(".govuk-tag")).to_have_text("Inadequate")
    expect(kpis.locator("tbody tr").last.locator(".govuk-tag")).to_have_text("Not rated")
    screenshot(page, "commercial-performance-scorecard-kpis")
    assert not axe_violations(page)
