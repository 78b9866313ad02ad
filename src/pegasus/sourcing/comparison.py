"""What a lot structure means for the buyer, in figures and plain words; pure Python, no Django.

`scenario_figures` takes the optimiser's problem (market prices, hand-offs, policy) and a lot structure, and returns
the figures the comparison page sets side by side: cost and its parts, lots, suppliers, hand-off cost, the fewest
bidders any lot has, supplier concentration (the Herfindahl-Hirschman index, HHI) and the constraints that bind,
each explained in a sentence a reader who is not an operational researcher can follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pegasus.sourcing.optimiser import LotCost, LotProblem, lot_structure_cost

# HHI bands as the UK competition authorities read them (CMA merger assessment guidelines).
HHI_CONCENTRATED = 2000
HHI_HIGHLY_CONCENTRATED = 2500
SHARE_TOLERANCE = Decimal("0.005")  # a supplier within half a percentage point of its cap is "at" the cap


@dataclass(frozen=True)
class Binding:
    key: str  # the input's name for the constraint: min_bidders_per_lot, max_lots, ...
    explanation: str


@dataclass(frozen=True)
class ScenarioFigures:
    total: Decimal  # lot costs + prices + hand-off cost: what the optimiser minimises
    prices: Decimal
    lot_costs: Decimal
    handoff: Decimal
    lots: int
    suppliers: int
    fewest_bidders: int | None
    hhi: int  # 0 to 10,000
    largest_share: Decimal  # of the awarded prices, 0 to 1
    largest_supplier: str
    binding: tuple[Binding, ...]

    @property
    def largest_percent(self) -> int:
        return round(self.largest_share * 100)

    @property
    def concentration(self) -> str:
        if self.hhi >= HHI_HIGHLY_CONCENTRATED:
            return "highly concentrated"
        if self.hhi >= HHI_CONCENTRATED:
            return "concentrated"
        return "not concentrated"


def tradeoff_cost(point: dict, *, lot_fixed_cost: Decimal) -> LotCost:
    """A trade-off point's cost a year, made up as a scenario's "Cost a year" is (`LotCost.total`): prices, running
    its lots and hand-offs. Its lots run at the point's own lot cost where that is what was varied, otherwise at
    the scenario's (`lot_fixed_cost`)."""
    running = Decimal(point["value"]) if point["vary"] == "lot_fixed_cost" else lot_fixed_cost
    return LotCost(lots=running * point["lots"], prices=Decimal(point["prices"]), handoff=Decimal(point["handoff"]))


def bidders_for(problem: LotProblem, services: Sequence[str]) -> int:
    """How many suppliers price every service in the lot, so could bid for it."""
    return sum(1 for s in problem.suppliers if all(sv in s.prices for sv in services))


def hhi(spend: dict[str, Decimal]) -> int:
    """Sum of squared percentage shares: 10,000 for one supplier, 2,500 for four equal ones."""
    total = sum(spend.values(), Decimal(0))
    if not total:
        return 0
    return round(sum(((amount / total) * 100) ** 2 for amount in spend.values()))


def scenario_figures(problem: LotProblem, lots: Sequence[tuple[Sequence[str], str]]) -> ScenarioFigures:
    """Figures and binding constraints of a lot structure given as (services, supplier) per lot."""
    cost = lot_structure_cost(problem, lots)
    names = {s.id: s.name for s in problem.suppliers}
    prices = {s.id: s.prices for s in problem.suppliers}
    spend: dict[str, Decimal] = {}
    won: dict[str, int] = {}
    for services, supplier in lots:
        spend[supplier] = spend.get(supplier, Decimal(0)) + sum(
            (prices.get(supplier, {}).get(sv, Decimal(0)) for sv in services), Decimal(0)
        )
        won[supplier] = won.get(supplier, 0) + 1
    bidders = [bidders_for(problem, services) for services, _ in lots]
    total_spend = sum(spend.values(), Decimal(0))
    largest = max(spend, key=lambda s: spend[s]) if spend else ""
    largest_share = spend[largest] / total_spend if total_spend else Decimal(0)
    return ScenarioFigures(
        total=cost.total,
        prices=cost.prices,
        lot_costs=cost.lots,
        handoff=cost.handoff,
        lots=len(lots),
        suppliers=len(spend),
        fewest_bidders=min(bidders) if bidders else None,
        hhi=hhi(spend),
        largest_share=largest_share,
        largest_supplier=names.get(largest, largest),
        binding=tuple(_binding(problem, lots, bidders, won, spend, total_spend, names)),
    )


def _binding(problem, lots, bidders, won, spend, total_spend, names) -> list[Binding]:
    """The constraints this structure meets exactly at their limit: loosen one and a cheaper answer may exist."""
    out = []
    at_minimum = [n + 1 for n, b in enumerate(bidders) if b == problem.min_bidders_per_lot]
    if at_minimum and problem.min_bidders_per_lot > 1:
        which = ", ".join(str(n) for n in at_minimum)
        out.append(
            Binding(
                "min_bidders_per_lot",
                f"Competition: lot{'s' if len(at_minimum) > 1 else ''} {which} "
                f"{'have' if len(at_minimum) > 1 else 'has'} exactly {problem.min_bidders_per_lot} suppliers able "
                "to bid, the fewest allowed. Bigger bundles would shut out these bidders.",
            )
        )
    if problem.max_lots is not None and len(lots) == problem.max_lots:
        out.append(Binding("max_lots", f"Number of lots: the structure uses all {problem.max_lots} lots allowed."))
    if problem.max_lots_per_supplier is not None:
        full = [names.get(s, s) for s, n in won.items() if n == problem.max_lots_per_supplier]
        if full:
            out.append(
                Binding(
                    "max_lots_per_supplier",
                    f"Lots per supplier: {', '.join(sorted(full))} "
                    f"win{'s' if len(full) == 1 else ''} the most lots one supplier may win "
                    f"({problem.max_lots_per_supplier}).",
                )
            )
    if problem.max_supplier_share is not None and total_spend:
        cap = problem.max_supplier_share
        near = [names.get(s, s) for s, amount in spend.items() if amount / total_spend >= cap - SHARE_TOLERANCE]
        if near:
            out.append(
                Binding(
                    "max_supplier_share",
                    f"Share of spend: {', '.join(sorted(near))} "
                    f"take{'s' if len(near) == 1 else ''} close to the most one supplier may take "
                    f"({cap * 100:.0f}% of the prices).",
                )
            )
    if problem.must_separate:
        out.append(
            Binding(
                "must_separate",
                "Kept apart by policy: "
                + "; ".join(f"{a} and {b}" for a, b in problem.must_separate)
                + " are in different lots whatever it costs.",
            )
        )
    if problem.must_bundle:
        out.append(
            Binding(
                "must_bundle",
                "Kept together by policy: "
                + "; ".join(f"{a} and {b}" for a, b in problem.must_bundle)
                + " are in the same lot whatever it costs.",
            )
        )
    return out


def _millions(amount: Decimal) -> str:
    return f"£{(amount / 1_000_000).quantize(Decimal('0.1'))}m"


def plain_summary(named: Sequence[tuple[str, ScenarioFigures]]) -> list[str]:
    """A few sentences reading the comparison for someone who has not seen an optimiser: the first is the reference."""
    if len(named) < 2:
        return []
    (first_name, first), rest = named[0], named[1:]
    cheapest_name, cheapest = min(named, key=lambda pair: pair[1].total)
    out = []
    if cheapest is not first:
        saving = first.total - cheapest.total
        out.append(
            f"{cheapest_name} costs least: {_millions(cheapest.total)} a year, {_millions(saving)} a year less than "
            f"{first_name}."
        )
    else:
        out.append(f"{first_name} already costs least, at {_millions(first.total)} a year.")
    for name, figures in rest:
        lots = first.lots - figures.lots
        change = (
            f"{lots} fewer contract{'s' if lots != 1 else ''} to run"
            if lots > 0
            else (f"{-lots} more contract{'s' if lots != -1 else ''}" if lots < 0 else "as many contracts")
        )
        handoff = first.handoff - figures.handoff
        out.append(
            f"{name} has {figures.lots} lots won by {figures.suppliers} suppliers: {change} than {first_name}, and "
            + (
                f"{_millions(handoff)} a year less lost in hand-offs between suppliers."
                if handoff > 0
                else "no saving on hand-offs between suppliers."
            )
            + f" Every lot still has at least {figures.fewest_bidders} possible bidder"
            + ("s" if figures.fewest_bidders != 1 else "")
            + f"; the largest supplier would take {figures.largest_percent}% of the spend."
        )
    return out
