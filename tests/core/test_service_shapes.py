"""The shapes every service shares: a change in place, a guard of a transition, a row fetched and locked."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from pegasus.core.exceptions import InvalidTransition, RuleViolation
from pegasus.core.locks import locked, locked_where
from pegasus.core.transitions import status_require, transition_require
from pegasus.core.updates import model_update
from pegasus.estate.models import Supplier
from tests.factories import SupplierFactory


class TestModelUpdate:
    @pytest.mark.django_db
    def test_sets_cleans_checks_and_saves(self):
        supplier = SupplierFactory(name="Old Ltd")
        checked = []
        model_update(supplier, data={"name": "New Ltd"}, check=lambda: checked.append(supplier.name))
        assert checked == ["New Ltd"]
        assert Supplier.objects.get(pk=supplier.pk).name == "New Ltd"

    @pytest.mark.django_db
    def test_a_name_outside_those_allowed_is_refused_before_anything_is_set(self):
        supplier = SupplierFactory(name="Old Ltd")
        with pytest.raises(RuleViolation, match="^is_sme is not a supplier field$"):
            model_update(supplier, data={"name": "New Ltd", "is_sme": True}, allowed={"name"})
        assert supplier.name == "Old Ltd"

    @pytest.mark.django_db
    def test_an_invalid_value_is_not_saved(self):
        supplier = SupplierFactory(name="Old Ltd")
        with pytest.raises(ValidationError):
            model_update(supplier, data={"companies_house_number": "not one"})
        assert Supplier.objects.get(pk=supplier.pk).companies_house_number != "not one"


class TestGuards:
    def test_an_allowed_transition_passes(self):
        transition_require(True, "never shown")
        status_require("draft", {"draft"}, "never shown")

    def test_a_refused_transition_raises_its_message(self):
        with pytest.raises(InvalidTransition, match="^no$"):
            transition_require(False, lambda: "no")

    def test_the_status_message_names_the_status_and_the_allowed_ones_in_order(self):
        with pytest.raises(
            InvalidTransition, match=r"^PCD 1 is approved: it can be changed only when draft or submitted\.$"
        ):
            status_require(
                "approved",
                {"submitted", "draft"},
                "{reference} is {status}: it can be {action} only when {allowed}.",
                reference="PCD 1",
                action="changed",
            )

    def test_a_name_given_replaces_the_raw_status(self):
        with pytest.raises(InvalidTransition, match="^Run 3 is running, not queued.$"):
            status_require("running", {"queued"}, "Run {run} is {status}, not queued.", run=3, status="running")


@pytest.mark.django_db
class TestLocked:
    def test_reads_the_row_afresh(self):
        supplier = SupplierFactory(name="Old Ltd")
        Supplier.objects.filter(pk=supplier.pk).update(name="New Ltd")
        with transaction.atomic():
            assert locked(Supplier, supplier.pk).name == "New Ltd"

    def test_no_row_is_does_not_exist(self):
        with transaction.atomic(), pytest.raises(Supplier.DoesNotExist):
            locked(Supplier, 0)


@pytest.mark.django_db
class TestLockedWhere:
    def test_reads_the_row_its_key_names_afresh(self):
        supplier = SupplierFactory(name="Old Ltd", companies_house_number="01234567")
        Supplier.objects.filter(pk=supplier.pk).update(name="New Ltd")
        with transaction.atomic():
            assert locked_where(Supplier, companies_house_number="01234567").name == "New Ltd"

    def test_no_row_is_none(self):
        with transaction.atomic():
            assert locked_where(Supplier, name="Nobody Ltd") is None
