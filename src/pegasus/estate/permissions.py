"""Who may do what to the estate: django-rules predicates, checked by pages and the API alike.

Staff of the authority read the whole estate; a supplier user reads only its own supplier's contracts and spend.
Commercial officers create and change contracts and suppliers; finance records spend; auditors read everything,
including the audit trail, and change nothing.
"""

import rules
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast

from pegasus.core.backends import UserLoad
from pegasus.core.db import GroupConcat
from pegasus.core.roles import Role, has_role, is_commercial, is_internal, is_supplier_user
from pegasus.estate.models import SupplierMembership


@rules.predicate
def is_finance(user) -> bool:
    return has_role(user, Role.FINANCE)


@rules.predicate
def is_approver(user) -> bool:
    return has_role(user, Role.APPROVER)


@rules.predicate
def is_legal(user) -> bool:
    return has_role(user, Role.LEGAL)


@rules.predicate
def is_auditor(user) -> bool:
    return has_role(user, Role.AUDITOR)


def supplier_ids_of(user) -> frozenset[int]:
    """The suppliers a supplier user works for, cached on the user for the request."""
    cached = getattr(user, "_pegasus_supplier_ids", None)
    if cached is None:
        cached = frozenset(user.supplier_memberships.values_list("supplier_id", flat=True))
        user._pegasus_supplier_ids = cached
    return cached


def _annotate_supplier_ids(users):
    suppliers = (
        SupplierMembership.objects.filter(user=OuterRef("pk"))
        .values("user")
        .annotate(ids=GroupConcat(Cast("supplier_id", CharField())))
        .values("ids")
    )
    return users.annotate(supplier_id_list=Subquery(suppliers, output_field=CharField()))


def _attach_supplier_ids(user) -> None:
    user._pegasus_supplier_ids = frozenset(int(i) for i in filter(None, (user.supplier_id_list or "").split(", ")))


# A supplier user's suppliers, loaded with the user at sign-in (registered by the app's `ready()`).
SUPPLIER_IDS_LOAD = UserLoad(annotate=_annotate_supplier_ids, attach=_attach_supplier_ids)


@rules.predicate
def is_own_contract(user, contract) -> bool:
    return contract is not None and is_supplier_user(user) and contract.supplier_id in supplier_ids_of(user)


@rules.predicate
def is_own_supplier(user, supplier) -> bool:
    return supplier is not None and is_supplier_user(user) and supplier.pk in supplier_ids_of(user)


can_view_estate = is_internal | is_supplier_user

rules.add_perm("estate.view_estate", is_internal | is_supplier_user)
rules.add_perm("estate.view_dashboard", is_internal)
rules.add_perm("estate.view_contract", is_internal | is_own_contract)
rules.add_perm("estate.add_contract", is_commercial)
rules.add_perm("estate.change_contract", is_commercial)
rules.add_perm("estate.import_contracts", is_commercial)
rules.add_perm("estate.view_supplier", is_internal | is_own_supplier)
rules.add_perm("estate.add_supplier", is_commercial)
rules.add_perm("estate.change_supplier", is_commercial)
rules.add_perm("estate.view_spend", is_internal | is_own_contract)
rules.add_perm("estate.add_spend", is_commercial | is_finance)
rules.add_perm("estate.import_spend", is_commercial | is_finance)
rules.add_perm("estate.view_tower", is_internal | is_supplier_user)
rules.add_perm("core.view_auditevent", is_auditor)
# Contract changes: staff read them; commercial officers propose them, make them effective or withdraw them;
# approvers and commercial officers approve them (the service asks what the scheme asks); legal gives rationale.
rules.add_perm("estate.view_changes", is_internal)
rules.add_perm("estate.approve_change", is_commercial | is_approver)
rules.add_perm("estate.record_change_rationale", is_legal)
