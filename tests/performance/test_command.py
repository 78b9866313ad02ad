"""`pegasus performance sla|ingest|import`: JSON out, exit 2 with one line on stderr, nothing written on rejection."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from tests.performance.test_sla import AGREEMENTS, HAND_MADE

RESULT_KEYS = {
    "supplier",
    "month",
    "priority",
    "resolved",
    "met",
    "attainment",
    "target",
    "median_hours",
    "p90_hours",
    "credit",
    "open_breached",
}


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture
def files(tmp_path):
    (tmp_path / "tickets.csv").write_text(HAND_MADE, encoding="utf-8")
    (tmp_path / "sla.yaml").write_text(yaml.safe_dump(AGREEMENTS), encoding="utf-8")
    (tmp_path / "assignments.csv").write_text(
        "ticket_id,assigned_at,supplier\n"
        "A6,2019-05-20T08:00,Supplier B\n"
        "A6,2019-05-21T08:00,Supplier A\n"
        "A7,2019-05-30T12:00,Supplier B\n"
        "A7,2019-05-30T18:00,Supplier A\n",
        encoding="utf-8",
    )
    return tmp_path


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        call_command("performance", *args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


class TestSla:
    def test_json_has_the_keys_the_issue_names(self, capsys, files, var_dir):
        code, out, _err = run(
            capsys, "sla", "--tickets", str(files / "tickets.csv"), "--sla", str(files / "sla.yaml"), "--json"
        )
        result = json.loads(out)
        assert code == 0
        assert set(result) == {"results", "credits", "rows_read", "rows_rejected", "unmatched_suppliers"}
        assert all(set(r) == RESULT_KEYS for r in result["results"])
        assert all(set(c) == {"supplier", "month", "credit", "capped"} for c in result["credits"])
        assert (result["rows_read"], result["rows_rejected"], result["unmatched_suppliers"]) == (14, 0, ["Supplier C"])

    def test_assignments_add_the_handoffs(self, capsys, files, var_dir):
        _code, out, _err = run(
            capsys,
            "sla",
            "--tickets",
            str(files / "tickets.csv"),
            "--sla",
            str(files / "sla.yaml"),
            "--assignments",
            str(files / "assignments.csv"),
            "--json",
        )
        handoffs = json.loads(out)["handoffs"]
        assert handoffs["pairs"] == [{"from": "Supplier B", "to": "Supplier A", "tickets": 2, "handoffs": 2}]
        # A6 (20 May 08:00 to 22 May 10:00): B held 24h, A 26h; A7 (30 May 12:00 to 31 May 12:00): B 6h, A 18h.
        assert handoffs["holding"] == [
            {"supplier": "Supplier A", "tickets": 2, "median_hours": 22.0},
            {"supplier": "Supplier B", "tickets": 2, "median_hours": 15.0},
        ]

    def test_a_bad_file_exits_2_with_one_line_and_writes_nothing(self, capsys, files, var_dir):
        bad = files / "bad.csv"
        bad.write_text(HAND_MADE + "Z1,Supplier A,P9,2019-05-01T10:00,\n", encoding="utf-8")
        code, out, err = run(capsys, "sla", "--tickets", str(bad), "--sla", str(files / "sla.yaml"), "--json")
        assert (code, out) == (2, "")
        assert err.count("\n") == 1
        assert err.startswith("error: bad.csv: rejected: 1 bad row: line 16: priority 'P9' is not 1-4 or P1-P4")
        assert not (Path(var_dir) / "performance").exists()

    def test_skip_invalid_counts_and_writes_the_rejected_rows(self, capsys, files, var_dir):
        bad = files / "bad.csv"
        bad.write_text(HAND_MADE + "Z1,Supplier A,P9,2019-05-01T10:00,\n", encoding="utf-8")
        code, out, _err = run(
            capsys, "sla", "--tickets", str(bad), "--sla", str(files / "sla.yaml"), "--skip-invalid", "--json"
        )
        result = json.loads(out)
        assert (code, result["rows_read"], result["rows_rejected"]) == (0, 15, 1)
        rejected = Path(result["rejected_files"]["tickets"])
        assert rejected == Path(var_dir) / "performance" / "rejected" / "bad.rejected.csv"
        assert rejected.read_text(encoding="utf-8").splitlines()[1].startswith("16,priority 'P9' is not 1-4")

    def test_a_bad_sla_file_names_the_field(self, capsys, files, var_dir):
        (files / "bad.yaml").write_text(yaml.safe_dump([{**AGREEMENTS[0], "credit_cap_percent": "x"}]))
        code, _out, err = run(capsys, "sla", "--tickets", str(files / "tickets.csv"), "--sla", str(files / "bad.yaml"))
        assert code == 2
        assert err == "error: bad.yaml: entry 1 (Supplier A) credit_cap_percent: 'x' is not a number\n"

    def test_text_output_for_people(self, capsys, files, var_dir):
        code, out, _err = run(capsys, "sla", "--tickets", str(files / "tickets.csv"), "--sla", str(files / "sla.yaml"))
        assert code == 0
        assert "credit Supplier B 2019-05: £5000.00 (capped)" in out


class TestIngest:
    def test_ingest_stores_parquet_that_sla_reads_without_the_csv(self, capsys, files, var_dir):
        code, out, _err = run(
            capsys,
            "ingest",
            "--tickets",
            str(files / "tickets.csv"),
            "--assignments",
            str(files / "assignments.csv"),
            "--name",
            "may-2019",
            "--json",
        )
        stored = json.loads(out)
        assert (code, stored["rows_stored"], stored["dataset"]) == (0, 14, "may-2019")
        assert sorted(p.name for p in Path(stored["directory"]).iterdir()) == ["assignments.parquet", "tickets.parquet"]
        _code, from_csv, _err = run(
            capsys,
            "sla",
            "--tickets",
            str(files / "tickets.csv"),
            "--sla",
            str(files / "sla.yaml"),
            "--json",
            "--assignments",
            str(files / "assignments.csv"),
        )
        _code, from_store, _err = run(
            capsys, "sla", "--dataset", "may-2019", "--sla", str(files / "sla.yaml"), "--json"
        )
        expected = json.loads(from_csv)
        del expected["assignment_rows_read"], expected["assignment_rows_rejected"]
        assert json.loads(from_store) == expected
        parquet = Path(stored["directory"]) / "tickets.parquet"
        _code, from_file, _err = run(
            capsys, "sla", "--tickets", str(parquet), "--sla", str(files / "sla.yaml"), "--json"
        )
        assert json.loads(from_file) == expected

    def test_a_rejected_ingest_leaves_the_stored_dataset_as_it_was(self, capsys, files, var_dir):
        run(capsys, "ingest", "--tickets", str(files / "tickets.csv"), "--name", "live")
        bad = files / "bad.csv"
        bad.write_text("ticket_id,supplier,priority,opened_at,resolved_at\nT1,S,1,2019-06-01T09:00,yesterday\n")
        code, _out, err = run(capsys, "ingest", "--tickets", str(bad), "--name", "live")
        assert code == 2
        assert "line 2: resolved_at 'yesterday' is not an ISO 8601 date and time" in err
        _code, out, _err = run(capsys, "sla", "--dataset", "live", "--sla", str(files / "sla.yaml"), "--json")
        assert json.loads(out)["rows_read"] == 14
        datasets = Path(var_dir) / "performance" / "datasets"
        assert sorted(p.name for p in datasets.iterdir()) == ["live"]

    @pytest.mark.parametrize("where", ["filesystem", "s3"])
    def test_a_dataset_stored_by_an_upload_is_reported_from_the_shared_storage(
        self, capsys, files, var_dir, where, request
    ):
        """On any host, `--dataset upload-N` reads what the pages read: the dataset in the shared storage."""
        from pegasus.performance import duckdb_sql, services, ticket_loading

        if where == "s3":
            request.getfixturevalue("s3_storage")
        con = duckdb_sql.connect()
        ticket_loading.load_tickets(con, files / "tickets.csv")
        services.dataset_store(con, "upload-7")
        _code, from_csv, _err = run(
            capsys, "sla", "--tickets", str(files / "tickets.csv"), "--sla", str(files / "sla.yaml"), "--json"
        )
        code, from_store, err = run(capsys, "sla", "--dataset", "upload-7", "--sla", str(files / "sla.yaml"), "--json")
        assert (code, err) == (0, "")
        assert json.loads(from_store) == json.loads(from_csv)
        assert not (Path(var_dir) / "performance" / "datasets").exists()

    def test_an_unknown_dataset_is_bad_input(self, capsys, files, var_dir):
        code, _out, err = run(capsys, "sla", "--dataset", "nothing", "--sla", str(files / "sla.yaml"))
        assert (code, err) == (2, "error: --dataset: no dataset 'nothing'; ingest it first\n")


class TestConsoleCommand:
    """`pegasus performance ...` as a user runs it: its own process, without loading the apps."""

    def console(self, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        env = {**os.environ, "PEGASUS_VAR_DIR": str(cwd / "var")}
        return subprocess.run(
            [sys.executable, "-m", "pegasus.cli", "performance", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=cwd,
            env=env,
        )

    def test_the_report_is_the_same_as_through_django(self, capsys, files, var_dir):
        args = ("sla", "--tickets", str(files / "tickets.csv"), "--sla", str(files / "sla.yaml"), "--json")
        done = self.console(*args, cwd=files)
        assert done.returncode == 0, done.stderr
        _code, out, _err = run(capsys, *args)
        assert json.loads(done.stdout) == json.loads(out)
        assert json.loads(done.stdout)["rows_read"] > 0

    def test_bad_input_exits_2_with_one_line(self, files):
        (files / "bad.csv").write_text("ticket_id,supplier,priority,opened_at,resolved_at\nX,S,P9,2019-01-01T00:00,\n")
        done = self.console("sla", "--tickets", str(files / "bad.csv"), "--sla", str(files / "sla.yaml"), cwd=files)
        assert done.returncode == 2
        assert done.stderr.startswith("error: bad.csv: rejected: 1 bad row: line 2: priority 'P9'")
        assert done.stdout == ""
