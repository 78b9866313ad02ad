from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "pegasus.finance"
    label = "finance"
    verbose_name = "Finance"

    def ready(self) -> None:
        from pegasus.finance import permissions  # noqa: F401  (registers the object rules)
