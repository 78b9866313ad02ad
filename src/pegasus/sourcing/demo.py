"""The demonstration scenarios for the seed's estate: today's contracts, "SIAM plus towers" and an optimised one.

Market prices are illustrative (pounds a year, ex VAT, as if from market engagement in 2019); the suppliers are the
estate demo's fictional ones. The optimised scenario is solved while the demo loads, with a short time limit.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from pegasus.core.clock import london_instant, story_at
from pegasus.estate import selectors as estate_selectors
from pegasus.estate.demo import SUPPLIERS
from pegasus.sourcing import services
from pegasus.sourcing.models import MarketPrice, OptimisationRun, Scenario

ALDGATE, THAMESMEAD, NORTHBANK, KESTREL, CITYLINE, HOLBORN, GREENWICH = (name for name, _, _ in SUPPLIERS)

# supplier -> tower -> annual price (£m); no entry: the supplier said it would not bid for that tower.
MARKET_PRICES_MILLIONS = {
    ALDGATE: {"siam": "10.8", "applications": "18.4", "hosting": "11.2"},
    THAMESMEAD: {
        "siam": "11.6",
        "networks": "13.2",
        "telephony": "5.6",
        "data-centres": "9.9",
        "data-centre-management": "6.5",
        "hosting": "10.9",
        "mobile": "2.95",
    },
    NORTHBANK: {
        "networks": "14.1",
        "telephony": "6.2",
        "data-centres": "9.2",
        "data-centre-management": "6.1",
        "hosting": "10.1",
        "applications": "18.9",
    },
    KESTREL: {
        "siam": "11.9",
        "euc": "23.5",
        "applications": "17.6",
        "data-centre-management": "6.6",
        "mobile": "3.1",
        "printers": "1.35",
        "devices": "4.4",
    },
    CITYLINE: {"mobile": "2.7", "telephony": "5.9"},
    HOLBORN: {"printers": "1.2", "devices": "4.6"},
    GREENWICH: {"euc": "24.6", "printers": "1.3", "devices": "4.1"},
}

POLICY = {
    "lot_fixed_cost": Decimal("750000"),
    "handoff_cost_per_ticket": Decimal("100"),
    "min_bidders_per_lot": 2,
    "max_lots_per_supplier": 2,
    "max_supplier_share": Decimal("0.5"),
}
BASELINE = "Baseline: today's contracts"
SIAM_PLUS_TOWERS = "SIAM plus towers"
OPTIMISED = "Optimised: cheapest with competition kept"
SIAM_PLUS_TOWERS_LOTS = [
    (["siam"], ALDGATE),
    (["networks", "telephony"], THAMESMEAD),
    (["data-centres", "data-centre-management", "hosting"], NORTHBANK),
    (["euc", "devices", "printers"], KESTREL),
    (["applications"], KESTREL),
    (["mobile"], CITYLINE),
]
# The market engagement's prices and the scenarios drawn from them, the week before PCD 579 was declared
# (illustrative days).
PRICES_ENTERED = london_instant(date(2019, 5, 7), 10)
SCENARIOS_DRAWN = london_instant(date(2019, 5, 9), 14)
DEMO_TIME_LIMIT = 3  # seconds: `make run` stays quick; the demo estate is small enough to prove optimal in this time


def sourcing_demo_load(*, optimise: bool = True) -> dict[str, int]:
    """Load market prices and the three scenarios (the optimised one only if `optimise`); twice changes nothing."""
    created = {"market prices": 0, "scenarios": 0}
    suppliers = {s.name: s for s in estate_selectors.suppliers().filter(name__in=MARKET_PRICES_MILLIONS)}
    towers = {t.code: t for t in estate_selectors.towers()}
    with transaction.atomic(), story_at(PRICES_ENTERED):
        for name, prices in MARKET_PRICES_MILLIONS.items():
            for code, millions in prices.items():
                _, new = MarketPrice.objects.get_or_create(
                    supplier=suppliers[name],
                    tower=towers[code],
                    defaults={"annual_price": Decimal(millions) * 1_000_000},
                )
                created["market prices"] += int(new)
    with story_at(SCENARIOS_DRAWN):
        _scenarios(created, suppliers, optimise)
    return created


def _scenarios(created: dict[str, int], suppliers: dict, optimise: bool) -> None:
    if not Scenario.objects.filter(name=BASELINE).exists():
        services.scenario_baseline_create(name=BASELINE, by=None, **POLICY)
        created["scenarios"] += 1
    if not Scenario.objects.filter(name=SIAM_PLUS_TOWERS).exists():
        services.scenario_create(
            name=SIAM_PLUS_TOWERS,
            description=(
                "The model PCD 579 describes: a service integrator (SIAM) on its own, managing a handful of "
                "tower suppliers, each tower bundle let to one supplier."
            ),
            lots=[(codes, suppliers[name].pk) for codes, name in SIAM_PLUS_TOWERS_LOTS],
            by=None,
            **POLICY,
        )
        created["scenarios"] += 1
    if optimise and not Scenario.objects.filter(name=OPTIMISED).exists():
        scenario = services.scenario_optimise(
            name=OPTIMISED,
            description=(
                "The lot structure Pegasus found cheapest, counting the cost of running each lot and of the "
                "hand-offs between lots, while every lot keeps at least two possible bidders, no supplier wins "
                "more than two lots and none takes more than half the spend."
            ),
            time_limit=DEMO_TIME_LIMIT,
            by=None,
            **POLICY,
        )
        # The demo solves in place rather than waiting for a worker, so the page is complete on first sight.
        run = OptimisationRun.objects.get(scenario=scenario)
        if run.status == OptimisationRun.Status.QUEUED:
            services.optimisation_run_execute(run_id=run.pk)
        # The run has no history to take the story's instant: its own queue and progress times are set here.
        OptimisationRun.objects.filter(pk=run.pk).update(queued_at=SCENARIOS_DRAWN, updated_at=SCENARIOS_DRAWN)
        created["scenarios"] += 1
