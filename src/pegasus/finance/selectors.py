"""Every read of the programme's ledgers: the position of each budget line and approval for a financial year as at a
day, under the definitions in `finance.rules`, and the rows behind any figure of it.

The position is three queries whatever the number of lines: the lines, the approvals, and one statement that sums
every figure of every line and approval in the database. Sums are taken in whole pennies, so that SQLite (which
holds decimals as binary floats) adds as exactly as PostgreSQL.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from pegasus.core.money import STANDARD_VAT_RATE, Money, VatBasis
from pegasus.estate import selectors as estate_selectors
from pegasus.finance import rules
from pegasus.finance.models import Actual, Approval, BudgetAmount, BudgetLine, Commitment, Forecast
from pegasus.procurement import selectors as procurement_selectors
from pegasus.sourcing import selectors as sourcing_selectors

# What the position statement sums, by kind: a line's budget (b), actual (a), open commitments (c) and remaining
# forecast (f); an approval's committed (ac) and spent (as). Amounts in pennies.
POSITION_SQL = """
WITH paid AS (
    SELECT commitment_id, SUM(ROUND(amount * 100)) AS pennies
    FROM finance_actual
    WHERE commitment_id IS NOT NULL AND paid_on <= %(as_at)s
    GROUP BY commitment_id
), live AS (
    SELECT c.line_id, c.approval_id, ROUND(c.amount * 100) AS pennies, COALESCE(p.pennies, 0) AS paid
    FROM finance_commitment c LEFT JOIN paid p ON p.commitment_id = c.reference
    WHERE c.raised_on <= %(as_at)s AND (c.cancelled_on IS NULL OR c.cancelled_on > %(as_at)s)
)
SELECT 'b', line_id, SUM(ROUND(amount * 100)) FROM finance_budgetamount WHERE year = %(year)s GROUP BY line_id
UNION ALL
SELECT 'a', line_id, SUM(ROUND(amount * 100)) FROM finance_actual
WHERE paid_on >= %(year_start)s AND paid_on <= %(as_at)s GROUP BY line_id
UNION ALL
SELECT 'c', line_id, SUM(CASE WHEN pennies > paid THEN pennies - paid ELSE 0 END) FROM live GROUP BY line_id
UNION ALL
SELECT 'f', line_id, SUM(ROUND(amount * 100)) FROM finance_forecast
WHERE month >= %(forecast_from)s AND month <= %(year_end)s GROUP BY line_id
UNION ALL
SELECT 'ac', approval_id, SUM(pennies) FROM live WHERE approval_id IS NOT NULL GROUP BY approval_id
UNION ALL
SELECT 'as', approval_id, SUM(paid) FROM live WHERE approval_id IS NOT NULL GROUP BY approval_id
"""
LINE_FIGURES = {"b": "budget", "a": "actual", "c": "committed_open", "f": "forecast_remaining"}


def pounds(pennies) -> Decimal:
    return (Decimal(int(round(pennies))) / 100).quantize(rules.ZERO) if pennies is not None else rules.ZERO


@dataclass(frozen=True)
class LineRow:
    code: str
    name: str
    parent: str | None
    depth: int
    own: rules.Figures
    total: rules.Figures


@dataclass(frozen=True)
class ApprovalRow:
    reference: str
    line: str
    decision: str | None
    decision_pk: int | None
    approved_on: date
    figures: rules.ApprovalFigures


@dataclass(frozen=True)
class Position:
    as_at: date
    year: int
    lines: list[LineRow]
    approvals: list[ApprovalRow]

    @property
    def year_label(self) -> str:
        return rules.year_label(self.year)

    def line(self, code: str) -> LineRow:
        return next(row for row in self.lines if row.code == code)

    @property
    def roots(self) -> list[LineRow]:
        return [row for row in self.lines if row.parent is None]

    def to_json(self) -> dict:
        """The position as `pegasus finance position --json` prints it: every amount a string with 2 decimals."""
        return {
            "as_at": self.as_at.isoformat(),
            "year": self.year_label,
            "lines": [
                {"code": row.code, "name": row.name, "parent": row.parent}
                | {key: f"{value:.2f}" for key, value in row.total.as_dict().items()}
                for row in sorted(self.lines, key=lambda row: row.code)
            ],
            "approvals": [
                {
                    "id": row.reference,
                    "budget_line": row.line,
                    "decision": row.decision,
                    "approved": f"{row.figures.approved:.2f}",
                    "committed": f"{row.figures.committed:.2f}",
                    "spent": f"{row.figures.spent:.2f}",
                    "headroom": f"{row.figures.headroom:.2f}",
                }
                for row in self.approvals
            ],
        }


def _sums(as_at: date, year: int) -> dict[str, dict[str, Decimal]]:
    next_month = date(as_at.year + as_at.month // 12, as_at.month % 12 + 1, 1)
    params: dict[str, Any] = {
        "as_at": as_at,
        "year": year,
        "year_start": rules.year_start(year),
        "year_end": rules.year_end(year),
        "forecast_from": max(next_month, rules.year_start(year)),
    }
    sums: dict[str, dict[str, Decimal]] = {}
    with connection.cursor() as cursor:
        cursor.execute(POSITION_SQL, params)
        for kind, key, pennies in cursor.fetchall():
            sums.setdefault(kind, {})[key] = pounds(pennies)
    return sums


def _in_tree_order(parents: dict[str, str | None]) -> list[tuple[str, int]]:
    """Each code with its depth, parents before their children, siblings in code order."""
    children: dict[str | None, list[str]] = {}
    for code in sorted(parents):
        children.setdefault(parents[code], []).append(code)
    ordered: list[tuple[str, int]] = []
    stack = [(code, 0) for code in reversed(children.get(None, []))]
    while stack:
        code, depth = stack.pop()
        ordered.append((code, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(code, [])))
    return ordered


def position(*, as_at: date, year: int | None = None) -> Position:
    """Every budget line's figures (its own and rolled up) and every approval given by `as_at`, for `year` as at
    `as_at`."""
    year = rules.year_of(as_at) if year is None else year
    sums = _sums(as_at, year)
    names: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    for code, name, parent in BudgetLine.objects.order_by().values_list("code", "name", "parent_id"):
        names[code], parents[code] = name, str(parent) if parent is not None else None
    own = {
        code: rules.Figures(**{field: sums.get(kind, {}).get(code, rules.ZERO) for kind, field in LINE_FIGURES.items()})
        for code in parents
    }
    totals = rules.roll_up(parents, own)
    lines = [
        LineRow(code, names[code], parents[code], depth, own[code], totals[code])
        for code, depth in _in_tree_order(parents)
    ]
    approvals = [
        ApprovalRow(
            reference=a.reference,
            line=a.line_id,
            decision=a.decision.reference if a.decision else None,
            decision_pk=a.decision_id,
            approved_on=a.approved_on,
            figures=rules.ApprovalFigures(
                approved=a.amount,
                committed=sums.get("ac", {}).get(a.reference, rules.ZERO),
                spent=sums.get("as", {}).get(a.reference, rules.ZERO),
            ),
        )
        # An approval given after `as_at` had not been given then.
        for a in Approval.objects.filter(approved_on__lte=as_at).select_related("decision").order_by("reference")
    ]
    return Position(as_at=as_at, year=year, lines=lines, approvals=approvals)


# --- The ledgers, and the rows behind a figure ------------------------------------------------------------------------


def budget_lines() -> QuerySet[BudgetLine]:
    return BudgetLine.objects.order_by("code")


def budget_amounts() -> QuerySet[BudgetAmount]:
    return BudgetAmount.objects.order_by("line_id", "year")


def approvals() -> QuerySet[Approval]:
    return Approval.objects.select_related("decision").order_by("reference")


def commitments() -> QuerySet[Commitment]:
    return Commitment.objects.order_by("raised_on", "reference")


def actuals() -> QuerySet[Actual]:
    return Actual.objects.order_by("paid_on", "reference")


def forecasts() -> QuerySet[Forecast]:
    return Forecast.objects.order_by("line_id", "month")


def lines_under(code: str) -> list[str]:
    """The code of a line and of every line below it."""
    return rules.descendants(line_parents())[code]


def line_parents() -> dict[str, str | None]:
    """Each budget line's code with its parent's code (None for a top line)."""
    return {
        code: str(parent) if parent is not None else None
        for code, parent in BudgetLine.objects.values_list("code", "parent_id")
    }


def actuals_behind(*, codes: list[str], year: int, as_at: date) -> QuerySet[Actual]:
    """The actuals a line's actual is drawn from: paid from the start of the year to `as_at`."""
    return actuals().filter(line__code__in=codes, paid_on__gte=rules.year_start(year), paid_on__lte=as_at)


def monthly_profile(*, codes: list[str], year: int) -> list[dict]:
    """Month by month of the year: the budget's even share, the actual paid and the forecast, for the S-curve."""
    months = rules.year_months(year)
    paid = {m: rules.ZERO for m in months}
    for paid_on, amount in Actual.objects.filter(
        line__code__in=codes, paid_on__gte=rules.year_start(year), paid_on__lte=rules.year_end(year)
    ).values_list("paid_on", "amount"):
        paid[paid_on.replace(day=1)] += amount
    forecast = {m: rules.ZERO for m in months}
    for month, amount in Forecast.objects.filter(line__code__in=codes, month__in=months).values_list("month", "amount"):
        forecast[month] += amount
    budget = sum(
        (a for a in BudgetAmount.objects.filter(line__code__in=codes, year=year).values_list("amount", flat=True)),
        rules.ZERO,
    )
    return [
        {"month": m, "actual": paid[m], "forecast": forecast[m], "budget": (budget / 12).quantize(rules.ZERO)}
        for m in months
    ]


# --- Savings: what the contracts that replace others save in a financial year ------------------------------------


@dataclass(frozen=True)
class TowerSaving:
    tower: str  # the tower's name, or NO_TOWER for what the contract's shares leave unassigned
    saving: Decimal


@dataclass(frozen=True)
class Replacement:
    """An awarded contract against the estate contracts its procurement replaces, in one financial year."""

    contract: str
    contract_pk: int
    title: str
    supplier: str
    procurement: str
    replaces: list[str]
    replaced_annual_value: Decimal | None  # net of VAT; None when a replaced contract's value is not known
    annual_value: Decimal | None  # net of VAT; None when not known
    months_in_service: int
    saving: Decimal | None  # None when either side's value is not known: never guessed
    towers: list[TowerSaving]


@dataclass(frozen=True)
class Unknown:
    contract: str
    reason: str


@dataclass(frozen=True)
class ScenarioCost:
    name: str
    modelled_annual_cost: Decimal


@dataclass(frozen=True)
class Savings:
    year: int
    replacements: list[Replacement]
    by_tower: list[TowerSaving]
    total: Decimal
    unknown: list[Unknown]
    baseline_run_rate: Decimal
    baseline_unknown: list[str]  # contracts live at the start of the year whose annual value is not known
    scenario: ScenarioCost | None

    @property
    def year_label(self) -> str:
        return rules.year_label(self.year)

    @property
    def year_start(self) -> date:
        return rules.year_start(self.year)

    def to_json(self) -> dict:
        """The savings as `pegasus finance savings --json` prints them: every amount a string with 2 decimals."""

        def money(value: Decimal | None) -> str | None:
            return None if value is None else f"{value:.2f}"

        return {
            "year": self.year_label,
            "month_rule": rules.MONTH_RULE,
            "replacements": [
                {
                    "contract": r.contract,
                    "title": r.title,
                    "supplier": r.supplier,
                    "procurement": r.procurement,
                    "replaces": r.replaces,
                    "replaced_annual_value": money(r.replaced_annual_value),
                    "annual_value": money(r.annual_value),
                    "months_in_service": r.months_in_service,
                    "saving": money(r.saving),
                    "towers": [{"tower": t.tower, "saving": money(t.saving)} for t in r.towers],
                }
                for r in self.replacements
            ],
            "by_tower": [{"tower": t.tower, "saving": money(t.saving)} for t in self.by_tower],
            "total": money(self.total),
            "unknown": [{"contract": u.contract, "reason": u.reason} for u in self.unknown],
            "baseline_run_rate": money(self.baseline_run_rate),
            "baseline_unknown": self.baseline_unknown,
            "scenario": (
                {"name": self.scenario.name, "modelled_annual_cost": money(self.scenario.modelled_annual_cost)}
                if self.scenario
                else None
            ),
        }


NO_TOWER = "No tower (shares short of 100%)"
VALUE_NOT_KNOWN = "its annual value is not held (£0.00), so the saving of {contract} is not computed"
OWN_VALUE_NOT_KNOWN = "its own annual value is not held (£0.00), so its saving is not computed"


def net_annual_value(contract: Any) -> Decimal | None:
    """A contract's annual value net of VAT: as held when net, less VAT at the standard rate when held gross (a known
    conversion); None when no value is held (£0.00), which is unknown rather than free."""
    if not contract.annual_value:
        return None
    return Money(contract.annual_value, VatBasis(contract.vat_basis)).to_net(STANDARD_VAT_RATE).amount


def _end_as_at(contract: Any) -> Callable[[date], date]:
    return lambda day: estate_selectors.contract_end(contract, day)


def _replacement(procurement: Any, year: int, unknown: list[Unknown]) -> Replacement:
    new = procurement.awarded_contract
    replaced = list(procurement.replaces.all())
    values = []
    for old in replaced:
        value = net_annual_value(old)
        if value is None:
            unknown.append(Unknown(old.reference, VALUE_NOT_KNOWN.format(contract=new.reference)))
        values.append(value)
    replaced_value = None if None in values or not values else sum((v for v in values if v is not None), rules.ZERO)
    own = net_annual_value(new)
    if own is None:
        unknown.append(Unknown(new.reference, OWN_VALUE_NOT_KNOWN))
    months = rules.months_in_service(year, new.start_date, _end_as_at(new))
    saved = None if replaced_value is None or own is None else rules.saving(replaced_value, own, months)
    shares = [(share.tower.name, share.share_percent) for share in new.tower_shares.all()]
    towers = (
        [TowerSaving(tower or NO_TOWER, part) for tower, part in rules.split_by_shares(saved, shares)]
        if saved is not None
        else []
    )
    return Replacement(
        contract=new.reference,
        contract_pk=new.pk,
        title=new.title,
        supplier=new.supplier.name,
        procurement=procurement.reference,
        replaces=[old.reference for old in replaced],
        replaced_annual_value=replaced_value,
        annual_value=own,
        months_in_service=months,
        saving=saved,
        towers=towers,
    )


def _baseline(day: date) -> tuple[Decimal, list[str]]:
    """The annual value (net) of the estate's contracts live on `day` (started, and not ended before it), and the
    references of those live whose value is not known."""
    total, unknown = rules.ZERO, []
    for contract in estate_selectors.contracts_with_options():
        if not rules.in_service(contract.start_date, estate_selectors.contract_end(contract, day), day):
            continue
        value = net_annual_value(contract)
        if value is None:
            unknown.append(contract.reference)
        else:
            total += value
    return total, unknown


def _chosen_scenario() -> ScenarioCost | None:
    """The chosen sourcing scenario's modelled cost a year (prices, running its lots and hand-offs, as the scenario
    comparison shows it), or the sum of its lots' prices when it holds no model to cost them with."""
    scenario = sourcing_selectors.scenario_list().filter(chosen=True).first()
    if scenario is None:
        return None
    figures = sourcing_selectors.scenario_view(scenario).figures
    if figures is not None:
        return ScenarioCost(scenario.name, figures.total.quantize(rules.ZERO))
    return ScenarioCost(scenario.name, sum((lot.price for lot in scenario.lots.all()), rules.ZERO))


def savings(year: int) -> Savings:
    """For each contract a procurement awarded, the cashable saving in financial `year` against the contracts the
    procurement replaces: (their annual value - its own) x months of the year it is in service (`rules.MONTH_RULE`)
    / 12, split over its towers by their shares; summed by tower and in total. A contract whose annual value is not
    known is named in `unknown` and its replacement's saving left uncomputed (None). Beside them, the estate's run
    rate on 1 April of the year and the chosen sourcing scenario's modelled annual cost. All figures net of VAT."""
    unknown: list[Unknown] = []
    replacements = [_replacement(p, year, unknown) for p in procurement_selectors.awarded_replacements()]
    by_tower: dict[str, Decimal] = {}
    for replacement in replacements:
        for part in replacement.towers:
            by_tower[part.tower] = by_tower.get(part.tower, rules.ZERO) + part.saving
    baseline, baseline_unknown = _baseline(rules.year_start(year))
    return Savings(
        year=year,
        replacements=replacements,
        by_tower=[
            TowerSaving(tower, saved) for tower, saved in sorted(by_tower.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        total=sum((r.saving for r in replacements if r.saving is not None), rules.ZERO),
        unknown=unknown,
        baseline_run_rate=baseline,
        baseline_unknown=baseline_unknown,
        scenario=_chosen_scenario(),
    )


# --- For the pages: each commitment behind a figure with what has been paid against it ------------------------------


@dataclass(frozen=True)
class CommitmentBehind:
    """A commitment that counts as at a day, with what has been paid against it by then (in any year)."""

    commitment: Commitment
    paid: Decimal

    @property
    def open(self) -> Decimal:
        """What it adds to its line's committed_open."""
        return rules.open_amount(self.commitment.amount, self.paid)


def commitments_paid_behind(
    *, as_at: date, codes: list[str] | None = None, approval: str | None = None
) -> list[CommitmentBehind]:
    """The commitments that count on `as_at` on the lines `codes` (or under `approval`), each with what was paid
    against it on or before `as_at`: the rows a line's committed_open, or an approval's committed and spent, sum.
    Two queries; paid summed in Python, as exactly on SQLite as on PostgreSQL."""
    rows = commitments().filter(raised_on__lte=as_at).exclude(cancelled_on__lte=as_at).select_related("approval")
    if codes is not None:
        rows = rows.filter(line__code__in=codes)
    if approval is not None:
        rows = rows.filter(approval_id=approval)
    found = list(rows)
    paid: dict[str, Decimal] = {c.reference: rules.ZERO for c in found}
    for reference, amount in Actual.objects.filter(commitment_id__in=list(paid), paid_on__lte=as_at).values_list(
        "commitment_id", "amount"
    ):
        paid[str(reference)] += amount
    return [CommitmentBehind(c, paid[c.reference]) for c in found]
