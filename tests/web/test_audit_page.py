"""The audit trail page: filters by action, user, object and date, and a CSV export of the filtered events."""

import csv
import io
from datetime import UTC, datetime

import pytest

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(make_user):
    alice = make_user(Role.COMMERCIAL_OFFICER, username="alice")
    bob = make_user(Role.FINANCE, username="bob")

    def event(action, actor, object_type, object_id, summary, at):
        return AuditEvent.objects.create(
            action=action, actor=actor, object_type=object_type, object_id=object_id, summary=summary, at=at
        )

    march, april, may = (datetime(2026, month, day, 9, tzinfo=UTC) for month, day in ((3, 1), (4, 2), (5, 3)))

    return {
        "contract": event("contract.update", alice, "estate.contract", "7", "Updated Managed Print", march),
        "decision": event("decision.approve", bob, "governance.decision", "7", "Approved PCD 579", april),
        "system": event("demo.load", None, "", "", '=HYPERLINK("http://x")', may),
    }


@pytest.fixture
def auditor(signed_in):
    client, _ = signed_in(Role.AUDITOR, username="auditor")
    return client


def shown(client, query: str) -> set[str]:
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    ours = set(AuditEvent.objects.exclude(action__startswith="auth.").values_list("summary", flat=True))
    return {event.summary for event in response.context["page"]} & ours


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Updated Managed Print", "Approved PCD 579", '=HYPERLINK("http://x")'}),
        ("action=decision.", {"Approved PCD 579"}),
        ("user=ALICE", {"Updated Managed Print"}),
        ("user=nobody", set()),
        ("object_type=estate.contract", {"Updated Managed Print"}),
        ("object_id=7", {"Updated Managed Print", "Approved PCD 579"}),
        ("object_type=governance.decision&object_id=7", {"Approved PCD 579"}),
        ("object=managed+print", {"Updated Managed Print"}),
        ("from=2026-04-01", {"Approved PCD 579", '=HYPERLINK("http://x")'}),
        ("to=2026-04-02", {"Updated Managed Print", "Approved PCD 579"}),
        ("from=2026-03-02&to=2026-04-30", {"Approved PCD 579"}),
        ("user=bob&action=contract.", set()),
    ],
)
def test_each_filter_narrows_the_trail(auditor, trail, query, expected):
    assert shown(auditor, query) == expected


def test_the_form_keeps_the_filters_and_the_export_link_carries_them(auditor, trail):
    body = auditor.get("/audit/?user=alice&from=2026-01-01").content.decode()
    assert 'value="alice"' in body
    assert 'value="2026-01-01"' in body
    assert 'href="?user=alice&amp;from=2026-01-01&amp;format=csv"' in body


@pytest.mark.parametrize("query", ["from=2026-13-01", "to=yesterday", "from=0001-01-01", "page=0"])
def test_a_bad_date_or_page_is_a_400_that_names_it(auditor, trail, query):
    response = auditor.get(f"/audit/?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    name = query.split("=")[0]
    assert {"from": "From date", "to": "To date", "page": "Page"}[name] in body


def test_the_export_is_the_filtered_events_as_safe_csv(auditor, trail):
    response = auditor.get("/audit/?to=2026-06-30&object=&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"].split(", ")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["When (UTC)", "Who", "Action", "Object type", "Object id", "What"]
    assert rows[1:] == [
        ["2026-05-03 09:00:00", "System", "demo.load", "", "", '\'=HYPERLINK("http://x")'],
        ["2026-04-02 09:00:00", "bob", "decision.approve", "governance.decision", "7", "Approved PCD 579"],
        ["2026-03-01 09:00:00", "alice", "contract.update", "estate.contract", "7", "Updated Managed Print"],
    ]
    filtered = auditor.get("/audit/?user=bob&format=csv")
    assert [row[1] for row in csv.reader(io.StringIO(filtered.content.decode()))] == ["Who", "bob"]


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.AUDITOR}))
def test_only_auditors_may_read_or_export_the_trail(signed_in, trail, role):
    client, _ = signed_in(role, username=f"x-{role}")
    assert client.get("/audit/").status_code == 403
    response = client.get("/audit/?format=csv")
    assert response.status_code == 403
    assert b"Approved PCD 579" not in response.content
