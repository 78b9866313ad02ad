"""Performance endpoints: a contract's KPIs (Procurement Act 2023 s52) with their assessment from the SLA figures.

The endpoint checks the same django-rules permission as the scorecard page it mirrors and calls one selector. A
contract the user may not see is answered exactly like a missing one (404).
"""

from datetime import date

from django.http import Http404
from ninja import Router, Schema

from pegasus.api.schemas import Errors, Id, Message, Percent
from pegasus.core.access import check_object_perm
from pegasus.estate.selectors import contracts_visible_to
from pegasus.performance import selectors

NO_SUCH_CONTRACT = "No contract with id {id}."
READ_ERRORS = {401: Message, 403: Message, 404: Message, 422: Errors}

router = Router(tags=["performance"])


class KpiAssessmentOut(Schema):
    id: int
    position: int
    name: str
    description: str
    sla_priority: int | None
    rating: str | None
    attainment: float | None
    target: Percent | None
    basis: str


class KpiReportOut(Schema):
    contract_id: int
    contract_reference: str
    kpis_required: bool
    period_start: date | None
    period_end: date | None
    kpis: list[KpiAssessmentOut]


@router.get("/contracts/{contract_id}/kpis", response={200: KpiReportOut, **READ_ERRORS})
def contract_kpis(request, contract_id: Id):
    """The contract's KPIs in order, each rated from the SLA figures over the current ticket dataset where it is an
    SLA measure (Good, Approaching target, Requires improvement, Inadequate), or not rated with the reason why."""
    check_object_perm(request.user, "performance.view_performance", None)
    contract = contracts_visible_to(request.user).select_related("supplier", "authority").filter(pk=contract_id)
    found = contract.first()
    if found is None:
        raise Http404(NO_SUCH_CONTRACT.format(id=contract_id))
    check_object_perm(request.user, "performance.view_contract_performance", found)
    report = selectors.kpi_assessments(found)
    return {
        "contract_id": found.pk,
        "contract_reference": found.reference,
        "kpis_required": selectors.kpis_required(found),
        "period_start": report.period_start,
        "period_end": report.period_end,
        "kpis": [
            {
                "id": item.kpi.pk,
                "position": item.kpi.position,
                "name": item.kpi.name,
                "description": item.kpi.description,
                "sla_priority": item.kpi.sla_priority,
                "rating": item.rating.value if item.rating else None,
                "attainment": item.attainment,
                "target": item.target,
                "basis": item.basis,
            }
            for item in report.items
        ],
    }
