"""Every page under axe-core (WCAG 2.1 A and AA), for the roles that use it, with a full-page screenshot of each.

The visits only read: the whole demo is committed once for the module and served by a live server of the module's
own. Each role is signed in once, in a browser context of its own that each of its visits opens a page in (signing
in through the form is checked by the sign-in visits here and the journeys); a visit signed in as no one has a
context of its own. The database is emptied when the module ends, as it is after every other browser test.
"""

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect

from pegasus.estate.demo import DEMO_AS_AT, SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Contract, Supplier
from tests.browser import (
    axe_violations,
    committed_site,
    describe,
    filters_applied,
    locked_out,
    new_context,
    screenshot,
    session_cookie,
    wait_for_charts,
)

# Each visit runs in a transaction of its own, rolled back after it: what signing in writes is forgotten.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every domain's demo, committed once, as at the May 2019 meeting, behind a live server of the module's own."""
    from pegasus.estate.demo import demo_load
    from pegasus.evaluation.demo import evaluation_demo_load
    from pegasus.governance.demo import decision_concerns_demo_load, decisions_demo_load
    from pegasus.procurement.demo import procurements_demo_load
    from pegasus.publication.demo import market_demo_load
    from pegasus.sourcing.demo import sourcing_demo_load

    def load():
        demo_load()
        decisions_demo_load()
        procurements_demo_load()
        decision_concerns_demo_load()
        evaluation_demo_load()
        sourcing_demo_load()
        market_demo_load()

    with committed_site(django_db_blocker, tmp_path_factory.mktemp("axe"), load) as server:
        yield server


@pytest.fixture(autouse=True)
def visit_database(site, settings):
    """Each visit reads the module's data; sign-in failures it causes are forgotten after it (on PostgreSQL the live
    server writes them in a connection of its own, outside the test's transaction)."""
    settings.PEGASUS_AS_AT = DEMO_AS_AT
    yield
    from axes.models import AccessAttempt, AccessFailureLog

    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()


@pytest.fixture(scope="module")
def contexts(browser, site, django_db_blocker):
    """A browser context for each role, its session made once with the module's data, so that the scripts and styles
    a role's pages share are fetched once; a visit without a role has a context of its own."""
    with django_db_blocker.unblock():
        cookies = {role: session_cookie(role) for role in ROLES}
    made = {}

    def context_for(role: str, javascript: bool = True):
        if (role, javascript) not in made:
            made[role, javascript] = new_context(browser, site, java_script_enabled=javascript)
            made[role, javascript].add_cookies([cookies[role]])
        return made[role, javascript]

    yield context_for
    for context in made.values():
        context.close()


@pytest.fixture
def open_page(browser, site, contexts):
    """Open a page as the role (None: no one signed in), with or without JavaScript."""
    opened, own = [], []

    def open_as(role: str | None, javascript: bool = True):
        if role is None:
            own.append(new_context(browser, site, java_script_enabled=javascript))
        opened.append((own[-1] if role is None else contexts(role, javascript)).new_page())
        return opened[-1]

    yield open_as
    for page in opened:
        page.close()
    for context in own:
        context.close()


EUC = "End User Computing"


def contract_pk(reference: str) -> int:
    return Contract.objects.get(reference=reference).pk


def kestrel() -> Supplier:
    return Supplier.objects.get(name=SUPPLIERS[SUPPLIER_USER_WORKS_FOR][0])


# --- Accessibility: every page, for the roles that use it ------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """A page as a role sees it: where to go, and what to do there before it is checked."""

    name: str
    role: str | None
    path: str
    steps: tuple = field(default=())
    status: int = 200


def submit_empty(page):
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.locator(".govuk-error-summary").wait_for()


def wrong_password(page):
    page.get_by_label("Username").fill("commercial")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.locator(".govuk-error-summary").wait_for()


def scenario_pk(name: str) -> int:
    from pegasus.sourcing.models import Scenario

    return Scenario.objects.get(name=name).pk


def procurement_pk(reference: str) -> int:
    from pegasus.procurement.models import Procurement

    return Procurement.objects.get(reference=reference).pk


def tender_pk(reference: str, *, lot: bool = False) -> int:
    from pegasus.evaluation.models import Lot, Tender

    if lot:
        return Lot.objects.filter(tender__reference=reference).order_by("number").first().pk
    return Tender.objects.get(reference=reference).pk


def filter_by_tower(page):
    page.get_by_label("Tower").select_option(label=EUC)
    page.get_by_label("Tier").select_option(label="Tier 1")
    filters_applied(page, r"tower=euc")


VISITS = [
    Visit("sign-in", None, "/sign-in/"),
    Visit("sign-in-errors", None, "/sign-in/", (wrong_password,)),
    Visit("sign-in-locked", None, "/sign-in/", (locked_out,)),
    Visit("password-change", "legal", "/account/password/"),
    Visit("password-change-errors", "legal", "/account/password/", (submit_empty,)),
    Visit("dashboard", "commercial", "/dashboard/"),
    Visit("contracts", "commercial", "/contracts/"),
    Visit("contracts-filtered", "commercial", "/contracts/", (filter_by_tower,)),
    Visit("contracts-sorted", "commercial", "/contracts/?sort=end&dir=desc&status=active"),
    Visit("contract-tier1", "commercial", "/contracts/{MPS-DP-T1-002}/"),
    Visit("contract-tier2", "commercial", "/contracts/{MPS-DP-T2-101}/"),
    Visit("contract-new", "commercial", "/contracts/new/"),
    Visit("contract-new-errors", "commercial", "/contracts/new/", (submit_empty,)),
    Visit("contract-edit", "commercial", "/contracts/{MPS-DP-T1-003}/edit/"),
    Visit("suppliers", "commercial", "/suppliers/"),
    Visit("supplier", "commercial", "/suppliers/{kestrel}/"),
    Visit("supplier-new", "commercial", "/suppliers/new/"),
    Visit("supplier-new-errors", "commercial", "/suppliers/new/", (submit_empty,)),
    Visit("supplier-edit", "commercial", "/suppliers/{kestrel}/edit/"),
    Visit("towers", "commercial", "/towers/"),
    Visit("import", "commercial", "/import/"),
    Visit("import-errors", "commercial", "/import/", (submit_empty,)),
    Visit("dashboard", "director", "/dashboard/"),
    Visit("contract-tier1", "director", "/contracts/{MPS-DP-T1-002}/"),
    Visit("import", "finance", "/import/"),
    Visit("audit", "auditor", "/audit/"),
    Visit("audit-filtered", "auditor", "/audit/?action=decision&user=nobody&from=2019-01-01&to=2019-12-31"),
    Visit("decisions", "director", "/decisions/"),
    Visit("decisions-search", "director", "/decisions/?q=PCD&status=approved&type=business-case"),
    Visit("decision", "director", "/decisions/{PCD 579}/"),
    Visit("decision", "evaluator", "/decisions/{PCD 579}/"),
    Visit("decision-draft", "commercial", "/decisions/{PCD 612}/"),
    Visit("decision-edit", "commercial", "/decisions/{PCD 612}/edit/"),
    Visit("decision-new", "commercial", "/decisions/new/"),
    Visit("decision-new-errors", "commercial", "/decisions/new/", (submit_empty,)),
    Visit("decision-submitted", "approver", "/decisions/{PCD 598}/"),
    Visit("release-review", "commercial", "/decisions/release-review/"),
    Visit("decision-concerns", "commercial", "/decisions/{PCD 579}/concerns/"),
    Visit("procurements", "director", "/procurements/"),
    Visit("procurement", "commercial", "/procurements/{PEG-2019-01}/"),
    Visit("procurement-edit", "commercial", "/procurements/{PEG-2020-02}/edit/"),
    Visit("procurement-new-errors", "commercial", "/procurements/new/", (submit_empty,)),
    Visit("scenarios", "commercial", "/scenarios/"),
    Visit("scenario-compare", "director", "/scenarios/compare/"),
    Visit("scenario-optimised", "commercial", "/scenarios/{scenario:Optimised: cheapest with competition kept}/"),
    Visit("scenario-new-errors", "commercial", "/scenarios/new/", (submit_empty,)),
    Visit("scenario-optimise", "director", "/scenarios/optimise/"),
    Visit("market-prices", "commercial", "/scenarios/prices/"),
    Visit("tenders", "commercial", "/tenders/"),
    Visit("tender", "commercial", "/tenders/{tender:PEG-ITT-2019-01}/"),
    Visit("tender", "evaluator", "/tenders/{tender:PEG-ITT-2019-01}/"),
    Visit("tender-declaration", "evaluator", "/tenders/{tender:PEG-ITT-2019-01}/declaration/"),
    Visit("lot-setup", "commercial", "/tenders/lots/{lot:PEG-ITT-2019-01}/setup/"),
    Visit("lot-setup-errors", "commercial", "/tenders/lots/{lot:PEG-ITT-2019-01}/setup/", (submit_empty,)),
    Visit("lot-scoring", "evaluator", "/tenders/lots/{lot:PEG-ITT-2019-01}/scoring/"),
    Visit("lot-moderation", "commercial", "/tenders/lots/{lot:PEG-ITT-2019-01}/moderation/"),
    Visit("lot-results", "director", "/tenders/lots/{lot:PEG-ITT-2019-01}/results/"),
    Visit("lot-award", "commercial", "/tenders/lots/{lot:PEG-ITT-2019-01}/award/"),
    Visit("market", "commercial", "/market/"),
    Visit("market-filtered", "finance", "/market/?ends=ended&sort=value&division=72"),
    Visit("market-import", "commercial", "/market/import/"),
    Visit("market-import-errors", "commercial", "/market/import/", (submit_empty,)),
    Visit("register", None, "/public/decisions/"),
    Visit("register-decision", None, "/public/decisions/{PCD 579}/"),
    Visit("contracts", "supplier", "/contracts/"),
    Visit("contract-tier1", "supplier", "/contracts/{MPS-DP-T1-005}/"),
    Visit("supplier", "supplier", "/suppliers/{kestrel}/"),
    Visit("performance", "commercial", "/performance/"),
    Visit("performance-scorecard", "commercial", "/performance/contracts/{MPS-DP-T1-005}/"),
    Visit("performance-handoffs", "commercial", "/performance/handoffs/"),
    Visit("performance-uploads", "commercial", "/performance/uploads/"),
    Visit("performance-supplier", "supplier", "/performance/suppliers/{kestrel}/"),
    Visit("finance", "finance", "/finance/"),
    Visit("finance", "approver", "/finance/"),
    Visit("finance-import", "finance", "/finance/import/"),
    Visit("finance-import-errors", "finance", "/finance/import/", (submit_empty,)),
    Visit("finance-commitment-new-errors", "commercial", "/finance/commitments/new/", (submit_empty,)),
    Visit("not-found", "commercial", "/no-such-page/", status=404),
    Visit("forbidden", "supplier", "/decisions/", status=403),
]


def resolve(path: str) -> str:
    def lookup(match):
        key = match.group(1)
        if key == "kestrel":
            return str(kestrel().pk)
        if key.startswith(("tender:", "lot:")):
            kind, reference = key.split(":", 1)
            return str(tender_pk(reference, lot=kind == "lot"))
        if key.startswith("PEG-"):
            return str(procurement_pk(key))
        if key.startswith("scenario:"):
            return str(scenario_pk(key.removeprefix("scenario:")))
        if key.startswith("PCD"):
            from pegasus.governance.models import Decision

            return str(Decision.objects.get(reference=key).pk)
        return str(contract_pk(key))

    return re.sub(r"\{([^}]+)\}", lookup, path)


@pytest.mark.parametrize("visit", VISITS, ids=lambda v: f"{v.role or 'anonymous'}-{v.name}")
def test_page_passes_axe(open_page, visit):
    """The page, with any charts drawn and every details element opened, has no WCAG 2.1 A or AA violations."""
    # given
    page = open_page(visit.role)
    response = page.goto(resolve(visit.path))
    assert response.status == visit.status, f"{visit.path} answered {response.status}"
    assert visit.role is None or "/sign-in/" not in page.url, f"{visit.role} was sent to sign in"
    for step in visit.steps:
        step(page)
    wait_for_charts(page)
    screenshot(page, f"{visit.role or 'anonymous'}-{visit.name}")
    # The tables behind the charts are inside details elements: open them so they are checked too.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")

    # when
    violations = axe_violations(page)

    # then
    assert not violations, f"axe found on {visit.path} as {visit.role or 'anonymous'}:\n{describe(violations)}"


NARROW = {"width": 320, "height": 800}  # WCAG 1.4.10 reflow width: wide tables must scroll in their own region
NARROW_VISITS = [
    Visit("dashboard", "commercial", "/dashboard/"),
    Visit("contracts", "commercial", "/contracts/"),
    Visit("contract-tier1", "commercial", "/contracts/{MPS-DP-T1-002}/"),
    Visit("contract-new-errors", "commercial", "/contracts/new/", (submit_empty,)),
    Visit("suppliers", "commercial", "/suppliers/"),
    Visit("towers", "commercial", "/towers/"),
    Visit("audit", "auditor", "/audit/"),
    Visit("market", "commercial", "/market/"),
]
ROLES = sorted({visit.role for visit in VISITS + NARROW_VISITS if visit.role})


@pytest.mark.parametrize("visit", NARROW_VISITS, ids=lambda v: f"{v.role}-{v.name}")
def test_page_on_a_narrow_screen_passes_axe_and_does_not_scroll_sideways(open_page, visit):
    """At 320 CSS pixels the page reflows: only tables scroll sideways, each in a region reachable by keyboard."""
    # given
    page = open_page(visit.role)
    page.set_viewport_size(NARROW)
    page.goto(resolve(visit.path))
    assert "/sign-in/" not in page.url, f"{visit.role} was sent to sign in"
    for step in visit.steps:
        step(page)
    wait_for_charts(page)
    screenshot(page, f"narrow-{visit.role}-{visit.name}")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")

    # when
    violations = axe_violations(page)
    page_width = page.evaluate("document.documentElement.scrollWidth")

    # then
    assert not violations, f"axe found on {visit.path} at 320px:\n{describe(violations)}"
    assert page_width <= NARROW["width"]


# --- Without JavaScript ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, path",
    [
        ("commercial", "/dashboard/"),
        ("commercial", "/contracts/{MPS-DP-T1-002}/"),
        ("commercial", "/contracts/new/"),
        ("commercial", "/suppliers/"),
        ("commercial", "/towers/"),
        ("commercial", "/import/"),
        ("auditor", "/audit/"),
    ],
)
def test_page_reads_without_javascript(open_page, role, path):
    """Each page draws its heading and content, and any chart's figures, without JavaScript."""
    # given
    page = open_page(role, javascript=False)

    # when
    response = page.goto(resolve(path))

    # then
    assert response.status == 200
    assert "/sign-in/" not in page.url, f"{role} was sent to sign in"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for chart in page.locator(".pegasus-chart").all():
        expect(chart).to_be_hidden()  # nothing draws it, so it takes no space
        assert chart.locator("xpath=..").locator("details table tbody tr").count() > 0
    screenshot(page, f"no-js-{role}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}")
