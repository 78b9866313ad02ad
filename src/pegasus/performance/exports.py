"""Exports of a supplier's performance: CSV for systems, XLSX for people (with the marking in its header)."""

from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from pegasus.core import spreadsheets

HEADERS = [
    "Contract",
    "Supplier",
    "Month",
    "Priority",
    "Resolved",
    "Met",
    "Attainment (%)",
    "Target (%)",
    "Median hours",
    "90th percentile hours",
    "Priority credit (£)",
    "Open breaches",
    "Classification",
]
CREDIT_HEADERS = ["Contract", "Supplier", "Month", "Service credit due (£)", "Capped", "Classification"]


def _rows(performances, marking: str) -> list[list]:
    return [
        [
            p.contract.reference,
            p.contract.supplier.name,
            r["month"],
            f"P{r['priority']}",
            r["resolved"],
            r["met"],
            None if r["attainment"] is None else round(r["attainment"], 2),
            r["target"],
            None if r["median_hours"] is None else round(r["median_hours"], 2),
            None if r["p90_hours"] is None else round(r["p90_hours"], 2),
            Decimal(r["credit"]),
            r["open_breached"],
            marking,
        ]
        for p in performances
        for r in p.results
    ]


def _credit_rows(performances, marking: str) -> list[list]:
    return [
        [p.contract.reference, p.contract.supplier.name, c["month"], Decimal(c["credit"]), c["capped"], marking]
        for p in performances
        for c in p.credits
    ]


def performance_csv(performances, *, filename: str, marking: str) -> HttpResponse:
    response = HttpResponse(
        spreadsheets.csv_text([HEADERS, *_rows(performances, marking)]), content_type=spreadsheets.CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _sheet(workbook, title: str, heading: str, headers: list[str], rows: list[list], marking: str, money: set[int]):
    sheet = workbook.create_sheet(title)
    spreadsheets.xlsx_append(sheet, [marking])
    sheet["A1"].font = Font(bold=True, color="FFFFFF")
    sheet["A1"].fill = PatternFill("solid", fgColor="D4351C" if "SENSITIVE" in marking else "0B0C0C")
    spreadsheets.xlsx_append(sheet, [heading])
    spreadsheets.xlsx_append(sheet, headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        spreadsheets.xlsx_append(sheet, row)
    for column in money:
        for (cell,) in sheet.iter_rows(min_row=4, min_col=column, max_col=column):
            cell.number_format = "£#,##0.00"
    sheet.freeze_panes = "A4"
    sheet.oddHeader.center.text = marking
    sheet.oddFooter.center.text = marking
    for letter in ("A", "B"):
        sheet.column_dimensions[letter].width = 40 if letter == "B" else 16


def performance_xlsx(performances, *, filename: str, heading: str, marking: str) -> HttpResponse:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "Attainment", heading, HEADERS, _rows(performances, marking), marking, {11})
    _sheet(workbook, "Service credits", heading, CREDIT_HEADERS, _credit_rows(performances, marking), marking, {4})
    response = HttpResponse(spreadsheets.xlsx_bytes(workbook), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
