"""Reads of decisions for pages, with what each page shows fetched in a fixed number of queries."""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from pegasus.governance.models import Decision, FoiExemption


def decision_list() -> QuerySet[Decision]:
    return Decision.objects.select_related("originating_officer", "decided_by").order_by("-id")


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
