"""The position as a workbook for people: every line rolled up, every approval, and a sheet that states what each
figure means, in the words of `finance.rules` and `finance.selectors`."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from pegasus.core import spreadsheets

MARKING = "OFFICIAL"
LINE_FIGURES = [
    ("budget", "Budget (£)"),
    ("actual", "Actual (£)"),
    ("committed_open", "Committed, open (£)"),
    ("forecast_remaining", "Forecast remaining (£)"),
    ("outturn", "Outturn (£)"),
    ("variance", "Variance (£)"),
    ("available", "Available (£)"),
]
LINE_HEADERS = ["Code", "Name", "Parent", "Depth", *(label for _, label in LINE_FIGURES)]
APPROVAL_HEADERS = [
    "Reference",
    "Budget line",
    "Decision",
    "Approved on",
    "Approved (£)",
    "Committed (£)",
    "Spent (£)",
    "Headroom (£)",
]
# Each figure as the position computes it: a line's own figures, then rolled up; an approval's.
DEFINITIONS = [
    (
        "budget",
        "The budget line's amount for the financial year (1 April to 31 March). On the Lines sheet, as every figure "
        "there, the line's own plus that of every line below it.",
    ),
    (
        "actual",
        "The sum of the actuals on the line paid on or after 1 April of the financial year and on or before the "
        "as-at date.",
    ),
    (
        "committed_open",
        "For each commitment on the line that counts on the as-at date (raised on or before it and not cancelled on "
        "or before it): its amount less what has been paid against it on or before the as-at date, never below "
        "nothing; summed.",
    ),
    (
        "forecast_remaining",
        "The sum of the line's forecasts for the months of the financial year after the month containing the as-at "
        "date.",
    ),
    ("outturn", "actual + forecast_remaining."),
    ("variance", "budget - outturn: positive is an underspend, negative an overspend."),
    ("available", "budget - actual - committed_open."),
    ("approved", "The amount of the approval: the authority to spend that an approved decision gives."),
    (
        "committed",
        "The sum of the amounts of the commitments made under the approval that count on the as-at date (raised on "
        "or before it and not cancelled on or before it).",
    ),
    (
        "spent",
        "The sum of what has been paid, on or before the as-at date, against the commitments made under the "
        "approval that count on the as-at date.",
    ),
    (
        "headroom",
        "approved - committed: what may still be committed under the approval. No commitment may take an "
        "approval's committed total past its amount on any day from the commitment's date on.",
    ),
]


def _heading(sheet, title: str, headers: list[str]) -> None:
    spreadsheets.xlsx_append(sheet, [MARKING])
    sheet["A1"].font = Font(bold=True)
    spreadsheets.xlsx_append(sheet, [title])
    spreadsheets.xlsx_append(sheet, headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet.oddHeader.center.text = MARKING
    sheet.oddFooter.center.text = MARKING


def _money_columns(sheet, first: int, last: int) -> None:
    for column in range(first, last + 1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 20
        for cell in sheet[letter][3:]:
            cell.number_format = "£#,##0.00"


def position_xlsx(position) -> bytes:
    """Sheets Lines, Approvals and Definitions; amounts in pounds ex VAT, as numbers."""
    period = f"financial year {position.year_label} as at {position.as_at:%d %B %Y}, pounds excluding VAT"
    workbook = Workbook()
    lines = workbook.active
    lines.title = "Lines"
    _heading(lines, f"Budget lines, rolled up, {period}", LINE_HEADERS)
    for row in position.lines:
        figures = row.total.as_dict()
        spreadsheets.xlsx_append(
            lines, [row.code, row.name, row.parent or "", row.depth, *(figures[key] for key, _ in LINE_FIGURES)]
        )
    _money_columns(lines, 5, len(LINE_HEADERS))
    lines.column_dimensions["A"].width = 20
    lines.column_dimensions["B"].width = 40
    lines.freeze_panes = "C4"

    approvals = workbook.create_sheet("Approvals")
    _heading(approvals, f"Approvals, {period}", APPROVAL_HEADERS)
    for a in position.approvals:
        f = a.figures
        spreadsheets.xlsx_append(
            approvals,
            [a.reference, a.line, a.decision or "", a.approved_on, f.approved, f.committed, f.spent, f.headroom],
        )
    for cell in approvals["D"][3:]:
        cell.number_format = "dd/mm/yyyy"
    _money_columns(approvals, 5, len(APPROVAL_HEADERS))
    approvals.column_dimensions["A"].width = 20
    approvals.column_dimensions["D"].width = 14
    approvals.freeze_panes = "B4"

    definitions = workbook.create_sheet("Definitions")
    _heading(definitions, f"What each figure means ({period})", ["Figure", "Definition"])
    for name, text in DEFINITIONS:
        spreadsheets.xlsx_append(definitions, [name, text])
    definitions.column_dimensions["A"].width = 22
    definitions.column_dimensions["B"].width = 110
    for cell in definitions["B"][3:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return spreadsheets.xlsx_bytes(workbook)
