"""An illustrative tender: the SIAM lot of the next generation, evaluated part-way. Loading twice changes nothing.

It is the competition of the service towers' procurement (PEG-2019-01) when the procurements' demo is loaded, first
or later: a tender loaded before it is linked to it on the next load.

The criteria are those PCD 579 names for selecting future suppliers: equality and diversity (the decision's
paragraph 7.1), the Mayor's London Environment Strategy and the estate strategy (paragraphs 25 and 24 of the report
to the Investment Advisory and Monitoring meeting of 23 May 2019 that the decision approves), beside the quality of
the service integration approach and price. The bidders are the demonstration's fictional suppliers; the prices,
scores and rationales are invented. The demo evaluator has declared no conflict and scored; moderation is done
for some criteria and not yet for the estate strategy, so the results wait on it.
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from pegasus.core.clock import london_instant, story_at
from pegasus.core.roles import Role
from pegasus.estate import selectors as estate_selectors
from pegasus.estate.demo import DEMO_PASSWORD, SUPPLIERS
from pegasus.evaluation import services
from pegasus.evaluation.models import Tender
from pegasus.evaluation.services import CriterionSpec
from pegasus.procurement import selectors as procurement_selectors

TENDER_REFERENCE = "PEG-ITT-2019-01"
PROCUREMENT_REFERENCE = "PEG-2019-01"
SECOND_EVALUATOR = ("evaluator2", "Erin Evaluator")

CRITERIA = [
    CriterionSpec("tech", "Service integration approach", "quality", Decimal(45), pass_mark=Decimal(25)),
    CriterionSpec("edi", "Equality and diversity (PCD 579 para 7.1)", "social-value", Decimal(5)),
    CriterionSpec("les", "London Environment Strategy (PCD 579 report para 25)", "social-value", Decimal(5)),
    CriterionSpec("estate", "Estate strategy (PCD 579 report para 24)", "quality", Decimal(5)),
    CriterionSpec("price", "Price", "price", Decimal(40), price_method="lowest-price-ratio"),
]
# supplier index in the estate demo, price (£, excluding VAT, five years)
BIDS = [(0, Decimal("24750000.00")), (3, Decimal("22980000.00")), (1, Decimal("26400000.00"))]
# (criterion, bid index) -> (first evaluator's score, second evaluator's score or None, moderated score or None)
SCORES = {
    ("tech", 0): (75, 75, 75),
    ("tech", 1): (75, 50, 50),
    ("tech", 2): (100, 75, 75),
    ("edi", 0): (75, None, 75),
    ("edi", 1): (50, None, 50),
    ("edi", 2): (75, None, 75),
    ("les", 0): (50, None, 50),
    ("les", 1): (75, None, 75),
    ("les", 2): (50, None, 50),
    ("estate", 0): (50, 75, None),
    ("estate", 1): (75, 75, None),
    ("estate", 2): (50, None, None),
}
# The tender's story in the programme's own time (illustrative days): issued when PEG-2019-01 goes to market in
# September 2019, bids in at the deadline, conflicts declared before scoring, scores then the moderation meeting.
TENDER_ISSUED = london_instant(date(2019, 9, 2), 9)
BIDS_RECEIVED = london_instant(date(2019, 11, 4), 12)
CONFLICTS_DECLARED = london_instant(date(2019, 11, 5), 10)
SCORED = london_instant(date(2019, 11, 18), 16)
MODERATED = london_instant(date(2019, 12, 2), 15)
DESCRIPTORS = {0: "Unacceptable", 25: "Poor", 50: "Acceptable", 75: "Good", 100: "Excellent"}


def _rationale(points: int, criterion: str) -> str:
    return f"{DESCRIPTORS[points]} against the {criterion} requirement (illustrative rationale)."


@transaction.atomic
def evaluation_demo_load() -> dict[str, int]:
    """Load the illustrative SIAM tender after the estate demo; nothing when it is already there."""
    User = get_user_model()
    officer = User.objects.filter(username="commercial").first()
    evaluator = User.objects.filter(username="evaluator").first()
    procurement = procurement_selectors.procurements().filter(reference=PROCUREMENT_REFERENCE).first()
    existing = Tender.objects.filter(reference=TENDER_REFERENCE).first()
    if existing is not None and existing.procurement_id is None and procurement is not None:
        with story_at(TENDER_ISSUED):
            services.tender_procurement_set(tender=existing, procurement=procurement, by=officer)
    if officer is None or evaluator is None or existing is not None:
        return {"tenders": 0}
    with story_at(TENDER_ISSUED):
        tender, lot, criteria, second = _tender_issue(officer, evaluator, procurement)
    with story_at(BIDS_RECEIVED):
        bids = [
            services.bid_add(
                lot=lot, supplier=estate_selectors.suppliers().get(name=SUPPLIERS[index][0]), price=price, by=officer
            )
            for index, price in BIDS
        ]
    with story_at(CONFLICTS_DECLARED):
        services.conflict_declare(tender=tender, has_conflict=False, by=evaluator)
        services.conflict_declare(tender=tender, has_conflict=False, by=second)
    with story_at(SCORED):
        _scores_record(criteria, bids, evaluator, second)
    with story_at(MODERATED):
        _moderations_record(criteria, bids, officer)
    return {"tenders": 1}


def _tender_issue(officer, evaluator, procurement):
    """The tender, its lot and criteria, its evaluators (the second made with it)."""
    User = get_user_model()
    second, new = User.objects.get_or_create(
        username=SECOND_EVALUATOR[0],
        defaults={
            "first_name": SECOND_EVALUATOR[1].split()[0],
            "last_name": SECOND_EVALUATOR[1].split()[1],
            "email": f"{SECOND_EVALUATOR[0]}@pegasus.example",
            "date_joined": TENDER_ISSUED,
        },
    )
    if new:
        second.set_password(DEMO_PASSWORD)
        second.save()
        second.groups.add(Group.objects.get(name=Role.EVALUATOR.value))
    tender = services.tender_create(
        reference=TENDER_REFERENCE,
        title="Next generation ICT services (illustrative)",
        lots=["Service Integration & Management (SIAM)"],
        procurement=procurement,
        by=officer,
    )
    lot = tender.lots.get()
    services.lot_criteria_set(lot=lot, criteria=CRITERIA, by=officer)
    criteria = {c.code: c for c in lot.criteria.all()}
    for code in ("tech", "edi", "les", "estate"):
        services.evaluator_assign(criterion=criteria[code], evaluator=evaluator, by=officer)
    for code in ("tech", "estate"):
        services.evaluator_assign(criterion=criteria[code], evaluator=second, by=officer)
    return tender, lot, criteria, second


def _scores_record(criteria, bids, evaluator, second) -> None:
    for (code, index), (first, other, _) in SCORES.items():
        criterion, bid = criteria[code], bids[index]
        services.score_record(
            bid=bid,
            criterion=criterion,
            score=Decimal(first),
            rationale=_rationale(first, criterion.title),
            by=evaluator,
        )
        if other is not None:
            services.score_record(
                bid=bid,
                criterion=criterion,
                score=Decimal(other),
                rationale=_rationale(other, criterion.title),
                by=second,
            )


def _moderations_record(criteria, bids, officer) -> None:
    for (code, index), (_, _, moderated) in SCORES.items():
        if moderated is not None:
            services.moderation_record(
                bid=bids[index],
                criterion=criteria[code],
                score=Decimal(moderated),
                rationale="Consensus reached at the moderation meeting (illustrative).",
                by=officer,
            )
