"""The decisions list: search over reference and title (Part 1 only), filters by status, type and date decided."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.roles import Role
from pegasus.governance.models import Decision
from pegasus.governance.services import RecommendationSpec, decision_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers(make_user):
    officer = make_user(Role.COMMERCIAL_OFFICER, username="officer")

    def paper(reference, title, decision_type, part2="", status="draft", decided=None):
        decision = decision_create(
            by=officer,
            reference=reference,
            title=title,
            decision_type=decision_type,
            executive_summary="Summary",
            value=Decimal(1),
            recommendations=[RecommendationSpec("note", "x")],
            part2=part2,
        )
        Decision.objects.filter(pk=decision.pk).update(status=status, decided_at=decided)
        return decision

    return [
        paper(
            "PCD 579",
            "Pegasus ICT re-procurement",
            "business-case",
            "secret Zephyr price",
            "approved",
            datetime(2019, 6, 10, 12, tzinfo=UTC),
        ),
        paper("PCD 598", "Managed print", "contract-award", "", "approved", datetime(2020, 1, 5, 12, tzinfo=UTC)),
        paper("PCD 612", "Procurement strategy", "business-case"),
    ]


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"/decisions/?{query}")
    assert response.status_code == 200
    return [decision.reference for decision in response.context["page"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["PCD 612", "PCD 598", "PCD 579"]),
        ("q=pcd+59", ["PCD 598"]),
        ("q=PRINT", ["PCD 598"]),
        ("q=Zephyr", []),  # Part 2 text is never searched
        ("q=Summary", []),  # nor any text beyond reference and title
        ("status=draft", ["PCD 612"]),
        ("type=business-case", ["PCD 612", "PCD 579"]),
        ("type=business-case&status=approved", ["PCD 579"]),
        ("from=2019-06-10&to=2019-06-10", ["PCD 579"]),
        ("from=2019-07-01", ["PCD 598"]),
        ("to=2019-12-31", ["PCD 579"]),
        ("status=nonsense&type=nonsense", ["PCD 612", "PCD 598", "PCD 579"]),
    ],
)
def test_search_and_filters(signed_in, papers, query, expected):
    client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
    assert listed(client, query) == expected


def test_the_form_works_without_javascript_and_keeps_its_values(signed_in, papers):
    client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
    body = client.get("/decisions/?q=print&status=approved&type=contract-award&from=2020-01-01").content.decode()
    assert '<form method="get"' in body
    assert 'value="print"' in body and 'value="2020-01-01"' in body
    assert '<option value="approved" selected>' in body
    assert '<option value="contract-award" selected>' in body
    assert "1 decision found" in body


@pytest.mark.parametrize("query", ["from=2019-02-30", "to=soon", "page=0", "page=abc"])
def test_a_bad_date_or_page_is_a_400_that_names_it(signed_in, papers, query):
    client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
    response = client.get(f"/decisions/?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert {"from": "Decided from", "to": "Decided to", "page": "Page"}[name] in response.content.decode()


def test_a_search_never_reveals_part2_to_a_role_that_may_not_read_it(signed_in, papers):
    client, _ = signed_in(Role.EVALUATOR)
    response = client.get("/decisions/?q=Pegasus")
    assert [d.reference for d in response.context["page"]] == ["PCD 579"]
    assert b"Zephyr" not in response.content


def test_results_are_paged(signed_in, papers, make_user):
    client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
    officer = make_user(Role.COMMERCIAL_OFFICER, username="more")
    for i in range(30):
        decision_create(
            by=officer,
            reference=f"PCD {700 + i}",
            title=f"Paper {i}",
            decision_type="business-case",
            executive_summary="Summary",
            value=Decimal(1),
            recommendations=[RecommendationSpec("note", "x")],
        )
    first = listed(client, "type=business-case")
    second = listed(client, "type=business-case&page=2")
    assert len(first) == 25 and len(second) == 7
    assert set(first).isdisjoint(second)
    body = client.get("/decisions/?type=business-case").content.decode()
    assert "type=business-case&amp;page=2" in body or "page=2&amp;type=business-case" in body


def test_a_search_runs_the_same_queries_for_3_rows_as_for_30(signed_in, papers, make_user):
    client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
    path = "/decisions/?q=PCD&status=draft&type=business-case"
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    officer = make_user(Role.COMMERCIAL_OFFICER, username="more")
    for i in range(27):
        decision_create(
            by=officer,
            reference=f"PCD {700 + i}",
            title=f"Paper {i}",
            decision_type="business-case",
            executive_summary="Summary",
            value=Decimal(1),
            recommendations=[RecommendationSpec("note", "x")],
        )
    with CaptureQueriesContext(connection) as many:
        client.get(path)
    # the session, the user with their roles, the count and one page of rows
    assert len(many) == len(few) == 4
