"""Performance endpoints: suppliers' service levels rated from the ticket data (the overview, a supplier's contracts,
one contract's scorecard) and a contract's KPIs (Procurement Act 2023 s52) with their assessment.

Each endpoint checks the same django-rules permissions as the page it mirrors and calls one selector, in one place,
so that a choice of ticket dataset can be passed to it there. Staff read every supplier; a supplier user reads its
own only: another supplier or contract is answered exactly like a missing one (404). Every answer names the dataset
the figures were computed from (null when no tickets have been stored). Service credits are money in pounds, net of
VAT (an SLA's monthly charge is ex VAT).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from ninja import Field, Query, Router, Schema

from pegasus.api.schemas import Errors, Id, Message, MoneyOut, PageQuery, Percent
from pegasus.core.access import check_object_perm
from pegasus.core.money import VatBasis
from pegasus.estate.selectors import contracts_visible_to
from pegasus.performance import selectors

NO_SUCH_CONTRACT = "No contract with id {id}."
NO_SUCH_SUPPLIER = "No supplier with id {id}."
READ_ERRORS = {401: Message, 403: Message, 404: Message, 422: Errors}

router = Router(tags=["performance"])

RatingName = Literal["Good", "Approaching target", "Requires improvement", "Inadequate"]


class DatasetOut(Schema):
    """The stored upload of tickets the figures were computed from."""

    upload_id: int
    name: str = Field(description="The uploaded file's name")
    dataset: str = Field(description="The stored dataset's name")
    rows_read: int
    stored_at: datetime | None

    @staticmethod
    def of(upload) -> "DatasetOut | None":
        if upload is None:
            return None
        return DatasetOut(
            upload_id=upload.pk,
            name=upload.original_name,
            dataset=upload.dataset,
            rows_read=upload.rows_read,
            stored_at=upload.finished_at,
        )


class PerformanceContractRef(Schema):
    id: int
    reference: str
    title: str


class PriorityPerformanceOut(Schema):
    """One priority's resolution target over the period (the last twelve months of figures), rated."""

    priority: int
    resolve_within_hours: float
    clock: str
    target: Percent = Field(description="Attainment target, percent of tickets resolved in time")
    resolved: int
    met: int
    attainment: float | None = Field(description="Percent resolved in time; null with nothing resolved")
    rating: RatingName | None
    months_below: int = Field(description="Months with tickets resolved whose attainment was below target")
    months: int = Field(description="Months with tickets resolved")
    trend: str = Field(description="Improving, Worsening, Steady or Not enough months")
    trend_points: float | None
    open_breached: int = Field(description="Tickets open past their target at the end of the latest month")


class MonthlyResultOut(Schema):
    month: str = Field(description="YYYY-MM")
    priority: int
    resolved: int
    met: int
    attainment: float | None
    target: Percent
    median_hours: float | None
    p90_hours: float | None
    credit: MoneyOut = Field(description="The priority's credit this month, before the cap")
    open_breached: int


class MonthlyCreditOut(Schema):
    month: str = Field(description="YYYY-MM")
    credit: MoneyOut = Field(description="The month's service credit, capped")
    capped: bool


class ContractPerformanceOut(Schema):
    contract: PerformanceContractRef
    period_start: str | None = Field(description="The first month of the period, YYYY-MM")
    period_end: str | None = Field(description="The last month of the period, YYYY-MM")
    rating: RatingName | None = Field(description="The worst-rated priority")
    credits_total: MoneyOut
    vat_basis: VatBasis
    open_breached: int
    priorities: list[PriorityPerformanceOut]
    results: list[MonthlyResultOut]
    credits: list[MonthlyCreditOut]

    @staticmethod
    def of(found) -> "ContractPerformanceOut":
        contract = found.contract
        return ContractPerformanceOut(
            contract={"id": contract.pk, "reference": contract.reference, "title": contract.title},
            period_start=found.months[0] if found.months else None,
            period_end=found.months[-1] if found.months else None,
            rating=found.overall.value if found.overall else None,
            credits_total=found.credits_total,
            vat_basis=VatBasis.NET,
            open_breached=found.open_breached,
            priorities=[
                {
                    "priority": k.priority,
                    "resolve_within_hours": float(k.resolve_within_hours),
                    "clock": k.clock,
                    "target": k.target,
                    "resolved": k.resolved,
                    "met": k.met,
                    "attainment": k.attainment,
                    "rating": k.rating.value if k.rating else None,
                    "months_below": k.months_below,
                    "months": k.months,
                    "trend": k.trend,
                    "trend_points": k.trend_points,
                    "open_breached": k.open_breached,
                }
                for k in found.kpis
            ],
            results=[
                {**{key: r[key] for key in MonthlyResultOut.model_fields}, "target": Decimal(str(r["target"]))}
                for r in found.results
            ],
            credits=[
                {"month": c["month"], "credit": Decimal(c["credit"]), "capped": c["capped"]} for c in found.credits
            ],
        )


class SupplierPerformanceRow(Schema):
    """A supplier on the overview: its contracts with an SLA, its worst rating, open breaches and credits due."""

    id: int
    name: str
    contracts: list[PerformanceContractRef]
    rating: RatingName | None
    open_breached: int
    credits_total: MoneyOut
    vat_basis: VatBasis


class PerformanceOverviewOut(Schema):
    dataset: DatasetOut | None
    count: int
    limit: int
    offset: int
    items: list[SupplierPerformanceRow]


class SupplierPerformanceOut(Schema):
    id: int
    name: str
    dataset: DatasetOut | None
    credits_total: MoneyOut
    vat_basis: VatBasis
    contracts: list[ContractPerformanceOut]


class ContractScorecardOut(Schema):
    dataset: DatasetOut | None
    has_sla: bool
    performance: ContractPerformanceOut | None = Field(description="Null when the contract has no SLA")


class DatasetQuery(Schema):
    dataset: Id | None = Field(
        None,
        description="A stored dataset's upload id (GET /api/performance/datasets); the one the pages read if absent",
    )


def _dataset(dataset: int | None):
    """The stored dataset asked for, or the current one; a number that is no stored dataset is a 404."""
    try:
        return selectors.dataset_asked(str(dataset) if dataset is not None else None)
    except selectors.TicketUpload.DoesNotExist as exc:
        raise Http404(str(exc)) from None


class DatasetListOut(Schema):
    items: list[DatasetOut] = Field(description="The one the pages read first, then the others, latest first")


@router.get("/performance/datasets", response={200: DatasetListOut, **READ_ERRORS})
def performance_datasets(request):
    """The stored ticket datasets a performance figure can be computed from, the one the pages read first."""
    check_object_perm(request.user, "performance.view_performance", None)
    stored = selectors.stored_uploads()[: selectors.DATASETS_LISTED]
    return DatasetListOut(items=[found for found in map(DatasetOut.of, stored) if found is not None])


def _contract_ref(contract) -> dict:
    return {"id": contract.pk, "reference": contract.reference, "title": contract.title}


@router.get("/performance", response={200: PerformanceOverviewOut, **READ_ERRORS})
def performance_overview(request, page: Query[PageQuery], asked: Query[DatasetQuery]):
    """Every supplier the caller may see that has a contract with an SLA, by name: its contracts, its worst rating
    over the last twelve months, its open breaches and the service credits due. A supplier user sees its own."""
    check_object_perm(request.user, "performance.view_performance", None)
    upload, rows = selectors.performance_overview(user=request.user, upload=_dataset(asked.dataset))
    window = rows[page.offset : page.offset + page.limit]
    return PerformanceOverviewOut(
        dataset=DatasetOut.of(upload),
        count=len(rows),
        limit=page.limit,
        offset=page.offset,
        items=[
            SupplierPerformanceRow(
                id=row.supplier.pk,
                name=row.supplier.name,
                contracts=[_contract_ref(c.contract) for c in row.contracts],
                rating=row.overall.value if row.overall else None,
                open_breached=row.open_breached,
                credits_total=row.credits_total,
                vat_basis=VatBasis.NET,
            )
            for row in window
        ],
    )


@router.get("/performance/suppliers/{supplier_id}", response={200: SupplierPerformanceOut, **READ_ERRORS})
def supplier_performance(request, supplier_id: Id, asked: Query[DatasetQuery]):
    """One supplier's contracts with an SLA: each priority's attainment, rating, months below target, trend and open
    breaches; the results month by month and priority; and the service credits by month."""
    check_object_perm(request.user, "performance.view_performance", None)
    try:
        supplier, upload, performances = selectors.supplier_performance(
            user=request.user, pk=supplier_id, upload=_dataset(asked.dataset)
        )
    except ObjectDoesNotExist:
        raise Http404(NO_SUCH_SUPPLIER.format(id=supplier_id)) from None
    check_object_perm(request.user, "performance.view_supplier_performance", supplier)
    return SupplierPerformanceOut(
        id=supplier.pk,
        name=supplier.name,
        dataset=DatasetOut.of(upload),
        credits_total=sum((p.credits_total for p in performances), Decimal(0)),
        vat_basis=VatBasis.NET,
        contracts=[ContractPerformanceOut.of(p) for p in performances],
    )


@router.get("/contracts/{contract_id}/performance", response={200: ContractScorecardOut, **READ_ERRORS})
def contract_performance(request, contract_id: Id, asked: Query[DatasetQuery]):
    """One contract's scorecard: as one contract of the supplier's, or null when the contract has no SLA."""
    check_object_perm(request.user, "performance.view_performance", None)
    try:
        contract, upload, found = selectors.contract_scorecard(
            user=request.user, pk=contract_id, upload=_dataset(asked.dataset)
        )
    except ObjectDoesNotExist:
        raise Http404(NO_SUCH_CONTRACT.format(id=contract_id)) from None
    check_object_perm(request.user, "performance.view_contract_performance", contract)
    return ContractScorecardOut(
        dataset=DatasetOut.of(upload),
        has_sla=found is not None,
        performance=ContractPerformanceOut.of(found) if found is not None else None,
    )


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
