"""Sourcing scenarios: market prices, lot structures with their assumptions, and optimisation runs.

A scenario keeps the optimiser input it was built from (`problem`, the JSON of issue 4) so that its figures do not
move when market prices are re-imported later. Money is pounds a year, excluding VAT.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from pegasus.core.classification import Classification, Descriptor, marking
from pegasus.core.fields import MONEY
from pegasus.estate.models import ServiceTower, Supplier

# Market prices are competitors' commercial information: every scenario page and export carries this marking.
SCENARIO_MARKING = marking(Classification.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL)


class MarketPrice(models.Model):
    """What a supplier said in market engagement it would charge a year for a tower; no row: it cannot deliver it."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="market_prices")
    tower = models.ForeignKey(ServiceTower, on_delete=models.PROTECT, related_name="market_prices")
    annual_price = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier__name", "tower__position"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "tower"], name="market_price_one_per_supplier_tower"),
            models.CheckConstraint(condition=Q(annual_price__gte=0), name="market_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} – {self.tower}: £{self.annual_price}"


class Scenario(models.Model):
    class Kind(models.TextChoices):
        BASELINE = "baseline", "Baseline (today's contracts)"
        MANUAL = "manual", "Hand-made"
        OPTIMISED = "optimised", "Optimised"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be optimised"
        RUNNING = "running", "Being optimised"
        READY = "ready", "Ready"
        INFEASIBLE = "infeasible", "No lot structure meets the constraints"
        FAILED = "failed", "Optimisation failed"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.READY)
    description = models.TextField(blank=True)
    lot_fixed_cost = models.DecimalField(
        "Cost of running a lot",
        **MONEY,
        default=Decimal("750000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Pounds a year for each contract to procure, manage and integrate.",
    )
    handoff_cost_per_ticket = models.DecimalField(
        "Cost of a hand-off",
        max_digits=10,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Pounds a year for each ticket a month that crosses from one lot to another.",
    )
    min_bidders_per_lot = models.PositiveSmallIntegerField(
        "Fewest bidders per lot", default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    max_lots = models.PositiveSmallIntegerField("Most lots", null=True, blank=True, validators=[MinValueValidator(1)])
    max_lots_per_supplier = models.PositiveSmallIntegerField(
        "Most lots one supplier may win", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_supplier_share = models.DecimalField(
        "Largest share one supplier may take",
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
        help_text="A fraction of the total prices, such as 0.6.",
    )
    must_separate = models.JSONField(default=list, blank=True, help_text="Pairs of tower codes kept apart.")
    must_bundle = models.JSONField(default=list, blank=True, help_text="Pairs of tower codes kept together.")
    problem = models.JSONField(default=dict, blank=True, help_text="The optimiser input the scenario was built from.")
    tradeoff = models.JSONField(default=list, blank=True, help_text="Cost against lots as the policy varies.")
    chosen = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["chosen"], condition=Q(chosen=True), name="scenario_one_chosen"),
            models.CheckConstraint(condition=Q(min_bidders_per_lot__gte=1), name="scenario_min_bidders_at_least_1"),
            models.CheckConstraint(
                condition=Q(max_supplier_share__isnull=True)
                | (Q(max_supplier_share__gt=0) & Q(max_supplier_share__lte=1)),
                name="scenario_share_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def marking(self) -> str:
        return SCENARIO_MARKING

    @property
    def is_settled(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)


class Lot(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="lots")
    position = models.PositiveSmallIntegerField()
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="scenario_lots")
    towers = models.ManyToManyField(ServiceTower, related_name="scenario_lots")
    price = models.DecimalField(**MONEY, help_text="The winner's prices for the lot's towers, pounds a year.")
    bidders = models.PositiveSmallIntegerField(help_text="Suppliers that price every tower in the lot.")
    history = HistoricalRecords(m2m_fields=[towers])

    class Meta:
        ordering = ["scenario", "position"]
        constraints = [models.UniqueConstraint(fields=["scenario", "position"], name="lot_position_unique")]

    def __str__(self) -> str:
        return f"Lot {self.position} of {self.scenario}"


class OptimisationRun(models.Model):
    """One background solve of an optimised scenario, with its progress as the solver improves."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    time_limit_seconds = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    solver_status = models.CharField(max_length=12, blank=True)  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    best_objective = models.DecimalField(**MONEY, null=True, blank=True)
    best_bound = models.DecimalField(**MONEY, null=True, blank=True)
    best_lots = models.JSONField(default=list, blank=True, help_text="The best lot structure found so far.")
    improvements = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.scenario}"

    @property
    def gap(self) -> Decimal | None:
        """How far the best solution may still be above the best possible, as a fraction of it."""
        if self.best_objective is None or self.best_bound is None or not self.best_objective:
            return None
        return max(Decimal(0), (self.best_objective - self.best_bound) / self.best_objective)
