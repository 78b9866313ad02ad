"""Reads of evaluations for pages, with the no-peeking rules applied where the data is read.

- An evaluator reads no bid of a tender until they have declared no conflict of interest in it
  (`require_no_conflict_declared`, used by `bids_for_evaluator`, `scores_visible_to` and `services.score_record`).
- An evaluator reads their own scores, and another evaluator's score of a bid on a criterion only once that bid
  has been moderated on that criterion (`scores_visible_to`).
- Results are ranked by `scoring.py` on moderated scores only, and only when every bid has been moderated on every
  scored criterion (`lot_result`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from pegasus.core.clock import as_at_end
from pegasus.core.exceptions import RuleViolation
from pegasus.evaluation import scoring
from pegasus.evaluation.messages import CONFLICTED, MUST_DECLARE
from pegasus.evaluation.models import (
    AwardRecommendation,
    Bid,
    ConflictDeclaration,
    Criterion,
    EvaluatorAssignment,
    Lot,
    Moderation,
    Score,
    Tender,
)
from pegasus.procurement import selectors as procurement_selectors


def tender_list(as_at: date | None = None) -> QuerySet[Tender]:
    """Tenders by reference with their lot counts; as at a day, each knows whether it had been opened by its end
    (`opened_then`): one opened later is listed but not shown as opened."""
    tenders = Tender.objects.annotate(lot_count=Count("lots", distinct=True)).order_by("reference")
    if as_at is not None:
        tenders = tenders.annotate(
            opened_then=ExpressionWrapper(Q(created_at__lte=as_at_end(as_at)), output_field=BooleanField())
        )
    return tenders


def opened_after(tender: Tender, as_at: date) -> bool:
    """Whether the tender was opened after the end of `as_at`: read as at that day, it had not happened yet."""
    return tender.created_at > as_at_end(as_at)


def procurement_choices() -> QuerySet[Any]:
    """The procurements a tender may be opened for."""
    return procurement_selectors.procurements().order_by("reference")


def tender_detail(pk: int) -> Tender:
    return (
        Tender.objects.select_related("procurement")
        .prefetch_related("lots__criteria", "lots__bids__supplier", "lots__award__decision")
        .get(pk=pk)
    )


def lot_detail(pk: int) -> Lot:
    return (
        Lot.objects.select_related("tender")
        .prefetch_related("criteria__assignments__evaluator", "bids__supplier")
        .get(pk=pk)
    )


def declaration_of(*, tender: Tender, user) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(tender=tender, evaluator=user).first()


def require_no_conflict_declared(*, tender: Tender, user) -> ConflictDeclaration:
    """The user's declaration of no conflict in the tender; RuleViolation when there is none, or a conflict."""
    declaration = declaration_of(tender=tender, user=user)
    if declaration is None:
        raise RuleViolation(MUST_DECLARE.format(tender=tender.reference))
    if declaration.has_conflict:
        raise RuleViolation(CONFLICTED.format(tender=tender.reference))
    return declaration


def criteria_assigned_to(*, lot: Lot, user) -> QuerySet[Criterion]:
    return lot.criteria.filter(assignments__evaluator=user).order_by("position")


def tenders_assigned_to(user) -> QuerySet[Tender]:
    return Tender.objects.filter(lots__criteria__assignments__evaluator=user).distinct().order_by("reference")


def bids_for_evaluator(*, lot: Lot, user) -> list[Bid]:
    """The lot's bids, for an evaluator who declared no conflict in its tender; RuleViolation otherwise."""
    require_no_conflict_declared(tender=lot.tender, user=user)
    return list(lot.bids.select_related("supplier").order_by("id"))


def scores_visible_to(*, lot: Lot, user) -> QuerySet[Score]:
    """The scores of the lot an evaluator may read: their own, and others' only on moderated bids and criteria."""
    require_no_conflict_declared(tender=lot.tender, user=user)
    moderated = Moderation.objects.filter(bid=OuterRef("bid"), criterion=OuterRef("criterion"))
    return (
        Score.objects.filter(bid__lot=lot)
        .filter(Q(evaluator=user) | Q(Exists(moderated)))
        .select_related("evaluator", "bid__supplier", "criterion")
        .order_by("criterion__position", "bid_id", "evaluator_id")
    )


def scores_own_and_others(*, lot: Lot, user) -> tuple[dict[tuple[int, int], Score], dict[tuple[int, int], list]]:
    """The scores an evaluator may read, by (bid, criterion): their own, and the others' (moderated only)."""
    visible = list(scores_visible_to(lot=lot, user=user))
    own = {(s.bid_id, s.criterion_id): s for s in visible if s.evaluator_id == user.pk}
    others: dict[tuple[int, int], list] = {}
    for s in visible:
        if s.evaluator_id != user.pk:
            others.setdefault((s.bid_id, s.criterion_id), []).append(s)
    return own, others


def criteria_warnings(lot: Lot) -> list[str]:
    """Warnings on a lot's criteria, such as social value under 10% of the total score."""
    criteria = [_engine_criterion(c) for c in lot.criteria.all()]
    social_value = sum((c.weight for c in criteria if c.is_social_value), Decimal(0))
    if criteria and social_value < scoring.SOCIAL_VALUE_MINIMUM:
        return [scoring.MSG_SOCIAL_VALUE_LOW.format(weight=social_value.normalize())]
    return []


def _expected_evaluators(criterion: Criterion, conflicted: set[int]) -> set[int]:
    return {a.evaluator_id for a in criterion.assignments.all()} - conflicted


def _conflicted(tender_id: int) -> set[int]:
    return set(
        ConflictDeclaration.objects.filter(tender_id=tender_id, has_conflict=True).values_list(
            "evaluator_id", flat=True
        )
    )


def ready_to_moderate(*, bid: Bid, criterion: Criterion) -> bool:
    """Every evaluator assigned to the criterion (but those with a conflict) has scored the bid on it."""
    expected = _expected_evaluators(criterion, _conflicted(bid.lot.tender_id))
    scored = set(Score.objects.filter(bid=bid, criterion=criterion).values_list("evaluator_id", flat=True))
    return bool(expected) and expected <= scored


@dataclass
class BoardCell:
    bid: Bid
    criterion: Criterion
    originals: list[Score]
    expected: int
    moderation: Moderation | None

    @property
    def ready(self) -> bool:
        return self.expected > 0 and len({s.evaluator_id for s in self.originals}) >= self.expected


@dataclass
class BoardRow:
    criterion: Criterion
    cells: list[BoardCell] = field(default_factory=list)


def moderation_board(lot: Lot) -> list[BoardRow]:
    """For the commercial officer: every original score of every bid on every scored criterion, side by side."""
    conflicted = _conflicted(lot.tender_id)
    criteria = list(lot.criteria.exclude(kind=scoring.CriterionKind.PRICE.value).prefetch_related("assignments"))
    bids = list(lot.bids.select_related("supplier").order_by("id"))
    scores: dict[tuple[int, int], list[Score]] = {}
    for score in Score.objects.filter(bid__lot=lot).select_related("evaluator").order_by("evaluator__username"):
        scores.setdefault((score.bid_id, score.criterion_id), []).append(score)
    moderations = {(m.bid_id, m.criterion_id): m for m in Moderation.objects.filter(bid__lot=lot)}
    rows = []
    for criterion in criteria:
        expected = _expected_evaluators(criterion, conflicted)
        row = BoardRow(criterion)
        for bid in bids:
            originals = [s for s in scores.get((bid.pk, criterion.pk), []) if s.evaluator_id in expected]
            row.cells.append(
                BoardCell(bid, criterion, originals, len(expected), moderations.get((bid.pk, criterion.pk)))
            )
        rows.append(row)
    return rows


# --- Results -------------------------------------------------------------------------------------------------


def _engine_criterion(criterion: Criterion) -> scoring.Criterion:
    return scoring.Criterion(
        id=criterion.code,
        weight=criterion.weight,
        kind=scoring.CriterionKind(criterion.kind),
        pass_mark=criterion.pass_mark,
        method=scoring.PriceMethod(criterion.price_method) if criterion.price_method else None,
    )


def _shown(value: Fraction | None) -> str:
    return "" if value is None else f"{scoring.round_2dp(value):.2f}"


@dataclass(frozen=True)
class ResultRow:
    bid: Bid
    bidder: str
    price: Decimal
    passed: bool
    quality: str
    price_score: str
    total: str
    rank: int | None
    failed_on: str


@dataclass
class LotResult:
    criteria: list[Criterion]
    moderated: int
    needed: int
    rows: list[ResultRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sensitivity_words: list[str] = field(default_factory=list)
    evaluation: scoring.Evaluation | None = None

    @property
    def complete(self) -> bool:
        return self.needed > 0 and self.moderated == self.needed

    @property
    def winner_bid(self) -> Bid | None:
        return next((r.bid for r in self.rows if r.passed and r.rank == 1), None)


def _weights_in_words(before: dict[str, Decimal], after: dict[str, Decimal], titles: dict[str, str]) -> str:
    moves = [
        f"{titles[k]} from {before[k].normalize():f} to {after[k]:.2f}"
        for k in before
        if after[k].quantize(Decimal("0.01")) != before[k].quantize(Decimal("0.01"))
    ]
    return "; ".join(moves)


def sensitivity_in_words(evaluation: scoring.Evaluation, criteria: list[Criterion]) -> list[str]:
    """The sensitivity analysis of `scoring.py` in plain words."""
    sensitivity = evaluation.sensitivity
    if sensitivity is None:
        return [scoring.MSG_NONE_PASSED[0].upper() + scoring.MSG_NONE_PASSED[1:] + "."]
    titles = {c.code: c.title for c in criteria}
    weights = {c.code: c.weight for c in criteria}
    words = []
    if sensitivity.margin is None:
        words.append(f"{sensitivity.winner} is the only bid that passed every pass mark: no weighting changes that.")
        return words
    runner_up = evaluation.ranked[1].bidder
    words.append(f"{sensitivity.winner} leads {runner_up} by {_shown(sensitivity.margin)} points.")
    for challenger in sensitivity.challengers:
        if challenger.weight_moved is None or challenger.weights is None:
            words.append(f"No change of weights would put {challenger.bidder} ahead of {sensitivity.winner}.")
        else:
            words.append(
                f"Moving {challenger.weight_moved:.2f} points of weight would put {challenger.bidder} ahead: "
                f"{_weights_in_words(weights, dict(challenger.weights), titles)}."
            )
    for withdrawn, new_winner in sensitivity.if_withdrawn:
        words.append(
            f"If {withdrawn} withdrew, {new_winner} would win instead: the price formula scores each price "
            "against the others."
        )
    return words


def lot_result(lot: Lot) -> LotResult:
    """The lot's ranking and sensitivity, computed by `scoring.py` on moderated scores once all are moderated."""
    criteria = list(lot.criteria.order_by("position"))
    scored = [c for c in criteria if not c.is_price]
    bids = list(lot.bids.select_related("supplier").order_by("id"))
    moderations = {
        (m.bid_id, m.criterion_id): m.score for m in Moderation.objects.filter(bid__lot=lot, criterion__in=scored)
    }
    result = LotResult(criteria, len(moderations), len(scored) * len(bids), warnings=criteria_warnings(lot))
    if not criteria or not bids or not result.complete:
        return result
    tender = scoring.Tender(
        criteria=tuple(_engine_criterion(c) for c in criteria),
        bids=tuple(
            scoring.Bid(
                bidder=bid.bidder, price=bid.price, scores={c.code: moderations[(bid.pk, c.pk)] for c in scored}
            )
            for bid in bids
        ),
    )
    evaluation = scoring.tender_evaluate(tender)
    by_name = {bid.bidder: bid for bid in bids}
    titles = {c.code: c.title for c in criteria}
    for scored_bid in evaluation.bids:
        bid = by_name[scored_bid.bidder]
        result.rows.append(
            ResultRow(
                bid=bid,
                bidder=scored_bid.bidder,
                price=bid.price,
                passed=scored_bid.passed,
                quality=_shown(scored_bid.quality),
                price_score=_shown(scored_bid.price_score),
                total=_shown(scored_bid.total),
                rank=scored_bid.rank,
                failed_on=", ".join(titles[f.criterion] for f in scored_bid.failures),
            )
        )
    result.evaluation = evaluation
    result.warnings = list(evaluation.warnings)
    result.sensitivity_words = sensitivity_in_words(evaluation, criteria)
    return result


def assignments_of(lot: Lot) -> QuerySet[EvaluatorAssignment]:
    return EvaluatorAssignment.objects.filter(criterion__lot=lot).select_related("criterion", "evaluator")


# --- For publication: what an award notice publishes, the winning bid only ---


@dataclass(frozen=True)
class ProcurementAward:
    """The award of a lot of a procurement's tender: the lot, the decision that made it and the winning bid."""

    procurement_id: int
    decision_id: int
    lot_id: int
    lot_number: int
    lot_title: str
    tender_reference: str
    bid_id: int
    price: Decimal
    supplier: Any  # the winning bid's estate supplier, or None for a bidder named in free text
    bidder_name: str


def _procurement_awards() -> QuerySet[AwardRecommendation]:
    return AwardRecommendation.objects.filter(lot__tender__procurement__isnull=False)


def procurement_award_decisions() -> QuerySet[AwardRecommendation, Any]:
    """The decisions that award lots of procurements' tenders, as a subquery of their ids."""
    return _procurement_awards().values("decision")


def procurement_awards(decision_ids: Iterable[int]) -> list[ProcurementAward]:
    """The awards of lots of procurements' tenders made by these decisions, in tender and lot order: of the bids,
    only the winner is read."""
    awards = (
        _procurement_awards()
        .filter(decision__in=list(decision_ids))
        .select_related("lot__tender", "bid__supplier")
        .order_by("lot__tender__reference", "lot__number")
    )
    out = []
    for award in awards:
        procurement_id = award.lot.tender.procurement_id
        assert procurement_id is not None  # only procurements' tenders are read
        out.append(
            ProcurementAward(
                procurement_id=procurement_id,
                decision_id=award.decision_id,
                lot_id=award.lot_id,
                lot_number=award.lot.number,
                lot_title=award.lot.title,
                tender_reference=award.lot.tender.reference,
                bid_id=award.bid.pk,
                price=award.bid.price,
                supplier=award.bid.supplier,
                bidder_name=award.bid.bidder_name,
            )
        )
    return out


def procurement_lot_counts() -> dict[int, int]:
    """How many lots the tenders of each procurement have, by procurement id."""
    counts = (
        Lot.objects.filter(tender__procurement__isnull=False)
        .order_by()
        .values_list("tender__procurement")
        .annotate(Count("pk"))
    )
    return dict(counts)
