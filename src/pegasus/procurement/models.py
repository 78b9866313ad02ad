"""Procurements: what they replace, their route to market, the value they are estimated at, and their stages.

Nothing derived is stored: the regime follows from the start date (`procurement.law.regime_on`), the estimated
value from `procurement.rules.estimated_value`, and every stage's dates from `procurement.schedule`.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pegasus.core.fields import MONEY, VatBasisChoice
from pegasus.core.money import VatBasis
from pegasus.procurement.law import Authority, ContractType, Regime, regime_on
from pegasus.procurement.schedule import ROUTES, Route

ROUTE_LABELS = {
    Route.OPEN: "Open procedure",
    Route.RESTRICTED: "Restricted procedure",
    Route.COMPETITIVE_DIALOGUE: "Competitive dialogue",
    Route.COMPETITIVE_WITH_NEGOTIATION: "Competitive procedure with negotiation",
    Route.COMPETITIVE_FLEXIBLE: "Competitive flexible procedure",
    Route.FRAMEWORK_CALL_OFF: "Call-off under a framework",
    Route.DIRECT_AWARD: "Direct award (Schedule 5 justification)",
}
REGIME_LABELS = {Regime.PCR2015: "Public Contracts Regulations 2015", Regime.PA2023: "Procurement Act 2023"}

RouteChoice = models.TextChoices("RouteChoice", [(r.name, (r.value, ROUTE_LABELS[r])) for r in Route])


def route_choices(regime: Regime) -> list[tuple[str, str]]:
    """The routes to market a regime offers, in the order the law sets them out."""
    return [(r.value, ROUTE_LABELS[r]) for r in ROUTES[regime]]


class StageKind(models.TextChoices):
    REQUIREMENTS = "requirements", "Requirements"
    MARKET_ENGAGEMENT = "market-engagement", "Market engagement"
    PARTICIPATION_PERIOD = "participation-period", "Participation period"
    SELECTION = "selection", "Selection (shortlisting)"
    DIALOGUE = "dialogue", "Dialogue"
    NEGOTIATION = "negotiation", "Negotiation"
    TRANSPARENCY_NOTICE = "transparency-notice", "Transparency notice"
    TENDER_PERIOD = "tender-period", "Tender period"
    EVALUATION = "evaluation", "Evaluation"
    GOVERNANCE_APPROVAL = "governance-approval", "Governance approval"
    AWARD_NOTICE = "award-notice", "Award notice"
    STANDSTILL = "standstill", "Standstill"
    CONTRACT_SIGNATURE = "contract-signature", "Contract signature"
    MOBILISATION = "mobilisation", "Mobilisation and transition"
    INCUMBENT_EXIT = "incumbent-exit", "Incumbent exit"


class Procurement(models.Model):
    AuthorityKind = models.TextChoices("AuthorityKind", [(a.name, a.value) for a in Authority])
    ContractKind = models.TextChoices("ContractKind", [(c.name, c.value) for c in ContractType])

    reference = models.CharField(max_length=50, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    replaces = models.ManyToManyField(
        "estate.Contract", blank=True, related_name="replacing_procurements", help_text="The contracts it replaces."
    )
    replaces_lot = models.ForeignKey(
        "sourcing.Lot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procurements",
        verbose_name="Lot it buys",
        help_text="A lot of the chosen sourcing scenario that this procurement buys.",
    )
    replaces_end_option = models.ForeignKey(
        "estate.ExtensionOption",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Schedule to the end of the contract with this option exercised; empty for its current end.",
    )
    awarded_contract = models.OneToOneField(
        "estate.Contract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awarded_by",
        verbose_name="Contract awarded",
        help_text="The contract this procurement awarded, which replaces the contracts it replaces.",
    )
    starts_on = models.DateField("Start date", help_text="The day the first stage starts; it sets the regime.")
    route = models.CharField("Route to market", max_length=48, choices=RouteChoice.choices)
    direct_award_justification = models.TextField(
        blank=True, help_text="The Schedule 5 ground for a direct award under the Procurement Act 2023."
    )
    annual_value = models.DecimalField("Estimated annual value", **MONEY, validators=[MinValueValidator(0)])
    value_vat_basis = models.CharField(
        "VAT basis of the annual value", max_length=5, choices=VatBasisChoice.choices, default=VatBasis.NET.value
    )
    term_months = models.PositiveSmallIntegerField("Initial term (months)", validators=[MinValueValidator(1)])
    extension_months = models.PositiveSmallIntegerField(
        "Options and extensions (months)", default=0, help_text="Every option, extension and renewal, in total."
    )
    authority_kind = models.CharField(
        "Authority", max_length=16, choices=AuthorityKind.choices, default=Authority.SUB_CENTRAL.value
    )
    contract_type = models.CharField(max_length=16, choices=ContractKind.choices, default=ContractType.SERVICES.value)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(annual_value__gte=0), name="procurement_value_not_negative"),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="procurement_term_at_least_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def regime(self) -> Regime:
        return regime_on(self.starts_on)

    @property
    def regime_label(self) -> str:
        return REGIME_LABELS[self.regime]

    @property
    def route_label(self) -> str:
        return ROUTE_LABELS[Route(self.route)]

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.route:
            regime = self.regime
            if Route(self.route) not in ROUTES[regime]:
                names = ", ".join(label.lower() for _, label in route_choices(regime))
                errors["route"] = f"Under the {REGIME_LABELS[regime]} the route to market is one of: {names}"
            if self.route == Route.DIRECT_AWARD and not self.direct_award_justification.strip():
                errors["direct_award_justification"] = "Give the Schedule 5 ground that justifies a direct award"
        if errors:
            raise ValidationError(errors)


class Distribution(models.TextChoices):
    """How a stage's duration is drawn between its optimistic and pessimistic days (`procurement.schedule_risk`)."""

    TRIANGULAR = "triangular", "Triangular"
    PERT = "pert", "PERT (beta)"


# A three-point estimate in calendar days, to a tenth of a day.
ESTIMATE_DAYS = {
    "max_digits": 6,
    "decimal_places": 1,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(0)],
}


class Stage(models.Model):
    """One stage of a procurement: its kind, order and duration (days, counted as its route counts them).

    Its three-point estimate (calendar days, the stage's whole span) is what the schedule risk draws from; a stage
    without one is taken as fixed at its planned span."""

    Kind = StageKind
    Distribution = Distribution

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(max_length=32, choices=StageKind.choices)
    position = models.PositiveSmallIntegerField()
    days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty for a period set by law.")
    # What happened: the programme's milestones tied to the stage take their actual dates from these.
    actual_start = models.DateField("Actually started", null=True, blank=True)
    actual_end = models.DateField("Actually ended", null=True, blank=True)
    # What might happen: the schedule risk's three-point estimate, in calendar days.
    optimistic_days = models.DecimalField("Optimistic (days)", **ESTIMATE_DAYS)
    most_likely_days = models.DecimalField("Most likely (days)", **ESTIMATE_DAYS)
    pessimistic_days = models.DecimalField("Pessimistic (days)", **ESTIMATE_DAYS)
    distribution = models.CharField(max_length=10, choices=Distribution.choices, default=Distribution.PERT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["procurement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["procurement", "kind"], name="unique_procurement_stage_kind"),
            models.UniqueConstraint(fields=["procurement", "position"], name="unique_procurement_stage_position"),
            models.CheckConstraint(condition=Q(days__isnull=True) | Q(days__gte=1), name="stage_days_at_least_one"),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | (Q(actual_start__isnull=False) & Q(actual_end__gte=F("actual_start"))),
                name="stage_actual_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(optimistic_days__isnull=True, most_likely_days__isnull=True, pessimistic_days__isnull=True)
                | Q(
                    optimistic_days__gte=0,
                    most_likely_days__gte=F("optimistic_days"),
                    pessimistic_days__gte=F("most_likely_days"),
                ),
                name="stage_three_point_estimate_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.days or 'statutory'} days)"

    @property
    def has_estimate(self) -> bool:
        return self.optimistic_days is not None
