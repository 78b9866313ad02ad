"""Reads for the sourcing pages: the optimiser input built from the estate, scenarios and their figures."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from pegasus.estate import selectors as estate_selectors
from pegasus.sourcing.comparison import ScenarioFigures, scenario_figures
from pegasus.sourcing.models import Lot, MarketPrice, OptimisationRun, Scenario
from pegasus.sourcing.optimiser import lot_structure_violations, problem_from_json


def supplier_key(supplier_id: int) -> str:
    """A supplier's id in the optimiser input."""
    return f"supplier-{supplier_id}"


def towers_in_scope() -> list[Any]:
    """The towers today's live contracts cover: the services the next generation has to buy."""
    return list(estate_selectors.towers_of_live_contracts())


def suppliers_with_market_prices() -> QuerySet[Any]:
    """The suppliers that have priced at least one tower, by name."""
    return estate_selectors.suppliers().filter(market_prices__isnull=False).distinct().order_by("name")


def problem_json(scenario: Scenario, *, extra_prices: dict[int, dict[str, Decimal]] | None = None) -> dict[str, Any]:
    """The optimiser input (issue 4's JSON) for the estate under a scenario's policy, from today's market prices.

    `extra_prices` adds prices that are not market quotes, such as an incumbent's current cost for a baseline.
    """
    towers = towers_in_scope()
    codes = {t.pk: t.code for t in towers}
    prices: dict[int, dict[str, Decimal]] = defaultdict(dict)
    names: dict[int, str] = {}
    for price in MarketPrice.objects.filter(tower__in=towers).select_related("supplier", "tower"):
        prices[price.supplier_id][price.tower.code] = price.annual_price
        names[price.supplier_id] = price.supplier.name
    for supplier_id, extra in (extra_prices or {}).items():
        for code, amount in extra.items():
            prices[supplier_id].setdefault(code, amount)
    if extra_prices:
        names |= dict(estate_selectors.suppliers().filter(pk__in=extra_prices).values_list("pk", "name"))
    weights: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for interface in estate_selectors.interfaces_among(towers):
        a, b = sorted((codes[interface.from_tower_id], codes[interface.to_tower_id]))
        if a != b:
            weights[a, b] += interface.weight * scenario.handoff_cost_per_ticket
    data: dict[str, Any] = {
        "services": [{"id": t.code, "name": t.name} for t in towers],
        "suppliers": [
            {"id": supplier_key(pk), "name": names[pk], "prices": {c: float(v) for c, v in sorted(p.items())}}
            for pk, p in sorted(prices.items(), key=lambda item: names[item[0]])
        ],
        "interfaces": [{"a": a, "b": b, "weight": float(w)} for (a, b), w in sorted(weights.items())],
        "lot_fixed_cost": float(scenario.lot_fixed_cost),
        "min_bidders_per_lot": scenario.min_bidders_per_lot,
    }
    for key in ("max_lots", "max_lots_per_supplier"):
        if getattr(scenario, key) is not None:
            data[key] = getattr(scenario, key)
    if scenario.max_supplier_share is not None:
        data["max_supplier_share"] = float(scenario.max_supplier_share)
    if scenario.must_separate:
        data["must_separate"] = [list(p) for p in scenario.must_separate]
    if scenario.must_bundle:
        data["must_bundle"] = [list(p) for p in scenario.must_bundle]
    return data


def current_contract_lots() -> list[tuple[Any, list[tuple[str, Decimal]]]]:
    """Today's live contracts with the towers each covers and today's annual cost of each tower."""
    shares = estate_selectors.live_contract_shares()
    by_contract: dict[int, tuple[Any, list[tuple[str, Decimal]]]] = {}
    for share in shares.order_by("contract__reference", "tower__position"):
        contract = share.contract
        cost = (contract.annual_value * share.share_percent / 100).quantize(Decimal("0.01"))
        by_contract.setdefault(contract.pk, (contract, []))[1].append((share.tower.code, cost))
    return list(by_contract.values())


def scenario_named(name: str) -> Scenario | None:
    """The scenario of this name, if there is one."""
    return Scenario.objects.filter(name=name).first()


def scenario_chosen_exists() -> bool:
    """Whether a scenario has been chosen as the programme's lot structure."""
    return Scenario.objects.filter(chosen=True).exists()


def chosen_lots(*, scenario_name: str) -> QuerySet[Lot]:
    """The lots of the named scenario when it is the chosen one, with their towers."""
    return Lot.objects.filter(scenario__chosen=True, scenario__name=scenario_name).prefetch_related("towers")


def lot_choices(current: int | None = None) -> QuerySet[Lot]:
    """Lots of the chosen scenario, and the lot a procurement already buys (if its scenario is no longer the chosen
    one), with their towers."""
    chosen = Q(scenario__chosen=True) | Q(pk=current) if current else Q(scenario__chosen=True)
    return (
        Lot.objects.filter(chosen)
        .select_related("scenario")
        .prefetch_related("towers")
        .order_by("-scenario__chosen", "scenario__name", "position")
    )


def scenario_list() -> QuerySet[Scenario]:
    return Scenario.objects.select_related("created_by").prefetch_related(
        Prefetch("lots", queryset=Lot.objects.select_related("supplier").prefetch_related("towers"))
    )


def scenario_lots(scenario: Scenario) -> list[tuple[list[str], str]]:
    """The scenario's lots as the optimiser sees them: (tower codes, supplier key)."""
    return [
        ([t.code for t in sorted(lot.towers.all(), key=lambda t: t.position)], supplier_key(lot.supplier_id))
        for lot in scenario.lots.all()
    ]


@dataclass(frozen=True)
class ScenarioView:
    scenario: Scenario
    figures: ScenarioFigures | None
    breaks: tuple[str, ...]  # policy constraints this structure does not meet (a baseline may break several)


def scenario_view(scenario: Scenario) -> ScenarioView:
    """A scenario with its figures, computed from the assumptions it was built on."""
    lots = scenario_lots(scenario)
    if not lots or not scenario.problem:
        return ScenarioView(scenario, None, ())
    problem = problem_from_json(scenario.problem)
    return ScenarioView(scenario, scenario_figures(problem, lots), tuple(lot_structure_violations(problem, lots)))


def scenario_views(scenarios) -> list[ScenarioView]:
    return [scenario_view(s) for s in scenarios]


def latest_run(scenario: Scenario) -> OptimisationRun | None:
    return scenario.runs.order_by("-queued_at", "-pk").first()


def market_prices() -> QuerySet[MarketPrice]:
    return MarketPrice.objects.select_related("supplier", "tower").order_by("supplier__name", "tower__position")
