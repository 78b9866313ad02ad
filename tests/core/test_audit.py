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
