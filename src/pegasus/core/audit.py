"""The audit trail: `audit_record` is called by every service that changes something."""

from django.db import models

from pegasus.core import clock
from pegasus.core.models import AuditEvent
from pegasus.core.types import User


def audit_record(
    *, action: str, by: User | None, obj: models.Model | None = None, summary: str, data: dict | None = None
) -> AuditEvent:
    """Append one audit event; `by` may be None for the system (a migration, the demo loader)."""
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=by if getattr(by, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:500],
        data=data or {},
    )


def on_sign_in(sender, request, user, **kwargs) -> None:
    audit_record(action="auth.sign-in", by=user, obj=user, summary=f"{user.get_username()} signed in")


def on_sign_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action="auth.sign-out", by=user, obj=user, summary=f"{user.get_username()} signed out")


def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(action="auth.sign-in-failed", by=None, summary=f"Failed sign-in as {username!r}")
