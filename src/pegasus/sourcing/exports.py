"""A scenario out: XLSX for people (marked OFFICIAL-SENSITIVE [COMMERCIAL]) and the optimiser's JSON for tools."""

import json
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from pegasus.core import spreadsheets
from pegasus.sourcing.selectors import ScenarioView, scenario_lots


def scenario_json(view: ScenarioView) -> bytes:
    """The optimiser input the scenario was built on, with its lots under `lots` as the optimiser returns them."""
    scenario = view.scenario
    data = dict(scenario.problem)
    data["lots"] = [
        {"services": codes, "supplier": supplier, "price": float(lot.price), "bidders": lot.bidders}
        for (codes, supplier), lot in zip(scenario_lots(scenario), scenario.lots.all(), strict=True)
    ]
    return json.dumps(data, indent=2).encode()


def scenario_xlsx(view: ScenarioView) -> bytes:
    scenario, figures = view.scenario, view.figures
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Lots"
    spreadsheets.xlsx_append(sheet, [scenario.marking])
    sheet["A1"].font = Font(bold=True, color="FFFFFF")
    sheet["A1"].fill = PatternFill("solid", fgColor="D4351C")
    spreadsheets.xlsx_append(sheet, [f"Scenario: {scenario.name} ({scenario.get_kind_display()})"])
    spreadsheets.xlsx_append(sheet, ["Lot", "Towers", "Supplier", "Price a year (£, ex VAT)", "Possible bidders"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for lot in scenario.lots.all():
        spreadsheets.xlsx_append(
            sheet,
            [lot.position, ", ".join(t.name for t in lot.towers.all()), lot.supplier.name, lot.price, lot.bidders],
        )
        sheet.cell(row=sheet.max_row, column=4).number_format = "£#,##0.00"
    for letter, width in (("A", 8), ("B", 60), ("C", 44), ("D", 24), ("E", 16)):
        sheet.column_dimensions[letter].width = width
    sheet.oddHeader.center.text = scenario.marking
    sheet.oddFooter.center.text = scenario.marking
    summary = workbook.create_sheet("Figures")
    spreadsheets.xlsx_append(summary, [scenario.marking])
    if figures is not None:
        for label, value in (
            ("Total cost a year (£)", figures.total),
            ("Supplier prices (£)", figures.prices),
            ("Cost of running the lots (£)", figures.lot_costs),
            ("Hand-off cost (£)", figures.handoff),
            ("Lots", figures.lots),
            ("Suppliers", figures.suppliers),
            ("Fewest bidders for a lot", figures.fewest_bidders),
            ("Supplier concentration (HHI)", figures.hhi),
        ):
            spreadsheets.xlsx_append(summary, [label, value])
            if isinstance(value, Decimal):
                summary.cell(row=summary.max_row, column=2).number_format = "£#,##0.00"
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 20
    return spreadsheets.xlsx_bytes(workbook)
