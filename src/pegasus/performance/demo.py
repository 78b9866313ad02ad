"""Supplier performance for the demonstration: SLAs on the six major contracts and twelve months of generated
service-desk tickets (May 2018 to April 2019), ingested through the same engine as an uploaded file.

Everything is generated from a fixed seed, so two loads give the same tickets and the same figures. Each ticket is
logged by the SIAM supplier's service desk and passed to the tower supplier that resolves it; some are passed on to a
second tower and back, so the SIAM view has hand-offs to show. Suppliers differ in how quickly they resolve, and
drift over the year, so the scorecards show what a real estate does: an integrator and a hosting supplier on target,
networks recovering from a poor summer, applications slipping and end-user computing failing.
"""

import csv
import random
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from pegasus.core.audit import audit_record
from pegasus.core.clock import london_instant, story_at
from pegasus.estate.selectors import contracts_of_tier
from pegasus.performance import duckdb_sql, selectors, services, ticket_loading
from pegasus.performance.models import ServiceLevelAgreement, TicketUpload, UploadStatus

SEED = 579
DATASET = "demo"
# The SLAs were set up and the year of tickets to April 2019 stored in the programme's own time (illustrative day).
TICKETS_STORED = london_instant(date(2019, 5, 7), 9, 30)
FIRST_MONTH = (2018, 5)
MONTHS = 12
AS_AT = datetime(2019, 5, 1)  # local time: the data ends as April 2019 does
SIAM = "MPS-DP-T1-001"
PRIORITY_MIX = ((1, 0.02), (2, 0.10), (3, 0.50), (4, 0.38))

# Targets of every major contract (DOMAIN: P1 4 h, P2 8 h; P3 two working days and P4 five on service hours).
TARGETS = [
    services.TargetSpec(1, Decimal("4"), "24x7", Decimal("95"), Decimal("5")),
    services.TargetSpec(2, Decimal("8"), "24x7", Decimal("95"), Decimal("3")),
    services.TargetSpec(3, Decimal("20"), "service-hours", Decimal("90"), Decimal("2")),
    services.TargetSpec(4, Decimal("50"), "service-hours", Decimal("90"), Decimal("1")),
]
CREDIT_CAP = Decimal("12")


@dataclass(frozen=True)
class Desk:
    reference: str
    tickets_a_month: int
    speed: float  # < 1 resolves faster than the target on average
    drift: float  # change of speed over the year (negative: improving)


DESKS = [
    Desk("MPS-DP-T1-001", 260, 0.30, 0.0),  # the service integrator: on target all year
    Desk("MPS-DP-T1-002", 240, 0.55, -0.90),  # networks: poor last summer, recovering under a remediation plan
    Desk("MPS-DP-T1-003", 120, 0.34, 0.0),  # hosting: on target
    Desk("MPS-DP-T1-004", 150, 0.44, 0.0),  # data centres: just short on the urgent priorities
    Desk("MPS-DP-T1-005", 620, 0.80, 0.20),  # end-user computing: failing, and worse as the year goes on
    Desk("MPS-DP-T1-006", 380, 0.42, 0.05),  # applications: slipping
]


def _months():
    year, month = FIRST_MONTH
    for _ in range(MONTHS):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _elapsed_hours(target: services.TargetSpec, speed: float, rng: random.Random) -> float:
    hours = float(target.resolve_within_hours) * speed * rng.lognormvariate(0, 0.45)
    # A service-hours target runs about 50 hours a week: elapsed time is about 3.4 times as long.
    return hours * (3.4 if target.clock == "service-hours" else 1.0)


def generate(directory: Path, contracts: dict[str, Any]) -> tuple[Path, Path, int]:
    """Write the demo's tickets and assignments CSVs into `directory`; return their paths and the ticket count."""
    rng = random.Random(SEED)
    siam = contracts[SIAM].supplier.name
    towers = [d.reference for d in DESKS if d.reference != SIAM]
    tickets_path, assignments_path = directory / "tickets.csv", directory / "assignments.csv"
    count = 0
    with tickets_path.open("w", newline="") as tf, assignments_path.open("w", newline="") as af:
        tickets = csv.writer(tf)
        assignments = csv.writer(af)
        tickets.writerow(["ticket_id", "supplier", "priority", "opened_at", "resolved_at", "service"])
        assignments.writerow(["ticket_id", "assigned_at", "supplier"])
        for index, (year, month) in enumerate(_months()):
            start = datetime(year, month, 1)
            days = ((datetime(year + month // 12, month % 12 + 1, 1)) - start).days
            for desk in DESKS:
                contract = contracts[desk.reference]
                speed = desk.speed * (1 + desk.drift * (index / (MONTHS - 1) - 0.5))
                for _ in range(desk.tickets_a_month):
                    count += 1
                    ticket_id = f"INC{count:07d}"
                    priority = rng.choices([p for p, _ in PRIORITY_MIX], [w for _, w in PRIORITY_MIX])[0]
                    target = TARGETS[priority - 1]
                    day = start + timedelta(days=rng.randrange(days))
                    opened = datetime.combine(day.date(), time(7)) + timedelta(minutes=rng.randrange(12 * 60))
                    resolved = opened + timedelta(hours=_elapsed_hours(target, speed, rng))
                    opened_text = opened.isoformat(timespec="minutes")
                    resolved_text = resolved.isoformat(timespec="minutes") if resolved < AS_AT else ""
                    tickets.writerow(
                        [ticket_id, contract.supplier.name, priority, opened_text, resolved_text, contract.title]
                    )
                    assignments.writerow([ticket_id, opened_text, siam])
                    if desk.reference == SIAM:
                        continue
                    passed = opened + timedelta(minutes=5 + rng.randrange(25))
                    if rng.random() < 0.12:  # passed to the wrong tower first, then on to the right one
                        wrong = contracts[rng.choice([r for r in towers if r != desk.reference])]
                        assignments.writerow([ticket_id, passed.isoformat(timespec="minutes"), wrong.supplier.name])
                        passed += timedelta(minutes=30 + rng.randrange(150))
                    if not resolved_text or passed < resolved:
                        assignments.writerow([ticket_id, passed.isoformat(timespec="minutes"), contract.supplier.name])
    return tickets_path, assignments_path, count


@story_at(TICKETS_STORED)
def performance_demo_load() -> dict[str, int]:
    """SLAs on the major contracts, their SLA targets as KPIs where the contract is worth more than £5 million
    (Procurement Act 2023 s52), and the generated tickets stored as the current dataset; twice changes nothing."""
    contracts = {c.reference: c for c in contracts_of_tier(1)}
    created = {"slas": 0, "kpis": 0, "tickets": 0}
    if not all(d.reference in contracts for d in DESKS):
        return created
    with transaction.atomic():
        for desk in DESKS:
            contract = contracts[desk.reference]
            if ServiceLevelAgreement.objects.filter(contract=contract).exists():
                continue
            services.sla_save(
                contract=contract,
                monthly_charge=(contract.annual_value / 12).quantize(Decimal("0.01")),
                credit_cap_percent=CREDIT_CAP,
                ticket_service=contract.title,
                targets=TARGETS,
                by=None,
            )
            created["slas"] += 1
        for desk in DESKS:
            if selectors.kpis_required(contracts[desk.reference]):
                created["kpis"] += len(services.kpis_from_sla(contracts[desk.reference], None))
    stored = TicketUpload.objects.filter(dataset=DATASET, status=UploadStatus.SUCCEEDED).first()
    if stored and selectors.dataset_exists(DATASET):
        return created
    with tempfile.TemporaryDirectory(prefix="pegasus-demo-tickets-") as folder:
        tickets_path, assignments_path, count = generate(Path(folder), contracts)
        con = duckdb_sql.connect()
        report = ticket_loading.load_tickets(con, tickets_path)
        ticket_loading.load_assignments(con, assignments_path)
        services.dataset_store(con, DATASET, assignments="assignments")
        con.close()
    with transaction.atomic():
        upload = stored or TicketUpload(original_name="demo tickets, May 2018 to April 2019 (generated)")
        upload.dataset = DATASET
        upload.status = UploadStatus.SUCCEEDED
        upload.progress = 100
        upload.rows_read = report.rows_read
        upload.finished_at = upload.chosen_at = TICKETS_STORED
        upload.save()
        audit_record(
            action="ticket-upload.store",
            by=None,
            obj=upload,
            summary=f"Stored {count} generated demo tickets as dataset {DATASET}",
        )
    created["tickets"] = count
    return created
