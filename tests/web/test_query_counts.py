"""Every list page runs the same number of queries for 3 rows as for 30: no N+1."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.audit import audit_record
from pegasus.core.roles import Role
from tests.factories import ContractFactory, OptionFactory, SpendFactory, TowerFactory

pytestmark = pytest.mark.django_db


def make_contracts(n: int) -> None:
    towers = [TowerFactory(code=f"t{i}", name=f"Tower {i}") for i in range(3)]
    for i in range(n):
        contract = ContractFactory(towers=[(towers[i % 3], Decimal(60)), (towers[(i + 1) % 3], Decimal(40))])
        OptionFactory(contract=contract, sequence=1, state="exercised")
        OptionFactory(contract=contract, sequence=2)
        SpendFactory(contract=contract)
        audit_record(action="test", by=None, obj=contract, summary=f"event {i}")
        make_decision(i)


def make_decision(i: int) -> None:
    from django.contrib.auth.models import User

    from pegasus.governance.models import Decision
    from pegasus.governance.services import RecommendationSpec, decision_create

    officer, _ = User.objects.get_or_create(username="decision-officer")
    decision_create(
        by=officer,
        reference=f"PCD {Decision.objects.count() + 1}",
        title=f"Decision {i}",
        decision_type="business-case",
        executive_summary="Summary",
        value=Decimal(i),
        recommendations=[RecommendationSpec("note", "x")],
    )


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


LIST_PAGES = [
    ("/contracts/", Role.COMMERCIAL_OFFICER),
    ("/contracts/?sort=end&expiring=36&as_at=2018-06-01", Role.COMMERCIAL_OFFICER),
    ("/contracts/?sort=value&dir=desc&tower=t1", Role.COMMERCIAL_OFFICER),
    ("/contracts/export.csv", Role.COMMERCIAL_OFFICER),
    ("/contracts/export.xlsx", Role.COMMERCIAL_OFFICER),
    ("/suppliers/", Role.COMMERCIAL_OFFICER),
    ("/towers/", Role.COMMERCIAL_OFFICER),
    ("/dashboard/", Role.PROGRAMME_DIRECTOR),
    ("/audit/", Role.AUDITOR),
    ("/decisions/", Role.PROGRAMME_DIRECTOR),
    ("/decisions/?q=PCD&status=draft&type=business-case&page=2", Role.PROGRAMME_DIRECTOR),
    ("/audit/?action=test&user=decision-officer&object_type=estate.contract&from=2000-01-01", Role.AUDITOR),
    ("/audit/?object=event&format=csv", Role.AUDITOR),
]


@pytest.mark.parametrize(("path", "role"), LIST_PAGES)
def test_queries_do_not_grow_with_rows(path, role, signed_in):
    client, _ = signed_in(role)
    make_contracts(3)
    few = queries_for(client, path)
    make_contracts(27)
    many = queries_for(client, path)
    assert many == few, f"{path}: {few} queries for 3 contracts, {many} for 30"


def test_the_contract_list_needs_at_most_four_queries(signed_in):
    client, _ = signed_in(Role.COMMERCIAL_OFFICER)
    make_contracts(30)
    # the session's row, the user with their roles, the filter choices, and one page of rows with its total
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/contracts/").status_code == 200
    assert len(captured) == 4
    assert "core_user_session" in captured[0]["sql"]


def test_a_signed_in_page_reads_its_session_once_and_writes_nothing(signed_in):
    """Database sessions cost one read a page: a page that does not change the session does not save it."""
    client, _ = signed_in(Role.COMMERCIAL_OFFICER)
    make_contracts(3)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/contracts/").status_code == 200
    session_queries = [q["sql"] for q in captured if "core_user_session" in q["sql"]]
    assert len(session_queries) == 1 and session_queries[0].lstrip().upper().startswith("SELECT")
