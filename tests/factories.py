"""factory-boy factories for the estate, named after what they make."""

from datetime import date
from decimal import Decimal

import factory

from pegasus.estate.models import (
    Contract,
    ContractTower,
    ExtensionOption,
    Organisation,
    ServiceTower,
    Spend,
    Supplier,
)

# The office the MOPAC scheme names for contract changes below its reserved decisions (4.13: £500,000).
DELEGATED_OFFICER = "Delegated officer (MPS Chief Financial Officer)"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = "Mayor's Office for Policing and Crime"
    short_name = "MOPAC"
    kind = Organisation.Kind.CONTRACTING_AUTHORITY


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    companies_house_number = factory.Sequence(lambda n: f"{10000000 + n}")


class TowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceTower
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tower-{n}")
    name = factory.Sequence(lambda n: f"Tower {n}")


class ContractFactory(factory.django.DjangoModelFactory):
    """An active contract: 1 Apr 2016 for 36 months, one tower at 100%."""

    class Meta:
        model = Contract
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"C-{n:05d}")
    title = factory.Sequence(lambda n: f"Contract {n}")
    supplier = factory.SubFactory(SupplierFactory)
    authority = factory.SubFactory(OrganisationFactory)
    start_date = date(2016, 4, 1)
    initial_end_date = date(2019, 3, 31)
    notice_period_months = 3
    total_value = Decimal("3600000.00")
    annual_value = Decimal("1200000.00")

    @factory.post_generation
    def towers(self, create, extracted, **kwargs):
        if not create:
            return
        for tower, share in extracted or [(TowerFactory(), Decimal(100))]:
            ContractTower.objects.create(contract=self, tower=tower, share_percent=share)


class TacitRenewalContractFactory(ContractFactory):
    """The case GLPI cannot hold: a 36-month term, a 12-month tacit renewal and 3 months' notice."""

    renewal_type = "tacit"
    renewal_period_months = 12


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExtensionOption

    contract = factory.SubFactory(ContractFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    length_months = 12


class SpendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spend

    contract = factory.SubFactory(ContractFactory)
    month = date(2019, 1, 1)
    amount = Decimal("100000.00")
