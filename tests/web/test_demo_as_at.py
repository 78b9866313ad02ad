"""The demo read as at a day shows only what had happened by then, each rule read the day before and the day of
its event: the tender opened on 2 September 2019, the modification notice published on 3 July 2019 and the variation
it notices effective on 1 July, PCD 579's approval of 10 June 2019, the devices contract awarded on 2 March 2020, and
the OCDS releases of contracts and procurements that start later."""

from datetime import date

import pytest
from django.core.management import call_command

from pegasus.core.roles import Role
from pegasus.estate import selectors as estate_selectors
from pegasus.estate.selectors import ContractFilters
from pegasus.evaluation import selectors as evaluation_selectors
from pegasus.finance import selectors as finance_selectors
from pegasus.publication import selectors as publication_selectors

pytestmark = pytest.mark.django_db
VARIED = "MPS-DP-T1-005"  # the additional services effective 1 July 2019, noticed on 3 July
AWARDED = "MPS-DP-T2-104"  # PEG-2019-03's new contract, entered with its award on 2 March 2020


@pytest.fixture(scope="module")
def loaded(module_transaction):
    """Every demo, loaded once for the module through `pegasus demo`."""
    call_command("demo", "--json")


def _release(as_at: date, ocid_end: str) -> dict | None:
    return next((r for r in publication_selectors.ocds_releases(as_at) if r["ocid"].endswith(ocid_end)), None)


class TestTenders:
    @pytest.mark.parametrize("as_at, opened", [(date(2019, 9, 1), False), (date(2019, 9, 2), True)])
    def test_the_tender_is_opened_only_from_its_day(self, loaded, as_at, opened):
        assert [t.opened_then for t in evaluation_selectors.tender_list(as_at)] == [opened]

    @pytest.mark.parametrize("as_at, opened", [("2019-09-01", False), ("2019-09-02", True)])
    def test_the_tenders_page_says_it_was_not_yet_opened_on_the_day_read(self, loaded, signed_in, as_at, opened):
        # given the demo's tender, opened on 2 September 2019
        client, _ = signed_in(Role.COMMERCIAL_OFFICER, username="as-at-reader")
        tender = evaluation_selectors.tender_list().get()

        # when its page is read as at the day before, then that day
        page = client.get(f"/tenders/{tender.pk}/", {"as_at": as_at}).content.decode()

        # then only the day before says it had not been opened, and when it was
        said = "this tender had not yet been opened: it was opened on 2 September 2019" in page
        assert said is not opened


class TestNotices:
    @pytest.mark.parametrize("as_at, listed", [(date(2019, 7, 1), False), (date(2019, 7, 2), True)])
    def test_a_notice_is_listed_from_the_day_it_was_drafted(self, loaded, make_user, as_at, listed):
        # given the commercial officer and no filters
        user = make_user(Role.COMMERCIAL_OFFICER.value)
        filters = publication_selectors.NoticeFilters()

        # when the notices are listed as at the day before the modification notice was drafted, then that day
        notices = publication_selectors.notice_list(user=user, filters=filters, as_at=as_at)

        # then it is listed from its day only
        assert ("PCR-MOD" in {n.kind for n in notices}) is listed


class TestOcds:
    def test_the_day_before_the_notice_the_variation_is_published_and_not_its_notice(self, loaded):
        # when the varied contract's release is read as at 2 July 2019 (effective 1 July; notice published 3 July)
        release = _release(date(2019, 7, 2), VARIED)

        # then the variation is an amendment but its notice is not yet a document (the performance notice of May is)
        assert release is not None
        agreement = release["contracts"][0]
        assert len(agreement.get("amendments", [])) == 1
        assert len(agreement["documents"]) == 1

    def test_before_the_variation_takes_effect_it_is_no_amendment(self, loaded):
        release = _release(date(2019, 6, 30), VARIED)
        assert release is not None
        assert "amendments" not in release["contracts"][0]
        assert release["date"][:10] <= "2019-06-30"

    def test_on_the_day_of_the_notice_it_is_published(self, loaded):
        release = _release(date(2019, 7, 3), VARIED)
        assert release is not None
        assert len(release["contracts"][0]["documents"]) == 2
        assert release["date"][:10] == "2019-07-03"

    @pytest.mark.parametrize(
        "as_at, dated, status",
        [(date(2019, 5, 23), "2019-05-23", "planning"), (date(2020, 8, 24), "2020-08-24", "active")],
    )
    def test_a_procurement_starting_later_is_planned_on_the_day_never_dated_by_its_start(
        self, loaded, as_at, dated, status
    ):
        # when PEG-2020-02 (starting 24 August 2020) is published as at 23 May 2019, then on its start
        release = _release(as_at, "PEG-2020-02")

        # then it is a planning release of that day, then the tender of its start
        assert release is not None
        assert (release["date"][:10], release["tender"]["status"]) == (dated, status)

    @pytest.mark.parametrize("as_at, held", [(date(2020, 5, 31), False), (date(2020, 6, 1), True)])
    def test_a_contract_starting_later_has_no_release_dated_by_its_start_before_it(self, loaded, as_at, held):
        assert (_release(as_at, AWARDED) is not None) is held

    def test_no_release_is_dated_after_the_day(self, loaded):
        assert all(r["date"][:10] <= "2019-05-23" for r in publication_selectors.ocds_releases(date(2019, 5, 23)))


class TestFinance:
    @pytest.mark.parametrize("as_at, approvals", [(date(2019, 6, 9), []), (date(2019, 6, 10), ["PCD579"])])
    def test_the_programmes_approval_is_held_from_the_day_it_was_given(self, loaded, as_at, approvals):
        assert [a.reference for a in finance_selectors.position(as_at=as_at).approvals] == approvals


class TestContracts:
    @pytest.mark.parametrize("as_at, listed", [(date(2020, 3, 1), False), (date(2020, 3, 2), True)])
    def test_an_awarded_contract_is_known_from_its_award(self, loaded, make_user, as_at, listed):
        # given someone who reads the whole estate
        user = make_user(Role.COMMERCIAL_OFFICER.value)

        # when the contract list and the dashboard's summary are read the day before the award, then that day
        rows, _ = estate_selectors.contract_list(user=user, filters=ContractFilters(), as_at=as_at)
        summary = estate_selectors.estate_summary(as_at=as_at, user=user)

        # then the new contract is in both from its award only
        assert (AWARDED in {r.contract.reference for r in rows}) is listed
        assert (AWARDED in {r.contract.reference for r in summary.rows}) is listed


class TestContractPage:
    @pytest.mark.parametrize("as_at, shown", [(date(2020, 3, 8), False), (date(2020, 3, 9), True)])
    def test_a_change_and_its_history_show_from_the_day_it_was_proposed(self, loaded, as_at, shown):
        # given the incumbent whose termination was proposed on 9 March 2020
        contract = estate_selectors.contracts_of(["MPS-DP-T2-103"]).get()

        # when its changes and the changes pending are read the day before, then that day
        changes = estate_selectors.contract_changes(contract, as_at)
        pending = estate_selectors.changes_pending(as_at).filter(contract=contract)

        # then the termination is there from that day only
        assert changes.filter(kind="termination").exists() is shown
        assert pending.filter(kind="termination").exists() is shown

    @pytest.mark.parametrize("as_at, versions", [(date(2019, 3, 31), 0), (date(2019, 4, 1), 1)])
    def test_its_history_holds_the_versions_recorded_by_the_day(self, loaded, as_at, versions):
        contract = estate_selectors.contracts_of(["MPS-DP-T1-001"]).get()
        assert len(estate_selectors.contract_history(contract, as_at)) == versions


class TestAuditTrail:
    @pytest.mark.parametrize("as_at, shown", [(date(2019, 6, 9), False), (date(2019, 6, 10), True)])
    def test_read_as_at_a_day_it_holds_what_had_happened_by_then(self, loaded, signed_in, as_at, shown):
        # given the auditor signed in
        client, _ = signed_in(Role.AUDITOR.value)

        # when the trail of PCD 579's approval is read as at the day before, then the day
        page = client.get(f"/audit/?action=decision.approved&as_at={as_at.isoformat()}").content.decode()

        # then its approval is there from the day it was signed only
        assert ("PCD 579 approved" in page) is shown
