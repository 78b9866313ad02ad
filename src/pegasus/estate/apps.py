from django.apps import AppConfig


class EstateConfig(AppConfig):
    name = "pegasus.estate"
    label = "estate"
    verbose_name = "ICT estate"

    def ready(self) -> None:
        from pegasus.estate import permissions  # noqa: F401  (registers the object rules)
