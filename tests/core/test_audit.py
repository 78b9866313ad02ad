"""The audit trail is append-only."""

import pytest

from pegasus.core.audit import audit_record
from pegasus.core.exceptions import RuleViolation
from pegasus.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_changed():
    event = audit_record(action="test", by=None, summary="something happened")
    event.summary = "something else"
    with pytest.raises(RuleViolation, match="append-only"):
        event.save()
    assert AuditEvent.objects.get().summary == "something happened"


def test_an_event_cannot_be_deleted_one_by_one_or_in_bulk():
    event = audit_record(action="test", by=None, summary="kept")
    with pytest.raises(RuleViolation):
        event.delete()
    with pytest.raises(RuleViolation):
        AuditEvent.objects.all().delete()
    with pytest.raises(RuleViolation):
        AuditEvent.objects.update(summary="rewritten")
    assert AuditEvent.objects.get().summary == "kept"


def test_an_anonymous_actor_is_recorded_as_the_system(make_user):
    user = make_user("commercial-officer")
    assert audit_record(action="a", by=user, summary="x").actor == user
    assert audit_record(action="b", by=None, summary="y").actor is None


def test_the_database_itself_refuses_to_change_an_event():
    from django.db import DatabaseError, connection, transaction

    event = audit_record(action="test", by=None, summary="kept")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET summary = 'rewritten' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get().summary == "kept"


def test_signing_in_out_and_failing_are_audited(client, make_user):
    make_user("legal", username="lee")
    client.post("/sign-in/", {"username": "lee", "password": "wrong"})
    client.post("/sign-in/", {"username": "lee", "password": "correct-horse-battery"})
    client.post("/sign-out/")
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "auth.sign-in-failed",
        "auth.sign-in",
        "auth.sign-out",
    ]


def test_exports_are_audited_with_what_left(signed_in, demo):
    client, user = signed_in("finance")
    client.get("/contracts/export.csv?tier=1")
    event = AuditEvent.objects.get(action="contract.export")
    assert (event.actor, len(event.data["references"])) == (user, 6)
