"""The position, figure by figure, as `pegasus finance position` defines it; and a property against a plain
reference computed from the same rows."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from pegasus.finance import rules, selectors, services
from pegasus.finance.models import Actual, Approval, BudgetAmount, BudgetLine, Commitment, Forecast
from tests.commands import pegasus

D = Decimal
pytestmark = pytest.mark.django_db


def tree(*lines: tuple[str, str | None]) -> None:
    for code, parent in lines:
        services.budget_line_save(code=code, name=f"Line {code}", parent=parent, by=None)


def commit(reference, line, amount, raised_on, *, approval=None, cancelled_on=None):
    return services.commitment_save(
        reference=reference,
        line=line,
        approval=approval,
        supplier="Someone Ltd",
        description="",
        raised_on=raised_on,
        amount=D(amount),
        cancelled_on=cancelled_on,
        contract=None,
        by=None,
    )


def pay(reference, line, amount, paid_on, commitment=None):
    return services.actual_save(
        reference=reference, line=line, commitment=commitment, paid_on=paid_on, amount=D(amount), by=None
    )


def figures(as_at, code, year=None):
    return selectors.position(as_at=as_at, year=year).line(code).total


def test_budget_is_the_line_amount_for_the_year():
    tree(("P", None))
    services.budget_amount_save(line="P", year=2019, amount=D("100.00"), by=None)
    services.budget_amount_save(line="P", year=2020, amount=D("250.00"), by=None)
    assert figures(date(2019, 5, 1), "P").budget == D("100.00")
    assert figures(date(2020, 4, 1), "P").budget == D("250.00")
    assert figures(date(2019, 5, 1), "P", year=2020).budget == D("250.00")


def test_actual_counts_payments_from_1_april_to_the_as_at_day_inclusive():
    tree(("P", None))
    pay("A1", "P", "1.00", date(2019, 3, 31))  # the last day of 2018-19
    pay("A2", "P", "10.00", date(2019, 4, 1))  # the first day of 2019-20
    pay("A3", "P", "100.00", date(2019, 6, 30))
    pay("A4", "P", "1000.00", date(2019, 7, 1))
    assert figures(date(2019, 3, 31), "P").actual == D("1.00")
    assert figures(date(2019, 4, 1), "P").actual == D("10.00")
    assert figures(date(2019, 6, 30), "P").actual == D("110.00")
    assert figures(date(2019, 7, 1), "P").actual == D("1110.00")
    assert figures(date(2020, 3, 31), "P").actual == D("1110.00")
    assert figures(date(2020, 4, 1), "P").actual == D("0.00")


def test_committed_open_is_what_is_left_of_each_live_commitment_and_never_below_nothing():
    tree(("P", None))
    commit("C1", "P", "100.00", date(2019, 5, 1))
    commit("C2", "P", "50.00", date(2019, 5, 1))
    pay("A1", "P", "30.00", date(2019, 6, 1), commitment="C1")
    pay("A2", "P", "80.00", date(2019, 6, 1), commitment="C2")  # beyond its commitment's amount: counts as 0 open
    pay("A3", "P", "5.00", date(2019, 7, 1), commitment="C1")  # after the as-at: still open at the as-at
    at = figures(date(2019, 6, 15), "P")
    assert at.committed_open == D("70.00")  # 100 - 30, and 0 for C2 (not -30)
    assert at.actual == D("110.00")
    assert at.available == D("0.00") - D("110.00") - D("70.00")


def test_a_commitment_raised_after_the_as_at_day_is_not_counted():
    tree(("P", None))
    commit("C1", "P", "100.00", date(2019, 5, 2))
    assert figures(date(2019, 5, 1), "P").committed_open == D("0.00")
    assert figures(date(2019, 5, 2), "P").committed_open == D("100.00")


def test_a_commitment_cancelled_on_the_as_at_day_no_longer_counts():
    tree(("P", None))
    services.approval_save(
        reference="AP", line="P", amount=D("100.00"), approved_on=date(2019, 4, 1), decision=None, by=None
    )
    commit("C1", "P", "100.00", date(2019, 5, 1), approval="AP", cancelled_on=date(2019, 8, 1))
    pay("A1", "P", "40.00", date(2019, 6, 1), commitment="C1")
    day_before, on_the_day = selectors.position(as_at=date(2019, 7, 31)), selectors.position(as_at=date(2019, 8, 1))
    assert day_before.line("P").total.committed_open == D("60.00")
    assert on_the_day.line("P").total.committed_open == D("0.00")
    assert day_before.approvals[0].figures.committed == D("100.00")
    assert on_the_day.approvals[0].figures.committed == D("0.00")
    assert on_the_day.approvals[0].figures.spent == D("0.00")  # spent is over the commitments still counted
    assert on_the_day.approvals[0].figures.headroom == D("100.00")


def test_forecast_remaining_is_the_forecasts_of_the_year_after_the_month_of_the_as_at_day():
    tree(("P", None))
    for month in (
        date(2019, 3, 1),
        date(2019, 4, 1),
        date(2019, 6, 1),
        date(2019, 7, 1),
        date(2020, 3, 1),
        date(2020, 4, 1),
    ):
        services.forecast_save(line="P", month=month, amount=D("10.00"), by=None)
    assert figures(date(2019, 6, 1), "P").forecast_remaining == D("20.00")  # July and March
    assert figures(date(2019, 6, 30), "P").forecast_remaining == D("20.00")
    assert figures(date(2019, 7, 1), "P").forecast_remaining == D("10.00")  # March only
    assert figures(date(2020, 3, 31), "P").forecast_remaining == D("0.00")
    assert figures(date(2019, 3, 31), "P").forecast_remaining == D("0.00")  # 2018-19: March is its own month
    assert figures(date(2019, 3, 31), "P", year=2019).forecast_remaining == D("40.00")  # every month of 2019-20


def test_outturn_variance_and_available_are_derived_from_the_figures():
    tree(("P", None))
    services.budget_amount_save(line="P", year=2019, amount=D("1000.00"), by=None)
    commit("C1", "P", "300.00", date(2019, 5, 1))
    pay("A1", "P", "120.00", date(2019, 5, 20), commitment="C1")
    services.forecast_save(line="P", month=date(2019, 9, 1), amount=D("500.00"), by=None)
    f = figures(date(2019, 6, 1), "P")
    assert (f.actual, f.committed_open, f.forecast_remaining) == (D("120.00"), D("180.00"), D("500.00"))
    assert f.outturn == D("620.00")
    assert f.variance == D("380.00")
    assert f.available == D("700.00")


def test_a_line_reports_its_own_figures_plus_all_its_descendants():
    tree(("DP", None), ("PEG", "DP"), ("CONS", "PEG"), ("LEGAL", "PEG"), ("RUN", "DP"))
    for code, amount in (
        ("DP", "1.00"),
        ("PEG", "10.00"),
        ("CONS", "100.00"),
        ("LEGAL", "1000.00"),
        ("RUN", "10000.00"),
    ):
        services.budget_amount_save(line=code, year=2019, amount=D(amount), by=None)
        pay(f"A-{code}", code, amount, date(2019, 5, 1))
    position = selectors.position(as_at=date(2019, 6, 1))
    assert position.line("PEG").total.budget == D("1110.00")
    assert position.line("PEG").own.budget == D("10.00")
    assert position.line("DP").total.actual == D("11111.00")
    assert [(row.code, row.depth) for row in position.lines] == [
        ("DP", 0),
        ("PEG", 1),
        ("CONS", 2),
        ("LEGAL", 2),
        ("RUN", 1),
    ]


def test_an_approval_shows_what_is_committed_and_spent_against_it_and_its_headroom():
    tree(("PEG", None), ("CONS", "PEG"))
    services.approval_save(
        reference="PCD579", line="PEG", amount=D("6700000.00"), approved_on=date(2019, 6, 10), decision=None, by=None
    )
    commit("C1", "CONS", "450000.00", date(2019, 6, 17), approval="PCD579")
    commit("C2", "CONS", "200000.00", date(2019, 9, 1), approval="PCD579")
    commit("C3", "CONS", "999.00", date(2019, 6, 17))  # not under the approval
    pay("A1", "CONS", "37500.00", date(2019, 7, 31), commitment="C1")
    pay("A2", "CONS", "1000.00", date(2019, 7, 31), commitment="C3")
    row = selectors.position(as_at=date(2019, 8, 1)).approvals[0]
    assert (row.reference, row.line) == ("PCD579", "PEG")
    assert row.figures.approved == D("6700000.00")
    assert row.figures.committed == D("450000.00")
    assert row.figures.spent == D("37500.00")
    assert row.figures.headroom == D("6250000.00")


def test_the_command_prints_the_position_as_json_with_every_amount_a_string_of_two_decimals():
    tree(("B", None), ("A", "B"))
    services.budget_amount_save(line="A", year=2019, amount=D("12.5"), by=None)
    services.approval_save(
        reference="X1", line="B", amount=D("7"), approved_on=date(2019, 4, 2), decision=None, by=None
    )
    done = pegasus("finance", "position", "--as-at", "2019-05-01", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["as_at"] == "2019-05-01" and out["year"] == "2019-20"
    assert [line["code"] for line in out["lines"]] == ["A", "B"]  # in code order
    assert out["lines"][0] == {
        "code": "A",
        "name": "Line A",
        "parent": "B",
        "budget": "12.50",
        "actual": "0.00",
        "committed_open": "0.00",
        "forecast_remaining": "0.00",
        "outturn": "0.00",
        "variance": "12.50",
        "available": "12.50",
    }
    assert out["lines"][1]["parent"] is None and out["lines"][1]["budget"] == "12.50"
    assert out["approvals"] == [
        {
            "id": "X1",
            "budget_line": "B",
            "decision": None,
            "approved": "7.00",
            "committed": "0.00",
            "spent": "0.00",
            "headroom": "7.00",
        }
    ]
    assert (
        json.loads(pegasus("finance", "position", "--as-at", "2019-05-01", "--year", "2020-21", "--json").stdout)[
            "year"
        ]
        == "2020-21"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as-at", "2019-02-30"), "--as-at: '2019-02-30' is not a date"),
        (("--as-at", "2019-05-01", "--year", "2019-21"), "--year: '2019-21' is not a financial year"),
    ],
)
def test_a_bad_option_exits_2_naming_it(args, message):
    done = pegasus("finance", "position", *args, "--json")
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1


# --- A property: the position equals a plain reference computed from the same rows -----------------------------------

CODES = ["L0", "L1", "L2", "L3", "L4"]
money = st.decimals(min_value=0, max_value=100_000, places=2)
# Any day, often one of the days a year turns on.
when = st.dates(min_value=date(2018, 10, 1), max_value=date(2021, 3, 31)) | st.sampled_from(
    [date(2019, 3, 31), date(2019, 4, 1), date(2020, 3, 31), date(2020, 4, 1)]
)


@st.composite
def ledgers(draw):
    parents = {"L0": None}
    for n, code in enumerate(CODES[1:], start=1):
        parents[code] = draw(st.sampled_from([None, *CODES[:n]]))
    budgets = draw(
        st.dictionaries(st.tuples(st.sampled_from(CODES), st.sampled_from([2018, 2019, 2020])), money, max_size=8)
    )
    commitments = []
    for n in range(draw(st.integers(0, 6))):
        raised = draw(when)
        cancelled = draw(st.none() | st.integers(0, 300).map(lambda d, r=raised: r + timedelta(days=d)))
        commitments.append((f"C{n}", draw(st.sampled_from(CODES)), raised, draw(money), cancelled))
    actuals = []
    for n in range(draw(st.integers(0, 8))):
        against = draw(st.none() | st.sampled_from(commitments)) if commitments else None
        paid = draw(when)
        if against is not None and against[4] is not None and paid >= against[4]:
            paid = against[2] if against[4] > against[2] else None  # paid before the cancellation, or not against it
            if paid is None:
                against, paid = None, draw(when)
        line = against[1] if against else draw(st.sampled_from(CODES))
        actuals.append((f"A{n}", line, against[0] if against else None, paid, draw(money)))
    forecasts = draw(
        st.dictionaries(st.tuples(st.sampled_from(CODES), when.map(lambda d: d.replace(day=1))), money, max_size=8)
    )
    return parents, budgets, commitments, actuals, forecasts


def reference(parents, budgets, commitments, actuals, forecasts, as_at, year):
    """The definitions, read plainly: own figures line by line, then each line plus everything below it."""
    start, end = date(year, 4, 1), date(year + 1, 3, 31)
    own = {}
    for code in parents:
        paid_to = {}
        for _, _, against, paid, amount in actuals:
            if against and paid <= as_at:
                paid_to[against] = paid_to.get(against, 0) + amount
        own[code] = {
            "budget": budgets.get((code, year), D(0)),
            "actual": sum((a[4] for a in actuals if a[1] == code and start <= a[3] <= as_at), D(0)),
            "committed_open": sum(
                (
                    max(D(0), c[3] - paid_to.get(c[0], 0))
                    for c in commitments
                    if c[1] == code and c[2] <= as_at and (c[4] is None or c[4] > as_at)
                ),
                D(0),
            ),
            "forecast_remaining": sum(
                (
                    v
                    for (line, month), v in forecasts.items()
                    if line == code and start <= month <= end and (month.year, month.month) > (as_at.year, as_at.month)
                ),
                D(0),
            ),
        }

    def below(code):
        return [code] + [c for c in parents if parents[c] == code for c in below(c)]

    result = {}
    for code in parents:
        total = {k: sum((own[c][k] for c in below(code)), D(0)) for k in own[code]}
        total["outturn"] = total["actual"] + total["forecast_remaining"]
        total["variance"] = total["budget"] - total["outturn"]
        total["available"] = total["budget"] - total["actual"] - total["committed_open"]
        result[code] = {k: f"{v:.2f}" for k, v in total.items()}
    return result


class PositionProperty(HypothesisTestCase):
    @settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
    @given(ledgers(), when, st.sampled_from([None, 2018, 2019, 2020]))
    def test_the_position_equals_the_definitions_read_plainly(self, ledger, as_at, year):
        parents, budgets, commitments, actuals, forecasts = ledger
        rows = [BudgetLine(code=code, name=code, parent_id=None) for code in CODES]
        BudgetLine.objects.bulk_create(rows)
        for code, parent in parents.items():
            BudgetLine.objects.filter(code=code).update(parent_id=parent)
        BudgetAmount.objects.bulk_create(BudgetAmount(line_id=c, year=y, amount=v) for (c, y), v in budgets.items())
        Approval.objects.create(reference="AP", line_id="L0", amount=D("1000000000"), approved_on=date(2018, 1, 1))
        Commitment.objects.bulk_create(
            Commitment(
                reference=r, line_id=line, approval_id="AP", supplier="S", raised_on=raised, amount=a, cancelled_on=c
            )
            for r, line, raised, a, c in commitments
        )
        Actual.objects.bulk_create(
            Actual(reference=r, line_id=line, commitment_id=c, paid_on=paid, amount=a)
            for r, line, c, paid, a in actuals
        )
        Forecast.objects.bulk_create(Forecast(line_id=c, month=m, amount=v) for (c, m), v in forecasts.items())

        got = selectors.position(as_at=as_at, year=year).to_json()
        want = reference(
            parents, budgets, commitments, actuals, forecasts, as_at, rules.year_of(as_at) if year is None else year
        )
        assert {
            line["code"]: {k: v for k, v in line.items() if k not in ("code", "name", "parent")}
            for line in got["lines"]
        } == want
        live = [c for c in commitments if c[2] <= as_at and (c[4] is None or c[4] > as_at)]
        committed = sum((c[3] for c in live), D(0))
        spent = sum((a[4] for a in actuals if a[2] in {c[0] for c in live} and a[3] <= as_at), D(0))
        assert got["approvals"][0]["committed"] == f"{committed:.2f}"
        assert got["approvals"][0]["spent"] == f"{spent:.2f}"
        assert got["approvals"][0]["headroom"] == f"{D('1000000000') - committed:.2f}"
