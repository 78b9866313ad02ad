"""The decision form as Word documents, with python-docx: Part 1 and, separately, Part 2."""

from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from pegasus.core.documents import (
    add_table,
    docx_bytes,
    fit_cells,
    keep_rows,
    marked_docx,
    shade,
    space_paragraphs,
)
from pegasus.governance.decision_content import Header, part1_content, part2_content
from pegasus.governance.models import Decision

HEADER_FILL = "D9D9D9"


def _docx_base(header: Header, *, sensitive: bool) -> DocxDocument:
    return marked_docx(
        title=f"{header.reference} v{header.version}: {header.title}",
        subject="Part 2" if sensitive else "Part 1",
        marking=header.marking,
        running=header.running,
        sensitive=sensitive,
    )


def _label_value(paragraph: Paragraph, label: str, value: str) -> None:
    paragraph.add_run(f"{label} ").bold = True
    paragraph.add_run(value)


def _numbered(container, number: str, text: str) -> None:
    paragraph = container.add_paragraph()
    paragraph.paragraph_format.left_indent = Mm(10)
    paragraph.paragraph_format.first_line_indent = Mm(-10)
    paragraph.add_run(f"{number}\t").bold = False
    paragraph.add_run(text)


def _boxed(doc: DocxDocument) -> _Cell:
    """A one-cell bordered table: the boxes of the form (recommendation, approval)."""
    table = add_table(doc, 1, (170,))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table.cell(0, 0)


def decision_part1_docx(decision: Decision) -> bytes:
    """Part 1 of the decision form as a Word document, marked OFFICIAL in every page's header and footer."""
    content = part1_content(decision)
    doc = _docx_base(content.header, sensitive=False)
    doc.add_heading(content.header.heading, level=0)
    _label_value(doc.add_paragraph(), "Title:", content.header.title)
    facts = add_table(doc, 0, (32, 53, 32, 53))
    for pair in content.fact_rows:
        row = facts.add_row().cells
        for i, (label, value) in enumerate(pair):
            row[2 * i].text, row[2 * i + 1].text = label, value
            row[2 * i].paragraphs[0].runs[0].bold = True
            shade(row[2 * i], HEADER_FILL)
    fit_cells(facts, (32, 53, 32, 53))

    doc.add_heading("Executive summary", level=2)
    for text in content.executive_summary:
        doc.add_paragraph(text)

    doc.add_heading("Recommendation", level=2)
    box = _boxed(doc)
    box.paragraphs[0].text = ""
    first = True
    for group in content.recommendations:
        lead = box.paragraphs[0] if first else box.add_paragraph()
        first = False
        lead.add_run(group.lead).bold = True
        for item in group.items:
            _numbered(box, f"{item.number}.", item.text)
    if first:
        box.paragraphs[0].add_run("No recommendations recorded.")
    space_paragraphs(box)

    doc.add_paragraph()
    approval = content.approval
    box = _boxed(doc)
    box.paragraphs[0].add_run(approval.office).bold = True
    box.paragraphs[0].runs[0].font.size = Pt(12)
    box.add_paragraph(approval.interest_statement)
    if approval.interests:
        _label_value(box.add_paragraph(), "Interests recorded:", approval.interests)
    outcome = box.add_paragraph()
    outcome.add_run(approval.outcome).bold = True
    _label_value(box.add_paragraph(), "Signature:", approval.signed_by or "–")
    _label_value(box.add_paragraph(), "Date:", approval.signed_on or "–")
    space_paragraphs(box)

    doc.add_page_break()
    doc.add_heading(content.part1_heading, level=1)
    for section in content.sections:
        doc.add_heading(f"{section.number}. {section.heading}", level=2)
        for paragraph in section.paragraphs:
            _numbered(doc, paragraph.number, paragraph.text)

    doc.add_heading("Public access to information", level=2)
    doc.add_paragraph(content.public_access_statement)
    doc.add_paragraph(content.deferral_guidance)
    doc.add_heading("Part 1 deferral", level=3)
    _label_value(
        doc.add_paragraph(),
        "Is the publication of Part 1 of this approval to be deferred?",
        "YES" if content.deferred else "NO",
    )
    _label_value(doc.add_paragraph(), "If yes, for what reason:", content.deferral_reason or "–")
    _label_value(doc.add_paragraph(), "Until what date:", content.deferred_until or "–")
    doc.add_heading("Part 2 confidentiality", level=3)
    doc.add_paragraph(content.part2_guidance)
    _label_value(doc.add_paragraph(), "Is there a Part 2 form?", "YES" if content.has_part2 else "NO")
    if content.exemptions:
        doc.add_paragraph("Part 2 is exempt from publication under the Freedom of Information Act 2000:")
        for exemption in content.exemptions:
            until = f", until {exemption.ceases}" if exemption.ceases else ""
            doc.add_paragraph(f"{exemption.section} – {exemption.name}{until}", style="List Bullet")

    doc.add_heading("Route", level=2)
    if content.route:
        route = add_table(doc, 1, (130, 40))
        for cell, text in zip(route.rows[0].cells, ("Meeting", "Date"), strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
            shade(cell, HEADER_FILL)
        for body, on in content.route:
            row = route.add_row().cells
            row[0].text, row[1].text = body, on or "–"
        fit_cells(route, (130, 40))
    else:
        doc.add_paragraph("No meetings recorded.")

    doc.add_heading("Originating officer declaration", level=2)
    _label_value(doc.add_paragraph(), "Originating officer:", content.originating_officer)
    table = add_table(doc, 1, (130, 40))
    head = table.rows[0].cells
    head[0].text, head[1].text = "Originating officer declaration", "Tick to confirm statement (✓)"
    for cell in head:
        cell.paragraphs[0].runs[0].bold = True
        shade(cell, HEADER_FILL)
    for declaration in content.declarations:
        row = table.add_row().cells
        row[0].paragraphs[0].add_run(declaration.kind).bold = True
        if declaration.statement:
            row[0].add_paragraph(declaration.statement)
        row[1].text = "✓" if declaration.confirmed else "Not confirmed"
        row[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    head[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    fit_cells(table, (130, 40))
    keep_rows(table)

    doc.add_heading("Chief Executive Officer", level=2)
    for text in content.ceo_statement or ("No statement recorded.",):
        doc.add_paragraph(text)
    return docx_bytes(doc)


def decision_part2_docx(decision: Decision) -> bytes:
    """Part 2 as a separate Word document, OFFICIAL-SENSITIVE [COMMERCIAL] in every page's header and footer."""
    content = part2_content(decision)
    doc = _docx_base(content.header, sensitive=True)
    doc.add_heading(content.header.heading, level=0)
    doc.add_heading("Part 2 – confidential facts and advice", level=1)
    _label_value(doc.add_paragraph(), "Title:", content.header.title)
    _label_value(doc.add_paragraph(), "Reference:", f"{content.header.reference} (version {content.header.version})")
    doc.add_paragraph(content.not_for_publication)
    _label_value(
        doc.add_paragraph(), "The Government Security Classification marking for Part 2 is:", content.header.marking
    )
    doc.add_heading("Exemption from publication", level=2)
    if content.exemptions:
        doc.add_paragraph("Part 2 is exempt from publication under the Freedom of Information Act 2000:")
        for exemption in content.exemptions:
            until = f"; ceases to apply on {exemption.ceases}" if exemption.ceases else ""
            doc.add_paragraph(f"{exemption.section} – {exemption.name}{until}", style="List Bullet")
    else:
        doc.add_paragraph("No exemption is recorded.")
    doc.add_paragraph(content.foi_advice)
    doc.add_heading("Confidential facts and advice", level=2)
    for text in content.paragraphs:
        doc.add_paragraph(text)
    return docx_bytes(doc)
