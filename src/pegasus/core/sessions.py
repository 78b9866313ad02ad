"""Sessions in the database, findable by user, so that the server can end them.

Signing out deletes the session's row, so a copied cookie is worth nothing afterwards (a signed cookie stayed valid
for its whole age). A user's other sessions are ended in two ways:

- Every session carries Django's session hash, an HMAC of the user's password hash, and `get_user` compares it
  with the user it has just loaded on every request (no extra query). A new password, set by any path at all,
  makes every older session fail that check and be flushed.
- The session row carries the user's id (`UserSession.user_id`, written by `SessionStore` in the same statement
  that saves the session), so disabling a user or changing their password deletes all their rows at once with one
  indexed DELETE; without that column the only way to find them is to decode every session in the table. The
  hash alone cannot cover disabling: an inactive user is refused on each request, but were they enabled again
  their old sessions, with an unchanged password hash, would come back to life. A separate index table (user ->
  session keys) would cost a second write at every sign-in and could drift from the sessions it points at.

The rows are deleted from the User model's signals because that is the one place every way of disabling a user or
changing a password passes through: the admin's change and password forms, `pegasus changepassword`, the password
page and any service or shell that saves the user. A queryset `update()` passes no signal; the hash check and the
per-request `is_active` check still refuse such sessions, and `pegasus clearsessions` (run hourly from cron, see
the README) removes expired rows.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

# What a saved user must change for their sessions to end: a new password, or no longer being active.
_FIELDS_THAT_END_SESSIONS = frozenset({"password", "is_active"})


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from pegasus.core.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = str(data.get(SESSION_KEY) or "")
        session.user_id = int(user_id) if user_id.isdigit() else None
        return session


def user_sessions_end(*, user_id: int) -> int:
    """Delete every session of one user; returns how many there were."""
    from pegasus.core.models import UserSession

    deleted, _ = UserSession.objects.filter(user_id=user_id).delete()
    return deleted


def on_user_saving(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Note, before a user is saved, whether the save takes away their password or their being active."""
    instance._pegasus_ends_sessions = False
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _FIELDS_THAT_END_SESSIONS & set(update_fields):
        return  # the sign-in's own `last_login` update, among others
    before = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    instance._pegasus_ends_sessions = before["password"] != instance.password or (
        before["is_active"] and not instance.is_active
    )


def on_user_saved(sender, instance, raw=False, **kwargs) -> None:
    # After the row is written, in the same transaction: a save that fails ends no sessions.
    if getattr(instance, "_pegasus_ends_sessions", False):
        instance._pegasus_ends_sessions = False
        user_sessions_end(user_id=instance.pk)
