"""The Pegasus programme's timeline from PCD 579 as procurements of the demonstration estate.

The seed: "develop the requirements, carry out further market engagement ... go to market in September 2019 ...
return in the first quarter of 2020 with a Full Business Case for approval to award new contracts. Additionally, a
Full Business Case will be submitted in May 2021 ... covering applications management services."

So two procurements under PCR 2015: the service towers (SIAM, networks and telephony, data centres, hosting, end-user
computing) starting after the decision of June 2019, going to market in September 2019 with the Full Business Case
(the governance approval stage) in the first quarter of 2020; and applications management with its Full Business
Case in May 2021. Stage durations are chosen to land on those dates; values and terms are illustrative.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pegasus.core.clock import london_instant, story_at
from pegasus.estate import selectors as estate_selectors
from pegasus.procurement import services
from pegasus.procurement.models import Procurement
from pegasus.procurement.schedule import Route
from pegasus.sourcing import selectors as sourcing_selectors
from pegasus.sourcing.demo import SIAM_PLUS_TOWERS
from pegasus.sourcing.services import scenario_choose


@dataclass(frozen=True)
class DemoProcurement:
    reference: str
    title: str
    description: str
    replaces: tuple[str, ...]
    end_option: tuple[str, int] | None  # (contract reference, option sequence) scheduled to, or the current end
    starts_on: date
    route: Route
    annual_value: str
    term_months: int
    extension_months: int
    durations: tuple[tuple[str, int], ...]


PROCUREMENTS = [
    DemoProcurement(
        "PEG-2019-01",
        "Pegasus service towers re-procurement",
        "SIAM, networks and telephony, data centres, hosting and end-user computing: go to market September 2019,"
        " Full Business Case in the first quarter of 2020 (PCD 579).",
        ("MPS-DP-T1-001", "MPS-DP-T1-002", "MPS-DP-T1-003", "MPS-DP-T1-004", "MPS-DP-T1-005"),
        ("MPS-DP-T1-001", 1),
        date(2019, 6, 10),
        Route.COMPETITIVE_WITH_NEGOTIATION,
        "70000000.00",
        60,
        24,
        (("requirements", 56), ("market-engagement", 28), ("governance-approval", 45)),
    ),
    DemoProcurement(
        "PEG-2020-02",
        "Applications management re-procurement",
        "Applications management services, with a further Full Business Case in May 2021 (PCD 579).",
        ("MPS-DP-T1-006",),
        ("MPS-DP-T1-006", 1),
        date(2020, 8, 24),
        Route.RESTRICTED,
        "19500000.00",
        60,
        12,
        (("requirements", 90), ("market-engagement", 60), ("governance-approval", 31)),
    ),
    DemoProcurement(
        "PEG-2019-03",
        "Devices, mobile and print consolidation",
        "The other contracts PCD 579 says could be consolidated (mobile, printers and devices), called off a"
        " framework as one contract from June 2020 (illustrative).",
        ("MPS-DP-T2-101", "MPS-DP-T2-102", "MPS-DP-T2-103"),
        ("MPS-DP-T2-102", 1),
        date(2019, 6, 3),
        Route.FRAMEWORK_CALL_OFF,
        "12000000.00",
        48,
        12,
        (),
    ),
]


# Three-point estimates a programme office would give, in calendar days (optimistic, most likely, pessimistic,
# distribution), each stage's whole span. Applications management: a long, uncertain evaluation (many applications,
# each scored and moderated, with clarifications) and a governance stage that slips (the Full Business Case goes to a
# board that meets monthly and often defers: a month late is as likely as on time). A standstill that may be
# lengthened by a challenge; mobilisation that overruns more often than it finishes early.
ESTIMATES: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "PEG-2019-01": (
        ("requirements", "50", "56", "80", "pert"),
        ("negotiation", "45", "60", "120", "pert"),
        ("evaluation", "28", "40", "75", "pert"),
        ("governance-approval", "40", "45", "100", "triangular"),
        ("standstill", "10", "10", "30", "pert"),
        ("mobilisation", "80", "90", "150", "pert"),
    ),
    "PEG-2020-02": (
        ("requirements", "75", "90", "150", "pert"),
        ("market-engagement", "50", "61", "90", "pert"),
        ("evaluation", "25", "45", "120", "pert"),
        ("governance-approval", "28", "45", "120", "triangular"),
        ("standstill", "10", "10", "30", "pert"),
        ("mobilisation", "80", "90", "150", "pert"),
    ),
    "PEG-2019-03": (
        ("tender-period", "14", "14", "28", "pert"),
        ("evaluation", "10", "14", "30", "pert"),
        ("governance-approval", "25", "30", "60", "triangular"),
        ("mobilisation", "60", "90", "120", "pert"),
    ),
}


def _estimates_load(procurement: Procurement) -> None:
    """Give the demo procurement's stages their three-point estimates, where a stage has none yet."""
    stages = {st.kind: st for st in procurement.stages.all()}
    for kind, low, likely, high, distribution in ESTIMATES.get(procurement.reference, ()):
        stage = stages.get(kind)
        if stage is None or stage.has_estimate:
            continue
        services.stage_estimate_set(
            stage=stage,
            optimistic=Decimal(low),
            most_likely=Decimal(likely),
            pessimistic=Decimal(high),
            distribution=distribution,
            by=None,
        )


# The programme's lot structure is "SIAM plus towers" (PCD 579: a service integrator and towers); applications
# management, procured on its own, buys that scenario's applications lot.
CHOSEN_SCENARIO = SIAM_PLUS_TOWERS
BUYS_LOT = {"PEG-2020-02": {"applications"}}


def _choose_demo_scenario() -> None:
    """Choose the programme's scenario if the sourcing demo is loaded and no scenario is chosen yet."""
    scenario = sourcing_selectors.scenario_named(CHOSEN_SCENARIO)
    if scenario is not None and scenario.is_settled and not sourcing_selectors.scenario_chosen_exists():
        scenario_choose(scenario=scenario, by=None)


def _demo_lot(reference: str) -> Any | None:
    towers = BUYS_LOT.get(reference)
    if not towers:
        return None
    lots = sourcing_selectors.chosen_lots(scenario_name=CHOSEN_SCENARIO)
    return next((lot for lot in lots if {t.code for t in lot.towers.all()} == towers), None)


# The programme's procurements were planned, on the lot structure chosen, for the meeting of 23 May 2019 that
# considered PCD 579 (illustrative day).
PROCUREMENTS_PLANNED = london_instant(date(2019, 5, 20), 10)


@story_at(PROCUREMENTS_PLANNED)
def procurements_demo_load() -> dict[str, int]:
    """Load the demo procurements of the programme; loading twice changes nothing."""
    created = 0
    _choose_demo_scenario()
    for procurement in Procurement.objects.filter(reference__in=BUYS_LOT, replaces_lot=None):
        # loaded before the scenarios: the lot is linked on the next load
        lot = _demo_lot(procurement.reference)
        if lot is not None:
            procurement.replaces_lot = lot
            procurement.save(update_fields=["replaces_lot"])
    for procurement in Procurement.objects.filter(reference__in=ESTIMATES):
        _estimates_load(procurement)  # loaded before the estimates existed: they are added on the next load
    for spec in PROCUREMENTS:
        if Procurement.objects.filter(reference=spec.reference).exists():
            continue
        contracts = list(estate_selectors.contracts_of(spec.replaces))
        option = None
        if spec.end_option is not None:
            option = estate_selectors.option_get(contract=spec.end_option[0], sequence=spec.end_option[1])
        procurement = services.procurement_create(
            contracts=contracts,
            replaces_end_option=option,
            by=None,
            reference=spec.reference,
            title=spec.title,
            description=spec.description,
            starts_on=spec.starts_on,
            route=spec.route.value,
            annual_value=Decimal(spec.annual_value),
            value_vat_basis="net",
            term_months=spec.term_months,
            extension_months=spec.extension_months,
            replaces_lot=_demo_lot(spec.reference),
        )
        for kind, days in spec.durations:
            services.stage_duration_set(stage=procurement.stages.get(kind=kind), days=days, by=None)
        _estimates_load(procurement)
        created += 1
    return {"procurements": created}
