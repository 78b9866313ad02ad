"""The ICT estate: organisations, suppliers, service towers, contracts, their options, spend and interfaces.

Derived dates (current end, maximum end, decision due, days to expiry) are never stored: `Contract.terms()`
hands the facts to `pegasus.estate.terms`, which computes them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pegasus.core.classification import Classification, Descriptor, marking
from pegasus.core.fields import MONEY, VatBasisChoice
from pegasus.core.money import VatBasis
from pegasus.estate import terms


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CONTRACTING_AUTHORITY = "contracting-authority", "Contracting authority"
        OPERATING_BODY = "operating-body", "Operating body"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    authority = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operating_bodies",
        help_text="For an operating body: the contracting authority it acts for.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


companies_house_number = RegexValidator(
    r"^(\d{8}|[A-Z]{2}\d{6})$", "Enter a Companies House number: 8 digits, or 2 letters and 6 digits"
)


class Supplier(models.Model):
    name = models.CharField(max_length=200, unique=True)
    companies_house_number = models.CharField(
        "Companies House number", max_length=8, blank=True, validators=[companies_house_number]
    )
    is_sme = models.BooleanField("SME", default=False)
    is_illustrative = models.BooleanField(default=False, help_text="A fictional supplier of the demonstration estate.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceTower(models.Model):
    class Kind(models.TextChoices):
        TOWER = terms.TowerKind.TOWER.value, "Service tower"
        CATEGORY = terms.TowerKind.CATEGORY.value, "Other category"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TOWER)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SupplierMembership(models.Model):
    """A supplier user's link to the supplier they work for: they see that supplier's contracts only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_memberships")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="memberships")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "supplier"], name="unique_supplier_membership")]

    def __str__(self) -> str:
        return f"{self.user} at {self.supplier}"


# The facts of a contract that its derived dates follow from.
TERM_FIELDS = (
    "start_date",
    "initial_end_date",
    "notice_period_months",
    "renewal_type",
    "renewal_period_months",
    "max_renewals",
    "ended_on",
)


def terms_from(facts: dict, options: list[terms.Option]) -> terms.ContractTerms:
    """The term rules' view of a contract, from its TERM_FIELDS (a model's, or a `values()` row) and options."""
    return terms.ContractTerms(
        start=facts["start_date"],
        initial_end=facts["initial_end_date"],
        options=tuple(options),
        notice_months=facts["notice_period_months"],
        renewal=terms.RenewalType(facts["renewal_type"]),
        renewal_months=facts["renewal_period_months"],
        max_renewals=facts["max_renewals"],
        ended_on=facts["ended_on"],
    )


class ContractStatus(models.TextChoices):
    PLANNED = terms.ContractStatus.PLANNED.value, "Planned"
    ACTIVE = terms.ContractStatus.ACTIVE.value, "Active"
    ENDED = terms.ContractStatus.ENDED.value, "Ended"
    TERMINATED = terms.ContractStatus.TERMINATED.value, "Terminated early"


class Contract(models.Model):
    Status = ContractStatus
    RenewalType = models.TextChoices("RenewalType", [(r.name, r.value) for r in terms.RenewalType])

    reference = models.CharField(max_length=50, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts")
    operating_body = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="operated_contracts"
    )
    towers = models.ManyToManyField(ServiceTower, through="ContractTower", related_name="contracts")
    tier = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(3)], help_text="1 is a major contract."
    )
    start_date = models.DateField()
    initial_end_date = models.DateField("End of initial term")
    notice_period_months = models.PositiveSmallIntegerField(default=3)
    renewal_type = models.CharField(max_length=10, choices=RenewalType.choices, default=terms.RenewalType.NONE.value)
    renewal_period_months = models.PositiveSmallIntegerField(default=0)
    max_renewals = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty for a tacit renewal that rolls on until notice is given."
    )
    ended_on = models.DateField(null=True, blank=True, help_text="When the contract ended early.")
    total_value = models.DecimalField("Total contract value", **MONEY)
    annual_value = models.DecimalField(**MONEY)
    vat_basis = models.CharField("VAT basis", max_length=5, choices=VatBasisChoice.choices, default=VatBasis.NET.value)
    status = models.CharField(max_length=16, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    classification = models.CharField(max_length=24, choices=Classification.choices, default=Classification.OFFICIAL)
    classification_descriptor = models.CharField(max_length=16, choices=Descriptor.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(initial_end_date__gte=F("start_date")), name="contract_term_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(total_value__gte=0), name="contract_total_value_not_negative"),
            models.CheckConstraint(condition=Q(annual_value__gte=0), name="contract_annual_value_not_negative"),
            models.CheckConstraint(
                condition=Q(renewal_type="none") | Q(renewal_period_months__gt=0),
                name="contract_renewal_has_length",
            ),
        ]
        indexes = [models.Index(fields=["initial_end_date"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def marking(self) -> str:
        return marking(self.classification, self.classification_descriptor)

    def clean(self) -> None:
        # The same rules as the check constraints, reported against the field a user must change.
        errors = {}
        if self.start_date and self.initial_end_date and self.initial_end_date < self.start_date:
            errors["initial_end_date"] = "The initial term must end on or after its start date."
        if self.renewal_type != "none" and not self.renewal_period_months:
            errors["renewal_period_months"] = "Give the length of the renewal in months."
        if self.classification_descriptor and self.classification != Classification.OFFICIAL_SENSITIVE:
            errors["classification_descriptor"] = "Only OFFICIAL-SENSITIVE information carries a descriptor."
        if errors:
            raise ValidationError(errors)

    def terms(self, options=None) -> terms.ContractTerms:
        """The contract's facts for the term rules; pass `options` when they are already fetched."""
        if options is None:
            options = self.options.all()
        return terms_from(
            {name: getattr(self, name) for name in TERM_FIELDS},
            [terms.Option(o.length_months, terms.OptionState(o.state)) for o in options],
        )


class ContractTower(models.Model):
    """A tower a contract covers, with that tower's share of the contract's value (shares add up to 100%)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="tower_shares")
    tower = models.ForeignKey(ServiceTower, on_delete=models.PROTECT, related_name="contract_shares")
    share_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-share_percent", "tower__position"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "tower"], name="unique_contract_tower"),
            models.CheckConstraint(
                condition=Q(share_percent__gt=0) & Q(share_percent__lte=100),
                name="contract_tower_share_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tower} {self.share_percent}%"


class ExtensionOption(models.Model):
    State = models.TextChoices("State", [(s.name, s.value) for s in terms.OptionState])

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="options")
    sequence = models.PositiveSmallIntegerField()
    length_months = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    state = models.CharField(max_length=10, choices=State.choices, default=terms.OptionState.AVAILABLE.value)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="unique_option_sequence"),
            models.CheckConstraint(condition=Q(length_months__gte=1), name="option_has_length"),
        ]

    def __str__(self) -> str:
        return f"Option {self.sequence}: {self.length_months} months ({self.state})"


class Spend(models.Model):
    """What was paid against a contract in one calendar month (`month` is the first of the month)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="spend")
    month = models.DateField()
    amount = models.DecimalField(**MONEY)
    vat_basis = models.CharField("VAT basis", max_length=5, choices=VatBasisChoice.choices, default=VatBasis.NET.value)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "month"]
        verbose_name_plural = "spend"
        constraints = [
            models.UniqueConstraint(fields=["contract", "month"], name="unique_spend_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="spend_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.month:%Y-%m} £{self.amount:,}"


class Interface(models.Model):
    """A hand-off between two towers (or two contracts), weighted by its volume, such as tickets a month."""

    class Unit(models.TextChoices):
        TICKETS = "tickets-per-month", "Tickets a month"
        TRANSACTIONS = "transactions-per-month", "Transactions a month"
        OTHER = "other", "Other"

    from_tower = models.ForeignKey(ServiceTower, on_delete=models.PROTECT, related_name="interfaces_out")
    to_tower = models.ForeignKey(ServiceTower, on_delete=models.PROTECT, related_name="interfaces_in")
    from_contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.CASCADE, related_name="interfaces_out"
    )
    to_contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.CASCADE, related_name="interfaces_in"
    )
    weight = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    unit = models.CharField(max_length=32, choices=Unit.choices, default=Unit.TICKETS)
    description = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-weight"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_tower=F("to_tower")) | ~Q(from_contract=F("to_contract")),
                name="interface_joins_two_parties",
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="interface_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.from_tower} → {self.to_tower} ({self.weight} {self.get_unit_display().lower()})"


class ChangeKind(models.TextChoices):
    OPTION_EXERCISE = "option-exercise", "Exercise of an extension option"
    OPTION_LAPSE = "option-lapse", "Lapse of an extension option"
    VARIATION = "variation", "Variation"
    TERMINATION = "termination", "Termination"


class ChangeState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    EFFECTIVE = "effective", "Effective"
    WITHDRAWN = "withdrawn", "Withdrawn"


class TerminationReason(models.TextChoices):
    EXPIRY = "expiry", "Expiry"
    BREAK = "break", "Break"
    DEFAULT = "default", "Default"
    MUTUAL = "mutual", "Mutual agreement"


class ContractChange(models.Model):
    """A change to a contract, as a record: an option exercised or let lapse, a variation, or a termination.

    The contract's current value and end follow from its effective changes (`estate.selectors.contract_current`);
    they are never stored. The regime whose modification rules apply is the contract's (`selectors.regime_of`: the
    Procurement Act 2023 for a contract that starts on or after 24 February 2025, otherwise PCR 2015).
    """

    Kind = ChangeKind
    State = ChangeState
    TerminationReason = TerminationReason

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    option = models.ForeignKey(ExtensionOption, null=True, blank=True, on_delete=models.PROTECT, related_name="changes")
    value_change = models.DecimalField(
        "Value change", max_digits=14, decimal_places=2, default=Decimal(0), help_text="Signed, excluding VAT."
    )
    term_change_months = models.SmallIntegerField("Term change in months", default=0)
    scope = models.TextField("Change in scope", blank=True)
    termination_date = models.DateField(null=True, blank=True)
    termination_reason = models.CharField(max_length=8, choices=TerminationReason.choices, blank=True)
    reason = models.TextField()
    effective_on = models.DateField("Effective date")
    value = models.DecimalField(max_digits=14, decimal_places=2, help_text="Signed, in pounds excluding VAT.")
    ground = models.CharField(max_length=32, blank=True, help_text="The ground of the contract's regime.")
    legal_rationale = models.TextField(blank=True)
    rationale_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rationale_at = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(
        "governance.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="contract_changes"
    )
    state = models.CharField(max_length=10, choices=ChangeState.choices, default=ChangeState.PROPOSED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approver_office = models.CharField(max_length=200, blank=True, help_text="The office the scheme names.")
    approver_clause = models.CharField(max_length=20, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "effective_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["option-exercise", "option-lapse"]) | Q(option__isnull=False),
                name="contract_change_option_kind_has_option",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.contract.reference} ({self.state})"
