"""What the public register may show: approved decisions' Part 1 from the day it may be published, and a Part 2
only once the commercial team has released it. Drafts, submitted, rejected and withdrawn decisions never appear.
Decisions are read through governance's selectors of what is public (`governance.selectors.public_decisions`).

And the market view's reads: other bodies' contracting processes, filtered, summed and ranked by supplier."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from pegasus.core.calendar import add_months
from pegasus.governance.selectors import public_decisions
from pegasus.publication.market import ICT_DIVISIONS
from pegasus.publication.models import MarketAward, MarketImport, MarketProcess


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
TOP_SUPPLIERS = 10


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
class MarketSummary:
    processes: int
    buyers: int
    suppliers: int
    awarded: Decimal  # the sum of awarded values in pounds; estimates and other currencies are left out
    by_division: list[dict[str, Any]]
    top_suppliers: list[dict[str, Any]]


def market_summary(processes: QuerySet[MarketProcess]) -> MarketSummary:
    plain = processes.order_by()
    totals = plain.aggregate(
        processes=Count("pk"),
        buyers=Count("buyer", distinct=True),
        awarded=Sum("value", filter=Q(value_kind="awarded", currency="GBP")),
    )
    awards = MarketAward.objects.filter(process__in=plain.values("pk"))
    by_division = [
        {**row, "label": f"{row['division']}: {ICT_DIVISIONS[row['division']]}" if row["division"] else "Not ICT"}
        for row in plain.values("division")
        .annotate(processes=Count("pk"), awarded=Sum("value", filter=Q(value_kind="awarded", currency="GBP")))
        .order_by("division")
    ]
    top = [
        dict(row)
        for row in awards.values("supplier")
        .annotate(
            processes=Count("process", distinct=True),
            alone=Sum(
                "process__value",
                filter=Q(process__supplier_count=1, process__value_kind="awarded", process__currency="GBP"),
            ),
        )
        .order_by("-processes", F("alone").desc(nulls_last=True), "supplier")[:TOP_SUPPLIERS]
    ]
    return MarketSummary(
        processes=totals["processes"],
        buyers=totals["buyers"],
        suppliers=awards.values("supplier").distinct().count(),
        awarded=totals["awarded"] or Decimal("0"),
        by_division=by_division,
        top_suppliers=top,
    )


def market_last_import() -> MarketImport | None:
    return MarketImport.objects.select_related("by").first()
