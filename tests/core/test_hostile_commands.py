"""Hostile input to the commands: exit 2 with exactly one line on stderr naming what is at fault, nothing on stdout,
nothing written, never a traceback, and quickly.

Every command that reads a file is fed deep nesting, huge and tiny numbers, NaN and Infinity, far dates, NUL bytes,
other encodings (UTF-16, Latin-1), empty files and binary garbage; every option that takes a number or a date is fed
the same. Commands run in-process through `call_command` (fast); a few run end to end as `uv run --frozen pegasus`.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager, redirect_stderr
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.evaluation.test_evaluate_command import EXAMPLE as TENDER
from tests.performance.test_sla import AGREEMENTS, HAND_MADE

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = json.loads((ROOT / "tests" / "sourcing" / "example.json").read_text())
RELEASE_PACKAGE = {
    "uri": "https://example.org/package.json",
    "publisher": {"name": "A council"},
    "publishedDate": "2024-02-01T00:00:00Z",
    "version": "1.1",
    "releases": [
        {
            "ocid": "ocds-abc123-1",
            "id": "r1",
            "date": "2024-01-10T09:00:00Z",
            "tag": ["tender"],
            "initiationType": "tender",
            "buyer": {"id": "b", "name": "Borough of Example"},
            "tender": {
                "title": "Service desk",
                "classification": {"scheme": "CPV", "id": "72500000"},
                "value": {"amount": 500000, "currency": "GBP"},
                "contractPeriod": {"startDate": "2024-04-01T00:00:00Z", "endDate": "2027-03-31T00:00:00Z"},
            },
        }
    ],
}
SERVICENOW_LOG = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_updated_at,opened_at,resolved_at,closed_at,"
    "priority,assignment_group,category\n"
    "INC1,New,true,0,0,1/3/2016 09:00,1/3/2016 09:00,?,?,3 - Moderate,Group 1,Category 1\n"
    "INC1,Resolved,false,0,0,2/3/2016 10:00,1/3/2016 09:00,2/3/2016 10:00,?,3 - Moderate,Group 1,Category 1\n"
)
BPIC_CASES = (
    "incident_id,priority,open_time,resolved_time,close_time,x_reassignments,reopen_time,service_component_wbs_aff\n"
    "IM1,4,2013-10-01 09:00:00,2013-10-01 12:00:00,2013-10-02 09:00:00,0,,WBS1\n"
)
BPIC_EVENTS = "incident_id,data_stamp,incident_activity_number,assignment_group\nIM1,2013-10-01 09:05:00,001,Team 1\n"
MAPPING = "assignment_group,supplier\nGroup 1,Supplier A\nTeam 1,Supplier A\n"
CONTRACTS_CSV = (
    "reference,title,supplier,start_date,initial_end_date,total_value,towers\n"
    "C-1,Service desk,Supplier A,2019-04-01,2024-03-31,1250000.00,networks\n"
)

# Numbers that no field of any command accepts, as JSON literals (the strings too: some readers take text).
HOSTILE_NUMBERS = [
    "1e300",
    "1e400",
    "-1e400",
    "1e999999999",
    "1e-999999999",
    "9" * 5000,
    "-" + "9" * 5000,
    "NaN",
    "Infinity",
    "-Infinity",
    '"1e999999999"',
    '"1e400"',
    '"NaN"',
]
FAR_DATES = ["9999-12-31", "0001-01-05", "0001-01-01", "1066-10-14", "2101-01-01", "1989-12-31"]


# --- Running a command --------------------------------------------------------------------------------------------


class TookTooLong(Exception):
    pass


@contextmanager
def time_limit(seconds: int):
    """A command that computes with 1e999999999 would run for hours: stop it and fail instead."""

    def stop(signum, frame):
        raise TookTooLong(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(*args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of a command run in-process; any other exception fails the test."""
    out, err = StringIO(), StringIO()
    code = 0
    with time_limit(30), redirect_stderr(err):
        try:
            call_command(*args, stdout=out, stderr=err)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def assert_rejected(result: tuple[int, str, str], *named: str) -> str:
    code, out, err = result
    lines = err.splitlines()
    assert code == 2, (code, err[-2000:])
    assert out == ""
    assert len(lines) == 1 and lines[0].startswith("error: "), err[-2000:]
    assert "Traceback" not in err
    for name in named:
        assert name in lines[0], lines[0]
    return lines[0]


# --- Hostile files ------------------------------------------------------------------------------------------------


def nesting(opening: list[str]) -> str:
    closing = ["]" if o == "[" else "}" for o in reversed(opening)]
    return "".join(opening) + "1" + "".join(closing)


deep_nesting = st.lists(st.sampled_from(["[", '{"a":', "[1,"]), min_size=65, max_size=3000).map(nesting)
not_utf8 = st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"])


def with_number(template: str, literal: str) -> str:
    return template.replace('"@NUMBER@"', literal)


def hostile_document(template: str) -> st.SearchStrategy[bytes]:
    """Bytes of a document built from a valid `template` (JSON or YAML text with "@NUMBER@" at a numeric field)."""
    valid = with_number(template, "1")
    return st.one_of(
        deep_nesting.map(str.encode),
        st.sampled_from(HOSTILE_NUMBERS).map(lambda n: with_number(template, n).encode()),
        st.integers(0, len(valid)).map(lambda i: (valid[:i] + "\x00" + valid[i:]).encode()),
        not_utf8.map(lambda enc: with_number(template, "1").replace("Supplier", "Suppliér").encode(enc)),
        st.just(b""),
        st.just(b"\xef\xbb\xbf"),
        st.binary(min_size=1, max_size=200).filter(lambda b: b.strip() not in (b"", b"1", b"0")),
    )


def problem_template() -> str:
    data = json.loads(json.dumps(PROBLEM))
    data["suppliers"][0]["prices"]["siam"] = "@NUMBER@"
    return json.dumps(data)


def tender_template() -> str:
    data = json.loads(json.dumps(TENDER))
    data["bids"][0]["price"] = "@NUMBER@"
    data["bids"][0]["bidder"] = "Supplier A"
    return json.dumps(data)


def sla_template() -> str:
    data = json.loads(json.dumps(AGREEMENTS))
    data[0]["monthly_charge"] = "@NUMBER@"
    return json.dumps(data)


def market_template() -> str:
    data = json.loads(json.dumps(RELEASE_PACKAGE))
    data["releases"][0]["tender"]["value"]["amount"] = "@NUMBER@"
    data["releases"][0]["buyer"]["name"] = "Supplier council"
    return json.dumps(data)


BOUNDED = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile")
    (path / "tickets.csv").write_text(HAND_MADE, encoding="utf-8")
    (path / "sla.yaml").write_text(yaml.safe_dump(AGREEMENTS), encoding="utf-8")
    return path


@pytest.fixture
def estate(db):
    """What a contracts file refers to: an authority and the networks tower."""
    from tests.factories import OrganisationFactory, TowerFactory

    OrganisationFactory()
    TowerFactory(code="networks", name="Networks")


def put(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


class TestHostileFiles:
    """Each command that reads a file rejects hostile content with exit 2 and one line."""

    @BOUNDED
    @given(data=hostile_document(problem_template()))
    @example(data=("[" * 200_000 + "]" * 200_000).encode())
    def test_sourcing_optimise(self, folder, data):
        path = put(folder, "problem.json", data)
        assert_rejected(run("sourcing", "optimise", path, "--time-limit", "1", "--json"))

    @BOUNDED
    @given(data=hostile_document(tender_template()))
    @example(data=with_number(tender_template(), '"1e999999999"').encode())
    def test_evaluate(self, folder, data):
        path = put(folder, "tender.json", data)
        assert_rejected(run("evaluate", path, "--json"))

    @BOUNDED
    @given(data=hostile_document(sla_template()), suffix=st.sampled_from([".json", ".yaml"]))
    def test_performance_sla_file(self, folder, data, suffix):
        path = put(folder, f"sla{suffix}", data)
        tickets = str(folder / "tickets.csv")
        assert_rejected(run("performance", "sla", "--tickets", tickets, "--sla", path, "--json"))

    @BOUNDED
    @given(data=hostile_document(sla_template().replace("[", "[ ", 1)).map(lambda b: b.replace(b'"', b"")))
    def test_performance_sla_yaml_without_quotes(self, folder, data):
        path = put(folder, "sla.yml", data)
        assert_rejected(run("performance", "sla", "--tickets", str(folder / "tickets.csv"), "--sla", path))

    @BOUNDED
    @given(data=hostile_document(market_template()))
    @example(data=("[" * 200_000 + "]" * 200_000).encode())
    def test_ocds_import(self, folder, data, db):
        from pegasus.publication.models import MarketImport, MarketRelease

        path = put(folder, "package.json", data)
        assert_rejected(run("ocds", "import", path, "--json"), "package.json")
        assert not MarketRelease.objects.exists() and not MarketImport.objects.exists()


def hostile_csv(valid: str, *, far: tuple[str, ...] = (), numbers: tuple[str, ...] = ()) -> st.SearchStrategy[bytes]:
    """Bytes of a CSV built from a `valid` one: its dates in `far` and numbers in `numbers` replaced with hostile ones,
    a NUL byte anywhere, other encodings, empty, garbage, an over-long field."""
    swaps = [(d, f) for d in far for f in ("1/1/0001 00:00", "31/12/9999 23:59", "0001-01-01 00:00:00",
                                             "9999-12-31 23:59:59", "9999-12-31", "0001-01-05")]  # fmt: skip
    swaps += [(n, h) for n in numbers for h in ("1e999999999", "9" * 5000, "NaN", "-1e400")]
    options = [
        st.integers(0, len(valid)).map(lambda i: (valid[:i] + "\x00" + valid[i:]).encode()),
        not_utf8.map(lambda enc: valid.replace("\n", "\né", 1).encode(enc)),
        st.just(b""),
        st.binary(min_size=1, max_size=200),
        st.just((valid + '"' + "x" * 200_000 + '"\n').encode()),
        deep_nesting.map(str.encode),
    ]
    if swaps:
        options.append(st.sampled_from(swaps).map(lambda swap: valid.replace(*swap).encode()))
    return st.one_of(*options)


class TestHostileCsvFiles:
    """The service-desk importers and the estate's import reject hostile CSV files with exit 2 and one line."""

    @BOUNDED
    @given(data=hostile_csv(SERVICENOW_LOG, far=("1/3/2016 09:00", "2/3/2016 10:00")))
    def test_performance_import_servicenow(self, folder, data):
        path = put(folder, "log.csv", data)
        out = folder / "servicenow-out"
        assert_rejected(run("performance", "import", "servicenow", "--log", path, "--out", str(out), "--json"))
        assert not out.exists()

    @BOUNDED
    @given(data=hostile_csv(MAPPING))
    def test_performance_import_mapping(self, folder, data):
        log = put(folder, "ok-log.csv", SERVICENOW_LOG.encode())
        path = put(folder, "mapping.csv", data)
        out = folder / "mapping-out"
        assert_rejected(run("performance", "import", "servicenow", "--log", log, "--mapping", path, "--out", str(out)))
        assert not out.exists()

    @BOUNDED
    @given(
        hostile=st.one_of(
            hostile_csv(BPIC_CASES, far=("2013-10-01 09:00:00", "2013-10-01 12:00:00")).map(lambda d: ("cases", d)),
            hostile_csv(BPIC_EVENTS, far=("2013-10-01 09:05:00",)).map(lambda d: ("events", d)),
        )
    )
    def test_performance_import_bpic2014(self, folder, hostile):
        which, data = hostile
        files = {"cases": BPIC_CASES.encode(), "events": BPIC_EVENTS.encode(), which: data}
        cases, events = put(folder, "cases.csv", files["cases"]), put(folder, "events.csv", files["events"])
        out = folder / "bpic-out"
        assert_rejected(
            run("performance", "import", "bpic2014", "--cases", cases, "--events", events, "--out", str(out))
        )
        assert not out.exists()

    @BOUNDED
    @given(data=hostile_csv(HAND_MADE, far=("2019-05-01T10:00",), numbers=("P1",)))
    @example(data=HAND_MADE.replace("A3,", "A\x003,").encode())
    def test_performance_sla_and_ingest_tickets(self, folder, data):
        path = put(folder, "hostile-tickets.csv", data)
        sla = str(folder / "sla.yaml")
        assert_rejected(run("performance", "sla", "--tickets", path, "--sla", sla, "--json"))
        assert_rejected(run("performance", "ingest", "--tickets", path, "--name", "hostile", "--json"))

    @BOUNDED
    @given(data=hostile_csv(CONTRACTS_CSV, far=("2019-04-01",), numbers=("1250000.00",)))
    def test_import_estate_contracts(self, folder, data, estate):
        from pegasus.estate.models import Contract

        path = put(folder, "contracts.csv", data)
        assert_rejected(run("import_estate", "contracts", path, "--json"), "contracts.csv")
        assert not Contract.objects.exists()


class TestTheTemplatesAreValid:
    """The hostile inputs above are made from these; each is accepted as it is, so every rejection is earned."""

    def test_files(self, folder, estate):
        assert run("sourcing", "optimise", put(folder, "p.json", with_number(problem_template(), "1").encode()),
                   "--time-limit", "5")[0] == 0  # fmt: skip
        assert run("evaluate", put(folder, "t.json", with_number(tender_template(), "1000").encode()))[0] == 0
        tickets = str(folder / "tickets.csv")
        for suffix in (".json", ".yaml"):
            sla = put(folder, f"s{suffix}", with_number(sla_template(), "1000").encode())
            assert run("performance", "sla", "--tickets", tickets, "--sla", sla)[0] == 0
        assert run("ocds", "import", put(folder, "m.json", with_number(market_template(), "1").encode()))[0] == 0
        log, mapping = put(folder, "l.csv", SERVICENOW_LOG.encode()), put(folder, "m.csv", MAPPING.encode())
        out = str(folder / "valid-out")
        assert run("performance", "import", "servicenow", "--log", log, "--mapping", mapping, "--out", out)[0] == 0
        cases, events = put(folder, "c.csv", BPIC_CASES.encode()), put(folder, "e.csv", BPIC_EVENTS.encode())
        assert run("performance", "import", "bpic2014", "--cases", cases, "--events", events, "--out", out)[0] == 0
        assert run("import_estate", "contracts", put(folder, "c.csv", CONTRACTS_CSV.encode()))[0] == 0


class TestHostileYaml:
    def test_yaml_nested_by_block_indentation_is_refused_naming_the_line(self, folder):
        text = "".join("  " * n + "- \n" for n in range(2000)) + "  " * 2000 + "- x\n"
        path = put(folder, "sla.yaml", text.encode())
        line = assert_rejected(run("performance", "sla", "--tickets", str(folder / "tickets.csv"), "--sla", path))
        assert "nested more than 64 levels deep" in line

    def test_yaml_aliases_expanding_to_billions_of_values_are_refused(self, folder):
        def laughs(n: int) -> str:  # each level: its anchor, then eight aliases of the level below
            if n == 0:
                return '&a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'
            return f"&a{n} [{laughs(n - 1)}, {', '.join([f'*a{n - 1}'] * 8)}]"

        text = f"- supplier: {laughs(9)}\n  monthly_charge: 1\n  credit_cap_percent: 1\n  targets: []\n"
        path = put(folder, "sla.yaml", text.encode())
        line = assert_rejected(run("performance", "sla", "--tickets", str(folder / "tickets.csv"), "--sla", path))
        assert line == "error: sla.yaml: more than 1,000,000 values once its aliases are expanded"

    def test_a_yaml_integer_of_thousands_of_digits_is_refused(self, folder):
        data = json.loads(sla_template().replace('"@NUMBER@"', "1"))
        text = yaml.safe_dump(data).replace("monthly_charge: 1", "monthly_charge: " + "9" * 6000)
        path = put(folder, "sla.yaml", text.encode())
        assert_rejected(run("performance", "sla", "--tickets", str(folder / "tickets.csv"), "--sla", path), "line")


class TestTheProbedFields:
    """The runs the probe found crashing or hanging: each now names its field."""

    @pytest.mark.parametrize("price", ["1e300", "1e400"])
    def test_sourcing_price_out_of_range_names_the_price(self, folder, price):
        path = put(folder, "problem.json", with_number(problem_template(), price).encode())
        assert_rejected(run("sourcing", "optimise", path), "suppliers[0].prices.siam")

    def test_evaluate_price_of_1e999999999_is_refused_at_once_naming_the_bid(self, folder):
        path = put(folder, "tender.json", with_number(tender_template(), '"1e999999999"').encode())
        line = assert_rejected(run("evaluate", path, "--json"), "bids[0].price")
        assert line == "error: bids[0].price: '1e999999999' is above 1,000,000,000,000"

    def test_deep_json_names_the_file_and_line(self, folder):
        path = put(folder, "tender.json", b"\n\n" + b"[" * 100_000 + b"]" * 100_000)
        assert_rejected(run("evaluate", path), "tender.json: line 3: nested more than 64 levels deep")

    def test_sla_monthly_charge_of_1e400_names_the_entry(self, folder):
        path = put(folder, "sla.json", with_number(sla_template(), "1e400").encode())
        tickets = str(folder / "tickets.csv")
        assert_rejected(run("performance", "sla", "--tickets", tickets, "--sla", path), "monthly_charge")

    def test_market_amount_of_1e300_names_its_path(self, folder, db):
        path = put(folder, "package.json", with_number(market_template(), "1e300").encode())
        assert_rejected(run("ocds", "import", path), "/releases/0/tender/value/amount")

    def test_market_amounts_adding_up_past_the_column_are_refused(self, folder, db):
        data = json.loads(with_number(market_template(), "1"))
        release = data["releases"][0]
        release["tag"] = ["award"]
        release["awards"] = [
            {"id": f"a{n}", "status": "active", "suppliers": [{"name": "X"}], "value": {"amount": 10**15}}
            for n in range(5)
        ]
        path = put(folder, "package.json", json.dumps(data).encode())
        assert_rejected(run("ocds", "import", path), "/releases/0/awards")

    def test_market_date_that_cannot_be_held_in_utc_is_refused(self, folder, db):
        data = json.loads(with_number(market_template(), "1"))
        data["releases"][0]["date"] = "9999-12-31T23:00:00-05:00"
        path = put(folder, "package.json", json.dumps(data).encode())
        assert_rejected(run("ocds", "import", path), "/releases/0/date")


# --- Hostile options ----------------------------------------------------------------------------------------------

dates = st.one_of(st.sampled_from(FAR_DATES), st.dates().filter(lambda d: not 1990 <= d.year <= 2100).map(str))
amounts = st.one_of(
    st.sampled_from(["1e300", "1e400", "1e999999999", "-1e999999999", "NaN", "Infinity", "9" * 5000, "1e-999999999"]),
    st.integers(min_value=10**12 + 1).map(str),
)


class TestHostileOptions:
    @BOUNDED
    @given(day=dates, rule=st.sampled_from(["threshold", "approver", "standstill"]))
    @example(day="9999-12-31", rule="standstill")
    @example(day="0001-01-05", rule="standstill")
    def test_rules_dates(self, day, rule):
        args = {
            "threshold": ["--authority", "central", "--contract-type", "services", "--value", "1"],
            "approver": ["--decision-type", "business-case", "--value", "1"],
            "standstill": ["--regime", "PCR2015"],
        }[rule]
        assert_rejected(run("rules", rule, "--date", day, *args, "--json"), "--date")

    @BOUNDED
    @given(value=amounts, rule=st.sampled_from(["threshold", "approver"]))
    @example(value="1e999999999", rule="threshold")
    def test_rules_values(self, value, rule):
        args = {
            "threshold": ["--authority", "central", "--contract-type", "services"],
            "approver": ["--decision-type", "business-case"],
        }[rule]
        assert_rejected(run("rules", rule, "--date", "2019-06-10", f"--value={value}", *args), "--value")

    @BOUNDED
    @given(day=dates, option=st.sampled_from(["--replaces-end", "--start"]))
    @example(day="9999-12-31", option="--replaces-end")
    @example(day="0001-01-05", option="--replaces-end")
    def test_procurement_schedule_dates(self, day, option):
        dates_ = {"--replaces-end": "2022-03-31", "--start": "2019-09-02", option: day}
        args = [x for pair in dates_.items() for x in pair]
        assert_rejected(run("procurement", "schedule", "--route", "open", "--regime", "PCR2015", *args), option)

    @BOUNDED
    @given(days=st.one_of(st.integers(min_value=3651).map(str), st.just("9" * 5000)))
    def test_procurement_schedule_durations(self, days):
        result = run(
            "procurement", "schedule", "--route", "open", "--regime", "PCR2015", "--replaces-end", "2022-03-31",
            f"--duration=tender={days}",
        )  # fmt: skip
        assert_rejected(result, "--duration")

    @BOUNDED
    @given(day=dates)
    @example(day="9999-12-31")
    def test_estate_summary_as_at(self, day, db):
        assert_rejected(run("estate", "summary", "--as-at", day, "--json"), "--as-at")

    @BOUNDED
    @given(day=dates)
    def test_ocds_export_as_at(self, day, folder, db):
        out = folder / "export.json"
        assert_rejected(run("ocds", "export", "--out", str(out), "--as-at", day), "--as-at")
        assert not out.exists()

    @pytest.mark.parametrize("limit", ["inf", "1e999", "nan", "-1", "0", "100000"])
    def test_sourcing_time_limit(self, folder, limit):
        path = put(folder, "problem.json", with_number(problem_template(), "1").encode())
        assert_rejected(run("sourcing", "optimise", path, "--time-limit", limit), "--time-limit")


class TestLastResort:
    """What slips past a reader still leaves as one line and exit 2."""

    @pytest.mark.parametrize("error", [RecursionError, MemoryError, OverflowError, ArithmeticError])
    def test_an_escaping_error_is_one_line_and_exit_2(self, error, monkeypatch, folder):
        from decimal import InvalidOperation

        from pegasus.evaluation import scoring

        raised = InvalidOperation if error is ArithmeticError else error

        def fail(data):
            raise raised("deep inside")

        monkeypatch.setattr(scoring, "tender_from_json", fail)
        path = put(folder, "tender.json", json.dumps(TENDER).encode())
        line = assert_rejected(run("evaluate", path))
        assert raised.__name__ in line


# --- End to end ---------------------------------------------------------------------------------------------------


def pegasus(*args: str, folder: Path) -> subprocess.CompletedProcess:
    uv = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    command = (
        [uv, "run", "--frozen", "pegasus", *args] if Path(uv).exists() else [sys.executable, "-m", "pegasus.cli", *args]
    )
    env = {**os.environ, "PEGASUS_VAR_DIR": str(folder / "var")}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["evaluate", "@deep.json", "--json"], "deep.json: line 1: nested more than 64 levels deep"),
        (["sourcing", "optimise", "@price.json", "--json"], "suppliers[0].prices.siam"),
        (["rules", "threshold", "--date", "2019-06-10", "--authority", "central", "--contract-type", "services",
          "--value", "1e999999999", "--json"], "--value"),
        (["rules", "standstill", "--regime", "PCR2015", "--date", "9999-12-31"], "--date"),
        (["procurement", "schedule", "--route", "open", "--regime", "PCR2015", "--replaces-end", "0001-01-05"],
         "--replaces-end"),
    ],
)  # fmt: skip
def test_end_to_end_exit_2_and_one_line(args, named, folder):
    put(folder, "deep.json", b"[" * 200_000 + b"]" * 200_000)
    put(folder, "price.json", with_number(problem_template(), "1e400").encode())
    args = [str(folder / a[1:]) if a.startswith("@") else a for a in args]
    result = pegasus(*args, folder=folder)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], result.stderr[-2000:]


def test_end_to_end_bad_arguments_are_one_line_too(folder):
    """argparse's usage block is left out: the error alone names the option."""
    result = pegasus("rules", "threshold", "--date", "2019-06-10", "--value", "-1e5", "--authority", "x", folder=folder)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == ["pegasus rules threshold: error: argument --value: expected one argument"]


def test_end_to_end_standard_input_that_is_not_utf8_is_one_line(folder):
    uv = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    result = subprocess.run(
        [uv, "run", "--frozen", "pegasus", "evaluate", "-", "--json"],
        input=b'{"criteria": "\xff\xfe"}',
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PEGASUS_VAR_DIR": str(folder / "var")},
    )
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode().splitlines() == ["error: -: not UTF-8 text"]
