from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "pegasus.programme"
    label = "programme"
    verbose_name = "Programme control"

    def ready(self) -> None:
        from pegasus.programme import permissions  # noqa: F401  (registers the object rules)
