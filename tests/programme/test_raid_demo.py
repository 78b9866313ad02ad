"""The demonstration's RAID log: what PCD 579 names, as it stood on 23 May 2019, and loading twice changes nothing."""

from datetime import date

import pytest

from pegasus.governance.demo import decisions_demo_load
from pegasus.procurement.demo import procurements_demo_load
from pegasus.programme.demo import programme_demo_load
from pegasus.programme.models import Mitigation, RaidItem
from pegasus.programme.selectors import raid as selectors

pytestmark = pytest.mark.django_db
AS_AT = date(2019, 5, 23)


@pytest.fixture
def loaded(demo):
    decisions_demo_load()
    procurements_demo_load()
    return programme_demo_load()


def test_loading_twice_changes_nothing(loaded):
    before = (sorted(RaidItem.objects.values_list()), sorted(Mitigation.objects.values_list()))
    again = programme_demo_load()
    assert (again["raid_items"], again["mitigations"]) == (0, 0)
    assert (sorted(RaidItem.objects.values_list()), sorted(Mitigation.objects.values_list())) == before


def test_every_kind_and_what_the_seed_names(loaded):
    items = {i.reference: i for i in RaidItem.objects.all()}
    assert {i.kind for i in items.values()} == {"risk", "assumption", "issue", "dependency"}
    text = " ".join(f"{i.title} {i.description}" for i in items.values())
    for named in ("IR35", "Bloom", "Full Business Case", "backfilled", "exit", "Digital Policing budget", "DMPC"):
        assert named in text, named
    assert "NLSF" in " ".join(m.action for m in Mitigation.objects.all())
    assert all("illustrative" in i.description.lower() for i in items.values())


def test_the_contract_ending_first_is_linked_to_its_replacement(loaded):
    from pegasus.estate import selectors as estate_selectors

    ending = RaidItem.objects.get(reference="R-003")
    tier_one = list(estate_selectors.contracts_with_options().filter(tier=1))
    first = min(tier_one, key=lambda c: (estate_selectors.contract_end(c, AS_AT), c.reference))
    assert (ending.contract, ending.procurement.reference) == (first, "PEG-2019-01")
    assert ending.proximity == estate_selectors.contract_end(first, AS_AT)


def test_as_at_23_may_2019_something_goes_to_the_board(loaded):
    escalated = selectors.raid_escalated(AS_AT)
    assert escalated
    assert all(row.current >= 15 for row in escalated if row.item.kind == "risk")
    raised = [row.item.raised_on for row in selectors.raid_list(as_at=AS_AT)]
    assert len(raised) >= 8 and max(raised) <= AS_AT
    assert RaidItem.objects.filter(raised_on__gt=AS_AT).exists()  # one raised later shows the as-at reading
