"""The RAID log as a workbook: its first sheet is the import's own layout (`programme.imports.COLUMNS`), so the file
exported can be edited and imported again (importing it unedited changes nothing); the scores, band and status are
added for the reader and ignored on import. A second sheet says what the scores and bands mean."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from pegasus.core import spreadsheets
from pegasus.programme import risk
from pegasus.programme.imports import COLUMNS
from pegasus.programme.selectors.raid import RaidRow

DATES = ("raised_on", "proximity", "closed_on")


def _link(item, name: str) -> str:
    linked = getattr(item, name)
    if linked is None:
        return ""
    return linked.name if name == "milestone" else linked.reference


def _cells(row: RaidRow) -> list[object]:
    item = row.item
    computed = {
        "status": row.status,
        "inherent_score": row.inherent,
        "residual_score": row.residual,
        "current_score": row.current,
        "band": row.band_label,
    }
    cells: list[object] = []
    for column in COLUMNS:
        name = column.name
        if name in computed:
            cells.append(computed[name])
        elif name in ("contract", "procurement", "decision", "milestone", "business_case"):
            cells.append(_link(item, name))
        else:
            value = getattr(item, name)
            cells.append("" if value is None else value)
    return cells


def raid_xlsx(rows: list[RaidRow], *, title: str) -> bytes:
    """Sheet RAID (one row an item, in the import's columns) and sheet Notes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "RAID"
    spreadsheets.xlsx_append(sheet, [c.name for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        spreadsheets.xlsx_append(sheet, _cells(row))
    names = [c.name for c in COLUMNS]
    for name in DATES:
        letter = sheet.cell(row=1, column=names.index(name) + 1).column_letter
        for cell in sheet[letter][1:]:
            cell.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[letter].width = 12
    for name, width in (("title", 50), ("description", 50), ("cause", 40), ("event", 40), ("effect", 40)):
        letter = sheet.cell(row=1, column=names.index(name) + 1).column_letter
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "C2"

    notes = workbook.create_sheet("Notes")
    spreadsheets.xlsx_append(notes, [title])
    notes["A1"].font = Font(bold=True)
    spreadsheets.xlsx_append(notes, ["column", "what it holds"])
    for cell in notes[2]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        spreadsheets.xlsx_append(notes, [column.name, column.help])
    notes.append([])
    spreadsheets.xlsx_append(
        notes,
        [
            "scores",
            "Score = probability x impact, each 1 to 5 (the usual HMG 5x5 matrix). The current score is the residual "
            "where assessed, else the inherent. Bands, Pegasus's convention: "
            + ", ".join(f"{label.lower()} {lo}-{hi}" for _, label, lo, hi in risk.BANDS)
            + f". An open risk scoring {risk.ESCALATE_FROM} or more, or an open critical issue, is escalated.",
        ],
    )
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 110
    for cell in notes["B"][2:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return spreadsheets.xlsx_bytes(workbook)
