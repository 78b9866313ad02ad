"""Every read the procurement pages need: procurements with their deadline, schedule, value and notices."""

from __future__ import annotations  # the field `ProcurementRow.schedule` is typed from the module `schedule`

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet

from pegasus.core.money import VatBasis
from pegasus.core.roles import INTERNAL_ROLES, has_role
from pegasus.estate import selectors as estate_selectors
from pegasus.procurement import rules, schedule
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
