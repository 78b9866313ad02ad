"""What the public register may show: approved decisions' Part 1 from the day it may be published, and a Part 2
only once the commercial team has released it. Drafts, submitted, rejected and withdrawn decisions never appear.
Decisions are read through governance's selectors of what is public (`governance.selectors.public_decisions`).

And the market view's reads: other bodies' contracting processes, filtered, summed and ranked by supplier; and the
post-award notices' reads, scoped to what the user may see, with the notices that are due.

And the open contracting data: every publishable contract and procurement as OCDS releases, read here and written
out by `publication.ocds`, and the one package of them (`ocds_package`) that the public files, the Open data page,
`pegasus ocds` and the API all serve."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Max, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from pegasus.core.calendar import add_months
from pegasus.core.clock import as_at_end, default_as_at, london_today
from pegasus.core.roles import INTERNAL_ROLES, has_role
from pegasus.estate.permissions import supplier_ids_of
from pegasus.estate.selectors import (
    change_verdict,
    changes_for_notices,
    contracting_authority,
    contracts_visible_to,
    contracts_with_spend,
    regime_of,
)
from pegasus.evaluation.selectors import (
    ProcurementAward,
    procurement_award_decisions,
    procurement_awards,
    procurement_lot_counts,
)
from pegasus.governance.selectors import public_decisions
from pegasus.performance.selectors import kpi_assessments, kpis_of
from pegasus.procurement.modification import Verdict
from pegasus.procurement.selectors import procurement_row, procurements_with_replaced
from pegasus.publication import ocds, rules
from pegasus.publication.market import ICT_DIVISIONS
from pegasus.publication.models import MarketAward, MarketImport, MarketProcess, Notice, OcdsExport


def published_decisions(today: date, *, search: str = "") -> QuerySet[Any]:
    """Published decisions, newest decision first, optionally matching words in the reference, title or summary."""
    decisions = public_decisions(today)
    # The search never looks inside Part 2: a match there would reveal what it says.
    for word in search.split()[:8]:
        decisions = decisions.filter(
            Q(reference__icontains=word) | Q(title__icontains=word) | Q(executive_summary__icontains=word)
        )
    return decisions.order_by("-decided_at", "-pk")


@dataclass(frozen=True)
class FeedEntry:
    decision: Any  # a governance decision, its public fields only
    published: datetime


def published_on(decision: Any) -> datetime:
    """When the decision's Part 1 became public: when it was approved, or at the start of its deferral date."""
    assert decision.decided_at is not None
    when = decision.decided_at
    if decision.part1_deferred_until:
        start = timezone.make_aware(datetime.combine(decision.part1_deferred_until, datetime.min.time()))
        when = max(when, start)
    return when


def feed_entries(today: date, *, limit: int = 50) -> list[FeedEntry]:
    """The newest publications first, for the Atom and JSON feeds."""
    decisions = list(published_decisions(today)[: limit * 2])
    entries = sorted((FeedEntry(d, published_on(d)) for d in decisions), key=lambda e: e.published, reverse=True)
    return entries[:limit]


# --- The market view ---------------------------------------------------------------------------------------------

MARKET_SORTS = {
    "end": (F("end").desc(nulls_last=True), "ocid"),
    "ending": (F("end").asc(nulls_last=True), "ocid"),
    "value": (F("value").desc(nulls_last=True), "ocid"),
    "buyer": ("buyer", F("end").desc(nulls_last=True), "ocid"),
}
# The bars of a chart by buyer or by supplier before the rest are summed as one.
MARKET_TOP = 10
OTHER_BUYERS = "Other buyers"
OTHER_SUPPLIERS = "Other suppliers, each alone"
SHARED = "Shared by several suppliers"
NO_SUPPLIER = "No supplier named"
NO_BUYER = "Buyer not published"
NO_START = "Start not published"
# What "awarded" sums: values awarded in pounds. A process known only by its tender's estimate, or valued in another
# currency, is counted but not valued.
AWARDED = Q(value_kind="awarded", currency="GBP")
WON_ALONE = Q(process__supplier_count=1, process__value_kind="awarded", process__currency="GBP")


@dataclass(frozen=True)
class MarketFilters:
    division: str = "ict"  # "ict" (every ICT division), one division such as "72", or "all"
    q: str = ""  # words in the title, the buyer or a supplier's name
    ends: str = ""  # "", "ended", or a number of months from today
    sort: str = "end"


def market_processes(filters: MarketFilters, today: date) -> QuerySet[MarketProcess]:
    processes = MarketProcess.objects.all()
    if filters.division == "ict":
        processes = processes.exclude(division="")
    elif filters.division != "all":
        processes = processes.filter(division=filters.division)
    for word in filters.q.split()[:10]:
        processes = processes.filter(
            Q(title__icontains=word) | Q(buyer__icontains=word) | Q(suppliers__icontains=word) | Q(ocid=word)
        )
    if filters.ends == "ended":
        processes = processes.filter(end__lt=today)
    elif filters.ends.isdigit():
        processes = processes.filter(end__gte=today, end__lte=add_months(today, int(filters.ends)))
    return processes.order_by(*MARKET_SORTS.get(filters.sort, MARKET_SORTS["end"]))


@dataclass(frozen=True)
class MarketShare:
    """One bar of a chart of the market: a buyer, a supplier or a year, or the rest summed as one."""

    label: str
    processes: int
    awarded: Decimal
    rest: bool = False  # the rest summed as one (other buyers, shared awards, ...), not one buyer or supplier


@dataclass(frozen=True)
class MarketSummary:
    processes: int
    buyers: int
    suppliers: int
    awarded: Decimal  # the sum of awarded values in pounds; estimates and other currencies are left out
    by_division: list[dict[str, Any]]
    # Each of the three adds up to `awarded` exactly, to the penny.
    by_buyer: list[MarketShare]  # the MARKET_TOP buyers by value awarded, then the other buyers as one
    by_supplier: list[MarketShare]  # the MARKET_TOP by value won alone; the other sole winners; shared; unnamed
    by_year: list[MarketShare]  # by the year the contract starts, earliest first; the start unpublished last


def _plain(processes: QuerySet[MarketProcess]) -> QuerySet[MarketProcess]:
    return processes.order_by()


def market_summary(processes: QuerySet[MarketProcess]) -> MarketSummary:
    """The filtered processes counted and their awarded value split by what was bought, buyer, supplier and year."""
    plain = _plain(processes)
    totals = plain.aggregate(
        processes=Count("pk"),
        buyers=Count("buyer", distinct=True),
        awarded=Sum("value", filter=AWARDED),
        alone=Sum("value", filter=AWARDED & Q(supplier_count=1)),
        alone_processes=Count("pk", filter=AWARDED & Q(supplier_count=1)),
        shared=Sum("value", filter=AWARDED & Q(supplier_count__gt=1)),
        shared_processes=Count("pk", filter=AWARDED & Q(supplier_count__gt=1)),
        unnamed=Sum("value", filter=AWARDED & Q(supplier_count=0)),
        unnamed_processes=Count("pk", filter=AWARDED & Q(supplier_count=0)),
    )
    zero = Decimal("0")
    awarded = totals["awarded"] or zero
    awards = MarketAward.objects.filter(process__in=plain.values("pk"))
    by_division = [
        {**row, "label": f"{row['division']}: {ICT_DIVISIONS[row['division']]}" if row["division"] else "Not ICT"}
        for row in plain.values("division")
        .annotate(processes=Count("pk"), awarded=Sum("value", filter=AWARDED))
        .order_by("division")
    ]

    top_buyers = [
        MarketShare(row["buyer"] or NO_BUYER, row["processes"], row["awarded"])
        for row in market_buyers(processes).filter(awarded__gt=0)[:MARKET_TOP]
    ]
    by_buyer = [*top_buyers]
    rest = MarketShare(
        OTHER_BUYERS,
        totals["processes"] - sum(s.processes for s in top_buyers),
        awarded - sum((s.awarded for s in top_buyers), zero),
        rest=True,
    )
    if rest.processes:
        by_buyer.append(rest)

    top_suppliers = [
        MarketShare(row["supplier"], row["won"], row["alone"])
        for row in awards.values("supplier")
        .annotate(alone=Sum("process__value", filter=WON_ALONE), won=Count("process", filter=WON_ALONE))
        .filter(alone__gt=0)
        .order_by("-alone", "supplier")[:MARKET_TOP]
    ]
    by_supplier = [*top_suppliers]
    for label, count, value in (
        (
            OTHER_SUPPLIERS,
            totals["alone_processes"] - sum(s.processes for s in top_suppliers),
            (totals["alone"] or zero) - sum((s.awarded for s in top_suppliers), zero),
        ),
        (SHARED, totals["shared_processes"], totals["shared"] or zero),
        (NO_SUPPLIER, totals["unnamed_processes"], totals["unnamed"] or zero),
    ):
        if count:
            by_supplier.append(MarketShare(label, count, value, rest=True))

    years = (
        plain.annotate(year=ExtractYear("start"))
        .values("year")
        .annotate(processes=Count("pk"), awarded=Sum("value", filter=AWARDED))
        .order_by(F("year").asc(nulls_last=True))
    )
    by_year = [
        MarketShare(str(row["year"]) if row["year"] else NO_START, row["processes"], row["awarded"] or zero)
        for row in years
    ]

    return MarketSummary(
        processes=totals["processes"],
        buyers=totals["buyers"],
        suppliers=awards.values("supplier").distinct().count(),
        awarded=awarded,
        by_division=by_division,
        by_buyer=by_buyer,
        by_supplier=by_supplier,
        by_year=by_year,
    )


def market_buyers(processes: QuerySet[MarketProcess]) -> QuerySet[Any]:
    """Each buyer of the filtered processes with how many it ran and the value it awarded: the largest value first,
    then the most processes."""
    return (
        _plain(processes)
        .values("buyer")
        .annotate(processes=Count("pk"), awarded=Sum("value", filter=AWARDED))
        .order_by(F("awarded").desc(nulls_last=True), "-processes", "buyer")
    )


def market_suppliers(processes: QuerySet[MarketProcess]) -> QuerySet[Any]:
    """Each supplier awarded one of the filtered processes, ordered by the number of processes it was awarded, then
    by the value it won alone (a place on a framework shared with others is counted but not valued)."""
    return (
        MarketAward.objects.filter(process__in=_plain(processes).values("pk"))
        .values("supplier")
        .annotate(processes=Count("process", distinct=True), alone=Sum("process__value", filter=WON_ALONE))
        .order_by("-processes", F("alone").desc(nulls_last=True), "supplier")
    )


def market_last_import() -> MarketImport | None:
    return MarketImport.objects.select_related("by").first()


# --- Post-award notices ------------------------------------------------------------------------------------------


def notices_visible_to(user) -> QuerySet[Notice]:
    """Staff see every notice; a supplier user the notices of its own suppliers' contracts; anyone else none."""
    notices = Notice.objects.select_related("contract", "contract__supplier", "change")
    if has_role(user, *INTERNAL_ROLES):
        return notices
    if not getattr(user, "is_authenticated", False):
        return notices.none()
    return notices.filter(contract__supplier_id__in=supplier_ids_of(user))


def published_notices() -> QuerySet[Notice]:
    """What the public may read: published notices only, oldest first."""
    return (
        Notice.objects.filter(state=Notice.State.PUBLISHED)
        .select_related("contract", "change")
        .order_by("published_at", "pk")
    )


@dataclass(frozen=True)
class NoticeFilters:
    kind: str = ""
    state: str = ""
    contract: str = ""  # words of the contract's reference
    supplier: int | None = None


def notice_list(*, user, filters: NoticeFilters, as_at: date | None = None) -> QuerySet[Notice]:
    """The notices the user may see, newest draft first; as at a day, only those drafted by its end."""
    notices = notices_visible_to(user)
    if as_at is not None:
        notices = notices.filter(drafted_at__lte=as_at_end(as_at))
    if filters.kind:
        notices = notices.filter(kind=filters.kind)
    if filters.state:
        notices = notices.filter(state=filters.state)
    if filters.contract:
        notices = notices.filter(contract__reference__icontains=filters.contract)
    if filters.supplier:
        notices = notices.filter(contract__supplier_id=filters.supplier)
    return notices.select_related("corrects").order_by("-drafted_at", "-pk")


def notice_get(*, user, pk: int) -> Notice:
    """One notice the user may see (Notice.DoesNotExist otherwise)."""
    return notices_visible_to(user).select_related("contract__authority", "corrects").get(pk=pk)


def notice_chain(notice: Notice) -> list[Notice]:
    """The notices a correction replaces, oldest first, then the notice, then its corrections, newest last."""
    before: list[Notice] = []
    seen = {notice.pk}
    current = notice.corrects
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        before.insert(0, current)
        current = current.corrects
    after: list[Notice] = []
    current_pk = notice.pk
    while (following := Notice.objects.filter(corrects_id=current_pk).order_by("pk").first()) is not None:
        if following.pk in seen:
            break
        seen.add(following.pk)
        after.append(following)
        current_pk = following.pk
    return [*before, notice, *after]


def notice_kind_for_change(change: Any, prior: Decimal | None = None) -> tuple[str, Verdict | None]:
    """The notice a change calls for ("UK11" for a termination; "UK10" or "PCR-MOD" as the rules say), or "" when
    the rules say none, with the rules' verdict."""
    if change.kind == "termination":
        return rules.NoticeKind.UK11.value, None
    verdict = change_verdict(change, prior)
    if verdict is None or verdict.notice.value == "none":
        return "", verdict
    return (rules.NoticeKind.UK10.value if verdict.notice.value == "UK10" else rules.NoticeKind.PCR_MOD.value), verdict


@dataclass(frozen=True)
class DueChange:
    change: Any
    kind: str
    requirement: rules.Requirement


@dataclass(frozen=True)
class DueContract:
    contract: Any
    value: Decimal
    last_period_end: date | None
    requirement: rules.Requirement


@dataclass(frozen=True)
class NoticesDue:
    performance: list[DueContract]
    changes: list[DueChange]
    terminations: list[DueChange]

    @property
    def performance_required(self) -> int:
        """How many of the UK9s due the Act requires (the others are of contracts awarded under PCR 2015)."""
        return sum(1 for row in self.performance if row.requirement.required)


def notices_due(*, user, as_at: date) -> NoticesDue:
    """What is still to publish: live contracts worth more than £5 million with no UK9 published for the 12 months
    before `as_at`; approved or effective changes whose notice the rules ask for and none is published; effective
    terminations without a published UK11."""
    published = Notice.objects.filter(state=Notice.State.PUBLISHED)
    last_uk9 = dict(
        published.filter(kind=rules.NoticeKind.UK9)
        .values("contract_id")
        .annotate(last=Max("period_end"))
        .values_list("contract_id", "last")
    )
    money = DecimalField(max_digits=16, decimal_places=2)
    large = (
        contracts_visible_to(user)
        .filter(status="active")
        .annotate(
            net=Coalesce(
                Sum("changes__value", filter=Q(changes__state="effective")), Value(Decimal(0)), output_field=money
            )
        )
        .annotate(current=F("total_value") + F("net"))
        .filter(current__gt=rules.KPI_VALUE)
        .select_related("supplier")
        .order_by("-current", "reference")
    )
    performance = [
        DueContract(
            c,
            c.current,
            last_uk9.get(c.pk),
            rules.requirement("UK9", regime_of(c), start_date=c.start_date, last_assessed=last_uk9.get(c.pk)),
        )
        for c in large
        if rules.uk9_due(last_uk9.get(c.pk), c.start_date, as_at)
    ]
    noticed = set(published.exclude(change=None).values_list("change_id", flat=True))
    visible = set(contracts_visible_to(user).values_list("pk", flat=True))
    changes: list[DueChange] = []
    terminations: list[DueChange] = []
    candidates = list(changes_for_notices())
    # Every candidate is approved or effective, so its ground's total counts it: the others' is the total less it.
    totals: dict[tuple[int, str], Decimal] = {}
    for change in candidates:
        key = (change.contract_id, change.ground)
        totals[key] = totals.get(key, Decimal(0)) + change.value
    for change in candidates:
        if change.pk in noticed or change.contract_id not in visible:
            continue
        if change.kind == "termination":
            if change.state == "effective":
                requirement = rules.requirement(
                    "UK11", regime_of(change.contract), termination_date=change.termination_date
                )
                terminations.append(DueChange(change, rules.NoticeKind.UK11.value, requirement))
            continue
        prior = totals[(change.contract_id, change.ground)] - change.value
        kind, verdict = notice_kind_for_change(change, prior)
        if kind:
            requirement = rules.requirement(
                kind,
                regime_of(change.contract),
                effective_on=change.effective_on,
                publish_modified_contract=bool(verdict and verdict.publish_modified_contract),
            )
            changes.append(DueChange(change, kind, requirement))
    return NoticesDue(performance, changes, terminations)


def change_for_notice(*, user, pk: int) -> Any:
    """An approved or effective change of a contract the user may see, that a notice may be drafted from
    (ContractChange.DoesNotExist otherwise)."""
    return changes_for_notices().filter(contract__in=contracts_visible_to(user)).get(pk=pk)


def change_calling_for(*, user, contract_pk: int, kind: str) -> Any:
    """The latest approved or effective change of a contract the user may see that calls for a notice of `kind`
    (UK10, UK11 or PCR-MOD), or None."""
    changes = changes_for_notices().filter(contract_id=contract_pk, contract__in=contracts_visible_to(user))
    matching = [change for change in changes if notice_kind_for_change(change)[0] == kind]
    return matching[-1] if matching else None


@dataclass(frozen=True)
class Assessments:
    """A contract's KPIs assessed over a period, as a UK9 reports them: each item a dict of kpi (its id), name,
    rating (None where the figures could not rate it), attainment, target and basis."""

    period_start: date
    period_end: date
    items: list[dict[str, Any]]


def contract_assessments(contract: Any, as_at: date | None = None) -> Assessments | None:
    """The contract's KPIs (s52) assessed from the supplier's SLA figures over the months they cover
    (`performance.selectors.kpi_assessments`); None when the contract has no KPIs. Without figures, the period is the
    12 months to `as_at`, and every KPI is for the drafter to rate."""
    report = kpi_assessments(contract)
    if not report.items:
        return None
    end = report.period_end or as_at or default_as_at()
    start = report.period_start or add_months(end, -12) + timedelta(days=1)
    items = [
        {
            "kpi": item.kpi.pk,
            "name": item.kpi.name,
            "rating": item.rating.value if item.rating is not None else None,
            "attainment": f"{item.attainment:.2f}" if item.attainment is not None else None,
            "target": str(item.target) if item.target is not None else None,
            "basis": item.basis,
        }
        for item in report.items
    ]
    return Assessments(start, end, items)


def contract_kpis(contract: Any) -> list[dict[str, Any]]:
    """The KPIs set for a contract under s52, as a UK7 lists them."""
    return [
        {"kpi": kpi.pk, "name": kpi.name, "description": kpi.description, "sla_priority": kpi.sla_priority}
        for kpi in kpis_of(contract)
    ]


# --- OCDS exports ------------------------------------------------------------------------------------------------

# Exports listed on the Open data page, newest first
EXPORTS_LISTED = 10


def _published_exports(as_at: date) -> QuerySet[OcdsExport]:
    """Exports the public may read: those as at `as_at` or before. An export made ahead of the date (a command's
    --as-at) is public once its date comes: until then it could show spend not yet published."""
    return OcdsExport.objects.filter(as_at__lte=as_at)


def ocds_exports_latest(as_at: date) -> dict[str, OcdsExport | None]:
    """The latest public export of each kind (release package, record package), or None where there is none: one
    query a kind."""
    return {kind: ocds_export_latest(kind, as_at) for kind in OcdsExport.Kind.values}


def ocds_exports_recent(as_at: date, limit: int = EXPORTS_LISTED) -> list[OcdsExport]:
    """The newest public exports, of either kind."""
    return list(_published_exports(as_at).order_by("-generated_at", "-pk")[:limit])


def ocds_export_latest(kind: str, as_at: date) -> OcdsExport | None:
    """The latest public export of one kind, the package its download serves."""
    return _published_exports(as_at).filter(kind=kind).order_by("-generated_at", "-pk").first()


# --- Open contracting data ---------------------------------------------------------------------------------------

# The file each kind of package is published as: the public release package, and the record package beside it
OCDS_FILES = {OcdsExport.Kind.RELEASES: "releases.json", OcdsExport.Kind.RECORDS: "records.json"}


def published_awards(as_at: date) -> dict[int, list[tuple[ProcurementAward, datetime]]]:
    """The awards of tenders for procurements whose contract-award decision is approved and whose Part 1 is public
    by `as_at` (and by today: nothing is published early), each with when it was decided, by procurement id, in
    tender and lot order.

    The decision is read through `published_decisions`, so its Part 2 never is; of the bids, only the winner is.
    """
    day = min(as_at, london_today())
    decisions = {
        decision.pk: decision
        for decision in published_decisions(day).filter(pk__in=procurement_award_decisions())
        if timezone.localdate(published_on(decision)) <= day
    }
    out: dict[int, list[tuple[ProcurementAward, datetime]]] = {}
    for award in procurement_awards(decisions):
        decided_at = decisions[award.decision_id].decided_at
        assert decided_at is not None
        out.setdefault(award.procurement_id, []).append((award, decided_at))
    return out


def ocds_releases(as_at: date) -> list[dict[str, Any]]:
    """Every publishable release as at `as_at` (`publication.ocds`): the estate's contracts, then the procurements,
    each in reference order; none dated after `as_at`, and in each only the changes, notices and awards of `as_at`
    or before."""
    contracts = contracts_with_spend().prefetch_related(
        "changes__option", Prefetch("notices", queryset=published_notices())
    )
    out = [ocds.contract_release(contract, as_at) for contract in contracts]
    authority = contracting_authority()
    awards = published_awards(as_at)
    lots = procurement_lot_counts()
    for procurement in procurements_with_replaced():
        row = procurement_row(procurement, as_at)
        buyer = row.contracts[0].authority if row.contracts else authority
        out.append(
            ocds.procurement_release(row, as_at, buyer, awards.get(procurement.pk, []), lots.get(procurement.pk, 0))
        )
    # A release dated after `as_at` (a contract that starts later: one awarded after the day) was not published then.
    return [release for release in out if release["date"][:10] <= as_at.isoformat()]


def ocds_package(*, kind: str, as_at: date, published: datetime, uri: str | None = None) -> dict[str, Any]:
    """Everything publishable as at `as_at` as an OCDS package of `kind` (releases or records), published at
    `published` and found at `uri` (by default where the public file of its kind is): the package the public files,
    the Open data page, `pegasus ocds` and the API serve.

    Raises ValueError for a kind that is not one of OcdsExport's.
    """
    kind = OcdsExport.Kind(kind)
    build = ocds.record_package if kind == OcdsExport.Kind.RECORDS else ocds.release_package
    return build(ocds_releases(as_at), published, uri or ocds.package_uri(OCDS_FILES[kind]))
