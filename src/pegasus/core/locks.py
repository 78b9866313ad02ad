"""Fetching a row and locking it until the transaction ends, the one way every service does it.

A transition reads the row it changes with `SELECT ... FOR UPDATE` so that two people acting at once are
serialised: the second reads the first's result, and its guard refuses what is no longer allowed.
"""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def locked(model: type[M], pk: Any, *, related: Sequence[str] = ()) -> M:
    """The row of `model` with primary key `pk`, fresh from the database and locked for the transaction, with the
    `related` rows joined; `model.DoesNotExist` when there is none. Call it inside `transaction.atomic`."""
    rows = model._default_manager.select_for_update()
    if related:
        rows = rows.select_related(*related)
    return rows.get(pk=pk)


def locked_where(model: type[M], **key: Any) -> M | None:
    """The row of `model` that `key` (a natural key: a reference, a contract and month) names, locked for the
    transaction as `locked` locks it; None when there is none yet, for a service that then creates it."""
    return model._default_manager.select_for_update().filter(**key).first()
