from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "pegasus.publication"
    label = "publication"
    verbose_name = "Publication"
