"""Decision PCD 579 (May 2019) as the seed records it, with an illustrative Part 2. Loading twice changes nothing."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from openpyxl import Workbook

from pegasus.core import spreadsheets
from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.clock import london_instant, story_at
from pegasus.estate import selectors as estate_selectors
from pegasus.estate import services as estate_services
from pegasus.estate.demo import ESTATE_ENTERED
from pegasus.governance import services
from pegasus.governance.models import Appointment, Decision
from pegasus.governance.services import ExemptionSpec, RecommendationSpec
from pegasus.procurement import selectors as procurement_selectors
from pegasus.procurement.demo import PROCUREMENTS

DMPC = "Deputy Mayor for Policing and Crime"
# The office the scheme names below its reserved decisions (4.13: £500,000), held by the demo's "cfo".
DELEGATED_OFFICER = "Delegated officer (MPS Chief Financial Officer)"

PCD_579 = {
    "reference": "PCD 579",
    "title": "Pegasus Programme – Next Generation of MPS ICT Outsourced Contracts and Partnering Arrangements May 2019",
    "decision_type": "business-case",
    "value": Decimal("6700000.00"),
    "required_by": date(2019, 6, 7),
    "executive_summary": "The current MPS ICT outsourced partnering arrangements are due to terminate over the next "
    "2-3 years. The Pegasus Programme has been set up to review and re-compete these contracts to ensure better "
    "value for money and an improved user experience to meet the needs of the MPS up to 2030.",
    "introduction": "Current IT contracts provide critical IT capability to the MPS and underpin the Digital "
    "Policing (DP) operating and service operating model with spend of circa £500m over five-years. These contracts "
    "(Towers) cover Service Integration & Management, Networks, Telephony, Data Centres, Data Centres Management, "
    "Hosting, End user computing and Applications management.",
    "issues": "The total contract value of the existing tower services is circa £500m over five years, included "
    "within the total DP budget of circa £1bn (£200m/year) over a similar period. The procurement will look at "
    "opportunities to consolidate as much of this spend.",
    "financial": "The total revenue funding of £6.7m required to resource the Pegasus programme is fully funded "
    "from the Digital Policing approved budget.",
    "legal": "The Mayor's Office for Policing Crime is a contracting authority as defined in the Public Contracts "
    'Regulations 2015 ("the Regulations"). All awards of public contracts for goods and/or services valued at '
    "£181,302 or above will be procured in accordance with the Regulations. Paragraph 4.8 of the MOPAC Scheme of "
    "Delegation and Consent provides that the Deputy Mayor for Policing and Crime (DMPC) has delegated authority to "
    "approve business cases for revenue or capital expenditure of £500,000 or above. Paragraph 4.13 ... provides "
    "that the DMPC has delegated authority to approve the procurement strategy for all revenue and capital contracts "
    "of a total value of £500,000 or above.",
    "commercial": "In respect of the £6.7m to mobilise the Pegasus programme, independent consultants would be used "
    "as this represents better value for money than consultancy organisations. Bloom is the standard route to "
    "market for independent resource.",
    "privacy": "The programme does not use personally identifiable data of members of the public, so there are no "
    "GDPR issues to be considered.",
    "equality": "As part of the evaluation criteria in selecting future suppliers the programme will comply with all "
    "Met equality and diversity policies as identified by the Strategic Diversity and inclusion team, and seek "
    "advice where appropriate.",
    "real_estate": "There are no changes to the estate associated with this request. Our current estate strategy "
    "will inform our evaluation criteria for selection of vendors and our future Full Business cases.",
    "environmental": "There are no environmental implications associated with this request. The Mayor's London "
    "Environment Strategy will form part of the evaluation criteria for selection of vendors.",
    "background_papers": "None",
    "part2": "Illustrative Part 2: the commercial detail of the programme's resourcing and the market engagement "
    "approach. (Demonstration text; the real Part 2 is exempt.)",
    "ceo_statement": "I have been consulted about the proposal and confirm that financial, legal and equalities "
    "advice has been taken into account in the preparation of this report. I am satisfied that this is an "
    "appropriate request to be submitted to the Deputy Mayor for Policing and Crime.",
}

RECOMMENDATIONS = [
    RecommendationSpec(
        "approve",
        "The mobilisation of the Pegasus Programme, including external resources, bought "
        "in expertise and circa five existing key MPS DP people released and backfilled.",
    ),
    RecommendationSpec(
        "approve",
        "Approval up to a total value of £6.7m to initiate and award contracts for the "
        "mobilisation of the Pegasus Programme.",
        Decimal("6700000.00"),
    ),
    RecommendationSpec(
        "note",
        "The associated revenue cost of £6.7m over the next two years is fully funded from "
        "the DP budget approved by MOPAC.",
        Decimal("6700000.00"),
    ),
    RecommendationSpec("note", "The schedule of governance steps which will provide further assurance."),
]

DECLARATIONS = {
    "financial": "The Strategic Finance and Resource Management Team has been consulted on this proposal.",
    "legal": "Legal advice is not required.",
    "equalities": "Equality and diversity issues are covered in the body of the report.",
    "public-health": "Reviewed and supported by a senior manager within the Violence Reduction Unit.",
    "commercial": "The proposal is in keeping with the GLA Group Responsible Procurement Policy.",
    "privacy": "GDPR compliance issues are covered in the body of the report. A DPIA is not required.",
    "director": "The Chief Finance Officer has reviewed the request and is satisfied it is correct and consistent "
    "with the MOPAC's plans and priorities.",
}


# Two illustrative papers that follow PCD 579 (the references and content are invented): the procurement strategy
# the programme drafts before going to market in September 2019, and an extension awaiting the DMPC's decision.
STRATEGY_DRAFT = {
    "reference": "PCD 612",
    "title": "Pegasus Programme – procurement strategy for the ICT towers (illustrative draft)",
    "decision_type": "procurement-strategy",
    "value": Decimal("480000000.00"),
    "required_by": date(2019, 6, 14),
    "executive_summary": "Approval of the procurement strategy, including evaluation criteria and methodology, for "
    "the re-competition of the MPS ICT towers, going to market in September 2019. (Illustrative.)",
    "introduction": "PCD 579 mobilised the Pegasus Programme. This paper sets out how the towers will be lotted and "
    "competed. (Illustrative.)",
    "part2": "Illustrative Part 2: the lot structure options and the market's indicative prices.",
}
EXTENSION_SUBMITTED = {
    "reference": "PCD 598",
    "title": "Extension of the networks contract while the towers are re-competed (illustrative)",
    "decision_type": "contract-extension",
    "value": Decimal("14000000.00"),
    "required_by": date(2019, 6, 28),
    "executive_summary": "Exercise the twelve-month extension option of the networks contract so that service "
    "continues until the new lots start. (Illustrative.)",
    "part2": "Illustrative Part 2: the incumbent's extension price.",
}


def _price_schedule() -> ContentFile:
    """An illustrative Part 2 paper: indicative annual prices by tower from market engagement, as a spreadsheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Indicative prices"
    spreadsheets.xlsx_append(sheet, ["OFFICIAL-SENSITIVE [COMMERCIAL] – illustrative figures"])
    spreadsheets.xlsx_append(sheet, ["Tower", "Low (£m a year)", "High (£m a year)"])
    for tower, low, high in [
        ("Service integration and management", 6.5, 9.0),
        ("Networks", 14.0, 19.5),
        ("Telephony", 4.0, 6.0),
        ("Data centres and hosting", 11.0, 15.5),
        ("End user computing", 18.0, 24.0),
        ("Applications management", 22.0, 30.0),
    ]:
        spreadsheets.xlsx_append(sheet, [tower, low, high])
    return ContentFile(spreadsheets.xlsx_bytes(book), name="indicative-prices-by-tower.xlsx")


EXTENDED_CONTRACT = "MPS-DP-T1-002"

# The moments of the decisions' story, in the programme's own time (illustrative where the seed gives no day): PCD 579
# drafted after discovery, its declarations made and submitted before the Investment Advisory & Monitoring meeting of
# 23 May 2019, and signed by the DMPC on 10 June 2019; PCD 598 submitted the week before; PCD 612 drafted after it.
PCD_579_DRAFTED = london_instant(date(2019, 4, 29), 10)
PCD_579_DECLARED = london_instant(date(2019, 5, 13), 16)
PCD_579_SUBMITTED = london_instant(date(2019, 5, 14), 10)
PCD_579_SIGNED = datetime(2019, 6, 10, 12, 0, tzinfo=LONDON_ZONE)
PCD_598_DRAFTED = london_instant(date(2019, 5, 13), 10)
PCD_598_SUBMITTED = london_instant(date(2019, 5, 16), 14)
PCD_598_CHANGE_PROPOSED = london_instant(date(2019, 5, 17), 10)
PCD_612_DRAFTED = london_instant(date(2019, 5, 20), 11)
PCD_612_DECLARED = london_instant(date(2019, 5, 21), 10)
CONCERNS_FILED = london_instant(date(2019, 5, 21), 12)
# The variations proposed in May 2019 and approved by the delegated officer before the meeting (the one the rules
# refuse, proposed the day after); each made effective on its day. The termination follows PEG-2019-03's award.
VARIATIONS_PROPOSED = london_instant(date(2019, 5, 13), 11)
VARIATIONS_APPROVED = london_instant(date(2019, 5, 20), 15)
REFUSED_VARIATION_PROPOSED = london_instant(date(2019, 5, 21), 10)
TERMINATION_PROPOSED = london_instant(date(2020, 3, 9), 10)
TERMINATION_APPROVED = london_instant(date(2020, 3, 16), 15)


def _link_extension(extension: Decision, by) -> None:
    """PCD 598 authorises the exercise of the networks contract's open option, proposed as a change."""
    option = estate_selectors.options_not_lapsed().filter(contract__reference=EXTENDED_CONTRACT, state="available")
    first = option.order_by("sequence").first()
    if first is None or estate_selectors.changes_of_decision(extension).exists():
        return
    with story_at(PCD_598_CHANGE_PROPOSED):
        _extension_propose(first, extension, by)


def _extension_propose(first, extension: Decision, by) -> None:
    estate_services.change_propose(
        contract=first.contract,
        kind="option-exercise",
        option=first,
        reason="Continue the networks service for twelve months while the towers are re-competed (PCD 598).",
        effective_on=estate_selectors.contract_current(first.contract, date(2019, 6, 28)).current_end
        + timedelta(days=1),
        value=extension.value,
        decision=extension,
        by=by,
    )


# Illustrative changes to the estate, one of each kind the rules treat differently (PCR 2015 regulation 72):
# (contract, ground, value, effective, reason, what the demo does with it)
DEMO_VARIATIONS = [
    (
        "MPS-DP-T1-004",
        "de-minimis",
        "95000.00",
        date(2019, 6, 1),
        "Out-of-hours hosting support through the transition weekends (below the threshold and 10% of the value).",
        "effective",
    ),
    (
        "MPS-DP-T1-005",
        "additional",
        "450000.00",
        date(2019, 7, 1),
        "Windows 10 build and deployment for 4,000 more devices: additional services only the incumbent can supply "
        "without duplicating its image management (a modification notice follows).",
        "effective",
    ),
    (
        "MPS-DP-T2-102",
        "additional",
        "3900000.00",
        date(2019, 8, 1),
        "Add mobile device management to the print contract (refused: over half the contract's original value).",
        "proposed",
    ),
]
# The incumbent the consolidated devices, mobile and print contract (PEG-2019-03) replaces, broken at the end of
# transition, the day before its replacement starts.
DEMO_TERMINATION = ("MPS-DP-T2-103", date(2020, 5, 31))


def _illustrative_changes(commercial, cfo) -> None:
    """Variations on each footing the rules treat differently, and the termination of an incumbent at the end of
    transition: proposed by the commercial officer and approved, where the rules and the scheme allow, by the
    delegated officer. A variation the rules refuse stays proposed, with the rules' reason on its contract's page."""
    contracts = {
        c.reference: c for c in estate_selectors.contracts_of([*(v[0] for v in DEMO_VARIATIONS), DEMO_TERMINATION[0]])
    }
    for reference, ground, value, effective_on, reason, state in DEMO_VARIATIONS:
        contract = contracts.get(reference)
        if contract is None or estate_selectors.contract_changes(contract).filter(kind="variation").exists():
            continue
        with story_at(VARIATIONS_PROPOSED if state == "effective" else REFUSED_VARIATION_PROPOSED):
            change = estate_services.change_propose(
                contract=contract,
                kind="variation",
                reason=reason,
                effective_on=effective_on,
                value_change=Decimal(value),
                scope=reason.split(" (", 1)[0].split(": ", 1)[0] + ".",
                ground=ground,
                by=commercial,
            )
        if state == "effective":
            with story_at(VARIATIONS_APPROVED):
                estate_services.change_approve(change=change, by=cfo)
            with story_at(london_instant(effective_on, 9)):
                estate_services.change_make_effective(change=change, by=commercial)
    reference, day = DEMO_TERMINATION
    contract = contracts.get(reference)
    if contract is not None and not estate_selectors.contract_changes(contract).filter(kind="termination").exists():
        with story_at(TERMINATION_PROPOSED):
            change = estate_services.change_propose(
                contract=contract,
                kind="termination",
                reason="Consolidated into the devices, mobile and print contract called off under PEG-2019-03, which "
                "starts on 1 June 2020: the supply contract is broken at the end of transition.",
                effective_on=day,
                termination_date=day,
                termination_reason="break",
                by=commercial,
            )
        with story_at(TERMINATION_APPROVED):
            estate_services.change_approve(change=change, by=cfo)


def _illustrative_papers(officer, commercial) -> int:
    """PCD 612 in draft with some declarations made, and PCD 598 submitted to the DMPC."""
    made = 0
    if commercial is not None and not Decision.objects.filter(reference=STRATEGY_DRAFT["reference"]).exists():
        with story_at(PCD_612_DRAFTED):
            draft = _strategy_draft(commercial)
        with story_at(PCD_612_DECLARED):
            services.part2_attachment_add(
                decision=draft,
                upload=_price_schedule(),
                title="Indicative prices by tower (illustrative)",
                by=commercial,
            )
            for kind in ("financial", "legal", "commercial"):
                services.declaration_confirm(decision=draft, kind=kind, statement=DECLARATIONS[kind], by=commercial)
        made += 1
    if not Decision.objects.filter(reference=EXTENSION_SUBMITTED["reference"]).exists():
        with story_at(PCD_598_DRAFTED):
            extension = _extension_draft(officer)
        with story_at(PCD_598_SUBMITTED):
            for kind, statement in DECLARATIONS.items():
                services.declaration_confirm(decision=extension, kind=kind, statement=statement, by=officer)
            services.decision_submit(decision=extension, by=officer)
        made += 1
    extension = Decision.objects.filter(reference=EXTENSION_SUBMITTED["reference"]).order_by("-version").first()
    if extension is not None:
        _link_extension(extension, commercial or officer)
    return made


def _strategy_draft(commercial) -> Decision:
    return services.decision_create(
        by=commercial,
        recommendations=[
            RecommendationSpec(
                "approve",
                "The procurement strategy for the ICT towers, including the evaluation criteria and methodology.",
                Decimal("480000000.00"),
            ),
            RecommendationSpec("note", "The market engagement carried out since PCD 579."),
        ],
        exemptions=[ExemptionSpec("s43", "Commercial interests", date(2021, 3, 31))],
        route=[("MOPAC Investment Advisory & Monitoring", date(2019, 6, 13)), (DMPC, None)],
        **STRATEGY_DRAFT,
    )


def _extension_draft(officer) -> Decision:
    return services.decision_create(
        by=officer,
        recommendations=[
            RecommendationSpec(
                "approve",
                "Exercise the extension option of the networks contract for twelve months.",
                Decimal("14000000.00"),
            ),
        ],
        exemptions=[ExemptionSpec("s43", "Commercial interests", date(2020, 12, 31))],
        route=[(DMPC, None)],
        **EXTENSION_SUBMITTED,
    )


@transaction.atomic
def decisions_demo_load() -> dict[str, int]:
    """PCD 579, drafted by the programme director, submitted and approved by the DMPC on 10 June 2019; with two
    illustrative papers after it, one in draft and one awaiting decision."""
    User = get_user_model()
    approver = User.objects.filter(username="approver").first()
    officer = User.objects.filter(username="director").first()
    if approver is None or officer is None:
        return {"decisions": 0}
    with story_at(ESTATE_ENTERED):
        Appointment.objects.get_or_create(user=approver, office=DMPC)
        cfo = User.objects.filter(username="cfo").first()
        if cfo is not None:
            Appointment.objects.get_or_create(user=cfo, office=DELEGATED_OFFICER)
    commercial = User.objects.filter(username="commercial").first()
    made = _illustrative_papers(officer, commercial)
    if commercial is not None and cfo is not None:
        _illustrative_changes(commercial, cfo)
    if Decision.objects.filter(reference=PCD_579["reference"]).exists():
        decision_concerns_demo_load()
        return {"decisions": made}
    with story_at(PCD_579_DRAFTED):
        decision = services.decision_create(
            by=officer,
            recommendations=RECOMMENDATIONS,
            **PCD_579,
            exemptions=[ExemptionSpec("s43", "Commercial interests", date(2025, 12, 31))],
            route=[("MOPAC Investment Advisory & Monitoring", date(2019, 5, 23)), (DMPC, date(2019, 6, 10))],
        )
    with story_at(PCD_579_DECLARED):
        for kind, statement in DECLARATIONS.items():
            services.declaration_confirm(decision=decision, kind=kind, statement=statement, by=officer)
    with story_at(PCD_579_SUBMITTED):
        services.decision_submit(decision=decision, by=officer)
    with story_at(PCD_579_SIGNED):
        services.decision_approve(decision=decision, by=approver, interests="None recorded.", signed_at=PCD_579_SIGNED)
    decision_concerns_demo_load()
    return {"decisions": made + 1}


def _concerns_of_demo() -> dict[str, tuple[list, list]]:
    """PCD 579 concerns the six tier-1 contracts and the programme's procurements; PCD 598 the contract it extends."""
    programme = procurement_selectors.procurements().filter(reference__in=[p.reference for p in PROCUREMENTS])
    return {
        PCD_579["reference"]: (list(estate_selectors.contracts_of_tier(1)), list(programme)),
        EXTENSION_SUBMITTED["reference"]: (list(estate_selectors.contracts_of([EXTENDED_CONTRACT])), []),
    }


@transaction.atomic
@story_at(CONCERNS_FILED)
def decision_concerns_demo_load() -> dict[str, int]:
    """Link the demo's decisions to what they concern, filed by the programme director who drafted them; only what is
    missing is added, so a second load (or one before the procurements exist, then after) changes nothing more."""
    officer = get_user_model().objects.filter(username="director").first()
    if officer is None:
        return {"decision links": 0}
    added = 0
    for reference, (contracts, procurements) in _concerns_of_demo().items():
        decision = Decision.objects.filter(reference=reference).order_by("-version").first()
        if decision is None:
            continue
        had_contracts, had_procurements = set(decision.contracts.all()), set(decision.procurements.all())
        contracts_now, procurements_now = had_contracts | set(contracts), had_procurements | set(procurements)
        added += len(contracts_now - had_contracts) + len(procurements_now - had_procurements)
        services.decision_concerns_set(
            decision=decision, contracts=contracts_now, procurements=procurements_now, by=officer
        )
    return {"decision links": added}
