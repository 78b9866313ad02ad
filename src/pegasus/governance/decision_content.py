"""The decision form's content, laid out like PCD 579: a Part 1 that may be published and a separate Part 2.

Each document is one reading of the decision: `part1_content` and `part2_content` read a decision (fetched with
`selectors.decision_detail`) into plain, frozen values, which `decision_pdf` and `decision_docx` render. `Part1`
has no field for the Part 2 text: nothing that renders Part 1 can reach it.

Every page carries its classification in its header and footer: OFFICIAL for Part 1, OFFICIAL-SENSITIVE
[COMMERCIAL] for Part 2.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Field
from django.utils import timezone

from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.classification import Classification, Descriptor, marking
from pegasus.core.clock import london_today
from pegasus.core.documents import person_name
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


def _verbose_name(name: str) -> str:
    field = Decision._meta.get_field(name)
    assert isinstance(field, Field)  # a column of the decision, not a relation
    return str(field.verbose_name)


# The Part 1 sections in the order of the form, numbered from 1.
PART1_SECTIONS = tuple((name, _verbose_name(name)) for name in SECTION_FIELDS)
DECLARATION_ORDER = {kind: i for i, kind in enumerate(Declaration.Kind.values)}


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


def _office(decision: Decision) -> str:
    """The office that decides: fixed on submission; for a draft, the office the scheme names today."""
    if decision.approver_office:
        return decision.approver_office
    try:
        approval = rules.approver_for(
            decision_type=rules.DecisionType(decision.decision_type), value=decision.value, day=london_today()
        )
    except (ValueError, rules.SchemeInputError):
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
        signed_on=_day(timezone.localtime(decision.decided_at, LONDON_ZONE).date()) if decided else "",
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
