"""The programme's ledgers: budget lines with an amount per financial year, the approvals that give authority to
spend, the commitments raised against them, the actuals paid and the forecasts of what is still to be paid.

Money is pounds to the penny, net of VAT. Every ledger row has a reference of its own (the `id` of the import
files), so that importing the same file twice changes nothing. Nothing derived is stored: the position is computed
by `finance.selectors` under the definitions in `finance.rules`.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from pegasus.core.fields import MONEY
from pegasus.finance import rules

REFERENCE = {"max_length": 50, "unique": True}


class BudgetLine(models.Model):
    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", to_field="code"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BudgetAmount(models.Model):
    """A budget line's amount for one financial year (`year` is the calendar year it starts in: 2019 is 2019-20)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="amounts", to_field="code")
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["line__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["line", "year"], name="finance_one_amount_per_line_and_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="finance_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {rules.year_label(self.year)}"

    @property
    def year_label(self) -> str:
        return rules.year_label(self.year)


class Approval(models.Model):
    """The authority to spend that an approved decision gives, against a budget line."""

    reference = models.CharField(**REFERENCE)
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="approvals", to_field="code")
    amount = models.DecimalField(**MONEY)
    approved_on = models.DateField()
    decision = models.ForeignKey(
        "governance.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The approved decision in Pegasus that gave it, if it is held here.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="finance_approval_not_negative")]

    def __str__(self) -> str:
        return self.reference


class Commitment(models.Model):
    """An order, call-off or contract award: money promised to a supplier, against a budget line."""

    reference = models.CharField(**REFERENCE)
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="commitments", to_field="code")
    approval = models.ForeignKey(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments", to_field="reference"
    )
    supplier = models.CharField(max_length=200)
    description = models.CharField(max_length=500, blank=True)
    raised_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    cancelled_on = models.DateField(null=True, blank=True)
    contract = models.ForeignKey(
        "estate.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+", to_field="reference"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["raised_on", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="finance_commitment_not_negative"),
            models.CheckConstraint(
                condition=Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=models.F("raised_on")),
                name="finance_commitment_cancelled_after_raised",
            ),
        ]
        indexes = [models.Index(fields=["line", "raised_on"]), models.Index(fields=["approval", "raised_on"])]

    def __str__(self) -> str:
        return self.reference


class Actual(models.Model):
    """An invoice paid, against a budget line and, usually, the commitment it pays."""

    reference = models.CharField(**REFERENCE)
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="actuals", to_field="code")
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="actuals", to_field="reference"
    )
    paid_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["paid_on", "reference"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="finance_actual_not_negative")]
        indexes = [models.Index(fields=["line", "paid_on"]), models.Index(fields=["commitment", "paid_on"])]

    def __str__(self) -> str:
        return self.reference


class Forecast(models.Model):
    """What a budget line is forecast to pay in a month (`month` is the month's first day)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="forecasts", to_field="code")
    month = models.DateField()
    amount = models.DecimalField(**MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["line__code", "month"]
        constraints = [
            models.UniqueConstraint(fields=["line", "month"], name="finance_one_forecast_per_line_and_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="finance_forecast_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {rules.month_label(self.month)}"
