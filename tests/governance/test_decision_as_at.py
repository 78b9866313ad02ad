"""A decision read as at a day shows what had happened by then: one decided later is still awaiting its decision on
the dashboard, the decision list and its own page."""

from datetime import date, datetime

import pytest

from pegasus.core.calendar import LONDON_ZONE
from pegasus.governance import selectors, services
from pegasus.governance.models import Decision
from tests.governance.test_decisions import declare_all, dmpc, officer, pcd_579  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
SIGNED = datetime(2019, 6, 10, 12, 0, tzinfo=LONDON_ZONE)


@pytest.fixture
def decided(pcd_579, officer, dmpc):  # noqa: F811
    declare_all(pcd_579, officer)
    services.decision_submit(decision=pcd_579, by=officer)
    return services.decision_approve(decision=pcd_579, by=dmpc, interests="None", signed_at=SIGNED)


class TestDecisionThen:
    def test_the_day_before_its_decision_it_is_awaiting_one(self, decided):
        # when PCD 579, signed on 10 June 2019, is read as at 9 June
        then = selectors.decision_then(decided, date(2019, 6, 9))

        # then it was submitted and not yet decided
        assert (then.status, then.status_label, then.decided_at) == (
            Decision.Status.SUBMITTED,
            "Awaiting decision",
            None,
        )
        assert then.decided_later

    def test_on_the_day_of_its_decision_it_is_decided(self, decided):
        # when it is read as at the day it was signed
        then = selectors.decision_then(decided, date(2019, 6, 10))

        # then it is approved, when it was
        assert (then.status, then.decided_at, then.decided_later) == (Decision.Status.APPROVED, SIGNED, False)

    def test_papers_due_hold_it_before_its_decision_and_not_after(self, decided):
        # when the papers due are read before and after 10 June 2019
        before = selectors.papers_due_on(date(2019, 5, 23))
        after = selectors.papers_due_on(date(2019, 6, 11))

        # then it is due, awaiting its decision, on 23 May, and no longer due once decided
        assert [(t.decision.reference, t.status_label) for t in before] == [("PCD 579", "Awaiting decision")]
        assert after == []


class TestPages:
    @pytest.mark.parametrize(
        "as_at, shown, hidden",
        [
            ("2019-06-09", "Not yet decided on 9 June 2019", "Decided by"),
            ("2019-06-10", "on 10 June 2019.", "Not yet decided"),
        ],
    )
    def test_its_page_read_as_at_a_day(self, client, decided, dmpc, as_at, shown, hidden):  # noqa: F811
        # given the approver signed in
        client.force_login(dmpc, backend="pegasus.core.backends.PegasusBackend")

        # when PCD 579's page is read as at the day before its decision, then the day itself
        page = client.get(f"/decisions/{decided.pk}/?as_at={as_at}").content.decode()

        # then it is decided only from that day
        assert shown in page
        assert hidden not in page

    def test_the_list_and_the_dashboard_read_as_at_the_day_before(self, client, decided, dmpc):  # noqa: F811
        # given the approver signed in
        client.force_login(dmpc, backend="pegasus.core.backends.PegasusBackend")

        # when the decision list and the dashboard are read as at 9 June and 10 June 2019
        before = client.get("/decisions/?as_at=2019-06-09").content.decode()
        on_the_day = client.get("/decisions/?as_at=2019-06-10").content.decode()
        dashboard = client.get("/dashboard/?as_at=2019-05-23").content.decode()

        # then the list shows no decision date before it, and the dashboard's papers due show it awaiting one
        assert "10 Jun 2019" not in before and "Awaiting decision" in before
        assert "10 Jun 2019" in on_the_day
        assert "Awaiting decision" in dashboard and "10 Jun 2019" not in dashboard


class TestListFilters:
    @pytest.mark.parametrize(
        ("as_at", "status", "listed"),
        [
            (date(2019, 6, 9), Decision.Status.SUBMITTED, True),
            (date(2019, 6, 9), Decision.Status.APPROVED, False),
            (date(2019, 6, 10), Decision.Status.SUBMITTED, False),
            (date(2019, 6, 10), Decision.Status.APPROVED, True),
            (None, Decision.Status.APPROVED, True),
        ],
    )
    def test_the_status_filter_reads_the_status_each_had_on_the_day(self, decided, as_at, status, listed):
        # when the decisions are filtered by status as at the day before its decision, the day itself, and today
        found = selectors.decision_search(status=status, as_at=as_at)

        # then PCD 579 is awaiting its decision before 10 June 2019 and approved from then
        assert (decided in found) is listed

    @pytest.mark.parametrize(("as_at", "listed"), [(date(2019, 6, 9), False), (date(2019, 6, 10), True)])
    def test_the_decided_dates_filter_holds_only_what_was_decided_by_the_day(self, decided, as_at, listed):
        found = selectors.decision_search(decided_from=date(2019, 6, 1), decided_to=date(2019, 6, 30), as_at=as_at)
        assert (decided in found) is listed

    def test_the_list_page_filters_as_at_the_day(self, client, decided, dmpc):  # noqa: F811
        client.force_login(dmpc, backend="pegasus.core.backends.PegasusBackend")
        before = client.get("/decisions/?status=approved&as_at=2019-06-09").context["decisions"]
        awaiting = client.get("/decisions/?status=submitted&as_at=2019-06-09").context["decisions"]
        assert [t.decision for t in before] == []
        assert [(t.decision, t.status_label) for t in awaiting] == [(decided, "Awaiting decision")]
