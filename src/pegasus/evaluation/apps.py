from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "pegasus.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation"
