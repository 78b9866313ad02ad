from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "pegasus.publication"
    label = "publication"
    verbose_name = "Publication"

    def ready(self) -> None:
        from pegasus.publication import permissions  # noqa: F401  (registers the market view's rules)
