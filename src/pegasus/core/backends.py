"""Authentication backend: loads the user with their roles and suppliers in one query.

Pegasus grants permissions through roles and object rules (django-rules), never through Django's per-model
permission tables, so this backend answers "no extra permissions" without asking the database. Superusers
(the admin site) are allowed everything by Django itself before any backend is asked.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast

from pegasus.core.db import GroupConcat


class PegasusBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        roles = (
            Group.objects.filter(user=OuterRef("pk")).values("user").annotate(names=GroupConcat("name")).values("names")
        )
        users = User._default_manager.annotate(role_names=Subquery(roles, output_field=CharField()))
        if hasattr(User, "supplier_memberships"):
            from pegasus.estate.models import SupplierMembership

            suppliers = (
                SupplierMembership.objects.filter(user=OuterRef("pk"))
                .values("user")
                .annotate(ids=GroupConcat(Cast("supplier_id", CharField())))
                .values("ids")
            )
            users = users.annotate(supplier_id_list=Subquery(suppliers, output_field=CharField()))
        try:
            user = users.get(pk=user_id)
        except User.DoesNotExist:
            return None
        user._pegasus_roles = frozenset(filter(None, (user.role_names or "").split(", ")))
        user._pegasus_supplier_ids = frozenset(int(i) for i in filter(None, (user.supplier_id_list or "").split(", ")))
        return user if self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
