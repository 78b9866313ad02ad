"""django-axes configured for Pegasus' sign-in rules (`pegasus.core.throttle`).

Axes records each failed sign-in (one row per name, address and browser, with a count and the last failure's time)
and asks its handler whether an attempt is allowed. Axes on its own has one limit and one cool-off for every group
it counts, which can express neither a short delay for a name at an address nor a slower limit per address, so the
handler below answers from the rules instead. Attempts refused during a delay are not counted
(AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off): the password is not tried, so they tell nobody anything, and
an owner who tries again too soon does not push their own delay back.
"""

from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from pegasus.core.throttle import Failures, ThrottlePolicy, client_address, sign_in_open_at


def throttle_policy() -> ThrottlePolicy:
    return ThrottlePolicy(
        pair_limit=settings.AXES_FAILURE_LIMIT,
        retry_delay=timedelta(seconds=settings.PEGASUS_LOGIN_RETRY_SECONDS),
        address_limit=settings.PEGASUS_LOGIN_ADDRESS_FAILURE_LIMIT,
        window=get_cool_off(),
    )


def request_client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the client's address, believing X-Forwarded-For only from PEGASUS_TRUSTED_PROXIES."""
    return client_address(
        remote_addr=request.META.get("REMOTE_ADDR"),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_proxies=settings.PEGASUS_TRUSTED_PROXIES,
    )


class SignInThrottle(AxesDatabaseHandler):
    """Axes' database handler, locking by the rules of `pegasus.core.throttle`."""

    def open_at(self, request, credentials: dict | None = None) -> datetime | None:
        """When this name may next be tried from this request's address; None if it may be tried now."""
        policy = throttle_policy()
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        username = get_client_username(request, credentials)
        # Every record at the address in the window: a few dozen rows at most, as the address locks at its limit.
        records = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gt=now - policy.window
        ).values_list("username", "attempt_time", "failures_since_start")
        at_address = [(name, Failures(last_at=at, count=count)) for name, at, count in records]
        return sign_in_open_at(
            pair=[failures for name, failures in at_address if name == username],
            address=[failures for _, failures in at_address],
            now=now,
            policy=policy,
        )

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return self.open_at(request, credentials) is not None

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Failures for this name at this address in the window (what axes compares with AXES_FAILURE_LIMIT)."""
        return (
            self._pair(request, credentials)
            .filter(attempt_time__gt=request.axes_attempt_time - throttle_policy().window)
            .aggregate(total=Sum("failures_since_start"))["total"]
            or 0
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # Axes has judged the name and address together; the address's own limit is judged here.
        if request is not None and not request.axes_locked_out and self.is_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a sign-in, forget that name's failures at that address only: the address's count stands, or a
        client could clear its own count by signing in to an account of its own between guesses."""
        count, _ = self._pair(request, credentials).delete()
        return count

    @staticmethod
    def _pair(request, credentials):
        username = get_client_username(request, credentials)
        return AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address)
