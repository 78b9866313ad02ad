"""What the programme board reads: where the programme stands as at a day, for `/programme/` and the monthly highlight
report (`programme.report`). Every part is read as at the day: milestones, risks and issues, business cases and exit
plans by the dates recorded on them, the money by the finance position, decisions by when they were required and
taken.
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pegasus.core.exceptions import InputError
from pegasus.estate import selectors as estate_selectors
from pegasus.finance import selectors as finance_selectors
from pegasus.governance import selectors as governance_selectors
from pegasus.programme.models import IssuePriority, Programme, RaidKind
from pegasus.programme.selectors import cases as case_selectors
from pegasus.programme.selectors import exits as exit_selectors
from pegasus.programme.selectors import milestones as milestone_selectors
from pegasus.programme.selectors import raid as raid_selectors
from pegasus.programme.selectors.programmes import the_programme

# GOV.UK tag colours for a RAG: a tag always carries the word too, so colour is never the only sign.
RAG_COLOURS = {"complete": "blue", "green": "green", "amber": "yellow", "red": "red"}
DECISIONS_AHEAD_DAYS = 92  # "decisions due in the next three months"
TOP = 5  # risks and issues the board sees first
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthInputError(InputError):
    """A report month that is not YYYY-MM."""


def month_end(month: str) -> date:
    """The last day of a month given as YYYY-MM: the day a monthly report reads the programme as at."""
    found = MONTH.match(month or "")
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1900:
        raise MonthInputError(f"Month: enter it as YYYY-MM, for example 2019-05, not {month!r}")
    year, number = int(found[1]), int(found[2])
    return date(year, number, calendar.monthrange(year, number)[1])


@dataclass(frozen=True)
class DecisionDue:
    pk: int
    reference: str
    title: str
    required_by: date
    status: str
    approver_office: str
    overdue: bool


@dataclass(frozen=True)
class PendingChange:
    contract_pk: int
    contract: str
    supplier: str
    kind: str
    value: Decimal
    effective_on: date
    state: str


@dataclass(frozen=True)
class MoneyLine:
    code: str
    name: str
    depth: int
    budget: Decimal
    actual: Decimal
    committed_open: Decimal
    outturn: Decimal
    variance: Decimal


@dataclass(frozen=True)
class ApprovalHeadroom:
    reference: str
    decision: str | None
    approved_on: date
    approved: Decimal
    committed: Decimal
    spent: Decimal
    headroom: Decimal


@dataclass(frozen=True)
class Finance:
    year_label: str
    lines: list[MoneyLine]
    approvals: list[ApprovalHeadroom]


@dataclass(frozen=True)
class Status:
    """The programme's overall RAG with the reasons that set it."""

    rag: str  # "green" | "amber" | "red"
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.rag.capitalize()

    @property
    def colour(self) -> str:
        return RAG_COLOURS[self.rag]


def decisions_due(as_at: date) -> list[DecisionDue]:
    """Decisions still to be taken as at the day and required within three months of it (or overdue)."""
    seen: set[str] = set()
    due = []
    for decision in governance_selectors.decisions_open_on(as_at, within_days=DECISIONS_AHEAD_DAYS):
        if decision.reference in seen:
            continue
        seen.add(decision.reference)
        assert decision.required_by is not None  # the query asks for one
        approved_later = decision.decided_at is not None
        due.append(
            DecisionDue(
                pk=decision.pk,
                reference=decision.reference,
                title=decision.title,
                required_by=decision.required_by,
                status="Awaiting decision" if approved_later else decision.get_status_display(),
                approver_office=decision.approver_office,
                overdue=decision.required_by < as_at,
            )
        )
    return due


def changes_pending(as_at: date) -> list[PendingChange]:
    return [
        PendingChange(
            contract_pk=change.contract_id,
            contract=change.contract.reference,
            supplier=change.contract.supplier.name,
            kind=change.get_kind_display(),
            value=change.value,
            effective_on=change.effective_on,
            state=change.get_state_display(),
        )
        for change in estate_selectors.changes_pending(as_at)
    ]


def finance(as_at: date, budget_line: str = "") -> Finance:
    """The programme's money in the financial year of the day: its budget line and the lines just below it (the top
    two levels of the budget tree when it names none, or one finance does not hold), and the headroom of each
    approval given by the day on those lines."""
    position = finance_selectors.position(as_at=as_at)
    held = {row.code: row for row in position.lines}
    if budget_line in held:
        codes = set(finance_selectors.lines_under(budget_line))
        top = held[budget_line].depth
        rows = [row for row in position.lines if row.code in codes and row.depth <= top + 1]
    else:
        codes, top = set(held), 0
        rows = [row for row in position.lines if row.depth <= 1]
    return Finance(
        year_label=position.year_label,
        lines=[
            MoneyLine(
                code=row.code,
                name=row.name,
                depth=row.depth - top,
                budget=row.total.budget,
                actual=row.total.actual,
                committed_open=row.total.committed_open,
                outturn=row.total.outturn,
                variance=row.total.variance,
            )
            for row in rows
        ],
        approvals=[
            ApprovalHeadroom(
                reference=row.reference,
                decision=row.decision,
                approved_on=row.approved_on,
                approved=row.figures.approved,
                committed=row.figures.committed,
                spent=row.figures.spent,
                headroom=row.figures.headroom,
            )
            for row in position.approvals
            if row.approved_on <= as_at and row.line in codes
        ],
    )


@dataclass(frozen=True)
class MilestoneLine:
    name: str
    owner: str
    baseline_on: date
    forecast_on: date
    actual_on: date | None
    rag: str  # "complete" | "green" | "amber" | "red"
    slip_days: int

    @property
    def rag_label(self) -> str:
        return self.rag.capitalize()

    @property
    def rag_colour(self) -> str:
        return RAG_COLOURS[self.rag]


@dataclass(frozen=True)
class RaidLine:
    pk: int
    reference: str
    kind: str
    title: str
    owner: str
    rating: str  # "Score 20 of 25" for a risk, "Critical priority" for an issue
    escalated: bool


@dataclass(frozen=True)
class CaseLine:
    pk: int
    reference: str
    title: str
    stage: str
    status: str
    value: Decimal
    decision: str


@dataclass(frozen=True)
class ExitLine:
    pk: int
    contract: str
    supplier: str
    replacement: str
    readiness: Decimal | None  # percent of tasks done
    tasks_done: int
    tasks: int
    current_end: date
    latest_end: date | None  # with every option left; None when it may roll on
    planned_start: date | None
    cover: str  # how the incumbent's end meets the replacement's start, in words
    red_flag: bool


@dataclass(frozen=True)
class Board:
    programme: Programme
    as_at: date
    status: Status
    milestones: list[MilestoneLine]
    risks: list[RaidLine]
    issues: list[RaidLine]
    cases: list[CaseLine]
    decisions: list[DecisionDue]
    finance: Finance
    changes: list[PendingChange]
    exits: list[ExitLine]

    @property
    def raid_sections(self) -> list[tuple[str, list[RaidLine]]]:
        return [("Risks, highest score first", self.risks), ("Issues, highest priority first", self.issues)]


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def overall_status(
    milestones: list[MilestoneLine],
    risks: list[RaidLine],
    issues: list[RaidLine],
    exits: list[ExitLine],
    decisions: list[DecisionDue],
) -> Status:
    """Red when a milestone is red, an issue of the highest priority is open or a contract would end before its
    replacement starts; amber when a milestone is amber, a risk scores 15 or more or a decision is overdue; green
    otherwise. The reasons name each count that set it."""
    red, amber = [], []
    late = [m for m in milestones if m.rag == "red"]
    if late:
        red.append(f"{_count(len(late), 'milestone')} red: " + "; ".join(m.name for m in late))
    critical = [i for i in issues if i.escalated]
    if critical:
        red.append(f"{_count(len(critical), 'critical issue')} open: " + "; ".join(i.reference for i in critical))
    flagged = [e for e in exits if e.red_flag]
    if flagged:
        red.append(
            f"{_count(len(flagged), 'contract')} would end before its replacement starts: "
            + "; ".join(e.contract for e in flagged)
        )
    slipping = [m for m in milestones if m.rag == "amber"]
    if slipping:
        amber.append(f"{_count(len(slipping), 'milestone')} amber: " + "; ".join(m.name for m in slipping))
    high = [r for r in risks if r.escalated]
    if high:
        amber.append(f"{_count(len(high), 'risk')} scoring 15 or more: " + "; ".join(r.reference for r in high))
    overdue = [d for d in decisions if d.overdue]
    if overdue:
        amber.append(f"{_count(len(overdue), 'decision')} overdue: " + "; ".join(d.reference for d in overdue))
    if red:
        return Status("red", red + amber)
    if amber:
        return Status("amber", amber)
    return Status("green", ["No milestone is late, no risk scores 15 or more and no critical issue is open"])


def _raid_line(row: raid_selectors.RaidRow) -> RaidLine:
    item = row.item
    if item.kind == RaidKind.RISK:
        rating = f"Score {row.current} of 25 ({row.band_label.lower()})"
    else:
        rating = f"{IssuePriority(item.priority).label} priority"
    return RaidLine(item.pk, item.reference, item.kind, item.title, item.owner, rating, row.escalated)


def board(as_at: date) -> Board | None:
    """Where the programme stands as at the day, or None before a programme is set up."""
    found = the_programme()
    if found is None:
        return None
    milestones = [
        MilestoneLine(
            row.milestone.name,
            row.milestone.owner,
            row.milestone.baseline_on,
            row.milestone.forecast_on,
            row.actual,
            str(row.rag),
            row.slip_days,
        )
        for row in milestone_selectors.milestone_rows(as_at, found)
    ]
    # Every open risk and issue, read once: the status counts all that escalate, the board shows the first five.
    risks = [_raid_line(row) for row in raid_selectors.top_risks(as_at, None)]
    issues = [_raid_line(row) for row in raid_selectors.top_issues(as_at, None)]
    cases = [
        CaseLine(
            row.case.pk,
            row.case.reference,
            row.case.title,
            row.case.get_stage_display(),
            row.status.label,
            row.case.value,
            row.case.decision.reference if row.case.decision else "",
        )
        for row in case_selectors.case_list(as_at=as_at)
    ]
    exits = [
        ExitLine(
            row.plan.pk,
            row.plan.contract.reference,
            row.plan.contract.supplier.name,
            row.plan.procurement.reference if row.plan.procurement else "",
            row.readiness,
            sum(1 for task in row.tasks if task.done),
            len(row.tasks),
            row.current_end,
            row.latest_end,
            row.replacement_starts,
            row.outlook.label,
            row.outlook.red_flag,
        )
        for row in exit_selectors.exit_rows(as_at, found)
    ]
    decisions = decisions_due(as_at)
    return Board(
        programme=found,
        as_at=as_at,
        status=overall_status(milestones, risks, issues, exits, decisions),
        milestones=milestones,
        risks=risks[:TOP],
        issues=issues[:TOP],
        cases=cases,
        decisions=decisions,
        finance=finance(as_at, found.budget_line),
        changes=changes_pending(as_at),
        exits=exits,
    )
