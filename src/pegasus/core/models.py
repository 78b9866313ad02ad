"""Core models: the append-only audit event, API tokens and signed-in sessions."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone

from pegasus.core.exceptions import RuleViolation

AUDIT_EVENTS_ARE_APPEND_ONLY = "Audit events are append-only: they cannot be changed or deleted."


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RuleViolation(AUDIT_EVENTS_ARE_APPEND_ONLY)

    def delete(self):
        raise RuleViolation(AUDIT_EVENTS_ARE_APPEND_ONLY)


class AuditEvent(models.Model):
    """One action by one user (or the system) on one object. Written once, never changed."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuleViolation(AUDIT_EVENTS_ARE_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuleViolation(AUDIT_EVENTS_ARE_APPEND_ONLY)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is kept; the token itself is shown once, when made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user, name: str) -> tuple["ApiToken", str]:
        key = "pg_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key)), key


class UserSession(AbstractBaseSession):
    """A signed-in browser's session, kept in the database with the id of the user it signed in.

    The user id is copied out of the session data when the session is saved (at sign-in, in the same INSERT), so
    that every session of one user can be found and deleted when they are disabled or their password changes,
    without decoding every session. See `pegasus.core.sessions`.
    """

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        db_table = "core_user_session"

    @classmethod
    def get_session_store_class(cls):
        from pegasus.core.sessions import SessionStore

        return SessionStore
