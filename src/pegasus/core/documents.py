"""Documents as bytes, for every domain: PDF with WeasyPrint from a template, DOCX pieces for python-docx.

A PDF is self-contained: it uses the fonts installed on the machine (DejaVu through fontconfig) and fetches
nothing, the URL fetcher refusing every URL but inline `data:` ones. The DOCX helpers are the Word details that
python-docx leaves to the caller: fields (PAGE, NUMPAGES), cell shading, fixed-width tables, rows that do not
split, and the document as bytes.
"""

import io
from typing import Any

from django.template.loader import render_to_string
from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
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


DOCX_FONT = "Arial"
BLACK = RGBColor(0x0B, 0x0C, 0x0C)
SENSITIVE_RED = RGBColor(0xD4, 0x35, 0x1C)


def marked_docx(*, title: str, subject: str, marking: str, running: str, sensitive: bool) -> DocxDocument:
    """A new A4 Word document in the house style of Pegasus's documents: Arial, black bold headings, the marking as a
    banner at the top and bottom of every page (red when sensitive), and `running` with "Page N of M" in the footer;
    `title`, `subject` and the marking in its properties."""
    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), DOCX_FONT)
    doc.styles["Title"].element.get_or_add_pPr().remove_all("w:pBdr")
    for name, size in (("Title", 18), ("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11)):
        style = doc.styles[name]
        style.font.name = DOCX_FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = BLACK
    props = doc.core_properties
    props.title = title[:255]
    props.subject = subject
    props.category = props.keywords = marking
    props.author = "Pegasus"
    for paragraph in (section.header.paragraphs[0], section.footer.paragraphs[0]):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(marking)
        run.bold = True
        run.font.size = Pt(10)
        run.font.color.rgb = SENSITIVE_RED if sensitive else BLACK
    doc.styles["Footer"].font.size = Pt(8)
    pages = section.footer.add_paragraph(style="Footer")
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pages.add_run(f"{running} · Page ")
    add_field(pages, "PAGE")
    pages.add_run(" of ")
    add_field(pages, "NUMPAGES")
    return doc


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
