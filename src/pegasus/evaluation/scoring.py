"""Tender scoring: quality, social value and price criteria, pass marks, ranking and sensitivity. No Django.

A tender has criteria whose weights add up to exactly 100 and bids scored against them:

- A quality (or social-value) criterion contributes `weight x score / 100`, the score being 0-100.
- A bid with any score below that criterion's `pass_mark` fails; it is left out before prices are scored, so it
  changes neither the lowest, the highest nor the mean price.
- The price criterion (at most one) scores the passing bids by one of four methods, for `lowest`, `highest` and
  `mean` of the passing prices:

  | method                  | price score                                                        |
  |-------------------------|--------------------------------------------------------------------|
  | `lowest-price-ratio`    | weight x lowest / price                                            |
  | `deviation-from-lowest` | weight x max(0, 1 - (price - lowest) / lowest)                     |
  | `interpolation`         | weight x (highest - price) / (highest - lowest); full weight when all prices are equal |
  | `mean-relative`         | weight x clamp(50 - 100 x (price - mean) / mean, 0, 100) / 100      |

Exactness and rounding: every score is computed exactly, as a fraction of the `Decimal` inputs (no binary
floating point, no intermediate rounding), and rounded once, half up, to 2 decimal places for output. Quality,
price score and total are each rounded from their exact values, so a shown total can differ by 0.01 from the sum
of its shown parts. Bids are ranked on the total as shown (2 dp): equal shown totals share a rank (1, 1, 3) and
are listed by bidder.

Sensitivity: a bid's total is linear in the weights (`sum of weight x factor`, each factor in 0..1 and independent
of the weights: pass marks look at scores, price factors at prices). For each other passing bid, the least weight
that must move between criteria (weights staying at or above 0 and adding up to 100) for it to overtake the
winner is found exactly: move weight to the criterion that favours the challenger most, taking it first from the
criteria that favour the winner most. That greedy order is optimal (the problem is a fractional knapsack). The
change is reported to the hundredth of a point: the smallest multiple of 0.01 points that puts the challenger
strictly ahead. Relative price methods can also change the winner when another bid is withdrawn; that is reported
too.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from pegasus.core.bounds import MAX_MONEY
from pegasus.core.exceptions import InputError, OutOfBounds
from pegasus.core.reading import decimal_in_bounds

HUNDRED = Decimal(100)
# A tender's numbers: prices in pounds below a trillion (as every amount in Pegasus), weights and scores 0-100; at
# most six decimal places, so that the exact fractions the scores are computed with stay small.
MAX_NUMBER = MAX_MONEY
MAX_PLACES = 6
SOCIAL_VALUE_MINIMUM = Decimal(10)
# A quality criterion with one of these ids counts as social value even when its kind says "quality".
SOCIAL_VALUE_IDS = frozenset({"sv", "social-value", "social_value"})

MSG_SOCIAL_VALUE_LOW = (
    "social value carries {weight}% of the total score, under the 10% minimum weighting"
    " (PPN 06/20 under PCR 2015, PPN 002 under the Procurement Act 2023)"
)
MSG_NONE_PASSED = "no bid reached every pass mark, so no price was scored and there is no winner"


class EvaluationInputError(InputError):
    """A tender the engine cannot score; the message starts with the path of the field at fault."""


class CriterionKind(StrEnum):
    QUALITY = "quality"
    SOCIAL_VALUE = "social-value"
    PRICE = "price"


class PriceMethod(StrEnum):
    LOWEST_PRICE_RATIO = "lowest-price-ratio"
    DEVIATION_FROM_LOWEST = "deviation-from-lowest"
    INTERPOLATION = "interpolation"
    MEAN_RELATIVE = "mean-relative"


@dataclass(frozen=True)
class Criterion:
    id: str
    weight: Decimal
    kind: CriterionKind
    pass_mark: Decimal | None = None
    method: PriceMethod | None = None

    @property
    def is_price(self) -> bool:
        return self.kind is CriterionKind.PRICE

    @property
    def is_social_value(self) -> bool:
        return self.kind is CriterionKind.SOCIAL_VALUE or (
            self.kind is CriterionKind.QUALITY and self.id in SOCIAL_VALUE_IDS
        )


@dataclass(frozen=True)
class Bid:
    bidder: str
    price: Decimal | None
    scores: Mapping[str, Decimal]


@dataclass(frozen=True)
class Tender:
    criteria: tuple[Criterion, ...]
    bids: tuple[Bid, ...]

    @property
    def price_criterion(self) -> Criterion | None:
        return next((c for c in self.criteria if c.is_price), None)


# --- Reading a tender ---------------------------------------------------------------------------------------


def _number(value: object, path: str, hi: Decimal = MAX_NUMBER) -> Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        raise EvaluationInputError(f"{path}: {value!r} is not a number")
    try:  # bounded before any arithmetic: a price of 1e999999999 would make every exact fraction astronomical
        return decimal_in_bounds(value, path, hi=hi, places=MAX_PLACES)
    except OutOfBounds as exc:
        raise EvaluationInputError(str(exc)) from None


def _percent(value: object, path: str) -> Decimal:
    number = _number(value, path)
    if not 0 <= number <= HUNDRED:
        raise EvaluationInputError(f"{path}: {number} is outside 0-100")
    return number


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EvaluationInputError(f"{path}: must be a non-empty string")
    return value


def _list(data: Mapping, key: str) -> list:
    if key not in data:
        raise EvaluationInputError(f"{key}: missing")
    value = data[key]
    if not isinstance(value, list) or not value:
        raise EvaluationInputError(f"{key}: must be a non-empty list")
    return value


def _object(value: object, path: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise EvaluationInputError(f"{path}: must be an object")
    return value


def _criterion(data: object, path: str) -> Criterion:
    item = _object(data, path)
    for key in ("id", "weight", "kind"):
        if key not in item:
            raise EvaluationInputError(f"{path}.{key}: missing")
    kinds = ", ".join(k.value for k in CriterionKind)
    try:
        kind = CriterionKind(item["kind"])
    except ValueError:
        raise EvaluationInputError(f"{path}.kind: {item['kind']!r} is not one of {kinds}") from None
    weight = _number(item["weight"], f"{path}.weight", hi=HUNDRED)
    if weight < 0:
        raise EvaluationInputError(f"{path}.weight: cannot be negative")
    method = None
    if kind is CriterionKind.PRICE:
        if "method" not in item:
            raise EvaluationInputError(f"{path}.method: missing (a price criterion needs a price method)")
        try:
            method = PriceMethod(item["method"])
        except ValueError:
            methods = ", ".join(m.value for m in PriceMethod)
            raise EvaluationInputError(f"{path}.method: {item['method']!r} is not one of {methods}") from None
        if item.get("pass_mark") is not None:
            raise EvaluationInputError(f"{path}.pass_mark: a price criterion has no pass mark")
    elif item.get("method") is not None:
        raise EvaluationInputError(f"{path}.method: only a price criterion has a price method")
    pass_mark = None if item.get("pass_mark") is None else _percent(item["pass_mark"], f"{path}.pass_mark")
    return Criterion(_text(item["id"], f"{path}.id"), weight, kind, pass_mark, method)


def _bid(data: object, path: str, criteria: tuple[Criterion, ...], priced: bool) -> Bid:
    item = _object(data, path)
    bidder = _text(item.get("bidder"), f"{path}.bidder")
    price = None
    if priced:
        if item.get("price") is None:
            raise EvaluationInputError(f"{path}.price: missing")
        price = _number(item["price"], f"{path}.price")
        if price <= 0:
            raise EvaluationInputError(f"{path}.price: must be above 0")
    raw = _object(item.get("scores", {}), f"{path}.scores")
    scored = {c.id for c in criteria if not c.is_price}
    for key in raw:
        if key not in scored:
            raise EvaluationInputError(f"{path}.scores.{key}: not a quality or social-value criterion")
    scores = {}
    for criterion in criteria:
        if criterion.is_price:
            continue
        if criterion.id not in raw:
            raise EvaluationInputError(f"{path}.scores.{criterion.id}: missing")
        scores[criterion.id] = _percent(raw[criterion.id], f"{path}.scores.{criterion.id}")
    return Bid(bidder, price, scores)


def tender_from_json(data: object) -> Tender:
    """Read a tender (criteria and bids, as in the user guide), checking every field; raise EvaluationInputError."""
    root = _object(data, "tender")
    criteria = tuple(_criterion(c, f"criteria[{n}]") for n, c in enumerate(_list(root, "criteria")))
    seen: set[str] = set()
    for n, criterion in enumerate(criteria):
        if criterion.id in seen:
            raise EvaluationInputError(f"criteria[{n}].id: duplicate {criterion.id!r}")
        seen.add(criterion.id)
    prices = [n for n, c in enumerate(criteria) if c.is_price]
    if len(prices) > 1:
        raise EvaluationInputError(f"criteria[{prices[1]}].kind: a tender has at most one price criterion")
    total = sum((c.weight for c in criteria), Decimal(0))
    if total != HUNDRED:
        raise EvaluationInputError(f"criteria.weight: the weights add up to {total}, not 100")
    bids = tuple(_bid(b, f"bids[{n}]", criteria, bool(prices)) for n, b in enumerate(_list(root, "bids")))
    names: set[str] = set()
    for n, bid in enumerate(bids):
        if bid.bidder in names:
            raise EvaluationInputError(f"bids[{n}].bidder: duplicate {bid.bidder!r}")
        names.add(bid.bidder)
    return Tender(criteria, bids)


# --- Price methods ------------------------------------------------------------------------------------------


def _clamp(value: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return max(low, min(high, value))


def price_factors(method: PriceMethod, prices: Sequence[Fraction]) -> list[Fraction]:
    """The share (0..1) of the price weight each price earns against the others, exactly."""
    lowest, highest = min(prices), max(prices)
    mean = sum(prices, Fraction(0)) / len(prices)
    if method is PriceMethod.LOWEST_PRICE_RATIO:
        return [lowest / p for p in prices]
    if method is PriceMethod.DEVIATION_FROM_LOWEST:
        return [max(Fraction(0), 1 - (p - lowest) / lowest) for p in prices]
    if method is PriceMethod.INTERPOLATION:
        if highest == lowest:
            return [Fraction(1) for _ in prices]
        return [(highest - p) / (highest - lowest) for p in prices]
    return [_clamp(50 - 100 * (p - mean) / mean, Fraction(0), Fraction(100)) / 100 for p in prices]


# --- Scoring ------------------------------------------------------------------------------------------------


def round_2dp(value: Fraction) -> Decimal:
    """Round an exact non-negative score half up to 2 decimal places."""
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(hundredths).scaleb(-2)


@dataclass(frozen=True)
class Failure:
    criterion: str
    score: Decimal
    pass_mark: Decimal


@dataclass(frozen=True)
class ScoredBid:
    bidder: str
    passed: bool
    quality: Fraction
    price_score: Fraction | None
    total: Fraction | None
    rank: int | None
    # The factor (0..1) the bid earns on each criterion: score / 100, or its share of the price weight.
    factors: Mapping[str, Fraction] = field(default_factory=dict)
    failures: tuple[Failure, ...] = ()


@dataclass(frozen=True)
class ChallengerChange:
    bidder: str
    # Exact weight points that must move for the challenger to draw level; None when it never can.
    draw_level_at: Fraction | None
    # The least multiple of 0.01 points that puts the challenger strictly ahead, and the weights it gives.
    weight_moved: Decimal | None
    weights: Mapping[str, Decimal] | None


@dataclass(frozen=True)
class Sensitivity:
    winner: str
    margin: Fraction | None
    challengers: tuple[ChallengerChange, ...]
    if_withdrawn: tuple[tuple[str, str], ...]

    @property
    def smallest_change(self) -> ChallengerChange | None:
        possible = [c for c in self.challengers if c.weight_moved is not None]
        return min(possible, key=lambda c: (c.weight_moved, c.bidder)) if possible else None


@dataclass(frozen=True)
class Evaluation:
    bids: tuple[ScoredBid, ...]
    warnings: tuple[str, ...]
    sensitivity: Sensitivity | None

    @property
    def ranked(self) -> tuple[ScoredBid, ...]:
        return tuple(b for b in self.bids if b.passed)

    @property
    def winner(self) -> ScoredBid | None:
        return self.ranked[0] if self.ranked else None


def _failures(tender: Tender, bid: Bid) -> tuple[Failure, ...]:
    return tuple(
        Failure(c.id, bid.scores[c.id], c.pass_mark)
        for c in tender.criteria
        if c.pass_mark is not None and bid.scores[c.id] < c.pass_mark
    )


def _quality_factors(tender: Tender, bid: Bid) -> dict[str, Fraction]:
    return {c.id: Fraction(bid.scores[c.id]) / 100 for c in tender.criteria if not c.is_price}


def _total(weights: Mapping[str, Fraction], factors: Mapping[str, Fraction]) -> Fraction:
    return sum((weights[k] * f for k, f in factors.items()), Fraction(0))


def _score(tender: Tender, bids: Sequence[Bid]) -> list[ScoredBid]:
    """Score and rank bids: the passing ones in rank order, then the failed ones by bidder."""
    weights = {c.id: Fraction(c.weight) for c in tender.criteria}
    price = tender.price_criterion
    passing = [b for b in bids if not _failures(tender, b)]
    factors = {b.bidder: _quality_factors(tender, b) for b in bids}
    if price is not None and passing:
        assert price.method is not None
        shares = price_factors(price.method, [Fraction(b.price or 0) for b in passing])
        for bid, share in zip(passing, shares, strict=True):
            factors[bid.bidder][price.id] = share
    scored = []
    for bid in passing:
        quality = _total(weights, _quality_factors(tender, bid))
        price_score = weights[price.id] * factors[bid.bidder][price.id] if price is not None else Fraction(0)
        scored.append((bid, quality, price_score, quality + price_score))
    scored.sort(key=lambda s: (-round_2dp(s[3]), s[0].bidder))
    ranked: list[ScoredBid] = []
    for position, (bid, quality, price_score, total) in enumerate(scored, start=1):
        tied = ranked and round_2dp(ranked[-1].total or Fraction(0)) == round_2dp(total)
        rank = ranked[-1].rank if tied else position
        ranked.append(ScoredBid(bid.bidder, True, quality, price_score, total, rank, factors[bid.bidder]))
    failed = [
        ScoredBid(
            b.bidder,
            False,
            _total(weights, _quality_factors(tender, b)),
            None,
            None,
            None,
            factors[b.bidder],
            _failures(tender, b),
        )
        for b in sorted(bids, key=lambda b: b.bidder)
        if _failures(tender, b)
    ]
    return ranked + failed


def _ceil_hundredth_above(value: Fraction) -> Decimal:
    """The least multiple of 0.01 strictly greater than `value`."""
    return Decimal(math.floor(value * 100) + 1).scaleb(-2)


def _move(weights: Mapping[str, Fraction], gains: Mapping[str, Fraction], amount: Fraction) -> dict[str, Fraction]:
    """Move `amount` points of weight to the criterion with the largest gain, from those with the smallest first."""
    target = max(gains, key=lambda k: (gains[k], k))
    moved = dict(weights)
    left = amount
    for source in sorted((k for k in gains if k != target), key=lambda k: (gains[k], k)):
        take = min(left, moved[source])
        moved[source] -= take
        moved[target] += take
        left -= take
        if not left:
            break
    return moved


def _draw_level_at(weights: Mapping[str, Fraction], gains: Mapping[str, Fraction]) -> Fraction | None:
    """Least weight moved (in points) at which sum(weights x gains) reaches 0; None when it cannot."""
    deficit = -sum((weights[k] * g for k, g in gains.items()), Fraction(0))
    if deficit <= 0:
        return Fraction(0)
    target = max(gains, key=lambda k: (gains[k], k))
    moved = Fraction(0)
    for source in sorted((k for k in gains if k != target), key=lambda k: (gains[k], k)):
        rate = gains[target] - gains[source]
        if rate <= 0:
            break
        take = min(weights[source], deficit / rate)
        moved += take
        deficit -= take * rate
        if deficit <= 0:
            return moved
    return None


def _challenger(
    tender: Tender, winner: ScoredBid, challenger: ScoredBid, weights: Mapping[str, Fraction]
) -> ChallengerChange:
    gains = {c.id: challenger.factors[c.id] - winner.factors[c.id] for c in tender.criteria}
    level = _draw_level_at(weights, gains)
    if level is None:
        return ChallengerChange(challenger.bidder, None, None, None)
    amount = _ceil_hundredth_above(level)
    moved = _move(weights, gains, Fraction(amount))
    if _total(moved, gains) <= 0:  # every point of weight already moved, and the challenger only draws level
        return ChallengerChange(challenger.bidder, level, None, None)
    return ChallengerChange(
        challenger.bidder, level, amount, {k: Decimal(v.numerator) / Decimal(v.denominator) for k, v in moved.items()}
    )


def _sensitivity(tender: Tender, scored: Sequence[ScoredBid]) -> Sensitivity | None:
    ranked = [b for b in scored if b.passed]
    if not ranked:
        return None
    winner = ranked[0]
    weights = {c.id: Fraction(c.weight) for c in tender.criteria}
    challengers = tuple(_challenger(tender, winner, other, weights) for other in ranked[1:])
    withdrawals = []
    for other in ranked[1:]:
        rest = [b for b in tender.bids if b.bidder != other.bidder]
        new_winner = next((b for b in _score(tender, rest) if b.passed), None)
        if new_winner is not None and new_winner.bidder != winner.bidder:
            withdrawals.append((other.bidder, new_winner.bidder))
    margin = (winner.total or Fraction(0)) - (ranked[1].total or Fraction(0)) if len(ranked) > 1 else None
    return Sensitivity(winner.bidder, margin, challengers, tuple(withdrawals))


def tender_evaluate(tender: Tender) -> Evaluation:
    """Score, rank and test the sensitivity of a tender's bids."""
    scored = _score(tender, tender.bids)
    warnings = []
    social_value = sum((c.weight for c in tender.criteria if c.is_social_value), Decimal(0))
    if social_value < SOCIAL_VALUE_MINIMUM:
        warnings.append(MSG_SOCIAL_VALUE_LOW.format(weight=social_value))
    if not any(b.passed for b in scored):
        warnings.append(MSG_NONE_PASSED)
    return Evaluation(tuple(scored), tuple(warnings), _sensitivity(tender, scored))


# --- Output -------------------------------------------------------------------------------------------------


def _shown(value: Fraction | None) -> str | None:
    return None if value is None else f"{round_2dp(value):.2f}"


def _weights(weights: Mapping[str, Decimal] | None) -> dict[str, str] | None:
    if weights is None:
        return None
    # Two decimal places, unless a weight was given more finely than that
    return {k: f"{v:.2f}" if v == v.quantize(Decimal("0.01")) else str(v) for k, v in weights.items()}


def evaluation_to_json(evaluation: Evaluation) -> dict:
    """The evaluation as `pegasus evaluate --json` prints it: scores as strings with 2 decimal places."""
    sensitivity = evaluation.sensitivity
    sensitivity_json = None
    if sensitivity is not None:
        smallest = sensitivity.smallest_change
        sensitivity_json = {
            "winner": sensitivity.winner,
            "margin": _shown(sensitivity.margin),
            "smallest_change": None
            if smallest is None
            else {
                "challenger": smallest.bidder,
                "weight_moved": f"{smallest.weight_moved:.2f}",
                "weights": _weights(smallest.weights),
            },
            "challengers": [
                {
                    "bidder": c.bidder,
                    "weight_moved": None if c.weight_moved is None else f"{c.weight_moved:.2f}",
                    "weights": _weights(c.weights),
                }
                for c in sensitivity.challengers
            ],
            "if_withdrawn": [{"withdrawn": gone, "winner": winner} for gone, winner in sensitivity.if_withdrawn],
        }
    return {
        "bids": [
            {
                "bidder": b.bidder,
                "passed": b.passed,
                "quality": _shown(b.quality),
                "price_score": _shown(b.price_score),
                "total": _shown(b.total),
                "rank": b.rank,
            }
            for b in evaluation.bids
        ],
        "failed": [
            {
                "bidder": b.bidder,
                "criterion": b.failures[0].criterion,
                "score": str(b.failures[0].score),
                "pass_mark": str(b.failures[0].pass_mark),
                "criteria": [f.criterion for f in b.failures],
            }
            for b in evaluation.bids
            if not b.passed
        ],
        "warnings": list(evaluation.warnings),
        "sensitivity": sensitivity_json,
    }
