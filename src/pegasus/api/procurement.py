"""Procurement endpoints: the pipeline of procurements, each with its regime, route, stages and schedule risk.

Each endpoint checks the same django-rules permission as the procurement pages (`procurement.view_procurement`: staff
of the authority) and calls the pages' selectors: supplier users are refused (403) before anything is looked up, as
a procurement may be competing their own contract. Dates are computed as at `as_at` (default today): the schedule is
planned back from the end of the contracts a procurement replaces, and a stage's actual dates count once they have
come by `as_at`, as on the page. Nothing derived is stored, so nothing here is written.
"""

from datetime import date
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from ninja import Field, Query, Router, Schema

from pegasus.api.schemas import BoundedDate, Errors, Id, Message, MoneyOut, PageQuery
from pegasus.core import clock
from pegasus.core.access import check_object_perm
from pegasus.core.money import VatBasis
from pegasus.procurement import selectors
from pegasus.procurement.law import Regime

NO_SUCH_PROCUREMENT = "No procurement with id {id}."
READ_ERRORS = {401: Message, 403: Message, 404: Message, 422: Errors}

router = Router(tags=["procurements"])


class AsAtQuery(Schema):
    as_at: BoundedDate | None = Field(None, description="Read the pipeline as at this date; default today")


class ProcurementContractRef(Schema):
    id: int
    reference: str
    title: str


class FlagOut(Schema):
    kind: Literal["passed", "near"] = Field(description="A latest start passed, or within 30 days")
    stage: str
    latest_start: date
    text: str


class ProcurementSummary(Schema):
    id: int
    reference: str
    title: str
    regime: Regime
    regime_label: str
    route: str
    route_label: str
    starts_on: date
    annual_value: MoneyOut = Field(description="Estimated annual value")
    vat_basis: VatBasis
    term_months: int
    extension_months: int
    replaces: list[ProcurementContractRef]
    replaces_end: date | None = Field(description="The end the schedule is planned back from")
    deadline_contract: str = Field(description="The replaced contract that ends first")
    go_to_market: date | None = Field(description="The planned day of the notice that goes to market")
    go_to_market_latest: date | None
    slack_days: int | None = Field(description="The least slack of any stage")
    at_risk: bool = Field(description="A stage is planned to start after its latest start")
    flag: FlagOut | None
    awarded_contract_id: int | None
    problems: list[str] = Field(description="Why it cannot be scheduled, if it cannot")

    @staticmethod
    def fields_of(row) -> dict:
        p = row.procurement
        planned = row.schedule
        flag = row.flag
        return {
            "id": p.pk,
            "reference": p.reference,
            "title": p.title,
            "regime": p.regime,
            "regime_label": p.regime_label,
            "route": p.route,
            "route_label": p.route_label,
            "starts_on": p.starts_on,
            "annual_value": p.annual_value,
            "vat_basis": p.value_vat_basis,
            "term_months": p.term_months,
            "extension_months": p.extension_months,
            "replaces": [{"id": c.pk, "reference": c.reference, "title": c.title} for c in row.contracts],
            "replaces_end": row.replaces_end,
            "deadline_contract": row.deadline_contract,
            "go_to_market": row.go_to_market,
            "go_to_market_latest": row.go_to_market_latest,
            "slack_days": planned.slack_days if planned else None,
            "at_risk": bool(planned and planned.at_risk),
            "flag": (
                {"kind": flag.kind, "stage": flag.stage, "latest_start": flag.latest_start, "text": flag.text}
                if flag
                else None
            ),
            "awarded_contract_id": p.awarded_contract_id,
            "problems": list(row.problems),
        }


class ProcurementPage(Schema):
    count: int
    limit: int
    offset: int
    as_at: date
    items: list[ProcurementSummary]


class StageOut(Schema):
    id: int
    kind: str
    name: str
    days: int | None = Field(description="Its duration as its route counts it; null for a period set by law")
    counting: str = Field(description="calendar, working, time-limit or standstill")
    latest_start: date
    latest_end: date
    planned_start: date
    planned_end: date
    slack_days: int
    at_risk: bool
    actual_start: date | None = Field(description="When it actually started, once that is on or before as_at")
    actual_end: date | None


class EstimatedValueOut(Schema):
    amount: MoneyOut
    vat_basis: VatBasis
    months: int
    threshold: MoneyOut
    above_threshold: bool
    steps: list[str] = Field(description="How the amount was computed")


class NoticeDueOut(Schema):
    code: str
    name: str
    basis: str
    when: str
    required: bool


class ProcurementLotRef(Schema):
    id: int
    position: int
    scenario_id: int
    scenario_name: str
    scenario_chosen: bool
    towers: list[str]


class TenderRef(Schema):
    id: int
    reference: str
    title: str


class AwardedContractRef(Schema):
    id: int
    reference: str
    title: str
    supplier: str


class IncumbentRiskOut(Schema):
    contract: ProcurementContractRef
    current_end: date
    in_time_current: float = Field(description="Chance, 0 to 1, that the new contract is in place by then")
    maximum_end: date | None = Field(description="With every option; null when it can roll on")
    in_time_maximum: float | None
    extension_months: int = Field(description="Extension to cover the P80 start; 0 when it runs long enough")
    extended_end: date | None
    options_cover: bool
    decision_due: date | None
    latest_start: date = Field(description="The latest first-stage start for 80% confidence by the current end")


class ScheduleRiskOut(Schema):
    """When the new contract is likely to start, from each stage's three-point estimate, against the contracts it
    replaces (the first to end first)."""

    planned_start: date
    p50: date
    p80: date
    p90: date
    uncertain: bool = Field(description="Whether any stage has a three-point estimate")
    iterations: int
    incumbents: list[IncumbentRiskOut]


class ProcurementOut(ProcurementSummary):
    as_at: date
    description: str
    direct_award_justification: str
    lot: ProcurementLotRef | None = Field(description="The lot of a sourcing scenario it buys")
    awarded_contract: AwardedContractRef | None
    tenders: list[TenderRef]
    contract_starts_latest: date | None
    contract_starts_planned: date | None
    estimated_value: EstimatedValueOut | None
    notices: list[NoticeDueOut]
    stages: list[StageOut]
    schedule_risk: ScheduleRiskOut | None = Field(description="Null when it has no schedule")


def _as_at(query: AsAtQuery) -> date:
    return query.as_at or clock.default_as_at()


def _shown(day: date | None, as_at: date) -> date | None:
    return day if day is not None and day <= as_at else None


def _stages(row, as_at: date) -> list[dict]:
    out = []
    for item in row.stages:
        stage, planned = item.stage, item.scheduled
        started = _shown(stage.actual_start, as_at)
        out.append(
            {
                "id": stage.pk,
                "kind": stage.kind,
                "name": planned.template.name,
                "days": planned.template.days if item.editable else None,
                "counting": planned.template.counting.value,
                "latest_start": planned.latest_start,
                "latest_end": planned.latest_end,
                "planned_start": planned.planned_start,
                "planned_end": planned.planned_end,
                "slack_days": planned.slack_days,
                "at_risk": planned.at_risk,
                "actual_start": started,
                "actual_end": _shown(stage.actual_end, as_at) if started else None,
            }
        )
    return out


def _risk(risk) -> dict | None:
    if risk is None:
        return None
    return {
        "planned_start": risk.planned_start,
        "p50": risk.p50,
        "p80": risk.p80,
        "p90": risk.p90,
        "uncertain": risk.uncertain,
        "iterations": risk.iterations,
        "incumbents": [
            {
                "contract": {"id": i.contract.pk, "reference": i.contract.reference, "title": i.contract.title},
                "current_end": i.current_end,
                "in_time_current": i.in_time_current,
                "maximum_end": i.maximum_end,
                "in_time_maximum": i.in_time_maximum,
                "extension_months": i.extension_months,
                "extended_end": i.extended_end,
                "options_cover": i.options_cover,
                "decision_due": i.decision_due,
                "latest_start": i.latest_start,
            }
            for i in risk.incumbents
        ],
    }


@router.get("/procurements", response={200: ProcurementPage, **READ_ERRORS})
def procurement_list(request, query: Query[AsAtQuery], page: Query[PageQuery]):
    """The pipeline in order of start: each procurement's regime, route, replaced contracts, when it goes to market
    and by when it must, its least slack and whether a latest start has passed or is near."""
    check_object_perm(request.user, "procurement.view_procurement", None)
    as_at = _as_at(query)
    rows = selectors.procurement_list(user=request.user, as_at=as_at)
    window = rows[page.offset : page.offset + page.limit]
    return ProcurementPage(
        count=len(rows),
        limit=page.limit,
        offset=page.offset,
        as_at=as_at,
        items=[ProcurementSummary(**ProcurementSummary.fields_of(row)) for row in window],
    )


@router.get("/procurements/{procurement_id}", response={200: ProcurementOut, **READ_ERRORS})
def procurement_get(request, procurement_id: Id, query: Query[AsAtQuery]):
    """One procurement: its stages with their latest, planned and actual dates, its estimated value and the notices
    it must publish, the lot it buys, its tenders, the contract it awarded and its schedule risk."""
    check_object_perm(request.user, "procurement.view_procurement", None)
    as_at = _as_at(query)
    try:
        procurement = selectors.procurement_get(user=request.user, pk=procurement_id)
    except ObjectDoesNotExist:
        raise Http404(NO_SUCH_PROCUREMENT.format(id=procurement_id)) from None
    row = selectors.procurement_row(procurement, as_at)
    lot, awarded, value = procurement.replaces_lot, procurement.awarded_contract, row.value
    return ProcurementOut(
        **ProcurementSummary.fields_of(row),
        as_at=as_at,
        description=procurement.description,
        direct_award_justification=procurement.direct_award_justification,
        lot=(
            {
                "id": lot.pk,
                "position": lot.position,
                "scenario_id": lot.scenario_id,
                "scenario_name": lot.scenario.name,
                "scenario_chosen": lot.scenario.chosen,
                "towers": [t.name for t in lot.towers.all()],
            }
            if lot
            else None
        ),
        awarded_contract=(
            {
                "id": awarded.pk,
                "reference": awarded.reference,
                "title": awarded.title,
                "supplier": awarded.supplier.name,
            }
            if awarded
            else None
        ),
        tenders=[{"id": t.pk, "reference": t.reference, "title": t.title} for t in procurement.tenders.all()],
        contract_starts_latest=row.schedule.contract_start if row.schedule else None,
        contract_starts_planned=row.schedule.planned_contract_start if row.schedule else None,
        estimated_value=(
            {
                "amount": value.amount,
                "vat_basis": value.basis,
                "months": value.months,
                "threshold": value.threshold,
                "above_threshold": value.above_threshold,
                "steps": list(value.steps),
            }
            if value
            else None
        ),
        notices=[
            {"code": n.code, "name": n.name, "basis": n.basis, "when": n.when, "required": n.required}
            for n in row.notices
        ],
        stages=_stages(row, as_at),
        schedule_risk=_risk(selectors.schedule_risk_of(procurement, as_at)),
    )
