"""The demonstration's RAID log, as it might have stood when PCD 579 went to the Investment Advisory & Monitoring
meeting on 23 May 2019. Loading twice changes nothing: items are keyed by reference, mitigations by their action.

What the seed names is held: the IR35 risk of independent consultants, which Bloom, "the standard route to market for
independent resource ... lowers"; the legal implications of the two Full Business Cases, to be identified and
mitigated with "one of the companies on our legal framework" (NLSF); the tier-1 contracts ending within two to three
years, before their replacements may start; the incumbents' exit; the "circa five existing key MPS DP people released
and backfilled"; the funding from the Digital Policing budget; the DMPC's approval of the Full Business Case before
any award. Scores, owners, dates and the issues are illustrative: the seed gives none of them, and each description
says so.
"""

from datetime import date

from pegasus.core.clock import london_instant, story_at
from pegasus.estate import selectors as estate_selectors
from pegasus.governance import selectors as governance_selectors
from pegasus.procurement import selectors as procurement_selectors
from pegasus.programme.models import Programme, RaidItem
from pegasus.programme.services.raid import mitigation_save, raid_item_save

ILLUSTRATIVE = " Scores, owner and dates are illustrative: PCD 579 gives none."
REPLACING = "PEG-2019-01"
# The demo's day (estate.demo.DEMO_AS_AT): the IAM meeting that considered PCD 579.
DEMO_AS_AT = date(2019, 5, 23)


def _first_ending_tier_one():
    """The tier-1 contract whose current end, as at the demo's day, comes first (MPS-DP-T1-002 if none is held)."""
    contracts = list(estate_selectors.contracts_with_options().filter(tier=1))
    if not contracts:
        return None
    return min(contracts, key=lambda c: (estate_selectors.contract_end(c, DEMO_AS_AT), c.reference))


def _items(contract, procurement, decision) -> list[tuple[dict, list[dict]]]:
    ending = (
        f"The {contract.title} contract ({contract.reference})"
        if contract is not None
        else "The first tier-1 contract to end"
    )
    ends = estate_selectors.contract_end(contract, DEMO_AS_AT) if contract is not None else date(2020, 3, 31)
    return [
        (
            {
                "reference": "R-001",
                "kind": "risk",
                "title": "IR35: independent consultants engaged to mobilise the programme",
                "description": "PCD 579 mobilises the programme with independent consultants (better value than "
                "consultancy organisations) and names Bloom as the standard route, which lowers the IR35 risk to "
                "the MPS." + ILLUSTRATIVE,
                "owner": "Programme Director",
                "raised_on": date(2019, 4, 1),
                "cause": "The £6.7m mobilisation uses independent consultants rather than consultancy organisations.",
                "event": "An engagement is found to be inside IR35 (off-payroll working rules).",
                "effect": "Tax and National Insurance liabilities and penalties fall on the MPS; consultants leave.",
                "inherent_probability": 4,
                "inherent_impact": 4,
                "residual_probability": 2,
                "residual_impact": 4,
                "proximity": date(2019, 7, 1),
                "decision": decision,
            },
            [
                {
                    "action": "Engage every independent consultant through Bloom, the standard route to market for "
                    "independent resource, with outcome-based statements of work.",
                    "owner": "Head of Commercial (Digital Policing)",
                    "due_on": date(2019, 6, 28),
                },
                {
                    "action": "Status determination (CEST) recorded for each role before it starts.",
                    "owner": "Programme Business Manager",
                    "due_on": date(2019, 6, 28),
                },
            ],
        ),
        (
            {
                "reference": "R-002",
                "kind": "risk",
                "title": "Legal implications of the Full Business Cases not identified in time",
                "description": "PCD 579: the two future Full Business Cases may have specific legal implications, to "
                "be identified and mitigated in advance of them with a firm on the legal framework." + ILLUSTRATIVE,
                "owner": "MPS Legal Services",
                "raised_on": date(2019, 4, 1),
                "cause": "Re-procuring six major contracts raises legal questions (procurement law, TUPE, data).",
                "event": "Legal risks, issues or concerns are found late, after the Full Business Case is drafted.",
                "effect": "The Full Business Case is delayed or the award is open to challenge.",
                "inherent_probability": 3,
                "inherent_impact": 4,
                "residual_probability": 2,
                "residual_impact": 3,
                "proximity": date(2020, 1, 15),
                "decision": decision,
            },
            [
                {
                    "action": "Engage a legal partner through the National Legal Services Framework (NLSF) to lead "
                    "the identification and mitigation of legal implications.",
                    "owner": "MPS Legal Services",
                    "due_on": date(2019, 7, 31),
                },
            ],
        ),
        (
            {
                "reference": "R-003",
                "kind": "risk",
                "title": f"{ending} ends before its replacement starts",
                "description": "The six tier-1 contracts end within two to three years (PCD 579); the first to end "
                "may end, options and all, before the re-procured service can start." + ILLUSTRATIVE,
                "owner": "Programme Director",
                "raised_on": date(2019, 4, 15),
                "cause": "The contract's term and its remaining options run out before the replacement is mobilised.",
                "event": "The contract ends with no replacement in place.",
                "effect": "No contractual cover for a live policing service, or a direct award without competition.",
                "inherent_probability": 4,
                "inherent_impact": 5,
                "proximity": ends,
                "contract": contract,
                "procurement": procurement,
            },
            [
                {
                    "action": "Decide on the remaining extension option in time to give the incumbent notice.",
                    "owner": "Head of Commercial (Digital Policing)",
                    "due_on": date(2019, 9, 30),
                },
                {
                    "action": "Plan the procurement backwards from the contract's current end, with dual running.",
                    "owner": "Programme Director",
                    "due_on": date(2019, 5, 17),
                    "done_on": date(2019, 5, 17),
                },
            ],
        ),
        (
            {
                "reference": "R-004",
                "kind": "risk",
                "title": "Incumbent suppliers do not cooperate with exit",
                "description": "Four suppliers hold the six tier-1 contracts; each must hand over assets, data and "
                "knowledge to its successor." + ILLUSTRATIVE,
                "owner": "Head of Commercial (Digital Policing)",
                "raised_on": date(2019, 4, 15),
                "cause": "An incumbent that loses the re-competition has little to gain from a smooth exit.",
                "event": "The incumbent is slow to provide exit information, data or knowledge transfer.",
                "effect": "Transition slips, dual running lasts longer and costs more, service is disrupted.",
                "inherent_probability": 3,
                "inherent_impact": 4,
                "residual_probability": 2,
                "residual_impact": 4,
                "proximity": date(2020, 9, 30),
                "procurement": procurement,
            },
            [
                {
                    "action": "Ask each incumbent for its exit plan under the contract's exit schedule.",
                    "owner": "Contract managers",
                    "due_on": date(2019, 8, 30),
                },
            ],
        ),
        (
            {
                "reference": "R-005",
                "kind": "risk",
                "title": "Loss of the five backfilled MPS Digital Policing staff",
                "description": "PCD 579 releases circa five key MPS DP people, backfilled, so that the programme is "
                "Met led and those who will run the services define them." + ILLUSTRATIVE,
                "owner": "Programme Director",
                "raised_on": date(2019, 5, 1),
                "cause": "The programme depends on a few people who know today's services and contracts.",
                "event": "One or more of the five leave the programme or are recalled to operations.",
                "effect": "Knowledge and continuity are lost; requirements and transition plans are delayed.",
                "inherent_probability": 3,
                "inherent_impact": 5,
                "proximity": date(2019, 9, 1),
                "decision": decision,
            },
            [
                {
                    "action": "Record each of the five's knowledge of the services in the requirements as it is "
                    "written, with a named deputy for each.",
                    "owner": "Programme Business Manager",
                    "due_on": date(2019, 8, 30),
                },
            ],
        ),
        (
            {
                "reference": "R-006",
                "kind": "risk",
                "title": "Data Protection Impact Assessments not complete before going to market",
                "description": "PCD 579 notes that DPIAs are mandatory where processing is likely to be of high risk "
                "(GDPR Article 35, DPA 2018 section 57). Raised after 23 May 2019: it is not in the log as at "
                "that day." + ILLUSTRATIVE,
                "owner": "Data Protection Officer",
                "raised_on": date(2019, 6, 20),
                "cause": "Each new service processes personal data of the public and officers.",
                "event": "A DPIA is not finished before the tender is published.",
                "effect": "Go to market (September 2019) slips, or requirements change after publication.",
                "inherent_probability": 2,
                "inherent_impact": 3,
                "proximity": date(2019, 9, 1),
                "procurement": procurement,
            },
            [],
        ),
        (
            {
                "reference": "A-001",
                "kind": "assumption",
                "title": "The programme is funded from the Digital Policing budget",
                "description": "PCD 579: the £6.7m to mobilise the programme is met from the MPS Digital Policing "
                "budget. If it were not, the programme would need a new approval." + ILLUSTRATIVE,
                "owner": "MPS Chief Financial Officer",
                "raised_on": date(2019, 4, 1),
                "decision": decision,
            },
            [],
        ),
        (
            {
                "reference": "I-001",
                "kind": "issue",
                "title": "Two of the five backfill posts are not yet recruited",
                "description": "The people to be released cannot join the programme until their posts are "
                "backfilled." + ILLUSTRATIVE,
                "owner": "Programme Director",
                "raised_on": date(2019, 5, 10),
                "priority": "high",
            },
            [
                {
                    "action": "Agree interim cover with Digital Policing operations for the two posts.",
                    "owner": "Programme Director",
                    "due_on": date(2019, 6, 14),
                },
            ],
        ),
        (
            {
                "reference": "I-002",
                "kind": "issue",
                "title": "Programme board terms of reference not agreed",
                "description": "Illustrative: an issue raised and resolved before 23 May 2019.",
                "owner": "Programme Business Manager",
                "raised_on": date(2019, 4, 8),
                "priority": "medium",
                "closed_on": date(2019, 5, 2),
                "resolution": "Agreed at the programme board of 2 May 2019.",
            },
            [],
        ),
        (
            {
                "reference": "D-001",
                "kind": "dependency",
                "title": "The DMPC approves the Full Business Case before any contract is awarded",
                "description": "PCD 579 approves the Outline Business Case stage; the Full Business Case for the "
                "service towers (first quarter of 2020) goes to the Deputy Mayor for Policing and Crime before "
                "award." + ILLUSTRATIVE,
                "owner": "Programme Director",
                "raised_on": date(2019, 4, 1),
                "procurement": procurement,
                "decision": decision,
            },
            [],
        ),
    ]


def raid_demo_load(programme: Programme) -> dict[str, int]:
    """The demo's RAID items and their mitigations; counts of what was created."""
    contract = _first_ending_tier_one()
    procurement = procurement_selectors.procurements().filter(reference=REPLACING).first()
    decision = governance_selectors.decision_list().filter(reference="PCD 579").order_by("-version").first()
    created = {"raid_items": 0, "mitigations": 0}
    for values, mitigations in _items(contract, procurement, decision):
        # Each item is logged with its mitigations on the last day the demo tells of it (raised, closed, done).
        days = [values["raised_on"], values.get("closed_on"), *(m.get("done_on") for m in mitigations)]
        with story_at(london_instant(max(day for day in days if day is not None), 10)):
            saved = raid_item_save(programme=programme, **values, by=None)
            created["raid_items"] += saved.outcome == "created"
            item: RaidItem = saved.row
            for mitigation in mitigations:
                existing = item.mitigations.filter(action=mitigation["action"]).first()
                outcome = mitigation_save(item=item, mitigation=existing, **mitigation, by=None).outcome
                created["mitigations"] += outcome == "created"
    return created
