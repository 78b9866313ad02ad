from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pegasus.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model, signals
        from django.db.models.signals import post_save, pre_save
        from simple_history.signals import pre_create_historical_record

        from pegasus.core import audit, clock, sessions

        # Signing in and out only reach Pegasus as Django's signals; they are actions and are audited too.
        signals.user_logged_in.connect(audit.on_sign_in, dispatch_uid="pegasus-audit-sign-in")
        signals.user_logged_out.connect(audit.on_sign_out, dispatch_uid="pegasus-audit-sign-out")
        signals.user_login_failed.connect(audit.on_sign_in_failed, dispatch_uid="pegasus-audit-sign-in-failed")
        # Disabling a user or changing their password ends their sessions, by whatever path the user is saved.
        user_model = get_user_model()
        pre_save.connect(sessions.on_user_saving, sender=user_model, dispatch_uid="pegasus-sessions-user-saving")
        post_save.connect(sessions.on_user_saved, sender=user_model, dispatch_uid="pegasus-sessions-user-saved")
        # The demo tells the programme's story at its own instants: history versions take the story's instant too.
        pre_create_historical_record.connect(clock.on_history_record, dispatch_uid="pegasus-clock-history-record")
