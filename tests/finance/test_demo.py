"""The demo holds the programme's money as PCD 579 sets it out: the DP budget, the Pegasus programme's £6.7m, its
approval, commitments, actuals and forecasts, and an award that shows a saving."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from pegasus.estate.demo import DEMO_AS_AT
from pegasus.estate.selectors import estate_summary
from pegasus.finance import demo, rules, selectors
from pegasus.finance.demo import finance_demo_load
from pegasus.finance.models import Actual, Commitment, Forecast

pytestmark = pytest.mark.django_db

MILLION = Decimal("1000000")


@pytest.fixture(scope="module")
def loaded(module_transaction):
    """Every demo, loaded once for the module through `pegasus demo`."""
    call_command("demo", "--json")


def position(day: date, year: int | None = None) -> selectors.Position:
    return selectors.position(as_at=day, year=year)


class TestBudget:
    def test_dp_is_200m_a_year_for_five_years_and_1bn_in_all(self, loaded):
        years = [position(date(y + 1, 3, 31), y).line("DP").total.budget for y in demo.DP_YEARS]
        assert years == [200 * MILLION] * 5
        assert sum(years) == 1000 * MILLION

    def test_the_programme_is_6_7m_over_2019_20_and_2020_21(self, loaded):
        two = [position(date(y + 1, 3, 31), y).line("DP-PEG").total.budget for y in (2019, 2020)]
        assert sum(two) == Decimal("6700000.00")
        assert position(date(2022, 3, 31), 2021).line("DP-PEG").total.budget == 0

    def test_the_programme_is_split_over_what_the_seed_names_marked_illustrative(self, loaded):
        lines = {row.code: row for row in position(DEMO_AS_AT).lines}
        children = {code for code, row in lines.items() if row.parent == "DP-PEG"}
        assert children == {"DP-PEG-CONS", "DP-PEG-BACK", "DP-PEG-LEGAL", "DP-PEG-CONT"}
        assert "Bloom" in lines["DP-PEG-CONS"].name and "NLSF" in lines["DP-PEG-LEGAL"].name
        assert all("(illustrative split)" in lines[code].name for code in children)


class TestLedgers:
    def test_pcd_579_approves_6_7m_on_the_programme(self, loaded):
        assert position(demo.APPROVED_ON - timedelta(days=1)).approvals == []  # not yet given the day before
        [approval] = position(demo.APPROVED_ON).approvals
        assert (approval.reference, approval.line, approval.decision) == ("PCD579", "DP-PEG", "PCD 579")
        assert approval.approved_on == date(2019, 6, 10) and approval.figures.approved == Decimal("6700000.00")

    def test_as_at_the_demo_date_nothing_is_committed_or_spent(self, loaded):
        result = position(DEMO_AS_AT)
        programme = result.line("DP-PEG").total
        assert programme.budget == Decimal("3600000.00")
        assert (programme.actual, programme.committed_open) == (0, 0)
        assert result.approvals == []  # PCD 579's approval is given on 10 June 2019
        assert position(demo.APPROVED_ON).approvals[0].figures.committed == 0

    def test_commitments_start_after_the_approval_and_stay_within_it(self, loaded):
        assert min(Commitment.objects.values_list("raised_on", flat=True)) >= demo.APPROVED_ON
        assert sum(Commitment.objects.values_list("amount", flat=True)) <= Decimal("6700000.00")

    def test_midway_the_position_shows_spend_and_a_forecast_of_the_rest(self, loaded):
        programme = position(date(2020, 1, 15)).line("DP-PEG").total
        assert 0 < programme.actual < programme.budget
        assert programme.committed_open > 0
        # what is paid and still forecast is the plan: the whole budget less the contingency unspent
        assert programme.outturn == Decimal("3600000.00") - Decimal("750000.00")

    def test_by_the_end_every_commitment_is_paid(self, loaded):
        result = position(date(2021, 6, 1), 2020)
        assert result.approvals[0].figures.spent == sum(Commitment.objects.values_list("amount", flat=True))
        assert result.line("DP-PEG").total.committed_open == 0

    def test_actuals_are_monthly_and_forecasts_cover_both_years(self, loaded):
        months = {a.replace(day=1) for a in Actual.objects.values_list("paid_on", flat=True)}
        assert months == {m for y in (2019, 2020) for m in rules.year_months(y) if m >= date(2019, 7, 1)}
        forecast_months = set(Forecast.objects.values_list("month", flat=True))
        assert forecast_months == set(rules.year_months(2019) + rules.year_months(2020))


class TestReplacement:
    def test_the_consolidation_awards_a_contract_that_saves(self, loaded):
        result = selectors.savings(2021)
        [row] = result.replacements
        assert row.procurement == "PEG-2019-03" and row.contract == "MPS-DP-T2-104"
        assert row.annual_value < row.replaced_annual_value and row.months_in_service == 12
        assert result.total == row.saving > 2 * MILLION
        assert "(illustrative)" in row.supplier and result.unknown == []
        assert result.scenario is not None and result.scenario.name == "SIAM plus towers"

    def test_it_saves_from_the_month_it_starts(self, loaded):
        assert selectors.savings(2019).total == 0
        assert selectors.savings(2020).replacements[0].months_in_service == 10  # June to March

    def test_the_estate_as_the_seed_has_it_is_unchanged(self, loaded):
        """Six tier-1 contracts with four suppliers, £500m: the award is a tier-2 consolidation."""
        summary = estate_summary(as_at=date(2019, 5, 23))
        assert (summary.tier1_contracts, summary.tier1_suppliers) == (6, 4)
        assert summary.total_contract_value == Decimal("500000000.00")


def test_loading_twice_changes_nothing(loaded):
    again = finance_demo_load()
    assert set(again.values()) == {0}


def test_pegasus_demo_again_changes_nothing(loaded, capsys):
    """`loaded` ran `pegasus demo` once: a second run creates nothing and leaves every ledger as it was."""
    counts = (Commitment.objects.count(), Actual.objects.count(), Forecast.objects.count())
    budget = position(date(2020, 3, 31), 2019).to_json()
    call_command("demo", "--json")
    out = capsys.readouterr().out
    assert '"finance approvals": 0' in out and '"finance awards": 0' in out and '"finance actuals": 0' in out
    assert (Commitment.objects.count(), Actual.objects.count(), Forecast.objects.count()) == counts
    assert position(date(2020, 3, 31), 2019).to_json() == budget
