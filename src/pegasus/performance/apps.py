from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "pegasus.performance"
    label = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        from pegasus.performance import permissions  # noqa: F401  (registers the object rules)
