"""Procurement services: creation with the route's stages, changes, stage durations; validated and audited."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.models import AuditEvent
from pegasus.procurement import services
from pegasus.procurement.law import Regime
from pegasus.procurement.models import Procurement, Stage
from pegasus.procurement.schedule import Route, route_stages
from tests.factories import ContractFactory, OptionFactory

pytestmark = pytest.mark.django_db


class TestProcurementCreate:
    def test_gives_the_default_stages_of_its_route(self, make_procurement):
        """An open procedure under PCR 2015 gets its stages in order with their default durations."""
        procurement = make_procurement()
        expected = [
            (t.key, t.days if t.key != "standstill" else None) for t in route_stages(Regime.PCR2015, Route.OPEN)
        ]
        assert [(s.kind, s.days) for s in procurement.stages.all()] == expected

    def test_is_audited_and_attributed(self, make_procurement, make_user):
        officer = make_user("commercial-officer")
        procurement = make_procurement(by=officer)
        event = AuditEvent.objects.get(action="procurement.create")
        assert (event.actor, event.object_id) == (officer, str(procurement.pk))
        assert event.data["replaces"] == ["C-REPLACED"]

    def test_takes_its_regime_from_its_start_date(self, make_procurement):
        assert make_procurement(starts_on=date(2025, 2, 23)).regime is Regime.PCR2015
        assert make_procurement(reference="P2", starts_on=date(2025, 2, 24)).regime is Regime.PA2023

    @pytest.mark.parametrize(
        ("starts_on", "route"),
        [
            (date(2019, 9, 2), "competitive-flexible"),
            (date(2019, 9, 2), "direct-award"),
            (date(2025, 3, 3), "restricted"),
        ],
    )
    def test_refuses_a_route_the_regime_does_not_have(self, make_procurement, starts_on, route):
        with pytest.raises(ValidationError) as caught:
            make_procurement(starts_on=starts_on, route=route)
        assert "route" in caught.value.message_dict
        assert not Procurement.objects.exists()

    def test_a_direct_award_needs_its_justification(self, make_procurement):
        with pytest.raises(ValidationError) as caught:
            make_procurement(starts_on=date(2025, 3, 3), route="direct-award")
        assert "direct_award_justification" in caught.value.message_dict
        procurement = make_procurement(
            starts_on=date(2025, 3, 3), route="direct-award", direct_award_justification="Schedule 5 paragraph 5"
        )
        assert procurement.stages.filter(kind="transparency-notice").exists()

    def test_refuses_an_option_of_a_contract_it_does_not_replace(self, make_procurement):
        stranger = OptionFactory(contract=ContractFactory())
        with pytest.raises(ValidationError, match=services.OPTION_NOT_OF_A_REPLACED_CONTRACT):
            make_procurement(replaces_end_option=stranger)
        assert not Procurement.objects.exists()

    def test_is_atomic(self, make_procurement, contract):
        """Nothing is kept, not even the procurement row, when a step after saving it fails."""
        # given a contract that was never saved, which cannot be linked once the procurement row exists
        unsaved = ContractFactory.build()
        # when
        with pytest.raises(ValueError):  # noqa: PT011 (Django's message for an unsaved related object)
            make_procurement(contracts=[contract, unsaved])
        # then
        assert not Procurement.objects.exists()
        assert not Stage.objects.exists()
        assert not AuditEvent.objects.filter(action="procurement.create").exists()


class TestProcurementUpdate:
    def test_a_new_route_resets_the_stages_keeping_shared_durations(self, make_procurement, contract):
        procurement = make_procurement()
        services.stage_duration_set(stage=procurement.stages.get(kind="requirements"), days=45, by=None)
        services.procurement_update(procurement=procurement, contracts=[contract], by=None, route="restricted")
        kinds = list(procurement.stages.values_list("kind", flat=True))
        assert "selection" in kinds and "participation-period" in kinds
        assert procurement.stages.get(kind="requirements").days == 45

    def test_keeps_stage_durations_when_the_route_stays(self, make_procurement, contract):
        procurement = make_procurement()
        services.stage_duration_set(stage=procurement.stages.get(kind="evaluation"), days=40, by=None)
        services.procurement_update(procurement=procurement, contracts=[contract], by=None, title="New title")
        assert procurement.stages.get(kind="evaluation").days == 40
        assert AuditEvent.objects.filter(action="procurement.update").count() == 1

    def test_needs_a_contract(self, make_procurement):
        procurement = make_procurement()
        with pytest.raises(ValidationError, match=services.PROCUREMENT_NEEDS_A_CONTRACT):
            services.procurement_update(procurement=procurement, contracts=[], by=None)


class TestStageDurationSet:
    def test_changes_the_duration_and_audits_it(self, make_procurement):
        stage = make_procurement().stages.get(kind="evaluation")
        services.stage_duration_set(stage=stage, days=45, by=None)
        stage.refresh_from_db()
        assert stage.days == 45
        assert AuditEvent.objects.get(action="procurement.stage-duration").data == {
            "stage": "evaluation",
            "from": 30,
            "to": 45,
        }

    def test_refuses_less_than_the_statutory_minimum(self, make_procurement):
        """PCR 2015 reg 27: 30 days from the contract notice with electronic tenders."""
        stage = make_procurement().stages.get(kind="tender-period")
        with pytest.raises(ValidationError, match="at least 30 days, the statutory minimum"):
            services.stage_duration_set(stage=stage, days=29, by=None)
        stage.refresh_from_db()
        assert stage.days == 30

    def test_refuses_to_change_the_standstill(self, make_procurement):
        stage = make_procurement().stages.get(kind="standstill")
        with pytest.raises(ValidationError, match="set by law"):
            services.stage_duration_set(stage=stage, days=20, by=None)
