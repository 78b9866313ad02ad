"""Pages that queue work say plainly when no task worker has picked it up, rather than "Queued, 0% done" for ever."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pegasus.core.roles import Role
from pegasus.performance.models import TicketUpload
from pegasus.sourcing.models import OptimisationRun, Scenario

pytestmark = pytest.mark.django_db

NO_WORKER = "No task worker has picked this up"
BUSY = "it waits while the task worker finishes other work"


def queued_upload(seconds_ago: int) -> TicketUpload:
    upload = TicketUpload.objects.create(original_name="tickets.csv")
    TicketUpload.objects.filter(pk=upload.pk).update(uploaded_at=timezone.now() - timedelta(seconds=seconds_ago))
    return upload


def queued_scenario(seconds_ago: int) -> Scenario:
    scenario = Scenario.objects.create(
        name="Waiting for the optimiser", kind=Scenario.Kind.OPTIMISED, status=Scenario.Status.QUEUED
    )
    run = OptimisationRun.objects.create(scenario=scenario, time_limit_seconds=30)
    OptimisationRun.objects.filter(pk=run.pk).update(queued_at=timezone.now() - timedelta(seconds=seconds_ago))
    return scenario


def running_task(started_seconds_ago: int = 30) -> None:
    """Another piece of work that a worker has claimed and is running."""
    DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="pegasus.performance.tasks.ingest_ticket_upload",
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago),
    )


class TestTicketUpload:
    @pytest.mark.parametrize("url", ["/performance/uploads/{pk}/", "/performance/uploads/{pk}/progress/"])
    def test_upload_queued_for_a_minute_says_no_worker_picked_it_up(self, signed_in, url):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        upload = queued_upload(seconds_ago=60)
        page = client.get(url.format(pk=upload.pk)).content.decode()
        assert NO_WORKER in page
        assert "queued 1\xa0minute ago" in page
        assert "pegasus db_worker" in page

    def test_upload_queued_seconds_ago_counts_the_seconds(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        upload = queued_upload(seconds_ago=8)
        page = client.get(f"/performance/uploads/{upload.pk}/progress/").content.decode()
        assert re.search(r"queued ([89]|10) seconds ago", page)

    def test_upload_just_queued_says_nothing_yet(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        upload = queued_upload(seconds_ago=1)
        page = client.get(f"/performance/uploads/{upload.pk}/progress/").content.decode()
        assert "Queued" in page
        assert 'data-testid="queue-notice"' not in page

    def test_upload_being_checked_says_nothing(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        upload = queued_upload(seconds_ago=60)
        TicketUpload.objects.filter(pk=upload.pk).update(status="running", progress=10)
        page = client.get(f"/performance/uploads/{upload.pk}/progress/").content.decode()
        assert 'data-testid="queue-notice"' not in page

    def test_upload_waiting_behind_other_work_says_the_worker_is_busy(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        upload = queued_upload(seconds_ago=60)
        running_task()
        page = client.get(f"/performance/uploads/{upload.pk}/progress/").content.decode()
        assert BUSY in page
        assert NO_WORKER not in page

    def test_a_task_left_running_by_a_killed_worker_is_not_taken_for_a_busy_one(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        upload = queued_upload(seconds_ago=60)
        running_task(started_seconds_ago=3600)
        page = client.get(f"/performance/uploads/{upload.pk}/progress/").content.decode()
        assert NO_WORKER in page


class TestOptimisedScenario:
    @pytest.mark.parametrize("url", ["/scenarios/{pk}/", "/scenarios/{pk}/progress/"])
    def test_optimisation_queued_for_a_minute_says_no_worker_picked_it_up(self, signed_in, url):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        scenario = queued_scenario(seconds_ago=60)
        page = client.get(url.format(pk=scenario.pk)).content.decode()
        assert NO_WORKER in page
        assert "pegasus db_worker" in page

    def test_optimisation_just_queued_says_nothing_yet(self, signed_in):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        scenario = queued_scenario(seconds_ago=1)
        page = client.get(f"/scenarios/{scenario.pk}/progress/").content.decode()
        assert "Queued" in page
        assert 'data-testid="queue-notice"' not in page

    def test_optimisation_waiting_behind_other_work_says_the_worker_is_busy(self, signed_in):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        scenario = queued_scenario(seconds_ago=60)
        running_task()
        page = client.get(f"/scenarios/{scenario.pk}/progress/").content.decode()
        assert BUSY in page
