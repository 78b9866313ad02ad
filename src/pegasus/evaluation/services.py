"""Every change to an evaluation: atomic, validated, attributed and audited.

The order of a fair evaluation is enforced here, not in the pages: criteria are set as a whole (weights adding up
to 100) before anyone scores; an evaluator declares a conflict of interest, or none, before reading any bid; scores
only the criteria assigned to them; a bid is moderated on a criterion only once every assigned evaluator without a
conflict has scored it, and moderation never changes an original score; the award goes to the winner of the
ranking computed by `scoring.py` on the moderated scores, as a draft contract-award decision whose Part 2 alone
holds the bids' prices and scores.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pegasus.core import bounds, clock
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import InvalidTransition, OutOfBounds, RuleViolation
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.locks import locked
from pegasus.core.roles import Role, has_role
from pegasus.core.transitions import transition_require
from pegasus.core.types import User
from pegasus.evaluation import selectors
from pegasus.evaluation.messages import (
    ALREADY_DECLARED,
    ALREADY_MODERATED,
    ALREADY_RECOMMENDED,
    BAD_SCALE,
    BIDDER_NEEDED,
    BIDDER_TWICE,
    CONFLICT_NEEDS_DETAILS,
    CRITERIA_FIXED,
    CRITERION_FIGURE_OUT_OF_RANGE,
    DUPLICATE_CODE,
    EVALUATION_INCOMPLETE,
    METHOD_ONLY_FOR_PRICE,
    NO_CRITERIA,
    NO_WINNER,
    NOT_AN_EVALUATOR,
    NOT_ASSIGNED,
    NOT_ON_SCALE,
    NOT_READY_TO_MODERATE,
    ONE_PRICE_CRITERION,
    PRICE_HAS_NO_PASS_MARK,
    PRICE_IS_NOT_SCORED,
    PRICE_NEEDS_METHOD,
    PRICE_NOT_POSITIVE,
    RATIONALE_NEEDED,
    SCORING_STARTED,
    VALUE_BELOW_PRICE,
    VALUE_IS_A_PRICE,
    WEIGHTS_NOT_100,
)
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
    default_scale,
)
from pegasus.evaluation.scoring import HUNDRED, CriterionKind, PriceMethod


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    title: str
    kind: str
    weight: Decimal
    price_method: str = ""
    pass_mark: Decimal | None = None
    scale: list = field(default_factory=default_scale)


@transaction.atomic
def tender_create(
    *, reference: str, title: str, lots: Sequence[str], by: User | None, procurement: Any | None = None
) -> Tender:
    """Open a tender with its lots, numbered in the order given, for a procurement of the pipeline if given."""
    if not [t for t in lots if t.strip()]:
        raise RuleViolation("Name at least one lot.")
    tender = Tender(reference=reference, title=title, procurement=procurement, created_by=by)
    full_clean(tender)
    checks = FieldBounds(Tender)
    checks.model_fields(tender, names={"reference", "title"})
    for number, lot_title in enumerate((t.strip() for t in lots if t.strip()), start=1):
        checks.check("lots", bounds.check_text, lot_title, max_length=200, label=f"Lot {number}")
    checks.raise_any()
    tender.save()
    for number, lot_title in enumerate((t.strip() for t in lots if t.strip()), start=1):
        Lot.objects.create(tender=tender, number=number, title=lot_title)
    audit_record(action="tender.create", by=by, obj=tender, summary=f"Opened tender {tender.reference}")
    return tender


@transaction.atomic
def tender_procurement_set(*, tender: Tender, procurement: Any | None, by: User | None) -> Tender:
    """Link a tender to the procurement it runs the competition of, or unlink it (None)."""
    tender.procurement = procurement
    full_clean(tender)
    tender.save(update_fields=["procurement"])
    linked = procurement.reference if procurement is not None else "no procurement"
    audit_record(action="tender.procurement-set", by=by, obj=tender, summary=f"{tender.reference} is for {linked}")
    return tender


def _check_criteria_bounds(criteria: Sequence[CriterionSpec]) -> None:
    """Text without control characters, a weight and pass mark of 0 to 100 each (weights of -50 and 150 add up to
    100 too): a failure is keyed `criteria`, with the row's `position` (from 1) and the `part` of the row in its
    params, so that a page can show it on that row's field."""
    errors = []
    for position, c in enumerate(criteria, start=1):
        for part, value in (("title", c.title), ("code", c.code)):
            try:
                bounds.check_text(str(value), f"Criterion {position} {part}")
            except OutOfBounds as exc:
                errors.append(ValidationError(str(exc), params={"position": position, "part": part}))
        for part, number in (("weight", c.weight), ("pass_mark", c.pass_mark)):
            if number is None and part == "pass_mark":
                continue
            figure = Decimal(number) if isinstance(number, Decimal | int) and not isinstance(number, bool) else None
            if figure is None or not figure.is_finite() or not Decimal(0) <= figure <= HUNDRED:
                message = CRITERION_FIGURE_OUT_OF_RANGE.format(position=position, part=part.replace("_", " "))
                errors.append(ValidationError(message, params={"position": position, "part": part}))
    if errors:
        raise ValidationError({"criteria": errors})


def _check_criteria(criteria: Sequence[CriterionSpec]) -> None:
    if not criteria:
        raise RuleViolation(NO_CRITERIA)
    _check_criteria_bounds(criteria)
    total = sum((c.weight for c in criteria), Decimal(0))
    if total != HUNDRED:
        raise RuleViolation(WEIGHTS_NOT_100.format(total=total.normalize()))
    if sum(c.kind == CriterionKind.PRICE for c in criteria) > 1:
        raise RuleViolation(ONE_PRICE_CRITERION)
    codes = [c.code for c in criteria]
    for code in codes:
        if codes.count(code) > 1:
            raise RuleViolation(DUPLICATE_CODE.format(code=code))
    for c in criteria:
        if c.kind == CriterionKind.PRICE.value:
            if c.price_method not in {m.value for m in PriceMethod}:
                raise RuleViolation(PRICE_NEEDS_METHOD.format(title=c.title))
            if c.pass_mark is not None:
                raise RuleViolation(PRICE_HAS_NO_PASS_MARK.format(title=c.title))
        elif c.price_method:
            raise RuleViolation(METHOD_ONLY_FOR_PRICE.format(title=c.title, kind=c.kind))
        try:
            points = [Decimal(str(p)) for p, _ in c.scale]
            ok = bool(points) and all(0 <= p <= HUNDRED for p in points) and len(set(points)) == len(points)
            ok = ok and all(str(text).strip() for _, text in c.scale)
        except (TypeError, ValueError, ArithmeticError):
            ok = False
        if not ok:
            raise RuleViolation(BAD_SCALE.format(title=c.title))


@transaction.atomic
def lot_criteria_set(*, lot: Lot, criteria: Sequence[CriterionSpec], by: User | None) -> list[str]:
    """Replace the lot's criteria as a whole (weights adding up to exactly 100); return the warnings, if any.

    Raises RuleViolation when the weights do not add up to 100, a price criterion is malformed, or scoring has
    started (a criterion that changes under the evaluators would make their scores unfair).
    """
    lot = locked(Lot, lot.pk)
    _check_criteria(criteria)
    transition_require(not Score.objects.filter(bid__lot=lot).exists(), lambda: CRITERIA_FIXED.format(lot=lot))
    lot.criteria.all().delete()
    for position, spec in enumerate(criteria, start=1):
        criterion = Criterion(
            lot=lot,
            position=position,
            code=spec.code,
            title=spec.title,
            kind=spec.kind,
            weight=spec.weight,
            price_method=spec.price_method if spec.kind == CriterionKind.PRICE else "",
            pass_mark=spec.pass_mark,
            scale=[[int(p) if Decimal(str(p)) == int(p) else str(p), str(t)] for p, t in spec.scale],
        )
        full_clean(criterion)
        criterion.save()
    audit_record(
        action="tender.criteria-set",
        by=by,
        obj=lot.tender,
        summary=f"Set {len(criteria)} criteria on {lot.tender.reference} {lot}",
        data={"criteria": {c.code: str(c.weight) for c in criteria}},
    )
    return selectors.criteria_warnings(lot)


@transaction.atomic
def evaluator_assign(*, criterion: Criterion, evaluator: User, by: User | None) -> EvaluatorAssignment:
    """Assign an evaluator to score one quality or social-value criterion."""
    if criterion.is_price:
        raise RuleViolation(PRICE_IS_NOT_SCORED)
    if not has_role(evaluator, Role.EVALUATOR):
        raise RuleViolation(NOT_AN_EVALUATOR.format(user=evaluator.get_username()))
    assignment, _ = EvaluatorAssignment.objects.get_or_create(criterion=criterion, evaluator=evaluator)
    audit_record(
        action="tender.evaluator-assign",
        by=by,
        obj=criterion.lot.tender,
        summary=f"Assigned {evaluator.get_username()} to {criterion.title} on {criterion.lot}",
    )
    return assignment


@transaction.atomic
def bid_add(*, lot: Lot, price: Decimal, by: User | None, supplier: Any | None = None, bidder_name: str = "") -> Bid:
    """Record a bid for a lot, from an estate supplier or a bidder named in free text, before scoring starts."""
    lot = locked(Lot, lot.pk)
    bidder_name = "" if supplier is not None else bidder_name.strip()
    if supplier is None and not bidder_name:
        raise RuleViolation(BIDDER_NEEDED)
    if price is None or price <= 0:
        raise RuleViolation(PRICE_NOT_POSITIVE)
    checks = FieldBounds(Bid)
    checks.check("price", bounds.check_money, price)
    checks.check("bidder_name", bounds.check_text, bidder_name)
    checks.raise_any()
    transition_require(not Score.objects.filter(bid__lot=lot).exists(), lambda: SCORING_STARTED.format(lot=lot))
    name = supplier.name if supplier is not None else bidder_name
    if any(b.bidder == name for b in lot.bids.select_related("supplier")):
        raise RuleViolation(BIDDER_TWICE.format(bidder=name, lot=lot))
    bid = Bid(lot=lot, supplier=supplier, bidder_name=bidder_name, price=price)
    full_clean(bid)
    bid.save()
    # The audit trail is read by auditors: it names the bid, never its price.
    audit_record(action="bid.add", by=by, obj=bid, summary=f"Recorded a bid for {lot.tender.reference} {lot}")
    return bid


@transaction.atomic
def conflict_declare(*, tender: Tender, has_conflict: bool, details: str = "", by: User) -> ConflictDeclaration:
    """The evaluator's own declaration for a tender, once: no conflict of interest, or a conflict described."""
    declared = ConflictDeclaration.objects.filter(tender=tender, evaluator=by).values_list("declared_at", flat=True)
    declared_at = declared.first()
    transition_require(
        declared_at is None,
        lambda: ALREADY_DECLARED.format(tender=tender.reference, day=f"{timezone.localtime(declared_at):%d %B %Y}"),
    )
    details = details.strip()
    if has_conflict and not details:
        raise RuleViolation(CONFLICT_NEEDS_DETAILS)
    bounds.check_text(details, "Details of the conflict", multiline=True, max_length=bounds.MAX_LONG_TEXT)
    declaration = ConflictDeclaration.objects.create(
        tender=tender, evaluator=by, has_conflict=has_conflict, details=details, declared_at=clock.now()
    )
    audit_record(
        action="tender.declare",
        by=by,
        obj=tender,
        summary=f"{by.get_username()} declared {'a conflict' if has_conflict else 'no conflict'} on {tender.reference}",
    )
    return declaration


@transaction.atomic
def score_record(*, bid: Bid, criterion: Criterion, score: Decimal, rationale: str, by: User) -> Score:
    """Record (or, until moderation, revise) the evaluator's own score of a bid on a criterion assigned to them.

    Raises RuleViolation unless the evaluator declared no conflict on the tender, is assigned the criterion, the
    score is a point of the criterion's scale and a rationale is given; InvalidTransition once moderated.
    """
    selectors.require_no_conflict_declared(tender=bid.lot.tender, user=by)
    if criterion.lot_id != bid.lot_id or not criterion.assignments.filter(evaluator=by).exists():
        raise RuleViolation(NOT_ASSIGNED.format(criterion=criterion.title))
    if score not in criterion.scale_points:
        points = ", ".join(f"{p.normalize():f}" for p in criterion.scale_points)
        raise RuleViolation(NOT_ON_SCALE.format(score=score, criterion=criterion.title, points=points))
    if not rationale.strip():
        raise RuleViolation(RATIONALE_NEEDED)
    bounds.check_text(rationale, "Rationale", multiline=True, max_length=bounds.MAX_LONG_TEXT)
    transition_require(
        not Moderation.objects.filter(bid=bid, criterion=criterion).exists(),
        lambda: ALREADY_MODERATED.format(bid=bid.bidder, criterion=criterion.title),
    )
    own, _ = Score.objects.update_or_create(
        evaluator=by,
        bid=bid,
        criterion=criterion,
        defaults={"score": score, "rationale": rationale.strip(), "scored_at": clock.now()},
    )
    audit_record(
        action="score.record",
        by=by,
        obj=own,
        summary=f"{by.get_username()} scored a bid on {criterion.title} ({bid.lot.tender.reference} {bid.lot})",
    )
    return own


@transaction.atomic
def moderation_record(*, bid: Bid, criterion: Criterion, score: Decimal, rationale: str, by: User) -> Moderation:
    """Record the consensus score of a bid on a criterion with its rationale; every original score stays as it was.

    Raises InvalidTransition until every assigned evaluator without a conflict has scored the bid on the criterion;
    RuleViolation when the score is off the scale or the rationale is missing. A later moderation replaces the
    consensus (its history is kept), never an original.
    """
    transition_require(
        selectors.ready_to_moderate(bid=bid, criterion=criterion),
        lambda: NOT_READY_TO_MODERATE.format(bid=bid.bidder, criterion=criterion.title),
    )
    if score not in criterion.scale_points:
        points = ", ".join(f"{p.normalize():f}" for p in criterion.scale_points)
        raise RuleViolation(NOT_ON_SCALE.format(score=score, criterion=criterion.title, points=points))
    if not rationale.strip():
        raise RuleViolation(RATIONALE_NEEDED)
    bounds.check_text(rationale, "Rationale", multiline=True, max_length=bounds.MAX_LONG_TEXT)
    moderation, _ = Moderation.objects.update_or_create(
        bid=bid,
        criterion=criterion,
        defaults={
            "score": score,
            "rationale": rationale.strip(),
            "moderated_by": by,
            "moderated_at": clock.now(),
        },
    )
    audit_record(
        action="score.moderate",
        by=by,
        obj=moderation,
        summary=f"Moderated a bid on {criterion.title} ({bid.lot.tender.reference} {bid.lot})",
    )
    return moderation


def _part2(lot: Lot, result: "selectors.LotResult", winner: Bid, rationale: str) -> str:
    lines = [
        f"Evaluation of {lot.tender.reference} {lot} (OFFICIAL-SENSITIVE [COMMERCIAL]).",
        f"Recommended bidder: {winner.bidder}, price £{winner.price:,.2f} excluding VAT.",
        "",
        "Ranking on moderated scores:",
    ]
    for row in result.rows:
        if row.passed:
            lines.append(
                f"{row.rank}. {row.bidder}: price £{row.price:,.2f}, quality {row.quality}, "
                f"price score {row.price_score}, total {row.total}"
            )
        else:
            lines.append(f"- {row.bidder}: price £{row.price:,.2f}, failed the pass mark of {row.failed_on}")
    lines += ["", "Sensitivity:", *result.sensitivity_words, "", "Rationale:", rationale.strip()]
    return "\n".join(lines)


@transaction.atomic
def award_recommend(*, lot: Lot, reference: str, value: Decimal, rationale: str, by: User) -> AwardRecommendation:
    """Recommend the winner of a fully moderated lot and draft the contract-award decision that carries it.

    Part 1 of the decision (published once approved) names neither the bidders nor any price or score; Part 2
    (exempt under FOI s43) holds the recommended bidder, every bid's price and scores, and the sensitivity.
    The decision's value is the approval envelope the officer chooses: at least the winning price, and never
    equal to a bid's price, so that the published value discloses no bid.
    """
    from pegasus.governance.services import ExemptionSpec, RecommendationSpec, decision_create

    lot = locked(Lot, lot.pk, related=("tender",))
    recommended = AwardRecommendation.objects.filter(lot=lot).values_list("decision__reference", flat=True).first()
    transition_require(recommended is None, lambda: ALREADY_RECOMMENDED.format(lot=lot, reference=recommended))
    result = selectors.lot_result(lot)
    transition_require(result.complete, EVALUATION_INCOMPLETE)
    winner = result.winner_bid
    if winner is None:
        raise InvalidTransition(NO_WINNER)
    if not rationale.strip():
        raise RuleViolation("Give the rationale for the recommendation.")
    checks = FieldBounds(AwardRecommendation)
    checks.check("reference", bounds.check_text, reference, label="Decision reference")
    checks.check("value", bounds.check_money, value, label="Approval value")
    checks.check("rationale", bounds.check_text, rationale, multiline=True, max_length=bounds.MAX_LONG_TEXT)
    checks.raise_any()
    if value < winner.price:
        raise RuleViolation(VALUE_BELOW_PRICE)
    if any(b.price == value for b in lot.bids.all()):
        raise RuleViolation(VALUE_IS_A_PRICE)
    criteria = ", ".join(f"{c.title} {c.weight.normalize():f}%" for c in lot.criteria.all())
    evaluators = len({a.evaluator_id for c in lot.criteria.all() for a in c.assignments.all()})
    decision = decision_create(
        by=by,
        reference=reference,
        title=f"Contract award: {lot.tender.title}, {lot}",
        decision_type="contract-award",
        value=value,
        executive_summary=(
            f"Approval to award {lot} of tender {lot.tender.reference} ({lot.tender.title}) to the bidder "
            f"recommended by the evaluation. {lot.bids.count()} compliant bids were evaluated against the published "
            f"criteria ({criteria}) by {evaluators} evaluator(s) who each declared no conflict of interest, scored "
            "independently and moderated to a consensus. The bidders, their prices and scores are commercially "
            "confidential and set out in Part 2."
        ),
        commercial="The evaluation report, with every bid's price and score, is in Part 2 (FOI s43).",
        part2=_part2(lot, result, winner, rationale),
        recommendations=[
            RecommendationSpec(
                "approve",
                f"The award of {lot} of tender {lot.tender.reference} to the bidder recommended in Part 2, within "
                "the approval value of this decision.",
            )
        ],
        exemptions=[ExemptionSpec("s43", "Commercial interests")],
    )
    recommendation = AwardRecommendation.objects.create(
        lot=lot,
        bid=winner,
        decision=decision,
        rationale=rationale.strip(),
        recommended_by=by,
        recommended_at=clock.now(),
    )
    audit_record(
        action="tender.award-recommend",
        by=by,
        obj=lot.tender,
        summary=f"Recommended the award of {lot.tender.reference} {lot} in {decision.reference}",
    )
    return recommendation
