"""Tender endpoints: what each role may read of a tender evaluation, exactly as the tender pages decide.

Bids are commercial-in-confidence (OFFICIAL-SENSITIVE [COMMERCIAL]); every endpoint checks the django-rules permission
of the page it mirrors and reads through the evaluation selectors, which apply the no-peeking rules:

- Tenders and their criteria: every member of the authority's staff (`evaluation.view_tender`). Bidders and prices
  only for commercial officers (`evaluation.manage_tender`); for the others `bids` is null, `bids_withheld` true and
  only the number of bids is given, as on the page.
- Scoring (`evaluation.score`, evaluators): no bid until the evaluator has declared no conflict of interest in the
  tender; then the bidders (never their prices) on the criteria assigned to them, their own scores, and another
  evaluator's score only once that bid is moderated on that criterion.
- Moderation (commercial officers): every original score side by side, with the consensus.
- Results (`evaluation.view_results`: staff but evaluators): the ranking on moderated scores once every bid is
  moderated on every scored criterion.

Supplier users reach none of these (403), and a role that may not read a page is refused (403) before anything is
looked up, so a refusal says nothing about whether the tender or lot exists.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from ninja import Field, Query, Router, Schema

from pegasus.api.schemas import Errors, Id, Message, MoneyOut, PageQuery, Percent
from pegasus.core.access import check_object_perm
from pegasus.core.classification import marking
from pegasus.core.money import VatBasis
from pegasus.evaluation import selectors

NO_SUCH_TENDER = "No tender with id {id}."
NO_SUCH_LOT = "No lot with id {id}."
SENSITIVE = marking("OFFICIAL-SENSITIVE", "COMMERCIAL")
READ_ERRORS = {401: Message, 403: Message, 404: Message, 422: Errors}

router = Router(tags=["tenders"])

# Scores, weights and pass marks are points out of 100, as strings with two decimals.
Points = Percent


class TenderProcurementRef(Schema):
    id: int
    reference: str
    title: str


class TenderSummary(Schema):
    id: int
    reference: str
    title: str
    procurement: TenderProcurementRef | None
    lot_count: int
    created_at: datetime


class TenderPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TenderSummary]


class CriterionOut(Schema):
    id: int
    code: str
    title: str
    kind: str = Field(description="quality, social-value or price")
    weight: Points
    pass_mark: Points | None
    price_method: str = Field(description="How a price is scored; empty but for the price criterion")


class BidOut(Schema):
    id: int
    bidder: str
    supplier_id: int | None = Field(description="The estate supplier, when the bidder is one")
    price: MoneyOut
    vat_basis: VatBasis


class AwardRef(Schema):
    decision_id: int
    decision_reference: str


class TenderLotOut(Schema):
    id: int
    number: int
    title: str
    criteria: list[CriterionOut]
    bid_count: int
    bids_withheld: bool = Field(description="True when the caller's role may not read the bids")
    bids: list[BidOut] | None = Field(description="Bidders and prices: commercial officers only")
    award: AwardRef | None = Field(description="The decision that carries the award recommendation")


class ConflictDeclarationOut(Schema):
    has_conflict: bool
    details: str
    declared_at: datetime


class TenderOut(TenderSummary):
    marking: str
    declaration: ConflictDeclarationOut | None = Field(
        description="The calling evaluator's own declaration of interests in the tender; null for other roles"
    )
    lots: list[TenderLotOut]


class LotRef(Schema):
    id: int
    number: int
    title: str
    tender_id: int
    tender_reference: str


class RankingRowOut(Schema):
    bid_id: int
    bidder: str
    price: MoneyOut
    vat_basis: VatBasis
    passed: bool
    failed_on: str = Field(description="The criteria whose pass mark it failed")
    rank: int | None
    quality: Points | None
    price_score: Points | None
    total: Points | None


class LotResultsOut(Schema):
    lot: LotRef
    marking: str
    complete: bool = Field(description="Every bid is moderated on every scored criterion")
    moderated: int
    needed: int
    warnings: list[str]
    ranking: list[RankingRowOut] = Field(description="Empty until complete")
    sensitivity: list[str] = Field(description="How sure the ranking is, in words")


class ScalePointOut(Schema):
    points: Points
    descriptor: str


class ScoreOut(Schema):
    score: Points
    rationale: str
    scored_at: datetime


class OtherScoreOut(Schema):
    evaluator: str
    score: Points
    rationale: str


class ModerationOut(Schema):
    score: Points
    rationale: str
    moderated_at: datetime


class ScoringCellOut(Schema):
    bid_id: int
    bidder: str
    own: ScoreOut | None
    others: list[OtherScoreOut] = Field(description="Other evaluators' scores, once the bid is moderated on it")
    moderation: ModerationOut | None


class ScoringCriterionOut(CriterionOut):
    scale: list[ScalePointOut]
    cells: list[ScoringCellOut]


class LotScoringOut(Schema):
    lot: LotRef
    marking: str
    declaration: ConflictDeclarationOut | None
    bids_shown: bool = Field(description="False until the evaluator declares no conflict of interest in the tender")
    criteria: list[ScoringCriterionOut] = Field(description="The criteria assigned to the caller")


class OriginalScoreOut(Schema):
    evaluator: str
    score: Points
    rationale: str
    scored_at: datetime


class BoardCellOut(Schema):
    bid_id: int
    bidder: str
    expected: int = Field(description="Evaluators assigned to the criterion, less those with a conflict")
    ready: bool = Field(description="Every expected evaluator has scored it")
    originals: list[OriginalScoreOut]
    moderation: ModerationOut | None


class BoardRowOut(Schema):
    criterion: CriterionOut
    cells: list[BoardCellOut]


class LotModerationOut(Schema):
    lot: LotRef
    marking: str
    rows: list[BoardRowOut]


def _allow(request, perm: str) -> None:
    check_object_perm(request.user, perm, None)


def _points(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _criterion(c) -> dict:
    return {
        "id": c.pk,
        "code": c.code,
        "title": c.title,
        "kind": c.kind,
        "weight": c.weight,
        "pass_mark": c.pass_mark,
        "price_method": c.price_method,
    }


def _moderation(m) -> dict | None:
    return None if m is None else {"score": m.score, "rationale": m.rationale, "moderated_at": m.moderated_at}


def _declaration(d) -> dict | None:
    return None if d is None else {"has_conflict": d.has_conflict, "details": d.details, "declared_at": d.declared_at}


def _procurement(tender) -> dict | None:
    p = tender.procurement
    return None if p is None else {"id": p.pk, "reference": p.reference, "title": p.title}


def _lot(pk: int):
    try:
        return selectors.lot_detail(pk)
    except ObjectDoesNotExist:
        raise Http404(NO_SUCH_LOT.format(id=pk)) from None


def _lot_ref(lot) -> dict:
    return {
        "id": lot.pk,
        "number": lot.number,
        "title": lot.title,
        "tender_id": lot.tender_id,
        "tender_reference": lot.tender.reference,
    }


@router.get("/tenders", response={200: TenderPage, **READ_ERRORS})
def tender_list(request, page: Query[PageQuery]):
    """Tenders by reference, with how many lots each has; staff of the authority only."""
    _allow(request, "evaluation.view_tender")
    tenders = selectors.tender_list().select_related("procurement")
    window = list(tenders[page.offset : page.offset + page.limit])
    return TenderPage(
        count=tenders.count(),
        limit=page.limit,
        offset=page.offset,
        items=[
            TenderSummary(
                id=t.pk,
                reference=t.reference,
                title=t.title,
                procurement=_procurement(t),
                lot_count=t.lot_count,
                created_at=t.created_at,
            )
            for t in window
        ],
    )


@router.get("/tenders/{tender_id}", response={200: TenderOut, **READ_ERRORS})
def tender_get(request, tender_id: Id):
    """One tender: its lots with their criteria, the number of bids and the award decision; bidders and prices for
    commercial officers only; the calling evaluator's own declaration."""
    _allow(request, "evaluation.view_tender")
    try:
        tender = selectors.tender_detail(tender_id)
    except ObjectDoesNotExist:
        raise Http404(NO_SUCH_TENDER.format(id=tender_id)) from None
    manages = request.user.has_perm("evaluation.manage_tender")
    scores = request.user.has_perm("evaluation.score")
    lots = []
    for lot in tender.lots.all():
        bids = list(lot.bids.all())
        award = getattr(lot, "award", None)
        lots.append(
            {
                "id": lot.pk,
                "number": lot.number,
                "title": lot.title,
                "criteria": [_criterion(c) for c in lot.criteria.all()],
                "bid_count": len(bids),
                "bids_withheld": not manages,
                "bids": (
                    [
                        {
                            "id": b.pk,
                            "bidder": b.bidder,
                            "supplier_id": b.supplier_id,
                            "price": b.price,
                            "vat_basis": VatBasis.NET,
                        }
                        for b in bids
                    ]
                    if manages
                    else None
                ),
                "award": (
                    {"decision_id": award.decision_id, "decision_reference": award.decision.reference}
                    if award
                    else None
                ),
            }
        )
    return TenderOut(
        id=tender.pk,
        reference=tender.reference,
        title=tender.title,
        procurement=_procurement(tender),
        lot_count=len(lots),
        created_at=tender.created_at,
        marking=SENSITIVE if manages else "OFFICIAL",
        declaration=_declaration(selectors.declaration_of(tender=tender, user=request.user)) if scores else None,
        lots=lots,
    )


@router.get("/tenders/lots/{lot_id}/results", response={200: LotResultsOut, **READ_ERRORS})
def lot_results(request, lot_id: Id):
    """The lot's ranking on moderated scores, with bidders, prices, quality, price and total scores and how sure the
    ranking is; empty until every bid is moderated on every scored criterion. Not for evaluators."""
    _allow(request, "evaluation.view_results")
    lot = _lot(lot_id)
    result = selectors.lot_result(lot)
    return LotResultsOut(
        lot=_lot_ref(lot),
        marking=SENSITIVE,
        complete=result.complete,
        moderated=result.moderated,
        needed=result.needed,
        warnings=list(result.warnings),
        ranking=[
            {
                "bid_id": row.bid.pk,
                "bidder": row.bidder,
                "price": row.price,
                "vat_basis": VatBasis.NET,
                "passed": row.passed,
                "failed_on": row.failed_on,
                "rank": row.rank,
                "quality": _points(row.quality),
                "price_score": _points(row.price_score),
                "total": _points(row.total),
            }
            for row in (result.rows if result.complete else [])
        ],
        sensitivity=list(result.sensitivity_words) if result.complete else [],
    )


@router.get("/tenders/lots/{lot_id}/scoring", response={200: LotScoringOut, **READ_ERRORS})
def lot_scoring(request, lot_id: Id):
    """The calling evaluator's scoring of a lot: nothing of the bids until they have declared no conflict of interest
    in its tender; then, on each criterion assigned to them, each bidder (no price) with their own score, and the
    other evaluators' scores and the consensus once the bid is moderated on it. Evaluators only."""
    _allow(request, "evaluation.score")
    lot = _lot(lot_id)
    declaration = selectors.declaration_of(tender=lot.tender, user=request.user)
    answer = {"lot": _lot_ref(lot), "marking": SENSITIVE, "declaration": _declaration(declaration)}
    if declaration is None or declaration.has_conflict:
        return LotScoringOut(**answer, bids_shown=False, criteria=[])
    bids = selectors.bids_for_evaluator(lot=lot, user=request.user)
    own, others = selectors.scores_own_and_others(lot=lot, user=request.user)
    criteria = selectors.criteria_assigned_to(lot=lot, user=request.user).prefetch_related("moderations")
    out = []
    for criterion in criteria:
        moderated = {m.bid_id: m for m in criterion.moderations.all()}
        cells = []
        for bid in bids:
            key = (bid.pk, criterion.pk)
            mine = own.get(key)
            cells.append(
                {
                    "bid_id": bid.pk,
                    "bidder": bid.bidder,
                    "own": (
                        {"score": mine.score, "rationale": mine.rationale, "scored_at": mine.scored_at}
                        if mine
                        else None
                    ),
                    "others": [
                        {"evaluator": _name(s.evaluator), "score": s.score, "rationale": s.rationale}
                        for s in others.get(key, [])
                    ],
                    "moderation": _moderation(moderated.get(bid.pk)),
                }
            )
        scale = [{"points": Decimal(str(points)), "descriptor": words} for points, words in criterion.scale]
        out.append({**_criterion(criterion), "scale": scale, "cells": cells})
    return LotScoringOut(**answer, bids_shown=True, criteria=out)


@router.get("/tenders/lots/{lot_id}/moderation", response={200: LotModerationOut, **READ_ERRORS})
def lot_moderation(request, lot_id: Id):
    """Every original score of every bid on every scored criterion side by side, by evaluator, with the consensus
    where it has been agreed. Commercial officers only."""
    _allow(request, "evaluation.manage_tender")
    lot = _lot(lot_id)
    board = selectors.moderation_board(lot)
    return LotModerationOut(
        lot=_lot_ref(lot),
        marking=SENSITIVE,
        rows=[
            {
                "criterion": _criterion(row.criterion),
                "cells": [
                    {
                        "bid_id": cell.bid.pk,
                        "bidder": cell.bid.bidder,
                        "expected": cell.expected,
                        "ready": cell.ready,
                        "originals": [
                            {
                                "evaluator": _name(s.evaluator),
                                "score": s.score,
                                "rationale": s.rationale,
                                "scored_at": s.scored_at,
                            }
                            for s in cell.originals
                        ],
                        "moderation": _moderation(cell.moderation),
                    }
                    for cell in row.cells
                ],
            }
            for row in board
        ],
    )
