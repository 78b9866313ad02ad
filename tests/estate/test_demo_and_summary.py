"""The demo estate reproduces PCD 579, loads idempotently, and `pegasus estate summary` reads it as at a date."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from pegasus.core.models import AuditEvent
from pegasus.estate import terms
from pegasus.estate.demo import demo_load
from pegasus.estate.models import Contract, ContractTower, Interface, ServiceTower, Spend, Supplier
from pegasus.estate.selectors import estate_summary
from tests.commands import pegasus_process

pytestmark = pytest.mark.django_db

SEED_TOWERS = [
    "Service Integration & Management",
    "Networks",
    "Telephony",
    "Data Centres",
    "Data Centres Management",
    "Hosting",
    "End User Computing",
    "Applications Management",
]


def summary(as_at: str) -> dict:
    out = StringIO()
    call_command("estate", "summary", "--as-at", as_at, "--json", stdout=out)
    return json.loads(out.getvalue())


class TestDemo:
    def test_reproduces_the_figures_of_pcd_579(self, demo):
        tier1 = Contract.objects.filter(tier=1)
        assert tier1.count() == 6
        assert tier1.values("supplier").distinct().count() == 4
        assert sum(c.total_value for c in tier1) == Decimal("500000000.00")
        covered = set(ContractTower.objects.filter(contract__tier=1).values_list("tower__name", flat=True))
        assert covered == set(SEED_TOWERS)
        assert {"Mobile", "Printers", "Devices"} <= set(
            ContractTower.objects.filter(contract__tier=2).values_list("tower__name", flat=True)
        )

    def test_every_supplier_is_marked_illustrative(self, demo):
        assert all(s.is_illustrative and "(illustrative)" in s.name for s in Supplier.objects.all())

    def test_has_24_months_of_spend_and_interfaces(self, demo):
        assert Spend.objects.filter(contract__reference="MPS-DP-T1-001").count() == 24
        assert Interface.objects.count() >= 10

    def test_loading_twice_changes_nothing(self, demo):
        counts = [m.objects.count() for m in (Contract, Spend, Supplier, ServiceTower, Interface, AuditEvent)]
        history = Contract.history.count()
        assert demo_load() == {k: 0 for k in demo_load()}
        assert [m.objects.count() for m in (Contract, Spend, Supplier, ServiceTower, Interface, AuditEvent)] == counts
        assert Contract.history.count() == history


class TestSummary:
    def test_as_at_the_day_of_the_iam_meeting(self, demo):
        result = summary("2019-05-23")
        assert result["organisation"] == "Mayor's Office for Policing and Crime"
        assert result["towers"] == SEED_TOWERS
        assert (result["tier1_contracts"], result["tier1_suppliers"]) == (6, 4)
        assert result["total_contract_value"] == "500000000.00"
        # Every contract ends within the "2-3 years" the paper speaks of; the managed print service first.
        assert result["expiring"] == {"6": 1, "12": 2, "24": 7, "36": 9}

    def test_expiry_counts_move_with_the_as_at_date(self, demo):
        # As at June 2020 the mobile contract has renewed tacitly to May 2021; two tier-1 contracts end by December.
        assert summary("2020-06-01")["expiring"] == {"6": 2, "12": 5, "24": 7, "36": 7}

    def test_the_expiry_chart_reads_each_row_s_term_and_options_in_the_rows_order(self, demo):
        """The summary supplies the dashboard's expiry chart: a contract's segments are its terms' timeline."""
        # when the estate is read as at the day of the IAM meeting
        result = estate_summary(as_at=date(2019, 5, 23))

        # then the timeline follows the rows, each with its contract's term, options and renewals and its ends
        assert [entry.reference for entry in result.timeline] == [row.contract.reference for row in result.rows]
        for row, entry in zip(result.rows, result.timeline, strict=True):
            assert entry.segments == terms.timeline(row.contract.terms())
            assert (entry.current_end, entry.maximum_end) == (row.current_end, row.maximum_end)
        networks = next(entry for entry in result.timeline if entry.reference == "MPS-DP-T1-002")
        assert networks.segments == [
            terms.TermSegment("Initial term", date(2014, 11, 1), date(2019, 10, 31), "term"),
            terms.TermSegment("Option 1", date(2019, 11, 1), date(2020, 10, 31), "exercised"),
            terms.TermSegment("Option 2", date(2020, 11, 1), date(2021, 10, 31), "available"),
        ]
        assert (networks.current_end, networks.maximum_end) == (date(2020, 10, 31), date(2021, 10, 31))

    def test_bad_date_exits_2_naming_the_option(self):
        result = pegasus_process("estate", "summary", "--as-at", "23/05/2019", "--json")
        assert result.returncode == 2
        assert result.stderr.strip() == "error: --as-at: '23/05/2019' is not a date (YYYY-MM-DD)"
