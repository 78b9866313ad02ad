"""The demo holds the Pegasus programme's timeline from PCD 579 as procurements with their stages."""

from datetime import date

import pytest
from django.core.management import call_command

from pegasus.estate.demo import DEMO_AS_AT
from pegasus.procurement import selectors
from pegasus.procurement.demo import procurements_demo_load
from pegasus.procurement.models import Procurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(demo, make_user):
    procurements_demo_load()
    return {r.procurement.reference: r for r in selectors.procurement_list(user=make_user("finance"), as_at=DEMO_AS_AT)}


def quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


class TestProgrammeTimeline:
    def test_the_towers_go_to_market_in_september_2019(self, rows):
        towers = rows["PEG-2019-01"]
        assert towers.procurement.regime == "PCR2015"
        assert (towers.go_to_market.year, towers.go_to_market.month) == (2019, 9)

    def test_the_towers_full_business_case_is_in_the_first_quarter_of_2020(self, rows):
        approval = rows["PEG-2019-01"].stage("governance-approval").scheduled
        assert quarter(approval.planned_start) == quarter(approval.planned_end) == (2020, 1)

    def test_applications_management_has_its_full_business_case_in_may_2021(self, rows):
        approval = rows["PEG-2020-02"].stage("governance-approval").scheduled
        assert (approval.planned_start.year, approval.planned_start.month) == (2021, 5)

    def test_they_replace_the_demo_contracts(self, rows):
        """The six major contracts, and the three smaller ones PCD 579 says could be consolidated."""
        replaced = {c.reference for r in rows.values() for c in r.contracts}
        assert replaced == {f"MPS-DP-T1-00{n}" for n in range(1, 7)} | {f"MPS-DP-T2-10{n}" for n in range(1, 4)}

    def test_each_has_every_stage_of_its_route_and_finishes_before_its_deadline(self, rows):
        for row in rows.values():
            kinds = [r.stage.kind for r in row.stages]
            assert kinds[0] == "requirements" and kinds[-2:] == ["mobilisation", "incumbent-exit"]
            assert "standstill" in kinds and "governance-approval" in kinds
            assert not row.schedule.at_risk
            assert row.schedule.planned_contract_start <= row.schedule.contract_start
            assert row.flag is None

    def test_the_towers_are_scheduled_back_from_the_first_contract_to_end(self, rows):
        """SIAM is assumed extended by its option, so data centres (30 September 2020) end first."""
        towers = rows["PEG-2019-01"]
        assert (towers.replaces_end, towers.deadline_contract) == (date(2020, 9, 30), "MPS-DP-T1-003")

    def test_loading_twice_changes_nothing(self, demo):
        assert procurements_demo_load() == {"procurements": 3}
        assert procurements_demo_load() == {"procurements": 0}
        assert Procurement.objects.count() == 3


def test_pegasus_demo_loads_the_procurements(db, capsys):
    call_command("demo", "--json")
    assert Procurement.objects.count() == 3
    assert '"procurements": 3' in capsys.readouterr().out
