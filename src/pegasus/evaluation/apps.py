from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "pegasus.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation"

    def ready(self) -> None:
        from pegasus.evaluation import permissions  # noqa: F401  (registers the object rules)
