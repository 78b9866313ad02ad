"""The decision form as documents, laid out like PCD 579: a Part 1 that may be published and a separate Part 2.

Two steps, so that each document is one reading of the decision:

- `part1_content` and `part2_content` read a decision (fetched with `selectors.decision_detail`) into plain,
  frozen values. `Part1` has no field for the Part 2 text: nothing that renders Part 1 can reach it.
- `decision_part1_pdf`, `decision_part1_docx`, `decision_part2_pdf` and `decision_part2_docx` render those values
  as bytes: PDF with WeasyPrint from the templates in `governance/documents/`, DOCX with python-docx.
  `decision_public_pdf` is the document the public register serves: Part 1, nothing else.

Every page carries its classification in its header and footer: OFFICIAL for Part 1, OFFICIAL-SENSITIVE
[COMMERCIAL] for Part 2. The PDFs use the fonts installed on the machine (DejaVu through fontconfig) and fetch
nothing: the URL fetcher refuses every URL but inline `data:` ones.
"""

import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from pegasus.core.calendar import LONDON
from pegasus.core.classification import Classification, Descriptor, marking
from pegasus.core.clock import london_today
from pegasus.core.money import format_pounds
from pegasus.governance import rules
from pegasus.governance.models import PART1_SECTIONS as SECTION_FIELDS
from pegasus.governance.models import Decision, DecisionStatus, Declaration

PART1_MARKING = marking(Classification.OFFICIAL)
PART2_MARKING = marking(Classification.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL)

# The standard wording of the MOPAC decision form.
INTEREST_STATEMENT = (
    "I confirm I have considered whether or not I have any personal or prejudicial interest in this matter and take "
    "the proposed decision in compliance with the Code of Conduct. Any such interests are recorded below."
)
APPROVED_WORDS = "The above request has my approval."
REJECTED_WORDS = "The above request is not approved."
NOT_YET_APPROVED = "Not yet approved"
WITHDRAWN_WORDS = "Withdrawn by the originating officer: not approved"
PUBLIC_ACCESS_STATEMENT = (
    "Information in this form (Part 1) is subject to the Freedom of Information Act 2000 (FOIA) and will be made "
    "available on the MOPAC website following approval."
)
DEFERRAL_GUIDANCE = (
    "If immediate publication risks compromising the implementation of the decision it can be deferred until a "
    "specific date. Deferral periods should be kept to the shortest length strictly necessary."
)
PART2_GUIDANCE = (
    "Only the facts or advice considered as likely to be exempt from disclosure under the FOIA should be in the "
    "separate Part 2 form, together with the legal rationale for non-publication."
)
PART2_NOT_FOR_PUBLICATION = "This part of the decision is NOT SUITABLE for publication."
FOI_ADVICE = "For advice, please contact the FOIA team."
NONE_RECORDED = "None."

# The Part 1 sections in the order of the form, numbered from 1.
PART1_SECTIONS = tuple((name, str(Decision._meta.get_field(name).verbose_name)) for name in SECTION_FIELDS)
DECLARATION_ORDER = {kind: i for i, kind in enumerate(Declaration.Kind.values)}


# --- What each document says -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Numbered:
    number: str
    text: str


@dataclass(frozen=True)
class Section:
    number: int
    heading: str
    paragraphs: tuple[Numbered, ...]


@dataclass(frozen=True)
class RecommendationGroup:
    lead: str  # "The Deputy Mayor for Policing and Crime is recommended to approve:"
    kind: str
    items: tuple[Numbered, ...]


@dataclass(frozen=True)
class Exemption:
    section: str  # "Section 43"
    name: str
    ceases: str  # "31 December 2025", or "" when no date is recorded


@dataclass(frozen=True)
class DeclarationRow:
    kind: str
    statement: str
    confirmed: bool


@dataclass(frozen=True)
class ApprovalBlock:
    office: str
    interest_statement: str
    interests: str
    outcome: str  # the approval words, or NOT_YET_APPROVED
    approved: bool
    signed_by: str
    signed_on: str


@dataclass(frozen=True)
class Header:
    heading: str  # "DMPC Decision – PCD 579"
    reference: str
    version: int
    title: str
    marking: str

    @property
    def running(self) -> str:
        return f"{self.reference} v{self.version}"


@dataclass(frozen=True)
class Part1:
    header: Header
    facts: tuple[tuple[str, str], ...]  # (label, value) rows under the title
    executive_summary: tuple[str, ...]
    recommendations: tuple[RecommendationGroup, ...]
    approval: ApprovalBlock
    part1_heading: str
    sections: tuple[Section, ...]
    deferred: bool
    deferral_reason: str
    deferred_until: str
    has_part2: bool
    exemptions: tuple[Exemption, ...]
    route: tuple[tuple[str, str], ...]  # (meeting, date)
    originating_officer: str
    declarations: tuple[DeclarationRow, ...]
    ceo_statement: tuple[str, ...]
    public_access_statement: str = PUBLIC_ACCESS_STATEMENT
    deferral_guidance: str = DEFERRAL_GUIDANCE
    part2_guidance: str = PART2_GUIDANCE

    @property
    def fact_rows(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        """The facts two to a row, as the printed form sets them out."""
        return tuple(self.facts[i : i + 2] for i in range(0, len(self.facts), 2))


@dataclass(frozen=True)
class Part2:
    header: Header
    exemptions: tuple[Exemption, ...]
    paragraphs: tuple[str, ...]
    not_for_publication: str = PART2_NOT_FOR_PUBLICATION
    foi_advice: str = FOI_ADVICE


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _paragraphs(text: str) -> tuple[str, ...]:
    """Each non-blank line of a text field is a paragraph of the form."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def person_name(user) -> str:
    """Who did something, as documents name them: the person's full name, the user name where none is recorded."""
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _office(decision: Decision) -> str:
    """The office that decides: fixed on submission; for a draft, the office the scheme names today."""
    if decision.approver_office:
        return decision.approver_office
    try:
        approval = rules.approver_for(
            decision_type=rules.DecisionType(decision.decision_type), value=decision.value, day=london_today()
        )
    except (ValueError, rules.RuleInputError):
        return "Decision maker"
    return approval.approver


def _acronym(office: str) -> str:
    """DMPC for the Deputy Mayor for Policing and Crime: the capitals of the office's words."""
    letters = "".join(word[0] for word in office.split() if word[:1].isupper())
    return letters if len(letters) > 1 else office


def _amount(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return format_pounds(amount, pennies=amount != amount.to_integral_value())


def _exemption_section(code: str) -> str:
    """s43 -> Section 43: how the form cites the Freedom of Information Act."""
    match = re.fullmatch(r"\s*(?:s|section)\s*\.?\s*(\w+)\s*", code, flags=re.IGNORECASE)
    return f"Section {match.group(1)}" if match else code


def _exemptions(decision: Decision) -> tuple[Exemption, ...]:
    return tuple(
        Exemption(_exemption_section(e.section), e.name, _day(e.ceases_on))
        for e in sorted(decision.exemptions.all(), key=lambda e: (e.section, e.pk))
    )


def _header(decision: Decision, mark: str) -> Header:
    return Header(
        heading=f"{_acronym(_office(decision))} Decision – {decision.reference}",
        reference=decision.reference,
        version=decision.version,
        title=decision.title,
        marking=mark,
    )


def _approval(decision: Decision, office: str) -> ApprovalBlock:
    decided = decision.status in {DecisionStatus.APPROVED, DecisionStatus.REJECTED} and decision.decided_at
    outcome = {
        DecisionStatus.APPROVED: APPROVED_WORDS,
        DecisionStatus.REJECTED: REJECTED_WORDS,
        DecisionStatus.WITHDRAWN: WITHDRAWN_WORDS,
    }.get(DecisionStatus(decision.status), NOT_YET_APPROVED)
    return ApprovalBlock(
        office=office,
        interest_statement=INTEREST_STATEMENT,
        interests=(decision.approver_interests or NONE_RECORDED) if decided else "",
        outcome=outcome,
        approved=decision.status == DecisionStatus.APPROVED,
        signed_by=person_name(decision.decided_by) if decided else "",
        signed_on=_day(timezone.localtime(decision.decided_at, LONDON).date()) if decided else "",
    )


def _recommendations(decision: Decision, office: str) -> tuple[RecommendationGroup, ...]:
    groups: list[RecommendationGroup] = []
    number = 0
    for kind, verb in (("approve", "approve"), ("note", "note")):
        items = []
        for recommendation in decision.recommendations.all():
            if recommendation.kind != kind:
                continue
            number += 1
            amount = _amount(recommendation.amount)
            text = f"{recommendation.text} Amount: {amount}." if amount else recommendation.text
            items.append(Numbered(str(number), text))
        if items:
            groups.append(RecommendationGroup(f"The {office} is recommended to {verb}:", kind, tuple(items)))
    return tuple(groups)


def part1_content(decision: Decision) -> Part1:
    """What the Part 1 document says. It never reads the Part 2 text, only whether there is one."""
    office = _office(decision)
    sections = tuple(
        Section(
            number,
            heading,
            tuple(
                Numbered(f"{number}.{i}", text)
                for i, text in enumerate(_paragraphs(getattr(decision, field)) or (NONE_RECORDED,), start=1)
            ),
        )
        for number, (field, heading) in enumerate(PART1_SECTIONS, start=1)
    )
    declarations = sorted(decision.declarations.all(), key=lambda d: DECLARATION_ORDER.get(d.kind, 99))
    return Part1(
        header=_header(decision, PART1_MARKING),
        facts=(
            ("Reference", f"{decision.reference} (version {decision.version})"),
            ("Status", decision.get_status_display()),
            ("Decision type", decision.get_decision_type_display()),
            ("Value", f"{format_pounds(decision.value)} excluding VAT"),
            ("Decision required by", _day(decision.required_by) or "Not set"),
            ("Originating officer", person_name(decision.originating_officer)),
        ),
        executive_summary=_paragraphs(decision.executive_summary),
        recommendations=_recommendations(decision, office),
        approval=_approval(decision, office),
        part1_heading=f"Part 1 – non-confidential facts and advice to the {office}",
        sections=sections,
        deferred=decision.part1_deferred_until is not None,
        deferral_reason=decision.part1_deferral_reason if decision.part1_deferred_until else "",
        deferred_until=_day(decision.part1_deferred_until),
        has_part2=bool(decision.part2.strip()),
        exemptions=_exemptions(decision),
        route=tuple((step.body, _day(step.meets_on)) for step in decision.route.all()),
        originating_officer=person_name(decision.originating_officer),
        declarations=tuple(DeclarationRow(d.get_kind_display(), d.statement, d.confirmed) for d in declarations),
        ceo_statement=_paragraphs(decision.ceo_statement),
    )


def part2_content(decision: Decision) -> Part2:
    """What the Part 2 document says: the exemptions and the confidential text."""
    return Part2(
        header=_header(decision, PART2_MARKING),
        exemptions=_exemptions(decision),
        paragraphs=_paragraphs(decision.part2) or ("There is no Part 2 for this decision.",),
    )


def document_filename(decision: Decision, part: int, extension: str) -> str:
    """PCD-579-v1-part1.pdf: the reference with anything but letters and digits made a hyphen."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", decision.reference).strip("-") or "decision"
    return f"{stem}-v{decision.version}-part{part}.{extension}"


# --- PDF ---------------------------------------------------------------------------------------------------


def _no_fetch() -> URLFetcher:
    """Documents are self-contained: refuse every URL (http, https, file, ...) but inline data."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def render_pdf(template: str, content: Any) -> bytes:
    """A self-contained PDF of `template` rendered with `doc`; the document base template marks every page."""
    html = render_to_string(template, {"doc": content})
    return HTML(string=html, base_url=None, url_fetcher=_no_fetch()).write_pdf()


def decision_part1_pdf(decision: Decision) -> bytes:
    """Part 1 of the decision form as a PDF, marked OFFICIAL on every page."""
    return render_pdf("governance/documents/part1.html", part1_content(decision))


def decision_public_pdf(decision: Decision) -> bytes:
    """The PDF the public may read: Part 1 only. Whether it may be published yet is the register's question."""
    return decision_part1_pdf(decision)


def decision_part2_pdf(decision: Decision) -> bytes:
    """Part 2 as a separate PDF, marked OFFICIAL-SENSITIVE [COMMERCIAL] on every page."""
    return render_pdf("governance/documents/part2.html", part2_content(decision))


# --- DOCX --------------------------------------------------------------------------------------------------

FONT = "Arial"
BLACK = RGBColor(0x0B, 0x0C, 0x0C)
HEADER_FILL = "D9D9D9"


def _docx_base(header: Header, *, sensitive: bool) -> DocxDocument:
    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    title = doc.styles["Title"]
    title.element.get_or_add_pPr().remove_all("w:pBdr")
    for name, size in (("Title", 18), ("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11)):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = BLACK
    props = doc.core_properties
    props.title = f"{header.reference} v{header.version}: {header.title}"[:255]
    props.subject = "Part 2" if sensitive else "Part 1"
    props.category = header.marking
    props.keywords = header.marking
    props.author = "Pegasus"

    top = section.header.paragraphs[0]
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _banner_run(top, header.marking, sensitive=sensitive)
    bottom = section.footer.paragraphs[0]
    bottom.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _banner_run(bottom, header.marking, sensitive=sensitive)
    doc.styles["Footer"].font.size = Pt(8)
    pages = section.footer.add_paragraph(style="Footer")
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pages.add_run(f"{header.running} · Page ")
    _field(pages, "PAGE")
    pages.add_run(" of ")
    _field(pages, "NUMPAGES")
    return doc


def _banner_run(paragraph: Paragraph, text: str, *, sensitive: bool) -> None:
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(10)
    run.font.color.rgb = RGBColor(0xD4, 0x35, 0x1C) if sensitive else BLACK


def _field(paragraph: Paragraph, instruction: str) -> None:
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


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _label_value(paragraph: Paragraph, label: str, value: str) -> None:
    paragraph.add_run(f"{label} ").bold = True
    paragraph.add_run(value)


def _numbered(container, number: str, text: str) -> None:
    paragraph = container.add_paragraph()
    paragraph.paragraph_format.left_indent = Mm(10)
    paragraph.paragraph_format.first_line_indent = Mm(-10)
    paragraph.add_run(f"{number}\t").bold = False
    paragraph.add_run(text)


def _table(doc: DocxDocument, rows: int, widths: tuple[int, ...]):
    """A bordered table with fixed column widths in millimetres and a little air in its cells."""
    table = doc.add_table(rows=rows, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    return table


def _fit(table, widths: tuple[int, ...]) -> None:
    """Give every cell its column's width (Word reads the cells) and space its paragraphs."""
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
            _air(cell)


def _keep_rows(table) -> None:
    """Repeat the heading row on each page and never split a row across pages."""
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index == 0:
            properties.append(OxmlElement("w:tblHeader"))


def _air(cell: _Cell) -> None:
    for paragraph in cell.paragraphs:
        paragraph.paragraph_format.space_before = Pt(3)
        paragraph.paragraph_format.space_after = Pt(3)


def _boxed(doc: DocxDocument) -> _Cell:
    """A one-cell bordered table: the boxes of the form (recommendation, approval)."""
    table = _table(doc, 1, (170,))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table.cell(0, 0)


def _docx_bytes(doc: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def decision_part1_docx(decision: Decision) -> bytes:
    """Part 1 of the decision form as a Word document, marked OFFICIAL in every page's header and footer."""
    content = part1_content(decision)
    doc = _docx_base(content.header, sensitive=False)
    doc.add_heading(content.header.heading, level=0)
    _label_value(doc.add_paragraph(), "Title:", content.header.title)
    facts = _table(doc, 0, (32, 53, 32, 53))
    for pair in content.fact_rows:
        row = facts.add_row().cells
        for i, (label, value) in enumerate(pair):
            row[2 * i].text, row[2 * i + 1].text = label, value
            row[2 * i].paragraphs[0].runs[0].bold = True
            _shade(row[2 * i], HEADER_FILL)
    _fit(facts, (32, 53, 32, 53))

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
    _air(box)

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
    _air(box)

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
        route = _table(doc, 1, (130, 40))
        for cell, text in zip(route.rows[0].cells, ("Meeting", "Date"), strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
            _shade(cell, HEADER_FILL)
        for body, on in content.route:
            row = route.add_row().cells
            row[0].text, row[1].text = body, on or "–"
        _fit(route, (130, 40))
    else:
        doc.add_paragraph("No meetings recorded.")

    doc.add_heading("Originating officer declaration", level=2)
    _label_value(doc.add_paragraph(), "Originating officer:", content.originating_officer)
    table = _table(doc, 1, (130, 40))
    head = table.rows[0].cells
    head[0].text, head[1].text = "Originating officer declaration", "Tick to confirm statement (✓)"
    for cell in head:
        cell.paragraphs[0].runs[0].bold = True
        _shade(cell, HEADER_FILL)
    for declaration in content.declarations:
        row = table.add_row().cells
        row[0].paragraphs[0].add_run(declaration.kind).bold = True
        if declaration.statement:
            row[0].add_paragraph(declaration.statement)
        row[1].text = "✓" if declaration.confirmed else "Not confirmed"
        row[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    head[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fit(table, (130, 40))
    _keep_rows(table)

    doc.add_heading("Chief Executive Officer", level=2)
    for text in content.ceo_statement or ("No statement recorded.",):
        doc.add_paragraph(text)
    return _docx_bytes(doc)


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
    return _docx_bytes(doc)
