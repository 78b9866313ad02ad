"""Account pages: changing one's own password, and the page shown while sign-in is held back."""

import math
from datetime import datetime, timedelta

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone

from pegasus.core.audit import audit_record
from pegasus.core.sign_in import SignInThrottle, throttle_policy


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password: every other session of the user ends, this one carries on (see core.sessions)."""

    template_name = "web/account/password_change.html"
    success_url = reverse_lazy("password-change-done")

    def form_valid(self, form):
        # The new password, the end of the other sessions and the audit event stand or fall together.
        with transaction.atomic():
            response = super().form_valid(form)
            user = form.user
            audit_record(
                action="auth.password-change", by=user, obj=user, summary=f"{user.get_username()} changed password"
            )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "web/account/password_change_done.html"


def clock_time(at: datetime) -> str:
    """A time as GOV.UK writes it, in London: 1:01pm, 9am, midday, midnight."""
    local = timezone.localtime(at)
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def sign_in_locked(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: say when sign-in may be tried again (429, with Retry-After in seconds)."""
    now = timezone.now()
    opens = SignInThrottle().open_at(request, credentials) or now + throttle_policy().retry_delay
    wait = max(1, math.ceil((opens - now).total_seconds()))
    # Shown to the minute, rounded up, so that trying at the time shown always works.
    shown = opens.replace(second=0, microsecond=0)
    if shown < opens:
        shown += timedelta(minutes=1)
    response = render(
        request,
        "web/account/sign_in_locked.html",
        {"try_again_at": clock_time(shown), "minutes": math.ceil(wait / 60)},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
