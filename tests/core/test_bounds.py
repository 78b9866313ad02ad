"""The bounds shared by pages, imports, the API and commands."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from pegasus.core import bounds
from pegasus.core.exceptions import OutOfBounds, RuleViolation


class TestDates:
    def test_a_date_within_bounds_is_returned(self):
        assert bounds.check_date(date(2026, 3, 31), "start_date") == date(2026, 3, 31)

    @pytest.mark.parametrize("value", [date(364, 1, 1), date(1989, 12, 31), date(2101, 1, 1), date(9999, 12, 31)])
    def test_a_date_out_of_range_is_refused_naming_the_field(self, value):
        with pytest.raises(OutOfBounds, match="^start_date: enter a date from 01 January 1990 to 31 December 2100"):
            bounds.check_date(value, "start_date")

    def test_a_datetime_is_compared_by_its_day(self):
        assert bounds.check_date(datetime(2100, 12, 31, 23, 59), "at") == datetime(2100, 12, 31, 23, 59)

    @pytest.mark.parametrize("text", ["9999-12-31", "0364-01-01"])
    def test_parsed_dates_are_bounded(self, text):
        with pytest.raises(OutOfBounds) as caught:
            bounds.parse_date(text, "as_at")
        assert caught.value.field == "as_at"

    @pytest.mark.parametrize("text", ["", "2026-02-30", "tomorrow", "2026-1-1x"])
    def test_unparsable_dates_are_refused(self, text):
        with pytest.raises(OutOfBounds, match="^as_at: enter a real date"):
            bounds.parse_date(text, "as_at")


class TestWholeNumbers:
    @pytest.mark.parametrize("text", ["99999999999999999999", "9" * 5000, "-1", "1.5", "1e3", "١٢", ""])
    def test_text_that_is_not_a_bounded_whole_number_is_refused(self, text):
        with pytest.raises(OutOfBounds) as caught:
            bounds.parse_int(text, "page", 1, bounds.MAX_PAGE)
        assert str(caught.value).startswith("page: enter a whole number")

    def test_leading_zeros_and_a_plus_sign_are_read(self):
        assert bounds.parse_int("+0007", "page", 1, 10) == 7

    @pytest.mark.parametrize("value", [True, 1.0, "1"])
    def test_only_ints_are_whole_numbers(self, value):
        with pytest.raises(OutOfBounds):
            bounds.check_int(value, "tier", 1, 3)

    @pytest.mark.parametrize("months", [0, 121, 139_031, 10**18])
    def test_months_are_one_to_one_hundred_and_twenty(self, months):
        with pytest.raises(OutOfBounds, match="^length_months: enter a whole number from 1 to 120"):
            bounds.check_months(months, "length_months")


class TestMoney:
    def test_pounds_and_pence_within_bounds_are_returned(self):
        assert bounds.check_money(Decimal("999999999999.99"), "total_value") == Decimal("999999999999.99")

    @pytest.mark.parametrize("value", [Decimal("1E+12"), Decimal("-0.01"), Decimal("1E+100")])
    def test_amounts_out_of_range_are_refused(self, value):
        with pytest.raises(OutOfBounds, match="^total_value: enter an amount from"):
            bounds.check_money(value, "total_value")

    @pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("0.001"), 1.5])
    def test_what_is_not_pounds_and_pence_is_refused(self, value):
        with pytest.raises(OutOfBounds, match="^amount: enter an amount in pounds"):
            bounds.check_money(value, "amount", lo=-bounds.MAX_MONEY)


class TestText:
    @pytest.mark.parametrize("text", ["A\x00B", "A\x1bB", "A\x7fB", "A\x85B", "A\u2028B", "A\nB"])
    def test_control_characters_are_refused_in_a_line(self, text):
        with pytest.raises(OutOfBounds, match="^reference: remove the control character at position 2"):
            bounds.check_text(text, "reference")

    def test_line_breaks_are_allowed_where_text_runs_over_lines(self):
        assert bounds.check_text("one\r\ntwo\tthree", "description", multiline=True) == "one\r\ntwo\tthree"

    def test_text_longer_than_its_field_is_refused(self):
        with pytest.raises(OutOfBounds, match="^title: enter at most 3 characters"):
            bounds.check_text("four", "title", max_length=3)

    def test_out_of_bounds_is_a_rule_violation_and_a_value_error(self):
        assert issubclass(OutOfBounds, RuleViolation) and issubclass(OutOfBounds, ValueError)
