"""Reads of decisions for pages, with what each page shows fetched in a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from pegasus.core.clock import as_at_end
from pegasus.estate import selectors as estate_selectors
from pegasus.governance.decision_content import document_filename
from pegasus.governance.decision_pdf import decision_public_pdf
from pegasus.governance.models import PART1_SECTIONS, Appointment, Decision, FoiExemption
from pegasus.procurement import selectors as procurement_selectors


def holds_office(user, office: str) -> bool:
    """Whether `user` is appointed to the office a scheme of delegation names."""
    return (
        bool(getattr(user, "is_authenticated", False)) and Appointment.objects.filter(user=user, office=office).exists()
    )


def decision_list() -> QuerySet[Decision]:
    return Decision.objects.select_related("originating_officer", "decided_by").order_by("-id")


def decision_search(
    *,
    text: str = "",
    status: str = "",
    decision_type: str = "",
    decided_from: date | None = None,
    decided_to: date | None = None,
    as_at: date | None = None,
) -> QuerySet[Decision]:
    """Decisions whose reference or title (Part 1 only: never Part 2) contains `text`, by status, type and the
    date decided, newest first; as at a day, by the status and decision date each had then (`decision_then`: one
    decided later was awaiting its decision)."""
    decisions = decision_list()
    if text:
        decisions = decisions.filter(Q(reference__icontains=text) | Q(title__icontains=text))
    decided_later = Q(decided_at__gt=as_at_end(as_at)) if as_at is not None else Q(pk__in=[])
    if status:
        then = Q(status=status) & ~decided_later
        decisions = decisions.filter(then | decided_later if status == Decision.Status.SUBMITTED else then)
    if decision_type:
        decisions = decisions.filter(decision_type=decision_type)
    if decided_from or decided_to:
        decisions = decisions.exclude(decided_later)
    if decided_from:
        decisions = decisions.filter(decided_at__date__gte=decided_from)
    if decided_to:
        decisions = decisions.filter(decided_at__date__lte=decided_to)
    return decisions


def decision_detail(pk: int) -> Decision:
    return (
        Decision.objects.select_related("originating_officer", "decided_by", "part2_released_by")
        .prefetch_related(
            "recommendations",
            "declarations",
            "exemptions",
            "route",
            "attachments",
            Prefetch("contracts", queryset=estate_selectors.contracts_by_reference()),
            Prefetch("procurements", queryset=procurement_selectors.procurements().order_by("reference")),
        )
        .get(pk=pk)
    )


def decisions_concerning_contract(contract: Any) -> QuerySet[Decision]:
    """The decisions that concern a contract, or authorise one of its changes, by reference and version."""
    return (
        Decision.objects.filter(Q(contracts=contract) | Q(contract_changes__contract=contract))
        .distinct()
        .order_by("reference", "version")
    )


def decisions_concerning_procurement(procurement: Any) -> QuerySet[Decision]:
    """The decisions that concern a procurement, by reference and version."""
    return Decision.objects.filter(procurements=procurement).order_by("reference", "version")


def part2_due_for_release(today: date) -> QuerySet[Decision]:
    """Approved decisions with a withheld Part 2 whose exemptions have ceased (or that has no exemption at all)."""
    ceased = FoiExemption.objects.filter(decision=OuterRef("pk"), ceases_on__lte=today)
    any_exemption = FoiExemption.objects.filter(decision=OuterRef("pk"))
    return (
        Decision.objects.filter(status=Decision.Status.APPROVED, part2_released_at__isnull=True)
        .exclude(part2="")
        .filter(Q(Exists(ceased)) | ~Q(Exists(any_exemption)))
        .select_related("originating_officer", "decided_by")
        .prefetch_related("exemptions")
        .order_by("reference", "version")
    )


def decisions_due(today: date, *, within_days: int = 30) -> QuerySet[Decision]:
    """Drafts and submitted decisions whose "decision required by" date is past or within the window."""
    return (
        Decision.objects.filter(
            status__in=[Decision.Status.DRAFT, Decision.Status.SUBMITTED],
            required_by__isnull=False,
            required_by__lte=today + timedelta(days=within_days),
        )
        .select_related("originating_officer")
        .order_by("required_by", "reference")
    )


def decisions_open_on(as_at: date, *, within_days: int) -> QuerySet[Decision]:
    """Decisions that, as at a day, were still to be taken and were required by a day up to `within_days` after it:
    not decided by then (drafts, submitted, or decided after it) and not withdrawn; each reference's versions latest
    first."""
    decided_later = Q(decided_at__isnull=True) | Q(decided_at__date__gt=as_at)
    return (
        Decision.objects.filter(
            decided_later,
            required_by__isnull=False,
            required_by__lte=as_at + timedelta(days=within_days),
        )
        .exclude(status=Decision.Status.WITHDRAWN)
        .select_related("originating_officer")
        .order_by("required_by", "reference", "-version")
    )


@dataclass(frozen=True)
class DecisionThen:
    """A decision as it stood at the end of an as-at day: one decided after that day was still awaiting its decision
    then, and shows no decision."""

    decision: Decision
    status: str
    status_label: str
    decided_at: datetime | None

    @property
    def decided_later(self) -> bool:
        return self.decision.decided_at is not None and self.decided_at is None


def decision_then(decision: Decision, as_at: date) -> DecisionThen:
    """`decision` as at the end of `as_at` (see `DecisionThen`)."""
    if decision.decided_at is not None and decision.decided_at > as_at_end(as_at):
        return DecisionThen(decision, Decision.Status.SUBMITTED, "Awaiting decision", None)
    return DecisionThen(decision, decision.status, decision.get_status_display(), decision.decided_at)


def papers_due_on(as_at: date, *, within_days: int = 30) -> list[DecisionThen]:
    """Decisions still to be taken as at a day whose "decision required by" date is past or within the window, each
    reference once (its latest version), as they stood that day."""
    seen: set[str] = set()
    due = []
    for decision in decisions_open_on(as_at, within_days=within_days):
        if decision.reference not in seen:
            seen.add(decision.reference)
            due.append(decision_then(decision, as_at))
    return due


# --- What the public may read of a decision: the public register, its feeds and OCDS ---

# The only fields a public page, feed or document may read from a decision. Part 2 is read only when released.
PUBLIC_FIELDS = (
    "pk",
    "reference",
    "version",
    "title",
    "decision_type",
    "executive_summary",
    "value",
    *PART1_SECTIONS,
    "ceo_statement",
    "approver_office",
    "decided_at",
    "part1_deferred_until",
    "part2_released_at",
    "part2_released_early",
)


def _public(today: date) -> Q:
    return Q(status=Decision.Status.APPROVED) & (
        Q(part1_deferred_until__isnull=True) | Q(part1_deferred_until__lte=today)
    )


def public_decisions(today: date) -> QuerySet[Decision]:
    """Approved decisions whose Part 1 is public by `today` (not deferred, or deferred until then), their public
    fields only. Drafts, submitted, rejected and withdrawn decisions are never among them."""
    return Decision.objects.filter(_public(today)).only(*PUBLIC_FIELDS[1:])


def public_decision(pk: int, today: date) -> Decision:
    """One public decision with the lists its Part 1 shows. Raises Decision.DoesNotExist when it is not public.

    Its `part2` is blanked so that no page or document can show it by mistake; `released_part2` holds the Part 2
    text once, and only once, the commercial team has released it.
    """
    decision = (
        public_decisions(today).prefetch_related("recommendations", "declarations", "exemptions", "route").get(pk=pk)
    )
    decision.released_part2 = (  # type: ignore[attr-defined]
        Decision.objects.values_list("part2", flat=True).get(pk=pk) if decision.part2_released_at else ""
    )
    decision.part2 = ""
    return decision


def public_decision_pdf(decision: Decision) -> tuple[bytes, str]:
    """The published decision form of a public decision, Part 1 only, and the name of its file."""
    return decision_public_pdf(decision), document_filename(decision, 1, "pdf")


def approved_decision(reference: str) -> Decision | None:
    """The latest approved version of the decision with this reference (such as PCD 579), or None."""
    return Decision.objects.filter(reference=reference, status=Decision.Status.APPROVED).order_by("-version").first()
