"""Reads of decisions for pages, with what each page shows fetched in a fixed number of queries."""

from django.db.models import QuerySet

from pegasus.governance.models import Decision


def decision_list() -> QuerySet[Decision]:
    return Decision.objects.select_related("originating_officer", "decided_by").order_by("-id")


def decision_detail(pk: int) -> Decision:
    return (
        Decision.objects.select_related("originating_officer", "decided_by")
        .prefetch_related("recommendations", "declarations", "exemptions", "route")
        .get(pk=pk)
    )
