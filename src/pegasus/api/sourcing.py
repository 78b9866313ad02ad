"""Sourcing endpoints: the scenarios of the next generation's lot structure, with their policy, lots and figures.

Each endpoint checks the same django-rules permission as the scenario pages (`sourcing.view_scenario`: staff of the
authority) and calls one selector. Scenarios set suppliers' market prices side by side, so supplier users are
refused (403) before anything is looked up, as the pages refuse them; every answer carries the scenario's marking,
OFFICIAL-SENSITIVE [COMMERCIAL]. Money is pounds a year, net of VAT.
"""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from pegasus.api.schemas import Errors, Id, Message, MoneyOut, PageQuery, Percent
from pegasus.core.access import check_object_perm
from pegasus.core.money import VatBasis
from pegasus.sourcing import selectors

NO_SUCH_SCENARIO = "No scenario with id {id}."
READ_ERRORS = {401: Message, 403: Message, 404: Message, 422: Errors}

router = Router(tags=["sourcing"])

ScenarioKind = Literal["baseline", "manual", "optimised"]
ScenarioStatus = Literal["queued", "running", "ready", "infeasible", "failed"]
RunStatus = Literal["queued", "running", "finished", "failed"]


class ScenarioTowerRef(Schema):
    code: str
    name: str


class ScenarioSupplierRef(Schema):
    id: int
    name: str


class ScenarioLotOut(Schema):
    position: int
    towers: list[ScenarioTowerRef]
    supplier: ScenarioSupplierRef = Field(description="The expected winner: the cheapest that prices every tower")
    price: MoneyOut = Field(description="The winner's prices for the lot's towers, a year")
    bidders: int = Field(description="Suppliers that price every tower of the lot")


class BindingOut(Schema):
    key: str = Field(description="The policy constraint, as the optimiser input names it")
    explanation: str


class ScenarioFiguresOut(Schema):
    """What the lot structure costs a year and what it means for competition."""

    total: MoneyOut = Field(description="Cost a year: supplier prices, running the lots and hand-offs between lots")
    prices: MoneyOut
    lot_costs: MoneyOut
    handoff: MoneyOut
    lots: int
    suppliers: int
    fewest_bidders: int | None
    hhi: int = Field(description="Supplier concentration, the Herfindahl-Hirschman index, 0 to 10,000")
    concentration: str
    largest_supplier: str
    largest_share_percent: Percent
    binding: list[BindingOut] = Field(description="The constraints that shape the structure, explained")


class ScenarioPolicyOut(Schema):
    """The assumptions and constraints the scenario was built under."""

    lot_fixed_cost: MoneyOut = Field(description="Pounds a year to procure, manage and integrate each lot")
    handoff_cost_per_ticket: MoneyOut = Field(description="Pounds a year per ticket a month crossing between lots")
    min_bidders_per_lot: int
    max_lots: int | None
    max_lots_per_supplier: int | None
    max_supplier_share_percent: Percent | None
    must_separate: list[list[str]] = Field(description="Pairs of tower codes kept apart")
    must_bundle: list[list[str]] = Field(description="Pairs of tower codes kept together")


class OptimisationRunOut(Schema):
    status: RunStatus
    solver_status: str = Field(description="OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN; empty until it ends")
    time_limit_seconds: int
    best_objective: MoneyOut | None = Field(description="The best cost a year found")
    best_bound: MoneyOut | None = Field(description="No structure can cost less than this")
    gap_percent: Percent | None = Field(description="How far the best found may be above the best possible")
    improvements: int
    reasons: list[str]
    message: str
    queued_at: datetime
    finished_at: datetime | None


class ScenarioSummary(Schema):
    id: int
    name: str
    kind: ScenarioKind
    status: ScenarioStatus
    chosen: bool = Field(description="The lot structure procurement starts from")
    description: str
    created_at: datetime
    lot_count: int
    cost_a_year: MoneyOut | None = Field(description="Null until it has lots")
    vat_basis: VatBasis
    breaks: list[str] = Field(description="Policy constraints this structure does not meet")
    marking: str

    @staticmethod
    def fields_of(view) -> dict:
        scenario, figures = view.scenario, view.figures
        return {
            "id": scenario.pk,
            "name": scenario.name,
            "kind": scenario.kind,
            "status": scenario.status,
            "chosen": scenario.chosen,
            "description": scenario.description,
            "created_at": scenario.created_at,
            "lot_count": len(scenario.lots.all()),
            "cost_a_year": figures.total if figures else None,
            "vat_basis": VatBasis.NET,
            "breaks": list(view.breaks),
            "marking": scenario.marking,
        }


class ScenarioOut(ScenarioSummary):
    policy: ScenarioPolicyOut
    figures: ScenarioFiguresOut | None
    lots: list[ScenarioLotOut]
    run: OptimisationRunOut | None = Field(description="The latest optimisation, for an optimised scenario")


class ScenarioPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ScenarioSummary]


def _percent(fraction: Decimal | None) -> Decimal | None:
    return None if fraction is None else fraction * 100


def _figures(figures) -> dict | None:
    if figures is None:
        return None
    return {
        "total": figures.total,
        "prices": figures.prices,
        "lot_costs": figures.lot_costs,
        "handoff": figures.handoff,
        "lots": figures.lots,
        "suppliers": figures.suppliers,
        "fewest_bidders": figures.fewest_bidders,
        "hhi": figures.hhi,
        "concentration": figures.concentration,
        "largest_supplier": figures.largest_supplier,
        "largest_share_percent": figures.largest_share * 100,
        "binding": [{"key": b.key, "explanation": b.explanation} for b in figures.binding],
    }


def _run(run) -> dict | None:
    if run is None:
        return None
    return {
        "status": run.status,
        "solver_status": run.solver_status,
        "time_limit_seconds": run.time_limit_seconds,
        "best_objective": run.best_objective,
        "best_bound": run.best_bound,
        "gap_percent": _percent(run.gap),
        "improvements": run.improvements,
        "reasons": [str(r) for r in run.reasons],
        "message": run.message,
        "queued_at": run.queued_at,
        "finished_at": run.finished_at,
    }


@router.get("/scenarios", response={200: ScenarioPage, **READ_ERRORS})
def scenario_list(request, page: Query[PageQuery]):
    """Scenarios in the order they were made, each with its cost a year and any policy it breaks; staff only."""
    check_object_perm(request.user, "sourcing.view_scenario", None)
    scenarios = selectors.scenario_list()
    window = selectors.scenario_views(scenarios[page.offset : page.offset + page.limit])
    return ScenarioPage(
        count=scenarios.count(),
        limit=page.limit,
        offset=page.offset,
        items=[ScenarioSummary(**ScenarioSummary.fields_of(v)) for v in window],
    )


@router.get("/scenarios/{scenario_id}", response={200: ScenarioOut, **READ_ERRORS})
def scenario_get(request, scenario_id: Id):
    """One scenario: its policy, lots with their expected winners and prices, its figures and the constraints that
    bind, and its latest optimisation (best cost found, the bound and the gap between them)."""
    check_object_perm(request.user, "sourcing.view_scenario", None)
    scenario = selectors.scenario_list().filter(pk=scenario_id).first()
    if scenario is None:
        raise Http404(NO_SUCH_SCENARIO.format(id=scenario_id))
    view = selectors.scenario_view(scenario)
    return ScenarioOut(
        **ScenarioSummary.fields_of(view),
        policy={
            "lot_fixed_cost": scenario.lot_fixed_cost,
            "handoff_cost_per_ticket": scenario.handoff_cost_per_ticket,
            "min_bidders_per_lot": scenario.min_bidders_per_lot,
            "max_lots": scenario.max_lots,
            "max_lots_per_supplier": scenario.max_lots_per_supplier,
            "max_supplier_share_percent": _percent(scenario.max_supplier_share),
            "must_separate": [list(pair) for pair in scenario.must_separate],
            "must_bundle": [list(pair) for pair in scenario.must_bundle],
        },
        figures=_figures(view.figures),
        lots=[
            {
                "position": lot.position,
                "towers": [
                    {"code": t.code, "name": t.name} for t in sorted(lot.towers.all(), key=lambda t: t.position)
                ],
                "supplier": {"id": lot.supplier_id, "name": lot.supplier.name},
                "price": lot.price,
                "bidders": lot.bidders,
            }
            for lot in scenario.lots.all()
        ],
        run=_run(selectors.latest_run(scenario)),
    )
