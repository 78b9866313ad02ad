"""Thresholds by date, the scheme of delegation and standstill periods: the rules as PCD 579 and the law state them."""

import json
from datetime import date
from decimal import Decimal

import pytest

from pegasus.governance import rules as r
from tests.commands import pegasus


def threshold(day: str, value: str, authority="sub-central", contract_type="services"):
    return r.threshold_check(
        day=date.fromisoformat(day),
        authority=r.Authority(authority),
        contract_type=r.ContractType(contract_type),
        value_net=Decimal(value),
    )


class TestThresholds:
    def test_pcd_579_cites_181302_for_mopac_in_2019(self):
        result = threshold("2019-05-23", "181302")
        assert (result.regime, result.threshold, result.vat_basis, result.above_threshold) == (
            r.Regime.PCR2015,
            Decimal("181302"),
            "net",
            True,
        )
        assert not threshold("2019-05-23", "181301.99").above_threshold

    def test_from_2022_the_value_is_compared_with_vat(self):
        result = threshold("2022-06-01", "177898")  # x 1.2 = 213,477.60
        assert (result.compared_value, result.threshold, result.above_threshold) == (
            Decimal("213477.60"),
            Decimal("213477"),
            True,
        )
        assert not threshold("2022-06-01", "177897").above_threshold  # 213,476.40

    @pytest.mark.parametrize(("day", "regime"), [("2025-02-23", "PCR2015"), ("2025-02-24", "PA2023")])
    def test_the_regime_changes_on_24_february_2025(self, day, regime):
        assert threshold(day, "1").regime == regime

    @pytest.mark.parametrize(
        ("day", "authority", "contract_type", "expected"),
        [
            ("2016-01-01", "central", "supplies", "106047"),
            ("2017-12-31", "sub-central", "services", "164176"),
            ("2018-01-01", "central", "works", "4551413"),
            ("2020-07-01", "sub-central", "light-touch", "663540"),
            ("2021-12-31", "central", "services", "122976"),
            ("2024-01-01", "sub-central", "supplies", "214904"),
            ("2025-12-31", "central", "works", "5372609"),
            ("2026-01-01", "sub-central", "services", "207720"),
            ("2030-01-01", "central", "supplies", "135018"),
        ],
    )
    def test_each_period_boundary(self, day, authority, contract_type, expected):
        assert threshold(day, "1", authority, contract_type).threshold == Decimal(expected)

    def test_a_date_before_2016_is_refused(self):
        with pytest.raises(r.RuleInputError, match="--date"):
            threshold("2015-12-31", "1")

    def test_every_day_from_2016_falls_in_exactly_one_period(self):
        periods = r.threshold_periods()
        for earlier, later in zip(periods, periods[1:], strict=False):
            assert (later.start - earlier.end).days == 1
        assert periods[-1].end is None


class TestSchemeOfDelegation:
    @pytest.mark.parametrize(
        ("decision_type", "value", "approver", "clause"),
        [
            ("business-case", "6700000", "Deputy Mayor for Policing and Crime", "4.8"),
            ("business-case", "500000", "Deputy Mayor for Policing and Crime", "4.8"),
            ("business-case", "499999.99", "Delegated officer (MPS Chief Financial Officer)", None),
            ("procurement-strategy", "500000000", "Deputy Mayor for Policing and Crime", "4.13"),
            ("contract-extension", "750000", "Deputy Mayor for Policing and Crime", "4.13"),
            ("procurement-exemption", "500000", "Deputy Mayor for Policing and Crime", "4.13"),
            ("procurement-strategy", "120000", "Delegated officer (MPS Chief Financial Officer)", None),
        ],
    )
    def test_the_mopac_scheme_as_pcd_579_states_it(self, decision_type, value, approver, clause):
        approval = r.approver_for(
            decision_type=r.DecisionType(decision_type), value=Decimal(value), day=date(2019, 6, 10)
        )
        assert (approval.approver, approval.clause) == (approver, clause)
        assert approval.scheme == "MOPAC Scheme of Delegation and Consent"

    def test_another_body_loads_its_own_versioned_scheme(self, tmp_path):
        path = tmp_path / "scheme.toml"
        path.write_text(
            'name = "Borough scheme"\n'
            "[[version]]\neffective_from = 2020-01-01\n"
            '[[version.rule]]\ndecision_types = ["contract-award"]\napprover = "Cabinet"\nclause = "7"\n'
            "[[version]]\neffective_from = 2024-04-01\n"
            '[[version.rule]]\ndecision_types = ["contract-award"]\napprover = "Cabinet member"\nclause = "7A"\n'
        )
        scheme = r.load_scheme(path)
        before = r.approver_for(
            decision_type=r.DecisionType.CONTRACT_AWARD, value=Decimal(1), day=date(2024, 3, 31), scheme=scheme
        )
        after = r.approver_for(
            decision_type=r.DecisionType.CONTRACT_AWARD, value=Decimal(1), day=date(2024, 4, 1), scheme=scheme
        )
        assert (before.approver, after.approver, after.clause) == ("Cabinet", "Cabinet member", "7A")
        with pytest.raises(r.RuleInputError, match="no version in force"):
            r.approver_for(
                decision_type=r.DecisionType.CONTRACT_AWARD, value=Decimal(1), day=date(2019, 1, 1), scheme=scheme
            )


class TestStandstill:
    @pytest.mark.parametrize(
        ("sent", "end"),
        [
            ("2019-05-01", "2019-05-13"),  # Wed + 10 = Sat 11 May: extended to Mon 13
            ("2019-05-03", "2019-05-13"),  # Fri + 10 = Mon 13, a working day
            ("2019-05-17", "2019-05-28"),  # + 10 = Mon 27 May, spring bank holiday: Tue 28
            ("2019-12-16", "2019-12-27"),  # + 10 = Thu 26 Dec, Boxing Day: Fri 27
        ],
    )
    def test_pcr_2015_ten_calendar_days_ending_on_a_working_day(self, sent, end):
        assert r.standstill_end(r.Regime.PCR2015, date.fromisoformat(sent)) == date.fromisoformat(end)

    def test_pcr_2015_fifteen_days_when_not_sent_electronically(self):
        assert r.standstill_end(r.Regime.PCR2015, date(2019, 5, 1), r.NoticeMeans.OTHER) == date(2019, 5, 16)

    @pytest.mark.parametrize(
        ("published", "end"),
        [
            ("2025-03-03", "2025-03-12"),  # Mon: Mon-Fri (5), Mon-Wed (3)
            ("2025-03-01", "2025-03-12"),  # Sat: the count begins on Mon 3
            ("2025-12-19", "2026-01-02"),  # Fri 19 Dec, over Christmas and New Year
            ("2026-04-02", "2026-04-15"),  # Thu before Good Friday and Easter Monday
        ],
    )
    def test_pa_2023_eight_working_days_beginning_with_publication(self, published, end):
        assert r.standstill_end(r.Regime.PA2023, date.fromisoformat(published)) == date.fromisoformat(end)


class TestCommand:
    def run(self, *args):
        return pegasus("rules", *args)

    def test_threshold_json(self):
        result = self.run(
            "threshold",
            "--date",
            "2026-03-01",
            "--authority",
            "sub-central",
            "--contract-type",
            "services",
            "--value",
            "173100",
            "--json",
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {
            "regime": "PA2023",
            "threshold": "207720.00",
            "vat_basis": "gross",
            "compared_value": "207720.00",
            "above_threshold": True,
            "period": {"from": "2026-01-01", "to": None},
            "source": "SI 2025/1200 (Procurement Act 2023 thresholds from 1 January 2026)",
        }

    def test_approver_json(self):
        result = self.run(
            "approver", "--decision-type", "procurement-strategy", "--value", "500000", "--date", "2019-06-10", "--json"
        )
        assert json.loads(result.stdout) == {
            "approver": "Deputy Mayor for Policing and Crime",
            "clause": "4.13",
            "scheme": "MOPAC Scheme of Delegation and Consent",
        }

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (
                [
                    "threshold",
                    "--date",
                    "2015-12-31",
                    "--authority",
                    "central",
                    "--contract-type",
                    "works",
                    "--value",
                    "1",
                ],
                "--date: thresholds are held from 2016-01-01",
            ),
            (
                [
                    "threshold",
                    "--date",
                    "2019-02-30",
                    "--authority",
                    "central",
                    "--contract-type",
                    "works",
                    "--value",
                    "1",
                ],
                "--date: '2019-02-30' is not a date",
            ),
            (
                ["approver", "--decision-type", "business-case", "--value", "lots", "--date", "2019-06-10"],
                "--value: 'lots' is not an amount",
            ),
        ],
    )
    def test_bad_input_exits_2_naming_the_field(self, args, message):
        result = self.run(*args, "--json")
        assert result.returncode == 2
        assert message in result.stderr and result.stdout == ""
