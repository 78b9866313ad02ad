"""Account pages: changing one's own password."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from pegasus.core.audit import audit_record


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password: every other session of the user ends, this one carries on (see core.sessions)."""

    template_name = "web/account/password_change.html"
    success_url = reverse_lazy("password-change-done")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        audit_record(
            action="auth.password-change", by=user, obj=user, summary=f"{user.get_username()} changed password"
        )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "web/account/password_change_done.html"
