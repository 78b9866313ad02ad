"""Service levels held against contracts, ticket uploads, and the rules that turn attainment into KPI ratings.

An SLA mirrors one entry of the SLA file the engine reads (`sla.parse_agreements`); `ServiceLevelAgreement.agreement`
converts it, so the application and `pegasus performance sla` compute with the same code.
"""

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from pegasus.core.calendar import LONDON_ZONE_NAME
from pegasus.performance import sla
from pegasus.performance.clock import service_days_text

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
WEEKDAYS = "mon,tue,wed,thu,fri"


class Clock(models.TextChoices):
    ALL_HOURS = "24x7", "24x7 (every hour of every day)"
    SERVICE_HOURS = "service-hours", "Service hours"


def office_opens() -> time:
    """The default start of service hours. A callable, not a value: Django's system check takes a fixed time of day
    as a default for a mistaken `now()` when it runs within ten seconds of that time (fields.W161)."""
    return time(8, 0)


def office_closes() -> time:
    """The default end of service hours (a callable, as `office_opens`)."""
    return time(18, 0)


class ServiceLevelAgreement(models.Model):
    """The service levels of one contract: charge, service hours, credit cap and a target per priority."""

    contract = models.OneToOneField("estate.Contract", on_delete=models.CASCADE, related_name="sla")
    ticket_service = models.CharField(
        max_length=120,
        blank=True,
        help_text="The tickets' service value that marks this contract's tickets; blank for all the supplier's.",
    )
    monthly_charge = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))], help_text="£ a month, ex VAT"
    )
    credit_cap_percent = models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT)
    service_days = models.CharField(max_length=40, default=WEEKDAYS, help_text="mon,tue,... (Europe/London)")
    service_start = models.TimeField(default=office_opens)
    service_end = models.TimeField(default=office_closes)
    exclude_bank_holidays = models.BooleanField(default=True, help_text="England and Wales bank holidays")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "service level agreement"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_cap_percent__gte=0, credit_cap_percent__lte=100),
                name="performance_sla_cap_is_a_percent",
            ),
            models.CheckConstraint(condition=models.Q(monthly_charge__gte=0), name="performance_sla_charge_positive"),
        ]

    def __str__(self) -> str:
        return f"SLA of {self.contract}"

    def service_hours_spec(self) -> dict:
        return {
            "days": [d.strip() for d in self.service_days.split(",") if d.strip()],
            "start": self.service_start.strftime("%H:%M"),
            "end": "24:00" if self.service_end == time(0, 0) else self.service_end.strftime("%H:%M"),
            "timezone": LONDON_ZONE_NAME,
            "exclude_bank_holidays": "england-and-wales" if self.exclude_bank_holidays else None,
        }

    def service_hours_text(self) -> str:
        """The service hours in words: "Monday to Friday, 08:00 to 18:00, not on bank holidays"."""
        spec = self.service_hours_spec()
        holidays = ", not on bank holidays" if self.exclude_bank_holidays else ""
        return f"{service_days_text(spec['days'])}, {spec['start']} to {spec['end']}{holidays}"

    def as_entry(self, key: str) -> dict:
        """This SLA as one entry of the engine's SLA file, for supplier (or contract) `key`."""
        return {
            "supplier": key,
            "monthly_charge": str(self.monthly_charge),
            "credit_cap_percent": str(self.credit_cap_percent),
            "service_hours": self.service_hours_spec(),
            "targets": [
                {
                    "priority": t.priority,
                    "resolve_within_hours": str(t.resolve_within_hours),
                    "clock": t.clock,
                    "attainment_target": str(t.attainment_target),
                    "credit_percent": str(t.credit_percent),
                }
                for t in sorted(self.targets.all(), key=lambda t: t.priority)
            ],
        }

    def agreement(self, key: str) -> sla.Agreement:
        """The engine's structure for this SLA, checked by the same parser as an SLA file."""
        return sla.parse_agreements([self.as_entry(key)])[0]


class SlaTarget(models.Model):
    """One priority's target: resolve within so many hours on a clock, attained by a share of tickets a month."""

    sla = models.ForeignKey(ServiceLevelAgreement, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    resolve_within_hours = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    clock = models.CharField(max_length=16, choices=Clock.choices, default=Clock.ALL_HOURS)
    attainment_target = models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT)
    credit_percent = models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority"]
        constraints = [
            models.UniqueConstraint(fields=["sla", "priority"], name="performance_one_target_per_priority"),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="performance_target_priority_1_to_4"
            ),
            models.CheckConstraint(condition=models.Q(resolve_within_hours__gt=0), name="performance_target_hours"),
        ]

    def __str__(self) -> str:
        return f"P{self.priority} within {self.resolve_within_hours} h ({self.clock})"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Checking"
    MAPPING = "mapping", "To be mapped"
    SUCCEEDED = "succeeded", "Stored"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"


class TicketSource(models.TextChoices):
    """What a service desk exported: Pegasus's own tickets CSV, or a raw export converted on the way in."""

    CANONICAL = "canonical", "Pegasus tickets CSV"
    SERVICENOW = "servicenow", "ServiceNow incident event log"
    BPIC2014 = "bpic2014", "BPI Challenge 2014 case attributes and activity log"


class TicketUpload(models.Model):
    """A service-desk file uploaded for ingestion; once stored it is a dataset the performance pages can read, and
    the one they read unless a user picks another (the one most recently stored or chosen, `chosen_at`).

    A raw export (ServiceNow, BPIC 2014) is surveyed first: its assignment groups (`groups`, with their tickets) wait
    for a user to map them to suppliers and contracts (`mapping`, the choice applied), and are then converted.
    """

    file = models.FileField(upload_to="performance/uploads/", blank=True)
    original_name = models.CharField(max_length=255)
    source = models.CharField(max_length=16, choices=TicketSource.choices, default=TicketSource.CANONICAL)
    second_file = models.FileField(
        upload_to="performance/uploads/",
        blank=True,
        help_text="The assignments of a tickets CSV, or the activity log of BPIC 2014 case attributes",
    )
    second_name = models.CharField(max_length=255, blank=True)
    groups = models.JSONField(default=list, blank=True, help_text="The export's assignment groups: [[group, tickets]]")
    mapping = models.JSONField(
        default=dict, blank=True, help_text="The mapping applied: {group: {supplier, contract, service}}"
    )
    chosen_at = models.DateTimeField(
        null=True, blank=True, help_text="When the dataset was stored or chosen as the one the reports read"
    )
    dataset = models.CharField(max_length=100, blank=True, help_text="Name of the stored Parquet dataset")
    status = models.CharField(max_length=16, choices=UploadStatus.choices, default=UploadStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField(max_length=120, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    bad_lines = models.JSONField(default=list, blank=True, help_text="The first bad lines: [{line, reason}]")
    error = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="performance_upload_progress_percent")
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_finished(self) -> bool:
        return self.status in (UploadStatus.SUCCEEDED, UploadStatus.REJECTED, UploadStatus.FAILED)

    @property
    def is_waiting(self) -> bool:
        """Nothing more happens until a user does something (maps the groups): no point polling."""
        return self.is_finished or self.status == UploadStatus.MAPPING


class GroupMapping(models.Model):
    """Where an export's assignment group's tickets belong: a supplier, and one of its contracts when the group
    serves only that contract. Kept for the next upload from the same kind of export."""

    source = models.CharField(max_length=16, choices=TicketSource.choices)
    group = models.CharField(max_length=255)
    supplier = models.ForeignKey("estate.Supplier", on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey("estate.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "group"]
        constraints = [models.UniqueConstraint(fields=["source", "group"], name="performance_one_mapping_per_group")]

    def __str__(self) -> str:
        return f"{self.group} -> {self.contract or self.supplier}"


class RatingRules(models.Model):
    """How far below its target a KPI may fall for each Procurement Act 2023 rating, for one authority.

    Good: attainment at or above target. Approaching target: below it by at most `approaching_points`.
    Requires improvement: below it by at most `improvement_points`. Inadequate: further below.
    """

    authority = models.OneToOneField("estate.Organisation", on_delete=models.CASCADE, related_name="rating_rules")
    approaching_points = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("2.00"), validators=PERCENT
    )
    improvement_points = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("5.00"), validators=PERCENT
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "rating rules"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(improvement_points__gte=models.F("approaching_points")),
                name="performance_rating_bands_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"Rating rules of {self.authority}"


KPI_NAME_MAX = 120
KPI_DESCRIPTION_MAX = 2000


class ContractKpi(models.Model):
    """A key performance indicator set for a contract (Procurement Act 2023 s52(1)), published in its contract
    details notice (s53, UK7) and assessed at least every twelve months (s52(2)-(3), s71; UK9).

    With `sla_priority` set, the KPI is that SLA target's resolution measure and is rated from the performance
    figures; without it, the authority rates it itself.
    """

    contract = models.ForeignKey("estate.Contract", on_delete=models.CASCADE, related_name="kpis")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the contract's list of KPIs")
    name = models.CharField(max_length=KPI_NAME_MAX)
    description = models.TextField(blank=True, max_length=KPI_DESCRIPTION_MAX)
    sla_priority = models.PositiveSmallIntegerField(
        "SLA priority",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="The SLA target whose resolution measure this KPI is; blank when it is not an SLA measure",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "contract KPI"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="performance_kpi_name_unique_per_contract"),
            models.UniqueConstraint(
                fields=["contract", "sla_priority"],
                condition=models.Q(sla_priority__isnull=False),
                name="performance_kpi_one_per_sla_priority",
            ),
            models.CheckConstraint(
                condition=models.Q(sla_priority__isnull=True) | models.Q(sla_priority__gte=1, sla_priority__lte=4),
                name="performance_kpi_sla_priority_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return self.name
