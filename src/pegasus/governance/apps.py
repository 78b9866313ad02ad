from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "pegasus.governance"
    label = "governance"
    verbose_name = "Governance"
