"""The whole OpenAPI document, fuzzed: every operation as a commercial officer and as a supplier user, with data
that fits the schema and data that does not. No answer may be a 5xx or break the documented schema.

Bounded for the suite: a few examples per operation, derandomized, no network (the schema and every call go
through the WSGI application in-process, on the test database).
"""

from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pegasus.core.models import ApiToken
from pegasus.core.roles import Role
from pegasus.evaluation import services as evaluation_services
from pegasus.evaluation.services import CriterionSpec
from pegasus.finance import services as finance_services
from pegasus.procurement import services as procurement_services
from tests.factories import (
    ContractFactory,
    OptionFactory,
    OrganisationFactory,
    SpendFactory,
    SupplierFactory,
    TowerFactory,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 8
ROLES = [Role.COMMERCIAL_OFFICER, Role.SUPPLIER_USER]


# The document is read from the application itself, as a client would read it, when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())


@pytest.fixture(autouse=True)
def in_the_tests_transaction():
    """Calls reach the WSGI application in-process and stay in the test's transaction, as the test client's do:
    the end of each request must not close the connection that holds it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def small_estate(db, make_user):
    """Something to find: two suppliers, a contract each with an option and spend, the towers' codes in use; a
    budget line with an approval and a commitment under it, so that writes reach the ledgers' own rules; and a
    procurement replacing a contract, with a tender of one lot, a criterion and a bid."""
    ours, theirs = SupplierFactory(name="Ours Ltd"), SupplierFactory(name="Theirs plc")
    networks = TowerFactory(code="networks", name="Networks", position=1)
    authority = OrganisationFactory()
    for supplier in (ours, theirs):
        contract = ContractFactory(supplier=supplier, authority=authority, towers=[(networks, Decimal(100))])
        OptionFactory(contract=contract, sequence=1, length_months=12)
        SpendFactory(contract=contract, month=date(2019, 1, 1), amount=Decimal("1000.00"))
    procurement = procurement_services.procurement_create(
        contracts=[contract],
        by=None,
        reference="string",
        title="A procurement",
        starts_on=date(2019, 9, 2),
        route="open",
        annual_value=Decimal("1000000.00"),
        term_months=36,
        extension_months=12,
    )
    officer = make_user(Role.COMMERCIAL_OFFICER, username="tender-officer")
    tender = evaluation_services.tender_create(
        reference="string", title="A tender", lots=["A lot"], procurement=procurement, by=officer
    )
    lot = tender.lots.get()
    evaluation_services.lot_criteria_set(
        lot=lot,
        criteria=[CriterionSpec("price", "Price", "price", Decimal(100), price_method="lowest-price-ratio")],
        by=officer,
    )
    evaluation_services.bid_add(lot=lot, bidder_name="Bidder Ltd", price=Decimal("900000.00"), by=officer)
    finance_services.budget_line_save(code="string", name="A line", parent=None, by=None)
    finance_services.approval_save(
        reference="string",
        line="string",
        amount=Decimal("1000.00"),
        approved_on=date(2019, 6, 1),
        decision=None,
        by=None,
    )
    finance_services.commitment_save(
        reference="string",
        line="string",
        approval="string",
        supplier="Ours Ltd",
        description="",
        raised_on=date(2019, 6, 1),
        amount=Decimal("500.00"),
        cancelled_on=None,
        contract=None,
        by=None,
    )
    return ours


@pytest.fixture
def bearers(make_user, small_estate) -> dict:
    """An Authorization header for each role: the supplier user works for one of the two suppliers."""
    headers = {}
    for role in ROLES:
        user = make_user(role, supplier=small_estate if role == Role.SUPPLIER_USER else None)
        _, key = ApiToken.issue(user=user, name="fuzz")
        headers[role] = {"Authorization": f"Bearer {key}"}
    return headers


def bounded(test):
    """A few examples per operation, the same ones every run."""
    return schema.parametrize()(
        settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )(pytest.mark.django_db(test))
    )


@bounded
def test_as_a_commercial_officer_no_operation_answers_5xx_or_outside_its_schema(case, bearers):
    case.call_and_validate(headers=bearers[Role.COMMERCIAL_OFFICER], checks=CHECKS)


@bounded
def test_as_a_supplier_user_no_operation_answers_5xx_or_outside_its_schema(case, bearers):
    case.call_and_validate(headers=bearers[Role.SUPPLIER_USER], checks=CHECKS)
