from django.apps import AppConfig


class SourcingConfig(AppConfig):
    name = "pegasus.sourcing"
    label = "sourcing"
    verbose_name = "Sourcing"

    def ready(self) -> None:
        from pegasus.sourcing import permissions  # noqa: F401  (registers the object rules)
