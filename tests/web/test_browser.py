"""Pegasus in a real browser: the main journeys, every page under axe-core (WCAG 2.1 A and AA) for several roles with
a full-page screenshot of each, and the contract list used with JavaScript turned off."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from pegasus.estate import terms
from pegasus.estate.demo import DEMO_AS_AT, DEMO_PASSWORD, SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Contract, Supplier
from tests.browser import filters_applied, locked_out, screenshot, wait_for_charts

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
        sign_in(page, "commercial", form=True)
        assert page.get_by_role("heading", level=1).inner_text().startswith("ICT estate as at 23 May 2019")

        # when the whole list is opened
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Contracts").click()
        # then
        assert result_count(page) == everything
        assert len(listed_references(page)) == everything

        # when filtered by a tower
        page.get_by_label("Tower").select_option(label=EUC)
        filters_applied(page, r"tower=euc")
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
        sign_in(page, username, form=True)

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
        sign_in(other.new_page(), "legal", form=True)
        sign_in(page, "legal", form=True)

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
    filters_applied(page, r"tower=euc")

    # then
    assert result_count(page) == len(euc_references) < everything
    assert listed_references(page) == euc_references

    # when
    page.get_by_role("link", name=euc_references[0], exact=True).click()

    # then the figures of the spend chart are there as a table
    expect(page.get_by_test_id("current-end")).to_be_visible()
    page.get_by_text("Spend against total contract value (red line) as a table").click()
    expect(page.locator(".pegasus-chart + script + details table tbody tr").first).to_be_visible()


class TestProcurementPipelineJourney:
    def test_reads_the_gantt_and_lengthens_a_stage(self, page, sign_in):
        """Open the pipeline from the menu, see the programme's procurements charted, open one, lengthen its
        evaluation and find its dates moved."""
        # given the programme's procurements
        from pegasus.procurement.demo import procurements_demo_load

        procurements_demo_load()
        sign_in(page, "commercial", form=True)

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
