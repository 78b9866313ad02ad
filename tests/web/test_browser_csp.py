"""The pages work under Pegasus's Content-Security-Policy in a real browser: charts (vega-embed) draw, GOV.UK Frontend
starts, htmx swaps results, forms submit, and the browser reports no CSP violation and no console error."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from pegasus.governance.models import Decision
from tests.browser import wait_for_charts

pytestmark = pytest.mark.browser

# Recorded by the page itself from its first moment (an init script is not subject to the page's CSP).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every console error and CSP violation it reports collected."""
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location['url']})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(LISTEN)

    def problems() -> list[str]:
        return errors + page.evaluate("window.__violations || []")

    page.problems = problems
    return page


def _contract_with_spend() -> str:
    from pegasus.estate.models import Contract

    return f"/contracts/{Contract.objects.filter(spend__isnull=False).order_by('pk').first().pk}/"


def _procurements() -> str:
    from pegasus.procurement.demo import procurements_demo_load

    procurements_demo_load()
    return "/procurements/"


def _scenarios() -> str:
    from pegasus.sourcing.demo import sourcing_demo_load

    sourcing_demo_load()  # optimised, so that the trade-off between price and suppliers is drawn
    return "/scenarios/compare/"


def _supplier_performance() -> str:
    from pegasus.estate.models import Supplier
    from pegasus.performance.demo import performance_demo_load

    performance_demo_load()
    return f"/performance/suppliers/{Supplier.objects.filter(contracts__isnull=False).order_by('pk').first().pk}/"


def _market() -> str:
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from pegasus.publication.models import MarketAward, MarketProcess

    for n, supplier in enumerate(["Acme IT Ltd", "Beta Systems", "Acme IT Ltd"]):
        process = MarketProcess.objects.create(
            ocid=f"ocds-test-{n}",
            title=f"Service desk {n}",
            buyer=f"Borough {n}",
            cpv=["72500000"],
            division="72",
            suppliers=supplier,
            supplier_count=1,
            value=Decimal(1_500_000 * (n + 1)),
            currency="GBP",
            value_kind="awarded",
            start=date(2020 + n, 4, 1),
            end=date(2027, 3, 31),
            stage="award",
            last_release=timezone.now(),
        )
        MarketAward.objects.create(process=process, supplier=supplier)
    return "/market/"


# Each kind of chart Pegasus draws: bars and the expiry timeline, spend against value, the procurement Gantt chart,
# scenarios compared, SLA attainment with service credits, and the market's value by buyer, supplier and year.
CHART_PAGES = {
    "dashboard": lambda: "/dashboard/",
    "contract": _contract_with_spend,
    "procurements": _procurements,
    "scenarios": _scenarios,
    "performance": _supplier_performance,
    "market": _market,
}


@pytest.mark.parametrize("name", sorted(CHART_PAGES))
def test_charts_draw_with_no_violation(name, watched, sign_in):
    # given
    path = CHART_PAGES[name]()
    sign_in(watched, "commercial")

    # when
    watched.goto(path)
    wait_for_charts(watched)
    marks = watched.locator(".pegasus-chart svg g.mark-rect path, .pegasus-chart svg g.mark-symbol path")
    # The tooltip: a handler vega-embed adds, styled by css/charts.css. Hovered on the first mark the pointer can
    # reach: where two series meet at one point, the one drawn first lies under the other.
    for n in range(min(marks.count(), 20)):
        try:
            marks.nth(n).hover(trial=True, timeout=1000)
        except PlaywrightTimeoutError:
            continue
        marks.nth(n).hover()
        break

    # then
    assert watched.locator(".pegasus-chart svg").count() >= 1
    assert "js-enabled" in watched.evaluate("document.body.className")
    if name == "market":
        assert watched.locator(".pegasus-chart svg").count() == 3
    if name in ("procurements", "market"):  # the Gantt chart's bars and the market's have tooltips
        expect(watched.locator("#vg-tooltip-element")).to_be_visible()
    assert watched.problems() == []


def test_forms_htmx_and_govuk_components_work_with_no_violation(watched, sign_in):
    # given a form page with GOV.UK components
    sign_in(watched, "commercial", start="/contracts/")

    # when the filters change, htmx swaps the results in
    watched.get_by_label("Supplier").select_option(index=1)
    expect(watched).to_have_url(re.compile(r"supplier=\d+"))

    # and a form is submitted with errors, shown by the GOV.UK error summary (which GOV.UK Frontend focuses)
    watched.goto("/contracts/new/")
    watched.get_by_role("button", name="Save contract").click()
    expect(watched.locator(".govuk-error-summary")).to_be_focused()

    # then
    assert watched.problems() == []


def test_the_decision_page_details_component_opens_with_no_violation(watched, sign_in):
    # given legal on an approved decision, whose early release form sits in a GOV.UK details component
    decision = Decision.objects.get(reference="PCD 579")
    sign_in(watched, "legal")

    # when
    watched.goto(f"/decisions/{decision.pk}/")
    watched.get_by_text("Release Part 2 early in the public interest").click()

    # then
    expect(watched.get_by_label("Public interest decision")).to_be_visible()
    assert watched.problems() == []


def test_the_api_documentation_draws_with_no_violation(watched, sign_in):
    # given
    sign_in(watched, "commercial")

    # when
    watched.goto("/api/docs")

    # then Swagger UI (django-ninja's own static files) lists the operations
    expect(watched.get_by_text("/api/contracts").first).to_be_visible()
    assert watched.problems() == []
