"""The user a service acts for: `by=user` in every `<entity>_<verb>(*, ..., by=user)`.

Pegasus keeps Django's own user model (`settings.AUTH_USER_MODEL` is `auth.User`). `by=None` is the system: the demo
loader, a command, a background job whose upload has lost its uploader; the audit trail then names no one.
Importing this module imports `django.contrib.auth.models`, so only modules that load models (services, selectors)
import it, never a pure rule.
"""

from django.contrib.auth.models import User

__all__ = ["User"]
