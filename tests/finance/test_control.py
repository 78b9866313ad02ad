"""The control: no commitment takes an approval past what it approved, from any way in, and a refusal writes
nothing; cancelling frees headroom; an actual cannot pay a cancelled commitment nor sit on another line."""

import json
from datetime import date
from decimal import Decimal

import pytest

from pegasus.core.models import AuditEvent
from pegasus.finance import selectors, services
from pegasus.finance.models import Actual, Approval, BudgetAmount, BudgetLine, Commitment, Forecast
from pegasus.finance.services import FinanceRefused
from tests.commands import pegasus

D = Decimal
pytestmark = pytest.mark.django_db
SHORTFALL = (
    r"This would commit more than approval PCD579 allows: its headroom is £{headroom} and the commitment needs "
    r"£{shortfall} more\. A further approval of £{shortfall} would need {approver} under the scheme of delegation\."
)


@pytest.fixture
def approval():
    for code, parent in (("PEG", None), ("CONS", "PEG"), ("LEGAL", "PEG")):
        services.budget_line_save(code=code, name=code, parent=parent, by=None)
    services.approval_save(
        reference="PCD579", line="PEG", amount=D("6700000.00"), approved_on=date(2019, 6, 10), decision=None, by=None
    )
    commit("C1", "6000000.00", date(2019, 6, 17))
    return "PCD579"


def commit(reference, amount, raised_on, *, line="CONS", approval="PCD579", cancelled_on=None):
    return services.commitment_save(
        reference=reference,
        line=line,
        approval=approval,
        supplier="Independent consultants (Bloom)",
        description="Programme support",
        raised_on=raised_on,
        amount=D(amount),
        cancelled_on=cancelled_on,
        contract=None,
        by=None,
    )


def everything() -> tuple:
    """Every row of the ledgers, their history and the audit trail: a refusal leaves all of it as it was."""
    models = (BudgetLine, BudgetAmount, Approval, Commitment, Actual, Forecast)
    rows = tuple(sorted(map(str, m.objects.values_list())) for m in models)
    history = tuple(m.history.count() for m in models)
    return rows, history, AuditEvent.objects.count()


def headroom(day=date(2020, 1, 1)):
    return selectors.position(as_at=day).approvals[0].figures.headroom


def test_a_commitment_within_the_headroom_is_raised(approval):
    commit("C2", "700000.00", date(2019, 7, 1))
    assert headroom() == D("0.00")


def test_a_commitment_over_the_headroom_is_refused_naming_the_approval_headroom_shortfall_and_approver(approval):
    before = everything()
    with pytest.raises(
        FinanceRefused, match=SHORTFALL.format(headroom="700,000.00", shortfall="50,000.00", approver=".+")
    ) as refused:
        commit("C2", "750000.00", date(2019, 7, 1))
    assert refused.value.field == "amount"
    assert everything() == before


def test_the_approver_named_is_the_one_the_scheme_names_for_the_shortfall(approval):
    big = pegasus(
        "rules", "approver", "--decision-type", "business-case", "--value", "1000000", "--date", "2019-07-01", "--json"
    )
    small = pegasus(
        "rules", "approver", "--decision-type", "business-case", "--value", "100", "--date", "2019-07-01", "--json"
    )
    big_approver, small_approver = json.loads(big.stdout)["approver"], json.loads(small.stdout)["approver"]
    assert big_approver != small_approver
    with pytest.raises(FinanceRefused) as refused:
        commit("C2", "1700000.00", date(2019, 7, 1))
    assert f"would need {big_approver}" in str(refused.value)
    with pytest.raises(FinanceRefused) as refused:
        commit("C3", "700100.00", date(2019, 7, 1))
    assert f"would need {small_approver}" in str(refused.value)


def test_increasing_a_commitment_past_the_headroom_is_refused_and_leaves_it_as_it_was(approval):
    before = everything()
    with pytest.raises(FinanceRefused, match="needs £1.00 more"):
        commit("C1", "6700001.00", date(2019, 6, 17))
    assert everything() == before
    assert Commitment.objects.get(reference="C1").amount == D("6000000.00")


def test_a_commitment_back_dated_before_a_later_one_is_checked_on_every_day_after_it(approval):
    commit("C2", "500000.00", date(2019, 9, 1))  # 6.5m committed from September
    with pytest.raises(FinanceRefused, match="needs £100,000.00 more"):
        commit("C3", "300000.00", date(2019, 7, 1))  # fits in July, but not from September


def test_cancelling_a_commitment_frees_its_headroom_from_the_day_it_is_cancelled(approval):
    services.commitment_cancel(reference="C1", on=date(2019, 8, 1), by=None)
    assert headroom(date(2019, 7, 31)) == D("700000.00")
    assert headroom(date(2019, 8, 1)) == D("6700000.00")
    commit("C2", "6700000.00", date(2019, 8, 1))
    with pytest.raises(FinanceRefused):
        commit("C3", "6700000.00", date(2019, 7, 1))  # on the days C1 still counts, there is no room


def test_reinstating_a_cancelled_commitment_is_refused_when_its_room_has_gone(approval):
    services.commitment_cancel(reference="C1", on=date(2019, 8, 1), by=None)
    commit("C2", "6700000.00", date(2019, 8, 1))
    with pytest.raises(FinanceRefused, match="approval PCD579"):
        commit("C1", "6000000.00", date(2019, 6, 17), cancelled_on=None)


def test_an_approval_cannot_be_reduced_below_what_is_committed_against_it(approval):
    before = everything()
    with pytest.raises(FinanceRefused, match="Approval PCD579 has £6,000,000.00 committed against it"):
        services.approval_save(
            reference="PCD579",
            line="PEG",
            amount=D("5000000.00"),
            approved_on=date(2019, 6, 10),
            decision=None,
            by=None,
        )
    assert everything() == before


def test_an_actual_against_a_cancelled_commitment_is_refused(approval):
    services.actual_save(
        reference="A1", line="CONS", commitment="C1", paid_on=date(2019, 7, 31), amount=D("1"), by=None
    )
    services.commitment_cancel(reference="C1", on=date(2019, 8, 1), by=None)
    before = everything()
    with pytest.raises(FinanceRefused, match="Commitment C1 was cancelled on 2019-08-01") as refused:
        services.actual_save(
            reference="A2", line="CONS", commitment="C1", paid_on=date(2019, 8, 1), amount=D("1"), by=None
        )
    assert refused.value.field == "commitment"
    assert everything() == before


def test_a_commitment_cannot_be_cancelled_before_a_payment_made_against_it(approval):
    services.actual_save(
        reference="A1", line="CONS", commitment="C1", paid_on=date(2019, 9, 30), amount=D("1"), by=None
    )
    with pytest.raises(FinanceRefused, match="has actual A1 paid on 2019-09-30"):
        services.commitment_cancel(reference="C1", on=date(2019, 9, 1), by=None)


def test_an_actual_on_another_line_than_its_commitment_is_refused(approval):
    before = everything()
    with pytest.raises(
        FinanceRefused, match="Actual A1 is on budget line LEGAL, but commitment C1 is on CONS"
    ) as refused:
        services.actual_save(
            reference="A1", line="LEGAL", commitment="C1", paid_on=date(2019, 7, 31), amount=D("1"), by=None
        )
    assert refused.value.field == "budget_line"
    assert everything() == before


def test_a_commitment_with_actuals_cannot_move_to_another_line(approval):
    services.actual_save(
        reference="A1", line="CONS", commitment="C1", paid_on=date(2019, 7, 31), amount=D("1"), by=None
    )
    with pytest.raises(FinanceRefused, match="has actuals on budget line CONS"):
        commit("C1", "6000000.00", date(2019, 6, 17), line="LEGAL")


def test_a_budget_line_cannot_sit_below_itself():
    services.budget_line_save(code="A", name="A", parent=None, by=None)
    services.budget_line_save(code="B", name="B", parent="A", by=None)
    with pytest.raises(FinanceRefused, match="a budget line cannot be its own ancestor"):
        services.budget_line_save(code="A", name="A", parent="B", by=None)


def test_saving_a_row_as_it_is_records_nothing(approval):
    before = everything()
    assert commit("C1", "6000000.00", date(2019, 6, 17)).outcome == "unchanged"
    assert everything() == before


def test_every_change_is_attributed_and_kept_in_history(approval, make_user):
    finance = make_user("finance")
    services.commitment_save(
        reference="C1",
        line="CONS",
        approval="PCD579",
        supplier="Independent consultants (Bloom)",
        description="Programme support",
        raised_on=date(2019, 6, 17),
        amount=D("5000000.00"),
        cancelled_on=None,
        contract=None,
        by=finance,
    )
    latest = Commitment.history.filter(reference="C1").latest("history_date")
    assert latest.history_user == finance and latest.amount == D("5000000.00")
    assert Commitment.history.filter(reference="C1").count() == 2
    event = AuditEvent.objects.filter(action="finance.commitment-updated").get()
    assert event.actor == finance and event.object_id == str(Commitment.objects.get(reference="C1").pk)


# --- The same refusal from the import and the command -------------------------------------------------------------


def test_an_import_that_would_exceed_an_approval_is_refused_whole_naming_the_line(approval, tmp_path):
    path = tmp_path / "commitments.csv"
    path.write_text(
        "id,budget_line,approval,supplier,description,raised_on,amount,cancelled_on\n"
        "C2,CONS,PCD579,Bloom,Fine on its own,2019-07-01,500000.00,\n"
        "C3,LEGAL,PCD579,NLSF firm,Too much with C2,2019-07-02,250000.00,\n"
        "C4,LEGAL,,NLSF firm,No approval,2019-07-02,1.00,\n"
    )
    before = everything()
    done = pegasus("finance", "import", "commitments", str(path), "--json")
    assert done.returncode == 2
    assert done.stderr.startswith(
        "error: commitments.csv: Line 3, column amount: This would commit more than approval PCD579"
    )
    assert "its headroom is £200,000.00 and the commitment needs £50,000.00 more" in done.stderr
    assert done.stderr.count("\n") == 1
    assert everything() == before


def test_an_import_that_cancels_a_commitment_frees_room_for_another_in_the_same_file(approval, tmp_path):
    path = tmp_path / "commitments.csv"
    path.write_text(
        "id,budget_line,approval,supplier,description,raised_on,amount,cancelled_on\n"
        "C2,CONS,PCD579,Bloom,Needs C1's room,2019-08-01,6700000.00,\n"
        "C1,CONS,PCD579,Bloom,Programme support,2019-06-17,6000000.00,2019-08-01\n"
    )
    done = pegasus("finance", "import", "commitments", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert headroom(date(2019, 8, 1)) == D("0.00")


def test_an_actual_import_against_a_cancelled_commitment_is_refused_whole(approval, tmp_path):
    services.commitment_cancel(reference="C1", on=date(2019, 8, 1), by=None)
    path = tmp_path / "actuals.csv"
    path.write_text("id,budget_line,commitment,paid_on,amount\nA1,CONS,C1,2019-07-31,10\nA2,CONS,C1,2019-08-02,10\n")
    before = everything()
    done = pegasus("finance", "import", "actuals", str(path))
    assert done.returncode == 2
    assert "Line 3, column commitment: Commitment C1 was cancelled on 2019-08-01" in done.stderr
    assert everything() == before
