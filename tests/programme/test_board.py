"""The programme board: the overall status rule, the month a report reads, decisions due and changes pending as at a
day, and the highlight report as PDF and DOCX from the page and the command."""

import io
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from pypdf import PdfReader

from pegasus.programme.selectors import board
from pegasus.programme.selectors.board import DecisionDue, ExitLine, MilestoneLine, RaidLine, overall_status
from tests.commands import pegasus

DAY = date(2019, 5, 31)


def milestone(rag: str, name: str = "Go to market") -> MilestoneLine:
    return MilestoneLine(name, "Programme director", DAY, DAY, None, rag, 0)


def raid(reference: str, escalated: bool) -> RaidLine:
    return RaidLine(1, reference, "risk", "A risk", "Owner", "Score 16 of 25", escalated)


def exit_line(red_flag: bool) -> ExitLine:
    return ExitLine(1, "T1-002", "Supplier", "PEG-2019-01", None, 0, 0, DAY, DAY, DAY, "Gap", red_flag)


def decision(overdue: bool) -> DecisionDue:
    return DecisionDue(1, "PCD 579", "Pegasus", DAY, "Draft", "DMPC", overdue)


class TestMonth:
    @pytest.mark.parametrize(
        ("month", "end"),
        [("2019-05", date(2019, 5, 31)), ("2020-02", date(2020, 2, 29)), ("2019-02", date(2019, 2, 28))],
    )
    def test_a_report_reads_the_programme_as_at_the_months_last_day(self, month, end):
        assert board.month_end(month) == end

    @pytest.mark.parametrize("month", ["2019-13", "2019-00", "2019-5", "May 2019", "", "2019-05-31", "0999-01"])
    def test_anything_but_a_real_yyyy_mm_is_refused_naming_the_field(self, month):
        with pytest.raises(board.MonthInputError, match="Month: enter it as YYYY-MM"):
            board.month_end(month)


class TestOverallStatus:
    def test_green_with_nothing_late_or_escalated(self):
        status = overall_status([milestone("green"), milestone("complete")], [raid("R-001", False)], [], [], [])
        assert status.rag == "green"
        assert status.colour == "green"

    @pytest.mark.parametrize(
        ("parts", "rag", "reason"),
        [
            ({"milestones": [milestone("amber")]}, "amber", "1 milestone amber: Go to market"),
            ({"risks": [raid("R-004", True)]}, "amber", "1 risk scoring 15 or more: R-004"),
            ({"decisions": [decision(True)]}, "amber", "1 decision overdue: PCD 579"),
            ({"milestones": [milestone("red")]}, "red", "1 milestone red: Go to market"),
            ({"issues": [raid("I-001", True)]}, "red", "1 critical issue open: I-001"),
            (
                {"exits": [exit_line(True), exit_line(True)]},
                "red",
                "2 contracts would end before its replacement starts: T1-002; T1-002",
            ),
        ],
    )
    def test_each_trigger_sets_its_colour_and_names_itself(self, parts, rag, reason):
        args = {"milestones": [], "risks": [], "issues": [], "exits": [], "decisions": []} | parts
        status = overall_status(**args)
        assert (status.rag, status.reasons) == (rag, [reason])

    def test_red_outranks_amber_and_keeps_the_amber_reasons(self):
        status = overall_status([milestone("amber", "A"), milestone("red", "B")], [raid("R-1", True)], [], [], [])
        assert status.rag == "red"
        assert status.reasons == [
            "1 milestone red: B",
            "1 milestone amber: A",
            "1 risk scoring 15 or more: R-1",
        ]

    def test_what_is_not_escalated_or_flagged_does_not_count(self):
        status = overall_status([], [raid("R-1", False)], [raid("I-1", False)], [exit_line(False)], [decision(False)])
        assert status.rag == "green"


@pytest.fixture(scope="module")
def loaded(module_transaction):
    """Every demonstration, once for the module, through `pegasus demo`."""
    from django.core.management import call_command

    call_command("demo", "--json")


@pytest.mark.django_db
class TestAsAt:
    def test_pcd_579_is_due_before_it_was_taken_and_not_after(self, loaded):
        before = {d.reference: d for d in board.decisions_due(date(2019, 5, 23))}
        assert before["PCD 579"].required_by == date(2019, 6, 7)
        assert before["PCD 579"].status == "Awaiting decision"
        assert not before["PCD 579"].overdue
        after = {d.reference for d in board.decisions_due(date(2019, 6, 11))}
        assert "PCD 579" not in after

    def test_a_decision_required_more_than_three_months_ahead_is_not_yet_due(self, loaded):
        due = board.decisions_due(date(2019, 3, 1))  # PCD 579 is required by 7 June: 98 days later
        assert "PCD 579" not in {d.reference for d in due}

    def test_the_changes_pending_are_those_proposed_by_the_day_and_not_yet_in_effect(self, loaded):
        pending = {(c.contract, c.state) for c in board.changes_pending(date(2019, 5, 23))}
        assert ("MPS-DP-T2-102", "Proposed") in pending
        assert "MPS-DP-T2-103" not in {contract for contract, _ in pending}  # its break is proposed in March 2020
        later = {(c.contract, c.state) for c in board.changes_pending(date(2020, 3, 20))}
        assert ("MPS-DP-T2-103", "Approved") in later  # approved on 16 March; the break takes effect on 31 May 2020
        assert ("MPS-DP-T2-103", "Approved") not in {
            (c.contract, c.state) for c in board.changes_pending(date(2020, 5, 31))
        }

    def test_the_money_is_the_finance_position_of_the_year_with_approvals_given_by_the_day(self, loaded):
        before = board.finance(date(2019, 5, 31))
        assert before.year_label == "2019-20"
        assert before.approvals == []
        after = board.finance(date(2019, 6, 30))
        (pcd579,) = after.approvals
        assert pcd579.approved == Decimal("6700000.00")
        assert pcd579.headroom == pcd579.approved - pcd579.committed


@pytest.mark.django_db
class TestTheDemoBoard:
    """The demonstration's board tells a reader who was not there where the programme stood on 23 May 2019."""

    def test_it_is_amber_for_the_decision_running_late_and_two_risks_to_escalate(self, loaded):
        found = board.board(date(2019, 5, 23))
        assert found.status.rag == "amber"
        assert found.status.reasons[0].startswith("1 milestone amber: PCD 579 decision")
        assert found.status.reasons[1] == "2 risks scoring 15 or more: R-003; R-005"

    def test_it_reads_every_area_as_at_the_day(self, loaded):
        found = board.board(date(2019, 5, 23))
        assert len(found.milestones) == 10
        assert [r.reference for r in found.risks][:2] == ["R-003", "R-005"]
        assert {(c.reference, c.status) for c in found.cases} >= {("PEG-OBC", "Awaiting decision")}
        assert {e.replacement for e in found.exits} == {"PEG-2019-01"}
        assert len(found.exits) == 5

    def test_the_money_is_the_programmes_own_line_and_the_lines_below_it(self, loaded):
        found = board.board(date(2019, 6, 30))
        assert [(line.code, line.depth) for line in found.finance.lines][0] == ("DP-PEG", 0)
        assert {line.depth for line in found.finance.lines[1:]} == {1}
        assert "DP" not in {line.code for line in found.finance.lines}
        assert [a.reference for a in found.finance.approvals] == ["PCD579"]

    def test_after_the_decision_the_obc_is_approved_and_the_milestone_complete(self, loaded):
        found = board.board(date(2019, 6, 30))
        assert ("PEG-OBC", "Approved") in {(c.reference, c.status) for c in found.cases}
        pcd = next(m for m in found.milestones if m.name.startswith("PCD 579"))
        assert (pcd.rag, pcd.actual_on) == ("complete", date(2019, 6, 10))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.django_db
class TestReport:
    def test_the_command_writes_the_months_report_as_pdf_and_docx(self, loaded, tmp_path):
        pdf, docx = tmp_path / "may.pdf", tmp_path / "may.docx"
        for out in (pdf, docx):
            result = pegasus("programme", "report", "--month", "2019-05", "--out", str(out))
            assert result.returncode == 0, result.stderr
            assert "as at 31 May 2019" in result.stdout
        text = pdf_text(pdf.read_bytes())
        assert "Pegasus Programme: highlight report" in text
        assert "OFFICIAL-SENSITIVE [COMMERCIAL]" in text
        assert "May 2019, as at 31 May 2019" in text
        assert "PCD 579" in text  # the decision due on 7 June 2019
        document = Document(str(docx))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        assert headings[0].startswith("Overall status: ")
        assert "Decisions due in the next three months" in headings
        assert document.sections[0].header.paragraphs[0].text == "OFFICIAL-SENSITIVE [COMMERCIAL]"
        cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
        assert any(text.startswith("PCD 579 ") for text in cells)

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--month", "2019-13", "--out", "x.pdf"], "--month: Month: enter it as YYYY-MM"),
            (["--month", "2019-05", "--out", "x.txt"], "--out: 'x.txt' must end .pdf or .docx"),
        ],
    )
    def test_bad_input_exits_2_with_one_line(self, loaded, tmp_path, args, message):
        result = pegasus("programme", "report", *args)
        assert result.returncode == 2
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

    def test_the_page_offers_the_report_and_serves_it(self, loaded, signed_in):
        client, _ = signed_in("programme-director")
        page = client.get("/programme/?as_at=2019-05-23")
        assert page.status_code == 200
        assert b"/programme/report/2019-05.pdf" in page.content
        response = client.get("/programme/report/2019-05.pdf")
        assert response["Content-Type"] == "application/pdf"
        assert "Pegasus Programme: highlight report" in pdf_text(response.content)
        docx = client.get("/programme/report/2019-05.docx")
        assert Document(io.BytesIO(docx.content)).paragraphs[0].text == "Pegasus Programme: highlight report"

    @pytest.mark.parametrize("path", ["/programme/report/2019-13.pdf", "/programme/report/2019-05.txt"])
    def test_a_month_or_format_that_does_not_exist_is_not_found(self, loaded, signed_in, path):
        client, _ = signed_in("programme-director")
        assert client.get(path).status_code == 404
