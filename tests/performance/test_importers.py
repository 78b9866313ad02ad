"""Importers on the real published data: the ServiceNow incident log and BPIC 2014, through to the SLA report."""

import csv
import json
import zipfile
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from pegasus.performance import duckdb_sql, importers, sla, ticket_loading

SERVICENOW = "itsm-servicenow-incident-log/incident_event_log_first119998_original_format.zip"
SERVICENOW_EDITED = "itsm-servicenow-incident-log/incident_event_log_full_prefix_stripped.zip"
BPIC = "itsm-bpic2014"
OFFICE_HOURS = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}


def agreement(supplier: str) -> dict:
    return {
        "supplier": supplier,
        "monthly_charge": 250000,
        "credit_cap_percent": 10,
        "service_hours": {**OFFICE_HOURS, "exclude_bank_holidays": "england-and-wales"},
        "targets": [
            {"priority": p, "resolve_within_hours": h, "clock": c, "attainment_target": 90, "credit_percent": 2}
            for p, h, c in ((1, 4, "24x7"), (2, 8, "24x7"), (3, 20, "service-hours"), (4, 50, "service-hours"))
        ],
    }


@pytest.fixture(scope="module")
def servicenow(tmp_path_factory):
    from tests.conftest import SHARED_DATA

    if not (SHARED_DATA / SERVICENOW).is_file():
        pytest.skip(f"the published data is not beside the project at {SHARED_DATA}")
    out = tmp_path_factory.mktemp("servicenow")
    mapping = out / "mapping.csv"
    mapping.write_text("assignment_group,supplier\nGroup 70,Tower Supplier A\nGroup 24,Tower Supplier A\n")
    imported = importers.import_servicenow(SHARED_DATA / SERVICENOW, mapping=importers.read_mapping(mapping))
    importers.write_csv(imported.tickets, importers.TICKET_COLUMNS, out / "tickets.csv")
    importers.write_csv(imported.assignments, importers.ASSIGNMENT_COLUMNS, out / "assignments.csv")
    return imported, out


class TestServiceNow:
    def test_one_ticket_per_incident_number(self, servicenow, shared_data):
        imported, _out = servicenow
        assert imported.summary() | {"unmapped_groups": None} == {
            "events_read": 119998,
            "tickets": 20769,
            "resolved": 20769,
            "assignments": 35488,  # 35,757 group changes, less those between the two groups mapped to one supplier
            "groups": 72,
            "unmapped_groups": None,
            "priorities_folded": 0,
        }

    def test_the_final_row_gives_the_ticket(self, servicenow, shared_data):
        """INC0000045 (first rows of the log): Group 56, priority 3 - Moderate, resolved 29/2/2016 11:29."""
        imported, _out = servicenow
        first = imported.tickets[0]
        assert {k: first[k] for k in ("ticket_id", "supplier", "priority", "opened_at", "resolved_at", "service")} == {
            "ticket_id": "INC0000045",
            "supplier": "Group 56",
            "priority": "3",
            "opened_at": "2016-02-29T01:16:00+00:00",
            "resolved_at": "2016-02-29T11:29:00+00:00",
            "service": "Category 55",
        }

    def test_a_closed_incident_without_resolved_at_takes_its_first_resolved_update(self, servicenow, shared_data):
        """INC0000093 has resolved_at '?'; it was set Resolved on 29/2/2016 08:56 and closed on 5/3/2016."""
        imported, _out = servicenow
        ticket = next(t for t in imported.tickets if t["ticket_id"] == "INC0000093")
        assert ticket["resolved_at"] == "2016-02-29T08:56:00+00:00"

    def test_mapped_groups_become_suppliers(self, servicenow, shared_data):
        imported, _out = servicenow
        suppliers = {t["supplier"] for t in imported.tickets}
        assert "Tower Supplier A" in suppliers
        assert not {"Group 70", "Group 24"} & suppliers

    def test_the_log_loads_and_reports_without_error(self, servicenow, shared_data):
        _imported, out = servicenow
        con = duckdb_sql.connect()
        report = ticket_loading.load_tickets(con, out / "tickets.csv")
        ticket_loading.load_assignments(con, out / "assignments.csv")
        result = sla.sla_report(con, sla.parse_agreements([agreement("Tower Supplier A")]), assignments="assignments")
        assert (report.rows_read, report.rows_rejected) == (20769, 0)
        months = sorted({r["month"] for r in result["results"]})
        assert months[0] == "2016-02"
        assert sum(r["resolved"] for r in result["results"]) == sum(
            1 for row in csv.DictReader((out / "tickets.csv").open()) if row["supplier"] == "Tower Supplier A"
        )
        assert result["handoffs"]["pairs"]

    def test_the_edited_export_reads_too(self, shared_data, tmp_path):
        """The prefix-stripped export (header ident_state, category twice, bare numbers) gives the same shape."""
        source = shared_data / SERVICENOW_EDITED
        with zipfile.ZipFile(source) as archive:
            member = archive.namelist()[0]
            lines = archive.read(member).decode("utf-8").splitlines(keepends=True)
        sample = tmp_path / "sample.csv"
        sample.write_text("".join(lines[:2001]), encoding="utf-8")
        imported = importers.import_servicenow(sample)
        assert imported.events_read == 2000
        assert {t["priority"] for t in imported.tickets} <= {"1", "2", "3", "4"}


class TestBpic2014:
    def test_cases_and_activities_become_tickets_and_assignments(self, shared_data):
        imported = importers.import_bpic2014(
            shared_data / BPIC / "BPIC14_incident_case_attributes.csv", shared_data / BPIC / "BPIC14_incident_log.csv"
        )
        assert imported.summary() == {
            "events_read": 39911,
            "tickets": 4000,
            "resolved": 4000,
            "assignments": 13215,
            "groups": 195,
            "unmapped_groups": 0,
            "priorities_folded": 1448,
        }
        first = imported.tickets[0]
        assert (first["ticket_id"], first["priority"], first["opened_at"], first["resolved_at"]) == (
            "IM0000013",
            "4",
            "2012-08-10T11:27:59+02:00",
            "2013-11-08T13:54:07+01:00",
        )

    def test_the_command_imports_and_the_canonical_files_load(self, shared_data, tmp_path, capsys, settings):
        settings.VAR_DIR = tmp_path / "var"
        call_command(
            "performance",
            "import",
            "bpic2014",
            "--cases",
            str(shared_data / BPIC / "BPIC14_incident_case_attributes.csv"),
            "--events",
            str(shared_data / BPIC / "BPIC14_incident_log.csv"),
            "--out",
            str(tmp_path / "bpic"),
            "--json",
        )
        summary = json.loads(capsys.readouterr().out)
        (tmp_path / "sla.yaml").write_text(yaml.safe_dump([agreement("TEAM0003")]))
        call_command(
            "performance",
            "sla",
            "--tickets",
            summary["tickets_file"],
            "--assignments",
            summary["assignments_file"],
            "--sla",
            str(tmp_path / "sla.yaml"),
            "--json",
        )
        result = json.loads(capsys.readouterr().out)
        assert (result["rows_read"], result["rows_rejected"]) == (4000, 0)
        assert {r["supplier"] for r in result["results"]} == {"TEAM0003"}


class TestMapping:
    def test_a_mapping_without_its_columns_is_refused(self, tmp_path):
        path = Path(tmp_path / "m.csv")
        path.write_text("group,owner\nG,S\n")
        with pytest.raises(importers.ImportFileError, match="needs columns assignment_group, supplier"):
            importers.read_mapping(path)
