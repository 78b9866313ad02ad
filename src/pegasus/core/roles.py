"""Roles are Django groups; object rules (django-rules) decide what each role may do to which object.

The groups are created by a data migration; `has_role` is the one check every rule uses.
"""

import rules
from django.db import models


class Role(models.TextChoices):
    COMMERCIAL_OFFICER = "commercial-officer", "Commercial officer"
    PROGRAMME_DIRECTOR = "programme-director", "Programme director"
    FINANCE = "finance", "Finance"
    LEGAL = "legal", "Legal"
    EVALUATOR = "evaluator", "Evaluator"
    APPROVER = "approver", "Approver"
    SUPPLIER_USER = "supplier-user", "Supplier user"
    AUDITOR = "auditor", "Auditor"


# Staff of the authority: everyone but the suppliers' own people.
INTERNAL_ROLES = frozenset(Role) - {Role.SUPPLIER_USER}


def roles_of(user) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_pegasus_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._pegasus_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


# The predicates every app's permission rules start from.
@rules.predicate
def is_internal(user) -> bool:
    return has_role(user, *INTERNAL_ROLES)


@rules.predicate
def is_commercial(user) -> bool:
    return has_role(user, Role.COMMERCIAL_OFFICER)


@rules.predicate
def is_supplier_user(user) -> bool:
    return has_role(user, Role.SUPPLIER_USER)
