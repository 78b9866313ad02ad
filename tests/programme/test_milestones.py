"""Milestones: saved and audited by the director; a stage's recorded actual dates feed its milestone; RAG, slip and
actual as at a day; the page with its tolerance, table and slip chart; roles; the PCD 579 demo milestones."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.procurement import services as procurement_services
from pegasus.procurement.models import Stage
from pegasus.programme.models import BusinessCase, Milestone, Programme
from pegasus.programme.rules import Rag
from pegasus.programme.selectors.milestones import milestone_rows
from pegasus.programme.services import milestones as services
from tests.factories import ContractFactory, OptionFactory

pytestmark = pytest.mark.django_db

AS_AT = date(2019, 5, 23)
READERS = [Role.PROGRAMME_DIRECTOR, Role.COMMERCIAL_OFFICER, Role.FINANCE, Role.LEGAL, Role.APPROVER, Role.AUDITOR]
NOT_READERS = [Role.EVALUATOR, Role.SUPPLIER_USER]


@pytest.fixture
def programme(db):
    # Not the demo's code: the pages' tests load the demo once for the module, in any order with these.
    return Programme.objects.create(code="TEST-PROGRAMME", name="Test programme")


@pytest.fixture
def stage(db):
    contract = ContractFactory(reference="C-REPLACED", start_date=date(2018, 4, 1), initial_end_date=date(2021, 3, 31))
    OptionFactory(contract=contract, sequence=1, length_months=12)
    procurement = procurement_services.procurement_create(
        contracts=[contract],
        by=None,
        reference="PROC-1",
        title="Replacement of the service desk",
        starts_on=date(2019, 4, 1),
        route="open",
        annual_value=Decimal("1000000.00"),
        term_months=36,
        extension_months=12,
    )
    return procurement.stages.get(kind="requirements")


def save(programme, **fields):
    values = {
        "name": "Go to market",
        "owner": "Head of Commercial",
        "baseline_on": date(2019, 9, 2),
        "forecast_on": date(2019, 9, 2),
        "by": None,
    } | fields
    return services.milestone_save(programme=programme, **values)


def row_of(milestone, as_at=AS_AT):
    return next(r for r in milestone_rows(as_at, milestone.programme) if r.milestone.pk == milestone.pk)


class TestMilestoneSave:
    def test_creates_it_and_audits_who_did(self, programme, make_user):
        director = make_user(Role.PROGRAMME_DIRECTOR)
        milestone = save(programme, by=director)
        assert milestone.pk and milestone.programme == programme
        event = AuditEvent.objects.get(action="programme.milestone-create")
        assert event.actor == director
        assert event.object_id == str(milestone.pk)

    def test_changes_it_and_records_the_change(self, programme):
        milestone = save(programme)
        save(programme, milestone=milestone, forecast_on=date(2019, 9, 20))
        milestone.refresh_from_db()
        assert milestone.forecast_on == date(2019, 9, 20)
        assert AuditEvent.objects.filter(action="programme.milestone-update").count() == 1
        assert milestone.history.count() == 2

    def test_saving_it_unchanged_records_nothing(self, programme):
        milestone = save(programme)
        save(programme, milestone=milestone)
        assert not AuditEvent.objects.filter(action="programme.milestone-update").exists()

    def test_refuses_a_second_milestone_of_the_same_name(self, programme):
        save(programme)
        with pytest.raises(ValidationError) as refused:
            save(programme)
        assert refused.value.message_dict["name"] == [services.MILESTONE_NAME_TAKEN.format(name="Go to market")]

    def test_refuses_an_actual_date_of_its_own_when_tied_to_a_stage(self, programme, stage):
        with pytest.raises(ValidationError) as refused:
            save(programme, stage=stage, actual_on=date(2019, 5, 1))
        assert refused.value.message_dict["actual_on"] == [services.STAGE_TAKES_ACTUAL]
        assert not Milestone.objects.exists()

    def test_refuses_both_a_stage_and_a_business_case(self, programme, stage):
        case = BusinessCase.objects.create(
            reference="PEG-OBC", title="Outline Business Case", stage="OBC", programme=programme, value=Decimal(0)
        )
        with pytest.raises(ValidationError) as refused:
            save(programme, stage=stage, business_case=case)
        assert refused.value.message_dict["business_case"] == [services.ONE_OWNER_RECORD]

    def test_refuses_a_name_with_a_control_character(self, programme):
        with pytest.raises(ValidationError) as refused:
            save(programme, name="Go\x07 to market")
        assert "name" in refused.value.message_dict


class TestToleranceSet:
    def test_sets_the_tolerance_and_audits_it(self, programme, make_user):
        director = make_user(Role.PROGRAMME_DIRECTOR)
        services.programme_tolerance_set(programme=programme, tolerance_days=10, by=director)
        programme.refresh_from_db()
        assert programme.tolerance_days == 10
        assert AuditEvent.objects.get(action="programme.tolerance").data == {"from": 30, "to": 10}

    @pytest.mark.parametrize("days", [-1, 366])
    def test_refuses_a_tolerance_out_of_range(self, programme, days):
        with pytest.raises(ValidationError) as refused:
            services.programme_tolerance_set(programme=programme, tolerance_days=days, by=None)
        assert "tolerance_days" in refused.value.message_dict
        programme.refresh_from_db()
        assert programme.tolerance_days == 30

    def test_a_tighter_tolerance_turns_amber_to_red(self, programme):
        milestone = save(programme, forecast_on=date(2019, 9, 12))  # 10 days late
        assert row_of(milestone).rag is Rag.AMBER
        services.programme_tolerance_set(programme=programme, tolerance_days=9, by=None)
        assert row_of(milestone).rag is Rag.RED


class TestStageActuals:
    @pytest.fixture(autouse=True)
    def demo_day(self, settings):
        settings.PEGASUS_AS_AT = date(2019, 6, 30)

    def test_records_the_stage_actuals_and_audits_them(self, stage, make_user):
        officer = make_user(Role.COMMERCIAL_OFFICER)
        procurement_services.stage_actuals_set(
            stage=stage, actual_start=date(2019, 4, 1), actual_end=date(2019, 5, 31), by=officer
        )
        stage.refresh_from_db()
        assert (stage.actual_start, stage.actual_end) == (date(2019, 4, 1), date(2019, 5, 31))
        event = AuditEvent.objects.get(action="procurement.stage-actuals")
        assert event.actor == officer
        assert event.data["to"] == {"actual_start": "2019-04-01", "actual_end": "2019-05-31"}

    def test_refuses_an_end_before_the_start(self, stage):
        with pytest.raises(ValidationError) as refused:
            procurement_services.stage_actuals_set(
                stage=stage, actual_start=date(2019, 5, 1), actual_end=date(2019, 4, 30), by=None
            )
        assert "actual_end" in refused.value.message_dict
        stage.refresh_from_db()
        assert stage.actual_start is None

    def test_refuses_an_end_without_a_start(self, stage):
        with pytest.raises(ValidationError) as refused:
            procurement_services.stage_actuals_set(
                stage=stage, actual_start=None, actual_end=date(2019, 4, 30), by=None
            )
        assert refused.value.message_dict["actual_end"] == [procurement_services.STAGE_END_WITHOUT_START]

    def test_refuses_a_day_after_today(self, stage):
        with pytest.raises(ValidationError) as refused:
            procurement_services.stage_actuals_set(stage=stage, actual_start=date(2019, 7, 1), actual_end=None, by=None)
        assert "actual_start" in refused.value.message_dict

    def test_the_milestone_tied_to_the_stage_takes_its_actual_from_it(self, programme, stage):
        """Recording the stage's end completes its milestone: read, not copied."""
        milestone = save(
            programme,
            name="Requirements signed off",
            baseline_on=date(2019, 5, 31),
            forecast_on=date(2019, 5, 31),
            stage=stage,
            stage_event=Milestone.Event.END,
        )
        assert row_of(milestone, date(2019, 6, 30)).rag is Rag.RED  # baseline passed, nothing done
        procurement_services.stage_actuals_set(
            stage=Stage.objects.get(pk=stage.pk), actual_start=date(2019, 4, 1), actual_end=date(2019, 6, 4), by=None
        )
        row = row_of(milestone, date(2019, 6, 30))
        assert (row.rag, row.actual, row.slip_days) == (Rag.COMPLETE, date(2019, 6, 4), 4)
        milestone.refresh_from_db()
        assert milestone.actual_on is None  # nothing copied onto the milestone

    def test_a_milestone_on_the_stage_start_reads_the_start(self, programme, stage):
        milestone = save(programme, name="Requirements begin", stage=stage, stage_event=Milestone.Event.START)
        procurement_services.stage_actuals_set(stage=stage, actual_start=date(2019, 4, 3), actual_end=None, by=None)
        assert row_of(milestone, date(2019, 6, 30)).actual == date(2019, 4, 3)

    def test_as_at_a_day_before_the_actual_it_had_not_happened(self, programme, stage):
        milestone = save(programme, name="Requirements begin", stage=stage, stage_event=Milestone.Event.START)
        procurement_services.stage_actuals_set(stage=stage, actual_start=date(2019, 4, 3), actual_end=None, by=None)
        assert row_of(milestone, date(2019, 4, 2)).actual is None
        assert row_of(milestone, date(2019, 4, 2)).rag is Rag.GREEN


class TestMilestoneRows:
    def test_rows_carry_rag_slip_and_what_they_belong_to(self, programme, stage):
        save(programme, name="Late", baseline_on=date(2019, 9, 2), forecast_on=date(2019, 9, 9), owner="PD")
        save(programme, name="Tied", stage=stage)
        rows = {r.name: r for r in milestone_rows(AS_AT, programme)}
        assert (rows["Late"].rag, rows["Late"].slip_days, rows["Late"].belongs_to) == (Rag.AMBER, 7, "programme")
        assert rows["Tied"].belongs_to == "stage"
        assert rows["Tied"].stage_label == "Requirements ends"

    def test_an_actual_recorded_for_a_later_day_is_not_shown_before_it(self, programme):
        milestone = save(
            programme, baseline_on=date(2019, 6, 7), forecast_on=date(2019, 6, 10), actual_on=date(2019, 6, 10)
        )
        assert row_of(milestone, AS_AT).actual is None
        assert row_of(milestone, AS_AT).rag is Rag.AMBER
        assert row_of(milestone, date(2019, 6, 10)).rag is Rag.COMPLETE


# --- The pages, with the demo ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(module_transaction):
    from pegasus.estate.demo import demo_load
    from pegasus.procurement.demo import procurements_demo_load
    from pegasus.programme.demo import programme_demo_load

    demo_load()
    procurements_demo_load()
    programme_demo_load()
    return Programme.objects.get(code="PEGASUS")


class TestDemoMilestones:
    def test_are_the_seeds_milestones_with_one_amber_as_at_23_may_2019(self, loaded):
        rows = {r.name: r for r in milestone_rows(AS_AT)}
        decision = rows["PCD 579 decision: OBC-stage spend approved (required by 7 June 2019)"]
        assert (decision.rag, decision.slip_days, decision.actual) == (Rag.AMBER, 3, None)
        market = rows["Go to market: contract notice for the service towers (September 2019)"]
        assert market.belongs_to == "stage"
        assert market.milestone.stage.procurement.reference == "PEG-2019-01"
        assert market.forecast.year == 2019 and market.forecast.month == 9
        assert rows[
            "Full Business Case: approval to award the service towers (first quarter of 2020)"
        ].baseline == date(2020, 3, 31)
        assert rows["Full Business Case: applications management services (May 2021)"].baseline == date(2021, 5, 31)
        expiry = rows["MPS-DP-T1-001 Service Integration and Management (SIAM) expires (current end)"]
        assert expiry.baseline == date(2020, 3, 31)
        assert [r.rag for r in rows.values()].count(Rag.AMBER) == 1
        assert Rag.RED not in {r.rag for r in rows.values()}

    def test_the_decision_is_complete_once_signed(self, loaded):
        rows = {r.name: r for r in milestone_rows(date(2019, 6, 10))}
        assert rows["PCD 579 decision: OBC-stage spend approved (required by 7 June 2019)"].rag is Rag.COMPLETE

    def test_loading_again_changes_nothing(self, loaded):
        from pegasus.programme.demo.milestones import milestones_demo_load

        before = Milestone.objects.count()
        assert milestones_demo_load(loaded) == {"milestones": 0}
        assert Milestone.objects.count() == before


class TestMilestonePages:
    @pytest.mark.parametrize("role", READERS)
    def test_readers_see_the_table_tolerance_and_chart(self, loaded, signed_in, role):
        client, _ = signed_in(role)
        response = client.get("/programme/milestones/?as_at=2019-05-23")
        assert response.status_code == 200
        html = response.content.decode()
        assert "tolerance is <strong>30 days</strong>" in html
        assert "Amber: slipping" in html
        assert "milestone-slip-spec" in html  # the chart, with its table
        assert "Milestones: baseline against forecast as a table" in html
        assert ("Add a milestone" in html) is (role == Role.PROGRAMME_DIRECTOR)

    @pytest.mark.parametrize("role", NOT_READERS)
    def test_others_are_refused(self, loaded, signed_in, role):
        client, _ = signed_in(role)
        assert client.get("/programme/milestones/").status_code == 403

    @pytest.mark.parametrize("path", ["/programme/milestones/new/", "/programme/milestones/tolerance/"])
    def test_only_the_director_edits(self, loaded, signed_in, path):
        client, _ = signed_in(Role.APPROVER)
        assert client.get(path).status_code == 403
        assert client.post(path, {}).status_code == 403

    def test_the_director_adds_a_milestone(self, loaded, signed_in):
        client, director = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.post(
            "/programme/milestones/new/",
            {
                "name": "Market engagement day",
                "owner": "Head of Commercial",
                "baseline_on": "2019-07-01",
                "forecast_on": "2019-07-15",
                "stage_event": "end",
            },
        )
        assert response.status_code == 302
        milestone = Milestone.objects.get(name="Market engagement day")
        assert (
            AuditEvent.objects.get(action="programme.milestone-create", object_id=str(milestone.pk)).actor == director
        )

    def test_the_director_edits_one_and_sees_the_refusal_on_its_field(self, loaded, signed_in):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        milestone = Milestone.objects.get(name__startswith="Go to market")
        page = client.get(f"/programme/milestones/{milestone.pk}/")
        assert page.status_code == 200
        assert 'value="2019-09-02"' in page.content.decode()  # a date input takes its value in ISO 8601 only
        response = client.post(
            f"/programme/milestones/{milestone.pk}/",
            {
                "name": milestone.name,
                "owner": milestone.owner,
                "baseline_on": "2019-09-02",
                "forecast_on": "2019-09-16",
                "actual_on": "2019-09-16",
                "stage": milestone.stage_id,
                "stage_event": "start",
            },
        )
        assert response.status_code == 200
        assert services.STAGE_TAKES_ACTUAL in response.content.decode()
        milestone.refresh_from_db()
        assert milestone.forecast_on == date(2019, 9, 2)

    def test_the_director_sets_the_tolerance(self, loaded, signed_in):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        assert client.post("/programme/milestones/tolerance/", {"tolerance_days": "2"}).status_code == 302
        html = client.get("/programme/milestones/?as_at=2019-05-23").content.decode()
        assert "tolerance is <strong>2 days</strong>" in html
        assert "Red: late" in html  # the decision's 3 days now beyond it

    def test_recording_a_stage_actual_on_the_procurement_page_updates_the_milestone(self, loaded, signed_in, settings):
        settings.PEGASUS_AS_AT = date(2019, 9, 30)
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        milestone = Milestone.objects.get(name__startswith="Go to market")
        stage = milestone.stage
        detail = client.get(f"/procurements/{stage.procurement_id}/").content.decode()
        assert f"/procurements/{stage.procurement_id}/stages/{stage.pk}/actuals/" in detail
        response = client.post(
            f"/procurements/{stage.procurement_id}/stages/{stage.pk}/actuals/",
            {"actual_start": "2019-09-04", "actual_end": ""},
        )
        assert response.status_code == 302
        row = row_of(milestone, date(2019, 9, 30))
        assert (row.rag, row.actual, row.slip_days) == (Rag.COMPLETE, date(2019, 9, 4), 2)

    def test_the_stage_actuals_form_shows_a_refusal_on_its_field(self, loaded, signed_in, settings):
        settings.PEGASUS_AS_AT = date(2019, 9, 30)
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        stage = Milestone.objects.get(name__startswith="Go to market").stage
        response = client.post(
            f"/procurements/{stage.procurement_id}/stages/{stage.pk}/actuals/",
            {"actual_start": "2019-09-04", "actual_end": "2019-09-01"},
        )
        assert response.status_code == 200
        assert "The actual end cannot be before the actual start" in response.content.decode()

    def test_the_stage_actuals_form_is_refused_to_readers_of_procurements(self, loaded, signed_in):
        client, _ = signed_in(Role.FINANCE)
        stage = Milestone.objects.get(name__startswith="Go to market").stage
        assert client.get(f"/procurements/{stage.procurement_id}/stages/{stage.pk}/actuals/").status_code == 403


class TestMilestoneRowsQueries:
    def test_reads_in_the_same_number_of_queries_for_one_milestone_as_for_five(
        self, programme, stage, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        save(programme, name="First", stage=stage)
        with CaptureQueriesContext(connection) as one:
            milestone_rows(AS_AT, programme)
        for n in range(4):
            save(programme, name=f"Milestone {n}", stage=stage if n % 2 else None)
        with django_assert_max_num_queries(len(one)):
            assert len(milestone_rows(AS_AT, programme)) == 5
