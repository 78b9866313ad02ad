"""A slow, obviously-correct SLA report: one Python loop per ticket and per month end, numpy for percentiles.

It shares only the service-window definition (`ServiceHours.window`) and the money rounding with the engine.
"""

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy

from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.money import round_pennies
from pegasus.performance import clock
from pegasus.performance.sla import Agreement


def parse_instant(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        return moment
    # A wall-clock time that never happened (clocks going forward) moves to the first one that did.
    while moment.replace(tzinfo=LONDON_ZONE).astimezone(UTC).astimezone(LONDON_ZONE).replace(tzinfo=None) != moment:
        moment += timedelta(minutes=1)
    return moment.replace(tzinfo=LONDON_ZONE, fold=0)


def read_tickets(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            "supplier": row["supplier"].strip(),
            "priority": int(row["priority"].strip().upper().removeprefix("P")),
            "opened": parse_instant(row["opened_at"]),
            "resolved": parse_instant(row["resolved_at"]),
        }
        for row in rows
    ]


def micros_between(agreement: Agreement, clock_name: str, start: datetime, end: datetime) -> int:
    a, b = clock.to_micros(start), clock.to_micros(end)
    if clock_name == "24x7":
        return b - a
    assert agreement.service_hours is not None
    return clock.service_micros_reference(agreement.service_hours, a, b)


def month_of(moment: datetime) -> str:
    local = moment.astimezone(LONDON_ZONE)
    return f"{local.year:04d}-{local.month:02d}"


def sla_reference(tickets: list[dict], agreements: list[Agreement]) -> dict:
    by_supplier = {a.supplier: a for a in agreements}
    cells: dict[tuple, dict] = {}

    def cell(key):
        return cells.setdefault(key, {"durations": [], "met": 0, "open_breached": 0})

    for ticket in tickets:
        agreement = by_supplier.get(ticket["supplier"])
        target = agreement.target(ticket["priority"]) if agreement else None
        if target is None or ticket["resolved"] is None:
            continue
        micros = micros_between(agreement, target.clock, ticket["opened"], ticket["resolved"])
        entry = cell((ticket["supplier"], month_of(ticket["resolved"]), ticket["priority"]))
        entry["durations"].append(micros / clock.MICROS_PER_HOUR)
        entry["met"] += micros <= target.limit_micros

    as_at = max(max(t["opened"], t["resolved"] or t["opened"]) for t in tickets)
    first = min(t["opened"] for t in tickets).astimezone(LONDON_ZONE).date().replace(day=1)
    month = first
    while month <= as_at.astimezone(LONDON_ZONE).date():
        following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        end = min(datetime(following.year, following.month, 1, tzinfo=LONDON_ZONE), as_at)
        for ticket in tickets:
            agreement = by_supplier.get(ticket["supplier"])
            target = agreement.target(ticket["priority"]) if agreement else None
            if target is None:
                continue
            if ticket["opened"] < end and (ticket["resolved"] is None or ticket["resolved"] > end):
                if micros_between(agreement, target.clock, ticket["opened"], end) > target.limit_micros:
                    cell((ticket["supplier"], f"{month.year:04d}-{month.month:02d}", ticket["priority"]))[
                        "open_breached"
                    ] += 1
        month = following

    results, credits = [], []
    month_totals: dict[tuple, list[Decimal]] = {}
    for (supplier, month_label, priority), entry in sorted(cells.items()):
        agreement = by_supplier[supplier]
        target = agreement.target(priority)
        resolved = len(entry["durations"])
        attainment = 100 * entry["met"] / resolved if resolved else None
        credit = Decimal(0)
        if resolved and Decimal(100 * entry["met"]) / resolved < target.attainment_target:
            credit = target.credit_percent * agreement.monthly_charge / 100
        month_totals.setdefault((supplier, month_label), []).append(credit)
        results.append(
            {
                "supplier": supplier,
                "month": month_label,
                "priority": priority,
                "resolved": resolved,
                "met": entry["met"],
                "attainment": attainment,
                "target": float(target.attainment_target),
                "median_hours": float(numpy.percentile(entry["durations"], 50)) if resolved else None,
                "p90_hours": float(numpy.percentile(entry["durations"], 90)) if resolved else None,
                "credit": f"{round_pennies(credit):.2f}",
                "open_breached": entry["open_breached"],
            }
        )
    for (supplier, month_label), amounts in sorted(month_totals.items()):
        agreement = by_supplier[supplier]
        cap = agreement.credit_cap_percent * agreement.monthly_charge / 100
        total = sum(amounts, Decimal(0))
        credits.append(
            {
                "supplier": supplier,
                "month": month_label,
                "credit": f"{round_pennies(min(total, cap)):.2f}",
                "capped": total > cap,
            }
        )
    unmatched = sorted({t["supplier"] for t in tickets} - set(by_supplier))
    return {"results": results, "credits": credits, "unmatched_suppliers": unmatched}


def read_assignments(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {"ticket_id": r["ticket_id"], "assigned": parse_instant(r["assigned_at"]), "supplier": r["supplier"]}
            for r in csv.DictReader(handle)
        ]


def handoffs_reference(tickets_path: Path, assignments: list[dict]) -> dict:
    """Passes between suppliers, and the median hours each supplier held the resolved tickets it had."""
    with tickets_path.open(encoding="utf-8", newline="") as handle:
        tickets = {r["ticket_id"]: r for r in csv.DictReader(handle)}
    by_ticket: dict[str, list[dict]] = {}
    for row in assignments:
        by_ticket.setdefault(row["ticket_id"], []).append(row)
    pairs: dict[tuple[str, str], list[str]] = {}
    held: dict[tuple[str, str], int] = {}
    for ticket_id, rows in by_ticket.items():
        rows.sort(key=lambda r: r["assigned"])
        for previous, current in zip(rows, rows[1:], strict=False):
            if previous["supplier"] != current["supplier"]:
                pairs.setdefault((previous["supplier"], current["supplier"]), []).append(ticket_id)
        ticket = tickets[ticket_id]
        opened, resolved = parse_instant(ticket["opened_at"]), parse_instant(ticket["resolved_at"])
        if resolved is None:
            continue
        for index, row in enumerate(rows):
            end = rows[index + 1]["assigned"] if index + 1 < len(rows) else resolved
            start = max(row["assigned"], opened)
            micros = max(0, clock.to_micros(min(end, resolved)) - clock.to_micros(start))
            key = (ticket_id, row["supplier"])
            held[key] = held.get(key, 0) + micros
    per_supplier: dict[str, list[float]] = {}
    for (_ticket_id, supplier), micros in held.items():
        per_supplier.setdefault(supplier, []).append(micros / clock.MICROS_PER_HOUR)
    return {
        "pairs": [
            {"from": a, "to": b, "tickets": len(set(ids)), "handoffs": len(ids)}
            for (a, b), ids in sorted(pairs.items())
        ],
        "holding": [
            {"supplier": s, "tickets": len(hours), "median_hours": float(numpy.percentile(hours, 50))}
            for s, hours in sorted(per_supplier.items())
        ],
    }
