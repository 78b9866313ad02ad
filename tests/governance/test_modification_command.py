"""`pegasus rules modification`: is a contract change lawful, and which notice does it need?"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.commands import pegasus, pegasus_process

PCR_SERVICES = ["--regime", "PCR2015", "--authority", "sub-central", "--contract-type", "services"]
ACT_SERVICES = ["--regime", "PA2023", "--authority", "sub-central", "--contract-type", "services"]


def run(*args):
    return pegasus("rules", "modification", *args)


def answer(*args) -> dict:
    result = run(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class TestAnswers:
    def test_an_unforeseeable_change_of_exactly_half_under_pcr_needs_a_modification_notice(self):
        assert answer(
            *PCR_SERVICES,
            *["--date", "2019-06-10", "--original-value", "1000000", "--change-value", "500000"],
            *["--ground", "unforeseeable"],
        ) == {
            "permitted": True,
            "ground": "unforeseeable",
            "notice": "modification-notice",
            "reason": "reg 72(1)(c) and 72(2): this change's increase is within 50% of the original value "
            "(£500,000.00), each change on its own; send a modification notice (reg 72(3))",
        }

    def test_a_penny_more_is_refused(self):
        result = answer(
            *PCR_SERVICES,
            *["--date", "2019-06-10", "--original-value", "1000000", "--change-value", "500000.01"],
            *["--ground", "additional"],
        )
        assert (result["permitted"], result["notice"]) == (False, "none")

    def test_de_minimis_with_earlier_changes_that_went_down(self):
        args = [*PCR_SERVICES, "--date", "2019-06-10", "--original-value", "1000000", "--ground", "de-minimis"]
        assert answer(*args, "--change-value", "179999.99", "--prior-value", "-80000")["permitted"] is True
        assert answer(*args, "--change-value", "180000", "--prior-value", "-80000")["permitted"] is False

    def test_de_minimis_just_below_the_threshold_with_vat(self):
        args = [*PCR_SERVICES, "--date", "2024-06-01", "--original-value", "£10,000,000", "--ground", "de-minimis"]
        assert answer(*args, "--change-value", "179086.66")["permitted"] is True
        refused = answer(*args, "--change-value", "179086.67")
        assert refused["permitted"] is False and "£214,904.00 with VAT" in refused["reason"]

    def test_a_change_under_the_act_above_ten_per_cent_needs_a_uk10(self):
        args = [*ACT_SERVICES, "--date", "2026-03-01", "--original-value", "1000000", "--ground", "provided-for"]
        assert answer(*args, "--change-value", "100000")["notice"] == "none"
        assert answer(*args, "--change-value", "100000.01")["notice"] == "UK10"

    def test_below_threshold_under_the_act(self):
        args = [*ACT_SERVICES, "--date", "2026-03-01", "--original-value", "10000000", "--ground", "below-threshold"]
        assert answer(*args, "--change-value", "173099.99") == {
            "permitted": True,
            "ground": "below-threshold",
            "notice": "none",
            "reason": "s74(1)(c), s74(4) and s74(6): within 10% of the estimated value and the aggregated value is "
            "less than the threshold amount (aggregated value £173,099.99 (£207,719.99 with VAT), threshold "
            "£207,720.00); no contract change notice (s75(2)(a))",
        }
        assert answer(*args, "--change-value", "173100")["permitted"] is False

    def test_a_non_substantial_change_waits_for_legals_rationale(self):
        args = [*PCR_SERVICES, "--date", "2019-06-10", "--original-value", "1000000", "--change-value", "0"]
        waiting = answer(*args, "--ground", "non-substantial")
        assert waiting["permitted"] is False and "waits for legal's recorded rationale" in waiting["reason"]
        assert answer(*args, "--ground", "non-substantial", "--legal-rationale")["permitted"] is True

    def test_without_json_one_line_a_field(self):
        result = run(
            *PCR_SERVICES,
            *["--date", "2019-06-10", "--original-value", "1000000", "--change-value", "0"],
            *["--ground", "review-clause"],
        )
        assert result.returncode == 0
        assert result.stdout.splitlines()[:3] == ["permitted: True", "ground: review-clause", "notice: none"]


class TestBadInput:
    BASE = ["--date", "2026-03-01", "--original-value", "1000000", "--change-value", "1000"]

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (
                [*PCR_SERVICES, *BASE, "--ground", "provided-for"],
                "--ground: 'provided-for' is not a ground under PCR2015; its grounds are review-clause, additional, "
                "unforeseeable, new-contractor, non-substantial, de-minimis",
            ),
            (
                [*ACT_SERVICES, *BASE, "--ground", "de-minimis"],
                "--ground: 'de-minimis' is not a ground under PA2023; its grounds are provided-for, urgency, "
                "unforeseeable, known-risk, additional, corporate-restructuring, non-substantial, below-threshold",
            ),
            (
                [*ACT_SERVICES, "--date", "2026-03-01", "--original-value", "0", "--change-value", "1"]
                + ["--ground", "urgency"],
                "--original-value: the contract's original value must be more than nothing",
            ),
            (
                [*ACT_SERVICES, "--date", "2025-02-23", "--original-value", "1", "--change-value", "1"]
                + ["--ground", "urgency"],
                "--date: the Procurement Act 2023 governs contracts from 2025-02-24",
            ),
            (
                [*ACT_SERVICES, "--date", "2026-02-30", "--original-value", "1", "--change-value", "1"]
                + ["--ground", "urgency"],
                "--date: '2026-02-30' is not a date",
            ),
            (
                [*ACT_SERVICES, "--date", "2026-03-01", "--original-value", "1", "--change-value", "lots"]
                + ["--ground", "urgency"],
                "--change-value: 'lots' is not an amount in pounds",
            ),
            (
                [*ACT_SERVICES, *BASE, "--prior-value", "1e999999", "--ground", "below-threshold"],
                "--prior-value",
            ),
            (
                ["--regime", "PA2024", "--authority", "central", "--contract-type", "works", *BASE]
                + ["--ground", "urgency"],
                "--regime",
            ),
            ([*ACT_SERVICES, "--date", "2026-03-01", "--change-value", "1", "--ground", "urgency"], "--original-value"),
        ],
    )
    def test_exits_2_with_one_line_naming_the_option(self, args, message):
        result = run(*args, "--json")
        assert result.returncode == 2
        assert message in result.stderr and result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1

    def test_a_negative_prior_value_or_change_is_good_input(self):
        args = [*ACT_SERVICES, "--date", "2026-03-01", "--original-value", "1000000", "--ground", "below-threshold"]
        assert answer(*args, "--change-value", "-100000", "--prior-value", "-50000")["permitted"] is True


HOSTILE = st.one_of(
    st.sampled_from(["1e300", "1e400", "1e999999999", "-1e999999999", "NaN", "Infinity", "9" * 5000, "1e-999999999"]),
    st.integers(min_value=10**12 + 1).map(str),
    st.integers(max_value=-(10**12) - 1).map(str),
)


@settings(max_examples=25, suppress_health_check=list(HealthCheck), derandomize=True)
@given(value=HOSTILE, option=st.sampled_from(["--original-value", "--change-value", "--prior-value"]))
def test_a_hostile_amount_is_one_line_naming_its_option(value, option):
    values = {"--original-value": "1000000", "--change-value": "1000", "--prior-value": "0", option: value}
    args = [f"{name}={amount}" for name, amount in values.items()]
    result = run(*ACT_SERVICES, "--date", "2026-03-01", *args, "--ground", "below-threshold", "--json")
    assert (result.returncode, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and option in lines[0], result.stderr[-500:]


def test_as_its_own_process():
    result = pegasus_process(
        "rules",
        "modification",
        *ACT_SERVICES,
        *["--date", "2026-03-01", "--original-value", "30000000", "--change-value", "4000000"],
        *["--ground", "additional", "--json"],
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["permitted"], body["notice"]) == (True, "UK10")
    assert "publish it within 90 days of the change (s77)" in body["reason"]
