"""Decisions such as PCD 579: what is decided, on whose advice, by whom, and what may be published.

A decision moves draft -> submitted -> approved | rejected, and may be withdrawn before it is decided. An approved
decision never changes: a correction is a new version with the same reference. The approver is not chosen by the
author: the scheme of delegation names the office for the decision's type, value and date (see `rules.py`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from pegasus.core.fields import MONEY
from pegasus.governance import rules as r


class DecisionStatus(models.TextChoices):
    DRAFT = r.DecisionStatus.DRAFT.value, "Draft"
    SUBMITTED = r.DecisionStatus.SUBMITTED.value, "Submitted"
    APPROVED = r.DecisionStatus.APPROVED.value, "Approved"
    REJECTED = r.DecisionStatus.REJECTED.value, "Rejected"
    WITHDRAWN = r.DecisionStatus.WITHDRAWN.value, "Withdrawn"


# The Part 1 sections of the decision form, in its order.
PART1_SECTIONS = (
    "introduction",
    "issues",
    "financial",
    "legal",
    "commercial",
    "privacy",
    "equality",
    "real_estate",
    "environmental",
    "background_papers",
)
# What the author writes on the paper: edited on the form, carried over to a correction.
PAPER_FIELDS = (
    "reference",
    "title",
    "decision_type",
    "executive_summary",
    "value",
    "required_by",
    *PART1_SECTIONS,
    "part1_deferred_until",
    "part1_deferral_reason",
    "part2",
    "ceo_statement",
)

DecisionTypeChoice = models.TextChoices("DecisionTypeChoice", [(d.name, d.value) for d in r.DecisionType])


class Appointment(models.Model):
    """A user who holds an office the scheme of delegation names, such as the Deputy Mayor for Policing and Crime."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments")
    office = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "office"], name="unique_appointment")]

    def __str__(self) -> str:
        return f"{self.user} as {self.office}"


class Decision(models.Model):
    Status = DecisionStatus

    reference = models.CharField(max_length=40, help_text="For example PCD 579.")
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=300)
    decision_type = models.CharField(max_length=32, choices=DecisionTypeChoice.choices)
    executive_summary = models.TextField()
    value = models.DecimalField(**MONEY, help_text="The value that routes the decision, in pounds excluding VAT.")
    required_by = models.DateField("Decision required by", null=True, blank=True)
    originating_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT)
    # Part 1: the non-confidential facts and advice, published once approved (unless deferred).
    introduction = models.TextField("Introduction and background", blank=True)
    issues = models.TextField("Issues for consideration", blank=True)
    financial = models.TextField("Financial comments", blank=True)
    legal = models.TextField("Legal comments", blank=True)
    commercial = models.TextField("Commercial issues", blank=True)
    privacy = models.TextField("GDPR and data privacy", blank=True)
    equality = models.TextField("Equality comments", blank=True)
    real_estate = models.TextField("Real estate implications", blank=True)
    environmental = models.TextField("Environmental implications", blank=True)
    background_papers = models.TextField("Background papers", blank=True)
    part1_deferred_until = models.DateField("Part 1 publication deferred until", null=True, blank=True)
    part1_deferral_reason = models.TextField(blank=True)
    # Part 2: exempt from publication, OFFICIAL-SENSITIVE [COMMERCIAL].
    part2 = models.TextField("Part 2", blank=True)
    ceo_statement = models.TextField("Chief executive's statement", blank=True)
    approver_office = models.CharField(max_length=200, blank=True, help_text="Named by the scheme on submission.")
    approver_clause = models.CharField(max_length=20, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approver_interests = models.TextField("Interests the approver declared", blank=True)
    # Part 2 is published only by an explicit release once the reasons to withhold it have been reviewed.
    part2_released_at = models.DateTimeField(null=True, blank=True)
    part2_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    part2_release_note = models.TextField(blank=True)
    # Released before every exemption had lapsed: legal's public-interest decision, with the exemptions it overrode.
    part2_released_early = models.BooleanField(default=False)
    part2_release_overrode = models.TextField(blank=True)
    # What the decision concerns: filing, not the paper, so linked at any status. simple_history does not follow
    # many-to-many fields: `services.decision_concerns_set` audits each change of these with its before and after.
    contracts = models.ManyToManyField("estate.Contract", blank=True, related_name="decisions")
    procurements = models.ManyToManyField("procurement.Procurement", blank=True, related_name="decisions")
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "version"], name="unique_decision_version"),
            models.CheckConstraint(condition=Q(value__gte=0), name="decision_value_not_negative"),
            models.CheckConstraint(
                condition=Q(part1_deferred_until__isnull=True) | ~Q(part1_deferral_reason=""),
                name="decision_deferral_has_reason",
            ),
            # Defence in depth behind `services.part2_release`: only an approved decision's Part 2 is ever released,
            # always with the review's note, and an early release is a release.
            models.CheckConstraint(
                condition=Q(part2_released_at__isnull=True) | (Q(status="approved") & ~Q(part2_release_note="")),
                name="decision_part2_release_approved_with_note",
            ),
            models.CheckConstraint(
                condition=Q(part2_released_early=False) | Q(part2_released_at__isnull=False),
                name="decision_part2_early_release_is_a_release",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} v{self.version} {self.title}"

    def part1_sections(self) -> list[tuple[str, str]]:
        """(heading, text) for each Part 1 section, in the form's order."""
        return [(str(self._meta.get_field(name).verbose_name), getattr(self, name)) for name in PART1_SECTIONS]


class Recommendation(models.Model):
    class Kind(models.TextChoices):
        APPROVE = r.RecommendationKind.APPROVE.value, "Approve"
        NOTE = r.RecommendationKind.NOTE.value, "Note"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="recommendations")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    text = models.TextField()
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decision", "position"]
        constraints = [models.UniqueConstraint(fields=["decision", "position"], name="unique_recommendation")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class Declaration(models.Model):
    """One of the originating officer's declarations, ticked to confirm its statement."""

    class Kind(models.TextChoices):
        FINANCIAL = r.DeclarationKind.FINANCIAL.value, "Financial advice"
        LEGAL = r.DeclarationKind.LEGAL.value, "Legal advice"
        EQUALITIES = r.DeclarationKind.EQUALITIES.value, "Equalities advice"
        PUBLIC_HEALTH = r.DeclarationKind.PUBLIC_HEALTH.value, "Public health approach"
        COMMERCIAL = r.DeclarationKind.COMMERCIAL.value, "Commercial issues"
        PRIVACY = r.DeclarationKind.PRIVACY.value, "GDPR/Data privacy"
        DIRECTOR = r.DeclarationKind.DIRECTOR.value, "Director/Head of Service"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="declarations")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    statement = models.TextField(blank=True)
    confirmed = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decision", "kind"]
        constraints = [models.UniqueConstraint(fields=["decision", "kind"], name="unique_declaration")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({'confirmed' if self.confirmed else 'not confirmed'})"


class FoiExemption(models.Model):
    """Why Part 2 is withheld: a section of the Freedom of Information Act 2000, until a date."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="exemptions")
    section = models.CharField(max_length=8, help_text="For example s43.")
    name = models.CharField(max_length=200)
    ceases_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.section} {self.name}"


class MeetingStep(models.Model):
    """A meeting on the decision's route, such as Investment Advisory & Monitoring on 23/05/19."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="route")
    position = models.PositiveSmallIntegerField()
    body = models.CharField(max_length=200)
    meets_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decision", "position"]

    def __str__(self) -> str:
        return f"{self.body} {self.meets_on or ''}".strip()


def _attachment_path(instance: "Part2Attachment", filename: str) -> str:
    return f"part2/{instance.decision.reference.replace(' ', '-')}/{filename}"


class Part2Attachment(models.Model):
    """A paper attached to Part 2 (a price schedule, an options appraisal): OFFICIAL-SENSITIVE [COMMERCIAL].

    Stored outside the static and media URLs; the only way to read one is the download view, which checks that the
    reader may read Part 2.
    """

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decision", "id"]

    def __str__(self) -> str:
        return self.title
