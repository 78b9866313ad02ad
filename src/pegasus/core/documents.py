"""Documents as bytes, for every domain: PDF with WeasyPrint from a template, DOCX pieces for python-docx.

A PDF is self-contained: it uses the fonts installed on the machine (DejaVu through fontconfig) and fetches
nothing, the URL fetcher refusing every URL but inline `data:` ones. The DOCX helpers are the Word details that
python-docx leaves to the caller: fields (PAGE, NUMPAGES), cell shading, fixed-width tables, rows that do not
split, and the document as bytes.
"""

import io
from typing import Any

from django.template.loader import render_to_string
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def person_name(user) -> str:
    """Who did something, as documents name them: the person's full name, the user name where none is recorded."""
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _no_fetch() -> URLFetcher:
    """Documents are self-contained: refuse every URL (http, https, file, ...) but inline data."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def render_pdf(template: str, content: Any) -> bytes:
    """A self-contained PDF of `template` rendered with `content` as `doc`; the base template that documents extend,
    `core/documents/base.html`, marks every page with `doc.header.marking`."""
    html = render_to_string(template, {"doc": content})
    return HTML(string=html, base_url=None, url_fetcher=_no_fetch()).write_pdf()


def add_field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field such as PAGE, shown as its last computed value until Word updates it."""
    run = paragraph.add_run()
    begin, code, separate, value, end = (
        OxmlElement(tag) for tag in ("w:fldChar", "w:instrText", "w:fldChar", "w:t", "w:fldChar")
    )
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate.set(qn("w:fldCharType"), "separate")
    value.text = "1"
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, value, end):
        run._r.append(element)


def shade(cell: _Cell, fill: str) -> None:
    """Fill a table cell with the colour `fill` (hex RGB, as "D9D9D9")."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def add_table(doc: DocxDocument, rows: int, widths: tuple[int, ...]):
    """A bordered table with fixed column widths in millimetres and a little air in its cells."""
    table = doc.add_table(rows=rows, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    return table


def fit_cells(table, widths: tuple[int, ...]) -> None:
    """Give every cell its column's width (Word reads the cells) and space its paragraphs."""
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
            space_paragraphs(cell)


def keep_rows(table) -> None:
    """Repeat the heading row on each page and never split a row across pages."""
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index == 0:
            properties.append(OxmlElement("w:tblHeader"))


def space_paragraphs(cell: _Cell) -> None:
    """A little air above and below each paragraph of a table cell."""
    for paragraph in cell.paragraphs:
        paragraph.paragraph_format.space_before = Pt(3)
        paragraph.paragraph_format.space_after = Pt(3)


def docx_bytes(doc: DocxDocument) -> bytes:
    """The Word document as the bytes of a .docx file."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
