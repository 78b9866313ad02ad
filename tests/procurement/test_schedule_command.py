"""`pegasus procurement schedule`: JSON keys with and without --start, at_risk against today, exit 2 on bad input."""

import json
import subprocess
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from tests.commands import pegasus

STAGE_KEYS = {
    "stage",
    "name",
    "days",
    "counting",
    "statutory_minimum",
    "basis",
    "notice",
    "latest_start",
    "latest_end",
    "slack_days",
    "at_risk",
}


def run(*args: str) -> subprocess.CompletedProcess:
    return pegasus("procurement", "schedule", *args)


def schedule_json(*args: str) -> dict:
    out = StringIO()
    call_command("procurement", "schedule", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


class TestSchedule:
    def test_json_with_a_planned_start(self):
        result = run(
            "--replaces-end", "2020-03-31", "--route", "open", "--regime", "PCR2015", "--start", "2019-09-02", "--json"
        )
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert list(out) == [
            "regime",
            "route",
            "replaces_end",
            "contract_start",
            "start",
            "as_at",
            "latest_start",
            "planned_contract_start",
            "slack_days",
            "at_risk",
            "stages",
            "warnings",
        ]
        assert (out["contract_start"], out["latest_start"], out["start"]) == ("2020-04-01", "2019-04-09", "2019-09-02")
        assert all(set(stage) == STAGE_KEYS | {"planned_start", "planned_end"} for stage in out["stages"])
        first = out["stages"][0]
        assert (
            first["stage"],
            first["latest_start"],
            first["planned_start"],
            first["slack_days"],
            first["at_risk"],
        ) == (
            "requirements",
            "2019-04-09",
            "2019-09-02",
            -146,
            True,
        )
        assert out["at_risk"] is True

    @time_machine.travel("2019-04-09 09:00 +01:00", tick=False)
    def test_without_a_start_slack_counts_from_today(self, settings):
        settings.PEGASUS_AS_AT = None  # no as-at date fixed by the deployment: today
        out = schedule_json("--replaces-end", "2020-03-31", "--route", "open", "--regime", "PCR2015")
        assert all(set(stage) == STAGE_KEYS for stage in out["stages"])
        assert (out["start"], out["as_at"]) == (None, "2019-04-09")
        assert out["stages"][0]["slack_days"] == 0
        assert out["at_risk"] is False

    @time_machine.travel("2019-04-10 09:00 +01:00", tick=False)
    def test_a_day_after_the_latest_start_it_is_at_risk(self, settings):
        settings.PEGASUS_AS_AT = None
        out = schedule_json("--replaces-end", "2020-03-31", "--route", "open", "--regime", "PCR2015")
        assert (out["stages"][0]["slack_days"], out["stages"][0]["at_risk"], out["at_risk"]) == (-1, True, True)

    def test_durations_can_be_changed(self):
        out = schedule_json(
            "--replaces-end", "2020-03-31", "--route", "open", "--regime", "PCR2015", "--duration", "mobilisation=180"
        )
        mobilisation = next(s for s in out["stages"] if s["stage"] == "mobilisation")
        assert (mobilisation["days"], mobilisation["latest_start"]) == (180, "2019-10-04")

    def test_text_output(self):
        result = run(
            "--replaces-end",
            "2026-12-31",
            "--route",
            "competitive-flexible",
            "--regime",
            "PA2023",
            "--start",
            "2025-06-02",
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("PA2023 competitive-flexible: contract starts 2027-01-01; latest start ")
        assert "  Participation period" in result.stdout


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (
                ["--replaces-end", "2020-02-30", "--route", "open", "--regime", "PCR2015"],
                "error: --replaces-end: '2020-02-30' is not a date (YYYY-MM-DD)",
            ),
            (
                ["--replaces-end", "2020-03-31", "--route", "open", "--regime", "PCR2015", "--start", "soon"],
                "error: --start: 'soon' is not a date (YYYY-MM-DD)",
            ),
            (
                ["--replaces-end", "2027-03-31", "--route", "restricted", "--regime", "PA2023"],
                "error: --route: restricted is not a PA2023 route (open, competitive-flexible, framework-call-off,"
                " direct-award)",
            ),
            (
                [
                    "--replaces-end",
                    "2027-03-31",
                    "--route",
                    "open",
                    "--regime",
                    "PA2023",
                    "--duration",
                    "tender-period=10",
                ],
                "error: --duration: tender-period: 10 days is under the statutory minimum of 25"
                " (Procurement Act 2023 s54(4))",
            ),
            (
                [
                    "--replaces-end",
                    "2027-03-31",
                    "--route",
                    "open",
                    "--regime",
                    "PA2023",
                    "--duration",
                    "evaluation=two",
                ],
                "error: --duration: evaluation: 'two' is not a whole number of days",
            ),
        ],
    )
    def test_exit_2_with_one_line_naming_the_field(self, args, message):
        result = run(*args, "--json")
        assert (result.returncode, result.stdout, result.stderr.strip().splitlines()) == (2, "", [message])

    def test_an_unknown_regime_is_refused_by_the_parser(self):
        result = run("--replaces-end", "2027-03-31", "--route", "open", "--regime", "EU2014", "--json")
        assert result.returncode == 2
        assert "--regime" in result.stderr
