"""Importing the ledgers: every kind from CSV and XLSX, the whole file or nothing, the same file twice changes nothing,
and every bad cell named by its line and column."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from pegasus.core.exceptions import ImportRejected
from pegasus.finance import imports, selectors, services
from pegasus.finance.models import Actual, Approval, BudgetAmount, BudgetLine, Commitment, Forecast
from tests.commands import pegasus

D = Decimal
pytestmark = pytest.mark.django_db

BUDGETS = """code,name,parent,year,amount
DP-PEG-CONS,Consultancy (Bloom),DP-PEG,2019-20,2000000.00
DP-PEG,Pegasus programme,DP,2019-20,0
DP,Digital Policing,,2019-20,"200,000,000.00"
DP,Digital Policing,,2020-21,200000000
DP-PEG-LEGAL,Legal (NLSF),DP-PEG,,
"""
APPROVALS = "id,budget_line,amount,approved_on,decision\nPCD579,DP-PEG,6700000,2019-06-10,\n"
COMMITMENTS = """id,budget_line,approval,supplier,description,raised_on,amount,cancelled_on
PO-1,DP-PEG-CONS,PCD579,Bloom,Requirements,2019-06-17,450000.00,
PO-2,DP-PEG-LEGAL,,NLSF firm,Legal advice,17/06/2019,£25000,2019-12-31
"""
ACTUALS = """id,budget_line,commitment,paid_on,amount
INV-1,DP-PEG-CONS,PO-1,2019-07-31,37500
INV-2,DP-PEG,,2019-08-01,99.99
"""
FORECASTS = "budget_line,month,amount\nDP-PEG-CONS,2019-08,40000\nDP-PEG-CONS,2019-09,40000\n"
FILES = {
    "budgets": BUDGETS,
    "approvals": APPROVALS,
    "commitments": COMMITMENTS,
    "actuals": ACTUALS,
    "forecasts": FORECASTS,
}


def load(kind, text, name=None):
    return imports.ledger_import(kind, filename=name or f"{kind}.csv", data=text.encode(), by=None)


def load_all():
    return {kind: load(kind, text) for kind, text in FILES.items()}


def rows() -> tuple:
    return tuple(
        sorted(map(str, m.objects.values_list()))
        for m in (BudgetLine, BudgetAmount, Approval, Commitment, Actual, Forecast)
    )


def test_each_ledger_imports_and_the_position_reads_it():
    results = load_all()
    assert {kind: (r.created, r.updated, r.unchanged) for kind, r in results.items()} == {
        "budgets": (5, 0, 0),
        "approvals": (1, 0, 0),
        "commitments": (2, 0, 0),
        "actuals": (2, 0, 0),
        "forecasts": (2, 0, 0),
    }
    assert BudgetLine.objects.get(code="DP-PEG-CONS").parent_id == "DP-PEG"  # its parent came later in the file
    assert BudgetLine.objects.get(code="DP-PEG-LEGAL").amounts.count() == 0  # a row that names the line alone
    assert Commitment.objects.get(reference="PO-2").raised_on == date(2019, 6, 17)
    assert Commitment.objects.get(reference="PO-2").amount == D("25000.00")
    position = selectors.position(as_at=date(2019, 8, 1))
    assert position.line("DP").total.budget == D("202000000.00")
    assert position.line("DP-PEG").total.actual == D("37599.99")
    assert position.line("DP-PEG").total.committed_open == D("412500.00") + D("25000.00")
    assert position.line("DP-PEG-CONS").total.forecast_remaining == D("40000.00")


def test_the_same_files_again_change_nothing():
    load_all()
    before = rows()
    again = load_all()
    assert all((r.created, r.updated) == (0, 0) for r in again.values())
    assert again["budgets"].unchanged == 5 and again["actuals"].unchanged == 2
    assert rows() == before


def test_a_changed_row_is_updated_by_its_id():
    load_all()
    result = load("commitments", COMMITMENTS.replace("450000.00", "500000.00"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Commitment.objects.get(reference="PO-1").amount == D("500000.00")


def test_an_xlsx_file_imports_as_a_csv_does():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "budget_line", "commitment", "paid_on", "amount"])
    sheet.append(["INV-9", "DP", None, date(2019, 5, 3), 1234.5])
    data = io.BytesIO()
    workbook.save(data)
    load("budgets", BUDGETS)
    result = imports.ledger_import("actuals", filename="actuals.xlsx", data=data.getvalue(), by=None)
    assert result.created == 1
    assert Actual.objects.get(reference="INV-9").amount == D("1234.50")


@pytest.mark.parametrize(
    ("kind", "text", "line", "column", "message"),
    [
        ("budgets", "code,name,parent,year,amount\nA,A,,2019-21,5\n", 2, "year", "is not a financial year"),
        ("budgets", "code,name,parent,year,amount\nA,A,,2019-20,\n", 2, "amount", "both its year and its amount"),
        ("budgets", "code,name,parent,year,amount\nA,A,NOPE,2019-20,5\n", 2, "parent", "'NOPE' is not a budget line"),
        ("budgets", "code,name,parent,year,amount\nA,A,B,,\nB,B,A,,\n", 2, "parent", "would sit below itself"),
        ("budgets", "code,name,parent,year,amount\nA,A,,2019-20,5\nA,A,,2019-20,6\n", 3, "year", "also on line 2"),
        (
            "budgets",
            "code,name,parent,year,amount\nA,A,,2019-20,5\nA,Other,,2020-21,6\n",
            3,
            "name",
            "has another name",
        ),
        ("budgets", "code,name,parent,year,amount\nA,A,,2019-20,-5\n", 2, "amount", "is negative"),
        (
            "approvals",
            "id,budget_line,amount,approved_on,decision\nX,NOPE,5,2019-06-10,\n",
            2,
            "budget_line",
            "'NOPE' is not a budget line held",
        ),
        (
            "approvals",
            "id,budget_line,amount,approved_on,decision\nX,DP,5,2019-06-10,PCD 999\n",
            2,
            "decision",
            "'PCD 999' is not a decision approved in Pegasus",
        ),
        (
            "approvals",
            "id,budget_line,amount,approved_on,decision\nX,DP,5,10 June 2019,\n",
            2,
            "approved_on",
            "is not a date",
        ),
        (
            "commitments",
            "id,budget_line,approval,supplier,description,raised_on,amount,cancelled_on\nC,DP,NOPE,S,,2019-06-10,5,\n",
            2,
            "approval",
            "'NOPE' is not an approval held",
        ),
        (
            "commitments",
            "id,budget_line,approval,supplier,description,raised_on,amount,cancelled_on\nC,DP,,S,,2019-06-10,5,2019-06-01\n",
            2,
            "cancelled_on",
            "before the commitment was raised",
        ),
        (
            "commitments",
            "id,budget_line,approval,supplier,description,raised_on,amount,cancelled_on\nC,DP,,,,2019-06-10,5,\n",
            2,
            "supplier",
            "supplier is required",
        ),
        (
            "commitments",
            "id,budget_line,approval,supplier,description,raised_on,amount,cancelled_on,contract\nC,DP,,S,,2019-06-10,5,,NOPE\n",
            2,
            "contract",
            "'NOPE' is not a contract held",
        ),
        (
            "actuals",
            "id,budget_line,commitment,paid_on,amount\nA,DP,NOPE,2019-06-10,5\n",
            2,
            "commitment",
            "'NOPE' is not a commitment held",
        ),
        (
            "actuals",
            "id,budget_line,commitment,paid_on,amount\nA,DP,,2019-06-10,five\n",
            2,
            "amount",
            "is not an amount of money",
        ),
        (
            "actuals",
            "id,budget_line,commitment,paid_on,amount\nA,DP,,2019-06-10,5\nA,DP,,2019-06-11,6\n",
            3,
            "id",
            "Actual A is also on line 2",
        ),
        ("forecasts", "budget_line,month,amount\nDP,2019-13,5\n", 2, "month", "is not a month"),
        ("forecasts", "budget_line,month,amount\nDP,2019-08,5\nDP,2019-08-15,6\n", 3, "month", "is also on line 2"),
        ("forecasts", "budget_line,month\nDP,2019-08\n", 1, "amount", "The amount column is missing"),
    ],
)
def test_a_bad_cell_is_named_by_line_and_column_and_nothing_is_imported(kind, text, line, column, message):
    services.budget_line_save(code="DP", name="Digital Policing", parent=None, by=None)
    before = rows()
    with pytest.raises(ImportRejected) as rejected:
        load(kind, text)
    first = rejected.value.errors[0]
    assert (first.line, first.column) == (line, column)
    assert message in first.message
    assert rows() == before


def test_a_decision_named_is_linked_when_it_is_approved_in_pegasus(demo):
    from pegasus.governance.demo import decisions_demo_load

    decisions_demo_load()
    load("budgets", BUDGETS)
    load("approvals", APPROVALS.replace("2019-06-10,", "2019-06-10,PCD 579"))
    approval = Approval.objects.get(reference="PCD579")
    assert approval.decision.reference == "PCD 579" and approval.decision.status == "approved"
    assert selectors.position(as_at=date(2019, 7, 1)).to_json()["approvals"][0]["decision"] == "PCD 579"


def test_the_command_imports_and_answers_bad_input_on_one_line(tmp_path):
    path = tmp_path / "budgets.csv"
    path.write_text(BUDGETS)
    done = pegasus("finance", "import", "budgets", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "kind": "budgets",
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "suppliers_created": 0,
    }
    again = pegasus("finance", "import", "budgets", str(path), "--json")
    assert json.loads(again.stdout)["unchanged"] == 5
    path.write_text("code,name,parent,year,amount\nX,X,,2019-20,lots\n")
    bad = pegasus("finance", "import", "budgets", str(path), "--json")
    assert bad.returncode == 2
    assert bad.stderr == (
        "error: budgets.csv: Line 2, column amount: 'lots' is not an amount of money, such as 1,250,000.00. "
        "Nothing was imported.\n"
    )
    assert pegasus("finance", "import", "budgets", str(tmp_path / "missing.csv")).returncode == 2
    assert pegasus("finance", "import", "payments", str(path)).returncode == 2


@pytest.mark.parametrize("kind", imports.KINDS)
def test_each_template_names_the_columns_in_order_and_imports_as_it_is(kind):
    csv_text = imports.template(kind, "csv").decode()
    header = csv_text.splitlines()[0].split(",")
    assert header == [c.name for c in imports.COLUMNS[kind]]
    workbook = load_workbook(io.BytesIO(imports.template(kind, "xlsx")))
    assert [c.value for c in workbook.active[1]] == header
    assert workbook.sheetnames[1] == "Notes"
