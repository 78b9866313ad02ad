from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pegasus.core"
    label = "core"
    verbose_name = "Core"
