"""The business case pages in a real browser on the demo programme as at 23 May 2019: the list, the OBC with its
options appraisal and chart, and the director's forms under axe-core (WCAG 2.1 A and AA) with a screenshot of each;
the director's journey from a draft FBC to an appraised short list and a new version; the pages without JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.browser import assert_passes_axe, screenshot, session_give
from tests.programme.pages import programme_on_the_estate_load, programme_site_load

pytestmark = pytest.mark.browser


@pytest.fixture
def programme(demo_estate):
    """The demo estate and decisions (from `demo_estate`), the procurements and the programme's business cases."""
    programme_on_the_estate_load()


def case_pk(reference: str) -> int:
    from pegasus.programme.models import BusinessCase

    return BusinessCase.objects.get(reference=reference).pk


PAGES = [
    ("list", "auditor", "/programme/cases/", None),
    ("obc", "approver", "/programme/cases/{pk}/", "PEG-OBC"),
    ("obc-june", "auditor", "/programme/cases/{pk}/?as_at=2019-06-10", "PEG-OBC"),
    ("fbc", "director", "/programme/cases/{pk}/", "PEG-FBC-1"),
    ("version-form", "director", "/programme/cases/{pk}/edit/", "PEG-FBC-1"),
    ("approve-form", "director", "/programme/cases/{pk}/approve/", "PEG-FBC-1"),
    ("option-form", "director", "/programme/cases/{pk}/options/new/", "PEG-FBC-1"),
]


@pytest.mark.django_db
class TestPagesPassAxe:
    """Every business case page under axe-core, as each role that uses it: the visits only read, so the demo
    programme is committed once for them."""

    site_load = staticmethod(programme_site_load)

    @pytest.mark.parametrize(("name", "role", "path", "reference"), PAGES, ids=[f"{r}-{n}" for n, r, _, _ in PAGES])
    def test_page_passes_axe(self, site_page, name, role, path, reference):
        path = path.format(pk=case_pk(reference)) if reference else path
        assert_passes_axe(session_give(site_page, role), path, f"programme-case-{role}-{name}")


def test_the_obc_reads_as_awaiting_pcd_579_with_its_appraisal(page, sign_in, programme):
    # given
    sign_in(page, "approver")

    # when
    page.goto("/programme/cases/")
    page.get_by_role("link", name="PEG-OBC").click()

    # then
    expect(page.get_by_test_id("case-status")).to_have_text("Awaiting decision")
    expect(page.get_by_test_id("case-decision")).to_contain_text("PCD 579")
    expect(page.get_by_test_id("preferred")).to_contain_text("SIAM with towers")
    expect(page.get_by_test_id("switching")).to_contain_text("for it to match SIAM with towers")
    expect(page.get_by_test_id("long-list")).to_contain_text("Insource everything")
    expect(page.get_by_role("link", name="Edit the five cases")).to_have_count(0)  # an approver only reads


def test_the_director_appraises_a_draft_fbc_and_writes_a_new_version(page, sign_in, programme):
    # given
    sign_in(page, "director")
    page.goto(f"/programme/cases/{case_pk('PEG-FBC-1')}/")

    # when: two options, each with its years
    for name, bau, years in (
        ("Business as usual", True, "0, 1000000, 0\n1, 1035000, 0"),
        ("New towers", False, "0, 1500000, 0\n1, 517500, 1035000"),
    ):
        page.get_by_role("button", name="Add an option").click()
        page.get_by_label("Name").fill(name)
        if bau:
            page.get_by_label("Business as usual").check()
        page.get_by_label("Optimism bias (%)").fill("0")
        page.get_by_role("button", name="Save the option").click()
        page.get_by_role("link", name=f"Years of {name}").click()
        page.get_by_label("Costs and benefits by year").fill(years)
        page.get_by_role("button", name="Save the years").click()

    # then: NPVs -2,000,000 and -1,000,000: the new towers are preferred, business as usual's costs would have to fall
    short_list = page.get_by_test_id("short-list")
    expect(short_list).to_contain_text("-£1,000,000.00")
    expect(page.get_by_test_id("preferred")).to_contain_text("New towers")
    expect(page.get_by_test_id("switching")).to_contain_text(
        "Business as usual's costs would have to fall by £1.0m (50.0%) for it to match New towers"
    )

    # when: the five cases edited
    page.get_by_role("button", name="Edit the five cases").click()
    page.get_by_label("Financial case").fill("Funded from the Digital Policing budget.")
    page.get_by_label("What changed").fill("Financial case written")
    page.get_by_role("button", name="Save as a new version").click()

    # then
    versions = page.get_by_test_id("versions").locator("tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("Financial case written")
    expect(page.locator("#financial + .govuk-body")).to_contain_text("Funded from the Digital Policing budget.")
    screenshot(page, "programme-case-director-journey")


def test_the_case_page_without_javascript_keeps_the_figures(no_js_page, sign_in, programme):
    # given
    sign_in(no_js_page, "auditor")

    # when
    no_js_page.goto(f"/programme/cases/{case_pk('PEG-OBC')}/")

    # then: the chart is hidden, its table and the short list are there
    expect(no_js_page.get_by_test_id("short-list")).to_contain_text("SIAM with towers")
    expect(no_js_page.get_by_text("Net present value of each short-listed option as a table")).to_be_visible()
