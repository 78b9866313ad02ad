from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "pegasus.web"
    label = "web"
    verbose_name = "Web pages"
