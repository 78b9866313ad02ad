"""The template filters that show money, one for each half of the user guide's rule ("How money is shown")."""

from decimal import Decimal

from pegasus.ui.templatetags.pegasus import millions, pounds


def test_a_record_is_exact_in_pounds_and_pence():
    assert pounds(Decimal("6700000")) == "£6,700,000.00"


def test_a_summary_is_in_millions_to_one_decimal_place():
    assert millions(Decimal("58312345.67")) == "£58.3m"
