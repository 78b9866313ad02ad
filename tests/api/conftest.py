"""API fixtures: a client that sends a bearer token, users by role with tokens, a small estate; and the evaluation's
small tender and the publication's every demo, shared with those apps' tests."""

from datetime import date
from decimal import Decimal

import pytest

from pegasus.core.models import ApiToken
from tests.evaluation.conftest import declared, moderated, scored, tender  # noqa: F401  (a small tender, evaluated)
from tests.factories import ContractFactory, SpendFactory, SupplierFactory, TowerFactory
from tests.publication.conftest import everything  # noqa: F401  (every demo at once)


class Api:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, client, key: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api{path}", params, headers=self.headers)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(f"/api{path}", body or {}, content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: dict):
        return self.client.patch(f"/api{path}", body, content_type="application/json", headers=self.headers)


@pytest.fixture
def api_as(client, make_user):
    """An API client holding a token for a new user with the given role."""

    def make(role: str, **kwargs) -> tuple[Api, object]:
        user = make_user(role, **kwargs)
        _, key = ApiToken.issue(user=user, name="tests")
        return Api(client, key), user

    return make


@pytest.fixture
def estate():
    """Two suppliers with a contract and a month's spend each; the supplier user works for `ours`."""
    ours, theirs = SupplierFactory(name="Ours Ltd"), SupplierFactory(name="Theirs plc", is_sme=True)
    networks = TowerFactory(code="networks", name="Networks", position=2)
    siam = TowerFactory(code="siam", name="Service Integration & Management", position=1)
    own = ContractFactory(reference="C-OURS", supplier=ours, towers=[(networks, Decimal(70)), (siam, Decimal(30))])
    other = ContractFactory(reference="C-THEIRS", supplier=theirs, towers=[(siam, Decimal(100))])
    SpendFactory(contract=own, month=date(2019, 1, 1), amount=Decimal("1000.50"))
    SpendFactory(contract=other, month=date(2019, 1, 1), amount=Decimal("2000.00"))
    return {"ours": ours, "theirs": theirs, "own": own, "other": other, "siam": siam, "networks": networks}
