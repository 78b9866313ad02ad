"""Real service-desk exports through the pages: what a file is, the groups an export is mapped by, the conversion,
what of a dataset the SLAs read, and the choice of the dataset the reports read."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from pegasus.core.exceptions import InvalidTransition
from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.estate.models import Contract, Supplier
from pegasus.performance import importers, selectors, services
from pegasus.performance.demo import DATASET
from pegasus.performance.importers import ExportKind
from pegasus.performance.models import GroupMapping, TicketSource, TicketUpload, UploadStatus

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SERVICENOW_ZIP = DATA / "itsm-servicenow-incident-log" / "incident_event_log_first119998_original_format.zip"
EUC = "MPS-DP-T1-005"

SERVICENOW_HEADER = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,caller_id,opened_by,"
    "opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,contact_type,location,category,"
    "subcategory,u_symptom,cmdb_ci,impact,urgency,priority,assignment_group,assigned_to,knowledge,"
    "u_priority_confirmation,notify,problem_id,rfc,vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at"
)


def servicenow_row(number, state, updated, group, *, priority="1 - Critical", resolved="?", opened="1/3/2019 09:00"):
    fields = dict.fromkeys(SERVICENOW_HEADER.split(","), "?")
    fields |= {
        "number": number,
        "incident_state": state,
        "opened_at": opened,
        "sys_updated_at": updated,
        "priority": priority,
        "assignment_group": group,
        "resolved_at": resolved,
        "closed_at": "?",
        "category": "Category 9",
        "reassignment_count": "0",
        "reopen_count": "0",
    }
    return ",".join(fields.values())


LATE = "2/3/2019 19:00"  # ten hours after it was opened: past the 4-hour P1 target
# Two incidents of the desk (one resolved within 4 hours, one not), one of the network team, one with no group.
SERVICENOW_LOG = (
    "\n".join(
        [
            SERVICENOW_HEADER,
            servicenow_row("INC1", "New", "1/3/2019 09:00", "Desk"),
            servicenow_row("INC1", "Resolved", "1/3/2019 10:00", "Desk", resolved="1/3/2019 10:00"),
            servicenow_row("INC2", "New", "2/3/2019 09:00", "Desk", opened="2/3/2019 09:00"),
            servicenow_row(
                "INC2", "Resolved", "2/3/2019 19:00", "Desk", opened="2/3/2019 09:00", resolved="2/3/2019 19:00"
            ),
            servicenow_row("INC3", "New", "3/3/2019 09:00", "Network team", opened="3/3/2019 09:00"),
            servicenow_row("INC4", "New", "4/3/2019 09:00", "?", opened="4/3/2019 09:00"),
        ]
    )
    + "\n"
)

BPIC_CASES = (
    "incident_id,priority,open_time,resolved_time,close_time,x_reassignments,reopen_time,service_component_wbs_aff\n"
    "IM1,2,2013-10-01 09:00:00,2013-10-01 10:00:00,2013-10-01 11:00:00,0,,WBS1\n"
)
BPIC_EVENTS = (
    "incident_id,data_stamp,incident_activity_number,assignment_group\nIM1,2013-10-01 09:05:00,ACT1,TEAM0001\n"
)
TICKETS = (
    "ticket_id,supplier,priority,opened_at,resolved_at\n"
    "T1,Kestrel Digital Services Ltd (illustrative),1,2019-03-04T09:00,2019-03-04T10:00\n"
)
ASSIGNMENTS = "ticket_id,assigned_at,supplier\nT1,2019-03-04T09:00,Kestrel Digital Services Ltd (illustrative)\n"


def file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def zipped(name: str, member: str, text: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    return SimpleUploadedFile(name, buffer.getvalue())


def euc() -> Contract:
    return Contract.objects.select_related("supplier").get(reference=EUC)


@pytest.fixture
def commercial(make_user):
    return make_user(Role.COMMERCIAL_OFFICER, username="uploader")


@pytest.fixture
def surveyed(performance_demo, commercial, django_capture_on_commit_callbacks):
    """A ServiceNow export uploaded and read for its groups, waiting for its mapping."""
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.ticket_upload_create(file=zipped("march.zip", "log.csv", SERVICENOW_LOG), by=commercial)
    upload.refresh_from_db()
    return upload


class TestWhatAFileIs:
    """The header tells each kind of file apart, through a zip too; anything else is named and refused."""

    @pytest.mark.parametrize(
        ("text", "kind"),
        [
            (SERVICENOW_LOG, ExportKind.SERVICENOW),
            (SERVICENOW_LOG.replace("incident_state", "ident_state", 1), ExportKind.SERVICENOW),
            (BPIC_CASES, ExportKind.BPIC_CASES),
            (BPIC_EVENTS, ExportKind.BPIC_EVENTS),
            (TICKETS, ExportKind.TICKETS),
            (ASSIGNMENTS, ExportKind.ASSIGNMENTS),
        ],
    )
    def test_each_kind_is_told_from_its_header(self, tmp_path, text, kind):
        plain = tmp_path / "file.csv"
        plain.write_text(text)
        packed = tmp_path / "file.zip"
        with zipfile.ZipFile(packed, "w") as archive:
            archive.writestr("inside.csv", text)
        assert importers.export_kind(plain) == kind
        assert importers.export_kind(packed) == kind

    def test_an_unknown_file_is_named_with_what_was_expected(self, tmp_path):
        path = tmp_path / "stored-as.csv"
        path.write_text("a,b,c\n1,2,3\n")
        with pytest.raises(importers.ImportFileError) as caught:
            importers.export_kind(path, "spend.csv")
        assert str(caught.value).startswith("spend.csv: line 1: not a file Pegasus reads")


class TestUploadingAnExport:
    """An export is read for its groups and waits for them to be mapped; file pairs are checked on their fields."""

    def test_a_servicenow_export_waits_for_its_groups_most_tickets_first(self, surveyed):
        assert (surveyed.source, surveyed.status) == (TicketSource.SERVICENOW, UploadStatus.MAPPING)
        assert surveyed.groups == [["Desk", 2], ["Network team", 1]]
        assert "4 incidents from 6 events in 2 assignment groups" in surveyed.stage
        assert surveyed.dataset == "" and surveyed.is_waiting

    def test_the_upload_page_takes_the_export_and_leads_to_the_mapping(
        self, performance_demo, signed_in, django_capture_on_commit_callbacks
    ):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/performance/uploads/", {"file": zipped("m.zip", "log.csv", SERVICENOW_LOG)})
        upload = TicketUpload.objects.get(original_name="m.zip")
        assert response.url == f"/performance/uploads/{upload.pk}/"
        page = client.get(response.url).content.decode()
        assert f'href="/performance/uploads/{upload.pk}/mapping/"' in page
        assert "waiting for you" in page and "hx-get" not in page
        mapping = client.get(f"/performance/uploads/{upload.pk}/mapping/").content.decode()
        assert "Desk (2 tickets): maps to" in mapping and f"{EUC}: End User Computing Services" in mapping

    @pytest.mark.parametrize("swap", [False, True], ids=["cases first", "activity log first"])
    def test_bpic_cases_and_activity_log_are_read_in_either_order(
        self, demo, commercial, swap, django_capture_on_commit_callbacks
    ):
        pair = [file("cases.csv", BPIC_CASES), file("events.csv", BPIC_EVENTS)]
        first, second = reversed(pair) if swap else pair
        with django_capture_on_commit_callbacks(execute=True):
            upload = services.ticket_upload_create(file=first, second_file=second, by=commercial)
        upload.refresh_from_db()
        assert (upload.source, upload.original_name, upload.second_name) == (
            TicketSource.BPIC2014,
            "cases.csv",
            "events.csv",
        )
        assert upload.status == UploadStatus.MAPPING and upload.groups == [["TEAM0001", 1]]

    @pytest.mark.parametrize(
        ("first", "second", "field", "message"),
        [
            (("cases.csv", BPIC_CASES), None, "second_file", services.SECOND_FILE_NEEDED),
            (("events.csv", BPIC_EVENTS), None, "file", "This is a BPI Challenge 2014 activity log"),
            (("log.csv", SERVICENOW_LOG), ("a.csv", ASSIGNMENTS), "second_file", "holds its own assignments"),
            (("t.csv", TICKETS), ("cases.csv", BPIC_CASES), "second_file", "The second file must be a Pegasus assign"),
            (("spend.csv", "a,b\n1,2\n"), None, "file", "spend.csv: line 1: not a file Pegasus reads"),
            (("t.xlsx", TICKETS), None, "file", services.NOT_A_CSV),
        ],
    )
    def test_files_that_do_not_go_together_are_refused_on_their_field(
        self, demo, commercial, first, second, field, message
    ):
        with pytest.raises(ValidationError) as caught:
            services.ticket_upload_create(
                file=file(*first), second_file=file(*second) if second else None, by=commercial
            )
        assert message in caught.value.message_dict[field][0]
        assert not TicketUpload.objects.exists()

    def test_a_tickets_csv_with_its_assignments_is_stored_with_its_hand_offs(
        self, demo, commercial, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            upload = services.ticket_upload_create(
                file=file("a.csv", ASSIGNMENTS), second_file=file("t.csv", TICKETS), by=commercial
            )
        upload.refresh_from_db()
        assert (upload.status, upload.original_name, upload.rows_read) == (UploadStatus.SUCCEEDED, "t.csv", 1)
        assert default_storage.exists(f"performance/datasets/{upload.dataset}/assignments.parquet")

    def test_an_export_that_cannot_be_read_is_rejected_naming_its_line(
        self, demo, commercial, django_capture_on_commit_callbacks
    ):
        bad = SERVICENOW_LOG.replace("3/3/2019 09:00", "31/2/2019 09:00")
        with django_capture_on_commit_callbacks(execute=True):
            upload = services.ticket_upload_create(file=file("feb.csv", bad), by=commercial)
        upload.refresh_from_db()
        assert upload.status == UploadStatus.REJECTED
        assert upload.error.startswith("feb.csv: line 6: '31/2/2019 09:00' is not a real date")
        assert not upload.file and not upload.groups


class TestMapping:
    """The mapping is checked whole, kept for the next export, and converts the tickets to the contract's SLA."""

    def choices(self, **groups):
        return {group: services.GroupChoice(*target) for group, target in groups.items()}

    def test_a_group_mapped_to_a_contract_is_read_by_its_sla(
        self, surveyed, commercial, django_capture_on_commit_callbacks
    ):
        # when the desk is mapped to the end-user computing contract and the network team left out
        contract = euc()
        with django_capture_on_commit_callbacks(execute=True):
            services.ticket_upload_map(
                upload=surveyed, choices=self.choices(Desk=(contract.supplier, contract)), by=commercial
            )
        surveyed.refresh_from_db()
        # then it is stored, becomes the dataset the pages read, and the contract's SLA reads the desk's tickets
        assert surveyed.status == UploadStatus.SUCCEEDED, surveyed.error
        assert surveyed.mapping == {
            "Desk": {"supplier": contract.supplier.name, "contract": EUC, "service": "End User Computing Services"}
        }
        assert selectors.current_upload() == surveyed
        coverage = selectors.dataset_coverage(user=commercial, upload=surveyed)
        assert (coverage.tickets, coverage.matched) == (4, 2)
        assert [(s.supplier, s.tickets, s.matched, s.contracts) for s in coverage.by_supplier] == [
            (contract.supplier.name, 2, 2, {EUC: 2}),
            ("Network team", 1, 0, {}),
            (importers.UNASSIGNED, 1, 0, {}),
        ]
        _, performance = selectors.contract_scorecard(user=commercial, pk=contract.pk)[1:]
        p1 = performance.kpis[0]
        assert (p1.resolved, p1.met) == (2, 1)

    def test_the_mapping_is_kept_and_offered_for_the_next_export(
        self, surveyed, commercial, signed_in, django_capture_on_commit_callbacks
    ):
        contract = euc()
        network = Supplier.objects.get(name__startswith="Thamesmead")
        with django_capture_on_commit_callbacks(execute=True):
            services.ticket_upload_map(
                upload=surveyed,
                choices=self.choices(Desk=(contract.supplier, contract), **{"Network team": (network, None)}),
                by=commercial,
            )
        saved = {m.group: (m.supplier, m.contract) for m in GroupMapping.objects.filter(source="servicenow")}
        assert saved == {"Desk": (contract.supplier, contract), "Network team": (network, None)}
        # when the next export comes, its mapping page starts from the saved choices
        with django_capture_on_commit_callbacks(execute=True):
            upload = services.ticket_upload_create(file=file("april.csv", SERVICENOW_LOG), by=commercial)
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        form = client.get(f"/performance/uploads/{upload.pk}/mapping/").context["form"]
        assert [bound.initial for _group, _n, bound in form.rows()] == [f"c{contract.pk}", f"s{network.pk}"]

    def test_the_mapping_page_maps_converts_and_shows_what_matched(
        self, surveyed, signed_in, django_capture_on_commit_callbacks
    ):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/performance/uploads/{surveyed.pk}/mapping/", {"group_0": f"c{euc().pk}", "group_1": ""}
            )
        assert response.url == f"/performance/uploads/{surveyed.pk}/"
        page = client.get(response.url).content.decode()
        assert "2 of 4 tickets (50.0%) fall under a contract" in page
        assert "Network team" in page and f"{EUC} (2)" in page
        applied = client.get(f"/performance/uploads/{surveyed.pk}/mapping/").content.decode()
        assert 'data-testid="mapping-applied"' in applied and "End User Computing" not in applied.split("<h1")[0]

    def test_an_unknown_choice_is_refused_on_its_row_and_nothing_changes(self, surveyed, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.post(f"/performance/uploads/{surveyed.pk}/mapping/", {"group_0": "c999999"})
        assert "Choose a supplier or contract from the list" in response.content.decode()
        surveyed.refresh_from_db()
        assert surveyed.status == UploadStatus.MAPPING and not GroupMapping.objects.exists()

    @pytest.mark.parametrize("fault", ["unknown group", "contract of another supplier"])
    def test_the_service_refuses_a_wrong_mapping_whole(self, surveyed, commercial, fault):
        contract = euc()
        other = Supplier.objects.exclude(pk=contract.supplier_id).first()
        good = {"Desk": services.GroupChoice(contract.supplier, contract)}
        bad = (
            {"Nobody": services.GroupChoice(other)}
            if fault == "unknown group"
            else {"Network team": services.GroupChoice(other, contract)}
        )
        with pytest.raises(ValidationError):
            services.ticket_upload_map(upload=surveyed, choices=good | bad, by=commercial)
        surveyed.refresh_from_db()
        assert surveyed.status == UploadStatus.MAPPING and surveyed.mapping == {}
        assert not GroupMapping.objects.exists()

    def test_only_an_export_waiting_for_its_mapping_is_mapped(self, performance_demo, commercial):
        stored = TicketUpload.objects.get(dataset=DATASET)
        with pytest.raises(InvalidTransition):
            services.ticket_upload_map(upload=stored, choices={}, by=commercial)

    @pytest.mark.parametrize("role", [Role.PROGRAMME_DIRECTOR, Role.FINANCE, Role.SUPPLIER_USER])
    def test_only_commercial_officers_map_and_choose(self, surveyed, signed_in, role):
        client, _ = signed_in(role)
        assert client.post(f"/performance/uploads/{surveyed.pk}/mapping/", {"group_0": ""}).status_code == 403
        assert client.post(f"/performance/uploads/{surveyed.pk}/choose/").status_code == 403


class TestDatasets:
    """Every stored dataset is kept; the reports read the latest stored or chosen one, and a page may read another."""

    def store(self, commercial, callbacks, text=TICKETS, name="t.csv") -> TicketUpload:
        with callbacks(execute=True):
            upload = services.ticket_upload_create(file=file(name, text), by=commercial)
        upload.refresh_from_db()
        return upload

    def test_a_new_dataset_keeps_the_earlier_one_and_either_can_be_chosen(
        self, performance_demo, commercial, signed_in, django_capture_on_commit_callbacks
    ):
        demo = TicketUpload.objects.get(dataset=DATASET)
        new = self.store(commercial, django_capture_on_commit_callbacks)
        assert selectors.current_upload() == new and selectors.dataset_exists(DATASET)
        # when the demo's dataset is chosen again through the page
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        assert client.post(f"/performance/uploads/{demo.pk}/choose/").status_code == 302
        # then the reports read it, and the choice is audited
        assert selectors.current_upload() == demo
        assert client.get("/performance/").context["upload"] == demo
        assert AuditEvent.objects.filter(action="ticket-dataset.choose", object_id=str(demo.pk)).exists()
        assert list(selectors.stored_uploads()) == [demo, new]

    def test_a_page_reads_another_dataset_without_changing_the_default(
        self, performance_demo, commercial, signed_in, django_capture_on_commit_callbacks
    ):
        demo = TicketUpload.objects.get(dataset=DATASET)
        self.store(commercial, django_capture_on_commit_callbacks)
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.get(f"/performance/?dataset={demo.pk}")
        assert response.context["upload"] == demo
        page = response.content.decode()
        assert "not the dataset the reports read by default" in page
        kestrel = Supplier.objects.get(name__startswith="Kestrel")
        assert f'href="/performance/suppliers/{kestrel.pk}/?dataset={demo.pk}"' in page
        # the demo's figures, not the one-ticket file's
        rows = {r.supplier.name: r for r in response.context["rows"]}
        assert rows[kestrel.name].credits_total > 0
        assert selectors.current_upload() != demo

    @pytest.mark.parametrize("value", ["999999", "abc", "-1", "1" * 30])
    def test_a_dataset_that_is_not_stored_is_not_found(self, performance_demo, signed_in, value):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        for path in ("/performance/", "/performance/handoffs/", f"/performance/contracts/{euc().pk}/"):
            assert client.get(path, {"dataset": value}).status_code == 404, path

    def test_a_refused_upload_cannot_be_chosen(self, demo, commercial):
        upload = TicketUpload.objects.create(original_name="x.csv", status=UploadStatus.REJECTED)
        with pytest.raises(InvalidTransition):
            services.dataset_choose(upload=upload, by=commercial)

    def test_the_overview_warns_when_no_ticket_falls_under_an_sla(
        self, performance_demo, commercial, signed_in, django_capture_on_commit_callbacks
    ):
        nobody = TICKETS.replace("Kestrel Digital Services Ltd (illustrative)", "Group 70")
        upload = self.store(commercial, django_capture_on_commit_callbacks, text=nobody)
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        page = client.get("/performance/").content.decode()
        assert 'data-testid="nothing-matched"' in page
        assert f'href="/performance/uploads/{upload.pk}/"' in page
        detail = client.get(f"/performance/uploads/{upload.pk}/").content.decode()
        assert "None of the 1 tickets falls under a contract" in detail
        # the demo's own dataset matches: no warning
        demo = TicketUpload.objects.get(dataset=DATASET)
        assert 'data-testid="nothing-matched"' not in client.get(f"/performance/?dataset={demo.pk}").content.decode()


@pytest.mark.skipif(not SERVICENOW_ZIP.exists(), reason=f"the real ServiceNow export is not at {SERVICENOW_ZIP}")
def test_the_real_servicenow_export_mapped_on_its_busiest_group_gives_a_report(
    performance_demo, commercial, signed_in, django_capture_on_commit_callbacks
):
    # given the real export uploaded through the page
    client, _ = signed_in(Role.COMMERCIAL_OFFICER)
    upload_file = SimpleUploadedFile(SERVICENOW_ZIP.name, SERVICENOW_ZIP.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/performance/uploads/", {"file": upload_file})
    upload = TicketUpload.objects.get(original_name=SERVICENOW_ZIP.name)
    assert upload.status == UploadStatus.MAPPING and len(upload.groups) == 72
    busiest, tickets = upload.groups[0]
    assert (busiest, tickets) == ("Group 70", 8966)
    # when its busiest group is mapped to the end-user computing contract
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/performance/uploads/{upload.pk}/mapping/", {"group_0": f"c{euc().pk}"})
    upload.refresh_from_db()
    assert upload.status == UploadStatus.SUCCEEDED and upload.rows_read == 20769
    # then the SLA reads exactly that group's tickets, and the scorecard rates the contract from them
    coverage = selectors.dataset_coverage(user=commercial, upload=upload)
    assert coverage.matched == 8966
    performance = client.get(f"/performance/contracts/{euc().pk}/").context["performance"]
    assert sum(k.resolved for k in performance.kpis) > 0 and performance.overall is not None
