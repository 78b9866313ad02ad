"""Reading the RAID log as it stood on a day: only what was raised on or before it, closed only if it was closed by
then, and a mitigation done only if it was done by then. Scores, bands and escalation come from `programme.risk`.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet

from pegasus.programme import risk
from pegasus.programme.models import (
    BusinessCase,
    Milestone,
    Mitigation,
    RaidItem,
    RaidKind,
    RaidStatus,
)

RELATED = ("programme", "contract", "procurement", "decision", "milestone", "business_case")


@dataclass(frozen=True)
class RaidFilters:
    """What the log is narrowed to; empty values narrow nothing."""

    kind: str = ""
    status: str = ""  # "open" or "closed" as at the day
    owner: str = ""
    band: str = ""  # a risk band of `programme.risk`: only risks then
    contract: int | None = None
    procurement: int | None = None
    text: str = ""


@dataclass(frozen=True)
class RaidRow:
    """An item as it stood on the as-at day, with its scores."""

    item: RaidItem
    as_at: date

    @property
    def is_open(self) -> bool:
        closed_on = self.item.closed_on
        return closed_on is None or closed_on > self.as_at

    @property
    def status(self) -> str:
        return RaidStatus.OPEN if self.is_open else RaidStatus.CLOSED

    @property
    def status_label(self) -> str:
        return RaidStatus(self.status).label

    @property
    def inherent(self) -> int | None:
        return risk.current_score(self.item.inherent_probability, self.item.inherent_impact)

    @property
    def residual(self) -> int | None:
        i = self.item
        if i.residual_probability is None or i.residual_impact is None:
            return None
        return risk.score(i.residual_probability, i.residual_impact)

    @property
    def current(self) -> int | None:
        i = self.item
        return risk.current_score(i.inherent_probability, i.inherent_impact, i.residual_probability, i.residual_impact)

    @property
    def rating(self) -> tuple[int, int] | None:
        """The (probability, impact) the current score is of: residual if assessed, else inherent."""
        i = self.item
        if i.residual_probability is not None and i.residual_impact is not None:
            return i.residual_probability, i.residual_impact
        if i.inherent_probability is not None and i.inherent_impact is not None:
            return i.inherent_probability, i.inherent_impact
        return None

    @property
    def band(self) -> str:
        return risk.band(self.current) if self.current is not None else ""

    @property
    def band_label(self) -> str:
        return risk.BAND_LABELS.get(self.band, "")

    @property
    def escalated(self) -> bool:
        return risk.escalates(
            kind=self.item.kind, is_open=self.is_open, current=self.current, priority=self.item.priority
        )

    @property
    def kind_label(self) -> str:
        return RaidKind(self.item.kind).label


def raid_items() -> QuerySet[RaidItem]:
    return RaidItem.objects.select_related(*RELATED)


def _as_at(items: QuerySet[RaidItem], as_at: date) -> QuerySet[RaidItem]:
    return items.filter(raised_on__lte=as_at)


def _open_on(as_at: date) -> Q:
    return Q(closed_on__isnull=True) | Q(closed_on__gt=as_at)


def raid_list(*, as_at: date, filters: RaidFilters | None = None) -> list[RaidRow]:
    """The log as it stood on `as_at`, narrowed by `filters`, by reference."""
    filters = filters or RaidFilters()
    items = _as_at(raid_items(), as_at)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.status == RaidStatus.OPEN:
        items = items.filter(_open_on(as_at))
    elif filters.status == RaidStatus.CLOSED:
        items = items.exclude(_open_on(as_at))
    if filters.owner:
        items = items.filter(owner__iexact=filters.owner)
    if filters.contract:
        items = items.filter(contract_id=filters.contract)
    if filters.procurement:
        items = items.filter(procurement_id=filters.procurement)
    if filters.text:
        text = filters.text
        items = items.filter(
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(cause__icontains=text)
            | Q(event__icontains=text)
            | Q(effect__icontains=text)
            | Q(owner__icontains=text)
        )
    rows = [RaidRow(item, as_at) for item in items.order_by("reference")]
    if filters.band:
        rows = [row for row in rows if row.item.kind == RaidKind.RISK and row.band == filters.band]
    return rows


def raid_heat_map(rows: list[RaidRow]) -> list[risk.Cell]:
    """The 5x5 cells of the open risks among `rows`, each at its current rating."""
    return risk.heat_map(
        row.rating for row in rows if row.item.kind == RaidKind.RISK and row.is_open and row.rating is not None
    )


def _open_rows(as_at: date, kind: str) -> list[RaidRow]:
    items = _as_at(raid_items(), as_at).filter(_open_on(as_at), kind=kind)
    return [RaidRow(item, as_at) for item in items]


def top_risks(as_at: date, limit: int | None = 5) -> list[RaidRow]:
    """The open risks with the highest current score, the nearest proximity first among equals."""
    rows = sorted(
        _open_rows(as_at, RaidKind.RISK),
        key=lambda r: risk.top_order_key(r.current or 0, r.item.proximity, r.item.reference),
    )
    return rows[:limit] if limit is not None else rows


def top_issues(as_at: date, limit: int | None = 5) -> list[RaidRow]:
    """The open issues, the most urgent priority first, then the longest open."""
    rows = sorted(
        _open_rows(as_at, RaidKind.ISSUE),
        key=lambda r: risk.issue_order_key(r.item.priority, r.item.raised_on, r.item.reference),
    )
    return rows[:limit] if limit is not None else rows


def raid_escalated(as_at: date) -> list[RaidRow]:
    """What goes to the board on `as_at`: open risks scoring 15 or more, then open critical issues."""
    risks = [row for row in top_risks(as_at, limit=None) if row.escalated]
    issues = [row for row in top_issues(as_at, limit=None) if row.escalated]
    return risks + issues


def raid_owners() -> list[str]:
    """Every owner named in the log, for the filter."""
    return sorted(set(RaidItem.objects.values_list("owner", flat=True)), key=str.casefold)


def raid_item_get(pk: int) -> RaidItem:
    """One item with what it is linked to; RaidItem.DoesNotExist when there is none."""
    return raid_items().get(pk=pk)


def raid_item_by_reference(reference: str) -> RaidItem | None:
    return RaidItem.objects.filter(reference=reference).first()


def raid_references() -> set[str]:
    return set(RaidItem.objects.values_list("reference", flat=True))


def mitigations_of(item: RaidItem) -> QuerySet[Mitigation]:
    return item.mitigations.order_by("due_on", "pk")


def mitigation_get(item: RaidItem, pk: int) -> Mitigation:
    return item.mitigations.get(pk=pk)


def milestones() -> QuerySet[Milestone]:
    return Milestone.objects.order_by("baseline_on", "name")


def business_cases() -> QuerySet[BusinessCase]:
    return BusinessCase.objects.order_by("reference")


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One saved version of an item or of one of its mitigations: when, by whom, what, and which fields changed."""

    when: datetime
    who: str
    what: str
    changes: list[Change]


HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    return str(value)


def _related(field, pk: Any) -> Any:
    """What a foreign key pointed at, by its reference or name (the key itself if it is gone)."""
    if pk is None:
        return None
    row = field.related_model._default_manager.filter(pk=pk).first()
    if row is None:
        return f"#{pk}"
    return getattr(row, "reference", None) or str(row)


def _entries(records: list, label: str, model) -> list[HistoryEntry]:
    entries = []
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    previous = None
    for record in records:
        changes: list[Change] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                old, new = change.old, change.new
                if field.is_relation:
                    old, new = _related(field, old), _related(field, new)
                changes.append(Change(str(field.verbose_name).capitalize(), _shown(old), _shown(new)))
        user = record.history_user
        who = (user.get_full_name() or user.get_username()) if user is not None else "Pegasus (system)"
        entries.append(
            HistoryEntry(record.history_date, who, f"{HISTORY_TYPES.get(record.history_type, '')} {label}", changes)
        )
        previous = record
    return entries


def _short(text: str, limit: int = 60) -> str:
    """Text cut at a word within `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def raid_history(item: RaidItem) -> list[HistoryEntry]:
    """Every saved version of the item and of its mitigations, newest first."""
    entries = _entries(list(item.history.select_related("history_user")), item.reference, RaidItem)
    by_mitigation: dict[int, list] = {}
    for record in Mitigation.history.filter(item_id=item.pk).select_related("history_user"):
        by_mitigation.setdefault(record.id, []).append(record)
    for records in by_mitigation.values():
        entries += _entries(records, f"mitigation “{_short(records[-1].action)}”", Mitigation)
    return sorted(entries, key=lambda e: e.when, reverse=True)
