"""Reading the RAID log as at a day: what was raised and closed by then, the filters, the escalated and the top."""

from datetime import date

import pytest

from pegasus.programme.selectors import raid as selectors
from pegasus.programme.selectors.raid import RaidFilters
from pegasus.programme.services import raid as services
from tests.programme.raid_helpers import issue_make, risk_make

pytestmark = pytest.mark.django_db
AS_AT = date(2019, 5, 23)


def refs(rows) -> list[str]:
    return [row.item.reference for row in rows]


class TestAsAt:
    def test_only_what_was_raised_by_then(self):
        risk_make(raised_on=date(2019, 5, 23))
        risk_make(raised_on=date(2019, 5, 24))
        assert refs(selectors.raid_list(as_at=AS_AT)) == ["R-001"]
        assert refs(selectors.raid_list(as_at=date(2019, 5, 24))) == ["R-001", "R-002"]

    def test_closed_only_if_closed_by_then(self):
        item = risk_make()
        services.raid_item_close(item=item, closed_on=date(2019, 6, 1), by=None)
        assert [row.status for row in selectors.raid_list(as_at=AS_AT)] == ["open"]
        assert [row.status for row in selectors.raid_list(as_at=date(2019, 6, 1))] == ["closed"]
        assert refs(selectors.raid_list(as_at=AS_AT, filters=RaidFilters(status="open"))) == ["R-001"]
        assert refs(selectors.raid_list(as_at=date(2019, 6, 1), filters=RaidFilters(status="closed"))) == ["R-001"]

    def test_escalated_while_open_and_not_after_it_closed(self):
        item = risk_make(inherent_probability=3, inherent_impact=5)
        services.raid_item_close(item=item, closed_on=date(2019, 6, 1), by=None)
        assert refs(selectors.raid_escalated(AS_AT)) == ["R-001"]
        assert selectors.raid_escalated(date(2019, 6, 1)) == []


class TestEscalated:
    def test_risks_from_15_and_critical_issues(self):
        """No product of two ratings is 14: 12 is the highest score below the line, 15 the lowest on it."""
        risk_make(inherent_probability=3, inherent_impact=4)  # 12
        risk_make(inherent_probability=3, inherent_impact=5)  # 15
        risk_make(inherent_probability=5, inherent_impact=5, residual_probability=2, residual_impact=5)  # 10
        risk_make(inherent_probability=4, inherent_impact=5)  # 20
        issue_make(priority="critical")
        issue_make(priority="high")
        assert refs(selectors.raid_escalated(AS_AT)) == ["R-004", "R-002", "I-001"]

    def test_the_residual_decides_once_assessed(self):
        item = risk_make(inherent_probability=5, inherent_impact=5, residual_probability=3, residual_impact=4)
        row = selectors.raid_list(as_at=AS_AT)[0]
        assert (row.item, row.inherent, row.residual, row.current, row.band) == (item, 25, 12, 12, "high")
        assert selectors.raid_escalated(AS_AT) == []


class TestTop:
    def test_top_risks_by_current_score_then_proximity(self):
        risk_make(inherent_probability=4, inherent_impact=4, proximity=date(2020, 1, 1))  # R-001 16
        risk_make(inherent_probability=4, inherent_impact=4, proximity=date(2019, 9, 1))  # R-002 16, nearer
        risk_make(inherent_probability=5, inherent_impact=5)  # R-003 25
        risk_make(inherent_probability=1, inherent_impact=1)  # R-004 1
        assert refs(selectors.top_risks(AS_AT, limit=3)) == ["R-003", "R-002", "R-001"]

    def test_top_issues_by_priority(self):
        issue_make(priority="low")
        issue_make(priority="critical", raised_on=date(2019, 5, 20))
        issue_make(priority="high")
        assert refs(selectors.top_issues(AS_AT)) == ["I-002", "I-003", "I-001"]


class TestFilters:
    @pytest.fixture
    def log(self):
        risk_make(inherent_probability=4, inherent_impact=5, owner="Head of Commercial")  # R-001 very high
        risk_make(inherent_probability=1, inherent_impact=2, title="Knowledge loss")  # R-002 low
        issue_make()

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            (RaidFilters(kind="issue"), ["I-001"]),
            (RaidFilters(band="very-high"), ["R-001"]),
            (RaidFilters(band="low"), ["R-002"]),
            (RaidFilters(owner="head of commercial"), ["R-001"]),
            (RaidFilters(text="knowledge"), ["R-002"]),
            (RaidFilters(text="I-00"), ["I-001"]),
            (RaidFilters(), ["I-001", "R-001", "R-002"]),
        ],
    )
    def test_each_filter(self, log, filters, expected):
        assert refs(selectors.raid_list(as_at=AS_AT, filters=filters)) == expected

    def test_linked_contract_and_procurement(self, demo):
        from pegasus.estate.models import Contract

        contract = Contract.objects.order_by("pk").first()
        risk_make(contract=contract)
        risk_make()
        assert refs(selectors.raid_list(as_at=AS_AT, filters=RaidFilters(contract=contract.pk))) == ["R-001"]
        assert selectors.raid_list(as_at=AS_AT, filters=RaidFilters(procurement=contract.pk + 1000)) == []


class TestHeatMap:
    def test_counts_open_risks_at_their_current_rating(self):
        risk_make(inherent_probability=4, inherent_impact=5)
        risk_make(inherent_probability=5, inherent_impact=5, residual_probability=2, residual_impact=3)
        closed = risk_make(inherent_probability=4, inherent_impact=5)
        services.raid_item_close(item=closed, closed_on=date(2019, 5, 1), by=None)
        issue_make()
        cells = {(c.probability, c.impact): c.count for c in selectors.raid_heat_map(selectors.raid_list(as_at=AS_AT))}
        assert cells[(4, 5)] == 1
        assert cells[(2, 3)] == 1
        assert cells[(5, 5)] == 0
        assert sum(cells.values()) == 2


class TestHistory:
    def test_who_changed_what_and_when(self, make_user):
        director = make_user("programme-director", username="dana")
        item = risk_make(by=director)
        services.raid_item_close(item=item, closed_on=date(2019, 5, 20), by=director)
        entries = selectors.raid_history(item)
        assert [e.what for e in entries] == ["Changed R-001", "Created R-001"]
        assert entries[0].who == "dana"
        assert {(c.field, c.new) for c in entries[0].changes} >= {("Status", "closed"), ("Closed on", "20 May 2019")}


def test_history_names_what_a_link_pointed_at(demo):
    from pegasus.estate.models import Contract

    contract = Contract.objects.order_by("reference").first()
    item = risk_make()
    services.raid_item_save(
        programme=item.programme,
        reference=item.reference,
        **{k: getattr(item, k) for k in ("kind", "title", "owner", "raised_on", "cause", "event", "effect")},
        inherent_probability=item.inherent_probability,
        inherent_impact=item.inherent_impact,
        contract=contract,
        by=None,
    )
    change = next(c for c in selectors.raid_history(item)[0].changes if c.field == "Contract")
    assert (change.old, change.new) == ("–", contract.reference)
