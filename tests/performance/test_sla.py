"""SLA attainment, percentiles, open breaches and credits: hand-computed cases and a slow reference."""

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pegasus.core.calendar import LONDON_ZONE
from pegasus.performance import duckdb_sql, sla, ticket_loading
from tests.performance.reference import handoffs_reference, read_assignments, read_tickets, sla_reference

OFFICE_HOURS = {
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "start": "08:00",
    "end": "18:00",
    "timezone": "Europe/London",
    "exclude_bank_holidays": "england-and-wales",
}
AGREEMENTS = [
    {
        "supplier": "Supplier A",
        "monthly_charge": 1250000.00,
        "service_hours": OFFICE_HOURS,
        "credit_cap_percent": 12.0,
        "targets": [
            {
                "priority": 1,
                "resolve_within_hours": 4,
                "clock": "24x7",
                "attainment_target": 95.0,
                "credit_percent": 5.0,
            },
            {
                "priority": 3,
                "resolve_within_hours": 16,
                "clock": "service-hours",
                "attainment_target": 90.0,
                "credit_percent": 2.0,
            },
        ],
    },
    {
        "supplier": "Supplier B",
        "monthly_charge": "100000",
        "credit_cap_percent": 5,
        "targets": [
            {
                "priority": "P1",
                "resolve_within_hours": 1,
                "clock": "24x7",
                "attainment_target": 99,
                "credit_percent": 4,
            },
            {
                "priority": "P2",
                "resolve_within_hours": 2,
                "clock": "24x7",
                "attainment_target": 99,
                "credit_percent": 3,
            },
        ],
    },
]

# Hand-made tickets; the comments give each duration and which month it falls in (Europe/London).
HAND_MADE = """ticket_id,supplier,priority,opened_at,resolved_at
A1,Supplier A,P1,2019-05-01T10:00,2019-05-01T12:00
A2,Supplier A,P1,2019-05-02T10:00,2019-05-02T15:00
A3,Supplier A,1,2019-05-03T10:00,2019-05-03T14:00
A4,Supplier A,1,2019-05-31T23:30,2019-06-01T00:30
A5,Supplier A,3,2019-05-24T17:00,2019-05-28T09:00
A6,Supplier A,3,2019-05-20T08:00,2019-05-22T10:00
A7,Supplier A,3,2019-05-30T12:00,2019-05-31T12:00
A8,Supplier A,1,2019-05-31T18:30,
A9,Supplier A,3,2019-06-03T08:00,2019-06-10T08:00
A10,Supplier A,1,2019-05-31T19:00,2019-06-01T00:00
A11,Supplier A,2,2019-05-01T10:00,2019-05-09T10:00
B1,Supplier B,1,2019-05-01T10:00:00Z,2019-05-01T12:00:00Z
B2,Supplier B,2,2019-05-01T10:00:00+01:00,2019-05-01T13:00:00+01:00
C1,Supplier C,1,2019-05-01T10:00,2019-05-01T11:00
"""
# A1 2h met, A2 5h not, A3 4h met (the limit itself meets it): May P1 3 resolved, 2 met, median 4, p90 4.8.
# A4 resolves 00:30 BST on 1 June (23:30 UTC on 31 May): June. A10 5h, resolved exactly at the month end: June,
# and not open at the end of May. A8 never resolves: open and over 4h at the end of May and of June.
# A5 2 service hours (weekend, bank holiday 27 May), A6 22, A7 10: May P3 3 resolved, 2 met, median 10, p90 19.6.
# A9 50 service hours (five working days): June P3, not met. A11 is P2, which Supplier A has no target for.


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def report_for(path: Path, agreements=None, **options) -> dict:
    con = duckdb_sql.connect()
    load = ticket_loading.load_tickets(con, path, **options)
    result = sla.sla_report(con, sla.parse_agreements(agreements or AGREEMENTS))
    result.update(rows_read=load.rows_read, rows_rejected=load.rows_rejected)
    return result


def row(result: dict, supplier: str, month: str, priority: int) -> dict:
    return next(
        r for r in result["results"] if (r["supplier"], r["month"], r["priority"]) == (supplier, month, priority)
    )


class TestHandComputed:
    @pytest.fixture
    def result(self, tmp_path):
        return report_for(write(tmp_path, "tickets.csv", HAND_MADE))

    def test_attainment_percentiles_and_credit_of_a_breached_month(self, result):
        assert row(result, "Supplier A", "2019-05", 1) == {
            "supplier": "Supplier A",
            "month": "2019-05",
            "priority": 1,
            "resolved": 3,
            "met": 2,
            "attainment": pytest.approx(200 / 3),
            "target": 95.0,
            "median_hours": pytest.approx(4.0),
            "p90_hours": pytest.approx(4.8),
            "credit": "62500.00",
            "open_breached": 1,
        }

    def test_service_hours_skip_weekends_and_bank_holidays(self, result):
        p3 = row(result, "Supplier A", "2019-05", 3)
        assert (p3["resolved"], p3["met"], p3["credit"]) == (3, 2, "25000.00")
        assert (p3["median_hours"], p3["p90_hours"]) == (pytest.approx(10.0), pytest.approx(19.6))

    def test_month_follows_london_time_and_a_ticket_resolved_at_the_month_end_is_not_open(self, result):
        june = row(result, "Supplier A", "2019-06", 1)
        assert (june["resolved"], june["met"], june["median_hours"], june["p90_hours"]) == (
            2,
            1,
            pytest.approx(3.0),
            pytest.approx(4.6),
        )
        assert june["open_breached"] == 1  # A8, still open at the as-at instant

    def test_a_priority_without_a_target_is_not_reported(self, result):
        assert {r["priority"] for r in result["results"] if r["supplier"] == "Supplier A"} == {1, 3}

    def test_month_credits_sum_and_cap(self, result):
        assert result["credits"] == [
            {"supplier": "Supplier A", "month": "2019-05", "credit": "87500.00", "capped": False},
            {"supplier": "Supplier A", "month": "2019-06", "credit": "87500.00", "capped": False},
            {"supplier": "Supplier B", "month": "2019-05", "credit": "5000.00", "capped": True},
        ]

    def test_suppliers_without_an_sla_are_named(self, result):
        assert result["unmatched_suppliers"] == ["Supplier C"]

    def test_results_are_sorted_by_supplier_month_priority(self, result):
        keys = [(r["supplier"], r["month"], r["priority"]) for r in result["results"]]
        assert keys == sorted(keys)
        assert len(keys) == 6

    def test_the_slow_reference_agrees(self, tmp_path, result):
        path = write(tmp_path, "again.csv", HAND_MADE)
        expected = sla_reference(read_tickets(path), sla.parse_agreements(AGREEMENTS))
        assert_same(result, expected)


def assert_same(actual: dict, expected: dict) -> None:
    """Every field equal; hours and attainment to floating-point accuracy."""
    assert actual["unmatched_suppliers"] == expected["unmatched_suppliers"]
    assert actual["credits"] == expected["credits"]
    assert len(actual["results"]) == len(expected["results"])
    for got, want in zip(actual["results"], expected["results"], strict=True):
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-9), (got, key)
            else:
                assert got[key] == value, (got, key)


def generated_tickets(seed: int, count: int) -> str:
    """Tickets opened around midnights, weekends, the 2019 bank holidays and both clock changes, in mixed formats."""
    rng = random.Random(seed)
    anchors = [
        datetime(2019, 3, 31, 1, 0),  # clocks go forward
        datetime(2019, 10, 27, 1, 0),  # clocks go back
        datetime(2019, 5, 27, 0, 0),  # spring bank holiday
        datetime(2019, 12, 25, 0, 0),  # Christmas
        datetime(2019, 4, 19, 0, 0),  # Good Friday
        datetime(2019, 6, 30, 23, 0),  # a month end
        datetime(2019, 8, 3, 12, 0),  # a weekend
    ]
    lines = ["ticket_id,supplier,priority,opened_at,resolved_at"]
    for n in range(count):
        opened = rng.choice(anchors) + timedelta(minutes=rng.randint(-3 * 1440, 3 * 1440))
        resolved = opened + timedelta(minutes=rng.choice([rng.randint(0, 300), rng.randint(0, 20 * 1440)]))
        supplier = rng.choice(["Supplier A", "Supplier A", "Supplier B", "Supplier C"])
        priority = rng.choice(["1", "P1", "2", "P3", "3", "4"])

        def shown(moment: datetime) -> str:
            style = rng.random()
            if style < 0.5:
                return moment.isoformat(timespec="minutes")  # London wall clock
            instant = moment.replace(tzinfo=LONDON_ZONE).astimezone(UTC)
            if style < 0.75:
                return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
            return moment.replace(tzinfo=LONDON_ZONE).isoformat()

        lines.append(f"G{n},{supplier},{priority},{shown(opened)},{'' if rng.random() < 0.08 else shown(resolved)}")
    return "\n".join(lines) + "\n"


class TestAgainstTheReference:
    @pytest.mark.parametrize("seed", [1, 2])
    def test_every_field_matches_a_python_loop_on_generated_tickets(self, tmp_path, seed):
        path = write(tmp_path, "generated.csv", generated_tickets(seed, 400))
        expected = sla_reference(read_tickets(path), sla.parse_agreements(AGREEMENTS))
        actual = report_for(path)
        assert actual["rows_read"] == 400
        assert_same(actual, expected)

    def test_calendars_of_different_shapes_in_one_report(self, tmp_path):
        """Two service-hours calendars at once: office hours, and night hours every day (00:00-06:00 London, which in
        summer start at 23:00 UTC, so a UTC day holds the end of one night and the start of the next)."""
        night = {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00", "end": "06:00"}
        agreements = [
            AGREEMENTS[0],
            {**AGREEMENTS[0], "supplier": "Supplier C", "service_hours": night},
            {
                **AGREEMENTS[1],
                "service_hours": OFFICE_HOURS,
                "targets": [{**t, "clock": "service-hours"} for t in AGREEMENTS[1]["targets"]],
            },
        ]
        agreements[1]["targets"] = [{**t, "clock": "service-hours"} for t in AGREEMENTS[0]["targets"]]
        path = write(tmp_path, "generated.csv", generated_tickets(3, 400))
        expected = sla_reference(read_tickets(path), sla.parse_agreements(agreements))
        actual = report_for(path, agreements)
        assert {r["supplier"] for r in actual["results"]} == {"Supplier A", "Supplier B", "Supplier C"}
        assert_same(actual, expected)


def generated_assignments(ticket_text: str, seed: int) -> str:
    """Up to four holders a ticket, at times around its opening and resolution (some before it opened)."""
    rng = random.Random(seed)
    lines = ["ticket_id,assigned_at,supplier"]
    for row in list(csv.DictReader(io.StringIO(ticket_text))):
        if rng.random() < 0.3:
            continue
        opened = datetime.fromisoformat(row["opened_at"].replace("Z", "+00:00"))
        if opened.tzinfo is None:
            opened = opened.replace(tzinfo=LONDON_ZONE)
        moments = sorted({rng.randint(-60, 10 * 1440) for _ in range(rng.randint(1, 4))})
        for minutes in moments:
            at = (opened + timedelta(minutes=minutes)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            lines.append(f"{row['ticket_id']},{at},{rng.choice(['Desk', 'Network', 'Hosting'])}")
    return "\n".join(lines) + "\n"


class TestHandoffsAgainstTheReference:
    def test_pairs_and_holding_match_a_python_loop(self, tmp_path):
        ticket_text = generated_tickets(3, 300)
        ticket_file = write(tmp_path, "tickets.csv", ticket_text)
        assignment_file = write(tmp_path, "assignments.csv", generated_assignments(ticket_text, 3))
        con = duckdb_sql.connect()
        ticket_loading.load_tickets(con, ticket_file)
        ticket_loading.load_assignments(con, assignment_file)
        actual = sla.sla_report(con, sla.parse_agreements(AGREEMENTS), assignments="assignments")["handoffs"]
        expected = handoffs_reference(ticket_file, read_assignments(assignment_file))
        assert actual["pairs"] == expected["pairs"]
        assert [(h["supplier"], h["tickets"]) for h in actual["holding"]] == [
            (h["supplier"], h["tickets"]) for h in expected["holding"]
        ]
        for got, want in zip(actual["holding"], expected["holding"], strict=True):
            assert got["median_hours"] == pytest.approx(want["median_hours"], rel=1e-12)


class TestPercentiles:
    def test_duckdb_quantiles_are_numpys_linear_interpolation(self):
        values = [random.Random(7).uniform(0, 100) for _ in range(101)][:37]
        con = duckdb_sql.connect()
        got = con.execute(
            "SELECT quantile_cont(v, [0.5, 0.9]) FROM (SELECT unnest($1::DOUBLE[]) AS v)", [values]
        ).fetchone()[0]
        assert got == [
            pytest.approx(sla.percentile_linear(values, 0.5)),
            pytest.approx(sla.percentile_linear(values, 0.9)),
        ]

    def test_linear_percentile_by_hand(self):
        assert sla.percentile_linear([2.0, 5.0, 4.0], 0.9) == pytest.approx(4.8)
        assert sla.percentile_linear([1.0, 5.0], 0.5) == 3.0
        assert sla.percentile_linear([], 0.5) is None


class TestCredits:
    def test_attainment_equal_to_target_earns_no_credit(self):
        """19 of 20 is exactly 95%: not below the target."""
        assert not sla.below_target(19, 20, Decimal("95.0"))
        assert sla.below_target(18, 20, Decimal("95.0"))

    def test_no_resolved_tickets_earns_no_credit(self):
        assert not sla.below_target(0, 0, Decimal("95"))
        assert sla.attainment(0, 0) is None

    def test_credit_rounds_half_up_at_the_end(self):
        agreement = sla.parse_agreements(
            [
                {
                    "supplier": "S",
                    "monthly_charge": "1000.10",
                    "credit_cap_percent": 100,
                    "targets": [
                        {
                            "priority": 1,
                            "resolve_within_hours": 1,
                            "clock": "24x7",
                            "attainment_target": 90,
                            "credit_percent": 0.25,
                        },
                        {
                            "priority": 2,
                            "resolve_within_hours": 1,
                            "clock": "24x7",
                            "attainment_target": 90,
                            "credit_percent": 0.25,
                        },
                    ],
                }
            ]
        )[0]
        # 0.25% of £1,000.10 is £2.50025 each: £5.0005 together, rounded once to £5.00 (not £2.50 + £2.50 = £5.00
        # by luck: the sum is rounded, not the parts).
        parts = [sla.priority_credit(agreement, t, 0, 1) for t in agreement.targets]
        assert parts == [Decimal("2.500250"), Decimal("2.500250")]
        assert sla.month_credit(agreement, parts) == (Decimal("5.00"), False)


class TestSlaFile:
    def test_reads_yaml_and_json(self, tmp_path):
        yaml_file = write(tmp_path, "s.yaml", yaml.safe_dump(AGREEMENTS))
        import json

        json_file = write(tmp_path, "s.json", json.dumps(AGREEMENTS))
        assert sla.read_agreements(yaml_file) == sla.read_agreements(json_file)
        first = sla.read_agreements(yaml_file)[0]
        assert (first.monthly_charge, first.credit_cap_percent) == (Decimal("1250000.0"), Decimal("12.0"))

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"monthly_charge": "lots"}, r"entry 1 \(Supplier A\) monthly_charge: 'lots' is not a number"),
            ({"credit_cap_percent": 120}, "credit_cap_percent: 120 is above 100"),
            ({"targets": [{"priority": 7}]}, r"targets\[1\]: resolve_within_hours is required"),
            ({"service_hours": None}, "service_hours is required by its service-hours targets"),
            ({"supplier": ""}, "supplier is required"),
        ],
    )
    def test_bad_entries_name_the_entry_and_field(self, change, message):
        entry = {**AGREEMENTS[0], **change}
        with pytest.raises(sla.SlaFileError, match=message):
            sla.parse_agreements([entry])

    def test_bad_clock_and_priority(self):
        target = {
            "priority": 9,
            "resolve_within_hours": 4,
            "clock": "24x7",
            "attainment_target": 95,
            "credit_percent": 5,
        }
        with pytest.raises(sla.SlaFileError, match="'9' is not a priority|9 is not a priority"):
            sla.parse_agreements([{**AGREEMENTS[1], "targets": [target]}])
        target = {**target, "priority": 1, "clock": "sometimes"}
        with pytest.raises(sla.SlaFileError, match="'sometimes' is not 24x7 or service-hours"):
            sla.parse_agreements([{**AGREEMENTS[1], "targets": [target]}])

    def test_a_supplier_twice_is_refused(self):
        with pytest.raises(sla.SlaFileError, match="has two entries"):
            sla.parse_agreements([AGREEMENTS[1], AGREEMENTS[1]])
