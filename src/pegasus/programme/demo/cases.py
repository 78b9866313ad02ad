"""The demonstration's business cases: the programme's Outline Business Case that PCD 579 approves, with its options
appraisal, and the two Full Business Cases PCD 579 announces, in draft. Loading twice changes nothing.

The five cases' text paraphrases PCD 579 (May 2019) and says where it is illustrative. The appraisal's figures are
illustrative, and the page and this module say so: PCD 579 publishes no options appraisal (its business case is in the
exempt Part 2). They are of the order the seed gives: about £100m a year for today's towers (£500m over five years).
"""

from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model

from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.clock import story_at
from pegasus.governance import selectors as governance_selectors
from pegasus.procurement import selectors as procurement_selectors
from pegasus.programme.models import BusinessCase, Programme
from pegasus.programme.services import cases as services
from pegasus.programme.services.cases import YearRow

OBC = "PEG-OBC"
FBC_TOWERS = "PEG-FBC-1"
FBC_APPLICATIONS = "PEG-FBC-2"
APPROVING_DECISION = "PCD 579"
ILLUSTRATIVE = "[Illustrative: PCD 579 does not publish this.]"

OBC_V1 = {
    "strategic": (
        "The MPS's ICT outsourced partnering arrangements (six major contracts with four suppliers, about £500m over "
        "five years within a Digital Policing budget of about £1bn) end over the next two to three years. They "
        "cover service integration and management, networks, telephony, data centres, hosting, end-user computing "
        "and applications management. The IT sourcing market has changed since they were let, and the MPS manages "
        "contracts better than it did: re-competing them is the chance of better value for money and a better "
        "experience for users, to meet the MPS's needs up to 2030."
    ),
    "economic": (
        "Options for the next generation of contracts, from keeping today's arrangements to consolidating them. "
        "The long list and the short list's appraisal follow. Benefits are counted over and above business as usual "
        "(fewer hand-offs, faster fixes), so every option's net present value is a net cost and the preferred "
        f"option is the one that costs least net. {ILLUSTRATIVE}"
    ),
    "commercial": (
        "Develop the requirements, engage the market further to decide how best to take them to market, and go to "
        "market in September 2019. Fewer suppliers and consolidated contracts (mobile, printers and devices among "
        "them), with competition kept across the supplier base; outcome-based requirements, customer-focused "
        "performance measures and visibility of the supplier ecosystem."
    ),
    "financial": (
        "£6.7m of revenue over the next two years mobilises the programme, fully funded from the approved Digital "
        "Policing budget."
    ),
    "management": (
        "A Met-led programme: external resources and bought-in expertise, with about five key Digital Policing staff "
        "released and backfilled, so that those who will run the future services define the requirements, schedules "
        "and transition plans. Independent consultants through Bloom (lower IR35 risk, outcome-based services); legal "
        "support through the National Legal Services Framework. A Full Business Case in the first quarter of 2020 to "
        "award the new contracts, and another in May 2021 for applications management services."
    ),
}
OBC_V2 = OBC_V1 | {
    "management": OBC_V1["management"]
    + " Legal implications, risks and issues are to be identified and mitigated before the two Full Business Cases, "
    "led by a firm of the legal framework.",
    "financial": OBC_V1["financial"]
    + " The towers' spend of about £500m over five years is within the Digital Policing budget of about £1bn "
    "(£200m a year).",
}

# name, business as usual, description, optimism bias %, (year-0 costs, yearly costs in years 1-9, yearly benefits
# and the first year they come), or the reason it was dropped. £ in real terms; every figure illustrative.
OPTIONS = [
    (
        "Business as usual",
        True,
        "Extend or re-let today's six contracts like for like, with the same four suppliers and hand-offs.",
        "10",
        ("2000000", "100000000", "0", 1),
    ),
    (
        "Single prime",
        False,
        "One supplier takes every tower and integrates them: one point of accountability, but little competition "
        "and a hard exit.",
        "40",
        ("18000000", "93000000", "4000000", 2),
    ),
    (
        "SIAM with towers",
        False,
        "A service integrator (SIAM), with the towers let as lots to several suppliers, the MPS taking more control "
        "of service management.",
        "20",
        ("12000000", "90000000", "6000000", 1),
    ),
    (
        "Multi-sourcing without SIAM",
        False,
        "The towers let as separate lots, the MPS integrating them itself without a service integrator.",
        "25",
        ("6000000", "92000000", "1000000", 1),
    ),
    (
        "Insource everything",
        False,
        "The MPS runs every service itself.",
        "0",
        "The MPS does not have, and could not build in time, the capability to run "
        "data centres, networks and applications management itself.",
    ),
]
LAST_YEAR = 9  # a ten-year appraisal, years 0 to 9

FBCS = [
    (
        FBC_TOWERS,
        "Award of the new service tower contracts",
        "PEG-2019-01",
        Decimal("350000000.00"),
        {
            "strategic": "The case for the new contracts of the service towers, following the tender. "
            "To be completed for the first quarter of 2020 (PCD 579).",
            "commercial": "The award of new contracts following receipt of responses to the tender documents. "
            + ILLUSTRATIVE,
        },
    ),
    (
        FBC_APPLICATIONS,
        "Applications management services",
        "PEG-2020-02",
        Decimal("97500000.00"),
        {
            "strategic": "The case for further contracts covering applications management services, to be "
            "submitted in May 2021 (PCD 579).",
        },
    ),
]


def _on(day: date) -> datetime:
    return datetime.combine(day, time(9, 30), tzinfo=LONDON_ZONE)


def _option_years(costs0: str, yearly: str, benefits: str, first_benefit: int) -> list[YearRow]:
    rows = [YearRow(0, Decimal(costs0), Decimal(benefits) if first_benefit == 0 else Decimal(0))]
    for year in range(1, LAST_YEAR + 1):
        rows.append(YearRow(year, Decimal(yearly), Decimal(benefits) if year >= first_benefit else Decimal(0)))
    return rows


def _obc(programme: Programme, by) -> int:
    if BusinessCase.objects.filter(reference=OBC).exists():
        return 0
    with story_at(_on(date(2019, 4, 15))):
        case = _obc_options(programme, by)
    with story_at(_on(date(2019, 5, 13))):
        services.case_version_add(
            case=case,
            sections=OBC_V2,
            note="For the Investment Advisory & Monitoring meeting of 23 May 2019",
            by=by,
            on=_on(date(2019, 5, 13)),
        )
    decision = governance_selectors.approved_decision(APPROVING_DECISION)
    if decision is not None:
        with story_at(decision.decided_at):
            services.case_approve(case=case, decision=decision, by=by)
    return 1


def _obc_options(programme: Programme, by) -> BusinessCase:
    """The OBC's first draft and its options appraisal."""
    case = services.case_create(
        programme=programme,
        reference=OBC,
        title="Next generation of MPS ICT outsourced contracts",
        stage=BusinessCase.Stage.OBC,
        value=Decimal("6700000.00"),
        sections=OBC_V1,
        note="First draft after the discovery phase",
        by=by,
        on=_on(date(2019, 4, 15)),
    )
    for name, bau, description, bias, plan in OPTIONS:
        shortlisted = not isinstance(plan, str)
        option = services.option_save(
            case=case,
            name=name,
            description=description,
            business_as_usual=bau,
            shortlisted=shortlisted,
            dropped_reason="" if shortlisted else str(plan),
            optimism_bias_percent=Decimal(bias),
            by=by,
        )
        if shortlisted:
            services.option_years_set(option=option, years=_option_years(*plan), by=by)
    return case


def _fbcs(programme: Programme, by) -> int:
    made = 0
    procurements = {p.reference: p for p in procurement_selectors.procurements()}
    for reference, title, procurement, value, sections in FBCS:
        if BusinessCase.objects.filter(reference=reference).exists():
            continue
        with story_at(_on(date(2019, 5, 20))):
            _fbc_create(programme, by, reference, title, procurements.get(procurement), value, sections)
        made += 1
    return made


def _fbc_create(programme: Programme, by, reference, title, procurement, value, sections) -> None:
    services.case_create(
        programme=programme,
        reference=reference,
        title=title,
        stage=BusinessCase.Stage.FBC,
        value=value,
        procurement=procurement,
        sections=sections,
        note=f"Opened with the OBC; value illustrative. {ILLUSTRATIVE}",
        by=by,
        on=_on(date(2019, 5, 20)),
    )


def cases_demo_load(programme: Programme) -> dict[str, int]:
    """PEG-OBC with two versions and its options appraisal, approved by PCD 579 (when the governance demo has
    approved it: 10 June 2019); PEG-FBC-1 and PEG-FBC-2 in draft."""
    by = get_user_model().objects.filter(username="director").first()
    made = _obc(programme, by) + _fbcs(programme, by)
    return {"business_cases": made}
