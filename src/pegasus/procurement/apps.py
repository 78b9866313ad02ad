from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "pegasus.procurement"
    label = "procurement"
    verbose_name = "Procurement"
