"""Reads of core's own records: the audit trail."""

from datetime import date

from django.db.models import QuerySet

from pegasus.core.clock import as_at_end
from pegasus.core.models import AuditEvent


def audit_events(
    *,
    action: str = "",
    user: str = "",
    object_type: str = "",
    object_id: str = "",
    mentions: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    as_at: date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit events that match every filter given, newest first, with their actors; as at a day, only those
    that had happened by its end."""
    events = AuditEvent.objects.select_related("actor")
    if action:
        events = events.filter(action__startswith=action)
    if user:
        events = events.filter(actor__username__iexact=user)
    if object_type:
        events = events.filter(object_type__iexact=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if mentions:
        events = events.filter(summary__icontains=mentions)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    if as_at:
        events = events.filter(at__lte=as_at_end(as_at))
    return events
