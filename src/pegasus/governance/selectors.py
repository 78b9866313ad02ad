"""Reads of decisions for pages, with what each page shows fetched in a fixed number of queries."""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from pegasus.governance.models import Decision, FoiExemption


def decision_list() -> QuerySet[Decision]:
    return Decision.objects.select_related("originating_officer", "decided_by").order_by("-id")


def decision_search(
    *,
    text: str = "",
    status: str = "",
    decision_type: str = "",
    decided_from: date | None = None,
    decided_to: date | None = None,
) -> QuerySet[Decision]:
    """Decisions whose reference or title (Part 1 only: never Part 2) contains `text`, by status, type and the
    date decided, newest first."""
    decisions = decision_list()
    if text:
        decisions = decisions.filter(Q(reference__icontains=text) | Q(title__icontains=text))
    if status:
        decisions = decisions.filter(status=status)
    if decision_type:
        decisions = decisions.filter(decision_type=decision_type)
    if decided_from:
        decisions = decisions.filter(decided_at__date__gte=decided_from)
    if decided_to:
        decisions = decisions.filter(decided_at__date__lte=decided_to)
    return decisions


def decision_detail(pk: int) -> Decision:
    return (
        Decision.objects.select_related("originating_officer", "decided_by", "part2_released_by")
        .prefetch_related("recommendations", "declarations", "exemptions", "route", "attachments")
        .get(pk=pk)
    )


def part2_due_for_release(today: date) -> QuerySet[Decision]:
    """Approved decisions with a withheld Part 2 whose exemptions have ceased (or that has no exemption at all)."""
    ceased = FoiExemption.objects.filter(decision=OuterRef("pk"), ceases_on__lte=today)
    any_exemption = FoiExemption.objects.filter(decision=OuterRef("pk"))
    return (
        Decision.objects.filter(status=Decision.Status.APPROVED, part2_released_at__isnull=True)
        .exclude(part2="")
        .filter(Q(Exists(ceased)) | ~Q(Exists(any_exemption)))
        .select_related("originating_officer", "decided_by")
        .prefetch_related("exemptions")
        .order_by("reference", "version")
    )


def decisions_due(today: date, *, within_days: int = 30) -> QuerySet[Decision]:
    """Drafts and submitted decisions whose "decision required by" date is past or within the window."""
    return (
        Decision.objects.filter(
            status__in=[Decision.Status.DRAFT, Decision.Status.SUBMITTED],
            required_by__isnull=False,
            required_by__lte=today + timedelta(days=within_days),
        )
        .select_related("originating_officer")
        .order_by("required_by", "reference")
    )
