"""The market view: other public bodies' contracting processes as their published OCDS releases tell them.

Releases are kept exactly as published and never changed (OCDS release ids name one release only); a process's row
is compiled from its releases and rebuilt whenever one arrives. Each import is recorded with what it took and what it
rejected, and why.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class MarketImport(models.Model):
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.TextField(help_text="the files or folders imported")
    files = models.PositiveIntegerField(default=0)
    releases_new = models.PositiveIntegerField(default=0)
    releases_unchanged = models.PositiveIntegerField(default=0)
    processes = models.PositiveIntegerField(default=0, help_text="contracting processes new or changed")
    rejected = models.JSONField(default=list, blank=True, help_text="[{file, reason}] of the files not taken")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"OCDS import {self.at:%Y-%m-%d %H:%M}: {self.releases_new} new releases"


class MarketRelease(models.Model):
    ocid = models.CharField(max_length=200, db_index=True)
    release_id = models.CharField(max_length=300)
    date = models.DateTimeField()
    source = models.TextField(help_text="the file, and the release's place in it, it was first read from")
    data = models.JSONField()
    imported = models.ForeignKey(MarketImport, on_delete=models.PROTECT, related_name="releases")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ocid", "release_id"], name="market_release_unique")]

    def __str__(self):
        return f"{self.ocid} {self.release_id}"


class MarketProcess(models.Model):
    """One contracting process compiled from its releases: the newest release that says a thing is believed."""

    ocid = models.CharField(max_length=200, unique=True)
    title = models.TextField(blank=True)
    buyer = models.TextField(blank=True, db_index=True)
    cpv = models.JSONField(default=list, blank=True, help_text="CPV codes, eight digits, the main one first")
    division = models.CharField(max_length=2, blank=True, db_index=True, help_text="ICT CPV division, or blank")
    suppliers = models.TextField(blank=True, help_text="the suppliers awarded, one per line")
    supplier_count = models.PositiveIntegerField(default=0)
    value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    value_kind = models.CharField(max_length=10, blank=True, help_text="awarded or estimated")
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True, db_index=True)
    stage = models.CharField(max_length=20, blank=True)
    last_release = models.DateTimeField()

    class Meta:
        ordering = ["end", "ocid"]

    def __str__(self):
        return f"{self.ocid}: {self.title}"

    @property
    def supplier_names(self) -> list[str]:
        return [name for name in self.suppliers.splitlines() if name]


class MarketAward(models.Model):
    """A supplier awarded a process: one row per supplier, so the market can be read by supplier."""

    process = models.ForeignKey(MarketProcess, on_delete=models.CASCADE, related_name="awards")
    supplier = models.TextField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["process", "supplier"], name="market_award_unique")]

    def __str__(self):
        return f"{self.supplier}: {self.process.ocid}"


class NoticeState(models.TextChoices):
    DRAFT = "draft", "Draft"
    CHECKED = "checked", "Checked"
    PUBLISHED = "published", "Published"


class Notice(models.Model):
    """A post-award notice of a contract (`publication.rules`): drafted, checked by someone else, then published.

    `body` is what the notice says, built from the records when it is drafted (`services.notice_body`), so a
    published notice keeps saying what it said whatever happens to the contract after. A published notice is never
    changed: a correction is a new notice that `corrects` it.
    """

    class Kind(models.TextChoices):
        UK7 = "UK7", "UK7 contract details notice"
        UK9 = "UK9", "UK9 contract performance notice"
        UK10 = "UK10", "UK10 contract change notice"
        UK11 = "UK11", "UK11 contract termination notice"
        PCR_MOD = "PCR-MOD", "Modification notice (PCR 2015)"

    State = NoticeState

    kind = models.CharField(max_length=8, choices=Kind.choices)
    contract = models.ForeignKey("estate.Contract", on_delete=models.PROTECT, related_name="notices")
    change = models.ForeignKey(
        "estate.ContractChange", null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    state = models.CharField(max_length=10, choices=NoticeState.choices, default=NoticeState.DRAFT)
    body = models.JSONField(default=dict, help_text="What the notice says, built from the records when drafted.")
    period_start = models.DateField(null=True, blank=True, help_text="A UK9's assessment period.")
    period_end = models.DateField(null=True, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-drafted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["UK10", "UK11", "PCR-MOD"]) | models.Q(change__isnull=False),
                name="notice_of_a_change_names_it",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="UK9")
                | (models.Q(period_start__isnull=False) & models.Q(period_end__gte=models.F("period_start"))),
                name="notice_uk9_has_a_period",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="published") | models.Q(published_at__isnull=False),
                name="notice_published_has_a_date",
            ),
        ]
        indexes = [models.Index(fields=["kind", "state"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.contract.reference} ({self.state})"


NOT_CHECKED = "not checked: the OCDS schema is not on this server (PEGASUS_OCDS_SCHEMA_DIR)"


class OcdsExport(models.Model):
    """One export of the OCDS release or record package: what it held, when and how it was made, and whether the
    schema accepted it (`ocds_review`). Its file is kept in the shared storage; the Open data page serves the latest
    of each kind. An export is a record of what was published: it is never changed."""

    class Kind(models.TextChoices):
        RELEASES = "releases", "Release package"
        RECORDS = "records", "Record package"

    class Via(models.TextChoices):
        COMMAND = "command", "the export command"
        PAGE = "page", "staff, on this page"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    as_at = models.DateField(help_text="the date contracts' current ends and spend are read at")
    generated_at = models.DateTimeField(help_text="the package's publishedDate")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    file = models.FileField(upload_to="publication/ocds/", max_length=300)
    size = models.PositiveBigIntegerField(help_text="bytes")
    sha256 = models.CharField(max_length=64)
    items = models.PositiveIntegerField(help_text="releases, or records")
    processes = models.PositiveIntegerField(help_text="contracting processes")
    contracts = models.PositiveIntegerField(help_text="the estate's contracts")
    procurements = models.PositiveIntegerField()
    notices = models.PositiveIntegerField(help_text="published notices")
    awards = models.PositiveIntegerField(help_text="published awards of procurements' tenders")
    publisher = models.CharField(max_length=300, blank=True)
    license = models.CharField(max_length=300, blank=True)
    version = models.CharField(max_length=10, blank=True, help_text="the OCDS version the package declares")
    error_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="places where the package breaks the schema; empty when it was not checked"
    )
    errors = models.JSONField(default=list, blank=True, help_text="[{path, message}] of the first errors")

    class Meta:
        ordering = ["-generated_at", "-pk"]
        indexes = [models.Index(fields=["kind", "as_at", "generated_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["releases", "records"]), name="ocds_export_kind"),
            models.CheckConstraint(condition=models.Q(via__in=["command", "page"]), name="ocds_export_via"),
        ]

    def __str__(self) -> str:
        return f"OCDS {self.kind} as at {self.as_at} ({self.generated_at:%Y-%m-%d %H:%M})"

    @property
    def checked(self) -> bool:
        """Whether the schema was there to check the package against."""
        return self.error_count is not None

    @property
    def valid(self) -> bool:
        return self.error_count == 0

    @property
    def verdict(self) -> str:
        """The check in words: valid, how many schema errors, or not checked."""
        if not self.checked:
            return NOT_CHECKED
        return "valid against OCDS 1.1.5 with the UK extension" if self.valid else f"{self.error_count} schema errors"

    @property
    def errors_not_shown(self) -> int:
        return (self.error_count or 0) - len(self.errors)
