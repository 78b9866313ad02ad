"""Programme control as a programme office runs it: the programme, its business cases (HM Treasury's Five Case
Model) with their versions and options appraisal, its milestones (baseline, forecast, actual), its RAID log (risks,
assumptions, issues, dependencies) and the exit plans of the incumbent contracts being replaced.

Nothing derived is stored: a milestone's RAG, a risk's score, an option's net present value and an exit plan's
readiness are computed by `programme.rules` and `programme.appraisal` when they are read.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from pegasus.core.fields import MONEY

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]
PERCENT = {"max_digits": 6, "decimal_places": 2}
# The Five Case Model's sections, in HM Treasury's order: a `CaseVersion` field each.
FIVE_CASES = ("strategic", "economic", "commercial", "financial", "management")


class Programme(models.Model):
    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    tolerance_days = models.PositiveSmallIntegerField(
        "Milestone tolerance (days)",
        default=30,
        help_text="A forecast later than its baseline by no more than this is amber; beyond it, red.",
    )
    budget_line = models.CharField(
        max_length=50,
        blank=True,
        help_text="The code of the programme's budget line in finance: the board reads its money there.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CaseStage(models.TextChoices):
    SOC = "SOC", "Strategic Outline Case"
    OBC = "OBC", "Outline Business Case"
    FBC = "FBC", "Full Business Case"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class BusinessCase(models.Model):
    """A business case at one stage, for the programme or for one procurement. Its five cases are held in versions;
    it is approved only by an approved decision routed by the scheme's 4.8 (`services.cases.case_approve`)."""

    Stage = CaseStage
    Status = CaseStatus

    reference = models.CharField(max_length=50, unique=True, help_text="For example PEG-OBC.")
    title = models.CharField(max_length=300)
    stage = models.CharField(max_length=3, choices=CaseStage.choices)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="business_cases")
    procurement = models.ForeignKey(
        "procurement.Procurement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="business_cases",
        help_text="Empty for a business case of the whole programme.",
    )
    value = models.DecimalField(
        **MONEY, validators=[MinValueValidator(0)], help_text="The spend it asks approval for, in pounds excluding VAT."
    )
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    decision = models.ForeignKey(
        "governance.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="business_cases",
        help_text="The decision that approves it.",
    )
    approved_version = models.PositiveSmallIntegerField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="programme_case_value_not_negative"),
            # Defence in depth behind the approval service: an approved case names its decision, day and version.
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(decision__isnull=False) & Q(approved_on__isnull=False) & Q(approved_version__isnull=False)),
                name="programme_approved_case_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CaseVersion(models.Model):
    """One version of a business case's five cases. Versions are never changed: an edit is a new version."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    strategic = models.TextField("Strategic case", blank=True, help_text="The case for change.")
    economic = models.TextField("Economic case", blank=True, help_text="Value for money: the options appraised.")
    commercial = models.TextField("Commercial case", blank=True, help_text="The deal: is it attractive and doable?")
    financial = models.TextField("Financial case", blank=True, help_text="Affordability and funding.")
    management = models.TextField("Management case", blank=True, help_text="How it will be delivered.")
    note = models.CharField("What changed", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="programme_one_version_number")]

    def __str__(self) -> str:
        return f"{self.case.reference} v{self.number}"


class AppraisalOption(models.Model):
    """An option of a business case's economic case. The long list keeps every option with the reason an option was
    dropped; the short list is appraised. One option is "business as usual"."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    business_as_usual = models.BooleanField(default=False)
    shortlisted = models.BooleanField(default=True)
    dropped_reason = models.TextField("Why it was dropped from the long list", blank=True)
    optimism_bias_percent = models.DecimalField(
        "Optimism bias (%)", **PERCENT, default=0, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    scenario = models.ForeignKey(
        "sourcing.Scenario",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The sourcing scenario whose modelled costs it was brought in from, if any.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="programme_option_position"),
            models.UniqueConstraint(fields=["case", "name"], name="programme_option_name"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(business_as_usual=True), name="programme_one_business_as_usual"
            ),
            models.CheckConstraint(
                condition=Q(shortlisted=True) | ~Q(dropped_reason=""), name="programme_dropped_option_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(optimism_bias_percent__gte=0), name="programme_optimism_bias_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OptionYear(models.Model):
    """An option's costs and benefits in one year of the appraisal, in real terms (year 0, the first, undiscounted)."""

    option = models.ForeignKey(AppraisalOption, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(validators=[MaxValueValidator(200)])
    costs = models.DecimalField(**MONEY, default=0, validators=[MinValueValidator(0)])
    benefits = models.DecimalField(**MONEY, default=0, validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["option", "year"]
        constraints = [
            models.UniqueConstraint(fields=["option", "year"], name="programme_one_row_per_option_year"),
            models.CheckConstraint(condition=Q(costs__gte=0) & Q(benefits__gte=0), name="programme_year_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.option} year {self.year}"


class StageEvent(models.TextChoices):
    START = "start", "Starts"
    END = "end", "Ends"


class Milestone(models.Model):
    """A milestone of the programme with its baseline, forecast and actual dates. One tied to a procurement's stage
    takes its actual date from the stage's actual start or end (`procurement.Stage.actual_start/actual_end`)."""

    Event = StageEvent

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="milestones")
    name = models.CharField(max_length=200)
    owner = models.CharField(max_length=200, help_text="Who answers for it: a name or a post.")
    baseline_on = models.DateField("Baseline date")
    forecast_on = models.DateField("Forecast date")
    actual_on = models.DateField("Actual date", null=True, blank=True)
    stage = models.ForeignKey(
        "procurement.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="milestones"
    )
    stage_event = models.CharField(max_length=8, choices=StageEvent.choices, default=StageEvent.END)
    business_case = models.ForeignKey(
        BusinessCase, null=True, blank=True, on_delete=models.PROTECT, related_name="milestones"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["baseline_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="programme_milestone_name"),
            models.CheckConstraint(
                condition=Q(stage__isnull=True) | Q(business_case__isnull=True),
                name="programme_milestone_one_owner_record",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RaidKind(models.TextChoices):
    RISK = "risk", "Risk"
    ASSUMPTION = "assumption", "Assumption"
    ISSUE = "issue", "Issue"
    DEPENDENCY = "dependency", "Dependency"


class RaidStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class IssuePriority(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class RaidItem(models.Model):
    """A risk, assumption, issue or dependency of the programme. A risk states cause, event and effect and is scored
    probability x impact (1-5 each) before (inherent) and after (residual) its mitigations; an issue has a priority
    and, once closed, a resolution. Each may be linked to what it concerns."""

    Kind = RaidKind
    Status = RaidStatus
    Priority = IssuePriority

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="raid")
    reference = models.CharField(max_length=20, unique=True, help_text="For example R-001, A-001, I-001, D-001.")
    kind = models.CharField(max_length=16, choices=RaidKind.choices)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=RaidStatus.choices, default=RaidStatus.OPEN)
    raised_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    # Risks
    cause = models.TextField(blank=True)
    event = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    inherent_probability = models.PositiveSmallIntegerField(null=True, blank=True, validators=ONE_TO_FIVE)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True, validators=ONE_TO_FIVE)
    residual_probability = models.PositiveSmallIntegerField(null=True, blank=True, validators=ONE_TO_FIVE)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True, validators=ONE_TO_FIVE)
    proximity = models.DateField(null=True, blank=True, help_text="When the risk would happen, if it does.")
    # Issues
    priority = models.CharField(max_length=8, choices=IssuePriority.choices, blank=True)
    resolution = models.TextField(blank=True)
    # What it concerns
    contract = models.ForeignKey("estate.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    procurement = models.ForeignKey(
        "procurement.Procurement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        "governance.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="raid")
    business_case = models.ForeignKey(
        BusinessCase, null=True, blank=True, on_delete=models.PROTECT, related_name="raid"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="risk") | (Q(inherent_probability__isnull=False) & Q(inherent_impact__isnull=False)),
                name="programme_risk_is_scored",
            ),
            models.CheckConstraint(
                condition=(Q(residual_probability__isnull=True) & Q(residual_impact__isnull=True))
                | (Q(residual_probability__isnull=False) & Q(residual_impact__isnull=False)),
                name="programme_residual_scored_whole",
            ),
            models.CheckConstraint(condition=~Q(kind="issue") | ~Q(priority=""), name="programme_issue_has_priority"),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True) | Q(status="closed", closed_on__isnull=False),
                name="programme_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Mitigation(models.Model):
    """An action that reduces a risk (or resolves an issue), with its owner and dates."""

    item = models.ForeignKey(RaidItem, on_delete=models.CASCADE, related_name="mitigations")
    action = models.TextField()
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "due_on", "pk"]

    def __str__(self) -> str:
        return self.action[:60]


class ExitPlan(models.Model):
    """The exit of one incumbent contract that a procurement replaces: the tasks that move its assets, data,
    knowledge, staff and service to the replacement before the contract ends."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="exit_plans")
    contract = models.OneToOneField("estate.Contract", on_delete=models.PROTECT, related_name="exit_plan")
    procurement = models.ForeignKey(
        "procurement.Procurement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exit_plans",
        help_text="The procurement that replaces the contract.",
    )
    summary = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract__reference"]

    def __str__(self) -> str:
        return f"Exit of {self.contract}"


class ExitArea(models.TextChoices):
    ASSETS = "assets", "Assets"
    DATA = "data", "Data"
    KNOWLEDGE = "knowledge", "Knowledge transfer"
    TUPE = "tupe", "Staff (TUPE)"
    DUAL_RUNNING = "dual-running", "Dual running"
    OBLIGATIONS = "obligations", "Incumbent's exit obligations"


class TaskState(models.TextChoices):
    NOT_STARTED = "not-started", "Not started"
    IN_PROGRESS = "in-progress", "In progress"
    DONE = "done", "Done"


class ExitTask(models.Model):
    Area = ExitArea
    State = TaskState

    plan = models.ForeignKey(ExitPlan, on_delete=models.CASCADE, related_name="tasks")
    area = models.CharField(max_length=16, choices=ExitArea.choices)
    title = models.CharField(max_length=300)
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    state = models.CharField(max_length=16, choices=TaskState.choices, default=TaskState.NOT_STARTED)
    done_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="done", done_on__isnull=False) | (~Q(state="done") & Q(done_on__isnull=True)),
                name="programme_done_task_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title
