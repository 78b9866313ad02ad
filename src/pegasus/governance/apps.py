from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "pegasus.governance"
    label = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        from pegasus.governance import permissions  # noqa: F401  (registers the object rules)
