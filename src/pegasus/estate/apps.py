from django.apps import AppConfig


class EstateConfig(AppConfig):
    name = "pegasus.estate"
    label = "estate"
    verbose_name = "ICT estate"

    def ready(self) -> None:
        from pegasus.core.backends import user_load_register
        from pegasus.estate import permissions  # registers the object rules

        user_load_register(permissions.SUPPLIER_IDS_LOAD)
