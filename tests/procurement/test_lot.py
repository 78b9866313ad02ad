"""A procurement buys a lot of the chosen sourcing scenario: chosen from a list, checked, shown, protected."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from pegasus.core.roles import Role
from pegasus.procurement import services
from pegasus.procurement.forms import ProcurementForm
from pegasus.sourcing.models import Lot, Scenario
from tests.factories import TowerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lots(contract):
    """Lot 1 of a chosen scenario, and lot 1 of another not chosen."""
    siam, net = TowerFactory(code="siam", name="SIAM"), TowerFactory(code="net", name="Networks")
    made = []
    for name, chosen in (("SIAM plus towers", True), ("Baseline", False)):
        scenario = Scenario.objects.create(name=name, kind=Scenario.Kind.MANUAL, chosen=chosen)
        lot = Lot.objects.create(
            scenario=scenario, position=1, supplier=contract.supplier, price=Decimal("1000000.00"), bidders=3
        )
        lot.towers.set([siam, net])
        made.append(lot)
    return made


def test_a_procurement_buys_a_lot_of_the_chosen_scenario(make_procurement, lots):
    chosen, _ = lots
    procurement = make_procurement(replaces_lot=chosen)
    assert procurement.replaces_lot == chosen
    assert list(chosen.procurements.all()) == [procurement]


def test_a_lot_of_a_scenario_not_chosen_is_refused_naming_the_field(make_procurement, lots):
    _, other = lots
    with pytest.raises(ValidationError) as refused:
        make_procurement(replaces_lot=other)
    assert refused.value.message_dict["replaces_lot"] == [
        "Lot 1 of Baseline is not of the chosen scenario: choose a lot of the chosen scenario"
    ]


def test_a_lot_already_bought_stays_when_another_scenario_is_chosen(make_procurement, lots, contract):
    chosen, other = lots
    procurement = make_procurement(replaces_lot=chosen)
    Scenario.objects.filter(pk=chosen.scenario_id).update(chosen=False)
    Scenario.objects.filter(pk=other.scenario_id).update(chosen=True)
    procurement.refresh_from_db()
    services.procurement_update(procurement=procurement, contracts=[contract], by=None, title="Renamed")
    assert procurement.replaces_lot_id == chosen.pk
    form = ProcurementForm(instance=procurement)
    assert set(form.fields["replaces_lot"].queryset) == {chosen, other}


def test_the_form_offers_only_lots_of_the_chosen_scenario_labelled_by_their_towers(lots):
    chosen, _ = lots
    field = ProcurementForm().fields["replaces_lot"]
    assert list(field.queryset) == [chosen]
    assert field.label_from_instance(chosen) == "Lot 1 of SIAM plus towers: Networks, SIAM"


def test_a_lot_bought_cannot_be_deleted(make_procurement, lots):
    chosen, _ = lots
    make_procurement(replaces_lot=chosen)
    with pytest.raises(ProtectedError):
        chosen.delete()


def test_the_procurement_page_shows_the_lot(make_procurement, lots, signed_in):
    chosen, _ = lots
    procurement = make_procurement(replaces_lot=chosen)
    client, _ = signed_in(Role.FINANCE)
    html = client.get(f"/procurements/{procurement.pk}/").content.decode()
    assert "Lot 1 of SIAM plus towers</a>: Networks, SIAM" in html
    assert f"/scenarios/{chosen.scenario_id}/" in html
