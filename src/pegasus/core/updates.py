"""Changing a model in place, the one way every service does it (after HackSoft's `model_update`)."""

from collections.abc import Callable, Collection, Mapping
from typing import Any

from django.db import models

from pegasus.core.exceptions import RuleViolation
from pegasus.core.field_bounds import full_clean

NOT_A_FIELD = "{name} is not a {model} field"


def model_update(
    instance: models.Model,
    *,
    data: Mapping[str, Any],
    allowed: Collection[str] | None = None,
    check: Callable[[], None] | None = None,
    history_user=None,
) -> None:
    """Set `data` on `instance`, clean it (`core.field_bounds.full_clean`), run the service's own `check`, and save.

    A name outside `allowed` is a RuleViolation before anything is set. `history_user` is who the history row names,
    for a command or a task that has no request.
    """
    if allowed is not None:
        unknown = next((name for name in data if name not in allowed), None)
        if unknown is not None:
            raise RuleViolation(NOT_A_FIELD.format(name=unknown, model=instance._meta.verbose_name))
    for name, value in data.items():
        setattr(instance, name, value)
    full_clean(instance)
    if check is not None:
        check()
    if getattr(history_user, "is_authenticated", False):
        instance._history_user = history_user  # type: ignore[attr-defined]
    instance.save()
