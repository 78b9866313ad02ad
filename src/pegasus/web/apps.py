from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "pegasus.web"
    label = "web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        from pegasus.web import checks  # noqa: F401  (registers the deployment checks)
