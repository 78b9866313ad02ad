"""Exports of the contract list: CSV for systems, XLSX for people (with the marking in its header)."""

from datetime import date

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from pegasus.core import spreadsheets

HEADERS = [
    "Reference",
    "Title",
    "Supplier",
    "Towers",
    "Tier",
    "Status",
    "Start",
    "End of initial term",
    "Current end",
    "Maximum end",
    "Days to expiry",
    "Decision due",
    "Decision",
    "Notice (months)",
    "Renewal",
    "Total value (£)",
    "Annual value (£)",
    "VAT basis",
    "Classification",
]


def _values(row) -> list:
    c = row.contract
    return [
        c.reference,
        c.title,
        c.supplier.name,
        row.towers,
        c.tier,
        c.get_status_display(),
        c.start_date,
        c.initial_end_date,
        row.current_end,
        row.maximum_end,
        row.days_to_expiry,
        row.decision.due if row.decision else None,
        row.decision.label if row.decision else "",
        c.notice_period_months,
        c.renewal_type,
        c.total_value,
        c.annual_value,
        c.vat_basis,
        c.marking,
    ]


def _filename(as_at: date, ext: str) -> str:
    return f"pegasus-contracts-as-at-{as_at.isoformat()}.{ext}"


def contracts_csv(rows, as_at: date) -> HttpResponse:
    response = HttpResponse(
        spreadsheets.csv_text([HEADERS, *(_values(row) for row in rows)]), content_type=spreadsheets.CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(as_at, "csv")}"'
    return response


def contracts_xlsx(rows, as_at: date, *, marking: str) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Contracts"
    spreadsheets.xlsx_append(sheet, [marking])
    sheet["A1"].font = Font(bold=True, color="FFFFFF")
    sheet["A1"].fill = PatternFill("solid", fgColor="D4351C" if "SENSITIVE" in marking else "0B0C0C")
    spreadsheets.xlsx_append(sheet, [f"Contracts as at {as_at:%d %B %Y}"])
    spreadsheets.xlsx_append(sheet, HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        spreadsheets.xlsx_append(sheet, _values(row))
    money_columns = {HEADERS.index("Total value (£)") + 1, HEADERS.index("Annual value (£)") + 1}
    for column in range(1, len(HEADERS) + 1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 40 if column in (2, 3, 4) else 16
        for cell in sheet[letter][3:]:
            if column in money_columns:
                cell.number_format = "£#,##0.00"
            elif isinstance(cell.value, date):
                cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "B4"
    sheet.auto_filter.ref = f"A3:{get_column_letter(len(HEADERS))}{sheet.max_row}"
    sheet.oddHeader.center.text = marking
    sheet.oddFooter.center.text = marking
    response = HttpResponse(spreadsheets.xlsx_bytes(workbook), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(as_at, "xlsx")}"'
    return response
