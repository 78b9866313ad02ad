"""The scheme of delegation as PCD 579 states it, and the rules command (thresholds, approver, standstill)."""

import json
from datetime import date
from decimal import Decimal

import pytest

from pegasus.governance import rules as r
from tests.commands import pegasus


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
        with pytest.raises(r.SchemeInputError, match="no version in force"):
            r.approver_for(
                decision_type=r.DecisionType.CONTRACT_AWARD, value=Decimal(1), day=date(2019, 1, 1), scheme=scheme
            )


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
