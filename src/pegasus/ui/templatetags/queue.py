"""The notice on a page whose work waits on the database queue and that no task worker has started.

Queued work runs only in `pegasus db_worker`. Without one, a page would say "Queued, 0% done" for ever; after a
few seconds it says instead that no worker has picked the work up, and what starts one.
"""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django_tasks_db.models import DBTaskResult

register = template.Library()

# A running worker looks for work every second (after up to a second's start-up delay).
QUEUE_GRACE = timedelta(seconds=5)
# The longest a task runs (the optimiser's largest time limit is ten minutes): a task still marked running after
# this lost its worker (killed mid-task) and keeps no worker busy.
LONGEST_TASK = timedelta(minutes=15)


@register.inclusion_tag("ui/includes/queue_notice.html")
def queue_notice(queued_at: datetime | None) -> dict:
    """Shown for work still queued QUEUE_GRACE after it was queued: busy when a worker is running other work."""
    waited = timezone.now() - queued_at if queued_at else None
    if waited is None or waited < QUEUE_GRACE:
        return {"show": False}
    # timesince counts in minutes, and "0 minutes" says nothing: the first minute is counted in seconds.
    ago = f"{int(waited.total_seconds())} seconds" if waited < timedelta(minutes=1) else timesince(queued_at)
    busy = DBTaskResult.objects.running().filter(started_at__gte=timezone.now() - LONGEST_TASK).exists()
    return {"show": True, "busy": busy, "ago": ago}
