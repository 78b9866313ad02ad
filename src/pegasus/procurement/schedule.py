"""Backward scheduling of a re-procurement: the latest each stage can start so the new contract starts the day after
the old one ends. No Django.

A route to market is a chain of stages with default durations. Working backwards from the end of the contract
being replaced, each stage's latest end is the day before its successor's latest start, and its latest start
follows from its duration and how that duration is counted:

- `calendar`: n calendar days, the start day included (requirements, mobilisation...).
- `working`: n working days in England and Wales, the start day included (contract signature, the award notice).
- `time-limit`: a statutory minimum time limit of n days "from" a notice: the deadline is n calendar days after
  the notice, and falls on a working day (a deadline due on a weekend or bank holiday moves to the next working
  day: Regulation (EEC, Euratom) No 1182/71 art 3(4), which PCR 2015 periods follow, and practice under the
  Procurement Act 2023).
- `standstill`: the statutory standstill after the award notice, by `pegasus.procurement.law.standstill_end`
  (PCR 2015 reg 87: 10 calendar days after the notice is sent electronically, ending on a working day; Procurement
  Act 2023 s51: 8 working days beginning with the day the contract award notice is published).

Every stage starts on a working day (people send notices and start work on working days). The last stages end on
the contract end date itself. With a planned start, stages are also scheduled forwards, each as early as
possible; a stage's slack is its latest start less its planned start, in calendar days, and it is at risk when
that slack is negative (the latest start has passed). Without a planned start, the plan starts on the as-at
date (today).

Default tender periods are the statutory minimums with electronic tendering and no reductions for a prior
information notice, a qualifying planned procurement notice or urgency; users may lengthen any stage, never
shorten a statutory period below its minimum.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from pegasus.core.calendar import add_working_days, is_working_day
from pegasus.core.exceptions import InputError
from pegasus.procurement.law import PA2023_COMMENCEMENT, Regime, regime_on, standstill_end

ONE_DAY = timedelta(days=1)

# The stages opened by the notice that takes a procurement to market (a contract, tender or transparency notice).
MARKET_NOTICE_STAGES = frozenset({"participation-period", "tender-period", "transparency-notice"})


class ScheduleInputError(InputError):
    """A schedule the rules cannot draw; the message starts with the option at fault."""


class Route(StrEnum):
    OPEN = "open"
    RESTRICTED = "restricted"
    COMPETITIVE_DIALOGUE = "competitive-dialogue"
    COMPETITIVE_WITH_NEGOTIATION = "competitive-procedure-with-negotiation"
    COMPETITIVE_FLEXIBLE = "competitive-flexible"
    FRAMEWORK_CALL_OFF = "framework-call-off"
    DIRECT_AWARD = "direct-award"


class Counting(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"
    TIME_LIMIT = "time-limit"
    STANDSTILL = "standstill"


@dataclass(frozen=True)
class StageTemplate:
    key: str
    name: str
    days: int
    counting: Counting
    minimum: int | None = None  # statutory minimum, in the same counting
    basis: str = ""  # the law or practice the duration rests on
    notice: str | None = None  # the notice that opens the stage
    parallel: bool = False  # runs beside the stage before it, ending on the same date (incumbent exit)


# --- Stages shared by every route ---------------------------------------------------------------------------

REQUIREMENTS = StageTemplate("requirements", "Requirements", 90, Counting.CALENDAR, basis="practice")
GOVERNANCE = StageTemplate(
    "governance-approval",
    "Governance approval",
    30,
    Counting.CALENDAR,
    basis="scheme of delegation: award decision signed before the award notice",
)
SIGNATURE = StageTemplate("contract-signature", "Contract signature", 5, Counting.WORKING, basis="practice")
MOBILISATION = StageTemplate(
    "mobilisation", "Mobilisation and transition", 90, Counting.CALENDAR, basis="practice; ends with the old contract"
)
EXIT = StageTemplate(
    "incumbent-exit",
    "Incumbent exit",
    90,
    Counting.CALENDAR,
    basis="the outgoing contract's exit plan; runs beside mobilisation",
    parallel=True,
)


def _engagement(regime: Regime) -> StageTemplate:
    if regime is Regime.PCR2015:
        # PCR 2015 reg 40 (preliminary market consultations), with reg 41 on prior involvement of candidates.
        return StageTemplate(
            "market-engagement", "Market engagement", 60, Counting.CALENDAR, basis="PCR 2015 reg 40-41"
        )
    # PA 2023 s16 (preliminary market engagement) and s17 (preliminary market engagement notice, UK2).
    return StageTemplate(
        "market-engagement",
        "Market engagement",
        60,
        Counting.CALENDAR,
        basis="Procurement Act 2023 s16-17",
        notice="UK2 preliminary market engagement notice",
    )


def _award(regime: Regime, call_off: bool) -> tuple[StageTemplate, ...]:
    if regime is Regime.PCR2015:
        # PCR 2015 reg 86: notices of the award decision to every candidate and tenderer, sent electronically.
        notice = StageTemplate(
            "award-notice",
            "Award notice",
            1,
            Counting.WORKING,
            basis="PCR 2015 reg 86",
            notice="award decision notices",
        )
        # PCR 2015 reg 87(2) and (4); not mandatory for a call-off under a framework (reg 87(1) read with the
        # Remedies Directive art 2b(c)) but observed voluntarily to protect the award from ineffectiveness.
        basis = "PCR 2015 reg 87" + (" (voluntary for a call-off)" if call_off else "")
    else:
        # PA 2023 s50: contract award notice (UK6) before entering into the contract.
        notice = StageTemplate(
            "award-notice",
            "Award notice",
            1,
            Counting.WORKING,
            basis="Procurement Act 2023 s50",
            notice="UK6 contract award notice",
        )
        # PA 2023 s51(1)-(2): eight working days beginning with the day the UK6 notice is published;
        # s51(3) makes it voluntary for a call-off under a framework.
        basis = "Procurement Act 2023 s51" + (" (voluntary for a call-off)" if call_off else "")
    standstill = StageTemplate("standstill", "Standstill", 0, Counting.STANDSTILL, basis=basis)
    return notice, standstill


def _procedure(regime: Regime, route: Route) -> tuple[StageTemplate, ...]:
    """The stages between market engagement and governance approval, with their statutory minimums."""
    selection = StageTemplate("selection", "Selection (shortlisting)", 14, Counting.CALENDAR, basis="practice")
    evaluation = StageTemplate("evaluation", "Evaluation and moderation", 30, Counting.CALENDAR, basis="practice")
    if regime is Regime.PCR2015:
        # PCR 2015 reg 28(2), reg 29 and reg 30: 30 days from the contract notice for requests to participate.
        def requests_to_participate(reg: str) -> StageTemplate:
            return StageTemplate(
                "participation-period",
                "Requests to participate",
                30,
                Counting.TIME_LIMIT,
                minimum=30,
                basis=f"PCR 2015 {reg}",
                notice="contract notice (reg 49)",
            )

        if route is Route.OPEN:
            # PCR 2015 reg 27(2): 35 days from the contract notice; reg 27(6): 5 days fewer when tenders may be
            # submitted electronically (reg 22).
            tender = StageTemplate(
                "tender-period",
                "Tender period",
                30,
                Counting.TIME_LIMIT,
                minimum=30,
                basis="PCR 2015 reg 27(2) and (6)",
                notice="contract notice (reg 49)",
            )
            return tender, evaluation
        if route is Route.RESTRICTED:
            # PCR 2015 reg 28(3): 30 days from the invitation to tender; reg 28(6): 5 days fewer electronically.
            tender = StageTemplate(
                "tender-period",
                "Tender period",
                25,
                Counting.TIME_LIMIT,
                minimum=25,
                basis="PCR 2015 reg 28(3) and (6)",
                notice="invitation to tender",
            )
            return requests_to_participate("reg 28(2)"), selection, tender, evaluation
        if route is Route.COMPETITIVE_WITH_NEGOTIATION:
            # PCR 2015 reg 29: initial tenders 30 days from the invitation, with the reg 28 electronic reduction.
            tender = StageTemplate(
                "tender-period",
                "Initial tenders",
                25,
                Counting.TIME_LIMIT,
                minimum=25,
                basis="PCR 2015 reg 29 (reg 28(6) reduction)",
                notice="invitation to tender",
            )
            negotiation = StageTemplate(
                "negotiation", "Negotiation and final tenders", 60, Counting.CALENDAR, basis="PCR 2015 reg 29"
            )
            return requests_to_participate("reg 29"), selection, tender, negotiation, evaluation
        if route is Route.COMPETITIVE_DIALOGUE:
            # PCR 2015 reg 30: 30 days for requests to participate; no statutory minimum for dialogue or final
            # tenders.
            dialogue = StageTemplate("dialogue", "Dialogue", 90, Counting.CALENDAR, basis="PCR 2015 reg 30")
            final = StageTemplate("tender-period", "Final tenders", 30, Counting.CALENDAR, basis="PCR 2015 reg 30")
            return requests_to_participate("reg 30"), selection, dialogue, final, evaluation
        if route is Route.FRAMEWORK_CALL_OFF:
            # PCR 2015 reg 33(11)(b): a time limit "sufficiently long" for each call-off; no fixed minimum.
            competition = StageTemplate(
                "tender-period", "Further competition", 14, Counting.CALENDAR, basis="PCR 2015 reg 33(11)"
            )
            return competition, replace(evaluation, days=14)
    else:
        if route is Route.OPEN:
            # PA 2023 s54(4): tendering period of at least 25 days where tenders are submitted electronically and
            # the tender documents are available with the tender notice (UK4, s21).
            tender = StageTemplate(
                "tender-period",
                "Tender period",
                25,
                Counting.TIME_LIMIT,
                minimum=25,
                basis="Procurement Act 2023 s54(4)",
                notice="UK4 tender notice",
            )
            return tender, evaluation
        if route is Route.COMPETITIVE_FLEXIBLE:
            # PA 2023 s54(3): participation period of at least 25 days (10 only on urgency or for light-touch
            # contracts); s54(4): tendering period of at least 25 days with electronic tenders.
            participation = StageTemplate(
                "participation-period",
                "Participation period",
                25,
                Counting.TIME_LIMIT,
                minimum=25,
                basis="Procurement Act 2023 s54(3)",
                notice="UK4 tender notice",
            )
            tender = StageTemplate(
                "tender-period",
                "Tender period",
                25,
                Counting.TIME_LIMIT,
                minimum=25,
                basis="Procurement Act 2023 s54(4)",
                notice="invitation to tender",
            )
            negotiation = StageTemplate(
                "negotiation", "Negotiation and refinement", 45, Counting.CALENDAR, basis="Procurement Act 2023 s20"
            )
            return participation, selection, tender, negotiation, evaluation
        if route is Route.FRAMEWORK_CALL_OFF:
            # PA 2023 s46: a competitive selection process under the framework; s54 sets no minimum for it.
            competition = StageTemplate(
                "tender-period", "Competitive selection", 14, Counting.CALENDAR, basis="Procurement Act 2023 s46"
            )
            return competition, replace(evaluation, days=14)
        if route is Route.DIRECT_AWARD:
            # PA 2023 s41 and Schedule 5 grounds; s44: a transparency notice (UK5) before the award.
            negotiation = StageTemplate(
                "negotiation", "Negotiation with the supplier", 30, Counting.CALENDAR, basis="Procurement Act 2023 s41"
            )
            transparency = StageTemplate(
                "transparency-notice",
                "Transparency notice",
                1,
                Counting.WORKING,
                basis="Procurement Act 2023 s44",
                notice="UK5 transparency notice",
            )
            return negotiation, transparency
    raise ScheduleInputError(f"--route: {route.value} is not a {regime.value} route ({', '.join(routes_for(regime))})")


ROUTES: Mapping[Regime, tuple[Route, ...]] = {
    Regime.PCR2015: (
        Route.OPEN,
        Route.RESTRICTED,
        Route.COMPETITIVE_DIALOGUE,
        Route.COMPETITIVE_WITH_NEGOTIATION,
        Route.FRAMEWORK_CALL_OFF,
    ),
    Regime.PA2023: (Route.OPEN, Route.COMPETITIVE_FLEXIBLE, Route.FRAMEWORK_CALL_OFF, Route.DIRECT_AWARD),
}


def routes_for(regime: Regime) -> tuple[str, ...]:
    return tuple(r.value for r in ROUTES[regime])


def route_stages(regime: Regime, route: Route) -> tuple[StageTemplate, ...]:
    """The default stages of a route to market under a regime, in order."""
    if route not in ROUTES[regime]:
        raise ScheduleInputError(
            f"--route: {route.value} is not a {regime.value} route ({', '.join(routes_for(regime))})"
        )
    call_off = route is Route.FRAMEWORK_CALL_OFF
    return (
        REQUIREMENTS,
        _engagement(regime),
        *_procedure(regime, route),
        GOVERNANCE,
        *_award(regime, call_off),
        SIGNATURE,
        MOBILISATION,
        EXIT,
    )


# --- Day arithmetic for one stage ---------------------------------------------------------------------------


def _working_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def _working_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += ONE_DAY
    return day


def _lag(stage: StageTemplate, regime: Regime) -> int:
    """Days between the predecessor's end and this stage's start: a PA 2023 standstill begins on the notice day."""
    return 0 if stage.counting is Counting.STANDSTILL and regime is Regime.PA2023 else 1


def _backward(stage: StageTemplate, regime: Regime, latest_end: date) -> tuple[date, date]:
    """The latest (start, end) of a stage that must end by `latest_end`."""
    # A stage may take all the time up to its latest end: starting on a working day earlier gives it more.
    if stage.counting is Counting.CALENDAR:
        return _working_on_or_before(latest_end - timedelta(days=stage.days - 1)), latest_end
    if stage.counting is Counting.WORKING:
        end = _working_on_or_before(latest_end)
        return add_working_days(end, -(stage.days - 1)), end
    if stage.counting is Counting.TIME_LIMIT:
        # The latest deadline is the last working day by `latest_end`; the notice goes at least n days before.
        deadline = _working_on_or_before(latest_end)
        return _working_on_or_before(deadline - timedelta(days=stage.days)), deadline
    # The latest award notice day whose standstill ends by `latest_end`; standstill_end never decreases with it.
    notice = _working_on_or_before(latest_end)
    while standstill_end(regime, notice) > latest_end:
        notice = _working_on_or_before(notice - ONE_DAY)
    return notice + timedelta(days=_lag(stage, regime)), standstill_end(regime, notice)


def _deadline(start: date, days: int) -> date:
    return _working_on_or_after(start + timedelta(days=days))


def _forward(stage: StageTemplate, regime: Regime, earliest: date) -> tuple[date, date]:
    """The earliest (start, end) of a stage that may start on `earliest` (already a working day for most stages)."""
    if stage.counting is Counting.STANDSTILL:
        notice = earliest - timedelta(days=_lag(stage, regime))
        return earliest, standstill_end(regime, notice)
    start = _working_on_or_after(earliest)
    if stage.counting is Counting.CALENDAR:
        return start, start + timedelta(days=stage.days - 1)
    if stage.counting is Counting.WORKING:
        return start, add_working_days(start, stage.days - 1)
    return start, _deadline(start, stage.days)


# --- The schedule -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledStage:
    template: StageTemplate
    latest_start: date
    latest_end: date
    planned_start: date
    planned_end: date

    @property
    def slack_days(self) -> int:
        return (self.latest_start - self.planned_start).days

    @property
    def at_risk(self) -> bool:
        return self.slack_days < 0


@dataclass(frozen=True)
class Schedule:
    regime: Regime
    route: Route
    replaces_end: date
    start: date  # the planned start: --start, or the as-at date
    start_given: bool
    stages: tuple[ScheduledStage, ...]
    warnings: tuple[str, ...]

    @property
    def contract_start(self) -> date:
        return self.replaces_end + ONE_DAY

    @property
    def latest_start(self) -> date:
        return self.stages[0].latest_start

    @property
    def slack_days(self) -> int:
        return min(s.slack_days for s in self.stages)

    @property
    def at_risk(self) -> bool:
        return any(s.at_risk for s in self.stages)

    @property
    def planned_contract_start(self) -> date:
        return max(s.planned_end for s in self.stages) + ONE_DAY

    @property
    def market_stage(self) -> ScheduledStage | None:
        """The stage opened by the notice that takes the procurement to market, if the route has one."""
        return next((s for s in self.stages if s.template.key in MARKET_NOTICE_STAGES), None)

    @property
    def tightest_stage(self) -> ScheduledStage:
        """The first stage with the least slack: the one `slack_days` is of."""
        return min(self.stages, key=lambda s: s.slack_days)


def _with_durations(stages: tuple[StageTemplate, ...], durations: Mapping[str, int]) -> tuple[StageTemplate, ...]:
    known = {s.key: s for s in stages}
    for key, days in durations.items():
        stage = known.get(key)
        if stage is None:
            raise ScheduleInputError(f"--duration: {key!r} is not a stage of this route ({', '.join(known)})")
        if stage.counting is Counting.STANDSTILL:
            raise ScheduleInputError(f"--duration: {key}: the standstill period is set by law ({stage.basis})")
        if days < 1:
            raise ScheduleInputError(f"--duration: {key}: must be at least 1 day")
        if stage.minimum is not None and days < stage.minimum:
            raise ScheduleInputError(
                f"--duration: {key}: {days} days is under the statutory minimum of {stage.minimum} ({stage.basis})"
            )
    return tuple(replace(s, days=durations.get(s.key, s.days)) for s in stages)


def _notice_date(stages: tuple[ScheduledStage, ...], planned: bool) -> date | None:
    """The day the procurement is first advertised: the first stage opened by a tender or contract notice."""
    for stage in stages:
        if stage.template.key in MARKET_NOTICE_STAGES:
            return stage.planned_start if planned else stage.latest_start
    return None


def _regime_warnings(regime: Regime, route: Route, stages: tuple[ScheduledStage, ...], planned: bool) -> list[str]:
    if route is Route.FRAMEWORK_CALL_OFF:
        return []  # a call-off follows the regime of its framework
    day = _notice_date(stages, planned)
    if day is None or regime_on(day) is regime:
        return []
    which = "planned" if planned else "latest"
    if regime is Regime.PCR2015:
        return [
            f"the {which} tender notice on {day.isoformat()} is on or after {PA2023_COMMENCEMENT.isoformat()}:"
            " a procurement begun then falls under the Procurement Act 2023, not PCR 2015"
        ]
    return [
        f"the {which} tender notice on {day.isoformat()} is before {PA2023_COMMENCEMENT.isoformat()}:"
        " a procurement begun then falls under PCR 2015, not the Procurement Act 2023"
    ]


def procurement_schedule(
    *,
    replaces_end: date,
    route: Route,
    regime: Regime,
    as_at: date,
    start: date | None = None,
    durations: Mapping[str, int] | None = None,
) -> Schedule:
    """Schedule a procurement backwards from the end of the contract it replaces, and forwards from its start.

    `start` is the planned start of the first stage (the as-at date when omitted). Raises ScheduleInputError for a
    route the regime does not have, an unknown stage or a duration below its statutory minimum.
    """
    templates = _with_durations(route_stages(regime, route), durations or {})
    # Backward pass: each stage ends the day before the latest start of the stage after it (on the same day for
    # a PA 2023 standstill); the last stage, and the stage running beside it, end with the old contract.
    latest: list[tuple[date, date]] = [(replaces_end, replaces_end)] * len(templates)
    bound = replaces_end
    parallel_start: date | None = None
    for n in range(len(templates) - 1, -1, -1):
        stage = templates[n]
        latest[n] = _backward(stage, regime, replaces_end if stage.parallel else bound)
        if stage.parallel:
            parallel_start = latest[n][0]
            continue
        # A parallel stage shares this stage's predecessor, so the predecessor must end before both start.
        successor_start = min(latest[n][0], parallel_start) if parallel_start is not None else latest[n][0]
        parallel_start = None
        bound = successor_start - timedelta(days=_lag(stage, regime))
    # Forward pass from the planned start: each stage as early as its predecessor allows.
    first = start if start is not None else as_at
    planned: list[tuple[date, date]] = []
    previous_start = previous_end = first
    for stage in templates:
        if stage.parallel:
            # Beside the stage before it: both follow the same predecessor.
            planned.append(_forward(stage, regime, previous_start))
            continue
        earliest = first if not planned else previous_end + timedelta(days=_lag(stage, regime))
        span = _forward(stage, regime, earliest)
        planned.append(span)
        previous_start, previous_end = span[0], span[1]
    stages = tuple(
        ScheduledStage(t, ls, le, ps, pe) for t, (ls, le), (ps, pe) in zip(templates, latest, planned, strict=True)
    )
    warnings = _regime_warnings(regime, route, stages, planned=start is not None)
    return Schedule(regime, route, replaces_end, first, start is not None, stages, tuple(warnings))


def schedule_to_json(schedule: Schedule) -> dict:
    """The schedule as `pegasus procurement schedule --json` prints it."""

    def stage_json(stage: ScheduledStage) -> dict:
        t = stage.template
        out: dict[str, object] = {
            "stage": t.key,
            "name": t.name,
            "days": t.days if t.counting is not Counting.STANDSTILL else None,
            "counting": t.counting.value,
            "statutory_minimum": t.minimum,
            "basis": t.basis,
            "notice": t.notice,
            "latest_start": stage.latest_start,
            "latest_end": stage.latest_end,
        }
        if schedule.start_given:
            out["planned_start"] = stage.planned_start
            out["planned_end"] = stage.planned_end
        out["slack_days"] = stage.slack_days
        out["at_risk"] = stage.at_risk
        return out

    out: dict[str, object] = {
        "regime": schedule.regime.value,
        "route": schedule.route.value,
        "replaces_end": schedule.replaces_end,
        "contract_start": schedule.contract_start,
        "start": schedule.start if schedule.start_given else None,
        "as_at": None if schedule.start_given else schedule.start,
        "latest_start": schedule.latest_start,
    }
    if schedule.start_given:
        out["planned_contract_start"] = schedule.planned_contract_start
    out["slack_days"] = schedule.slack_days
    out["at_risk"] = schedule.at_risk
    out["stages"] = [stage_json(s) for s in schedule.stages]
    out["warnings"] = list(schedule.warnings)
    return out
