"""A tender runs the competition of a procurement of the pipeline: chosen when it is opened, shown on both pages,
and set by the demo whichever of the two demos loads first."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.evaluation import services
from pegasus.evaluation.models import Tender
from pegasus.procurement import services as procurement_services
from pegasus.procurement.models import Procurement
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def procurement(db):
    return procurement_services.procurement_create(
        contracts=[ContractFactory(reference="C-7", start_date=date(2018, 4, 1), initial_end_date=date(2021, 3, 31))],
        by=None,
        reference="PROC-7",
        title="Service integration re-procurement",
        starts_on=date(2019, 9, 2),
        route="open",
        annual_value=Decimal("1000000.00"),
        term_months=36,
    )


class TestTheLink:
    def test_a_tender_opened_for_a_procurement_is_among_its_tenders(self, procurement, make_user):
        # when
        tender = services.tender_create(
            reference="T-9", title="SIAM", lots=["SIAM"], procurement=procurement, by=make_user(Role.COMMERCIAL_OFFICER)
        )

        # then
        assert list(procurement.tenders.all()) == [tender]

    def test_a_procurement_with_a_tender_cannot_be_deleted(self, procurement, make_user):
        services.tender_create(
            reference="T-9", title="SIAM", lots=["SIAM"], procurement=procurement, by=make_user(Role.COMMERCIAL_OFFICER)
        )
        with pytest.raises(ProtectedError):
            procurement.delete()

    def test_linking_later_is_audited(self, procurement, make_user):
        officer = make_user(Role.COMMERCIAL_OFFICER)
        tender = services.tender_create(reference="T-9", title="SIAM", lots=["SIAM"], by=officer)

        services.tender_procurement_set(tender=tender, procurement=procurement, by=officer)

        assert Tender.objects.get(pk=tender.pk).procurement == procurement
        assert AuditEvent.objects.filter(action="tender.procurement-set", summary="T-9 is for PROC-7").exists()


class TestPages:
    def test_the_tender_form_offers_the_procurements_and_links_the_one_chosen(self, signed_in, procurement):
        # given
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        form = client.get("/tenders/new/").content.decode()
        assert f'<option value="{procurement.pk}">PROC-7 Service integration re-procurement</option>' in form

        # when
        response = client.post(
            "/tenders/new/",
            {"reference": "T-9", "title": "SIAM", "lots": "SIAM", "procurement": str(procurement.pk)},
        )

        # then
        tender = Tender.objects.get(reference="T-9")
        assert response.status_code == 302 and tender.procurement == procurement

    def test_the_procurement_is_optional(self, signed_in, procurement):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        client.post("/tenders/new/", {"reference": "T-9", "title": "SIAM", "lots": "SIAM", "procurement": ""})
        assert Tender.objects.get(reference="T-9").procurement is None

    def test_each_page_names_the_other(self, signed_in, procurement):
        client, officer = signed_in(Role.COMMERCIAL_OFFICER)
        tender = services.tender_create(
            reference="T-9", title="SIAM", lots=["SIAM"], procurement=procurement, by=officer
        )

        tender_page = client.get(f"/tenders/{tender.pk}/").content.decode()
        procurement_page = client.get(f"/procurements/{procurement.pk}/").content.decode()

        assert f'href="/procurements/{procurement.pk}/">PROC-7</a>' in tender_page
        assert f'href="/tenders/{tender.pk}/">T-9</a> SIAM' in procurement_page


class TestDemo:
    def test_the_demo_tender_is_for_the_service_towers_procurement(self, demo):
        from pegasus.evaluation.demo import evaluation_demo_load
        from pegasus.procurement.demo import procurements_demo_load

        procurements_demo_load()
        evaluation_demo_load()

        assert Tender.objects.get().procurement == Procurement.objects.get(reference="PEG-2019-01")

    def test_a_demo_tender_loaded_before_the_procurements_is_linked_on_the_next_load(self, demo):
        from pegasus.evaluation.demo import evaluation_demo_load
        from pegasus.procurement.demo import procurements_demo_load

        # given
        assert evaluation_demo_load() == {"tenders": 1}
        assert Tender.objects.get().procurement is None
        procurements_demo_load()

        # when
        assert evaluation_demo_load() == {"tenders": 0}
        history = Tender.history.count()
        assert evaluation_demo_load() == {"tenders": 0}

        # then
        assert Tender.objects.get().procurement.reference == "PEG-2019-01"
        assert Tender.history.count() == history
