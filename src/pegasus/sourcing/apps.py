from django.apps import AppConfig


class SourcingConfig(AppConfig):
    name = "pegasus.sourcing"
    label = "sourcing"
    verbose_name = "Sourcing"
