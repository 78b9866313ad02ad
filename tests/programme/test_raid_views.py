"""The RAID log's pages: who reads and who changes, the log with its heat map, an item, the forms, the workbook in and
out, and the dashboard's panel of what to escalate."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.roles import Role
from pegasus.programme.models import Mitigation, RaidItem
from pegasus.programme.services import raid as services
from tests.programme.raid_helpers import issue_make, programme_make, risk_make

pytestmark = pytest.mark.django_db
READERS = [Role.PROGRAMME_DIRECTOR, Role.COMMERCIAL_OFFICER, Role.FINANCE, Role.LEGAL, Role.APPROVER, Role.AUDITOR]
NOT_READERS = [Role.EVALUATOR, Role.SUPPLIER_USER]
AS_AT = "?as_at=2019-05-23"


@pytest.fixture
def log():
    programme_make()
    escalated = risk_make(inherent_probability=4, inherent_impact=5, title="Contract ends before replacement")
    services.mitigation_save(item=escalated, action="Exercise the option", owner="PD", due_on=date(2019, 9, 1), by=None)
    risk_make(inherent_probability=2, inherent_impact=2, title="Small risk")
    issue_make(priority="critical", title="Critical issue")
    risk_make(raised_on=date(2019, 6, 1), title="Raised later")
    return escalated


class TestRoles:
    @pytest.mark.parametrize("role", READERS)
    def test_readers_read_the_log_and_an_item(self, role, signed_in, log):
        client, _ = signed_in(role)
        assert client.get("/programme/raid/" + AS_AT).status_code == 200
        assert client.get(f"/programme/raid/{log.pk}/").status_code == 200
        assert client.get("/programme/raid/export.xlsx").status_code == 200

    @pytest.mark.parametrize("role", [r for r in READERS if r != Role.PROGRAMME_DIRECTOR])
    def test_only_the_director_changes_it(self, role, signed_in, log):
        client, _ = signed_in(role)
        assert client.get("/programme/raid/new/").status_code == 403
        assert client.post(f"/programme/raid/{log.pk}/close/", {"closed_on": "2019-05-23"}).status_code == 403
        assert client.get("/programme/raid/import/").status_code == 403
        log.refresh_from_db()
        assert log.status == "open"

    @pytest.mark.parametrize("role", NOT_READERS)
    def test_evaluators_and_suppliers_see_nothing(self, role, signed_in, log):
        client, _ = signed_in(role)
        for path in ("/programme/raid/", f"/programme/raid/{log.pk}/", "/programme/raid/export.xlsx"):
            assert client.get(path).status_code == 403, path


class TestLog:
    def test_the_log_as_at_a_day_with_its_heat_map_and_table(self, signed_in, log):
        client, _ = signed_in(Role.AUDITOR)
        response = client.get("/programme/raid/" + AS_AT)
        shown = [row.item.title for row in response.context["rows"]]
        assert "Raised later" not in shown
        assert len(shown) == 3
        page = response.content.decode()
        assert 'data-testid="heat-map-table"' in page
        assert 'data-cell="4-5"' in page
        assert "raid-heat-map-spec" in page
        assert "Escalated" in page

    def test_filters_narrow_the_log(self, signed_in, log):
        client, _ = signed_in(Role.AUDITOR)
        response = client.get("/programme/raid/?as_at=2019-05-23&kind=issue")
        assert [row.item.title for row in response.context["rows"]] == ["Critical issue"]
        response = client.get("/programme/raid/?as_at=2019-05-23&band=very-high")
        assert [row.item.title for row in response.context["rows"]] == ["Contract ends before replacement"]

    def test_a_bad_as_at_is_said_and_the_default_read(self, signed_in, log):
        client, _ = signed_in(Role.AUDITOR)
        response = client.get("/programme/raid/?as_at=not-a-date")
        assert response.status_code == 200
        assert "Enter the as-at date as a real date" in response.content.decode()

    def test_the_list_reads_in_a_fixed_number_of_queries(self, signed_in, log):
        client, _ = signed_in(Role.AUDITOR)
        with CaptureQueriesContext(connection) as few:
            client.get("/programme/raid/" + AS_AT)
        for n in range(10):
            risk_make(title=f"More {n}")
        with CaptureQueriesContext(connection) as more:
            client.get("/programme/raid/" + AS_AT)
        assert len(more) == len(few)


class TestItem:
    def test_shows_scores_mitigations_links_and_history(self, signed_in, log, demo):
        from pegasus.estate.models import Contract

        contract = Contract.objects.order_by("pk").first()
        director, user = signed_in(Role.PROGRAMME_DIRECTOR)
        services.raid_item_save(
            programme=log.programme,
            reference=log.reference,
            kind="risk",
            title=log.title,
            owner=log.owner,
            raised_on=log.raised_on,
            cause=log.cause,
            event=log.event,
            effect=log.effect,
            inherent_probability=4,
            inherent_impact=5,
            residual_probability=2,
            residual_impact=5,
            contract=contract,
            by=user,
        )
        page = director.get(f"/programme/raid/{log.pk}/").content.decode()
        assert "Exercise the option" in page
        assert f"/contracts/{contract.pk}/" in page
        assert 'data-testid="raid-history"' in page
        assert "Residual probability: – → 2" in page
        assert user.get_username() in page


class TestForms:
    def test_the_director_raises_a_risk(self, signed_in):
        programme_make()
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.post(
            "/programme/raid/new/",
            {
                "kind": "risk",
                "title": "Legal risks before the FBC",
                "owner": "Legal",
                "raised_on": "2019-05-01",
                "cause": "c",
                "event": "e",
                "effect": "f",
                "inherent_probability": "3",
                "inherent_impact": "5",
            },
        )
        item = RaidItem.objects.get()
        assert response.status_code == 302
        assert response.url == f"/programme/raid/{item.pk}/"
        assert (item.reference, item.inherent_probability) == ("R-001", 3)

    def test_a_refusal_is_shown_on_its_field(self, signed_in):
        programme_make()
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.post(
            "/programme/raid/new/", {"kind": "issue", "title": "T", "owner": "O", "raised_on": "2019-05-01"}
        )
        assert response.status_code == 200
        assert "priority" in response.context["form"].errors
        assert not RaidItem.objects.exists()

    def test_close_reopen_and_mitigations(self, signed_in, log):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        assert client.post(f"/programme/raid/{log.pk}/close/", {"closed_on": "2019-05-22"}).status_code == 302
        log.refresh_from_db()
        assert log.closed_on == date(2019, 5, 22)
        assert client.post(f"/programme/raid/{log.pk}/reopen/").status_code == 302
        log.refresh_from_db()
        assert log.status == "open"
        response = client.post(
            f"/programme/raid/{log.pk}/mitigations/new/",
            {"action": "Plan dual running", "owner": "PD", "due_on": "2019-07-01"},
        )
        assert response.status_code == 302
        mitigation = Mitigation.objects.get(action="Plan dual running")
        done = client.post(f"/programme/raid/{log.pk}/mitigations/{mitigation.pk}/done/", {"done_on": "2019-06-30"})
        assert done.status_code == 302
        mitigation.refresh_from_db()
        assert mitigation.done_on == date(2019, 6, 30)

    def test_an_issue_closed_without_resolution_is_refused_on_its_field(self, signed_in):
        issue = issue_make()
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.post(f"/programme/raid/{issue.pk}/close/", {"closed_on": "2019-05-22"})
        assert response.status_code == 200
        assert "resolution" in response.context["form"].errors

    def test_edit_keeps_the_kind(self, signed_in, log):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.post(
            f"/programme/raid/{log.pk}/edit/",
            {
                "kind": "issue",
                "title": "Renamed",
                "owner": log.owner,
                "raised_on": "2019-04-01",
                "cause": "c",
                "event": "e",
                "effect": "f",
                "inherent_probability": "4",
                "inherent_impact": "5",
            },
        )
        assert response.status_code == 302
        log.refresh_from_db()
        assert (log.kind, log.title) == ("risk", "Renamed")


class TestImportPage:
    def test_a_file_with_problems_lists_them_and_imports_nothing(self, signed_in):
        programme_make()
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        upload = SimpleUploadedFile("raid.csv", b"reference,kind,title,owner,raised_on\nI-001,issue,T,O,2019-05-01\n")
        response = client.post("/programme/raid/import/", {"RAID-file": upload})
        assert response.status_code == 200
        assert "Line 2, column priority" in response.content.decode()
        assert not RaidItem.objects.exists()

    def test_a_good_file_is_imported(self, signed_in):
        programme_make()
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        upload = SimpleUploadedFile(
            "raid.csv", b"reference,kind,title,owner,raised_on,priority\nI-001,issue,T,O,2019-05-01,critical\n"
        )
        response = client.post("/programme/raid/import/", {"RAID-file": upload})
        assert response.status_code == 302
        assert RaidItem.objects.get().priority == "critical"

    def test_the_template_downloads(self, signed_in):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.get("/programme/raid/import/template.xlsx")
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith('template.xlsx"')


class TestDashboard:
    def test_a_reader_sees_what_to_escalate(self, signed_in, log, demo):
        client, _ = signed_in(Role.APPROVER)
        page = client.get("/dashboard/" + AS_AT).content.decode()
        assert "Programme risks and issues to escalate" in page
        assert f"/programme/raid/{log.pk}/" in page
        assert "Critical issue" in page
        assert "Small risk" not in page

    def test_an_evaluator_does_not(self, signed_in, log, demo):
        client, _ = signed_in(Role.EVALUATOR)
        response = client.get("/dashboard/" + AS_AT)
        assert response.status_code == 200
        assert "Programme risks and issues to escalate" not in response.content.decode()
        assert "Contract ends before replacement" not in response.content.decode()
