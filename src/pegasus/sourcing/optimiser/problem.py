"""The lot-structure problem: its input (issue 4's JSON object), its solution, and the independent checker.

Plain values in, plain values out; no Django. The input is the JSON object of issue 4 (see `problem_from_json`):
services, suppliers with the prices they quote for the services they can deliver, interfaces between services with a
hand-off weight, and policy: a fixed cost per lot, the fewest bidders a lot must have, and optionally the most lots,
the most lots one supplier may win, the largest share of the total one supplier may take, and pairs of services that
must be kept apart or together.

A solution partitions the services into lots and awards each lot to one supplier that prices every service in it.
It costs `lot_fixed_cost` per lot, plus the winning prices, plus the weight of every interface cut by a lot boundary.
`lot_structure_cost` and `lot_structure_violations` check one without the solver.

Amounts are exact: every price, weight and the lot cost is taken to 6 decimal places (half-even); `problem_scale` is
the smallest power of ten that makes them all whole numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any

from pegasus.core.bounds import MAX_INT
from pegasus.core.exceptions import InputError, OutOfBounds, RuleViolation
from pegasus.core.reading import decimal_in_bounds

DECIMAL_PLACES = 6
_MAX_SCALED = 2**53  # keeps every sum the model forms well inside int64
MAX_AMOUNT = Decimal(10) ** 15  # a price, weight or cost: whole pounds up to this can still be optimised exactly

REQUIRED_KEYS = ("services", "suppliers", "interfaces", "lot_fixed_cost", "min_bidders_per_lot")
OPTIONAL_KEYS = ("max_lots", "max_lots_per_supplier", "max_supplier_share", "must_separate", "must_bundle")

MISSING = "missing"
NOT_A_LIST = "expected a list"
NOT_AN_OBJECT = "expected an object"
NOT_A_NUMBER = "expected a number"
NOT_AN_INTEGER = "expected a whole number"
NOT_A_STRING = "expected a non-empty string"
NEGATIVE_PRICE = "negative price"
NEGATIVE_AMOUNT = "negative amount"
UNKNOWN_SERVICE = "unknown service id"
UNKNOWN_KEY = "unknown key"
DUPLICATE_ID = "duplicate id"
NOT_A_PAIR = "expected a pair of two different service ids"
NO_SERVICES = "at least one service is needed"
SHARE_RANGE = "expected a share above 0 and at most 1"
TOO_LARGE = "amounts too large to optimise exactly"
AT_LEAST_ONE = "expected at least 1"


class SolveStatus(StrEnum):
    OPTIMAL = "OPTIMAL"  # proven best
    FEASIBLE = "FEASIBLE"  # meets every constraint; not proven best within the time limit
    INFEASIBLE = "INFEASIBLE"  # proven that no lot structure meets every constraint
    UNKNOWN = "UNKNOWN"  # no solution found and no proof either way within the time limit


class ProblemInputError(RuleViolation, InputError):
    """Malformed optimiser input; `path` names the bad field the way the JSON spells it (`suppliers[2].prices.net`)."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


# --------------------------------------------------------------------------------------------------------------
# The problem


@dataclass(frozen=True)
class Service:
    id: str
    name: str


@dataclass(frozen=True)
class Supplier:
    id: str
    name: str
    prices: Mapping[str, Decimal]  # service id -> price; a supplier can deliver exactly the services it prices


@dataclass(frozen=True)
class Interface:
    a: str
    b: str
    weight: Decimal


@dataclass(frozen=True)
class LotProblem:
    services: tuple[Service, ...]
    suppliers: tuple[Supplier, ...]
    interfaces: tuple[Interface, ...]
    lot_fixed_cost: Decimal
    min_bidders_per_lot: int
    max_lots: int | None = None
    max_lots_per_supplier: int | None = None
    max_supplier_share: Decimal | None = None
    must_separate: tuple[tuple[str, str], ...] = ()
    must_bundle: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Lot:
    services: tuple[str, ...]  # in input order
    supplier: str
    price: Decimal  # the winner's prices for the lot's services
    bidders: int  # suppliers that price every service in the lot (the winner included)


@dataclass(frozen=True)
class LotCost:
    lots: Decimal  # lot_fixed_cost x number of lots
    prices: Decimal
    handoff: Decimal  # weight of the interfaces cut by lot boundaries

    @property
    def total(self) -> Decimal:
        return self.lots + self.prices + self.handoff


@dataclass(frozen=True)
class LotStructureResult:
    status: SolveStatus
    objective: Decimal | None
    best_bound: Decimal | None
    lots: tuple[Lot, ...]
    handoff_cost: Decimal | None
    solve_seconds: float
    reasons: tuple[str, ...] = ()
    first_solution_seconds: float | None = None  # from the call, model building included
    model_seconds: float = 0.0  # building the model (and the greedy start) before the solver ran


# --------------------------------------------------------------------------------------------------------------
# Parsing


def _amount(value: Any, path: str, negative: str = NEGATIVE_AMOUNT) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ProblemInputError(path, NOT_A_NUMBER)
    try:
        amount = decimal_in_bounds(value, path, text=False)
    except OutOfBounds:
        raise ProblemInputError(path, NOT_A_NUMBER if not _huge(value) else TOO_LARGE) from None
    if amount < 0:
        raise ProblemInputError(path, negative)
    if amount > MAX_AMOUNT:  # checked before rounding: 1e300 cannot be rounded to six places in 28 digits
        raise ProblemInputError(path, TOO_LARGE)
    return amount.quantize(Decimal(1).scaleb(-DECIMAL_PLACES), rounding=ROUND_HALF_EVEN).normalize()


def _huge(value: Any) -> bool:
    try:
        return abs(value) > MAX_AMOUNT
    except (ArithmeticError, TypeError):  # NaN
        return False


def _count(value: Any, path: str, minimum: int) -> int:
    if isinstance(value, bool):
        raise ProblemInputError(path, NOT_AN_INTEGER)
    if isinstance(value, float | Decimal):
        try:  # the magnitude first: int(Decimal("1e999999999")) would take minutes
            if -MAX_INT <= value <= MAX_INT and value == int(value):
                value = int(value)
        except (ValueError, OverflowError, InvalidOperation):
            raise ProblemInputError(path, NOT_AN_INTEGER) from None
    if not isinstance(value, int):
        raise ProblemInputError(path, NOT_AN_INTEGER)
    if value < minimum:
        raise ProblemInputError(path, f"expected at least {minimum}")
    if value > MAX_INT:
        raise ProblemInputError(path, f"expected at most {MAX_INT:,}")
    return value


def _list(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise ProblemInputError(path, NOT_A_LIST)
    return value


def _object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise ProblemInputError(path, NOT_AN_OBJECT)
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProblemInputError(path, NOT_A_STRING)
    return value


def _pairs(value: Any, path: str, known: set[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for n, pair in enumerate(_list(value, path)):
        where = f"{path}[{n}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise ProblemInputError(where, NOT_A_PAIR)
        for k in (0, 1):
            if not isinstance(pair[k], str) or pair[k] not in known:
                raise ProblemInputError(f"{where}[{k}]", UNKNOWN_SERVICE)
        if pair[0] == pair[1]:
            raise ProblemInputError(where, NOT_A_PAIR)
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def problem_from_json(data: Any) -> LotProblem:
    """Validate the JSON object (as `json.loads` returns it) and return the problem; raises ProblemInputError."""
    data = _object(data, "input")
    for key in data:
        if key not in REQUIRED_KEYS and key not in OPTIONAL_KEYS:
            raise ProblemInputError(str(key), UNKNOWN_KEY)
    for key in REQUIRED_KEYS:
        if key not in data:
            raise ProblemInputError(key, MISSING)

    services: list[Service] = []
    for n, raw in enumerate(_list(data["services"], "services")):
        obj = _object(raw, f"services[{n}]")
        for key in obj:
            if key not in ("id", "name"):
                raise ProblemInputError(f"services[{n}].{key}", UNKNOWN_KEY)
        if "id" not in obj:
            raise ProblemInputError(f"services[{n}].id", MISSING)
        sid = _text(obj["id"], f"services[{n}].id")
        if any(s.id == sid for s in services):
            raise ProblemInputError(f"services[{n}].id", f"{DUPLICATE_ID} {sid!r}")
        name = _text(obj["name"], f"services[{n}].name") if "name" in obj else sid
        services.append(Service(sid, name))
    if not services:
        raise ProblemInputError("services", NO_SERVICES)
    known = {s.id for s in services}

    suppliers: list[Supplier] = []
    for n, raw in enumerate(_list(data["suppliers"], "suppliers")):
        obj = _object(raw, f"suppliers[{n}]")
        for key in obj:
            if key not in ("id", "name", "prices"):
                raise ProblemInputError(f"suppliers[{n}].{key}", UNKNOWN_KEY)
        for key in ("id", "prices"):
            if key not in obj:
                raise ProblemInputError(f"suppliers[{n}].{key}", MISSING)
        sid = _text(obj["id"], f"suppliers[{n}].id")
        if any(s.id == sid for s in suppliers):
            raise ProblemInputError(f"suppliers[{n}].id", f"{DUPLICATE_ID} {sid!r}")
        name = _text(obj["name"], f"suppliers[{n}].name") if "name" in obj else sid
        prices: dict[str, Decimal] = {}
        for service, price in _object(obj["prices"], f"suppliers[{n}].prices").items():
            where = f"suppliers[{n}].prices.{service}"
            if service not in known:
                raise ProblemInputError(where, UNKNOWN_SERVICE)
            prices[service] = _amount(price, where, NEGATIVE_PRICE)
        suppliers.append(Supplier(sid, name, prices))

    interfaces: list[Interface] = []
    for n, raw in enumerate(_list(data["interfaces"], "interfaces")):
        obj = _object(raw, f"interfaces[{n}]")
        for key in obj:
            if key not in ("a", "b", "weight"):
                raise ProblemInputError(f"interfaces[{n}].{key}", UNKNOWN_KEY)
        for key in ("a", "b", "weight"):
            if key not in obj:
                raise ProblemInputError(f"interfaces[{n}].{key}", MISSING)
        for key in ("a", "b"):
            if not isinstance(obj[key], str) or obj[key] not in known:
                raise ProblemInputError(f"interfaces[{n}].{key}", UNKNOWN_SERVICE)
        if obj["a"] == obj["b"]:
            raise ProblemInputError(f"interfaces[{n}].b", "an interface joins two different services")
        interfaces.append(Interface(obj["a"], obj["b"], _amount(obj["weight"], f"interfaces[{n}].weight")))

    share = None
    if data.get("max_supplier_share") is not None:
        share = _amount(data["max_supplier_share"], "max_supplier_share")
        if not 0 < share <= 1:
            raise ProblemInputError("max_supplier_share", SHARE_RANGE)

    def optional_count(key: str) -> int | None:
        return None if data.get(key) is None else _count(data[key], key, 1)

    problem = LotProblem(
        services=tuple(services),
        suppliers=tuple(suppliers),
        interfaces=tuple(interfaces),
        lot_fixed_cost=_amount(data["lot_fixed_cost"], "lot_fixed_cost"),
        min_bidders_per_lot=_count(data["min_bidders_per_lot"], "min_bidders_per_lot", 0),
        max_lots=optional_count("max_lots"),
        max_lots_per_supplier=optional_count("max_lots_per_supplier"),
        max_supplier_share=share,
        must_separate=_pairs(data.get("must_separate") or [], "must_separate", known),
        must_bundle=_pairs(data.get("must_bundle") or [], "must_bundle", known),
    )
    scale = problem_scale(problem)
    total = sum((p for s in problem.suppliers for p in s.prices.values()), Decimal(0))
    total += sum((i.weight for i in problem.interfaces), Decimal(0)) + problem.lot_fixed_cost * len(services)
    share_den = Fraction(share).denominator if share is not None else 1
    if total * scale * share_den * 4 > _MAX_SCALED:
        raise ProblemInputError("suppliers", TOO_LARGE)
    return problem


def problem_scale(problem: LotProblem) -> int:
    """The smallest power of ten that makes every amount a whole number (amounts have at most 6 decimals)."""
    places = 0
    amounts = [problem.lot_fixed_cost, *(i.weight for i in problem.interfaces)]
    amounts += [p for s in problem.suppliers for p in s.prices.values()]
    for amount in amounts:
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            places = max(places, -exponent)
    return 10**places


# --------------------------------------------------------------------------------------------------------------
# The independent checker: what a solution costs and which constraints it breaks


def lot_structure_cost(problem: LotProblem, lots: Sequence[tuple[Sequence[str], str]]) -> LotCost:
    """What a lot structure costs: (services, supplier) per lot; assumes every winner prices its lot."""
    prices = {s.id: s.prices for s in problem.suppliers}
    lot_of = {service: n for n, (services, _) in enumerate(lots) for service in services}
    price = sum((prices[supplier].get(sv, Decimal(0)) for services, supplier in lots for sv in services), Decimal(0))
    handoff = sum((i.weight for i in problem.interfaces if lot_of.get(i.a) != lot_of.get(i.b)), Decimal(0))
    return LotCost(lots=problem.lot_fixed_cost * len(lots), prices=price, handoff=handoff)


def lot_structure_violations(problem: LotProblem, lots: Sequence[tuple[Sequence[str], str]]) -> list[str]:
    """Every constraint the lot structure breaks, in words; an empty list means it is a valid solution."""
    problems: list[str] = []
    prices = {s.id: s.prices for s in problem.suppliers}
    lot_of: dict[str, int] = {}
    for n, (services, supplier) in enumerate(lots):
        if not services:
            problems.append(f"lot {n + 1} is empty")
        if supplier not in prices:
            problems.append(f"lot {n + 1} is awarded to an unknown supplier {supplier!r}")
            continue
        for service in services:
            if service in lot_of:
                problems.append(f"service {service!r} is in more than one lot")
            lot_of[service] = n
            if service not in prices[supplier]:
                problems.append(f"lot {n + 1}: {supplier!r} does not price {service!r}")
        bidders = sum(1 for p in prices.values() if all(sv in p for sv in services))
        if bidders < problem.min_bidders_per_lot:
            problems.append(f"lot {n + 1} has {bidders} bidder(s), fewer than {problem.min_bidders_per_lot}")
    for missing in problem.services:
        if missing.id not in lot_of:
            problems.append(f"service {missing.id!r} is in no lot")
    if problem.max_lots is not None and len(lots) > problem.max_lots:
        problems.append(f"{len(lots)} lots, more than {problem.max_lots}")
    if problem.max_lots_per_supplier is not None:
        for supplier in prices:
            won = sum(1 for _, s in lots if s == supplier)
            if won > problem.max_lots_per_supplier:
                problems.append(f"{supplier!r} wins {won} lots, more than {problem.max_lots_per_supplier}")
    if problem.max_supplier_share is not None and not problems:
        total = lot_structure_cost(problem, lots).prices
        for supplier in prices:
            spend = sum((prices[supplier][sv] for services, s in lots if s == supplier for sv in services), Decimal(0))
            if spend > problem.max_supplier_share * total:
                problems.append(f"{supplier!r} takes {spend} of {total}, more than {problem.max_supplier_share}")
    for a, b in problem.must_separate:
        if a in lot_of and lot_of[a] == lot_of.get(b):
            problems.append(f"{a!r} and {b!r} must be in different lots")
    for a, b in problem.must_bundle:
        if lot_of.get(a) != lot_of.get(b):
            problems.append(f"{a!r} and {b!r} must be in the same lot")
    return problems


def result_to_json(result: LotStructureResult) -> dict[str, Any]:
    """The result as the `pegasus sourcing optimise --json` object; amounts are JSON numbers in the input's units."""

    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return {
        "status": result.status.value,
        "objective": number(result.objective),
        "best_bound": number(result.best_bound),
        "lots": [
            {
                "services": list(lot.services),
                "supplier": lot.supplier,
                "price": float(lot.price),
                "bidders": lot.bidders,
            }
            for lot in result.lots
        ],
        "handoff_cost": number(result.handoff_cost),
        "solve_seconds": round(result.solve_seconds, 3),
        "reasons": list(result.reasons),
    }
