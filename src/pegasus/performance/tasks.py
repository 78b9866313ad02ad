"""Background jobs of supplier performance, run by `pegasus db_worker` (in the calling thread under tests)."""

from django_tasks import task

from pegasus.performance import services


@task()
def ingest_ticket_upload(upload_id: int) -> int:
    """Check and store an uploaded tickets file; returns the number of rows read."""
    return services.ticket_upload_ingest(upload_id=upload_id).rows_read


@task()
def survey_ticket_upload(upload_id: int) -> int:
    """Read a raw service-desk export's assignment groups for mapping; returns how many groups it has."""
    return len(services.ticket_upload_survey(upload_id=upload_id).groups)
