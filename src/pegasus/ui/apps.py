from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "pegasus.ui"
    label = "ui"
    verbose_name = "Page kit"
