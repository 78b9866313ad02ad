"""`pegasus evaluate FILE.json --json`: the issue's output keys, text output, and exit 2 naming the bad field."""

import json
import subprocess
from pathlib import Path

import pytest

from tests.commands import pegasus, pegasus_process

EXAMPLE = {
    "criteria": [
        {"id": "tech", "weight": 50, "kind": "quality", "pass_mark": 25},
        {"id": "sv", "weight": 10, "kind": "quality"},
        {"id": "price", "weight": 40, "kind": "price", "method": "lowest-price-ratio"},
    ],
    "bids": [
        {"bidder": "A", "price": "1200000", "scores": {"tech": 75, "sv": 50}},
        {"bidder": "B", "price": 1000000.00, "scores": {"tech": 50, "sv": 75}},
        {"bidder": "C", "price": "800000", "scores": {"tech": 20, "sv": 100}},
    ],
}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return pegasus("evaluate", *args, stdin=stdin)


def write(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "tender.json"
    path.write_text(json.dumps(data))
    return str(path)


class TestEvaluate:
    def test_json_output(self, tmp_path):
        result = pegasus_process("evaluate", write(tmp_path, EXAMPLE), "--json")
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert set(out) == {"bids", "failed", "warnings", "sensitivity"}
        assert [set(b) for b in out["bids"]] == [{"bidder", "passed", "quality", "price_score", "total", "rank"}] * 3
        assert [(b["bidder"], b["total"], b["rank"]) for b in out["bids"]] == [
            ("A", "75.83", 1),
            ("B", "72.50", 2),
            ("C", None, None),
        ]
        assert out["failed"] == [
            {"bidder": "C", "criterion": "tech", "score": "20", "pass_mark": "25", "criteria": ["tech"]}
        ]
        assert set(out["sensitivity"]) == {"winner", "margin", "smallest_change", "challengers", "if_withdrawn"}
        assert out["sensitivity"]["smallest_change"]["weight_moved"] == "6.67"

    def test_reads_standard_input_and_prints_text(self):
        result = run("-", stdin=json.dumps(EXAMPLE))
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[1].split() == ["1", "A", "42.50", "33.33", "75.83"]
        assert "failed: C scored 20 on tech (pass mark 25)" in lines
        assert any(line.startswith("sensitivity: moving 6.67 points of weight") for line in lines)

    def test_social_value_warning(self, tmp_path):
        data = json.loads(json.dumps(EXAMPLE))
        data["criteria"][0]["weight"], data["criteria"][1]["weight"] = 55, 5
        out = json.loads(run(write(tmp_path, data), "--json").stdout)
        assert out["warnings"][0].startswith("social value carries 5% of the total score, under the 10% minimum")


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda d: d["criteria"][2].update(weight=30), "error: criteria.weight: the weights add up to 90, not 100"),
            (
                lambda d: d["criteria"][2].update(weight="40.5"),
                "error: criteria.weight: the weights add up to 100.5, not 100",
            ),
            (lambda d: d["bids"][0].update(price=0), "error: bids[0].price: must be above 0"),
            (lambda d: d["bids"][2]["scores"].update(sv=101), "error: bids[2].scores.sv: 101 is outside 0-100"),
        ],
    )
    def test_exit_2_with_one_line_naming_the_field(self, tmp_path, change, message):
        data = json.loads(json.dumps(EXAMPLE))
        change(data)
        result = run(write(tmp_path, data), "--json")
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.strip().splitlines() == [message]

    def test_not_json(self, tmp_path):
        path = tmp_path / "tender.json"
        path.write_text('{"criteria": ')
        result = run(str(path), "--json")
        assert result.returncode == 2
        assert result.stderr.startswith(f"error: {path}: not JSON: line 1")

    def test_no_such_file(self, tmp_path):
        result = run(str(tmp_path / "nope.json"), "--json")
        assert (result.returncode, result.stderr.strip()) == (
            2,
            f"error: {tmp_path / 'nope.json'}: No such file or directory",
        )

    def test_not_an_object(self, tmp_path):
        path = tmp_path / "tender.json"
        path.write_text("[1, 2]")
        result = run(str(path), "--json")
        assert (result.returncode, result.stderr.strip()) == (2, "error: tender: must be an object")
