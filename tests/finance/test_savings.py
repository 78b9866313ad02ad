"""Savings: what a contract that replaces others saves in a financial year, by tower and in total, beside the
estate's run rate and the chosen scenario's modelled cost; the command, the page and the procurement's award."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from pegasus.core.roles import Role
from pegasus.estate import selectors as estate_selectors
from pegasus.finance import rules, selectors
from pegasus.procurement import services as procurement_services
from pegasus.procurement.models import Procurement
from tests.commands import pegasus, pegasus_process
from tests.factories import ContractFactory, TacitRenewalContractFactory, TowerFactory

PAGE = "/finance/savings/"


def far(day: date):
    return lambda _: day


class TestMonthsInService:
    """A month counts when the contract is in service on its first day."""

    def test_a_contract_running_all_year_is_in_service_twelve_months(self):
        assert rules.months_in_service(2021, date(2020, 10, 1), far(date(2025, 9, 30))) == 12

    def test_a_contract_starting_on_the_first_counts_that_month(self):
        assert rules.months_in_service(2020, date(2020, 10, 1), far(date(2025, 9, 30))) == 6

    def test_a_contract_starting_mid_month_counts_from_the_next(self):
        assert rules.months_in_service(2020, date(2020, 10, 2), far(date(2025, 9, 30))) == 5

    def test_a_contract_ending_mid_month_counts_that_month(self):
        assert rules.months_in_service(2021, date(2020, 1, 1), far(date(2021, 6, 15))) == 3

    def test_a_contract_ending_the_day_before_a_month_does_not_count_it(self):
        assert rules.months_in_service(2021, date(2020, 1, 1), far(date(2021, 6, 30))) == 3

    def test_a_contract_outside_the_year_counts_nothing(self):
        assert rules.months_in_service(2019, date(2020, 10, 1), far(date(2025, 9, 30))) == 0
        assert rules.months_in_service(2026, date(2020, 10, 1), far(date(2025, 9, 30))) == 0

    def test_the_end_is_read_as_at_each_month(self):
        """A tacit renewal that takes effect during the year counts from the month it has taken effect."""

        def end(day: date) -> date:
            return date(2022, 3, 31) if day >= date(2021, 7, 1) else date(2021, 9, 30)

        assert rules.months_in_service(2021, date(2019, 4, 1), end) == 12

    @given(
        year=st.integers(2000, 2040),
        start=st.dates(date(1999, 1, 1), date(2042, 1, 1)),
        days=st.integers(0, 5000),
    )
    def test_is_the_count_of_first_days_between_start_and_end(self, year, start, days):
        end = date.fromordinal(start.toordinal() + days)
        months = rules.months_in_service(year, start, far(end))
        assert months == sum(1 for m in rules.year_months(year) if start <= m <= end)
        assert 0 <= months <= 12


class TestSaving:
    def test_is_the_difference_in_annual_value_for_the_months_in_service(self):
        assert rules.saving(Decimal("82000000.00"), Decimal("70000000.00"), 6) == Decimal("6000000.00")

    def test_rounds_to_the_penny_half_up(self):
        assert rules.saving(Decimal("100.00"), Decimal("0.00"), 1) == Decimal("8.33")
        assert rules.saving(Decimal("0.06"), Decimal("0.00"), 2) == Decimal("0.01")

    def test_is_negative_when_the_new_contract_costs_more(self):
        assert rules.saving(Decimal("1000.00"), Decimal("1200.00"), 12) == Decimal("-200.00")

    def test_refuses_more_months_than_a_year_has(self):
        with pytest.raises(rules.FinanceInputError, match="months_in_service"):
            rules.saving(Decimal("1"), Decimal("0"), 13)


class TestSplitByShares:
    def test_splits_by_share_with_the_pennies_adding_up(self):
        parts = rules.split_by_shares(
            Decimal("100.00"), [("a", Decimal("33.33")), ("b", Decimal("33.33")), ("c", Decimal("33.34"))]
        )
        assert parts == [("a", Decimal("33.33")), ("b", Decimal("33.33")), ("c", Decimal("33.34"))]

    def test_what_shares_short_of_100_percent_leave_is_against_no_tower(self):
        assert rules.split_by_shares(Decimal("100.00"), [("a", Decimal("60"))]) == [
            ("a", Decimal("60.00")),
            (None, Decimal("40.00")),
        ]

    def test_no_shares_puts_it_all_against_no_tower(self):
        assert rules.split_by_shares(Decimal("5.00"), []) == [(None, Decimal("5.00"))]

    @given(
        amount=st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
        shares=st.lists(st.integers(1, 10000), min_size=1, max_size=8),
    )
    def test_the_parts_add_up_to_the_penny_and_each_is_within_a_penny_of_its_share(self, amount, shares):
        named = [(f"t{i}", Decimal(s) / 100) for i, s in enumerate(shares)]
        parts = rules.split_by_shares(amount, named)
        assert sum((p for _, p in parts), Decimal(0)) == amount
        scale = max(sum((s for _, s in named), Decimal(0)), Decimal(100))
        for (tower, share), (name, part) in zip(named, parts, strict=False):
            assert name == tower
            assert abs(part - amount * share / scale) < Decimal("0.01") + Decimal("1e-9")


@pytest.fixture
def towers(db):
    return TowerFactory(code="networks", name="Networks"), TowerFactory(code="telephony", name="Telephony")


@pytest.fixture
def award(db, towers):
    """Two contracts (£1.2m and £0.6m a year) replaced from 1 October 2020 by one at £1.2m a year, 75% networks."""
    networks, telephony = towers

    def make(*, old_values=("1200000.00", "600000.00"), new_value="1200000.00", vat="net", reference="P-1"):
        old = [
            ContractFactory(
                reference=f"{reference}-OLD-{n}",
                annual_value=Decimal(value),
                vat_basis=vat,
                initial_end_date=date(2020, 9, 30),
            )
            for n, value in enumerate(old_values, start=1)
        ]
        new = ContractFactory(
            reference=f"{reference}-NEW",
            title="The new contract",
            start_date=date(2020, 10, 1),
            initial_end_date=date(2025, 9, 30),
            annual_value=Decimal(new_value),
            status="planned",
            towers=[(networks, Decimal("75")), (telephony, Decimal("25"))],
        )
        procurement = procurement_services.procurement_create(
            contracts=old,
            by=None,
            reference=reference,
            title="Replacement",
            starts_on=date(2019, 9, 2),
            route="open",
            annual_value=Decimal("1000000.00"),
            term_months=60,
            extension_months=0,
        )
        procurement_services.procurement_award_record(procurement=procurement, contract=new, by=None)
        return procurement, old, new

    return make


@pytest.mark.django_db
class TestSavingsSelector:
    def test_a_replacement_saves_the_difference_for_the_months_it_is_in_service(self, award):
        award()
        result = selectors.savings(2020)
        [row] = result.replacements
        assert (row.contract, row.replaces) == ("P-1-NEW", ["P-1-OLD-1", "P-1-OLD-2"])
        assert row.replaced_annual_value == Decimal("1800000.00") and row.annual_value == Decimal("1200000.00")
        assert row.months_in_service == 6 and row.saving == Decimal("300000.00")
        assert [(t.tower, t.saving) for t in row.towers] == [
            ("Networks", Decimal("225000.00")),
            ("Telephony", Decimal("75000.00")),
        ]
        assert result.total == Decimal("300000.00")
        assert [(t.tower, t.saving) for t in result.by_tower] == [
            ("Networks", Decimal("225000.00")),
            ("Telephony", Decimal("75000.00")),
        ]

    def test_a_full_year_saves_a_full_year(self, award):
        award()
        assert selectors.savings(2021).total == Decimal("600000.00")

    def test_by_tower_and_total_sum_every_replacement(self, award):
        award(reference="P-1")
        award(reference="P-2", old_values=("500000.00",), new_value="400000.00")
        result = selectors.savings(2021)
        assert result.total == Decimal("700000.00")
        assert {t.tower: t.saving for t in result.by_tower} == {
            "Networks": Decimal("525000.00"),
            "Telephony": Decimal("175000.00"),
        }

    def test_a_value_held_gross_is_converted_to_net_at_the_standard_rate(self, award):
        award(old_values=("1440000.00",), vat="gross")
        [row] = selectors.savings(2021).replacements
        assert row.replaced_annual_value == Decimal("1200000.00") and row.saving == Decimal("0.00")

    def test_a_replaced_contract_of_unknown_value_is_named_and_its_saving_not_computed(self, award):
        award(old_values=("1200000.00", "0.00"))
        result = selectors.savings(2021)
        [row] = result.replacements
        assert row.replaced_annual_value is None and row.saving is None and row.towers == []
        assert [u.contract for u in result.unknown] == ["P-1-OLD-2"]
        assert "not computed" in result.unknown[0].reason
        assert result.total == Decimal("0.00") and result.by_tower == []
        out = result.to_json()
        assert out["replacements"][0]["saving"] is None
        assert out["unknown"] == [{"contract": "P-1-OLD-2", "reason": result.unknown[0].reason}]

    def test_a_new_contract_of_unknown_value_is_named_too(self, award):
        award(new_value="0.00")
        result = selectors.savings(2021)
        assert result.replacements[0].saving is None
        assert [u.contract for u in result.unknown] == ["P-1-NEW"]

    def test_a_contract_that_ended_early_saves_only_while_in_service(self, award):
        _, _, new = award()
        new.ended_on = date(2021, 6, 30)
        new.save()
        assert selectors.savings(2021).replacements[0].months_in_service == 3

    def test_a_tacit_renewal_counts_once_it_has_taken_effect(self, award, db):
        procurement, _, _ = award()
        renewing = TacitRenewalContractFactory(
            reference="TACIT", start_date=date(2018, 4, 1), initial_end_date=date(2021, 9, 30), annual_value=1
        )
        procurement.awarded_contract = renewing
        procurement.save()
        # notice of 3 months before 30 September 2021 passes on 30 June: renewed to 30 September 2022
        assert selectors.savings(2021).replacements[0].months_in_service == 12

    def test_a_procurement_that_awarded_nothing_saves_nothing(self, award):
        procurement, _, _ = award()
        Procurement.objects.filter(pk=procurement.pk).update(awarded_contract=None)
        result = selectors.savings(2021)
        assert result.replacements == [] and result.total == Decimal("0.00")

    def test_the_baseline_is_the_annual_value_of_contracts_live_on_1_april(self, award):
        award()
        ContractFactory(
            reference="GROSS",
            annual_value=Decimal("120.00"),
            vat_basis="gross",
            start_date=date(2020, 4, 1),
            initial_end_date=date(2022, 3, 31),
        )
        ContractFactory(
            reference="UNKNOWN",
            annual_value=Decimal("0.00"),
            start_date=date(2020, 1, 1),
            initial_end_date=date(2022, 3, 31),
        )
        ContractFactory(reference="ENDED", start_date=date(2017, 1, 1), initial_end_date=date(2020, 3, 31))
        result = selectors.savings(2020)
        # the two replaced contracts (live to 30 September 2020) and GROSS net of VAT; not the new one, nor ENDED
        assert result.baseline_run_rate == Decimal("1800100.00")
        assert result.baseline_unknown == ["UNKNOWN"]
        assert selectors.savings(2021).baseline_run_rate == Decimal("1200100.00")

    def test_without_a_chosen_scenario_there_is_no_modelled_cost(self, award):
        award()
        assert selectors.savings(2021).scenario is None
        assert selectors.savings(2021).to_json()["scenario"] is None

    def test_the_json_has_every_amount_as_a_string_with_two_decimals(self, award):
        award()
        out = selectors.savings(2020).to_json()
        assert out["year"] == "2020-21" and out["month_rule"] == rules.MONTH_RULE
        row = out["replacements"][0]
        assert row["saving"] == "300000.00" and row["replaced_annual_value"] == "1800000.00"
        assert row["towers"] == [
            {"tower": "Networks", "saving": "225000.00"},
            {"tower": "Telephony", "saving": "75000.00"},
        ]
        assert out["total"] == "300000.00" and out["baseline_run_rate"] == "1800000.00"

    def test_reads_in_the_same_number_of_queries_for_one_replacement_as_for_four(
        self, award, django_assert_max_num_queries
    ):
        award(reference="P-1")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            selectors.savings(2021)
        for n in (2, 3, 4):
            award(reference=f"P-{n}")
        with django_assert_max_num_queries(len(one)):
            selectors.savings(2021)


@pytest.mark.django_db
class TestSavingsCommand:
    def test_prints_the_savings_as_json(self, award):
        award()
        result = pegasus("finance", "savings", "--year", "2020-21", "--json")
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert out["total"] == "300000.00" and out["replacements"][0]["months_in_service"] == 6

    def test_prints_a_summary_without_json(self, award):
        award()
        result = pegasus("finance", "savings", "--year", "2020-21")
        assert result.returncode == 0 and "Total saving: 300000.00" in result.stdout

    @pytest.mark.parametrize("year", ["2020", "2020-22", "twenty"])
    def test_a_bad_year_exits_2_naming_year(self, year):
        result = pegasus("finance", "savings", "--year", year, "--json")
        assert result.returncode == 2 and "--year" in result.stderr and result.stdout == ""

    def test_the_year_is_required(self):
        result = pegasus("finance", "savings", "--json")
        assert result.returncode == 2 and "--year" in result.stderr


def test_a_bad_year_exits_2_naming_year_when_run_as_its_own_process():
    result = pegasus_process("finance", "savings", "--year", "2020", "--json")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --year: '2020' is not a financial year such as 2019-20"


@pytest.mark.django_db
class TestSavingsPage:
    @pytest.mark.parametrize(
        "role", [Role.FINANCE, Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR, Role.APPROVER, Role.AUDITOR]
    )
    def test_readers_of_finance_see_it(self, signed_in, award, role):
        award()
        client, _ = signed_in(role)
        response = client.get(PAGE, {"year": "2020-21"})
        body = response.content.decode()
        assert response.status_code == 200
        assert "Savings in 2020-21" in body and "P-1-NEW" in body and "£300,000.00" in body
        assert escape(rules.MONTH_RULE) in body

    @pytest.mark.parametrize("role", [Role.EVALUATOR, Role.SUPPLIER_USER, Role.LEGAL])
    def test_other_roles_are_refused(self, signed_in, award, role):
        award()
        client, _ = signed_in(role)
        assert client.get(PAGE).status_code == 403

    def test_anonymous_users_are_sent_to_sign_in(self, client):
        response = client.get(PAGE)
        assert response.status_code == 302 and "/sign-in/" in response.url

    def test_defaults_to_the_current_financial_year(self, signed_in, settings):
        settings.PEGASUS_AS_AT = date(2021, 3, 31)
        client, _ = signed_in(Role.FINANCE)
        body = client.get(PAGE).content.decode()
        assert "Savings in 2020-21" in body and '<option value="2020-21" selected>' in body

    def test_a_bad_year_is_named_and_the_current_year_shown(self, signed_in, settings):
        settings.PEGASUS_AS_AT = date(2021, 3, 31)
        client, _ = signed_in(Role.FINANCE)
        body = client.get(PAGE, {"year": "2021"}).content.decode()
        assert "Financial year: &#x27;2021&#x27; is not a financial year" in body and "Savings in 2020-21" in body
        assert "<title>Error:" in body

    def test_names_what_is_not_known(self, signed_in, award):
        award(old_values=("0.00",))
        client, _ = signed_in(Role.FINANCE)
        body = client.get(PAGE, {"year": "2021-22"}).content.decode()
        assert "Values not known, so not guessed" in body and "P-1-OLD-1" in body and "Not computed" in body

    def test_renders_in_the_same_number_of_queries_for_one_replacement_as_for_four(
        self, signed_in, award, django_assert_max_num_queries
    ):
        award(reference="P-1")
        client, _ = signed_in(Role.FINANCE)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            client.get(PAGE, {"year": "2021-22"})
        for n in (2, 3, 4):
            award(reference=f"P-{n}")
        with django_assert_max_num_queries(len(one)):
            client.get(PAGE, {"year": "2021-22"})


@pytest.mark.django_db
class TestAwardedContract:
    def test_the_award_is_recorded_and_recording_it_again_changes_nothing(self, award):
        procurement, _, new = award()
        procurement.refresh_from_db()
        assert procurement.awarded_contract == new
        assert procurement_services.procurement_award_record(procurement=procurement, contract=new, by=None)

    def test_a_contract_it_replaces_cannot_be_the_one_awarded(self, award):
        from django.core.exceptions import ValidationError

        procurement, old, new = award()
        with pytest.raises(ValidationError) as refused:
            procurement_services.procurement_award_record(procurement=procurement, contract=old[0], by=None)
        assert procurement_services.AWARDED_IS_REPLACED in str(refused.value)
        procurement.refresh_from_db()
        assert procurement.awarded_contract == new

    def _form(self, procurement, old, **extra) -> dict:
        return {
            "reference": procurement.reference,
            "title": procurement.title,
            "starts_on": "2019-09-02",
            "route": "open",
            "replaces": [c.pk for c in old],
            "annual_value": "1000000",
            "value_vat_basis": "net",
            "term_months": "60",
            "extension_months": "0",
            "authority_kind": "sub-central",
            "contract_type": "services",
        } | extra

    def test_the_edit_form_sets_the_awarded_contract_and_the_page_shows_it(self, signed_in, award):
        procurement, old, new = award()
        Procurement.objects.filter(pk=procurement.pk).update(awarded_contract=None)
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        form = client.get(f"/procurements/{procurement.pk}/edit/").content.decode()
        assert "Contract awarded" in form and "No contract awarded yet" in form and "P-1-NEW The new contract" in form
        response = client.post(
            f"/procurements/{procurement.pk}/edit/", self._form(procurement, old, awarded_contract=new.pk)
        )
        assert response.status_code == 302
        procurement.refresh_from_db()
        assert procurement.awarded_contract == new
        page = client.get(f"/procurements/{procurement.pk}/").content.decode()
        assert 'data-testid="awarded-contract"' in page and "P-1-NEW</a> The new contract" in page

    def test_the_edit_form_refuses_a_replaced_contract_as_the_award(self, signed_in, award):
        procurement, old, new = award()
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.post(
            f"/procurements/{procurement.pk}/edit/", self._form(procurement, old, awarded_contract=old[0].pk)
        )
        assert response.status_code == 200
        assert procurement_services.AWARDED_IS_REPLACED in response.content.decode()
        procurement.refresh_from_db()
        assert procurement.awarded_contract == new

    def test_a_contract_awarded_by_another_procurement_is_refused(self, signed_in, award):
        first, _, new = award(reference="P-1")
        second, old, _ = award(reference="P-2")
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.post(f"/procurements/{second.pk}/edit/", self._form(second, old, awarded_contract=new.pk))
        assert response.status_code == 200 and "already exists" in response.content.decode()

    def test_the_choices_come_from_the_estate(self, award):
        from pegasus.procurement.forms import ProcurementForm

        award()
        choices = list(ProcurementForm().fields["awarded_contract"].queryset)
        assert choices == list(estate_selectors.contracts_by_reference())


@pytest.fixture
def savings_demo(demo_estate):
    from pegasus.finance.demo import finance_demo_load
    from pegasus.procurement.demo import procurements_demo_load

    procurements_demo_load()
    finance_demo_load()


@pytest.mark.browser
def test_a_reader_picks_a_year_and_sees_its_saving_by_tower(page, sign_in, savings_demo):
    """The finance officer opens the savings page, picks 2021-22, and sees the towers contract's saving; the page has
    no WCAG 2.1 A or AA violations."""
    from playwright.sync_api import expect

    from tests.browser import axe_violations, describe, screenshot

    # given
    sign_in(page, "finance")
    page.goto(PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Savings in 2019-20")

    # when
    page.get_by_label("Financial year").select_option("2021-22")
    page.get_by_role("button", name="Show").click()

    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("Savings in 2021-22")
    expect(page.get_by_test_id("replacements")).to_contain_text("MPS-DP-T2-104")
    expect(page.get_by_test_id("by-tower")).to_contain_text("Devices")
    expect(page.get_by_test_id("total")).to_have_text(f"£{selectors.savings(2021).total:,.2f}")
    screenshot(page, "finance-savings")
    violations = axe_violations(page)
    assert not violations, describe(violations)
