"""What the public register may show: approved decisions' Part 1 from the day it may be published, and a Part 2
only once the commercial team has released it. Drafts, submitted, rejected and withdrawn decisions never appear.

And the market view's reads: other bodies' contracting processes, filtered, summed and ranked by supplier."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from pegasus.core.calendar import add_months
from pegasus.governance.models import PART1_SECTIONS, Decision
from pegasus.publication.market import ICT_DIVISIONS
from pegasus.publication.models import MarketAward, MarketImport, MarketProcess

# The only fields a public page, feed or document may read from a decision. Part 2 is read only when released.
PUBLIC_FIELDS = (
    "pk",
    "reference",
    "version",
    "title",
    "decision_type",
    "executive_summary",
    "value",
    *PART1_SECTIONS,
    "ceo_statement",
    "approver_office",
    "decided_at",
    "part1_deferred_until",
    "part2_released_at",
    "part2_released_early",
)


def _published(today: date) -> Q:
    return Q(status=Decision.Status.APPROVED) & (
        Q(part1_deferred_until__isnull=True) | Q(part1_deferred_until__lte=today)
    )


def published_decisions(today: date, *, search: str = "") -> QuerySet[Decision]:
    """Published decisions, newest decision first, optionally matching words in the reference, title or summary."""
    decisions = Decision.objects.filter(_published(today)).only(*PUBLIC_FIELDS[1:])
    # The search never looks inside Part 2: a match there would reveal what it says.
    for word in search.split()[:8]:
        decisions = decisions.filter(
            Q(reference__icontains=word) | Q(title__icontains=word) | Q(executive_summary__icontains=word)
        )
    return decisions.order_by("-decided_at", "-pk")


def published_decision(pk: int, today: date) -> Decision:
    """One published decision with the lists its Part 1 shows. Raises Decision.DoesNotExist when not published.

    Its `part2` is blanked so that no page or document can show it by mistake; `released_part2` holds the Part 2
    text once, and only once, the commercial team has released it.
    """
    decision = (
        Decision.objects.filter(_published(today))
        .only(*PUBLIC_FIELDS[1:])
        .prefetch_related("recommendations", "declarations", "exemptions", "route")
        .get(pk=pk)
    )
    decision.released_part2 = (  # type: ignore[attr-defined]
        Decision.objects.values_list("part2", flat=True).get(pk=pk) if decision.part2_released_at else ""
    )
    decision.part2 = ""
    return decision


@dataclass(frozen=True)
class FeedEntry:
    decision: Decision
    published: datetime


def published_on(decision: Decision) -> datetime:
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
