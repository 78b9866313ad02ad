"""What the public register may show: approved decisions' Part 1 from the day it may be published, and a Part 2
only once the commercial team has released it. Drafts, submitted, rejected and withdrawn decisions never appear."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from pegasus.governance.models import PART1_SECTIONS, Decision

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
