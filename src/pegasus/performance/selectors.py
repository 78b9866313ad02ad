"""Every read that the performance pages and exports need, scoped to what the user may see.

Reports are computed by the SLA engine over the current dataset (the latest stored upload) with the SLAs held on
contracts, so a page and `pegasus performance sla` give the same figures for the same tickets and SLA.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import F, QuerySet

from pegasus.core.money import Money, VatBasis
from pegasus.core.storage import local_folder, shared_storage
from pegasus.estate.selectors import contracting_authorities, contracts_visible_to, suppliers_visible_to
from pegasus.performance import datasets, rating, reports
from pegasus.performance.models import (
    Clock,
    ContractKpi,
    GroupMapping,
    RatingRules,
    ServiceLevelAgreement,
    SlaTarget,
    TicketUpload,
    UploadStatus,
)

SCORECARD_MONTHS = 12  # PA 2023 s71: performance against KPIs is assessed at least every twelve months


# Stored datasets live in the shared storage (`pegasus.core.storage`) as DATASETS/<name>/tickets.parquet and,
# where hand-offs were loaded, assignments.parquet: every app server reads what any worker stored.
DATASETS = datasets.STORED_DATASETS
# Written in this order: the tickets complete a dataset.
DATASET_FILES = (datasets.ASSIGNMENTS_PARQUET, datasets.TICKETS_PARQUET)


def dataset_folder(name: str) -> str:
    return f"{DATASETS}/{name}"


def dataset_exists(name: str) -> bool:
    return shared_storage().exists(f"{dataset_folder(name)}/{datasets.TICKETS_PARQUET}")


def dataset_local_dir(name: str) -> Path:
    """A directory on this host with the stored dataset's Parquet files, for DuckDB to read."""
    return local_folder(dataset_folder(name), DATASET_FILES)


def stored_uploads() -> QuerySet[TicketUpload]:
    """Every stored dataset, the one the reports read first (the most recently stored or chosen)."""
    return (
        TicketUpload.objects.filter(status=UploadStatus.SUCCEEDED)
        .exclude(dataset="")
        .select_related("uploaded_by")
        .order_by(F("chosen_at").desc(nulls_last=True), "-finished_at", "-pk")
    )


def current_upload() -> TicketUpload | None:
    """The dataset the pages read unless a user asks for another: the most recently stored or chosen."""
    return stored_uploads().first()


# How many stored datasets a report page offers to read instead (the most recent).
DATASETS_LISTED = 20
NO_SUCH_DATASET = "No stored dataset {value!r}: choose one of the stored datasets."


def dataset_asked(value: str | None) -> TicketUpload | None:
    """The stored dataset a page's `dataset` parameter names (an upload's number), or the current one when it names
    none; raises TicketUpload.DoesNotExist for one that is not a stored dataset."""
    if not value:
        return current_upload()
    if not value.isdigit() or len(value) > 12:
        raise TicketUpload.DoesNotExist(NO_SUCH_DATASET.format(value=value[:20]))
    found = stored_uploads().filter(pk=int(value)).first()
    if found is None:
        raise TicketUpload.DoesNotExist(NO_SUCH_DATASET.format(value=value))
    return found


def dataset_path(upload: TicketUpload) -> Path:
    """The upload's stored dataset as a directory on this host (a cached copy when it is in an object store)."""
    return dataset_local_dir(upload.dataset)


def upload_list(*, limit: int = 20) -> QuerySet[TicketUpload]:
    return TicketUpload.objects.select_related("uploaded_by").order_by("-uploaded_at", "-pk")[:limit]


def upload_detail(*, pk: int) -> TicketUpload:
    return TicketUpload.objects.select_related("uploaded_by").get(pk=pk)


def slas_visible_to(user) -> QuerySet[ServiceLevelAgreement]:
    return (
        ServiceLevelAgreement.objects.filter(contract__in=contracts_visible_to(user))
        .select_related("contract__supplier", "contract__authority")
        .prefetch_related("targets")
        .order_by("contract__reference")
    )


def thresholds_for(authority_id: int | None, cache: dict | None = None) -> rating.Thresholds:
    """The authority's rating rules, or the documented defaults when it has set none."""
    if cache is not None and authority_id in cache:
        return cache[authority_id]
    rules = RatingRules.objects.filter(authority_id=authority_id).first() if authority_id else None
    found = (
        rating.Thresholds(rules.approaching_points, rules.improvement_points) if rules else rating.DEFAULT_THRESHOLDS
    )
    if cache is not None:
        cache[authority_id] = found
    return found


@dataclass
class Kpi:
    """One priority's resolution target over the assessment period, rated."""

    priority: int
    resolve_within_hours: Decimal
    clock: str
    target: Decimal
    resolved: int
    met: int
    attainment: float | None
    rating: rating.Rating | None
    months_below: int
    months: int
    trend: str
    trend_points: float | None
    open_breached: int


@dataclass
class ContractPerformance:
    contract: Any  # an estate Contract, with its supplier and authority
    sla: ServiceLevelAgreement
    results: list[dict] = field(default_factory=list)  # the engine's rows, month by month and priority
    credits: list[dict] = field(default_factory=list)  # month credits (capped)
    kpis: list[Kpi] = field(default_factory=list)
    months: list[str] = field(default_factory=list)

    @property
    def overall(self) -> rating.Rating | None:
        return rating.overall_rating([k.rating for k in self.kpis])

    @property
    def credits_total(self) -> Decimal:
        return sum((Decimal(c["credit"]) for c in self.credits), Decimal(0))

    @property
    def open_breached(self) -> int:
        return sum(k.open_breached for k in self.kpis)

    @property
    def period(self) -> str:
        return f"{self.months[0]} to {self.months[-1]}" if self.months else ""


def _contract_performance(sla: ServiceLevelAgreement, report: dict, thresholds: rating.Thresholds):
    key = sla.contract.reference
    results = [r for r in report["results"] if r["supplier"] == key]
    months = sorted({r["month"] for r in results})[-SCORECARD_MONTHS:]
    results = [r for r in results if r["month"] in months]
    found = ContractPerformance(
        contract=sla.contract,
        sla=sla,
        results=results,
        credits=[c for c in report["credits"] if c["supplier"] == key and c["month"] in months],
        months=months,
    )
    by_priority: dict[int, list[dict]] = defaultdict(list)
    for row in results:
        by_priority[row["priority"]].append(row)
    for target in sla.targets.all():
        rows = by_priority.get(target.priority, [])
        resolved = sum(r["resolved"] for r in rows)
        met = sum(r["met"] for r in rows)
        label, change = reports.trend([r["attainment"] for r in rows])
        latest = rows[-1] if rows and rows[-1]["month"] == months[-1] else None
        found.kpis.append(
            Kpi(
                priority=target.priority,
                resolve_within_hours=target.resolve_within_hours,
                clock=target.clock,
                target=target.attainment_target,
                resolved=resolved,
                met=met,
                attainment=None if resolved == 0 else 100 * met / resolved,
                rating=rating.kpi_rating(met, resolved, target.attainment_target, thresholds),
                months_below=sum(1 for r in rows if r["resolved"] and r["attainment"] < r["target"]),
                months=sum(1 for r in rows if r["resolved"]),
                trend=label,
                trend_points=change,
                open_breached=latest["open_breached"] if latest else 0,
            )
        )
    return found


def _contract_slas(slas: list[ServiceLevelAgreement]) -> list[reports.ContractSla]:
    return [
        reports.ContractSla(
            key=s.contract.reference,
            supplier=s.contract.supplier.name,
            service=s.ticket_service,
            agreement=s.agreement(s.contract.reference),
        )
        for s in slas
    ]


# A stored dataset read by a page: the current one unless the page asked for another.
CURRENT = None


def performance_of(
    slas: list[ServiceLevelAgreement], *, with_handoffs: bool = False, upload: TicketUpload | None = CURRENT
):
    """Each SLA's contract performance over a stored dataset (the current one unless `upload` is given), and the
    hand-offs when asked."""
    upload = upload or current_upload()
    if upload is None or not slas:
        return upload, [ContractPerformance(contract=s.contract, sla=s) for s in slas], None
    report = reports.contract_report(dataset_path(upload), _contract_slas(slas), with_handoffs=with_handoffs)
    cache: dict = {}
    found = [_contract_performance(s, report, thresholds_for(s.contract.authority_id, cache)) for s in slas]
    return upload, found, report.get("handoffs")


@dataclass
class SupplierRow:
    supplier: Any  # an estate Supplier
    contracts: list[ContractPerformance]

    @property
    def credits_total(self) -> Decimal:
        return sum((c.credits_total for c in self.contracts), Decimal(0))

    @property
    def overall(self) -> rating.Rating | None:
        return rating.overall_rating([c.overall for c in self.contracts])

    @property
    def open_breached(self) -> int:
        return sum(c.open_breached for c in self.contracts)


def performance_overview(
    *, user, upload: TicketUpload | None = CURRENT
) -> tuple[TicketUpload | None, list[SupplierRow]]:
    """Every supplier the user may see that has an SLA, with its contracts' ratings and credits."""
    upload, found, _ = performance_of(list(slas_visible_to(user)), upload=upload)
    rows: dict[int, SupplierRow] = {}
    for item in found:
        supplier = item.contract.supplier
        rows.setdefault(supplier.pk, SupplierRow(supplier, [])).contracts.append(item)
    return upload, sorted(rows.values(), key=lambda r: r.supplier.name)


def supplier_performance(
    *, user, pk: int, upload: TicketUpload | None = CURRENT
) -> tuple[Any, TicketUpload | None, list[ContractPerformance]]:
    """One supplier the user may see (Supplier.DoesNotExist otherwise) and its contracts' performance."""
    supplier = suppliers_visible_to(user).get(pk=pk)
    upload, found, _ = performance_of(list(slas_visible_to(user).filter(contract__supplier=supplier)), upload=upload)
    return supplier, upload, found


def contract_scorecard(
    *, user, pk: int, upload: TicketUpload | None = CURRENT
) -> tuple[Any, TicketUpload | None, ContractPerformance | None]:
    """One contract the user may see (Contract.DoesNotExist otherwise), and its scorecard when it has an SLA."""
    contract = contracts_visible_to(user).select_related("supplier", "authority").get(pk=pk)
    sla = slas_visible_to(user).filter(contract=contract).first()
    if sla is None:
        return contract, upload or current_upload(), None
    upload, found, _ = performance_of([sla], upload=upload)
    return contract, upload, found[0]


@dataclass
class SupplierCoverage:
    """One supplier's tickets in a dataset: how many, how many an SLA reads, and under which contracts."""

    supplier: str  # as the tickets name it
    tickets: int = 0
    matched: int = 0
    contracts: dict[str, int] = field(default_factory=dict)  # contract reference -> tickets it reads


@dataclass
class DatasetCoverage:
    """What of a dataset the reports read: its tickets by supplier and service, with and without an SLA."""

    rows: list[reports.Coverage]
    suppliers_known: set[str]

    @property
    def tickets(self) -> int:
        return sum(r.tickets for r in self.rows)

    @property
    def matched(self) -> int:
        return sum(r.tickets for r in self.rows if r.contract)

    @property
    def matched_percent(self) -> float | None:
        return 100 * self.matched / self.tickets if self.tickets else None

    @property
    def by_supplier(self) -> list[SupplierCoverage]:
        found: dict[str, SupplierCoverage] = {}
        for row in self.rows:
            item = found.setdefault(row.supplier, SupplierCoverage(row.supplier))
            item.tickets += row.tickets
            if row.contract:
                item.matched += row.tickets
                item.contracts[row.contract] = item.contracts.get(row.contract, 0) + row.tickets
        return sorted(found.values(), key=lambda c: (-c.tickets, c.supplier))

    def unmatched(self, limit: int = 20) -> list[reports.Coverage]:
        """The largest groups of tickets no SLA reads (most first)."""
        return [r for r in self.rows if not r.contract][:limit]


def dataset_coverage(*, user, upload: TicketUpload) -> DatasetCoverage:
    """Which of a stored dataset's tickets the SLAs the user may see read, by the reports' own rule."""
    rows = reports.ticket_coverage(dataset_path(upload), _contract_slas(list(slas_visible_to(user))))
    return DatasetCoverage(rows=rows, suppliers_known=set(suppliers_visible_to(user).values_list("name", flat=True)))


def group_mappings(source: str) -> dict[str, GroupMapping]:
    """The saved mapping of an export's assignment groups, by group."""
    return {m.group: m for m in GroupMapping.objects.filter(source=source).select_related("supplier", "contract")}


def mapping_targets(*, user) -> list[tuple[Any, list[Any]]]:
    """What a group can be mapped to: each supplier the user may see with its contracts (by reference)."""
    contracts = contracts_visible_to(user).select_related("supplier").order_by("reference")
    by_supplier: dict[int, list[Any]] = defaultdict(list)
    for contract in contracts:
        by_supplier[contract.supplier_id].append(contract)
    return [(s, by_supplier.get(s.pk, [])) for s in suppliers_visible_to(user).order_by("name")]


def sla_of(contract: Any) -> ServiceLevelAgreement | None:
    return ServiceLevelAgreement.objects.filter(contract=contract).prefetch_related("targets").first()


def handoffs_view(*, user, upload: TicketUpload | None = CURRENT) -> tuple[TicketUpload | None, dict]:
    """Tickets passed between suppliers and how long each held them; a supplier user sees only its own part."""
    upload = upload or current_upload()
    empty: dict = {"pairs": [], "holding": []}
    if upload is None:
        return upload, empty
    found = reports.contract_report(dataset_path(upload), [], with_handoffs=True)["handoffs"]
    visible = set(suppliers_visible_to(user).values_list("name", flat=True))
    return upload, {
        "pairs": [p for p in found["pairs"] if p["from"] in visible or p["to"] in visible],
        "holding": [h for h in found["holding"] if h["supplier"] in visible],
    }


def authorities_with_rules() -> list[tuple]:
    """Each contracting authority with its rating rules (the defaults where it has set none)."""
    authorities = contracting_authorities().order_by("name")
    rules = {r.authority_id: r for r in RatingRules.objects.all()}
    return [
        (
            a,
            rating.Thresholds(rules[a.pk].approaching_points, rules[a.pk].improvement_points)
            if a.pk in rules
            else rating.DEFAULT_THRESHOLDS,
        )
        for a in authorities
    ]


# --- Key performance indicators (Procurement Act 2023 s52) ---------------------------------------------------

# s52(1): a contract with an estimated value of more than £5 million must have at least three KPIs.
KPI_THRESHOLD = Decimal(5_000_000)
KPIS_AT_LEAST = 3
NOT_AN_SLA_MEASURE = "Not an SLA measure: rate it"


@dataclass(frozen=True)
class KpiAssessment:
    """One KPI's assessment for the contract performance notice (s52(2)-(3), s71; UK9)."""

    kpi: ContractKpi
    rating: rating.Rating | None  # None when not rated from figures (no SLA link, or no tickets)
    attainment: float | None  # percent, from the SLA figures
    target: Decimal | None  # the SLA target's attainment target
    basis: str  # where the rating comes from, or why there is none


@dataclass(frozen=True)
class KpiReport:
    contract: Any
    period_start: date | None  # the first day of the first month the figures cover
    period_end: date | None  # the last day of the last month
    items: list[KpiAssessment]


def kpis_of(contract: Any) -> list[ContractKpi]:
    """The contract's KPIs in their order."""
    return list(ContractKpi.objects.filter(contract=contract).order_by("position", "pk"))


def kpis_required(contract: Any) -> bool:
    """Whether s52(1) requires KPIs: an estimated value of more than £5 million (compared net of VAT)."""
    value = Money(contract.total_value, VatBasis(contract.vat_basis)).to_net().amount
    return value > KPI_THRESHOLD


def _month_bounds(months: list[str]) -> tuple[date | None, date | None]:
    if not months:
        return None, None
    first_year, first_month = (int(part) for part in months[0].split("-"))
    last_year, last_month = (int(part) for part in months[-1].split("-"))
    last_day = calendar.monthrange(last_year, last_month)[1]
    return date(first_year, first_month, 1), date(last_year, last_month, last_day)


def _assessment(kpi: ContractKpi, found: ContractPerformance | None) -> KpiAssessment:
    if kpi.sla_priority is None:
        return KpiAssessment(kpi=kpi, rating=None, attainment=None, target=None, basis=NOT_AN_SLA_MEASURE)
    p = kpi.sla_priority
    target = next((t for t in found.sla.targets.all() if t.priority == p), None) if found else None
    if found is None or target is None:
        basis = f"P{p} is not a target of the contract's SLA: rate it"
        return KpiAssessment(kpi=kpi, rating=None, attainment=None, target=None, basis=basis)
    measure = next((k for k in found.kpis if k.priority == p), None)
    if measure is None or not found.months:
        basis = f"P{p} resolution: no ticket figures yet"
        return KpiAssessment(kpi=kpi, rating=None, attainment=None, target=target.attainment_target, basis=basis)
    if measure.resolved == 0:
        basis = f"P{p} resolution: no tickets resolved, {found.period}"
    else:
        basis = f"P{p} resolution, {measure.resolved:,} tickets, {found.period}"
    return KpiAssessment(
        kpi=kpi, rating=measure.rating, attainment=measure.attainment, target=measure.target, basis=basis
    )


def kpi_report_of(contract: Any, performance: ContractPerformance | None) -> KpiReport:
    """The contract's KPIs assessed from a scorecard already computed (`contract_scorecard`), so a page that shows
    both runs the SLA engine once."""
    start, end = _month_bounds(performance.months if performance else [])
    return KpiReport(
        contract=contract,
        period_start=start,
        period_end=end,
        items=[_assessment(kpi, performance) for kpi in kpis_of(contract)],
    )


def kpi_assessments(contract: Any) -> KpiReport:
    """Each KPI of the contract with its rating from the SLA figures over the current dataset (the scorecard's own
    `Kpi` rows, matched on priority), or why it is not rated from them."""
    sla = sla_of(contract)
    performance = None
    if sla is not None:
        sla.contract = contract
        _, found, _ = performance_of([sla])
        performance = found[0]
    return kpi_report_of(contract, performance)


def _hours(target: SlaTarget) -> str:
    value = target.resolve_within_hours
    number = f"{value.normalize():f}"
    kind = "service hour" if target.clock == Clock.SERVICE_HOURS else "hour"
    return f"{number} {kind}" if value == 1 else f"{number} {kind}s"


def sla_kpi_name(target: SlaTarget) -> str:
    """The KPI an SLA target measures, as a contract details notice names it."""
    return f"Priority {target.priority} incidents resolved within {_hours(target)}"


def sla_kpi_description(target: SlaTarget) -> str:
    clock = "counted on service hours" if target.clock == Clock.SERVICE_HOURS else "counted around the clock (24x7)"
    return (
        f"At least {target.attainment_target.normalize():f}% of priority {target.priority} incidents resolved each "
        f"month within {_hours(target)}, {clock}, measured from the service desk's tickets against the contract's SLA."
    )


def sla_kpis_pending(contract: Any) -> list[SlaTarget]:
    """The SLA targets that `kpis_from_sla` would set as KPIs: those not yet a KPI and whose KPI name is free."""
    existing = ContractKpi.objects.filter(contract=contract)
    linked = set(existing.exclude(sla_priority=None).values_list("sla_priority", flat=True))
    names = {name.lower() for name in existing.values_list("name", flat=True)}
    return [
        target
        for target in SlaTarget.objects.filter(sla__contract=contract).order_by("priority")
        if target.priority not in linked and sla_kpi_name(target).lower() not in names
    ]
