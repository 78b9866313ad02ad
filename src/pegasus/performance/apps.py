from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "pegasus.performance"
    label = "performance"
    verbose_name = "Performance"
