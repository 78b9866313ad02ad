"""`pegasus procurement risk FILE.json --iterations N --seed S --json`: its JSON, its determinism, and exit 2 with one
line on bad input."""

import json

import pytest

from tests.commands import pegasus, pegasus_process

EXAMPLE = {
    "start": "2020-08-24",
    "deadline": "2021-05-31",
    "stages": [
        {"name": "Requirements", "optimistic": 75, "most_likely": 90, "pessimistic": 150, "distribution": "pert"},
        {"name": "Tender period", "optimistic": 25, "most_likely": 30, "pessimistic": 45, "minimum": 30},
        {"name": "Evaluation", "optimistic": 25, "most_likely": 45.5, "pessimistic": 120},
        {
            "name": "Governance approval",
            "optimistic": 28,
            "most_likely": 45,
            "pessimistic": 120,
            "distribution": "triangular",
        },
        {"name": "Standstill", "optimistic": 10, "most_likely": 10, "pessimistic": 10},
    ],
}


def run(*args: str, doc=EXAMPLE) -> "object":
    return pegasus("procurement", "risk", "-", *args, stdin=doc if isinstance(doc, str) else json.dumps(doc))


class TestRisk:
    def test_prints_the_percentiles_the_chance_of_a_late_start_and_the_drivers(self):
        result = run("--iterations", "20000", "--seed", "4", "--json")
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert list(out) == [
            "start",
            "iterations",
            "p50",
            "p80",
            "p90",
            "mean_days",
            "deadline",
            "probability_late",
            "drivers",
        ]
        assert out["start"] == "2020-08-24" and out["iterations"] == 20000 and out["deadline"] == "2021-05-31"
        assert out["p50"] <= out["p80"] <= out["p90"]
        # The means: 95 + 31.67 (floored at 30: a little more) + 56.58 + 64.33 + 10 = 257.6 days, plus half a day
        # for whole days.
        assert 257 < out["mean_days"] < 260
        assert 0.05 < out["probability_late"] < 0.5
        assert [d["name"] for d in out["drivers"]][:2] == ["Governance approval", "Evaluation"]
        assert out["drivers"][-1] == {"name": "Standstill", "correlation": 0.0}
        assert all(-1 <= d["correlation"] <= 1 for d in out["drivers"])

    def test_the_same_seed_gives_the_same_output_and_another_seed_another(self):
        first, again, other = (run("--iterations", "5000", "--seed", s, "--json").stdout for s in ("7", "7", "8"))
        assert first == again
        assert first != other

    def test_without_a_deadline_there_is_no_chance_of_being_late(self):
        doc = {key: value for key, value in EXAMPLE.items() if key != "deadline"}
        out = json.loads(run("--iterations", "100", "--json", doc=doc).stdout)
        assert out["deadline"] is None and out["probability_late"] is None

    def test_text_output_says_the_same_in_words(self):
        result = run("--iterations", "1000")
        assert result.returncode == 0
        assert "1,000 iterations from 2020-08-24: the new contract starts by" in result.stdout
        assert "chance of starting after 2021-05-31:" in result.stdout

    def test_runs_as_its_own_process(self, tmp_path):
        path = tmp_path / "risk.json"
        path.write_text(json.dumps(EXAMPLE))
        result = pegasus_process("procurement", "risk", str(path), "--iterations", "2000", "--seed", "1", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == json.loads(run("--iterations", "2000", "--seed", "1", "--json").stdout)


def stage(**changes) -> dict:
    return {"start": "2020-01-01", "stages": [{"optimistic": 5, "most_likely": 6, "pessimistic": 9} | changes]}


class TestBadInput:
    @pytest.mark.parametrize(
        ("doc", "message"),
        [
            (stage(pessimistic=3), "error: -: stages[0]: pessimistic 3 is below optimistic 5"),
            (stage(most_likely=10), "error: -: stages[0]: most likely 10 is outside optimistic 5 to pessimistic 9"),
            (stage(distribution="normal"), "error: -: stages[0]: distribution 'normal' is not one of triangular, pert"),
            (stage(minimum="ten"), "error: -: stages[0]: minimum: 'ten' is not a number of days"),
            (stage(optimistic=True), "error: -: stages[0]: optimistic: True is not a number of days"),
            (stage(pessimistic=99999), "error: -: stages[0]: pessimistic: must be 0 to 3650 days, not 99999"),
            (stage(colour="red"), "error: -: stages[0]: unknown field 'colour'"),
            (
                {"start": "2020-01-01", "stages": [{"optimistic": 5, "most_likely": 6}]},
                "error: -: stages[0]: pessimistic is required",
            ),
            ({"start": "2020-01-01", "stages": []}, "error: -: stages: a list of at least one stage is required"),
            (
                {"stages": [{"optimistic": 1, "most_likely": 1, "pessimistic": 1}]},
                "error: -: start: a date YYYY-MM-DD is required",
            ),
            (stage() | {"deadline": "soon"}, "error: -: deadline: 'soon' is not a date (YYYY-MM-DD)"),
            ([1, 2], "error: -: expected an object with start, deadline and stages"),
            ("{not json", None),
        ],
    )
    def test_exit_2_with_one_line_naming_the_field(self, doc, message):
        result = run("--json", doc=doc)
        lines = result.stderr.strip().splitlines()
        assert (result.returncode, result.stdout, len(lines)) == (2, "", 1)
        if message is not None:
            assert lines == [message]

    @pytest.mark.parametrize(
        ("iterations", "message"),
        [
            ("0", "error: --iterations: must be positive, not 0"),
            ("-3", "error: --iterations: must be positive, not -3"),
            ("many", None),
            ("1000001", None),
        ],
    )
    def test_iterations_must_be_a_positive_whole_number(self, iterations, message):
        result = run("--iterations", iterations, "--json")
        lines = result.stderr.strip().splitlines()
        assert (result.returncode, result.stdout, len(lines)) == (2, "", 1)
        assert "--iterations" in lines[0]
        if message is not None:
            assert lines == [message]
