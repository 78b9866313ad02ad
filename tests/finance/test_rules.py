"""The pure rules of programme finance: financial years, the derived figures, roll-ups and the control's peak."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pegasus.finance import rules
from pegasus.finance.rules import Figures, Held

D = Decimal


@pytest.mark.parametrize(
    ("day", "year", "label"),
    [
        (date(2019, 4, 1), 2019, "2019-20"),
        (date(2020, 3, 31), 2019, "2019-20"),
        (date(2020, 4, 1), 2020, "2020-21"),
        (date(2019, 12, 31), 2019, "2019-20"),
        (date(2000, 1, 1), 1999, "1999-00"),
    ],
)
def test_a_financial_year_runs_from_1_april_to_31_march(day, year, label):
    assert rules.year_of(day) == year
    assert rules.year_label(year) == label
    assert rules.year_parse(label) == year
    assert rules.year_start(year) <= day <= rules.year_end(year)


def test_the_months_of_a_year_are_april_to_march():
    months = rules.year_months(2019)
    assert months[0] == date(2019, 4, 1) and months[-1] == date(2020, 3, 1) and len(months) == 12


@pytest.mark.parametrize("label", ["2019-21", "2019", "19-20", "2019/20", "", "2019-20x", "abcd-ef"])
def test_a_year_that_is_not_one_is_refused_naming_the_field(label):
    with pytest.raises(rules.FinanceInputError, match=r"^--year: .* is not a financial year such as 2019-20"):
        rules.year_parse(label, "--year")


def test_outturn_variance_and_available_follow_from_the_four_figures():
    figures = Figures(budget=D("100.00"), actual=D("30.00"), committed_open=D("50.00"), forecast_remaining=D("60.00"))
    assert figures.outturn == D("90.00")
    assert figures.variance == D("10.00")  # positive: an underspend
    assert figures.available == D("20.00")


def test_an_overspend_is_a_negative_variance():
    assert Figures(budget=D("10"), actual=D("8"), forecast_remaining=D("5")).variance == D("-3")


def test_a_line_reports_its_own_figures_plus_every_descendant():
    parents = {"DP": None, "PEG": "DP", "CONS": "PEG", "LEGAL": "PEG", "RUN": "DP", "OTHER": None}
    own = {code: Figures(budget=D(n)) for n, code in enumerate(parents, start=1)}
    totals = rules.roll_up(parents, own)
    assert totals["CONS"].budget == D(3)
    assert totals["PEG"].budget == D(2 + 3 + 4)
    assert totals["DP"].budget == D(1 + 2 + 3 + 4 + 5)
    assert totals["OTHER"].budget == D(6)


def test_a_parent_below_its_child_is_a_cycle():
    parents = {"A": None, "B": "A", "C": "B"}
    assert rules.cycle_through(parents, "A", "C")
    assert rules.cycle_through(parents, "A", "A")
    assert not rules.cycle_through(parents, "C", "A")


def test_a_commitment_counts_from_the_day_it_is_raised_until_the_day_it_is_cancelled():
    assert not rules.counts_on(date(2019, 6, 2), None, date(2019, 6, 1))
    assert rules.counts_on(date(2019, 6, 2), None, date(2019, 6, 2))
    assert rules.counts_on(date(2019, 6, 2), date(2019, 7, 1), date(2019, 6, 30))
    assert not rules.counts_on(date(2019, 6, 2), date(2019, 7, 1), date(2019, 7, 1))


def test_what_is_still_committed_never_falls_below_nothing():
    assert rules.open_amount(D("100"), D("40")) == D("60")
    assert rules.open_amount(D("100"), D("140")) == D("0.00")


def test_the_peak_takes_in_later_commitments_and_lets_cancelled_ones_go():
    held = [
        Held(date(2019, 6, 1), None, D("60")),
        Held(date(2019, 7, 1), date(2019, 9, 1), D("30")),
        Held(date(2019, 10, 1), None, D("20")),
    ]
    assert rules.peak_committed(held, date(2019, 6, 1)) == (D("90"), date(2019, 7, 1))
    # From September on the second has gone: the most is 80, reached in October.
    assert rules.peak_committed(held, date(2019, 9, 1)) == (D("80"), date(2019, 10, 1))


days = st.dates(min_value=date(2019, 1, 1), max_value=date(2021, 12, 31))
helds = st.builds(
    lambda raised, gap, amount: Held(
        raised, None if gap is None else date.fromordinal(raised.toordinal() + gap), amount
    ),
    days,
    st.none() | st.integers(0, 400),
    st.decimals(min_value=0, max_value=10_000, places=2),
)


@given(st.lists(helds, max_size=12), days)
def test_the_peak_is_the_most_committed_on_any_day_from_then_on(held, from_day):
    peak, day = rules.peak_committed(held, from_day)
    candidates = [from_day, *(h.raised_on for h in held if h.raised_on > from_day)]
    assert peak == max(rules.committed_on(held, d) for d in candidates)
    assert day >= from_day and rules.committed_on(held, day) == peak
