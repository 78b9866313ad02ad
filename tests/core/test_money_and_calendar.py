"""Money in Decimal pounds with a VAT basis; the England and Wales working-day calendar."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pegasus.core import calendar as cal
from pegasus.core.classification import highest, marking
from pegasus.core.money import Money, VatBasis, format_millions, format_pounds, to_pounds


class TestMoney:
    def test_net_to_gross_adds_standard_rate_vat(self):
        assert Money(Decimal("181302.00")).to_gross() == Money(Decimal("217562.40"), VatBasis.GROSS)

    def test_gross_to_net_removes_it(self):
        assert Money(Decimal("120.00"), VatBasis.GROSS).to_net() == Money(Decimal("100.00"), VatBasis.NET)

    def test_to_basis_converts_only_across_bases(self):
        assert Money(Decimal("100.00")).to_basis(VatBasis.GROSS) == Money(Decimal("120.00"), VatBasis.GROSS)
        assert Money(Decimal("120.00"), VatBasis.GROSS).to_basis(VatBasis.NET) == Money(Decimal("100.00"))
        assert Money(Decimal("100.005")).to_basis(VatBasis.NET) == Money(Decimal("100.005"))

    def test_net_and_gross_cannot_be_added(self):
        with pytest.raises(ValueError, match="net amount to a gross"):
            Money(Decimal(1)) + Money(Decimal(1), VatBasis.GROSS)

    def test_floats_are_refused(self):
        with pytest.raises(TypeError):
            Money(1.5)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("text", "pounds"),
        [
            ("£1,250,000.00", "1250000.00"),
            ("6700000", "6700000.00"),
            ("(12.5)", "-12.50"),
            (0.1, "0.10"),
            ("2.005", "2.01"),
        ],
    )
    def test_parses_what_spreadsheets_hold(self, text, pounds):
        assert to_pounds(text) == Decimal(pounds)

    @pytest.mark.parametrize("text", ["", "abc", "1.2.3", "NaN", "Infinity"])
    def test_refuses_what_is_not_money(self, text):
        with pytest.raises(ValueError, match="not an amount"):
            to_pounds(text)

    def test_formats_for_people(self):
        assert format_pounds(Decimal("6700000")) == "£6,700,000.00"
        assert format_pounds(Decimal("-12.5"), pennies=False) == "-£13"
        assert format_millions(Decimal("500000000.00")) == "£500.0m"

    @given(st.decimals(min_value=0, max_value=10**10, places=2))
    def test_gross_then_net_returns_within_a_penny(self, amount):
        assert abs(Money(amount).to_gross().to_net().amount - amount) <= Decimal("0.01")


class TestWorkingDays:
    def test_weekends_and_bank_holidays_are_not_working_days(self):
        assert not cal.is_working_day(date(2019, 5, 25))  # Saturday
        assert not cal.is_working_day(date(2019, 5, 27))  # spring bank holiday
        assert cal.is_working_day(date(2019, 5, 28))

    def test_adding_working_days_skips_christmas(self):
        # Fri 20 Dec 2019 + 3 working days: Mon 23, Tue 24, (25, 26 bank holidays) Fri 27
        assert cal.add_working_days(date(2019, 12, 20), 3) == date(2019, 12, 27)

    def test_adding_backwards(self):
        assert cal.add_working_days(date(2019, 12, 27), -3) == date(2019, 12, 20)

    def test_counts_working_days_between(self):
        assert cal.working_days_between(date(2019, 12, 20), date(2019, 12, 27)) == 3

    def test_england_and_wales_holidays_not_scotland(self):
        assert cal.is_working_day(date(2019, 1, 2))  # a Scottish bank holiday only

    def test_term_end(self):
        assert cal.term_end(date(2016, 4, 1), 36) == date(2019, 3, 31)


class TestClassification:
    def test_marking_carries_its_descriptor(self):
        assert marking("OFFICIAL-SENSITIVE", "COMMERCIAL") == "OFFICIAL-SENSITIVE [COMMERCIAL]"
        assert marking("OFFICIAL", "") == "OFFICIAL"

    def test_a_page_carries_the_highest_marking_it_shows(self):
        assert highest([("OFFICIAL", ""), ("OFFICIAL-SENSITIVE", "COMMERCIAL")]) == ("OFFICIAL-SENSITIVE", "COMMERCIAL")
        assert highest([]) == ("OFFICIAL", "")


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2016, 4, 1), 36, date(2019, 3, 31)),
        (date(2019, 1, 31), 1, date(2019, 2, 28)),
        (date(2020, 1, 30), 1, date(2020, 2, 29)),
        (date(2019, 3, 15), 12, date(2020, 3, 14)),
    ],
)
def test_term_end_follows_the_corresponding_date_rule(start, months, end):
    assert cal.term_end(start, months) == end
