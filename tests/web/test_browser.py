"""Pegasus in a real browser: the main journeys, every page under axe-core (WCAG 2.1 A and AA) for several roles with
a full-page screenshot of each, and the contract list used with JavaScript turned off."""

import re
from dataclasses import dataclass, field

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from pegasus.estate import terms
from pegasus.estate.demo import DEMO_AS_AT, DEMO_PASSWORD, SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Contract, Supplier
from tests.browser import axe_violations, describe, screenshot, wait_for_charts

pytestmark = pytest.mark.browser

SENSITIVE = "OFFICIAL-SENSITIVE [COMMERCIAL]"
EUC = "End User Computing"


# --- Helpers ---------------------------------------------------------------------------------------------------


def listed_references(page) -> list[str]:
    return page.locator("[data-testid=contract-table] tbody tr td:first-child a").all_inner_texts()


def result_count(page) -> int:
    return int(page.get_by_test_id("result-count").locator("strong").inner_text())


def contract_pk(reference: str) -> int:
    return Contract.objects.get(reference=reference).pk


def kestrel() -> Supplier:
    return Supplier.objects.get(name=SUPPLIERS[SUPPLIER_USER_WORKS_FOR][0])


# --- Journeys --------------------------------------------------------------------------------------------------


class TestCommercialOfficerJourney:
    def test_filters_opens_and_exports_contracts_of_a_tower(self, page, sign_in, tmp_path):
        """Sign in, filter the list by a tower, open a contract, come back and export the filtered list to Excel."""
        # given
        euc_references = sorted(
            Contract.objects.filter(tower_shares__tower__name=EUC).values_list("reference", flat=True)
        )
        everything = Contract.objects.count()
        sign_in(page, "commercial")
        assert page.get_by_role("heading", level=1).inner_text().startswith("ICT estate as at 23 May 2019")

        # when the whole list is opened
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Contracts").click()
        # then
        assert result_count(page) == everything
        assert len(listed_references(page)) == everything

        # when filtered by a tower
        page.get_by_label("Tower").select_option(label=EUC)
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(re.compile(r"tower=euc"))
        # then
        assert 0 < result_count(page) < everything
        assert result_count(page) == len(euc_references)
        assert listed_references(page) == euc_references
        assert page.get_by_label("Tower").input_value() == "euc"

        # when a contract is opened
        contract = Contract.objects.get(reference=euc_references[0])
        page.get_by_role("link", name=contract.reference, exact=True).click()
        # then its current end is the one the term rules give as at the demo date
        expected_end = terms.current_end(contract.terms(), DEMO_AS_AT)
        expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(contract.title)
        expect(page.get_by_test_id("current-end")).to_contain_text(f"{expected_end:%-d %B %Y} (")

        # when the reader goes back and exports to Excel
        page.go_back()
        assert listed_references(page) == euc_references
        with page.expect_download() as download_info:
            page.get_by_test_id("export-xlsx").click()
        saved = tmp_path / download_info.value.suggested_filename
        download_info.value.save_as(saved)

        # then the workbook holds the filtered rows under the page's marking
        assert saved.name == f"pegasus-contracts-as-at-{DEMO_AS_AT.isoformat()}.xlsx"
        sheet = load_workbook(saved).active
        assert sheet["A1"].value == SENSITIVE == page.get_by_test_id("classification").inner_text()
        assert sheet["A3"].value == "Reference"
        assert [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)] == euc_references

    def test_supplier_user_sees_only_its_own_contracts(self, page, sign_in):
        """A supplier user sent to sign in from the contract list sees its own supplier's contracts and no others."""
        # given
        own = kestrel()
        own_references = sorted(own.contracts.values_list("reference", flat=True))
        other = Contract.objects.exclude(supplier=own).order_by("reference").first()

        # when
        sign_in(page, "supplier", start="/contracts/")

        # then
        assert page.url.endswith("/contracts/")
        assert listed_references(page) == own_references
        assert result_count(page) == len(own_references)
        assert set(page.locator("[data-testid=contract-table] tbody tr td:nth-child(3)").all_inner_texts()) == {
            own.name
        }
        supplier_choices = page.get_by_label("Supplier").locator("option").all_inner_texts()
        assert supplier_choices == ["Any supplier", own.name]
        assert page.get_by_role("button", name="Add a contract").count() == 0

        # when another supplier's contract is asked for by its address
        response = page.goto(f"/contracts/{other.pk}/")
        # then it is answered as if it did not exist
        assert response.status == 404

    @pytest.mark.parametrize("username, landing", [("commercial", "/dashboard/"), ("supplier", "/contracts/")])
    def test_signing_in_lands_on_a_page_the_role_may_see(self, page, sign_in, username, landing):
        """Signing in from the sign-in page itself goes to the dashboard, or for a supplier user to its contracts."""
        # when
        sign_in(page, username)

        # then
        expect(page).to_have_url(re.compile(f"{landing}$"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    def test_contract_form_shows_errors_then_creates_the_contract(self, page, sign_in):
        """An incomplete contract is refused with the GOV.UK error summary and field errors; a complete one is saved."""
        # given
        sign_in(page, "commercial", start="/contracts/")
        page.get_by_role("button", name="Add a contract").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add a contract")

        # when submitted without the required facts
        page.get_by_role("button", name="Save contract").click()

        # then
        summary = page.locator(".govuk-error-summary")
        expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
        expect(page).to_have_title(re.compile(r"^Error: Add a contract"))
        for name in ("reference", "title", "supplier", "start_date", "total_value"):
            expect(summary.locator(f'a[href="#id_{name}"]')).to_have_count(1)
            expect(page.locator(f"#id_{name}-error")).to_be_visible()
            expect(page.locator(f"#id_{name}")).to_have_attribute("aria-describedby", re.compile(f"id_{name}-error"))
        # the summary's links take the reader to the field
        summary.locator('a[href="#id_reference"]').click()
        expect(page.locator("#id_reference")).to_be_focused()
        assert Contract.objects.filter(reference="MPS-DP-T2-900").count() == 0

        # when completed and submitted again
        page.get_by_label("Reference").fill("MPS-DP-T2-900")
        page.get_by_label("Title").fill("Service Desk Tooling")
        page.get_by_label("Supplier", exact=True).select_option(label=SUPPLIERS[6][0])
        page.get_by_label("Authority").select_option(index=1)
        page.get_by_label("Start date").fill("2019-06-01")
        page.get_by_label("End of initial term").fill("2022-05-31")
        page.get_by_label("Total contract value").fill("3000000")
        page.get_by_label("Annual value").fill("1000000")
        page.get_by_label(f"{EUC} share (%)").fill("100")
        page.get_by_role("button", name="Save contract").click()

        # then
        expect(page).to_have_url(re.compile(r"/contracts/\d+/$"))
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Contract MPS-DP-T2-900 created")
        expect(page.get_by_role("heading", level=1)).to_have_text("Service Desk Tooling")
        created = Contract.objects.get(reference="MPS-DP-T2-900")
        assert created.supplier.name == SUPPLIERS[6][0]
        assert [(s.tower.name, s.share_percent) for s in created.tower_shares.all()] == [(EUC, 100)]
        expect(page.get_by_test_id("current-end")).to_contain_text("31 May 2022 (")


class TestAccountJourney:
    def test_changing_ones_password_signs_out_other_browsers_and_not_this_one(
        self, page, sign_in, browser, live_server
    ):
        """The header's link leads to the form; afterwards this browser carries on and another one is signed out."""
        # given: the same person signed in on a second browser
        other = browser.new_context(base_url=live_server.url)
        sign_in(other.new_page(), "legal")
        sign_in(page, "legal")

        # when
        page.get_by_role("link", name="Change password").click()
        page.get_by_label("Old password").fill(DEMO_PASSWORD)
        page.get_by_label("New password", exact=True).fill("a-new-long-passphrase-47")
        page.get_by_label("New password confirmation").fill("a-new-long-passphrase-47")
        page.get_by_role("button", name="Change password").click()

        # then
        expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
        assert page.goto("/decisions/").status == 200 and "/sign-in/" not in page.url
        elsewhere = other.pages[0]
        elsewhere.goto("/decisions/")
        assert "/sign-in/" in elsewhere.url
        other.close()

    def test_too_many_failures_show_when_to_try_again(self, page):
        """After five wrong passwords the sign-in page gives way to one that says when to try again."""
        page.goto("/sign-in/")
        locked_out(page)
        expect(page.get_by_text(re.compile(r"Try again after \d"))).to_be_visible()


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


def locked_out(page):
    for _ in range(5):
        page.get_by_label("Username").fill("commercial")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="You cannot sign in yet").wait_for()


def demo_scenarios(page):
    """The scenario pages need the sourcing demo: market prices and the three scenarios, the optimised one solved."""
    from pegasus.sourcing.demo import sourcing_demo_load

    sourcing_demo_load()
    page.reload()


def scenario_pk(name: str) -> int:
    from pegasus.sourcing.demo import sourcing_demo_load
    from pegasus.sourcing.models import Scenario

    sourcing_demo_load()
    return Scenario.objects.get(name=name).pk


def demo_procurements(page):
    """The browser fixture loads the estate and decisions; the procurement pages need the programme's too."""
    from pegasus.procurement.demo import procurements_demo_load

    procurements_demo_load()
    page.reload()


def procurement_pk(reference: str) -> int:
    from pegasus.procurement.demo import procurements_demo_load
    from pegasus.procurement.models import Procurement

    procurements_demo_load()
    return Procurement.objects.get(reference=reference).pk


def demo_tender(page):
    """The evaluation pages need the illustrative SIAM tender, part-way through moderation."""
    from pegasus.evaluation.demo import evaluation_demo_load

    evaluation_demo_load()
    page.reload()


def tender_pk(reference: str, *, lot: bool = False) -> int:
    from pegasus.evaluation.demo import evaluation_demo_load
    from pegasus.evaluation.models import Lot, Tender

    evaluation_demo_load()
    if lot:
        return Lot.objects.filter(tender__reference=reference).order_by("number").first().pk
    return Tender.objects.get(reference=reference).pk


def demo_market(page):
    """The market view reads the published Contracts Finder data where the machine holds it (else it is empty)."""
    from pegasus.publication.demo import market_demo_load

    market_demo_load()
    page.reload()


def filter_by_tower(page):
    page.get_by_label("Tower").select_option(label=EUC)
    page.get_by_label("Tier").select_option(label="Tier 1")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"tower=euc"))


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
    Visit("procurements", "director", "/procurements/", (demo_procurements,)),
    Visit("procurement", "commercial", "/procurements/{PEG-2019-01}/"),
    Visit("procurement-edit", "commercial", "/procurements/{PEG-2020-02}/edit/"),
    Visit("procurement-new-errors", "commercial", "/procurements/new/", (submit_empty,)),
    Visit("scenarios", "commercial", "/scenarios/", (demo_scenarios,)),
    Visit("scenario-compare", "director", "/scenarios/compare/", (demo_scenarios,)),
    Visit("scenario-optimised", "commercial", "/scenarios/{scenario:Optimised: cheapest with competition kept}/"),
    Visit("scenario-new-errors", "commercial", "/scenarios/new/", (demo_scenarios, submit_empty)),
    Visit("scenario-optimise", "director", "/scenarios/optimise/"),
    Visit("market-prices", "commercial", "/scenarios/prices/", (demo_scenarios,)),
    Visit("tenders", "commercial", "/tenders/", (demo_tender,)),
    Visit("tender", "commercial", "/tenders/{tender:PEG-ITT-2019-01}/"),
    Visit("tender", "evaluator", "/tenders/{tender:PEG-ITT-2019-01}/"),
    Visit("tender-declaration", "evaluator", "/tenders/{tender:PEG-ITT-2019-01}/declaration/"),
    Visit("lot-setup", "commercial", "/tenders/lots/{lot:PEG-ITT-2019-01}/setup/"),
    Visit("lot-setup-errors", "commercial", "/tenders/lots/{lot:PEG-ITT-2019-01}/setup/", (submit_empty,)),
    Visit("lot-scoring", "evaluator", "/tenders/lots/{lot:PEG-ITT-2019-01}/scoring/"),
    Visit("lot-moderation", "commercial", "/tenders/lots/{lot:PEG-ITT-2019-01}/moderation/"),
    Visit("lot-results", "director", "/tenders/lots/{lot:PEG-ITT-2019-01}/results/"),
    Visit("lot-award", "commercial", "/tenders/lots/{lot:PEG-ITT-2019-01}/award/"),
    Visit("market", "commercial", "/market/", (demo_market,)),
    Visit("market-filtered", "finance", "/market/?ends=ended&sort=value&division=72", (demo_market,)),
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
def test_page_passes_axe(page, sign_in, visit):
    """The page, with any charts drawn and every details element opened, has no WCAG 2.1 A or AA violations."""
    # given
    if visit.role:
        sign_in(page, visit.role)
    response = page.goto(resolve(visit.path))
    assert response.status == visit.status, f"{visit.path} answered {response.status}"
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
    Visit("market", "commercial", "/market/", (demo_market,)),
]


@pytest.mark.parametrize("visit", NARROW_VISITS, ids=lambda v: f"{v.role}-{v.name}")
def test_page_on_a_narrow_screen_passes_axe_and_does_not_scroll_sideways(page, sign_in, visit):
    """At 320 CSS pixels the page reflows: only tables scroll sideways, each in a region reachable by keyboard."""
    # given
    page.set_viewport_size(NARROW)
    sign_in(page, visit.role)
    page.goto(resolve(visit.path))
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


def test_contract_list_filters_and_opens_without_javascript(no_js_page, sign_in):
    """Signing in, filtering the list and opening a contract all work with JavaScript turned off."""
    # given
    page = no_js_page
    euc_references = sorted(Contract.objects.filter(tower_shares__tower__name=EUC).values_list("reference", flat=True))
    sign_in(page, "commercial", start="/contracts/")
    everything = result_count(page)

    # when
    page.get_by_label("Tower").select_option(label=EUC)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"tower=euc"))

    # then
    assert result_count(page) == len(euc_references) < everything
    assert listed_references(page) == euc_references

    # when
    page.get_by_role("link", name=euc_references[0], exact=True).click()

    # then the figures of the spend chart are there as a table
    expect(page.get_by_test_id("current-end")).to_be_visible()
    page.get_by_text("Spend against total contract value (red line) as a table").click()
    expect(page.locator(".pegasus-chart + script + details table tbody tr").first).to_be_visible()


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
def test_page_reads_without_javascript(no_js_page, sign_in, role, path):
    """Each page draws its heading and content, and any chart's figures, without JavaScript."""
    # given
    page = no_js_page
    sign_in(page, role)

    # when
    response = page.goto(resolve(path))

    # then
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for chart in page.locator(".pegasus-chart").all():
        expect(chart).to_be_hidden()  # nothing draws it, so it takes no space
        assert chart.locator("xpath=..").locator("details table tbody tr").count() > 0
    screenshot(page, f"no-js-{role}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}")


class TestProcurementPipelineJourney:
    def test_reads_the_gantt_and_lengthens_a_stage(self, page, sign_in):
        """Open the pipeline from the menu, see the programme's procurements charted, open one, lengthen its
        evaluation and find its dates moved."""
        # given the programme's procurements
        procurement_pk("PEG-2019-01")
        sign_in(page, "commercial")

        # when the pipeline is opened from the menu
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Procurements").click()
        wait_for_charts(page)
        # then both procurements are listed and charted
        table = page.get_by_test_id("pipeline")
        expect(table).to_contain_text("PEG-2019-01")
        expect(table).to_contain_text("PEG-2020-02")
        expect(page.locator("#pipeline-gantt svg").first).to_be_attached()
        screenshot(page, "procurement-pipeline-gantt")

        # when one is opened and its evaluation lengthened by 10 days
        page.get_by_role("link", name="PEG-2019-01").click()
        stages = page.get_by_test_id("stages")
        before = stages.get_by_role("row").filter(has_text="Governance approval").inner_text()
        page.get_by_role("link", name="Change evaluation and moderation duration").click()
        page.get_by_label("Evaluation duration (days)").fill("40")
        page.get_by_role("button", name="Save duration").click()

        # then the stages after it are planned later
        evaluation = page.get_by_test_id("stages").get_by_role("row").filter(has_text="Evaluation and moderation")
        expect(evaluation.get_by_role("cell").first).to_have_text(re.compile(r"^\s*40\s*calendar\s*$"))
        after = page.get_by_test_id("stages").get_by_role("row").filter(has_text="Governance approval").inner_text()
        assert after != before
