"""Authentication backend: loads the user with their roles, and whatever the domains add, in one query.

Pegasus grants permissions through roles and object rules (django-rules), never through Django's per-model
permission tables, so this backend answers "no extra permissions" without asking the database. Superusers
(the admin site) are allowed everything by Django itself before any backend is asked.

Core names no domain: a domain that caches facts about the user for a request (the estate, a supplier user's
suppliers) registers a `UserLoad` from its app's `ready()`, and the backend adds it to the same query.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import CharField, OuterRef, QuerySet, Subquery

from pegasus.core.db import GroupConcat


@dataclass(frozen=True)
class UserLoad:
    """One domain's part of the sign-in query: `annotate` adds its columns, `attach` caches them on the user."""

    annotate: Callable[[QuerySet[Any]], QuerySet[Any]]
    attach: Callable[[Any], None]


_user_loads: list[UserLoad] = []


def user_load_register(load: UserLoad) -> None:
    """Adds a domain's part to the query that loads the signed-in user; registering the same part again is a no-op."""
    if load not in _user_loads:
        _user_loads.append(load)


class PegasusBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        roles = (
            Group.objects.filter(user=OuterRef("pk")).values("user").annotate(names=GroupConcat("name")).values("names")
        )
        users = User._default_manager.annotate(role_names=Subquery(roles, output_field=CharField()))
        for load in _user_loads:
            users = load.annotate(users)
        try:
            user = users.get(pk=user_id)
        except User.DoesNotExist:
            return None
        user._pegasus_roles = frozenset(filter(None, (user.role_names or "").split(", ")))
        for load in _user_loads:
            load.attach(user)
        return user if self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
