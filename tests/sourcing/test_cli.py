"""`pegasus sourcing optimise`: JSON on stdout, exit 2 naming the bad field, INFEASIBLE with reasons."""

import json
import subprocess
from pathlib import Path

import pytest

from tests.commands import pegasus, pegasus_process

EXAMPLE = Path(__file__).parent / "example.json"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return pegasus("sourcing", "optimise", *args, stdin=stdin)


def write(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(data))
    return str(path)


class TestOptimise:
    def test_json_output(self):
        """The issue's example: two lots, proven optimal."""
        result = pegasus_process("sourcing", "optimise", str(EXAMPLE), "--time-limit", "10", "--json")
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert set(out) == {"status", "objective", "best_bound", "lots", "handoff_cost", "solve_seconds", "reasons"}
        assert (out["status"], out["objective"], out["best_bound"], out["handoff_cost"]) == ("OPTIMAL", 118, 118, 1.5)
        assert out["lots"] == [
            {"services": ["siam", "net", "tel"], "supplier": "a", "price": 52.5, "bidders": 2},
            {"services": ["euc", "dc"], "supplier": "c", "price": 60, "bidders": 2},
        ]
        assert out["reasons"] == []
        assert out["solve_seconds"] >= 0

    def test_reads_standard_input_and_prints_text_without_json(self):
        result = run("-", "--time-limit", "10", stdin=EXAMPLE.read_text())
        assert result.returncode == 0, result.stderr
        assert "status: OPTIMAL" in result.stdout
        assert "lot 1: siam, net, tel -> a at 52.5 (2 possible bidders)" in result.stdout

    def test_amounts_keep_their_decimals(self, tmp_path):
        data = {
            "services": [{"id": "x"}, {"id": "y"}],
            "suppliers": [{"id": "a", "prices": {"x": 0.1, "y": 0.2}}, {"id": "b", "prices": {"x": 0.11, "y": 0.3}}],
            "interfaces": [{"a": "x", "b": "y", "weight": 0.05}],
            "lot_fixed_cost": 0.01,
            "min_bidders_per_lot": 2,
        }
        out = json.loads(run(write(tmp_path, data), "--json").stdout)
        assert (out["objective"], out["lots"][0]["price"]) == (0.31, 0.3)

    def test_infeasible_exits_0_with_reasons(self, tmp_path):
        data = json.loads(EXAMPLE.read_text())
        data["min_bidders_per_lot"] = 4
        result = run(write(tmp_path, data), "--json")
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert (out["status"], out["objective"], out["lots"]) == ("INFEASIBLE", None, [])
        assert (
            "service 'siam' is priced by 3 supplier(s) (a, b, d); every lot needs at least 4 bidders" in out["reasons"]
        )


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda d: d["suppliers"][2]["prices"].update(net=-3), "error: suppliers[2].prices.net: negative price"),
            (
                lambda d: d["suppliers"][0]["prices"].update(euc2=1),
                "error: suppliers[0].prices.euc2: unknown service id",
            ),
            (lambda d: d.pop("min_bidders_per_lot"), "error: min_bidders_per_lot: missing"),
            (lambda d: d["must_bundle"][0].__setitem__(1, "phone"), "error: must_bundle[0][1]: unknown service id"),
        ],
    )
    def test_exit_2_with_the_path_of_the_bad_field(self, tmp_path, change, message):
        data = json.loads(EXAMPLE.read_text())
        change(data)
        result = run(write(tmp_path, data), "--json")
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.strip().splitlines() == [message]

    def test_not_json(self, tmp_path):
        path = tmp_path / "problem.json"
        path.write_text('{"services": [')
        result = run(str(path), "--json")
        assert result.returncode == 2
        assert result.stderr.startswith(f"error: {path}: not JSON: line 1 column 15")

    def test_no_such_file(self, tmp_path):
        result = run(str(tmp_path / "nope.json"), "--json")
        assert (result.returncode, result.stderr.strip()) == (
            2,
            f"error: {tmp_path / 'nope.json'}: No such file or directory",
        )

    def test_time_limit_must_be_positive(self):
        result = run(str(EXAMPLE), "--time-limit", "0", "--json")
        assert (result.returncode, result.stderr.strip()) == (2, "error: --time-limit: must be above 0")
