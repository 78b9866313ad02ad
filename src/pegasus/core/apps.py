from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pegasus.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.contrib.auth import signals

        from pegasus.core import audit

        # Signing in and out only reach Pegasus as Django's signals; they are actions and are audited too.
        signals.user_logged_in.connect(audit.on_sign_in, dispatch_uid="pegasus-audit-sign-in")
        signals.user_logged_out.connect(audit.on_sign_out, dispatch_uid="pegasus-audit-sign-out")
        signals.user_login_failed.connect(audit.on_sign_in_failed, dispatch_uid="pegasus-audit-sign-in-failed")
