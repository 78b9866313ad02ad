"""Bearer-token authentication for the API, against `ApiToken` (only the key's SHA-256 is stored)."""

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from pegasus.core.models import ApiToken

# Writing last_used_at on every call would turn each read into a write; a minute's precision is enough to tell
# a live token from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`; a revoked token, or one whose user is inactive, is refused (401)."""

    def authenticate(self, request, token: str):
        if not token:
            return None
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        # The services and django-simple-history attribute changes to request.user.
        request.user = api_token.user
        return api_token.user
