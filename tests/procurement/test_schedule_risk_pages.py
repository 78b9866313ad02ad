"""Schedule risk on the pages: the pipeline, a procurement, a replaced contract and the dashboard, with the demo;
the stage estimate service and its constraint."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.estate.models import Contract
from pegasus.procurement import selectors, services
from pegasus.procurement.models import Procurement, Stage

pytestmark = pytest.mark.django_db
AS_AT = date(2019, 5, 23)


@pytest.fixture
def demo_procurements(demo):
    from pegasus.procurement.demo import procurements_demo_load

    procurements_demo_load()


def apps_management() -> Procurement:
    return Procurement.objects.get(reference="PEG-2020-02")


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class TestDemoEstimates:
    def test_applications_management_has_a_long_uncertain_evaluation_and_a_slipping_governance_stage(
        self, demo_procurements
    ):
        stages = {st.kind: st for st in apps_management().stages.all()}
        evaluation, governance = stages["evaluation"], stages["governance-approval"]
        assert evaluation.pessimistic_days - evaluation.optimistic_days >= 90
        assert governance.most_likely_days > governance.optimistic_days + 14
        assert governance.pessimistic_days >= 90

    def test_its_replacement_is_unlikely_before_the_incumbent_ends_and_an_extension_covers_it(self, demo_procurements):
        risk = selectors.schedule_risk_of(apps_management(), AS_AT)
        first = risk.first
        assert first.reference == "MPS-DP-T1-006"
        assert risk.planned_start < risk.p50 < risk.p80 < risk.p90
        assert first.red and first.in_time_current < 0.2
        assert first.in_time_maximum == 1.0
        assert first.extension_months > 0 and first.options_cover
        assert first.extended_end >= risk.p80 - timedelta(days=1)  # it runs to the day before the P80 start
        assert first.latest_start < risk.simulation.start  # it should have started earlier
        assert {d.name for d in risk.simulation.drivers[:2]} <= {"Governance approval", "Evaluation and moderation"}

    def test_the_same_procurement_gives_the_same_odds_every_time(self, demo_procurements):
        one, two = (selectors.schedule_risk_of(apps_management(), AS_AT) for _ in range(2))
        assert (one.p50, one.p80, one.p90, one.first.in_time_current) == (
            two.p50,
            two.p80,
            two.p90,
            two.first.in_time_current,
        )


class TestPages:
    def test_the_pipeline_says_when_each_replacement_is_likely_to_start_and_what_to_decide(
        self, signed_in, demo_procurements
    ):
        client, _ = signed_in(Role.FINANCE)
        response = client.get("/procurements/?as_at=2019-05-23")
        assert response.status_code == 200
        risks = {r.procurement.reference: r for r in response.context["risks"]}
        risk = risks["PEG-2020-02"]
        body = response.content.decode()
        assert (
            f'At 80% confidence the new contract starts by <strong data-testid="risk-p80">{long_date(risk.p80)}' in body
        )
        assert f"Decide the extension by {long_date(risk.first.decision_due)}" in body
        assert "chance in place in time: below 80%" in body
        chart = response.context["pipeline_risk_chart"]
        assert [row[0] for row in chart.rows] == list(risks)
        assert b'data-vega-spec="pipeline-risk-spec"' in response.content

    def test_a_procurement_shows_its_curve_its_drivers_and_each_contract_it_replaces(
        self, signed_in, demo_procurements
    ):
        procurement = apps_management()
        client, _ = signed_in(Role.AUDITOR)
        response = client.get(f"/procurements/{procurement.pk}/?as_at=2019-05-23")
        assert response.status_code == 200
        risk = response.context["risk"]
        body = response.content.decode()
        assert 'data-testid="schedule-risk"' in body and 'data-testid="risk-incumbents"' in body
        assert f"must start by {long_date(risk.first.latest_start)}" in body
        curve = response.context["risk_curve"]
        assert ["Date", "What", "Chance the new contract has started by then"] == curve.headers
        assert [f"{risk.p80:%d %b %Y}", "P80", "80% or more"] in curve.rows
        assert any(row[1] == "MPS-DP-T1-006 current end" for row in curve.rows)
        tornado = response.context["risk_tornado"]
        assert tornado.rows[0][0] == risk.simulation.drivers[0].name
        assert b'data-vega-spec="schedule-risk-tornado-spec"' in response.content
        assert b"js/vega-embed.min.js" in response.content

    def test_a_procurement_without_estimates_starts_on_its_planned_day_for_certain(self, signed_in, make_procurement):
        procurement = make_procurement()
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get(f"/procurements/{procurement.pk}/?as_at=2019-05-23")
        risk = response.context["risk"]
        assert risk.p50 == risk.p90 == risk.planned_start == risk.row.schedule.planned_contract_start
        assert "No stage has a three-point estimate yet" in response.content.decode()

    def test_a_replaced_contract_shows_the_chance_its_replacement_is_in_place(self, signed_in, demo_procurements):
        contract = Contract.objects.get(reference="MPS-DP-T1-006")
        client, _ = signed_in(Role.LEGAL)
        response = client.get(f"/contracts/{contract.pk}/?as_at=2019-05-23")
        [(risk, mine)] = response.context["replacement_risks"]
        assert risk.procurement.reference == "PEG-2020-02" and mine.contract == contract
        body = response.content.decode()
        assert 'data-testid="replacement-risk"' in body
        assert "chance in place in time: below 80%" in body
        assert f"decide by {long_date(mine.decision_due)}" in body
        assert "Propose exercising its next option" not in body  # legal may not change a contract

    def test_who_may_change_the_contract_is_led_to_propose_the_extension(self, signed_in, demo_procurements):
        contract = Contract.objects.get(reference="MPS-DP-T1-006")
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        body = client.get(f"/contracts/{contract.pk}/?as_at=2019-05-23").content.decode()
        assert '<a class="govuk-link" href="#extension-options">Propose exercising its next option</a>' in body
        assert 'id="extension-options"' in body

    def test_a_supplier_user_sees_no_replacement_on_its_contract(self, signed_in, demo_procurements):
        contract = Contract.objects.get(reference="MPS-DP-T1-006")
        client, _ = signed_in(Role.SUPPLIER_USER, supplier=contract.supplier)
        response = client.get(f"/contracts/{contract.pk}/?as_at=2019-05-23")
        assert response.status_code == 200
        assert response.context["replacement_risks"] == []
        assert 'data-testid="replacement-risk"' not in response.content.decode()

    def test_the_dashboard_lists_each_replaced_contract_with_its_odds(self, signed_in, demo_procurements):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.get("/dashboard/?as_at=2019-05-23")
        pairs = response.context["replacement_risks"]
        references = [incumbent.reference for _, incumbent in pairs]
        assert "MPS-DP-T1-006" in references
        assert [i.current_end for _, i in pairs] == sorted(i.current_end for _, i in pairs)
        assert 'data-testid="replacement-risks"' in response.content.decode()


class TestStageEstimateService:
    def test_sets_the_estimate_and_records_it(self, make_procurement):
        stage = make_procurement().stages.get(kind="evaluation")
        services.stage_estimate_set(
            stage=stage,
            optimistic=Decimal("20"),
            most_likely=Decimal("30.5"),
            pessimistic=Decimal("90"),
            distribution="triangular",
            by=None,
        )
        stage.refresh_from_db()
        assert (stage.optimistic_days, stage.most_likely_days, stage.pessimistic_days) == (20, Decimal("30.5"), 90)
        assert stage.distribution == "triangular"
        event = AuditEvent.objects.get(action="procurement.stage-estimate")
        assert event.summary == "PROC-1: evaluation estimated 20/30.5/90 days (triangular)"
        assert stage.history.latest().optimistic_days == 20

    @pytest.mark.parametrize(
        ("days", "field", "message"),
        [
            ((30, 20, 40), "most_likely_days", services.ESTIMATE_MOST_LIKELY_OUTSIDE),
            ((30, 30, 20), "pessimistic_days", services.ESTIMATE_PESSIMISTIC_BELOW_OPTIMISTIC),
            ((30, None, 40), "most_likely_days", services.ESTIMATE_ALL_OR_NONE),
            ((-1, 2, 3), "optimistic_days", services.ESTIMATE_NOT_NEGATIVE),
        ],
    )
    def test_refuses_an_estimate_out_of_order_naming_the_field(self, make_procurement, days, field, message):
        from django.core.exceptions import ValidationError

        stage = make_procurement().stages.get(kind="evaluation")
        values = [None if d is None else Decimal(d) for d in days]
        with pytest.raises(ValidationError) as caught:
            services.stage_estimate_set(
                stage=stage, optimistic=values[0], most_likely=values[1], pessimistic=values[2], by=None
            )
        assert caught.value.message_dict == {field: [message]}
        stage.refresh_from_db()
        assert stage.optimistic_days is None

    def test_clearing_the_estimate_makes_the_stage_fixed_again(self, make_procurement):
        stage = make_procurement().stages.get(kind="evaluation")
        services.stage_estimate_set(
            stage=stage, optimistic=Decimal(1), most_likely=Decimal(2), pessimistic=Decimal(3), by=None
        )
        services.stage_estimate_set(stage=stage, optimistic=None, most_likely=None, pessimistic=None, by=None)
        stage.refresh_from_db()
        assert not stage.has_estimate

    def test_the_database_refuses_an_estimate_out_of_order(self, make_procurement):
        stage = make_procurement().stages.get(kind="evaluation")
        with pytest.raises(IntegrityError), transaction.atomic():
            Stage.objects.filter(pk=stage.pk).update(
                optimistic_days=Decimal(10), most_likely_days=Decimal(5), pessimistic_days=Decimal(20)
            )


class TestStageEstimatePage:
    def test_a_commercial_officer_estimates_a_stage_and_the_odds_change(self, signed_in, make_procurement):
        procurement = make_procurement()
        stage = procurement.stages.get(kind="evaluation")
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        before = client.get(f"/procurements/{procurement.pk}/?as_at=2019-05-23").context["risk"]
        url = f"/procurements/{procurement.pk}/stages/{stage.pk}/estimate/"
        assert "planned: 30 days" in client.get(url).content.decode()
        response = client.post(
            url,
            {
                "optimistic_days": "25",
                "most_likely_days": "40",
                "pessimistic_days": "120",
                "distribution": "pert",
            },
        )
        assert response.status_code == 302 and response["Location"].endswith("#schedule-risk")
        after = client.get(f"/procurements/{procurement.pk}/?as_at=2019-05-23").context["risk"]
        assert before.p80 == before.planned_start < after.p50 < after.p80
        assert after.simulation.drivers[0].name == "Evaluation and moderation"

    def test_an_estimate_out_of_order_is_reported_against_its_field(self, signed_in, make_procurement):
        procurement = make_procurement()
        stage = procurement.stages.get(kind="evaluation")
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.post(
            f"/procurements/{procurement.pk}/stages/{stage.pk}/estimate/",
            {"optimistic_days": "40", "most_likely_days": "30", "pessimistic_days": "50", "distribution": "pert"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {"most_likely_days": [services.ESTIMATE_MOST_LIKELY_OUTSIDE]}

    def test_the_detail_page_links_each_stage_to_its_estimate_for_editors_only(self, signed_in, make_procurement):
        procurement = make_procurement()
        stage = procurement.stages.get(kind="evaluation")
        link = f"/procurements/{procurement.pk}/stages/{stage.pk}/estimate/"
        editor, _ = signed_in(Role.COMMERCIAL_OFFICER)
        assert link in editor.get(f"/procurements/{procurement.pk}/").content.decode()
        editor.logout()
        reader, _ = signed_in(Role.FINANCE, username="reader")
        assert link not in reader.get(f"/procurements/{procurement.pk}/").content.decode()


class TestFinishedStages:
    """A stage that has actually ended is no longer a risk: the simulation takes the span it took."""

    def test_a_stage_ended_by_the_day_read_takes_its_actual_span_and_no_estimate(self, demo_procurements):
        procurement = Procurement.objects.get(reference="PEG-2020-02")
        before = selectors.schedule_risk_of(procurement, date(2019, 5, 23))
        first = before.stages[0]
        stage = Stage.objects.get(pk=first.stage_pk)
        start = before.simulation.start
        late_end = start + timedelta(days=first.planned_days - 1 + 10)  # ten days later than planned
        Stage.objects.filter(pk=stage.pk).update(actual_start=start, actual_end=late_end)
        read_on = late_end + timedelta(days=1)

        after = selectors.schedule_risk_of(procurement, read_on)

        done = after.stages[0]
        assert (done.planned_days, done.has_estimate, done.estimate.is_fixed) == (first.planned_days + 10, False, True)
        assert [s.planned_days for s in after.stages[1:]] == [s.planned_days for s in before.stages[1:]]
        assert after.planned_start == before.planned_start + timedelta(days=10)

    def test_a_stage_that_ends_after_the_day_read_is_still_drawn_from_its_estimate(self, demo_procurements):
        procurement = Procurement.objects.get(reference="PEG-2020-02")
        before = selectors.schedule_risk_of(procurement, date(2019, 5, 23))
        estimated = next(s for s in before.stages if s.has_estimate)
        Stage.objects.filter(pk=estimated.stage_pk).update(actual_start=date(2019, 5, 1), actual_end=date(2019, 6, 1))
        after = selectors.schedule_risk_of(procurement, date(2019, 5, 23))
        assert next(s for s in after.stages if s.stage_pk == estimated.stage_pk).has_estimate
        assert after.p80 == before.p80
