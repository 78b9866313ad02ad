"""Exit and transition: plans and tasks saved and audited by the director; readiness and task states as at a day;
the red flag when a contract cannot last until its replacement's planned start, both ways; the pages; roles; the
demo's plans for the tier-1 contracts PEG-2019-01 replaces."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.procurement import services as procurement_services
from pegasus.programme.models import ExitPlan, ExitTask, Programme
from pegasus.programme.rules import ExitCover
from pegasus.programme.selectors.exits import exit_row, exit_rows
from pegasus.programme.services import exits as services
from tests.factories import ContractFactory, OptionFactory

pytestmark = pytest.mark.django_db

AS_AT = date(2019, 5, 23)
READERS = [Role.PROGRAMME_DIRECTOR, Role.COMMERCIAL_OFFICER, Role.FINANCE, Role.LEGAL, Role.APPROVER, Role.AUDITOR]
NOT_READERS = [Role.EVALUATOR, Role.SUPPLIER_USER]


@pytest.fixture
def programme(db):
    # Not the demo's code: the pages' tests load the demo once for the module, in any order with these.
    return Programme.objects.create(code="TEST-PROGRAMME", name="Test programme")


def contract_ending(reference: str, end: date, *options: int):
    contract = ContractFactory(reference=reference, start_date=date(2016, 4, 1), initial_end_date=end)
    for n, months in enumerate(options, start=1):
        OptionFactory(contract=contract, sequence=n, length_months=months)
    return contract


def replacing(*contracts, reference="PROC-1"):
    return procurement_services.procurement_create(
        contracts=list(contracts),
        by=None,
        reference=reference,
        title="Replacement of the service desk",
        starts_on=date(2019, 6, 3),
        route="open",
        annual_value=Decimal("1000000.00"),
        term_months=36,
        extension_months=12,
    )


@pytest.fixture
def plan(programme):
    contract = contract_ending("C-SIAM", date(2021, 3, 31), 12)
    return services.exit_plan_save(
        programme=programme, contract=contract, procurement=replacing(contract), summary="", by=None
    )


def add_task(plan, title="Hand over the runbooks", area=ExitTask.Area.KNOWLEDGE, due=date(2020, 6, 30)):
    return services.exit_task_save(plan=plan, area=area, title=title, owner="Transition manager", due_on=due, by=None)


class TestExitPlanSave:
    def test_creates_the_plan_and_audits_it(self, plan):
        assert plan.procurement.reference == "PROC-1"
        assert AuditEvent.objects.get(action="programme.exit-plan-create").summary == "Added the exit plan of C-SIAM"

    def test_refuses_a_second_plan_for_a_contract(self, programme, plan):
        with pytest.raises(ValidationError) as refused:
            services.exit_plan_save(programme=programme, contract=plan.contract, procurement=None, by=None)
        assert refused.value.message_dict["contract"] == [services.CONTRACT_HAS_PLAN.format(contract="C-SIAM")]

    def test_refuses_a_procurement_that_does_not_replace_the_contract(self, programme):
        contract = contract_ending("C-WAN", date(2021, 3, 31))
        other = replacing(contract_ending("C-OTHER", date(2021, 3, 31)), reference="PROC-2")
        with pytest.raises(ValidationError) as refused:
            services.exit_plan_save(programme=programme, contract=contract, procurement=other, by=None)
        assert "procurement" in refused.value.message_dict
        assert not ExitPlan.objects.exists()


class TestExitTasks:
    def test_a_new_task_has_not_started(self, plan):
        task = add_task(plan)
        assert task.state == ExitTask.State.NOT_STARTED
        assert AuditEvent.objects.filter(action="programme.exit-task-create", object_id=str(task.pk)).exists()

    def test_refuses_a_title_with_a_control_character_when_added_or_changed(self, plan):
        with pytest.raises(ValidationError) as refused:
            add_task(plan, "Hand over\x07 the runbooks")
        assert "title" in refused.value.message_dict
        task = add_task(plan)
        with pytest.raises(ValidationError) as refused:
            services.exit_task_save(
                plan=plan, task=task, area=task.area, title="Bell\x07", owner=task.owner, due_on=task.due_on, by=None
            )
        assert "title" in refused.value.message_dict

    def test_changing_a_task_is_audited_and_unchanged_records_nothing(self, plan):
        task = add_task(plan)
        fields = {"area": task.area, "title": task.title, "owner": task.owner}
        services.exit_task_save(plan=plan, task=task, due_on=task.due_on, by=None, **fields)
        assert not AuditEvent.objects.filter(action="programme.exit-task-update").exists()
        services.exit_task_save(plan=plan, task=task, due_on=date(2020, 7, 31), by=None, **fields)
        task.refresh_from_db()
        assert task.due_on == date(2020, 7, 31)
        assert AuditEvent.objects.filter(action="programme.exit-task-update").count() == 1

    def test_marked_done_on_a_day(self, plan, make_user):
        director = make_user(Role.PROGRAMME_DIRECTOR)
        task = add_task(plan)
        services.exit_task_state_set(task=task, state=ExitTask.State.DONE, done_on=date(2019, 5, 20), by=director)
        task.refresh_from_db()
        assert (task.state, task.done_on) == (ExitTask.State.DONE, date(2019, 5, 20))
        event = AuditEvent.objects.get(action="programme.exit-task-state")
        assert (event.actor, event.data["to"]) == (director, "done")

    def test_done_needs_its_day(self, plan):
        task = add_task(plan)
        with pytest.raises(ValidationError) as refused:
            services.exit_task_state_set(task=task, state=ExitTask.State.DONE, by=None)
        assert refused.value.message_dict["done_on"] == [services.DONE_NEEDS_DATE]

    def test_done_cannot_be_after_today(self, plan, settings):
        settings.PEGASUS_AS_AT = AS_AT
        task = add_task(plan)
        with pytest.raises(ValidationError) as refused:
            services.exit_task_state_set(task=task, state=ExitTask.State.DONE, done_on=date(2019, 5, 24), by=None)
        assert "done_on" in refused.value.message_dict
        task.refresh_from_db()
        assert task.state == ExitTask.State.NOT_STARTED

    def test_reopening_a_task_clears_its_day(self, plan):
        task = add_task(plan)
        services.exit_task_state_set(task=task, state=ExitTask.State.DONE, done_on=date(2019, 5, 20), by=None)
        services.exit_task_state_set(task=task, state=ExitTask.State.IN_PROGRESS, by=None)
        task.refresh_from_db()
        assert (task.state, task.done_on) == (ExitTask.State.IN_PROGRESS, None)

    def test_a_state_other_than_done_takes_no_day(self, plan):
        with pytest.raises(ValidationError) as refused:
            services.exit_task_state_set(
                task=add_task(plan), state=ExitTask.State.IN_PROGRESS, done_on=date(2019, 5, 1), by=None
            )
        assert refused.value.message_dict["done_on"] == [services.NOT_DONE_NO_DATE]


class TestReadiness:
    def test_counts_the_tasks_done_by_the_day_read(self, plan):
        first, second, _third = (add_task(plan, f"Task {n}") for n in range(3))
        services.exit_task_state_set(task=first, state=ExitTask.State.DONE, done_on=date(2019, 5, 1), by=None)
        services.exit_task_state_set(task=second, state=ExitTask.State.DONE, done_on=date(2019, 6, 1), by=None)
        assert exit_row(plan, AS_AT).readiness == Decimal("33.3")
        assert exit_row(plan, date(2019, 6, 1)).readiness == Decimal("66.7")

    def test_a_task_done_after_the_day_read_shows_as_in_progress_then(self, plan):
        task = add_task(plan)
        services.exit_task_state_set(task=task, state=ExitTask.State.DONE, done_on=date(2019, 6, 1), by=None)
        row = exit_row(plan, AS_AT).tasks[0]
        assert (row.state, row.done, row.done_on) == (ExitTask.State.IN_PROGRESS, False, None)

    def test_a_task_not_done_by_its_due_date_is_overdue(self, plan):
        add_task(plan, due=date(2019, 5, 22))
        add_task(plan, "Due today", due=AS_AT)
        row = exit_row(plan, AS_AT)
        assert [t.overdue for t in row.tasks] == [True, False]
        assert row.overdue == 1

    def test_a_plan_without_tasks_has_no_readiness(self, plan):
        assert exit_row(plan, AS_AT).readiness is None

    def test_tasks_are_grouped_by_area_in_the_models_order(self, plan):
        add_task(plan, "Data return", area=ExitTask.Area.DATA)
        add_task(plan, "Asset register", area=ExitTask.Area.ASSETS)
        areas = exit_row(plan, AS_AT).by_area()
        assert [a for a, _, _ in areas] == [a.value for a in ExitTask.Area]
        assert [t.task.title for t in areas[0][2]] == ["Asset register"]


class TestRedFlag:
    def test_flagged_when_even_the_options_left_end_before_the_replacement_starts(self, programme):
        contract = contract_ending("C-SHORT", date(2019, 12, 31))
        procurement = replacing(contract)
        plan = services.exit_plan_save(programme=programme, contract=contract, procurement=procurement, by=None)
        row = exit_row(plan, AS_AT)
        assert row.replacement_starts > date(2020, 1, 1)
        assert row.outlook.cover is ExitCover.GAP
        assert row.outlook.red_flag
        assert row.outlook.gap_days == (row.replacement_starts - date(2020, 1, 1)).days

    def test_not_flagged_when_an_option_left_covers_it(self, programme):
        contract = contract_ending("C-OPTION", date(2019, 12, 31), 12)
        other = contract_ending("C-LATER", date(2021, 3, 31))
        plan = services.exit_plan_save(
            programme=programme, contract=contract, procurement=replacing(other, contract), by=None
        )
        row = exit_row(plan, AS_AT)
        assert row.latest_end == date(2020, 12, 31)
        assert row.outlook.cover is ExitCover.NEEDS_OPTIONS
        assert not row.outlook.red_flag

    def test_covered_when_the_current_end_reaches_the_replacement(self, plan):
        row = exit_row(plan, AS_AT)
        assert row.current_end == date(2021, 3, 31)
        assert row.outlook.cover is ExitCover.COVERED
        assert row.mobilisation is not None and row.incumbent_exit is not None

    def test_a_plan_without_a_replacement_cannot_be_compared(self, programme):
        contract = contract_ending("C-ALONE", date(2019, 12, 31))
        plan = services.exit_plan_save(programme=programme, contract=contract, procurement=None, by=None)
        row = exit_row(plan, AS_AT)
        assert row.outlook.cover is ExitCover.UNKNOWN
        assert row.problems == ["No procurement replaces it yet."]


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


class TestDemoExits:
    def test_a_plan_for_each_tier_one_contract_peg_2019_01_replaces(self, loaded):
        rows = exit_rows(AS_AT)
        assert [r.contract.reference for r in rows] == [f"MPS-DP-T1-00{n}" for n in range(1, 6)]
        assert {r.procurement.reference for r in rows} == {"PEG-2019-01"}
        for row in rows:
            assert 6 <= len(row.tasks) <= 10
            assert {t.task.area for t in row.tasks} >= {
                "assets",
                "data",
                "knowledge",
                "tupe",
                "dual-running",
                "obligations",
            }

    def test_a_few_tasks_done_by_23_may_2019_and_most_not_started(self, loaded):
        tasks = [t for row in exit_rows(AS_AT) for t in row.tasks]
        done = [t for t in tasks if t.done]
        assert 1 <= len(done) <= 6
        assert sum(1 for t in tasks if t.state == ExitTask.State.NOT_STARTED) > len(tasks) / 2

    def test_siam_needs_its_option_and_none_is_flagged(self, loaded):
        rows = {r.contract.reference: r for r in exit_rows(AS_AT)}
        assert rows["MPS-DP-T1-001"].outlook.cover is ExitCover.NEEDS_OPTIONS
        assert not any(r.outlook.red_flag for r in rows.values())

    def test_loading_again_changes_nothing(self, loaded):
        from pegasus.programme.demo.exits import exits_demo_load

        before = ExitTask.objects.count()
        assert exits_demo_load(loaded) == {"exit_plans": 0, "exit_tasks": 0}
        assert ExitTask.objects.count() == before


class TestExitPages:
    @pytest.mark.parametrize("role", READERS)
    def test_readers_see_the_list_and_a_plan(self, loaded, signed_in, role):
        client, _ = signed_in(role)
        html = client.get("/programme/exits/?as_at=2019-05-23").content.decode()
        assert "MPS-DP-T1-001" in html and "Needs options" in html
        plan = ExitPlan.objects.get(contract__reference="MPS-DP-T1-001")
        detail = client.get(f"/programme/exits/{plan.pk}/?as_at=2019-05-23")
        assert detail.status_code == 200
        text = detail.content.decode()
        assert "Staff (TUPE)" in text and "Mobilisation and transition" in text
        assert ("Add a task" in text) is (role == Role.PROGRAMME_DIRECTOR)

    @pytest.mark.parametrize("role", NOT_READERS)
    def test_others_are_refused(self, loaded, signed_in, role):
        client, _ = signed_in(role)
        plan = ExitPlan.objects.order_by("pk").first()
        assert client.get("/programme/exits/").status_code == 403
        assert client.get(f"/programme/exits/{plan.pk}/").status_code == 403

    def test_only_the_director_changes_tasks(self, loaded, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        task = ExitTask.objects.order_by("pk").first()
        assert (
            client.post(f"/programme/exits/{task.plan_id}/tasks/{task.pk}/state/", {"state": "done"}).status_code == 403
        )

    def test_the_director_adds_a_task_and_marks_it_done(self, loaded, signed_in, settings):
        settings.PEGASUS_AS_AT = AS_AT
        client, director = signed_in(Role.PROGRAMME_DIRECTOR)
        plan = ExitPlan.objects.get(contract__reference="MPS-DP-T1-004")
        response = client.post(
            f"/programme/exits/{plan.pk}/tasks/new/",
            {"area": "data", "title": "Data map of the hosted estate", "owner": "IAO", "due_on": "2019-07-31"},
        )
        assert response.status_code == 302
        task = plan.tasks.get(title="Data map of the hosted estate")
        edit = client.get(f"/programme/exits/{plan.pk}/tasks/{task.pk}/").content.decode()
        assert 'value="2019-07-31"' in edit  # a date input takes its value in ISO 8601 only
        response = client.post(
            f"/programme/exits/{plan.pk}/tasks/{task.pk}/state/", {"state": "done", "done_on": "2019-05-22"}
        )
        assert response.status_code == 302
        row = exit_row(ExitPlan.objects.get(pk=plan.pk), AS_AT)
        assert row.done == 1
        assert AuditEvent.objects.filter(action="programme.exit-task-state", actor=director).exists()

    def test_a_refused_state_is_shown_on_its_field(self, loaded, signed_in, settings):
        settings.PEGASUS_AS_AT = AS_AT
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        task = ExitTask.objects.filter(state="not-started").order_by("pk").first()
        response = client.post(f"/programme/exits/{task.plan_id}/tasks/{task.pk}/state/", {"state": "done"})
        assert response.status_code == 200
        assert services.DONE_NEEDS_DATE in response.content.decode()

    def test_the_director_edits_a_plan(self, loaded, signed_in):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        plan = ExitPlan.objects.get(contract__reference="MPS-DP-T1-002")
        assert client.get(f"/programme/exits/{plan.pk}/edit/").status_code == 200
        response = client.post(
            f"/programme/exits/{plan.pk}/edit/",
            {"contract": plan.contract_id, "procurement": plan.procurement_id, "summary": "Networks exit."},
        )
        assert response.status_code == 302
        plan.refresh_from_db()
        assert plan.summary == "Networks exit."


class TestExitRowsQueries:
    def test_reads_in_the_same_number_of_queries_for_one_plan_as_for_four(
        self, programme, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        first = contract_ending("C-1", date(2021, 3, 31), 12)
        services.exit_plan_save(programme=programme, contract=first, procurement=replacing(first), by=None)
        with CaptureQueriesContext(connection) as one:
            exit_rows(AS_AT, programme)
        others = [contract_ending(f"C-{n}", date(2021, 3, 31), 12, 6) for n in (2, 3, 4)]
        second = replacing(*others, reference="PROC-2")
        for contract in others:
            plan = services.exit_plan_save(programme=programme, contract=contract, procurement=second, by=None)
            add_task(plan)
        with django_assert_max_num_queries(len(one)):
            assert len(exit_rows(AS_AT, programme)) == 4
