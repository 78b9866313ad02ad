# SQL here is built from the module's own table names; values are bound.
# ruff: noqa: S608
"""Per-contract SLA reports over a stored ticket dataset, and the trend of a KPI; plain values in and out.

The engine (`sla.sla_report`) reports per supplier. A supplier may hold several contracts, each with its own SLA, so
each contract's tickets are picked out first (the supplier's tickets, narrowed by the contract's ticket `service`
when it has one) and reported under the contract's reference. A ticket that two contracts could claim goes to the
one naming its service.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pegasus.performance import datasets, duckdb_sql, sla

TREND_POINTS = 1.0  # a change of more than a point of attainment between half-periods is a trend


@dataclass(frozen=True)
class ContractSla:
    key: str  # the contract reference, which the engine's results carry in place of a supplier
    supplier: str  # the supplier's name as the tickets spell it
    service: str  # the tickets' service value of this contract; "" for every ticket of the supplier
    agreement: sla.Agreement  # with supplier == key


def _contract_tickets(con, slas: list[ContractSla]) -> None:
    """TEMP view `contract_tickets`: each ticket an SLA claims, with the contract's reference in place of the
    supplier (a ticket two contracts could claim goes to the one naming its service)."""
    con.execute("CREATE TEMP TABLE contract_map (contract VARCHAR, supplier VARCHAR, service VARCHAR)")
    if slas:
        con.executemany("INSERT INTO contract_map VALUES (?, ?, ?)", [(s.key, s.supplier, s.service) for s in slas])
    con.execute(
        """CREATE TEMP VIEW contract_tickets AS
        SELECT t.ticket_id, m.contract AS supplier, t.priority, t.opened_us, t.resolved_us
        FROM tickets t JOIN contract_map m ON m.supplier = t.supplier AND (m.service = '' OR m.service = t.service)
        QUALIFY row_number() OVER (PARTITION BY t.ticket_id ORDER BY m.service = '') = 1"""
    )


@dataclass(frozen=True)
class Coverage:
    """The tickets of one supplier and service in a dataset, and the contract whose SLA claims them ("" for none)."""

    supplier: str
    service: str
    tickets: int
    resolved: int
    contract: str


def ticket_coverage(directory: Path, slas: list[ContractSla]) -> list[Coverage]:
    """The dataset's tickets by supplier and service (most first), each with the contract whose SLA reads them,
    by the same rule as the reports."""
    con = duckdb_sql.connect()
    try:
        datasets.open_dataset(con, directory)
        _contract_tickets(con, slas)
        rows = con.execute(
            """SELECT t.supplier, coalesce(t.service, ''), count(*), count(t.resolved_us), coalesce(c.supplier, '')
            FROM tickets t LEFT JOIN contract_tickets c ON c.ticket_id = t.ticket_id
            GROUP BY ALL ORDER BY 3 DESC, 1, 2, 5"""
        ).fetchall()
    finally:
        con.close()
    return [Coverage(*row) for row in rows]


def contract_report(directory: Path, slas: list[ContractSla], *, with_handoffs: bool = False) -> dict:
    """`results` and `credits` keyed by contract reference; `handoffs` (between suppliers) when asked and stored."""
    con = duckdb_sql.connect()
    assignments = datasets.open_dataset(con, directory)
    report: dict = {"results": [], "credits": []}
    if slas:
        _contract_tickets(con, slas)
        found = sla.sla_report(con, [s.agreement for s in slas], tickets="contract_tickets")
        report["results"], report["credits"] = found["results"], found["credits"]
    if with_handoffs:
        report["handoffs"] = (
            sla.handoffs(con, tickets="tickets", assignments=assignments)
            if assignments
            else {"pairs": [], "holding": []}
        )
    con.close()
    return report


def trend(attainments: list[float | None]) -> tuple[str, float | None]:
    """Improving, Worsening or Steady: mean attainment of the later half of the months against the earlier half."""
    values = [a for a in attainments if a is not None]
    if len(values) < 2:
        return "Not enough months", None
    half = len(values) // 2
    earlier, later = values[: len(values) - half], values[len(values) - half :]
    change = sum(later) / len(later) - sum(earlier) / len(earlier)
    if change > TREND_POINTS:
        return "Improving", change
    if change < -TREND_POINTS:
        return "Worsening", change
    return "Steady", change
