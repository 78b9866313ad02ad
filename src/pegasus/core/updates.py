"""Changing a model in place, the one way every service does it (after HackSoft's `model_update`)."""

from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from django.db import models

from pegasus.core.exceptions import RuleViolation
from pegasus.core.field_bounds import full_clean

NOT_A_FIELD = "{name} is not a {model} field"

M = TypeVar("M", bound=models.Model)


def attributed(instance: M, by: Any) -> M:
    """`instance`, its next history row naming `by`: django-simple-history takes the user from the request, and a
    command, a task or the demo has none, so the service says who (nobody, for a user not signed in)."""
    if getattr(by, "is_authenticated", False):
        instance._history_user = by  # type: ignore[attr-defined]
    return instance


def model_update(
    instance: M,
    *,
    data: Mapping[str, Any],
    allowed: Collection[str] | None = None,
    clean: Callable[[M], None] | None = full_clean,
    check: Callable[[], None] | None = None,
    history_user: Any = None,
) -> None:
    """Set `data` on `instance`, `clean` it, run the service's own `check`, and save.

    A name outside `allowed` is a RuleViolation before anything is set. `clean` is `core.field_bounds.full_clean`
    unless the service cleans in its own way, or None for what only Pegasus itself writes (a task's progress).
    `history_user` is who the history row names (`attributed`).
    """
    if allowed is not None:
        unknown = next((name for name in data if name not in allowed), None)
        if unknown is not None:
            raise RuleViolation(NOT_A_FIELD.format(name=unknown, model=instance._meta.verbose_name))
    for name, value in data.items():
        setattr(instance, name, value)
    if clean is not None:
        clean(instance)
    if check is not None:
        check()
    attributed(instance, history_user).save()
