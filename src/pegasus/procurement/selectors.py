"""Every read the procurement pages need: procurements with their deadline, schedule, value and notices."""

from __future__ import annotations  # the field `ProcurementRow.schedule` is typed from the module `schedule`

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet

from pegasus.core.calendar import term_end
from pegasus.core.money import VatBasis
from pegasus.core.roles import INTERNAL_ROLES, has_role
from pegasus.estate import selectors as estate_selectors
from pegasus.procurement import rules, schedule, schedule_risk
from pegasus.procurement.law import Authority, ContractType, RuleInputError
from pegasus.procurement.models import Procurement, Stage
from pegasus.sourcing import selectors as sourcing_selectors

# A stage whose latest start falls within this many days of the as-at date is flagged as near.
NEAR_DAYS = 30


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    scheduled: schedule.ScheduledStage

    @property
    def editable(self) -> bool:
        return self.scheduled.template.counting is not schedule.Counting.STANDSTILL


@dataclass(frozen=True)
class Flag:
    kind: str  # "passed" or "near"
    stage: str
    latest_start: date

    @property
    def text(self) -> str:
        verb = "passed" if self.kind == "passed" else "is near"
        return f"Latest start {verb}: {self.stage.lower()} must start by {self.latest_start:%d %b %Y}"


@dataclass
class ProcurementRow:
    procurement: Procurement
    contracts: list[Any]  # estate Contracts
    replaces_end: date | None = None
    deadline_contract: str = ""
    schedule: schedule.Schedule | None = None
    stages: list[StageRow] = field(default_factory=list)
    value: rules.EstimatedValue | None = None
    notices: tuple[rules.Notice, ...] = ()
    flag: Flag | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def go_to_market(self) -> date | None:
        """The planned day of the first tender, contract or transparency notice."""
        market = self.schedule.market_stage if self.schedule else None
        return market.planned_start if market else None

    @property
    def go_to_market_latest(self) -> date | None:
        """The latest day of that same notice for the new contract to start when the old one ends."""
        market = self.schedule.market_stage if self.schedule else None
        return market.latest_start if market else None

    def stage(self, kind: str) -> StageRow | None:
        return next((row for row in self.stages if row.stage.kind == kind), None)


def procurements_visible_to(user) -> QuerySet[Procurement]:
    """Staff of the authority see every procurement; supplier users and anyone else none."""
    if has_role(user, *INTERNAL_ROLES):
        return Procurement.objects.all()
    return Procurement.objects.none()


def _with_relations(queryset: QuerySet[Procurement]) -> QuerySet[Procurement]:
    return queryset.select_related("replaces_end_option").prefetch_related(
        Prefetch("replaces", queryset=estate_selectors.contracts_with_options()),
        Prefetch("stages", queryset=Stage.objects.order_by("position")),
    )


def replaced_contracts(procurement: Procurement, contracts: list[Any], as_at: date) -> list[rules.ReplacedContract]:
    """The replaced contracts as the end rule sees them: current end as at, plus the named option (and the
    available options before it) when the procurement is scheduled to the end with an option."""
    chosen = procurement.replaces_end_option
    out = []
    for contract in contracts:
        options = list(contract.options.all())
        months: tuple[int, ...] = ()
        if chosen is not None and chosen.contract_id == contract.pk:
            months = tuple(o.length_months for o in options if o.sequence <= chosen.sequence and o.state == "available")
        current_end = estate_selectors.contract_current_end(contract, options, as_at)
        out.append(rules.ReplacedContract(contract.reference, current_end, months))
    return out


def _flag(planned: schedule.Schedule, as_at: date) -> Flag | None:
    """The first stage not yet started whose latest start has passed, else the first whose latest start is near."""
    waiting = [st for st in planned.stages if st.planned_start >= as_at]
    for st in waiting:
        if st.latest_start < as_at:
            return Flag("passed", st.template.name, st.latest_start)
    for st in waiting:
        if st.latest_start <= as_at + timedelta(days=NEAR_DAYS):
            return Flag("near", st.template.name, st.latest_start)
    return None


def procurement_row(procurement: Procurement, as_at: date) -> ProcurementRow:
    """A procurement with its deadline, schedule, stages, value and notices, computed as at `as_at`."""
    contracts = list(procurement.replaces.all())
    row = ProcurementRow(procurement, contracts)
    stages = list(procurement.stages.all())
    try:
        row.value = rules.estimated_value(
            starts_on=procurement.starts_on,
            annual_value=procurement.annual_value,
            annual_basis=VatBasis(procurement.value_vat_basis),
            term_months=procurement.term_months,
            extension_months=procurement.extension_months,
            authority=Authority(procurement.authority_kind),
            contract_type=ContractType(procurement.contract_type),
        )
        row.notices = rules.required_notices(schedule.Route(procurement.route), row.value)
    except RuleInputError as exc:
        row.problems.append(str(exc).partition(": ")[2] or str(exc))
    if not contracts:
        row.problems.append("It replaces no contract yet, so it has no deadline to schedule back from.")
        return row
    row.replaces_end, row.deadline_contract = rules.replaced_end(replaced_contracts(procurement, contracts, as_at))
    durations = {st.kind: st.days for st in stages if st.days is not None}
    try:
        row.schedule = schedule.procurement_schedule(
            replaces_end=row.replaces_end,
            route=schedule.Route(procurement.route),
            regime=procurement.regime,
            as_at=as_at,
            start=procurement.starts_on,
            durations=durations,
        )
    except schedule.ScheduleInputError as exc:
        row.problems.append(str(exc).partition(": ")[2] or str(exc))
        return row
    by_kind = {st.kind: st for st in stages}
    row.stages = [
        StageRow(by_kind[sch.template.key], sch) for sch in row.schedule.stages if sch.template.key in by_kind
    ]
    row.flag = _flag(row.schedule, as_at)
    return row


def procurement_list(*, user, as_at: date) -> list[ProcurementRow]:
    """Every procurement the user may see, each with its schedule, in order of start."""
    return [procurement_row(p, as_at) for p in _with_relations(procurements_visible_to(user))]


def procurement_get(*, user, pk: int) -> Procurement:
    """One procurement with its relations; raises Procurement.DoesNotExist when the user may not see it."""
    return (
        _with_relations(procurements_visible_to(user))
        .select_related("replaces_lot__scenario", "awarded_contract__supplier")
        .prefetch_related("tenders", "replaces_lot__towers")
        .get(pk=pk)
    )


def procurements() -> QuerySet[Procurement]:
    """Every procurement of the pipeline, unscoped: for the other domains' reads that link to one."""
    return Procurement.objects.all()


def stages_by_procurement() -> QuerySet[Stage]:
    """Every stage of every procurement with its procurement, by procurement reference then position: for the
    programme's milestones, which may be tied to one."""
    return Stage.objects.select_related("procurement").order_by("procurement__reference", "position")


def contract_choices() -> QuerySet[Any]:
    return estate_selectors.contracts_by_reference()


def lot_choices(current: int | None = None) -> QuerySet[Any]:
    """Lots of the chosen sourcing scenario, and the lot a procurement already buys (if its scenario is no longer
    the chosen one), with their towers."""
    return sourcing_selectors.lot_choices(current)


def lot_label(lot: Any) -> str:
    towers = ", ".join(sorted(t.name for t in lot.towers.all()))
    return f"Lot {lot.position} of {lot.scenario.name}: {towers}"


def option_choices() -> QuerySet[Any]:
    return estate_selectors.options_not_lapsed()


def awarded_contract_choices() -> QuerySet[Any]:
    """The contracts a procurement may record as the one it awarded: every contract, by reference."""
    return estate_selectors.contracts_by_reference()


def awarded_replacements() -> QuerySet[Procurement]:
    """Every procurement that has awarded its contract, by the awarded contract's reference: the awarded contract with
    its supplier, tower shares and options, and the contracts it replaces with their options (four queries)."""
    return (
        Procurement.objects.filter(awarded_contract__isnull=False)
        .select_related("awarded_contract__supplier")
        .prefetch_related(
            "awarded_contract__options",
            "awarded_contract__tower_shares__tower",
            Prefetch("replaces", queryset=estate_selectors.contracts_with_options()),
        )
        .order_by("awarded_contract__reference")
    )


# --- For publication ---


def procurements_with_replaced() -> QuerySet[Procurement]:
    """Every procurement in reference order with what `procurement_row` reads: the option it is scheduled to end
    with, the contracts it replaces with their authority and options, and its stages."""
    return (
        Procurement.objects.order_by("reference")
        .select_related("replaces_end_option")
        .prefetch_related("replaces__authority", "replaces__options", "stages")
    )


# --- Schedule risk ---

# Iterations of a page's simulation: P80 to within about a day on the demo's procurements, in a few milliseconds.
RISK_ITERATIONS = 20_000
# The confidence a board wants of a replacement being in place in time, and the percentile it is read from.
RISK_CONFIDENCE = 80


@dataclass(frozen=True)
class StageRiskRow:
    """One stage of the simulation: its planned span in calendar days and what it is drawn from."""

    kind: str
    name: str
    planned_days: int
    estimate: schedule_risk.StageEstimate
    has_estimate: bool
    correlation: float
    stage_pk: int | None = None


@dataclass(frozen=True)
class IncumbentRisk:
    """A replaced contract against its replacement's start: the odds of being in place by its ends, and what to
    decide by when."""

    contract: Any  # an estate Contract
    current_end: date
    maximum_end: date | None  # None: tacit renewal without a limit
    decision_due: date | None  # notice before the current end (the estate's next decision)
    in_time_current: float  # share of iterations starting on or before the day after the current end
    in_time_maximum: float | None
    extension_months: int  # to cover the P80 start; 0 when the current end covers it
    extended_end: date | None  # the end with that extension
    options_cover: bool  # the options left reach that far
    latest_start: date  # the latest first-stage start for 80% confidence of being in place by the current end

    @property
    def reference(self) -> str:
        return self.contract.reference

    @property
    def red(self) -> bool:
        return self.in_time_current * 100 < RISK_CONFIDENCE

    @property
    def late_current(self) -> float:
        return 1 - self.in_time_current

    @property
    def late_maximum(self) -> float | None:
        return None if self.in_time_maximum is None else 1 - self.in_time_maximum

    @property
    def in_time_current_text(self) -> str:
        return schedule_risk.chance_text(self.in_time_current)

    @property
    def late_current_text(self) -> str:
        return schedule_risk.chance_text(self.late_current)

    @property
    def in_time_maximum_text(self) -> str:
        return "" if self.in_time_maximum is None else schedule_risk.chance_text(self.in_time_maximum)

    @property
    def late_maximum_text(self) -> str:
        return "" if self.late_maximum is None else schedule_risk.chance_text(self.late_maximum)

    @property
    def has_options_left(self) -> bool:
        return self.maximum_end is None or self.maximum_end > self.current_end


@dataclass
class ScheduleRisk:
    """A procurement's schedule risk as at a day: when its new contract is likely to start, against every contract
    it replaces, the first to end first."""

    row: ProcurementRow
    simulation: schedule_risk.Simulation
    stages: list[StageRiskRow]
    incumbents: list[IncumbentRisk]
    iterations: int
    seed: int

    @property
    def procurement(self) -> Procurement:
        return self.row.procurement

    @property
    def first(self) -> IncumbentRisk:
        return self.incumbents[0]

    @property
    def p50(self) -> date:
        return self.simulation.p50

    @property
    def p80(self) -> date:
        return self.simulation.p80

    @property
    def p90(self) -> date:
        return self.simulation.p90

    @property
    def planned_start(self) -> date:
        """The new contract's start with every stage at its planned span."""
        return self.simulation.start + timedelta(days=sum(s.planned_days for s in self.stages))

    @property
    def uncertain(self) -> bool:
        return any(s.has_estimate for s in self.stages)

    @property
    def shift_days(self) -> int:
        """Days the first stage's start may move (negative: must move earlier) for 80% confidence by the first
        current end."""
        return (self.first.latest_start - self.simulation.start).days

    @property
    def shift_days_abs(self) -> int:
        return abs(self.shift_days)

    @property
    def main_driver(self) -> schedule_risk.Driver | None:
        top = self.simulation.drivers[0] if self.simulation.drivers else None
        return top if top is not None and top.correlation > 0 else None


def _risk_stages(row: ProcurementRow, as_at: date) -> list[tuple[StageRiskRow, schedule_risk.StageEstimate]]:
    """The stages one after another as the simulation takes them: each planned stage's span in calendar days (from
    the day after its predecessor's planned end to its own), or its three-point estimate; a statutory period's
    minimum as the floor. A stage that had actually ended by `as_at` is no longer uncertain: it takes the span it
    actually took (to its actual end from the end of the stage before it, actual where that has ended too). The
    incumbent's exit runs beside mobilisation and does not hold up the new contract."""
    assert row.schedule is not None
    by_kind = {st.kind: st for st in row.procurement.stages.all()}
    previous_end = row.schedule.start - timedelta(days=1)
    previous_actual_end = previous_end
    out = []
    for scheduled in row.schedule.stages:
        template = scheduled.template
        if template.parallel:
            continue
        span = (scheduled.planned_end - previous_end).days
        previous_end = scheduled.planned_end
        stage = by_kind.get(template.key)
        if stage is not None and stage.actual_end is not None and stage.actual_end <= as_at:
            taken = max(0, (stage.actual_end - previous_actual_end).days)
            previous_actual_end = stage.actual_end
            estimate = schedule_risk.StageEstimate.fixed(template.name, taken, None)
            out.append((StageRiskRow(template.key, template.name, taken, estimate, False, 0.0, stage.pk), estimate))
            continue
        previous_actual_end += timedelta(days=span)
        if template.counting is schedule.Counting.STANDSTILL:
            minimum: float | None = span  # set by law: a challenge may lengthen it, nothing shortens it
        else:
            minimum = template.minimum
        if stage is not None and stage.has_estimate:
            estimate = schedule_risk.StageEstimate(
                template.name,
                float(stage.optimistic_days),
                float(stage.most_likely_days),
                float(stage.pessimistic_days),
                stage.distribution,
                minimum,
            )
        else:
            estimate = schedule_risk.StageEstimate.fixed(template.name, span, minimum)
        has_estimate = stage is not None and stage.has_estimate
        out.append(
            (
                StageRiskRow(
                    template.key, template.name, span, estimate, has_estimate, 0.0, stage.pk if stage else None
                ),
                estimate,
            )
        )
    return out


def _incumbent_risk(contract: Any, sim: schedule_risk.Simulation, as_at: date) -> IncumbentRisk:
    options = list(contract.options.all())
    ends = estate_selectors.contract_row(contract, as_at, contract.terms(options))
    one_day = timedelta(days=1)
    # The new contract is in place in time when it starts on or before the day after the old one ends.
    p80 = sim.percentile(RISK_CONFIDENCE)
    needed_end = max(ends.current_end, p80 - one_day)
    months = schedule_risk.extension_months(ends.current_end, needed_end)
    return IncumbentRisk(
        contract=contract,
        current_end=ends.current_end,
        maximum_end=ends.maximum_end,
        decision_due=ends.decision.due if ends.decision else None,
        in_time_current=sim.share_by(ends.current_end + one_day),
        in_time_maximum=sim.share_by(ends.maximum_end + one_day) if ends.maximum_end else None,
        extension_months=months,
        extended_end=term_end(ends.current_end + one_day, months) if months else None,
        options_cover=ends.maximum_end is None or ends.maximum_end >= needed_end,
        latest_start=sim.latest_start_for(ends.current_end + one_day, RISK_CONFIDENCE),
    )


def schedule_risk_of(
    procurement: Procurement, as_at: date, *, iterations: int = RISK_ITERATIONS, seed: int | None = None
) -> ScheduleRisk | None:
    """The procurement's schedule risk as at `as_at` (None when it has no schedule: it replaces no contract, or its
    route cannot be scheduled). The seed is the procurement's own (its pk) unless given: the same page shows the
    same odds every time."""
    row = procurement_row(procurement, as_at)
    if row.schedule is None:
        return None
    pairs = _risk_stages(row, as_at)
    seed = procurement.pk if seed is None else seed
    sim = schedule_risk.simulate([e for _, e in pairs], start=row.schedule.start, iterations=iterations, seed=seed)
    correlation = {d.name: d.correlation for d in sim.drivers}
    stages = [replace(r, correlation=correlation.get(r.name, 0.0)) for r, _ in pairs]
    incumbents = sorted(
        (_incumbent_risk(c, sim, as_at) for c in row.contracts), key=lambda i: (i.current_end, i.reference)
    )
    return ScheduleRisk(row, sim, stages, incumbents, iterations, seed)


def schedule_risks(*, user, as_at: date) -> list[ScheduleRisk]:
    """The schedule risk of every procurement the user may see that has a schedule and has not awarded yet."""
    queryset = _with_relations(procurements_visible_to(user)).filter(awarded_contract__isnull=True)
    risks = (schedule_risk_of(p, as_at) for p in queryset)
    return [r for r in risks if r is not None]


def replacement_risks(contract: Any, *, as_at: date) -> list[tuple[ScheduleRisk, IncumbentRisk]]:
    """For a contract of the estate, each procurement replacing it that has not awarded yet, with the odds that its
    new contract is in place before this contract's current and maximum ends."""
    queryset = _with_relations(Procurement.objects.filter(replaces=contract, awarded_contract__isnull=True))
    out = []
    for procurement in queryset:
        risk = schedule_risk_of(procurement, as_at)
        if risk is None:
            continue
        mine = next((i for i in risk.incumbents if i.contract.pk == contract.pk), None)
        if mine is not None:
            out.append((risk, mine))
    return out
