"""The pure procurement rules: estimated value as the regime counts it, the end scheduled back from, notices."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pegasus.core.money import VatBasis
from pegasus.procurement.law import Regime, RuleInputError
from pegasus.procurement.rules import (
    EstimatedValue,
    ReplacedContract,
    estimated_value,
    replaced_end,
    required_notices,
)
from pegasus.procurement.schedule import Route


def value(starts_on: date, annual: str = "1000000", basis: VatBasis = VatBasis.NET, term=36, ext=0) -> EstimatedValue:
    return estimated_value(
        starts_on=starts_on, annual_value=Decimal(annual), annual_basis=basis, term_months=term, extension_months=ext
    )


class TestEstimatedValue:
    def test_counts_the_maximum_term_with_every_option_and_extension(self):
        """£1m a year for 36 months plus 24 months of options is £5m (net in 2019)."""
        result = value(date(2019, 9, 2), term=36, ext=24)
        assert result.months == 60
        assert result.amount == Decimal("5000000.00")
        assert result.basis is VatBasis.NET

    def test_adds_vat_from_the_first_day_of_the_gross_threshold_period(self):
        """PPN 10/21: thresholds include VAT from 1 January 2022, so a net annual value gains 20%."""
        before = value(date(2021, 12, 31))
        after = value(date(2022, 1, 1))
        assert (before.amount, before.basis) == (Decimal("3000000.00"), VatBasis.NET)
        assert (after.amount, after.basis) == (Decimal("3600000.00"), VatBasis.GROSS)

    def test_takes_vat_off_a_gross_value_in_a_net_period(self):
        result = value(date(2019, 9, 2), annual="1200000", basis=VatBasis.GROSS, term=12)
        assert (result.amount, result.basis) == (Decimal("1000000.00"), VatBasis.NET)

    def test_compares_with_the_threshold_of_its_period(self):
        """The sub-central services threshold was £181,302 in 2019 (PCD 579) and £213,477 inc VAT in 2022."""
        at = value(date(2019, 6, 1), annual="181302", term=12)
        under = value(date(2019, 6, 1), annual="181301.99", term=12)
        assert at.above_threshold and at.threshold == Decimal("181302")
        assert not under.above_threshold
        # £178,000 net is £213,600 with VAT: over the 2022 threshold of £213,477, though under it net.
        gross = value(date(2022, 6, 1), annual="178000", term=12)
        assert gross.amount == Decimal("213600.00")
        assert gross.threshold == Decimal("213477") and gross.above_threshold

    def test_regime_changes_on_24_february_2025(self):
        assert value(date(2025, 2, 23)).regime is Regime.PCR2015
        assert value(date(2025, 2, 24)).regime is Regime.PA2023

    def test_a_contract_without_fixed_term_is_valued_at_48_months_under_pcr_2015(self):
        result = value(date(2019, 9, 2), term=None)
        assert result.months == 48 and result.amount == Decimal("4000000.00")
        assert "reg 6(16)(b)" in result.steps[0]

    def test_the_procurement_act_needs_a_maximum_term(self):
        with pytest.raises(RuleInputError, match="^term_months:"):
            value(date(2025, 2, 24), term=None)

    def test_refuses_a_negative_value_naming_the_field(self):
        with pytest.raises(RuleInputError, match="^annual_value:"):
            value(date(2019, 9, 2), annual="-1")

    def test_explains_each_step(self):
        steps = value(date(2022, 1, 1), term=36, ext=12).steps
        assert steps[0].startswith("Maximum term: 36 months plus 12 months")
        assert "PPN 10/21" in steps[2]
        assert "threshold" in steps[-1]

    @given(
        annual=st.decimals(min_value=0, max_value=10**9, places=2),
        term=st.integers(min_value=1, max_value=240),
        ext=st.integers(min_value=0, max_value=120),
    )
    def test_more_months_never_value_a_contract_less(self, annual, term, ext):
        shorter = estimated_value(
            starts_on=date(2023, 1, 1),
            annual_value=annual,
            annual_basis=VatBasis.NET,
            term_months=term,
            extension_months=ext,
        )
        longer = estimated_value(
            starts_on=date(2023, 1, 1),
            annual_value=annual,
            annual_basis=VatBasis.NET,
            term_months=term,
            extension_months=ext + 1,
        )
        assert longer.amount >= shorter.amount >= 0


class TestReplacedEnd:
    def test_the_first_contract_to_end_sets_the_deadline(self):
        end, reference = replaced_end(
            [ReplacedContract("B", date(2021, 3, 31)), ReplacedContract("A", date(2020, 9, 30))]
        )
        assert (end, reference) == (date(2020, 9, 30), "A")

    def test_an_option_assumed_exercised_moves_its_contract_end(self):
        end, reference = replaced_end(
            [ReplacedContract("A", date(2020, 3, 31), (12,)), ReplacedContract("B", date(2020, 9, 30))]
        )
        assert (end, reference) == (date(2020, 9, 30), "B")
        assert replaced_end([ReplacedContract("A", date(2020, 3, 31), (12, 6))]) == (date(2021, 9, 30), "A")

    def test_nothing_replaced_has_no_end(self):
        with pytest.raises(RuleInputError, match="^replaces:"):
            replaced_end([])


def codes(route: Route, result: EstimatedValue, required_only: bool = False) -> list[str]:
    return [n.code for n in required_notices(route, result) if n.required or not required_only]


class TestNotices:
    def test_pcr_2015_open_procedure_above_threshold(self):
        notices = required_notices(Route.OPEN, value(date(2019, 9, 2)))
        assert [(n.code, n.basis) for n in notices if n.required] == [
            ("F02", "PCR 2015 reg 49"),
            ("CF", "PCR 2015 reg 106"),
            ("F03", "PCR 2015 reg 50"),
            ("CF", "PCR 2015 reg 108"),
        ]
        assert [n.code for n in notices if not n.required] == ["PIN"]

    def test_pcr_2015_call_off_needs_no_contract_notice_and_may_use_a_veat(self):
        notices = required_notices(Route.FRAMEWORK_CALL_OFF, value(date(2019, 9, 2)))
        assert "F02" not in [n.code for n in notices]
        assert [(n.code, n.required) for n in notices if n.code == "VEAT"] == [("VEAT", False)]

    def test_pcr_2015_below_threshold_goes_to_contracts_finder_only(self):
        assert codes(Route.OPEN, value(date(2019, 9, 2), annual="100000", term=12)) == ["CF", "CF"]

    def test_pa_2023_competitive_flexible(self):
        notices = required_notices(Route.COMPETITIVE_FLEXIBLE, value(date(2025, 3, 3)))
        assert [n.code for n in notices if n.required] == ["UK2", "UK4", "UK6", "UK7"]
        assert [n.code for n in notices if not n.required] == ["UK1", "UK3"]
        assert next(n for n in notices if n.code == "UK3").basis == "Procurement Act 2023 s15"

    def test_pa_2023_direct_award_publishes_a_transparency_notice_not_a_tender_notice(self):
        required = codes(Route.DIRECT_AWARD, value(date(2025, 3, 3)), required_only=True)
        assert "UK5" in required and "UK4" not in required

    def test_pa_2023_contract_over_5m_is_published_with_its_kpis(self):
        big = required_notices(Route.OPEN, value(date(2025, 3, 3), annual="2000000", term=36))
        details = next(n for n in big if n.code == "UK7")
        assert "s94" in details.when and "s52" in details.when
