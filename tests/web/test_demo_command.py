"""`pegasus demo` (what `make run` prints) lists every demo user one may sign in as, and tells the programme's story
at the programme's own moments, never at the moment it is loaded."""

from datetime import UTC, date, datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models

from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.models import AuditEvent
from pegasus.evaluation.models import Bid, Tender
from pegasus.governance.models import Decision
from pegasus.performance.models import TicketUpload

pytestmark = pytest.mark.django_db


def test_the_sign_in_list_names_every_user_the_demo_made(capsys):
    # when the demo loads
    call_command("demo")

    # then every user it made, the tender's second evaluator included, is in the list it prints
    out = capsys.readouterr().out
    listed = {line.split()[0] for line in out.split("Demo sign-ins", 1)[1].splitlines()[1:] if line.strip()}
    assert listed == set(get_user_model().objects.values_list("username", flat=True))
    assert "evaluator2" in listed


# Records the demo does not make in the programme's story: the task queue's own times (read against the real clock,
# as the queue notice's wait) and the market view's real public releases, dated by their publishers and imported now.
NOT_OF_THE_STORY = {"django_tasks_database.dbtaskresult", "publication.marketimport", "publication.marketrelease"}
NOT_OF_THE_STORY |= {"publication.marketprocess"}
STORY_ENDS = datetime(2024, 1, 1, tzinfo=UTC)


def _instants_after(cut: datetime) -> list[str]:
    """Every date-time value in the database later than `cut`, as 'model.field = value', outside the exceptions."""
    found = []
    for model in apps.get_models():
        if model._meta.label_lower in NOT_OF_THE_STORY:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateTimeField):
                continue
            rows = model._base_manager.filter(**{f"{field.name}__gt": cut})
            if model is AuditEvent:
                rows = rows.exclude(action="publication.market-import")
            found += [
                f"{model._meta.label}.{field.name} = {value}" for value in rows.values_list(field.name, flat=True)
            ]
    return found


def test_every_instant_the_demo_records_is_of_the_programmes_own_time():
    # when the demo loads
    call_command("demo")

    # then no record, history version or audit event carries the moment the demo was loaded
    assert _instants_after(STORY_ENDS) == []


def test_the_demo_records_each_event_at_its_moment_in_the_story():
    # when the demo loads
    call_command("demo")

    # then the decision is signed, the tender issued and its bids received on the programme's days, in London
    def day(instant: datetime | None):
        assert instant is not None
        return instant.astimezone(LONDON_ZONE).date()

    assert day(Decision.objects.get(reference="PCD 579").decided_at) == date(2019, 6, 10)
    assert day(AuditEvent.objects.filter(action="decision.approved").get().at) == date(2019, 6, 10)
    tender = Tender.objects.get(reference="PEG-ITT-2019-01")
    assert day(tender.created_at) == date(2019, 9, 2)
    assert {day(b.received_at) for b in Bid.objects.all()} == {date(2019, 11, 4)}
    assert {day(u.uploaded_at) for u in TicketUpload.objects.all()} == {date(2019, 5, 7)}
    assert {day(u.date_joined) for u in get_user_model().objects.exclude(username="evaluator2")} == {date(2019, 4, 1)}
