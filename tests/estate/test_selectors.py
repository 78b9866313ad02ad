"""The contract list pages agree with the term rules applied to every contract, whatever the filter or sort."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from pegasus.core.roles import Role
from pegasus.estate import selectors
from pegasus.estate.selectors import ContractFilters
from tests.factories import ContractFactory, OptionFactory, TowerFactory

pytestmark = pytest.mark.django_db
AS_AT = date(2019, 5, 23)


@pytest.fixture
def estate():
    rng = random.Random(579)
    towers = [TowerFactory(code=f"t{i}") for i in range(3)]
    for n in range(40):
        start = date(2015, 1, 1) + timedelta(days=rng.randint(0, 1500))
        renewal = rng.choice(["none", "none", "tacit", "express"])
        contract = ContractFactory(
            start_date=start,
            initial_end_date=start + timedelta(days=rng.randint(300, 1800)),
            renewal_type=renewal,
            renewal_period_months=12 if renewal != "none" else 0,
            max_renewals=None if renewal == "tacit" else 1,
            total_value=Decimal(rng.randint(1, 9) * 10**6),
            towers=[(towers[n % 3], Decimal(100))],
        )
        for sequence in range(1, rng.randint(1, 3)):
            OptionFactory(
                contract=contract,
                sequence=sequence,
                length_months=rng.choice([6, 12]),
                state=rng.choice(["available", "exercised", "lapsed"]),
            )


def every_row(user, filters):
    """The slow, obvious answer: every contract's row from its own options, then filter and sort."""
    return selectors.all_contract_rows(user=user, filters=filters, as_at=AS_AT)


@pytest.mark.parametrize(
    "filters",
    [
        ContractFilters(sort="end"),
        ContractFilters(sort="end", descending=True, expiring_within=24),
        ContractFilters(expiring_within=12, sort="value", descending=True),
        ContractFilters(sort="supplier"),
        ContractFilters(tower="t1", sort="reference", descending=True),
    ],
)
def test_every_page_matches_the_rules_applied_to_every_contract(filters, estate, make_user):
    user = make_user(Role.COMMERCIAL_OFFICER)
    expected = [(r.contract.reference, r.current_end) for r in every_row(user, filters)]
    pages = []
    for page in (1, 2, 3):
        rows, total = selectors.contract_list(user=user, filters=filters, as_at=AS_AT, page=page, per_page=15)
        assert total == len(expected)
        pages += [(r.contract.reference, r.current_end) for r in rows]
    if filters.sort in {"end", "reference"}:
        assert pages == expected
    else:  # ties in value or supplier may fall either side of a page break, but every row appears once
        assert sorted(pages) == sorted(expected)
