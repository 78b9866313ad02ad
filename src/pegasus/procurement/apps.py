from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "pegasus.procurement"
    label = "procurement"
    verbose_name = "Procurement"

    def ready(self) -> None:
        from pegasus.procurement import permissions  # noqa: F401  (registers the object rules)
