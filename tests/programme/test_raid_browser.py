"""The RAID log in a real browser, on the demo's log: the log, an item, the forms and the import under axe-core (WCAG
2.1 A and AA) with a screenshot of each, and the director's main journey: raise a risk scoring 15 and find it on the
dashboard."""

import pytest
from playwright.sync_api import expect

from pegasus.programme.models import RaidItem
from tests.browser import assert_passes_axe, screenshot, session_give
from tests.programme.pages import programme_on_the_estate_load, programme_site_load

pytestmark = pytest.mark.browser


@pytest.fixture
def raid_log(demo_estate):
    programme_on_the_estate_load()
    return {i.reference: i.pk for i in RaidItem.objects.all()}


PAGES = [
    ("list", "director", "/programme/raid/"),
    ("list", "auditor", "/programme/raid/?kind=risk&band=very-high"),
    ("list-bad-date", "auditor", "/programme/raid/?as_at=2019-02-30"),
    ("detail", "approver", "/programme/raid/{R-003}/"),
    ("detail-issue", "director", "/programme/raid/{I-002}/"),
    ("new", "director", "/programme/raid/new/"),
    ("edit", "director", "/programme/raid/{R-001}/edit/"),
    ("close", "director", "/programme/raid/{I-001}/close/"),
    ("mitigation-new", "director", "/programme/raid/{R-001}/mitigations/new/"),
    ("import", "director", "/programme/raid/import/"),
]


@pytest.mark.django_db
class TestPagesPassAxe:
    """Every RAID page under axe-core, as each role that uses it: the visits only read, so the demo programme is
    committed once for them."""

    site_load = staticmethod(programme_site_load)

    @pytest.mark.parametrize(("name", "role", "path"), PAGES, ids=[f"{r}-{n}" for n, r, _ in PAGES])
    def test_page_passes_axe(self, site_page, name, role, path):
        items = {i.reference: i.pk for i in RaidItem.objects.all()}
        assert_passes_axe(session_give(site_page, role), path.format_map(items), f"raid-{role}-{name}")


def test_the_director_raises_a_risk_that_goes_to_the_dashboard(page, sign_in, raid_log):
    # given
    sign_in(page, "director")
    page.goto("/programme/raid/")

    # when
    page.get_by_role("button", name="Raise an item").click()
    page.get_by_label("Kind").select_option("risk")
    page.get_by_label("Title").fill("Evaluation panel not available in September")
    page.get_by_label("Owner").fill("Head of Commercial")
    page.get_by_label("Date raised").fill("2019-05-20")
    page.get_by_label("Cause").fill("Evaluators are also running today's services.")
    page.get_by_label("Event").fill("Evaluators cannot be released when tenders come back.")
    page.get_by_label("Effect").fill("Evaluation and award slip.")
    page.get_by_label("Inherent probability").select_option("3")
    page.get_by_label("Inherent impact").select_option("5")
    page.get_by_role("button", name="Raise it").click()

    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation panel not available in September")
    expect(page.get_by_text("Escalated to the programme board", exact=True)).to_be_visible()
    page.goto("/dashboard/")
    panel = page.get_by_test_id("programme-escalated")
    expect(panel).to_contain_text("Evaluation panel not available in September")
    expect(panel).to_contain_text("R-007")
    screenshot(page, "raid-director-dashboard")
