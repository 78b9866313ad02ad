"""The milestones and exit pages in a real browser, on the demo as at 23 May 2019: each page as a reader and the
director under axe-core (WCAG 2.1 A and AA) with a screenshot, recording a stage's actual start completes its
milestone, and marking an exit task done raises the plan's readiness."""

from datetime import date

import pytest
from playwright.sync_api import expect

from pegasus.programme.models import ExitPlan, ExitTask, Milestone
from tests.browser import assert_passes_axe, screenshot, session_give
from tests.programme.pages import programme_on_the_estate_load, programme_site_load

pytestmark = pytest.mark.browser


@pytest.fixture
def programme(demo_estate):
    programme_on_the_estate_load()


def _paths() -> dict[str, str]:
    plan = ExitPlan.objects.get(contract__reference="MPS-DP-T1-001")
    task = plan.tasks.filter(state=ExitTask.State.NOT_STARTED).order_by("pk").first()
    market = Milestone.objects.get(name__startswith="Go to market")
    return {
        "milestones": "/programme/milestones/",
        "milestone-edit": f"/programme/milestones/{market.pk}/",
        "tolerance": "/programme/milestones/tolerance/",
        "exits": "/programme/exits/",
        "exit": f"/programme/exits/{plan.pk}/",
        "task-new": f"/programme/exits/{plan.pk}/tasks/new/",
        "task-state": f"/programme/exits/{plan.pk}/tasks/{task.pk}/state/",
        "stage-actuals": f"/procurements/{market.stage.procurement_id}/stages/{market.stage_id}/actuals/",
    }


PAGES = [
    ("milestones", "auditor"),
    ("milestones", "director"),
    ("milestone-edit", "director"),
    ("tolerance", "director"),
    ("exits", "finance"),
    ("exit", "director"),
    ("task-new", "director"),
    ("task-state", "director"),
    ("stage-actuals", "commercial"),
]


@pytest.mark.django_db
class TestPagesPassAxe:
    """Every milestone and exit page under axe-core, as each role that uses it: the visits only read, so the demo
    programme is committed once for them."""

    site_load = staticmethod(programme_site_load)

    @pytest.mark.parametrize(("name", "role"), PAGES, ids=[f"{r}-{n}" for n, r in PAGES])
    def test_page_passes_axe(self, site_page, name, role):
        assert_passes_axe(session_give(site_page, role), _paths()[name], f"programme-{role}-{name}")


def test_recording_a_stage_start_completes_its_milestone(page, sign_in, programme, settings):
    # given: the notice went out on 4 September 2019, read at the end of that month
    settings.PEGASUS_AS_AT = date(2019, 9, 30)
    sign_in(page, "director")
    page.goto(_paths()["stage-actuals"])

    # when
    page.get_by_label("Actually started").fill("2019-09-04")
    page.get_by_role("button", name="Save actual dates").click()
    page.goto("/programme/milestones/")

    # then
    row = page.get_by_test_id("milestone-row").filter(has_text="Go to market")
    expect(row.get_by_test_id("rag")).to_have_text("Complete")
    expect(row).to_contain_text("4 Sep 2019")
    screenshot(page, "programme-director-milestone-complete")


def test_marking_an_exit_task_done_raises_readiness(page, sign_in, programme):
    # given: two of nine SIAM tasks done by 23 May 2019
    sign_in(page, "director")
    page.goto(_paths()["exit"])
    expect(page.get_by_test_id("readiness")).to_contain_text("22.2%")

    # when
    page.goto(_paths()["task-state"])
    page.get_by_label("State").select_option("done")
    page.get_by_label("Day it was done").fill("2019-05-22")
    page.get_by_role("button", name="Save state").click()

    # then
    expect(page.get_by_test_id("readiness")).to_contain_text("33.3%")
    expect(page.get_by_test_id("readiness")).to_contain_text("3 of 9 tasks done")
    screenshot(page, "programme-director-exit-task-done")
