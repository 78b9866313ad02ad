"""Spreadsheets out: the one way Pegasus writes CSV and XLSX, so that text is always text and never a formula.

A spreadsheet program runs a cell that begins with `=`, `+`, `-` or `@` (or with a tab or carriage return) as a
formula: `=HYPERLINK(...)` sends data to another site and `=cmd|' /C calc'!A0` starts a program. Text typed by
users or read from suppliers' files reaches every export, so, as OWASP's guidance on CSV injection says:

- in CSV, a text cell that begins with one of those characters is written with a single quote in front of it,
  which spreadsheet programs show as text and never run;
- in XLSX, text is stored as a string cell (data type `s`), which is never a formula whatever it begins with.
  openpyxl would make a string that begins with `=` a formula, so every cell is written here. Characters an XLSX
  file cannot hold (control characters) are left out rather than failing the whole download.

Numbers, money, dates and booleans are written as they are: a negative amount stays a number.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl is imported by the code that builds a workbook, not by every page that may export
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# The characters XML 1.0 (and so XLSX) cannot hold; tab, line feed and carriage return it can.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XLSX_MAX_TEXT = 32_767  # characters in one cell


def csv_value(value: object) -> object:
    """A value as a CSV cell: text that a spreadsheet would run is quoted, None is empty, numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = str(value)
        return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text
    return value


class CsvWriter:
    """`csv.writer` with every cell made safe by `csv_value`."""

    def __init__(self, stream, **options: Any):
        self._writer = csv.writer(stream, **options)

    def writerow(self, values: Iterable[object]) -> None:
        self._writer.writerow([csv_value(v) for v in values])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows (the header first) as CSV text, every cell made safe."""
    buffer = io.StringIO()
    CsvWriter(buffer).writerows(rows)
    return buffer.getvalue()


def xlsx_text(value: str) -> str:
    """Text as an XLSX cell can hold it: without control characters, and no longer than a cell allows."""
    return _NOT_IN_XLSX.sub("", str(value))[:XLSX_MAX_TEXT]


def xlsx_set(cell: "Cell", value: object) -> "Cell":
    """Put `value` in `cell`; text is stored as a string cell, never as a formula or an error code."""
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def xlsx_append(sheet: "Worksheet", values: Sequence[object]) -> None:
    """Add a row below the last one used, as `Worksheet.append` does, with text kept as text."""
    values = list(values)
    sheet.append([None if isinstance(v, str) else v for v in values])
    row = sheet.max_row  # append made a cell for every value, so the new row is the last
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            xlsx_set(sheet.cell(row=row, column=column), value)


def xlsx_bytes(workbook: "Workbook") -> bytes:
    """The workbook as the bytes of an XLSX file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
