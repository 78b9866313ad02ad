"""Procurement fixtures: contracts to replace, and a procurement built through the service."""

from datetime import date
from decimal import Decimal

import pytest

from pegasus.procurement import services
from tests.factories import ContractFactory, OptionFactory


@pytest.fixture
def contract(db):
    """A contract ending 31 March 2021 with a 12-month option still available."""
    contract = ContractFactory(reference="C-REPLACED", start_date=date(2018, 4, 1), initial_end_date=date(2021, 3, 31))
    OptionFactory(contract=contract, sequence=1, length_months=12)
    return contract


@pytest.fixture
def make_procurement(contract):
    def make(*, by=None, contracts=None, **fields):
        values = {
            "reference": "PROC-1",
            "title": "Replacement of the service desk",
            "starts_on": date(2019, 9, 2),
            "route": "open",
            "annual_value": Decimal("1000000.00"),
            "term_months": 36,
            "extension_months": 12,
        } | fields
        return services.procurement_create(contracts=contracts or [contract], by=by, **values)

    return make
