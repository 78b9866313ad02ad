"""The estate pages: forms validate on their fields, the dashboard reads as at a date, exports hold the rows."""

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.estate.models import Contract, Organisation, ServiceTower, Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def commercial(signed_in, demo):
    client, user = signed_in(Role.COMMERCIAL_OFFICER)
    return client


def contract_post(**overrides):
    data = {
        "reference": "MPS-DP-NEW-01",
        "title": "Cloud hosting",
        "supplier": Supplier.objects.first().pk,
        "authority": Organisation.objects.get(short_name="MOPAC").pk,
        "tier": 2,
        "status": "active",
        "start_date": "2020-04-01",
        "initial_end_date": "2023-03-31",
        "notice_period_months": 3,
        "renewal_type": "tacit",
        "renewal_period_months": 12,
        "total_value": "3600000.00",
        "annual_value": "1200000.00",
        "vat_basis": "net",
        "classification": "OFFICIAL",
        "share_hosting": "100",
        "option_1_months": "",
        "option_1_state": "available",
        **{f"option_{n}_state": "available" for n in range(2, 5)},
    }
    return {**data, **overrides}


class TestContractForm:
    def test_creates_a_contract_with_a_tacit_renewal(self, commercial):
        response = commercial.post("/contracts/new/", contract_post())
        contract = Contract.objects.get(reference="MPS-DP-NEW-01")
        assert response.status_code == 302 and response.url == f"/contracts/{contract.pk}/"
        assert (contract.renewal_type, contract.renewal_period_months) == ("tacit", 12)
        assert list(contract.tower_shares.values_list("tower__code", flat=True)) == ["hosting"]
        assert AuditEvent.objects.filter(action="contract.create", object_id=str(contract.pk)).exists()

    def test_errors_are_shown_on_the_fields_and_nothing_is_saved(self, commercial):
        response = commercial.post(
            "/contracts/new/",
            contract_post(reference="MPS-DP-T1-001", initial_end_date="2019-01-01", total_value="lots"),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "reference" in errors and "total_value" in errors
        assert "There is a problem" in response.content.decode()
        assert Contract.objects.filter(reference="MPS-DP-T1-001").count() == 1

    def test_shares_that_do_not_add_up_are_refused(self, commercial):
        response = commercial.post("/contracts/new/", contract_post(share_hosting="60", share_euc="30"))
        assert response.status_code == 200
        assert "Tower shares must add up to 100%, not 90%." in response.content.decode()
        assert not Contract.objects.filter(reference="MPS-DP-NEW-01").exists()

    def test_editing_keeps_history(self, commercial):
        contract = Contract.objects.get(reference="MPS-DP-T2-102")
        form = commercial.get(f"/contracts/{contract.pk}/edit/").context["form"]
        data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields)}
        data = {k: ("" if v is None else v) for k, v in data.items()}
        data["title"] = "Managed Print and Scan Service"
        response = commercial.post(f"/contracts/{contract.pk}/edit/", data)
        assert response.status_code == 302, response.context["form"].errors if response.context else ""
        contract.refresh_from_db()
        assert contract.title == "Managed Print and Scan Service"
        assert contract.options.count() == 1
        assert contract.history.count() == 2


class TestSupplierForm:
    def test_a_bad_companies_house_number_is_refused_on_its_field(self, commercial):
        response = commercial.post("/suppliers/new/", {"name": "New Co", "companies_house_number": "12"})
        assert "companies_house_number" in response.context["form"].errors
        assert not Supplier.objects.filter(name="New Co").exists()

    def test_creates_a_supplier(self, commercial):
        response = commercial.post(
            "/suppliers/new/", {"name": "New Co", "companies_house_number": "SC123456", "is_sme": "on"}
        )
        supplier = Supplier.objects.get(name="New Co")
        assert response.url == f"/suppliers/{supplier.pk}/"
        assert supplier.is_sme


class TestExpiryTimeline:
    def test_the_time_axis_begins_before_every_contract_starts(self, commercial):
        # when the dashboard draws the contracts' terms
        spec = commercial.get("/dashboard/?as_at=2019-05-23").context["timeline"].spec

        # then the axis begins by the earliest start (MPS-DP-T1-002's, November 2014) and ends after every end
        bars = spec["layer"][0]
        starts = [row["start"] for row in bars["data"]["values"]]
        ends = [row["end"] for row in bars["data"]["values"]]
        first, last = bars["encoding"]["x"]["scale"]["domain"]
        assert min(starts) == "2014-11-01"
        assert f"{first['year']:04}-{first['month']:02}-{first['date']:02}" <= min(starts)
        assert f"{last['year']:04}-{last['month']:02}-{last['date']:02}" > max(ends)


class TestSupplierList:
    def test_an_illustrative_supplier_is_marked_once(self, commercial):
        # given a fictional supplier whose name says so, and one whose name does not
        Supplier.objects.create(name="Fictional Co", companies_house_number="SC654321", is_illustrative=True)

        # when the list is read
        page = commercial.get("/suppliers/").content.decode()

        # then the name that says it carries no tag as well, and the other one does
        rows = {row.split("</a>")[0].rsplit(">", 1)[1]: row for row in page.split('<tr class="govuk-table__row">')[2:]}
        assert "Illustrative</strong>" not in rows["Kestrel Digital Services Ltd (illustrative)"]
        assert "Illustrative</strong>" in rows["Fictional Co"]


class TestDashboard:
    def test_reads_the_estate_as_at_the_date_given(self, signed_in, demo):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.get("/dashboard/?as_at=2019-05-23")
        summary = response.context["summary"]
        assert (summary.as_at, summary.tier1_contracts, summary.tier1_suppliers) == (date(2019, 5, 23), 6, 4)
        body = response.content.decode()
        assert "£500.0m" in body and "OFFICIAL-SENSITIVE [COMMERCIAL]" in body
        due_soon = [r.contract.reference for r in summary.decisions_due["6"]]
        assert due_soon == ["MPS-DP-T2-102", "MPS-DP-T1-001"]

    def test_a_bad_as_at_date_is_explained(self, signed_in, demo):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.get("/dashboard/?as_at=2019-02-30")
        assert "Enter the as-at date as a real date" in response.content.decode()

    def test_warns_of_decisions_due_within_the_urgency_window(self, signed_in, demo):
        """The Managed Print notice, due 31 May 2019, is 8 days away on 23 May 2019: it is named in a warning."""
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.get("/dashboard/?as_at=2019-05-23")
        urgent = response.context["summary"].decisions_urgent
        assert [(r.contract.reference, r.days_to_decision) for r in urgent] == [("MPS-DP-T2-102", 8)]
        body = response.content.decode()
        warning = re.search(r'<div class="govuk-warning-text"[^>]*data-testid="decisions-urgent".*?</div>', body, re.S)
        assert warning and "MPS-DP-T2-102" in warning.group(0) and "Due in 8 days" in warning.group(0)

    def test_no_warning_when_no_decision_is_due_within_the_window(self, signed_in, demo):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.get("/dashboard/?as_at=2019-05-01")
        assert response.context["summary"].decisions_urgent == []
        assert 'data-testid="decisions-urgent"' not in response.content.decode()


class TestContractList:
    def test_filters_by_tower_and_expiry_window(self, commercial):
        response = commercial.get("/contracts/?tower=euc&as_at=2019-05-23")
        assert [r.contract.reference for r in response.context["rows"]] == ["MPS-DP-T1-005"]
        response = commercial.get("/contracts/?expiring=6&as_at=2019-05-23")
        assert [r.contract.reference for r in response.context["rows"]] == ["MPS-DP-T2-102"]

    def test_flags_a_decision_due_within_the_urgency_window(self, commercial):
        """Only the Managed Print notice (due 31 May 2019) is within 14 days of 23 May 2019."""
        response = commercial.get("/contracts/?as_at=2019-05-23")
        urgent = [r.contract.reference for r in response.context["rows"] if r.decision_urgent]
        assert urgent == ["MPS-DP-T2-102"]
        assert response.content.decode().count("Due in 8 days") == 1

    def test_sorts_by_current_end(self, commercial):
        rows = commercial.get("/contracts/?sort=end&as_at=2019-05-23").context["rows"]
        ends = [r.current_end for r in rows]
        assert ends == sorted(ends) and len(ends) == 9
        rows = commercial.get("/contracts/?sort=value&dir=desc").context["rows"]
        assert rows[0].contract.reference == "MPS-DP-T1-005"

    def test_searches_reference_title_and_supplier(self, commercial):
        rows = commercial.get("/contracts/?q=kestrel").context["rows"]
        assert {r.contract.reference for r in rows} == {"MPS-DP-T1-005", "MPS-DP-T1-006"}

    def test_pages_of_fifty(self, commercial):
        from tests.factories import ContractFactory

        tower = ServiceTower.objects.get(code="euc")
        for _ in range(60):
            ContractFactory(towers=[(tower, 100)])
        first = commercial.get("/contracts/")
        second = commercial.get("/contracts/?page=2")
        assert (len(first.context["rows"]), len(second.context["rows"]), first.context["total"]) == (50, 19, 69)

    def test_csv_export_holds_the_filtered_rows(self, commercial):
        body = commercial.get("/contracts/export.csv?tier=1&as_at=2019-05-23").content.decode()
        rows = list(csv.DictReader(io.StringIO(body)))
        assert len(rows) == 6
        t1_001 = next(r for r in rows if r["Reference"] == "MPS-DP-T1-001")
        assert (t1_001["Current end"], t1_001["Decision due"], t1_001["Total value (£)"]) == (
            "2020-03-31",
            "2019-09-30",
            "58250000.00",
        )

    def test_xlsx_export_opens_and_carries_the_marking(self, commercial):
        response = commercial.get("/contracts/export.xlsx?tier=1")
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet["A1"].value == "OFFICIAL-SENSITIVE [COMMERCIAL]"
        assert [c.value for c in sheet[3]][:3] == ["Reference", "Title", "Supplier"]
        assert sheet.max_row == 3 + 6


class TestQueryParametersAreBounded:
    """A date, number or page out of bounds in a URL gets a form error or a 400 that names it, never a 500."""

    @pytest.mark.parametrize("as_at", ["9999-12-31", "0001-01-01", "2101-01-01"])
    def test_the_dashboard_explains_an_as_at_date_out_of_range(self, signed_in, demo, as_at):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)

        response = client.get(f"/dashboard/?as_at={as_at}")

        assert response.status_code == 200
        assert response.context["as_at_error"] == ("As at: enter a date from 01 January 1990 to 31 December 2100.")
        assert "govuk-error-message" in response.content.decode()

    def test_the_contract_list_explains_an_as_at_date_out_of_range(self, commercial):
        response = commercial.get("/contracts/?as_at=9999-12-31")

        assert response.status_code == 200
        assert "as_at" in response.context["form"].errors
        assert "from 01 January 1990 to 31 December 2100" in response.content.decode()

    @pytest.mark.parametrize(
        "url",
        [
            "/contracts/export.csv?as_at=9999-12-31",
            "/contracts/export.xlsx?as_at=9999-12-31",
            "/contracts/?page=99999999999999999999",
            "/contracts/?page=0",
            "/contracts/?page=abc",
        ],
    )
    def test_a_parameter_out_of_bounds_is_a_400_naming_it(self, commercial, url):
        response = commercial.get(url)

        assert response.status_code == 400
        body = response.content.decode()
        assert ("As at:" in body) or ("Page:" in body)
        assert "There is a problem" in body

    @pytest.mark.parametrize("path", ["/contracts/{id}/?as_at=9999-12-31", "/suppliers/{supplier}/?as_at=0364-01-01"])
    def test_a_page_read_as_at_a_date_out_of_range_is_a_400(self, commercial, path):
        contract = Contract.objects.first()
        response = commercial.get(path.format(id=contract.pk, supplier=contract.supplier_id))

        assert response.status_code == 400
        assert "As at: enter a date from 01 January 1990" in response.content.decode()

    @pytest.mark.parametrize(
        "path",
        [
            "/contracts/99999999999999999999/",
            "/contracts/99999999999999999999/edit/",
            "/suppliers/99999999999999999999/",
            "/suppliers/9223372036854775808/edit/",
        ],
    )
    def test_an_id_no_database_can_hold_is_not_found(self, commercial, path):
        assert commercial.get(path).status_code == 404

    def test_the_whole_range_of_dates_reads(self, commercial):
        for as_at in ("1990-01-01", "2100-12-31"):
            assert commercial.get(f"/contracts/?as_at={as_at}").status_code == 200
            assert commercial.get(f"/contracts/export.csv?as_at={as_at}").status_code == 200


class TestContractFormKeepsTheSharedBounds:
    """The contract form refuses what the services refuse, on the field to change, and saves nothing."""

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"option_1_months": "139031"}, "option_1_months", "Ensure this value is less than or equal to 120."),
            (
                {"start_date": "0364-01-01"},
                "start_date",
                "Start date: enter a date from 01 January 1990 to 31 December 2100.",
            ),
            ({"max_renewals": "3378"}, "max_renewals", "Max renewals: enter a whole number from 0 to 99."),
            ({"title": "Cloud\x1bhosting"}, "title", "Title: remove the control character at position 6."),
            (
                {"total_value": "5000000000000.00"},
                "total_value",
                "Total contract value: enter an amount from £0 to £1,000,000,000,000.",
            ),
        ],
    )
    def test_a_value_out_of_bounds_is_refused_on_its_field(self, commercial, overrides, field, message):
        response = commercial.post("/contracts/new/", contract_post(**overrides))

        assert response.status_code == 200
        assert response.context["form"].errors[field] == [message]
        assert not Contract.objects.filter(reference="MPS-DP-NEW-01").exists()


@pytest.mark.parametrize("page", ["/dashboard/", "/contracts/", "/procurements/"])
@pytest.mark.parametrize("as_at", ["9999-12-31", "0364-01-01"])
def test_every_page_read_as_at_a_date_explains_one_out_of_range(signed_in, demo, page, as_at):
    client, _ = signed_in(Role.COMMERCIAL_OFFICER)

    response = client.get(f"{page}?as_at={as_at}")

    assert response.status_code == 200
    assert "enter a date from 01 January 1990 to 31 December 2100" in response.content.decode()


class TestFavicon:
    """Every page names Pegasus's icon, and /favicon.ico leads to it, so no browser meets a 404 for it."""

    def test_pages_name_the_icon_and_favicon_ico_leads_to_it(self, client):
        # given the sign-in page, which anyone may read
        page = client.get("/sign-in/").content.decode()

        # when a browser asks for the icon the page names, and for /favicon.ico as it does where none is named
        named = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
        icon = client.get(named)
        redirected = client.get("/favicon.ico")

        # then both reach the one SVG icon
        assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"
        assert redirected.status_code == 302 and redirected["Location"] == named
