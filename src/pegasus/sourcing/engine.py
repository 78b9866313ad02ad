"""The lot-structure optimiser: which services to put in which lot, and which supplier wins each lot.

Plain values in, plain values out; no Django. The input is the JSON object of issue 4 (see `problem_from_json`):
services, suppliers with the prices they quote for the services they can deliver, interfaces between services with a
hand-off weight, and policy: a fixed cost per lot, the fewest bidders a lot must have, and optionally the most lots,
the most lots one supplier may win, the largest share of the total one supplier may take, and pairs of services that
must be kept apart or together.

A solution partitions the services into lots and awards each lot to one supplier that prices every service in it.
It costs `lot_fixed_cost` per lot, plus the winning prices, plus the weight of every interface cut by a lot boundary.

How the model is built (the reasons are in docs/benchmarks.md, "Lot-structure optimiser"):

- Services that must be bundled are merged first into *units* (union-find), so bundles cost no constraints and the
  interfaces inside a bundle disappear; interfaces between units are summed.
- Lots are *slots owned by a supplier*: supplier s has slots (s, 0) .. (s, L_s - 1), L_s = the most lots it may win
  (capped by max_lots and by the units it can price). A unit goes to exactly one slot of a supplier that prices it,
  so the price of a unit is linear in its slot variables and the linear relaxation already charges every unit at
  least its cheapest price. There is no "lot -> supplier" product to linearise.
- Symmetry: slots of one supplier are interchangeable, so slot k+1 may only be opened by a unit later (in input
  order) than the first unit of slot k; lots are told apart by their lowest-indexed unit.
- Bidders: "supplier t could bid for slot (s, k)" is a boolean that forbids every unit of s that t does not price;
  suppliers with the same coverage of s's units share one boolean (counted with multiplicity), and suppliers that
  cover all of s's units are counted as constants.
- Interfaces: "both ends in slot (s, k)" booleans only for slots that can hold both ends; an interface whose ends
  can never share a lot (kept apart, or too few common bidders) is a constant in the objective.
- A greedy solution (cheapest supplier, first-fit packing, merges that pay, then repairs for the limits) is given
  to CP-SAT as a complete hint, and is the answer of last resort if the solver finds nothing in time.
- On problems of 40 units or more, one thread searches from the greedy solution: for two thirds of its time by
  simulated annealing (runs of a few seconds, each from the greedy solution, moving single units between lots and
  re-awarding, swapping and merging lots; every constraint checked at every step), then by large neighbourhoods:
  the lots of a few related suppliers (joined by interfaces, or able to win each other's lots) are re-solved
  exactly with every other lot fixed, the slots, spend and lot count of the fixed lots carried into the part as
  offsets. The whole-problem solver runs on the other thread for the bound (and its own solutions; on mid-sized
  models it searches for the bound alone, see `solve_model`); the best of both is returned.
- After the first annealing run, that thread also solves the set-partitioning relaxation by column generation
  (`columns.py`), whose bound is far tighter than the solver's (at 200 x 20 it is the optimum). When it reaches the
  incumbent, the incumbent is proven optimal and both threads stop; when it is solved, the best structure made of
  the lots it priced is sought too. The higher of the two bounds is reported.

Amounts are exact: every price, weight and the lot cost is taken to 6 decimal places (half-even), and the model
works in integer multiples of the smallest power of ten that represents them all (pennies for amounts with two
decimals). Objective, bound, prices and hand-off cost are reported as Decimals in the input's own units.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any

from ortools.sat.python import cp_model

from pegasus.core.bounds import MAX_INT
from pegasus.core.exceptions import OutOfBounds, RuleViolation
from pegasus.core.reading import decimal_in_bounds
from pegasus.sourcing.columns import ColumnGeneration

DECIMAL_PLACES = 6
DEFAULT_TIME_LIMIT = 60.0
DEFAULT_WORKERS = 2
LARGE_MODEL = 15_000  # (unit, supplier, slot) choices above which presolve is kept light and slots are not ordered
_MAX_SCALED = 2**53  # keeps every sum the model forms well inside int64
MAX_AMOUNT = Decimal(10) ** 15  # a price, weight or cost: whole pounds up to this can still be optimised exactly
# large-neighbourhood search beside the whole-problem solver, for problems of at least this many units
LNS_MIN_UNITS = 40
# (unit, supplier, slot) choices from which, while the neighbourhood search finds the solutions, the whole-problem
# worker searches for a bound rather than for a proof (below it, max_lp proves 50 x 10 instances in seconds).
BOUND_SEARCH_MODEL = 1_500
_LNS_START_UNITS = 30  # units re-solved at once, to start with
_LNS_STEP = 5
_LNS_SECONDS = 1.0  # per neighbourhood
_LNS_SECONDS_LARGE = 2.0  # per neighbourhood of a large model
_LNS_WINNERS_PER_UNIT = 3  # besides the lots' own winners, the cheapest suppliers of each unit may win a part
_ANNEAL_SHARE = 2 / 3  # of the search's time, before the neighbourhoods
_COLUMNS_SHARE = 1 / 3  # of the search's time, by which column generation stops if it has not solved the relaxation
_ANNEAL_SECONDS_PER_UNIT = 0.02  # the length of one annealing run, between 1 and 10 seconds
_ANNEAL_MAX_SECONDS = 10.0
_ANNEAL_HOT = 6  # the temperature falls from the average cheapest unit price over this
_ANNEAL_COLD = 2000  # to that price over this

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


class ProblemInputError(RuleViolation):
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
    scale = _scale(problem)
    total = sum((p for s in problem.suppliers for p in s.prices.values()), Decimal(0))
    total += sum((i.weight for i in problem.interfaces), Decimal(0)) + problem.lot_fixed_cost * len(services)
    share_den = Fraction(share).denominator if share is not None else 1
    if total * scale * share_den * 4 > _MAX_SCALED:
        raise ProblemInputError("suppliers", TOO_LARGE)
    return problem


def _scale(problem: LotProblem) -> int:
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


# --------------------------------------------------------------------------------------------------------------
# The problem in integers, with bundles merged into units


@dataclass
class _Compiled:
    problem: LotProblem
    scale: int
    units: list[tuple[int, ...]]  # service indices, ascending; units ordered by their first service
    unit_price: list[dict[int, int]]  # unit -> {supplier index: scaled price} for suppliers pricing all of it
    edges: dict[tuple[int, int], int]  # (u, v), u < v -> scaled weight, only pairs that can share a lot
    fixed_handoff: int  # scaled weight of interfaces that are cut in every solution
    separate: set[tuple[int, int]]  # unit pairs u < v kept apart
    lot_cost: int
    need: int  # fewest bidders per lot (at least 1: the winner)
    max_lots: int | None
    max_per_supplier: int | None
    share: Fraction | None
    reasons: list[str] = field(default_factory=list)
    # a part of a larger problem whose other lots are fixed: the slots they leave each supplier, their spend
    slot_cap: dict[int, int] | None = None
    spend_offset: dict[int, int] = field(default_factory=dict)
    total_offset: int = 0

    @property
    def n_suppliers(self) -> int:
        return len(self.problem.suppliers)

    def supplier_units(self) -> list[list[int]]:
        units: list[list[int]] = [[] for _ in range(self.n_suppliers)]
        for u, prices in enumerate(self.unit_price):
            for s in prices:
                units[s].append(u)
        return units

    def neighbours(self) -> list[dict[int, int]]:
        """Each unit's interfaces to the units it may share a lot with: {other unit: scaled weight}."""
        adjacent: list[dict[int, int]] = [{} for _ in self.units]
        for (u, v), weight in self.edges.items():
            adjacent[u][v] = weight
            adjacent[v][u] = weight
        return adjacent

    def kept_apart(self) -> list[set[int]]:
        """Each unit's units that must not share its lot."""
        apart: list[set[int]] = [set() for _ in self.units]
        for u, v in self.separate:
            apart[u].add(v)
            apart[v].add(u)
        return apart

    def can_share(self, u: int, v: int) -> bool:
        key = (u, v) if u < v else (v, u)
        if key in self.separate:
            return False
        return len(self.unit_price[u].keys() & self.unit_price[v].keys()) >= self.need

    def slots(self, s: int, n_units: int) -> int:
        limit = n_units
        for cap in (self.max_per_supplier, self.max_lots):
            if cap is not None:
                limit = min(limit, cap)
        if self.slot_cap is not None:
            limit = min(limit, self.slot_cap.get(s, limit))
        return limit


def _names(problem: LotProblem, services: Iterable[int]) -> str:
    return ", ".join(problem.services[i].id for i in services)


def _compile(problem: LotProblem) -> _Compiled:
    scale = _scale(problem)
    index = {s.id: n for n, s in enumerate(problem.services)}
    n_services = len(problem.services)
    need = max(problem.min_bidders_per_lot, 1)
    reasons: list[str] = []

    parent = list(range(n_services))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in problem.must_bundle:
        ra, rb = find(index[a]), find(index[b])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n_services):
        groups.setdefault(find(i), []).append(i)
    units = [tuple(g) for _, g in sorted(groups.items())]
    unit_of = [0] * n_services
    for u, members in enumerate(units):
        for i in members:
            unit_of[i] = u

    scaled = [{index[k]: int(v * scale) for k, v in s.prices.items()} for s in problem.suppliers]
    capable = [[s for s in range(len(scaled)) if i in scaled[s]] for i in range(n_services)]
    for i, suppliers in enumerate(capable):
        if len(suppliers) < need:
            sid = problem.services[i].id
            if not suppliers:
                reasons.append(f"no supplier prices service {sid!r}")
            else:
                who = ", ".join(problem.suppliers[s].id for s in suppliers)
                reasons.append(
                    f"service {sid!r} is priced by {len(suppliers)} supplier(s) ({who}); every lot needs at least "
                    f"{problem.min_bidders_per_lot} bidders"
                )
    unit_price: list[dict[int, int]] = []
    for members in units:
        common = set.intersection(*(set(capable[i]) for i in members))
        unit_price.append({s: sum(scaled[s][i] for i in members) for s in sorted(common)})
        if len(members) > 1 and len(common) < need and all(len(capable[i]) >= need for i in members):
            who = ", ".join(problem.suppliers[s].id for s in sorted(common)) or "none"
            reasons.append(
                f"services {_names(problem, members)} must be bundled in one lot, but only {len(common)} supplier(s) "
                f"price all of them ({who}); every lot needs at least {max(need, 1)}"
                + (" bidders" if problem.min_bidders_per_lot > 1 else " supplier to deliver it")
            )

    separate: set[tuple[int, int]] = set()
    for a, b in problem.must_separate:
        u, v = unit_of[index[a]], unit_of[index[b]]
        if u == v:
            chain = [f"{x}-{y}" for x, y in problem.must_bundle if unit_of[index[x]] == u]
            reasons.append(
                f"{a!r} and {b!r} must be in different lots but are bundled together (must_bundle: {', '.join(chain)})"
            )
        else:
            separate.add((min(u, v), max(u, v)))

    edges: dict[tuple[int, int], int] = {}
    fixed = 0
    for interface in problem.interfaces:
        u, v = unit_of[index[interface.a]], unit_of[index[interface.b]]
        weight = int(interface.weight * scale)
        if u == v or weight == 0:
            continue
        key = (min(u, v), max(u, v))
        if key in separate or len(unit_price[u].keys() & unit_price[v].keys()) < need:
            fixed += weight
        else:
            edges[key] = edges.get(key, 0) + weight

    share = Fraction(problem.max_supplier_share) if problem.max_supplier_share is not None else None
    compiled = _Compiled(
        problem=problem,
        scale=scale,
        units=units,
        unit_price=unit_price,
        edges=edges,
        fixed_handoff=fixed,
        separate=separate,
        lot_cost=int(problem.lot_fixed_cost * scale),
        need=need,
        max_lots=problem.max_lots,
        max_per_supplier=problem.max_lots_per_supplier,
        share=share,
        reasons=reasons,
    )
    if not reasons:
        reasons.extend(_structural_reasons(compiled))
    return compiled


def _structural_reasons(c: _Compiled) -> list[str]:
    """Proofs of infeasibility from the lot limits: units that pairwise cannot share a lot, and the share cap."""
    problem = c.problem
    reasons: list[str] = []
    n = len(c.units)
    if c.max_lots is not None or c.max_per_supplier is not None:
        conflicts = [set() for _ in range(n)]  # type: list[set[int]]
        for u in range(n):
            for v in range(u + 1, n):
                if not c.can_share(u, v):
                    conflicts[u].add(v)
                    conflicts[v].add(u)
        clique = _greedy_clique(conflicts)
        services = [c.units[u][0] for u in clique]
        if c.max_lots is not None and len(clique) > c.max_lots:
            reasons.append(
                f"{len(clique)} services can never share a lot (kept apart, or too few suppliers price them "
                f"together): {_names(problem, services)}; max_lots is {c.max_lots}"
            )
        if c.max_per_supplier is not None:
            suppliers = set().union(*(c.unit_price[u].keys() for u in clique)) if clique else set()
            if len(suppliers) * c.max_per_supplier < len(clique):
                reasons.append(
                    f"{len(clique)} services can never share a lot ({_names(problem, services)}) but the "
                    f"{len(suppliers)} supplier(s) that price them may win at most {c.max_per_supplier} lot(s) each"
                )
    if c.share is not None and c.share < 1:
        winners = {s for prices in c.unit_price for s in prices}
        cheapest = sum(min(prices.values()) for prices in c.unit_price if prices)
        if cheapest > 0 and len(winners) * c.share < 1:
            reasons.append(
                f"max_supplier_share {problem.max_supplier_share} is below 1/{len(winners)}: the {len(winners)} "
                f"supplier(s) that price anything cannot share the total between them"
            )
    return reasons


def _greedy_clique(conflicts: list[set[int]]) -> list[int]:
    order = sorted(range(len(conflicts)), key=lambda u: -len(conflicts[u]))
    best: list[int] = []
    for start in order[:30]:
        clique = [start]
        candidates = set(conflicts[start])
        while candidates:
            pick = max(candidates, key=lambda u: (len(conflicts[u] & candidates), -u))
            clique.append(pick)
            candidates &= conflicts[pick]
        if len(clique) > len(best):
            best = clique
    return sorted(best)


# --------------------------------------------------------------------------------------------------------------
# Greedy: a commercial analyst's method, the warm start and the benchmark's baseline


@dataclass
class _GreedyLot:
    units: list[int]
    prices: dict[int, int]  # supplier -> scaled price of the whole lot, for every supplier that prices all of it


class _Merger:
    """Merges of greedy lots, with their savings cached by the lots' serial numbers."""

    def __init__(self, c: _Compiled):
        self.c = c
        self.adjacent = c.neighbours()
        self.apart = c.kept_apart()
        self.cache: dict[tuple[int, int], tuple[int, _GreedyLot] | None] = {}

    def merged(self, a: _GreedyLot, b: _GreedyLot) -> _GreedyLot | None:
        common = a.prices.keys() & b.prices.keys()
        if len(common) < self.c.need:
            return None
        members = set(b.units)
        if any(self.apart[u] & members for u in a.units):
            return None
        return _GreedyLot(sorted(a.units + b.units), {s: a.prices[s] + b.prices[s] for s in common})

    def gain(self, i: int, a: _GreedyLot, j: int, b: _GreedyLot) -> tuple[int, _GreedyLot] | None:
        """What merging saves: one lot's cost and the interfaces between them, less any dearer best price."""
        key = (i, j) if i < j else (j, i)
        if key not in self.cache:
            merged = self.merged(a, b)
            if merged is None:
                self.cache[key] = None
            else:
                members = set(b.units)
                between = sum(w for u in a.units for v, w in self.adjacent[u].items() if v in members)
                saving = self.c.lot_cost + between + min(a.prices.values()) + min(b.prices.values())
                self.cache[key] = (saving - min(merged.prices.values()), merged)
        return self.cache[key]


def _greedy(c: _Compiled) -> list[tuple[list[int], int]] | None:
    """Lots of units with their winners, meeting every constraint, or None where the greedy method gets stuck."""
    if c.reasons:
        return None
    merger = _Merger(c)
    # 1. every unit to its cheapest supplier; each supplier's units packed first-fit into as few lots as allowed
    by_supplier: dict[int, list[_GreedyLot]] = {}
    for u, prices in enumerate(c.unit_price):
        cheapest = min(prices, key=lambda s: (prices[s], s))
        unit = _GreedyLot([u], dict(prices))
        group = by_supplier.setdefault(cheapest, [])
        for n, lot in enumerate(group):
            packed = merger.merged(lot, unit)
            if packed is not None and cheapest in packed.prices:
                group[n] = packed
                break
        else:
            group.append(unit)
    lots = dict(enumerate(lot for group in by_supplier.values() for lot in group))
    serial = len(lots)

    # 2. merge the pair of lots that saves most (lot cost + interfaces - dearer prices) while any saves;
    # 3. then, while there are too many lots, the pair that costs least to merge
    while True:
        too_many = c.max_lots is not None and len(lots) > c.max_lots
        keys = sorted(lots)
        if too_many or len(lots) <= 120:
            pairs = {(i, j) for n, i in enumerate(keys) for j in keys[n + 1 :]}
        else:
            where = {u: n for n, lot in lots.items() for u in lot.units}
            pairs = {(min(where[u], where[v]), max(where[u], where[v])) for u, v in c.edges if where[u] != where[v]}
        best: tuple[int, int, int, _GreedyLot] | None = None
        for i, j in sorted(pairs):
            found = merger.gain(i, lots[i], j, lots[j])
            if found is not None and (best is None or found[0] > best[0]):
                best = (found[0], i, j, found[1])
        if best is None or (best[0] <= 0 and not too_many):
            break
        _, i, j, merged = best
        del lots[i], lots[j]
        lots[serial] = merged
        serial += 1
    if c.max_lots is not None and len(lots) > c.max_lots:
        return None

    # 4. award: lots with most to lose first, to the cheapest supplier with room under the limits
    return _award(c, list(lots.values()))


def _award(c: _Compiled, lots: list[_GreedyLot]) -> list[tuple[list[int], int]] | None:
    cap = c.max_per_supplier if c.max_per_supplier is not None else len(lots)
    estimate = sum(min(lot.prices.values()) for lot in lots)
    limit = c.share * estimate if c.share is not None else math.inf

    def regret(lot: _GreedyLot) -> float:
        prices = sorted(lot.prices.values())
        return prices[1] - prices[0] if len(prices) > 1 else math.inf

    won = [0] * c.n_suppliers
    spend = [0] * c.n_suppliers
    winner: dict[int, int] = {}
    for n in sorted(range(len(lots)), key=lambda n: -regret(lots[n])):
        options = sorted(lots[n].prices, key=lambda s: (lots[n].prices[s], s))
        open_ = [s for s in options if won[s] < cap]
        if not open_:
            return None
        within = [s for s in open_ if spend[s] + lots[n].prices[s] <= limit]
        s = (within or open_)[0]
        winner[n] = s
        won[s] += 1
        spend[s] += lots[n].prices[s]

    # repair the share with the exact total: move the lot that costs least to move off an over-share supplier
    for _ in range(4 * len(lots)):
        if c.share is None:
            break
        total = sum(spend)
        over = [s for s in range(c.n_suppliers) if spend[s] > c.share * total]
        if not over:
            break
        moves = []
        for n, s in winner.items():
            if s not in over:
                continue
            for t, price in lots[n].prices.items():
                if t != s and won[t] < cap:
                    new_total = total - lots[n].prices[s] + price
                    if spend[t] + price <= c.share * new_total:
                        moves.append((price - lots[n].prices[s], n, t))
        if not moves:
            return None
        _, n, t = min(moves)
        s = winner[n]
        won[s] -= 1
        spend[s] -= lots[n].prices[s]
        winner[n] = t
        won[t] += 1
        spend[t] += lots[n].prices[t]
    if c.share is not None and any(spend[s] > c.share * sum(spend) for s in range(c.n_suppliers)):
        return None
    return [(lots[n].units, winner[n]) for n in range(len(lots))]


def lot_structure_greedy(problem: LotProblem) -> LotStructureResult:
    """The greedy method alone: cheapest supplier per service, first-fit packing, paying merges, then repairs."""
    started = time.perf_counter()
    c = _compile(problem)
    awards = _greedy(c)
    elapsed = time.perf_counter() - started
    if awards is None:
        status = SolveStatus.INFEASIBLE if c.reasons else SolveStatus.UNKNOWN
        reasons = tuple(c.reasons) or ("the greedy method found no lot structure that meets every constraint",)
        return LotStructureResult(status, None, None, (), None, elapsed, reasons)
    lots = _lots(c, awards)
    cost = lot_structure_cost(problem, [(lot.services, lot.supplier) for lot in lots])
    return LotStructureResult(SolveStatus.FEASIBLE, cost.total, None, lots, cost.handoff, elapsed, (), elapsed)


def _lots(c: _Compiled, awards: Sequence[tuple[Sequence[int], int]]) -> tuple[Lot, ...]:
    problem = c.problem
    out = []
    for units, s in awards:
        services = sorted(i for u in units for i in c.units[u])
        supplier = problem.suppliers[s]
        ids = tuple(problem.services[i].id for i in services)
        bidders = sum(1 for other in problem.suppliers if all(sid in other.prices for sid in ids))
        price = sum((supplier.prices[sid] for sid in ids), Decimal(0))
        out.append((services[0], Lot(ids, supplier.id, price, bidders)))
    return tuple(lot for _, lot in sorted(out, key=lambda pair: pair[0]))


# --------------------------------------------------------------------------------------------------------------
# Large-neighbourhood search: re-solve a few lots at a time, the rest fixed


Awards = list[tuple[list[int], int]]


def _awards_value(c: _Compiled, awards: Awards) -> int:
    """The scaled objective of a complete solution: lots, winning prices, interfaces cut."""
    lot_of: dict[int, int] = {}
    total = c.fixed_handoff + c.lot_cost * len(awards)
    for n, (units, s) in enumerate(awards):
        for u in units:
            lot_of[u] = n
            total += c.unit_price[u][s]
    return total + sum(w for (u, v), w in c.edges.items() if lot_of[u] != lot_of[v])


def _part(
    c: _Compiled, awards: Awards, destroy: set[int], winners_per_unit: int = _LNS_WINNERS_PER_UNIT
) -> tuple[_Compiled, list[int], Awards, Awards]:
    """The sub-problem of the lots in `destroy` with every other lot fixed: their units, the slots and share the
    fixed lots leave each supplier, and the lots' own interfaces. Winners are the destroyed lots' own and the
    cheapest few for each unit; every supplier still counts as a bidder. Returns it with the units it holds (its
    unit n is `free[n]`), the destroyed lots as its hint, and the fixed lots."""
    free = sorted(u for n in destroy for u in awards[n][0])
    index = {u: n for n, u in enumerate(free)}
    kept = [award for n, award in enumerate(awards) if n not in destroy]
    won: dict[int, int] = {}
    spend: dict[int, int] = {}
    for units, s in kept:
        won[s] = won.get(s, 0) + 1
        spend[s] = spend.get(s, 0) + sum(c.unit_price[u][s] for u in units)
    winners = {awards[n][1] for n in destroy}
    for u in free:
        winners.update(sorted(c.unit_price[u], key=c.unit_price[u].__getitem__)[:winners_per_unit])

    def room(s: int) -> int:  # the slots a winner has left in the part (any number when lots are not limited)
        return len(free) if c.max_per_supplier is None else c.max_per_supplier - won.get(s, 0)

    part = replace(
        c,
        units=[c.units[u] for u in free],
        unit_price=[c.unit_price[u] for u in free],
        edges={(index[u], index[v]): w for (u, v), w in c.edges.items() if u in index and v in index},
        fixed_handoff=0,
        separate={(index[u], index[v]) for u, v in c.separate if u in index and v in index},
        max_lots=None if c.max_lots is None else c.max_lots - len(kept),
        slot_cap={s: room(s) if s in winners else 0 for s in range(c.n_suppliers)},
        spend_offset=spend,
        total_offset=sum(spend.values()),
        reasons=[],
    )
    hint = [([index[u] for u in awards[n][0]], awards[n][1]) for n in destroy]
    return part, free, hint, kept


class _Incumbent:
    """The best complete solution so far, offered by the search and by the whole-problem solver's thread."""

    def __init__(self, c: _Compiled, awards: Awards | None, on_better: Callable[[Awards, int], None] | None):
        self.c = c
        self.awards = awards or []
        self.value = _awards_value(c, awards) if awards is not None else math.inf
        self.on_better = on_better
        self.lock = threading.Lock()

    def offer(self, awards: Awards) -> bool:
        value = _awards_value(self.c, awards)
        with self.lock:
            if value >= self.value:
                return False
            self.awards, self.value = awards, value
        if self.on_better is not None:
            self.on_better(awards, value)
        return True


def _neighbourhood(
    c: _Compiled, awards: Awards, adjacent: list[dict[int, int]], rng: random.Random, size: int
) -> set[int]:
    """About `size` units' worth of lots that could trade units: from a random lot (or the two ends of a random cut
    interface), lots joined to them by interfaces, every lot of their winners (which frees those winners' slots),
    and, at random, the lots of other suppliers that could win them."""
    lot_of = {u: n for n, (units, _) in enumerate(awards) for u in units}
    lots_of: dict[int, list[int]] = {}
    for n, (_, s) in enumerate(awards):
        lots_of.setdefault(s, []).append(n)
    cut = [(u, v) for u, v in c.edges if lot_of[u] != lot_of[v]]
    if cut and rng.random() < 0.5:
        u, v = rng.choice(cut)
        frontier = [lot_of[u], lot_of[v]]
    else:
        frontier = [rng.randrange(len(awards))]
    destroy: set[int] = set()
    held = 0
    while held < size and len(destroy) < len(awards):
        if not frontier:
            frontier.append(rng.choice([n for n in range(len(awards)) if n not in destroy]))
        n = frontier.pop(rng.randrange(len(frontier)))
        if n in destroy:
            continue
        for m in lots_of[awards[n][1]]:
            if m in destroy:
                continue
            destroy.add(m)
            units = awards[m][0]
            held += len(units)
            frontier.extend(lot_of[v] for u in units for v in adjacent[u] if lot_of[v] not in destroy)
            rivals = set.intersection(*(set(c.unit_price[u]) for u in units)) - {awards[m][1]}
            for t in sorted(rivals):
                if t in lots_of and rng.random() < 0.5:
                    frontier.extend(lots_of[t])
    return destroy


def _search(
    c: _Compiled,
    incumbent: _Incumbent,
    deadline: float,
    done: threading.Event,
    seed: int = 0,
    part_seconds: float = _LNS_SECONDS,
    stop_whole: Callable[[], None] | None = None,
) -> int | None:
    """Improve the incumbent until the deadline or `done`; returns the set-partitioning relaxation's lower bound
    (scaled), or None when column generation gave none.

    One annealing run of a few seconds first; then column generation (`columns.ColumnGeneration`) from the lots
    met so far, until the relaxation is solved or `_COLUMNS_SHARE` of the time has gone. When its bound reaches the
    incumbent the incumbent is optimal: the whole-problem solver is stopped (`stop_whole`) and the search ends.
    When the relaxation is solved, the best structure made of the lots it met is sought (price-and-branch). Until
    `_ANNEAL_SHARE` of the time, more annealing runs, each from the incumbent the search was given (restarts from the
    same point with other random choices find better structures than one run continued, or runs continued from the
    best). Then neighbourhoods of the best are re-solved exactly (one solver thread): each sub-problem is small
    enough for CP-SAT to prove its optimum or improve on it within `part_seconds`; the size grows while they are
    proven and shrinks while they are not."""
    rng = random.Random(seed)
    with incumbent.lock:
        start = incumbent.awards
    now = time.perf_counter()
    columns_end = now + (deadline - now) * _COLUMNS_SHARE
    annealing_ends = now + (deadline - now) * _ANNEAL_SHARE
    run = min(max(len(c.units) * _ANNEAL_SECONDS_PER_UNIT, 1.0), _ANNEAL_MAX_SECONDS)
    pricing = ColumnGeneration(c)
    pricing.add_solution(start)

    def proven() -> bool:
        """Whether the bound has reached the incumbent; if so, the whole-problem solver is stopped."""
        if pricing.bound is None or incumbent.value > pricing.bound:
            return False
        while stop_whole is not None and not done.is_set():  # until its search has started and so can stop
            stop_whole()
            done.wait(0.05)
        return True

    def anneal(until: float) -> None:
        while not done.is_set() and not proven() and (left := until - time.perf_counter()) > 0.1:
            found = _anneal(c, start, min(run, left), rng)
            if found is not None:
                pricing.add_solution(found)
                incumbent.offer(found)

    anneal(min(now + run, annealing_ends))
    pricing.run(columns_end, done)
    if pricing.converged and not done.is_set() and not proven():
        with incumbent.lock:
            hint = incumbent.awards
        pricing.add_solution(hint)
        found = pricing.master(annealing_ends - time.perf_counter(), hint, rng.randrange(1 << 30))
        if found is not None:
            incumbent.offer(found)
    anneal(annealing_ends)
    adjacent = c.neighbours()
    size = _LNS_START_UNITS
    while not done.is_set() and not proven():
        left = deadline - time.perf_counter()
        if left < 0.1:
            break
        with incumbent.lock:
            awards = incumbent.awards
        found, optimal = _resolve(
            c, awards, _neighbourhood(c, awards, adjacent, rng, size), min(part_seconds, left), rng.randrange(1 << 30)
        )
        if found is not None:
            incumbent.offer(found)
        size = min(size + _LNS_STEP, len(c.units)) if optimal else max(_LNS_STEP, size - _LNS_STEP)
    return pricing.bound


def _resolve(
    c: _Compiled,
    awards: Awards,
    destroy: set[int],
    seconds: float,
    seed: int = 0,
    winners_per_unit: int = _LNS_WINNERS_PER_UNIT,
) -> tuple[Awards | None, bool]:
    """The solution with the lots in `destroy` re-solved (at most `seconds`), and whether that part is optimal."""
    part, free, hint, kept = _part(c, awards, destroy, winners_per_unit)
    built = _build(part, hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.random_seed = seed
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    slots: dict[tuple[int, int], list[int]] = {}
    for (u, s, k), var in built.assign.items():
        if solver.boolean_value(var):
            slots.setdefault((s, k), []).append(free[u])
    return kept + [(sorted(units), s) for (s, _), units in slots.items()], status == cp_model.OPTIMAL


# --------------------------------------------------------------------------------------------------------------
# Simulated annealing: single units moved between lots, lots re-awarded and merged


def _anneal(c: _Compiled, awards: Awards, seconds: float, rng: random.Random) -> Awards | None:
    """The best solution met while annealing from `awards` for `seconds`, or None when none beat it.

    Each step proposes one change and checks every constraint of the whole problem for it before taking it:

    - *relocate* a unit to a lot next to it (by an interface) or of a supplier that prices it, or to a new lot;
    - *re-award* a lot to another of its bidders;
    - *swap* a unit with one of a lot it is joined to;
    - *merge* a lot with one it is joined to, under a supplier that can bid for both.

    A change that costs more is taken with probability exp(-cost / temperature); the temperature falls
    geometrically from a sixth of the average cheapest unit price to 1/2000 of it. Lots' bidders are bit sets of
    suppliers (a unit's is the suppliers pricing it; a lot's is the AND of its units'), so a step costs
    microseconds and a run makes millions.
    """
    assert c.slot_cap is None, "annealing works on the whole problem"
    n_units, n_suppliers = len(c.units), c.n_suppliers
    price = c.unit_price
    cover = [sum(1 << s for s in prices) for prices in price]
    adjacent = [list(others.items()) for others in c.neighbours()]  # lists, to draw a neighbour at random
    apart = c.kept_apart()
    offers = [list(prices) for prices in price]
    need = c.need
    per_supplier = c.max_per_supplier or n_units
    max_lots = c.max_lots or n_units
    share_num, share_den = (c.share.numerator, c.share.denominator) if c.share is not None else (1, 1)
    lot_cost = c.lot_cost

    winner: dict[int, int] = {}  # lot -> supplier
    members: dict[int, set[int]] = {}  # lot -> units
    bidders: dict[int, int] = {}  # lot -> bit set of the suppliers pricing all of it
    lots_of: list[set[int]] = [set() for _ in range(n_suppliers)]
    lot_of = [0] * n_units
    spend = [0] * n_suppliers
    for n, (units, s) in enumerate(awards):
        winner[n], members[n] = s, set(units)
        lots_of[s].add(n)
        mask = -1
        for u in units:
            lot_of[u] = n
            mask &= cover[u]
            spend[s] += price[u][s]
        bidders[n] = mask
    serial = len(awards)
    total = sum(spend)
    value = _awards_value(c, awards)
    best_value, best = value, None

    def share_ok(new_total: int, changed: dict[int, int]) -> bool:
        if c.share is None:
            return True
        limit = share_num * new_total
        if any(amount * share_den > limit for amount in changed.values()):
            return False
        # a smaller total raises everyone's share
        return new_total >= total or all(spend[s] * share_den <= limit for s in range(n_suppliers) if s not in changed)

    def enough(mask: int) -> bool:
        return mask.bit_count() >= need

    def pick(mask: int) -> int:
        """A supplier of bit set `mask` (not empty), at random."""
        skip = rng.randrange(mask.bit_count())
        for _ in range(skip):
            mask &= mask - 1
        return (mask & -mask).bit_length() - 1

    typical = sum(min(prices.values()) for prices in price) / n_units
    hot, cold = max(typical / _ANNEAL_HOT, 1), max(typical / _ANNEAL_COLD, 1e-3)
    temperature = hot
    started = time.perf_counter()
    deadline = started + seconds
    lots = list(winner)
    step = 0
    while True:
        step += 1
        if step & 1023 == 0:
            now = time.perf_counter()
            if now >= deadline:
                break
            temperature = hot * (cold / hot) ** ((now - started) / seconds)
            lots = list(winner)
        move = rng.random()
        if move < 0.6:  # relocate unit u from lot a to lot b (None: a new lot) of supplier t
            u = rng.randrange(n_units)
            a = lot_of[u]
            s = winner[a]
            alone = len(members[a]) == 1
            b: int | None
            if adjacent[u] and rng.random() < 0.5:
                b = lot_of[rng.choice(adjacent[u])[0]]
                t = winner[b]
                if b == a or t not in price[u]:
                    continue
            else:
                t = rng.choice(offers[u])
                room = len(lots_of[t]) - (alone and t == s) < per_supplier
                if lots_of[t] and (rng.random() < 0.7 or not room):
                    b = rng.choice(tuple(lots_of[t]))
                    if b == a:
                        continue
                else:
                    b = None
                    if (alone and t == s) or not room or not enough(cover[u]) or len(winner) - alone >= max_lots:
                        continue
            if b is not None and (not enough(bidders[b] & cover[u]) or any(v in members[b] for v in apart[u])):
                continue
            delta = price[u][t] - price[u][s] + lot_cost * ((b is None) - alone)
            for v, weight in adjacent[u]:
                if lot_of[v] == a:
                    delta += weight
                elif lot_of[v] == b:
                    delta -= weight
            if delta > 0 and rng.random() >= math.exp(-delta / temperature):
                continue
            changed = {s: spend[s] - price[u][s]}
            changed[t] = changed.get(t, spend[t]) + price[u][t]
            new_total = total + price[u][t] - price[u][s]
            if not share_ok(new_total, changed):
                continue
            members[a].discard(u)
            if alone:
                del winner[a], members[a], bidders[a]
                lots_of[s].discard(a)
            else:
                mask = -1
                for v in members[a]:
                    mask &= cover[v]
                bidders[a] = mask
            if b is None:
                b, serial = serial, serial + 1
                winner[b], members[b], bidders[b] = t, {u}, cover[u]
                lots_of[t].add(b)
            else:
                members[b].add(u)
                bidders[b] &= cover[u]
            lot_of[u] = b
        elif move < 0.85:  # re-award lot a to another of its bidders
            a = rng.choice(lots)
            if a not in winner:
                continue
            s = winner[a]
            others = bidders[a] & ~(1 << s)
            if not others:
                continue
            t = pick(others)
            if len(lots_of[t]) >= per_supplier:
                continue
            before = sum(price[u][s] for u in members[a])
            after = sum(price[u][t] for u in members[a])
            delta = after - before
            if delta > 0 and rng.random() >= math.exp(-delta / temperature):
                continue
            changed = {s: spend[s] - before, t: spend[t] + after}
            new_total = total + delta
            if not share_ok(new_total, changed):
                continue
            winner[a] = t
            lots_of[s].discard(a)
            lots_of[t].add(a)
        elif move < 0.93:  # swap unit u of lot a with unit v of lot b, joined to u
            u = rng.randrange(n_units)
            if not adjacent[u]:
                continue
            a, b = lot_of[u], lot_of[rng.choice(adjacent[u])[0]]
            if a == b:
                continue
            v = rng.choice(tuple(members[b]))
            s, t = winner[a], winner[b]
            if t not in price[u] or s not in price[v]:
                continue
            into_a, into_b = cover[v], cover[u]
            for x in members[a]:
                if x != u:
                    into_a &= cover[x]
            for x in members[b]:
                if x != v:
                    into_b &= cover[x]
            if not (enough(into_a) and enough(into_b)):
                continue
            if any(x in members[b] and x != v for x in apart[u]) or any(x in members[a] and x != u for x in apart[v]):
                continue
            priced = price[u][t] - price[u][s] + price[v][s] - price[v][t]
            delta = priced
            for x, weight in adjacent[u]:
                if x != v:
                    delta += weight if lot_of[x] == a else -weight if lot_of[x] == b else 0
            for x, weight in adjacent[v]:
                if x != u:
                    delta += weight if lot_of[x] == b else -weight if lot_of[x] == a else 0
            if delta > 0 and rng.random() >= math.exp(-delta / temperature):
                continue
            changed = (
                {s: spend[s]}
                if s == t
                else {
                    s: spend[s] - price[u][s] + price[v][s],
                    t: spend[t] + price[u][t] - price[v][t],
                }
            )
            new_total = total + priced
            if not share_ok(new_total, changed):
                continue
            members[a].discard(u)
            members[a].add(v)
            members[b].discard(v)
            members[b].add(u)
            lot_of[u], lot_of[v] = b, a
            bidders[a], bidders[b] = into_a, into_b
        else:  # merge lot b, joined to lot a, into a, won by supplier r
            a = rng.choice(lots)
            if a not in winner:
                continue
            u = rng.choice(tuple(members[a]))
            if not adjacent[u]:
                continue
            b = lot_of[rng.choice(adjacent[u])[0]]
            if b == a:
                continue
            mask = bidders[a] & bidders[b]
            if not enough(mask) or any(apart[x] & members[b] for x in members[a] if apart[x]):
                continue
            s, t = winner[a], winner[b]
            r = pick(mask)
            if len(lots_of[r]) + 1 - (r == s) - (r == t) > per_supplier:
                continue
            before_a = sum(price[x][s] for x in members[a])
            before_b = sum(price[x][t] for x in members[b])
            after = sum(price[x][r] for x in members[a]) + sum(price[x][r] for x in members[b])
            priced = after - before_a - before_b
            delta = priced - lot_cost
            for x in members[b]:
                for y, weight in adjacent[x]:
                    if lot_of[y] == a:
                        delta -= weight
            if delta > 0 and rng.random() >= math.exp(-delta / temperature):
                continue
            changed = {s: spend[s] - before_a}
            changed[t] = changed.get(t, spend[t]) - before_b
            changed[r] = changed.get(r, spend[r]) + after
            new_total = total + priced
            if not share_ok(new_total, changed):
                continue
            for x in members[b]:
                lot_of[x] = a
            members[a] |= members.pop(b)
            bidders[a] = mask
            del winner[b], bidders[b]
            lots_of[s].discard(a)
            lots_of[t].discard(b)
            winner[a] = r
            lots_of[r].add(a)
        # the change is taken
        for supplier, amount in changed.items():
            spend[supplier] = amount
        total = new_total
        value += delta
        if value < best_value:
            best_value = value
            best = [(sorted(members[n]), winner[n]) for n in winner]
    return best


# --------------------------------------------------------------------------------------------------------------
# The CP-SAT model


@dataclass
class _Model:
    model: cp_model.CpModel
    assign: dict[tuple[int, int, int], cp_model.IntVar]  # (unit, supplier, slot)
    used: dict[tuple[int, int], cp_model.IntVar]  # (supplier, slot)
    offset: int  # constant part of the objective (interfaces cut in every solution)


def _build(c: _Compiled, hint: list[tuple[list[int], int]] | None, *, order_slots: bool = True) -> _Model:
    model = cp_model.CpModel()
    supplier_units = c.supplier_units()
    slots = {s: c.slots(s, len(units)) for s, units in enumerate(supplier_units)}
    assign: dict[tuple[int, int, int], cp_model.IntVar] = {}
    used: dict[tuple[int, int], cp_model.IntVar] = {}
    for s, units in enumerate(supplier_units):
        for k in range(slots[s]):
            used[s, k] = model.new_bool_var(f"used_{s}_{k}")
            for position, u in enumerate(units):
                if position >= k:  # the k-th slot is opened by at least the k-th unit of the supplier
                    assign[u, s, k] = model.new_bool_var(f"a_{u}_{s}_{k}")

    hinted: dict[tuple[int, int, int], int] = {}
    if hint is not None:
        for s in range(c.n_suppliers):
            mine = sorted((min(units), units) for units, winner in hint if winner == s)
            for k, (_, units) in enumerate(mine):
                for u in units:
                    hinted[u, s, k] = 1

    def hint_of(key: tuple[int, int, int]) -> int:
        return hinted.get(key, 0)

    by_unit: dict[int, list[tuple[int, int, int]]] = {}
    by_slot: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for key in assign:
        by_unit.setdefault(key[0], []).append(key)
        by_slot.setdefault((key[1], key[2]), []).append(key)

    for keys in by_unit.values():
        model.add_exactly_one(assign[k] for k in keys)
    for (s, k), var in used.items():
        members = by_slot.get((s, k), [])
        for key in members:
            model.add_implication(assign[key], var)
        model.add_bool_or([assign[key] for key in members]).only_enforce_if(var)
        if k > 0:
            model.add_implication(var, used[s, k - 1])

    # symmetry: a unit may open slot k > 0 of supplier s only after some earlier unit of s is in slot k - 1
    for s, units in enumerate(supplier_units if order_slots else []):
        for k in range(1, slots[s]):
            seen = None  # "some unit of s up to here is in slot k - 1"
            seen_value = 0
            for u in units:
                if (u, s, k) in assign and seen is not None:
                    model.add_implication(assign[u, s, k], seen)
                if (u, s, k - 1) not in assign:
                    continue
                current = model.new_bool_var(f"seen_{s}_{k - 1}_{u}")
                here = assign[u, s, k - 1]
                value = max(seen_value, hint_of((u, s, k - 1)))
                if seen is None:
                    model.add(current == here)
                else:
                    model.add_bool_or([seen, here]).only_enforce_if(current)
                    model.add_implication(seen, current)
                    model.add_implication(here, current)
                if hint is not None:
                    model.add_hint(current, value)
                seen, seen_value = current, value

    if c.max_lots is not None and c.max_lots < len(used):
        model.add(sum(used.values()) <= c.max_lots)

    # bidders: suppliers other than the winner that price every unit in the lot
    if c.need > 1:
        unit_sets = [set(units) for units in supplier_units]
        for s, units in enumerate(supplier_units):
            coverage: dict[frozenset[int], int] = {}
            certain = 0
            for t in range(c.n_suppliers):
                if t == s:
                    continue
                covered = frozenset(u for u in units if t in c.unit_price[u])
                if len(covered) == len(unit_sets[s]):
                    certain += 1
                elif covered:
                    coverage[covered] = coverage.get(covered, 0) + 1
            short = c.need - 1 - certain
            if short <= 0:
                continue
            for k in range(slots[s]):
                slot_units = [u for u in units if (u, s, k) in assign]
                in_lot = {u for u in slot_units if hint_of((u, s, k))}
                size = None
                terms = []
                for covered, count in coverage.items():
                    bid = model.new_bool_var(f"bid_{s}_{k}")
                    inside = [u for u in slot_units if u in covered]
                    outside = [u for u in slot_units if u not in covered]
                    if len(inside) + 1 < len(outside):
                        # few covered units (a specialist beside a generalist): "the lot is no bigger than the part
                        # of it t covers" takes |inside| + 1 terms instead of |outside| literals
                        if size is None:
                            size = model.new_int_var(0, len(slot_units), f"size_{s}_{k}")
                            model.add(size == cp_model.LinearExpr.sum([assign[u, s, k] for u in slot_units]))
                            if hint is not None:
                                model.add_hint(size, len(in_lot))
                        model.add(cp_model.LinearExpr.sum([assign[u, s, k] for u in inside]) >= size).only_enforce_if(
                            bid
                        )
                    elif outside:
                        model.add_bool_and([assign[u, s, k].Not() for u in outside]).only_enforce_if(bid)
                    terms.append((bid, count))
                    if hint is not None:
                        model.add_hint(bid, int(in_lot <= covered))
                model.add(sum(count * bid for bid, count in terms) >= short * used[s, k])

    # kept apart
    for u, v in c.separate:
        for s in c.unit_price[u].keys() & c.unit_price[v].keys():
            for k in range(slots[s]):
                if (u, s, k) in assign and (v, s, k) in assign:
                    model.add_bool_or([assign[u, s, k].Not(), assign[v, s, k].Not()])

    # prices, share and objective
    keys = list(assign)
    price_vars = [assign[key] for key in keys]
    price_coefs = [c.unit_price[u][s] for u, s, _ in keys]
    total_upper = sum(max(prices.values()) for prices in c.unit_price)
    total = model.new_int_var(0, total_upper, "total_price")
    model.add(total == cp_model.LinearExpr.weighted_sum(price_vars, price_coefs))
    if c.share is not None and c.share < 1:
        cheapest_total = sum(min(prices.values()) for prices in c.unit_price) + c.total_offset
        for s, units in enumerate(supplier_units):
            most = sum(c.unit_price[u][s] for u in units) + c.spend_offset.get(s, 0)
            if most <= c.share * cheapest_total:
                continue  # can never exceed its share
            spend = cp_model.LinearExpr.weighted_sum(
                [assign[u, s, k] for u in units for k in range(slots[s]) if (u, s, k) in assign],
                [c.unit_price[u][s] for u in units for k in range(slots[s]) if (u, s, k) in assign],
            )
            model.add(
                c.share.denominator * (spend + c.spend_offset.get(s, 0)) <= c.share.numerator * (total + c.total_offset)
            )

    objective_vars: list[cp_model.IntVar] = list(used.values())
    objective_coefs: list[int] = [c.lot_cost] * len(used)
    offset = c.fixed_handoff
    for (u, v), weight in c.edges.items():
        offset += weight
        for s in c.unit_price[u].keys() & c.unit_price[v].keys():
            for k in range(slots[s]):
                if (u, s, k) not in assign or (v, s, k) not in assign:
                    continue
                same = model.new_bool_var(f"same_{u}_{v}_{s}_{k}")
                a, b = assign[u, s, k], assign[v, s, k]
                model.add_implication(same, a)
                model.add_implication(same, b)
                model.add_bool_or([a.Not(), b.Not(), same])
                objective_vars.append(same)
                objective_coefs.append(-weight)
                if hint is not None:
                    model.add_hint(same, hint_of((u, s, k)) * hint_of((v, s, k)))
    model.minimize(
        cp_model.LinearExpr.weighted_sum(objective_vars, objective_coefs)
        + cp_model.LinearExpr.weighted_sum(price_vars, price_coefs)
        + offset
    )

    if hint is not None:
        for key, var in assign.items():
            model.add_hint(var, hint_of(key))
        for (s, k), var in used.items():
            model.add_hint(var, int(any(hint_of((u, s, k)) for u in supplier_units[s])))
        model.add_hint(total, sum(c.unit_price[u][s] for units, s in hint for u in units))
    return _Model(model, assign, used, offset)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        started: float,
        scale: int,
        on_improvement: Callable[[Decimal, float], None] | None,
        on_assignment: Callable[[Callable[[cp_model.IntVar], bool]], None] | None = None,
    ):
        super().__init__()
        self.started = started
        self.scale = scale
        self.on_improvement = on_improvement
        self.on_assignment = on_assignment
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        elapsed = time.perf_counter() - self.started
        if self.first is None:
            self.first = elapsed
        if self.on_improvement is not None:
            self.on_improvement(Decimal(round(self.objective_value)) / self.scale, elapsed)
        if self.on_assignment is not None:
            self.on_assignment(self.boolean_value)


def solve_model(
    model: cp_model.CpModel,
    *,
    time_limit: float,
    workers: int,
    started: float,
    scale: int,
    on_improvement: Callable[[Decimal, float], None] | None = None,
    log: bool = False,
    large: bool = False,
    on_assignment: Callable[[Callable[[cp_model.IntVar], bool]], None] | None = None,
    bound_search: bool = False,
    solver: cp_model.CpSolver | None = None,
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus, float | None]:
    """Solve in the time left of `time_limit` since `started`; returns the solver, its status, first-solution time.

    The full-problem worker is `max_lp`, which puts the clauses linking lots, bidders and interfaces into the LP;
    the default worker leaves them out and its bound stays far below the optimum. On large models presolve is kept
    light so that the search starts (from the warm start) within seconds.

    With `bound_search`, for a single worker while solutions come from elsewhere (the neighbourhood search), that
    worker searches a tree over the LP's bound instead (`optimize_with_lb_tree_search`, the same LP): at 200 x 20
    its bound after 60 s was 1037.18 against max_lp's 1030.54 on one instance, 1148.00 against 1146.80 on another.
    Not on large models: at 500 x 100 it had no useful bound after 60 s, where max_lp's is 5.8% below greedy.

    `solver`, when given, is the one used: another thread may then stop its search.
    """
    solver = solver or cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit - (time.perf_counter() - started))
    solver.parameters.num_workers = workers
    solver.parameters.log_search_progress = log
    if bound_search and workers == 1:
        solver.parameters.optimize_with_lb_tree_search = True
    else:
        solver.parameters.subsolvers.append("max_lp")
    if workers == 1:  # a single worker runs the base parameters, not the subsolvers: ask for max_lp's relaxation
        solver.parameters.linearization_level = 2
    if large:
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        solver.parameters.max_presolve_iterations = 1
    progress = _Progress(started, scale, on_improvement, on_assignment)
    status = solver.solve(model, progress)
    return solver, status, progress.first


def _bound(solver: cp_model.CpSolver, scale: int, objective: Decimal | None) -> Decimal:
    bound = Decimal(math.ceil(solver.best_objective_bound - 1e-6)) / scale
    return min(bound, objective) if objective is not None else bound


def lot_structure_optimise(
    problem: LotProblem,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    workers: int = DEFAULT_WORKERS,
    warm_start: bool = True,
    diagnose: bool = True,
    on_improvement: Callable[[Decimal, float], None] | None = None,
    on_solution: Callable[[tuple[Lot, ...], Decimal], None] | None = None,
    log: bool = False,
) -> LotStructureResult:
    """The cheapest lot structure that meets every constraint, proven optimal where the time limit allows.

    `time_limit` covers everything (model building included). Infeasible inputs return INFEASIBLE with reasons:
    those found before solving are proofs; otherwise, when the solver proves infeasibility, the constraints whose
    relaxation alone would restore a solution (each tried within the time left).

    `on_improvement(objective, seconds)` is called for the warm start and every better solution the solver finds;
    `on_solution(lots, objective)` likewise with the lots themselves, so that a caller can show the best lot
    structure so far. Both are called from the solver's threads: keep them quick and do not touch a database there.
    """
    started = time.perf_counter()
    c = _compile(problem)
    if c.reasons:
        return LotStructureResult(
            SolveStatus.INFEASIBLE, None, None, (), None, time.perf_counter() - started, tuple(c.reasons)
        )
    greedy = _greedy(c) if warm_start else None
    greedy_seconds = time.perf_counter() - started if greedy is not None else None
    if greedy is not None and (on_improvement is not None or on_solution is not None):
        lots = _lots(c, greedy)
        cost = lot_structure_cost(problem, [(lot.services, lot.supplier) for lot in lots])
        if on_improvement is not None:
            on_improvement(cost.total, time.perf_counter() - started)
        if on_solution is not None:
            on_solution(lots, cost.total)
    choices = sum(len(prices) for prices in c.unit_price) * (c.max_per_supplier or 1)
    large = choices > LARGE_MODEL
    # With a warm start on a problem of some size, one thread anneals and then searches neighbourhoods of the
    # incumbent while the whole-problem solver proves bounds (and finds what it finds) on the other.
    neighbourhoods = greedy is not None and len(c.units) >= LNS_MIN_UNITS and workers >= 2

    def better(awards: Awards, value: int) -> None:
        if on_improvement is not None:
            on_improvement(Decimal(value) / c.scale, time.perf_counter() - started)
        if on_solution is not None:
            on_solution(_lots(c, awards), Decimal(value) / c.scale)

    incumbent = _Incumbent(c, greedy, better)
    built: _Model | None = None

    def on_assignment(value: Callable[[cp_model.IntVar], bool]) -> None:
        assert built is not None
        slots: dict[tuple[int, int], list[int]] = {}
        for (u, s, k), var in built.assign.items():
            if value(var):
                slots.setdefault((s, k), []).append(u)
        incumbent.offer([(units, s) for (s, _), units in slots.items()])

    outcome: dict[str, Any] = {}
    done = threading.Event()
    whole_solver = cp_model.CpSolver()

    def whole() -> None:
        nonlocal built
        try:
            built = _build(c, greedy, order_slots=not large)
            outcome["model_seconds"] = time.perf_counter() - started
            outcome["solved"] = solve_model(
                built.model,
                time_limit=time_limit,
                workers=workers - 1 if neighbourhoods else workers,
                started=started,
                scale=c.scale,
                log=log,
                large=large,
                on_assignment=on_assignment,
                bound_search=neighbourhoods and BOUND_SEARCH_MODEL < choices <= LARGE_MODEL,
                solver=whole_solver,
            )
        finally:
            done.set()

    if neighbourhoods:
        thread = threading.Thread(target=whole, name="lot-structure-cp-sat", daemon=True)
        thread.start()
        relaxed = _search(
            c,
            incumbent,
            started + time_limit,
            done,
            part_seconds=_LNS_SECONDS_LARGE if large else _LNS_SECONDS,
            stop_whole=whole_solver.stop_search,
        )
        thread.join()
    else:
        relaxed = None
        whole()
    solver, status, first = outcome["solved"]
    model_seconds = outcome["model_seconds"]
    assert built is not None
    if greedy_seconds is not None:
        first = greedy_seconds  # the warm start is the first solution the call holds
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        on_assignment(solver.boolean_value)  # the solver's last word, should its callback not have seen it
    if incumbent.awards and status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
        # every solution the solver found was offered to the incumbent, so the incumbent is the best of all
        lots = _lots(c, incumbent.awards)
        cost = lot_structure_cost(problem, [(lot.services, lot.supplier) for lot in lots])
        bound = _bound(solver, c.scale, cost.total) if status != cp_model.UNKNOWN else None
        if relaxed is not None:  # column generation's bound, when it is the higher
            from_columns = Decimal(relaxed) / c.scale
            bound = min(cost.total, from_columns if bound is None else max(bound, from_columns))
        optimal = status == cp_model.OPTIMAL or bound == cost.total
        return LotStructureResult(
            SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE,
            cost.total,
            cost.total if optimal else bound,
            lots,
            cost.handoff,
            time.perf_counter() - started,
            (),
            first,
            model_seconds,
        )
    if status == cp_model.INFEASIBLE:
        reasons = _relaxation_reasons(problem, time_limit, started, workers) if diagnose else []
        return LotStructureResult(
            SolveStatus.INFEASIBLE,
            None,
            None,
            (),
            None,
            time.perf_counter() - started,
            tuple(reasons or ["no lot structure meets every constraint together"]),
            None,
            model_seconds,
        )
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"the lot-structure model is invalid: {built.model.validate()}")
    return LotStructureResult(
        SolveStatus.UNKNOWN,
        None,
        None,
        (),
        None,
        time.perf_counter() - started,
        ("no solution was found, and none was proven impossible, within the time limit",),
        None,
        model_seconds,
    )


_RELAXATIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("max_lots", {"max_lots": None}),
    ("max_lots_per_supplier", {"max_lots_per_supplier": None}),
    ("max_supplier_share", {"max_supplier_share": None}),
    ("must_separate", {"must_separate": ()}),
    ("must_bundle", {"must_bundle": ()}),
    ("min_bidders_per_lot", {"min_bidders_per_lot": 1}),
)


def _relaxation_reasons(problem: LotProblem, time_limit: float, started: float, workers: int) -> list[str]:
    active = [
        (name, change)
        for name, change in _RELAXATIONS
        if getattr(problem, name) not in (None, ())
        and not (name == "min_bidders_per_lot" and problem.min_bidders_per_lot <= 1)
    ]
    helps = []
    for name, change in active:
        left = time_limit - (time.perf_counter() - started)
        if left <= 0.2:
            break
        relaxed = replace(problem, **change)
        result = lot_structure_optimise(
            relaxed, time_limit=min(left, max(1.0, left / len(active))), workers=workers, diagnose=False
        )
        if result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            helps.append(f"{name} ({_describe(getattr(problem, name))})")
    if not helps:
        return []
    return [
        "no lot structure meets every constraint together; relaxing any one of these alone would give one: "
        + "; ".join(helps)
    ]


def _describe(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(f"{a}-{b}" for a, b in value)
    return str(value)


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
