"""Tender evaluation: tenders and their lots, criteria with weights and scales, bids, evaluators, their conflict
declarations, independent scores, moderated consensus scores and the award recommendation.

Bids are commercial-in-confidence (OFFICIAL-SENSITIVE [COMMERCIAL]). Who may read what is decided by the
selectors and `permissions.py`, never by these models: in particular an evaluator's score is read only through
`selectors.scores_visible_to`, which hides other evaluators' scores until the bid and criterion are moderated.
The formulas live in `scoring.py`; these models only hold what it needs.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from pegasus.core.fields import MONEY
from pegasus.estate.models import Supplier
from pegasus.evaluation.scoring import CriterionKind, PriceMethod

SCORE = {"max_digits": 5, "decimal_places": 2}
WEIGHT = {"max_digits": 5, "decimal_places": 2}

# The default scoring scale: points out of 100 and what each means.
DEFAULT_SCALE = [
    [0, "Unacceptable"],
    [25, "Poor"],
    [50, "Acceptable"],
    [75, "Good"],
    [100, "Excellent"],
]


def default_scale() -> list[list]:
    return [list(step) for step in DEFAULT_SCALE]


KindChoice = models.TextChoices(
    "KindChoice", [(k.name, (k.value, k.value.replace("-", " ").capitalize())) for k in CriterionKind]
)
PriceMethodChoice = models.TextChoices(
    "PriceMethodChoice", [(m.name, (m.value, m.value.replace("-", " ").capitalize())) for m in PriceMethod]
)


class Tender(models.Model):
    """A competition, optionally for a procurement of the pipeline, with one or more lots."""

    reference = models.CharField(max_length=40, unique=True, help_text="For example PEG-2019-SIAM.")
    title = models.CharField(max_length=300)
    # The award notice of a procurement (publication.ocds) is drawn from the approved awards of its tenders.
    procurement = models.ForeignKey(
        "procurement.Procurement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tenders",
        help_text="The procurement of the pipeline this competition runs.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tender", "number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="unique_lot_number")]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"


class Criterion(models.Model):
    """One award criterion of a lot: quality, social value or price, with its weight out of 100."""

    Kind = KindChoice
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=40, help_text="A short id, unique in the lot, such as tech or sv.")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=KindChoice.choices)
    weight = models.DecimalField(**WEIGHT)
    price_method = models.CharField(max_length=32, choices=PriceMethodChoice.choices, blank=True)
    pass_mark = models.DecimalField(**SCORE, null=True, blank=True)
    scale = models.JSONField(default=default_scale, help_text="[[points, descriptor], ...], points out of 100.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["lot", "position"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["lot", "code"], name="unique_criterion_code"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="criterion_weight_0_100"),
            models.CheckConstraint(
                condition=Q(pass_mark__isnull=True) | Q(pass_mark__gte=0, pass_mark__lte=100),
                name="criterion_pass_mark_0_100",
            ),
            models.CheckConstraint(
                condition=(Q(kind=CriterionKind.PRICE.value) & ~Q(price_method=""))
                | (~Q(kind=CriterionKind.PRICE.value) & Q(price_method="")),
                name="criterion_price_method_iff_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.weight.normalize():f}%)"

    @property
    def is_price(self) -> bool:
        return self.kind == CriterionKind.PRICE.value

    @property
    def scale_points(self) -> list[Decimal]:
        return [Decimal(str(points)) for points, _ in self.scale]

    def descriptor(self, points: Decimal | None) -> str:
        for value, text in self.scale:
            if points is not None and Decimal(str(value)) == points:
                return text
        return ""


class Bid(models.Model):
    """A tender for a lot from an estate supplier or a bidder named in free text; its price in pounds, net of VAT."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="bids")
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bidder_name = models.CharField(max_length=200, blank=True)
    price = models.DecimalField("Price (£, excluding VAT)", **MONEY)
    received_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["lot", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(supplier__isnull=False) | ~Q(bidder_name=""), name="bid_names_its_bidder"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="bid_price_above_zero"),
        ]

    def __str__(self) -> str:
        return self.bidder

    @property
    def bidder(self) -> str:
        return self.supplier.name if self.supplier_id else self.bidder_name


class EvaluatorAssignment(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["criterion", "evaluator"]
        constraints = [models.UniqueConstraint(fields=["criterion", "evaluator"], name="unique_assignment")]

    def __str__(self) -> str:
        return f"{self.evaluator} on {self.criterion}"


class ConflictDeclaration(models.Model):
    """An evaluator's declaration for a tender: no conflict of interest, or a conflict described in words."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="declarations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    has_conflict = models.BooleanField()
    details = models.TextField(blank=True)
    declared_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["tender", "declared_at"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "evaluator"], name="unique_conflict_declaration"),
            models.CheckConstraint(
                condition=Q(has_conflict=False) | ~Q(details=""), name="conflict_declaration_describes_conflict"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator}: {'conflict' if self.has_conflict else 'no conflict'}"


class Score(models.Model):
    """One evaluator's own score of one bid on one criterion, with its rationale. Never changed after moderation."""

    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField(**SCORE)
    rationale = models.TextField()
    scored_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["bid", "criterion", "evaluator"]
        constraints = [
            models.UniqueConstraint(fields=["evaluator", "bid", "criterion"], name="unique_score"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} scored {self.bid} {self.score} on {self.criterion.code}"


class Moderation(models.Model):
    """The consensus score of a bid on a criterion, agreed after every assigned evaluator scored; originals kept."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderations")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="moderations")
    score = models.DecimalField(**SCORE)
    rationale = models.TextField()
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moderated_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["bid", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="unique_moderation"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="moderation_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.bid} {self.criterion.code}: {self.score}"


class AwardRecommendation(models.Model):
    """The recommended bid of a lot and the draft contract-award decision that carries it to the approver."""

    lot = models.OneToOneField(Lot, on_delete=models.CASCADE, related_name="award")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey("governance.Decision", on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommended_at = models.DateTimeField()
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.lot}: {self.bid}"
