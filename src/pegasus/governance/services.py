"""Every change to a decision: atomic, guarded by its state, attributed and audited."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction

from pegasus.core import bounds, clock, intake
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import OutOfBounds, RuleViolation
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.locks import locked
from pegasus.core.roles import Role, has_role
from pegasus.core.transitions import status_require
from pegasus.core.types import User
from pegasus.core.updates import model_update
from pegasus.governance import rules as r
from pegasus.governance.models import (
    PAPER_FIELDS,
    Appointment,
    Decision,
    DecisionStatus,
    Declaration,
    FoiExemption,
    MeetingStep,
    Part2Attachment,
    Recommendation,
)

NOT_IN_STATE = "{reference} is {status}: it can be {action} only when {allowed}."
DECLARATIONS_INCOMPLETE = "Every declaration must be confirmed before submission; not yet: {kinds}."
NOT_THE_APPROVER = "Only the {office} can decide {reference} (scheme clause {clause})."
APPROVED_IS_IMMUTABLE = "{reference} v{version} is approved and cannot change: make a new version."
STATEMENT_NEEDED = "Enter the statement that confirms the {kind} declaration."
REFERENCE_IS_FIXED = "{reference} v{version} corrects an approved decision: its reference cannot change."
ATTACHMENT_TYPE_REFUSED = "Attach a PDF, Word (DOCX) or Excel (XLSX) file; {name} is not one."
ATTACHMENT_TOO_LARGE = "{name}: {limit}"
ATTACHMENT_EMPTY = "{name} is empty."
NO_RECOMMENDATIONS = "Add at least one recommendation before submission."
NOTHING_TO_RELEASE = "{reference} has no Part 2 to release."
ALREADY_RELEASED = "{reference} Part 2 was released on {day}."
RELEASE_NEEDS_NOTE = "Record why Part 2 may now be released (the release review)."
EXEMPTION_STILL_APPLIES = (
    "Part 2 of {reference} cannot be released: {exemptions}. Only legal can release it earlier, in the public "
    "interest, with the reason."
)
EARLY_RELEASE_NEEDS_LEGAL = "Only legal can release Part 2 before its exemptions cease."
EARLY_RELEASE_NEEDS_REASON = (
    "Record the public interest decision: why Part 2 may be released before its exemptions cease."
)
EXTENSION_NOT_LATER = "The new date must be after {day}, the date the exemption ceased."
EXTENSION_NEEDS_REASON = "Record why the exemption still applies."
CONCERNS_NOT_YOURS = (
    "Only {reference}'s originating officer, a commercial officer or a programme director can record what it concerns."
)


@dataclass(frozen=True)
class RecommendationSpec:
    kind: str
    text: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class ExemptionSpec:
    section: str
    name: str
    ceases_on: date | None = None


class DecisionPaper(TypedDict, total=False):
    """What the author writes on the decision paper (`PAPER_FIELDS`), as `decision_update` takes it."""

    reference: str
    title: str
    decision_type: str
    executive_summary: str
    value: Decimal
    required_by: date | None
    introduction: str
    issues: str
    financial: str
    legal: str
    commercial: str
    privacy: str
    equality: str
    real_estate: str
    environmental: str
    background_papers: str
    part1_deferred_until: date | None
    part1_deferral_reason: str
    part2: str
    ceo_statement: str


class DecisionDraft(DecisionPaper, total=False):
    """The paper of a new draft, as `decision_create` takes it: its version too."""

    version: int


def _paper_only(fields: Mapping[str, object], also: frozenset[str] = frozenset()) -> None:
    """Drafting writes only what the author writes on the paper: status, approval and Part 2's release are set by
    their own steps, never smuggled in with a draft's fields."""
    foreign = sorted(set(fields) - set(PAPER_FIELDS) - also)
    if foreign:
        raise TypeError(f"Not a field of the decision paper: {', '.join(foreign)}")


def _check_decision_bounds(
    decision: Decision,
    *,
    recommendations: Sequence[RecommendationSpec] | None,
    exemptions: Sequence[ExemptionSpec] | None,
    route: Sequence[tuple[str, date | None]] | None,
) -> None:
    """What every way in may store on a paper: text without control characters, money and dates within
    `pegasus.core.bounds`. A failure in a list is keyed by the list, with the row's `position` (from 1) and the
    `part` of the row in its params, so that a page can show it on that row's field."""
    checks = FieldBounds(Decision)
    checks.model_fields(decision, names=set(PAPER_FIELDS) - {"value"})
    checks.check("value", bounds.check_money, decision.value)
    rows: dict[str, list[tuple[int, str, Any, Any, dict]]] = {
        "recommendations": [],
        "exemptions": [],
        "route": [],
    }
    for n, rec in enumerate(recommendations or (), start=1):
        rows["recommendations"] += [
            (n, "text", bounds.check_text, rec.text, {"multiline": True, "max_length": bounds.MAX_LONG_TEXT}),
            (n, "amount", bounds.check_money, rec.amount, {}),
        ]
    for n, exemption in enumerate(exemptions or (), start=1):
        rows["exemptions"] += [
            (n, "section", bounds.check_text, exemption.section, {}),
            (n, "name", bounds.check_text, exemption.name, {}),
            (n, "ceases_on", bounds.check_date, exemption.ceases_on, {}),
        ]
    for n, (body, meets_on) in enumerate(route or (), start=1):
        rows["route"] += [(n, "body", bounds.check_text, body, {}), (n, "meets_on", bounds.check_date, meets_on, {})]
    errors: dict[str, list] = {name: list(messages) for name, messages in checks.errors.items()}
    for name, checks_of_rows in rows.items():
        for position, part, check, value, options in checks_of_rows:
            if value is None:
                continue
            label = ROW_LABELS[name].format(position=position, part=part.replace("_", " "))
            try:
                check(value, label, **options)
            except OutOfBounds as exc:
                errors.setdefault(name, []).append(
                    ValidationError(str(exc), code="out_of_bounds", params={"position": position, "part": part})
                )
    if errors:
        raise ValidationError(errors)


ROW_LABELS = {
    "recommendations": "Recommendation {position} {part}",
    "exemptions": "Exemption {position} {part}",
    "route": "Meeting {position} {part}",
}


@transaction.atomic
def decision_create(
    *,
    by: User,
    recommendations: list[RecommendationSpec],
    exemptions: Sequence[ExemptionSpec] = (),
    route: Sequence[tuple[str, date | None]] = (),
    **fields: Unpack[DecisionDraft],
) -> Decision:
    """Draft a decision with its recommendations, Part 2 exemptions, route and an unticked declaration of each kind."""
    _paper_only(fields, also=frozenset({"version"}))
    decision = Decision(originating_officer=by, **fields)
    full_clean(decision)
    _check_decision_bounds(decision, recommendations=recommendations, exemptions=exemptions, route=route)
    decision.save()
    _lists_set(decision, recommendations=recommendations, exemptions=exemptions, route=route)
    Declaration.objects.bulk_create([Declaration(decision=decision, kind=kind) for kind in Declaration.Kind.values])
    audit_record(action="decision.create", by=by, obj=decision, summary=f"Drafted {decision.reference}")
    return decision


def _lists_set(
    decision: Decision,
    *,
    recommendations: Sequence[RecommendationSpec] | None = None,
    exemptions: Sequence[ExemptionSpec] | None = None,
    route: Sequence[tuple[str, date | None]] | None = None,
) -> None:
    """Replace whichever of the decision's lists are given, keeping their order."""
    if recommendations is not None:
        decision.recommendations.all().delete()
        for position, recommendation in enumerate(recommendations, start=1):
            Recommendation.objects.create(
                decision=decision,
                position=position,
                kind=recommendation.kind,
                text=recommendation.text,
                amount=recommendation.amount,
            )
    if exemptions is not None:
        decision.exemptions.all().delete()
        for exemption in exemptions:
            FoiExemption.objects.create(
                decision=decision, section=exemption.section, name=exemption.name, ceases_on=exemption.ceases_on
            )
    if route is not None:
        decision.route.all().delete()
        for position, (body, meets_on) in enumerate(route, start=1):
            MeetingStep.objects.create(decision=decision, position=position, body=body, meets_on=meets_on)


@transaction.atomic
def declaration_confirm(*, decision: Decision, kind: str, statement: str, by: User | None) -> Declaration:
    """Tick one of the originating officer's declarations with its statement (drafts only)."""
    decision = locked(Decision, decision.pk)
    status_require(
        decision.status, {DecisionStatus.DRAFT}, NOT_IN_STATE, reference=decision.reference, action="declared on"
    )
    declaration = decision.declarations.get(kind=kind)
    if not statement.strip():
        raise RuleViolation(STATEMENT_NEEDED.format(kind=declaration.get_kind_display().lower()))
    bounds.check_text(statement, "Statement", multiline=True, max_length=bounds.MAX_LONG_TEXT)
    declaration.statement = statement
    declaration.confirmed = True
    declaration.save()
    audit_record(
        action="decision.declare",
        by=by,
        obj=decision,
        summary=f"{Declaration.Kind(kind).label} confirmed on {decision.reference}",
    )
    return declaration


@transaction.atomic
def decision_submit(*, decision: Decision, by: User | None) -> Decision:
    """Submit a draft for decision; the scheme in force names the approver's office.

    Preconditions: the decision is a draft and every declaration is confirmed. Raises InvalidTransition or
    RuleViolation otherwise.
    """
    decision = locked(Decision, decision.pk)
    status_require(
        decision.status, {DecisionStatus.DRAFT}, NOT_IN_STATE, reference=decision.reference, action="submitted"
    )
    if not decision.recommendations.exists():
        raise RuleViolation(NO_RECOMMENDATIONS)
    missing = [d.get_kind_display() for d in decision.declarations.filter(confirmed=False)]
    if missing:
        raise RuleViolation(DECLARATIONS_INCOMPLETE.format(kinds=", ".join(missing)))
    day = clock.london_today()
    approval = r.approver_for(decision_type=r.DecisionType(decision.decision_type), value=decision.value, day=day)
    decision.approver_office = approval.approver
    decision.approver_clause = approval.clause or ""
    decision.status = DecisionStatus.SUBMITTED
    decision.save()
    audit_record(
        action="decision.submit",
        by=by,
        obj=decision,
        summary=f"Submitted {decision.reference} to the {approval.approver}",
        data={"clause": approval.clause, "scheme": approval.scheme},
    )
    return decision


def _decide(
    *, decision: Decision, by: User, status: str, interests: str, signed_at: datetime | None = None
) -> Decision:
    decision = locked(Decision, decision.pk)
    status_require(
        decision.status, {DecisionStatus.SUBMITTED}, NOT_IN_STATE, reference=decision.reference, action=status
    )
    holds_office = Appointment.objects.filter(user=by, office=decision.approver_office).exists()
    if not (has_role(by, Role.APPROVER) and holds_office):
        raise RuleViolation(
            NOT_THE_APPROVER.format(
                office=decision.approver_office, reference=decision.reference, clause=decision.approver_clause or "none"
            )
        )
    decision.status = status
    decision.decided_by = by
    decision.decided_at = signed_at or clock.now()
    bounds.check_text(interests, "Interests the approver declared", multiline=True, max_length=bounds.MAX_LONG_TEXT)
    decision.approver_interests = interests
    decision.save()
    audit_record(action=f"decision.{status}", by=by, obj=decision, summary=f"{decision.reference} {status}")
    return decision


@transaction.atomic
def decision_approve(
    *, decision: Decision, by: User, interests: str = "", signed_at: datetime | None = None
) -> Decision:
    """Approve a submitted decision, recording the approver's interest declaration.

    `signed_at` records a decision signed on paper earlier (PCD 579 was signed on 10 June 2019); default now.
    Preconditions: submitted; `by` has the approver role and holds the office the scheme named. Raises
    InvalidTransition or RuleViolation otherwise.
    """
    return _decide(decision=decision, by=by, status=DecisionStatus.APPROVED, interests=interests, signed_at=signed_at)


@transaction.atomic
def decision_reject(*, decision: Decision, by: User, interests: str = "") -> Decision:
    """Reject a submitted decision; the same preconditions as approval."""
    return _decide(decision=decision, by=by, status=DecisionStatus.REJECTED, interests=interests)


@transaction.atomic
def decision_withdraw(*, decision: Decision, by: User | None) -> Decision:
    """Withdraw a draft or submitted decision. Raises InvalidTransition once it is decided."""
    decision = locked(Decision, decision.pk)
    status_require(
        decision.status,
        {DecisionStatus.DRAFT, DecisionStatus.SUBMITTED},
        NOT_IN_STATE,
        reference=decision.reference,
        action="withdrawn",
    )
    decision.status = DecisionStatus.WITHDRAWN
    decision.save()
    audit_record(action="decision.withdraw", by=by, obj=decision, summary=f"{decision.reference} withdrawn")
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    by: User | None,
    recommendations: Sequence[RecommendationSpec] | None = None,
    exemptions: Sequence[ExemptionSpec] | None = None,
    route: Sequence[tuple[str, date | None]] | None = None,
    **fields: Unpack[DecisionPaper],
) -> Decision:
    """Change a draft, replacing any list given. An approved decision is immutable (RuleViolation); other states
    raise InvalidTransition."""
    _paper_only(fields)
    decision = locked(Decision, decision.pk)
    if decision.status == DecisionStatus.APPROVED:
        raise RuleViolation(APPROVED_IS_IMMUTABLE.format(reference=decision.reference, version=decision.version))
    status_require(
        decision.status, {DecisionStatus.DRAFT}, NOT_IN_STATE, reference=decision.reference, action="changed"
    )
    if decision.version > 1 and fields.get("reference", decision.reference) != decision.reference:
        raise RuleViolation(REFERENCE_IS_FIXED.format(reference=decision.reference, version=decision.version))
    changed = [name for name, value in fields.items() if getattr(decision, name) != value]
    model_update(
        decision,
        data=fields,
        check=lambda: _check_decision_bounds(
            decision, recommendations=recommendations, exemptions=exemptions, route=route
        ),
    )
    _lists_set(decision, recommendations=recommendations, exemptions=exemptions, route=route)
    changed += [
        name
        for name, given in (("recommendations", recommendations), ("exemptions", exemptions), ("route", route))
        if given is not None
    ]
    audit_record(
        action="decision.update",
        by=by,
        obj=decision,
        summary=f"Changed {decision.reference}: {', '.join(changed) or 'nothing'}",
    )
    return decision


@transaction.atomic
def decision_revise(*, decision: Decision, by: User) -> Decision:
    """Start a correction of an approved decision: a new draft version with the same reference and content, whose
    declarations must be confirmed again. The approved version stays as it was."""
    status_require(
        decision.status, {DecisionStatus.APPROVED}, NOT_IN_STATE, reference=decision.reference, action="revised"
    )
    latest = Decision.objects.filter(reference=decision.reference).order_by("-version").first()
    fields = {name: getattr(decision, name) for name in PAPER_FIELDS}
    revision = decision_create(
        by=by,
        version=(latest.version if latest else decision.version) + 1,
        recommendations=[RecommendationSpec(r.kind, r.text, r.amount) for r in decision.recommendations.all()],
        exemptions=[ExemptionSpec(e.section, e.name, e.ceases_on) for e in decision.exemptions.all()],
        route=[(s.body, s.meets_on) for s in decision.route.all()],
        **fields,
    )
    for attachment in decision.attachments.all():
        Part2Attachment.objects.create(
            decision=revision,
            title=attachment.title,
            file=attachment.file.name,
            content_type=attachment.content_type,
            size=attachment.size,
            uploaded_by=attachment.uploaded_by,
        )
    audit_record(
        action="decision.revise",
        by=by,
        obj=revision,
        summary=f"{revision.reference} v{revision.version} drafted to correct v{decision.version}",
    )
    return revision


def _in_force(decision: Decision, day: date) -> list[r.Exemption]:
    return r.exemptions_in_force(
        [r.Exemption(e.section, e.name, e.ceases_on) for e in decision.exemptions.order_by("pk")], day
    )


def _describe(exemption: r.Exemption) -> str:
    until = f"applies until {exemption.ceases_on:%-d %B %Y}" if exemption.ceases_on else "has no end date"
    return f"{exemption.section} ({exemption.name}) {until}"


def _releasable(decision: Decision) -> Decision:
    """The decision locked for release, once the checks every release shares have passed."""
    decision = locked(Decision, decision.pk)
    status_require(
        decision.status, {DecisionStatus.APPROVED}, NOT_IN_STATE, reference=decision.reference, action="released"
    )
    if not decision.part2.strip():
        raise RuleViolation(NOTHING_TO_RELEASE.format(reference=decision.reference))
    if decision.part2_released_at is not None:
        raise RuleViolation(
            ALREADY_RELEASED.format(reference=decision.reference, day=decision.part2_released_at.date())
        )
    return decision


@transaction.atomic
def part2_release(*, decision: Decision, by: User | None, note: str) -> Decision:
    """Publish an approved decision's Part 2 after a release review, once every exemption covering it has lapsed.

    This and `part2_release_early` are the only ways Part 2 reaches the public; every page, endpoint and command
    goes through them, and a disclosure cannot be undone. Preconditions: approved, with a Part 2 not yet released,
    a note of the review, and no exemption still in force today (one without an end date never lapses by itself).
    Raises InvalidTransition or RuleViolation otherwise. The public register shows the Part 2 from then on.
    """
    decision = _releasable(decision)
    if not note.strip():
        raise RuleViolation(RELEASE_NEEDS_NOTE)
    bounds.check_text(note, "Release review", multiline=True, max_length=bounds.MAX_LONG_TEXT)
    in_force = _in_force(decision, clock.london_today())
    if in_force:
        raise RuleViolation(
            EXEMPTION_STILL_APPLIES.format(
                reference=decision.reference, exemptions="; ".join(_describe(e) for e in in_force)
            )
        )
    decision.part2_released_at = clock.now()
    decision.part2_released_by = by
    decision.part2_release_note = note.strip()
    decision.save(update_fields=["part2_released_at", "part2_released_by", "part2_release_note"])
    audit_record(
        action="decision.part2-release",
        by=by,
        obj=decision,
        summary=f"Part 2 of {decision.reference} v{decision.version} released",
        data={"note": decision.part2_release_note},
    )
    return decision


@transaction.atomic
def part2_release_early(*, decision: Decision, by: User, reason: str) -> Decision:
    """Legal's public-interest decision to publish Part 2 before the exemptions covering it have lapsed.

    Preconditions: `by` has the legal role; approved, with a Part 2 not yet released, and the reason (the public
    interest test, or why the exemption no longer holds). Raises InvalidTransition or RuleViolation otherwise.
    Who, when, why and which exemptions were overridden are kept on the decision and in the audit trail.
    """
    if not has_role(by, Role.LEGAL):
        raise RuleViolation(EARLY_RELEASE_NEEDS_LEGAL)
    decision = _releasable(decision)
    if not reason.strip():
        raise RuleViolation(EARLY_RELEASE_NEEDS_REASON)
    bounds.check_text(reason, "Public interest decision", multiline=True, max_length=bounds.MAX_LONG_TEXT)
    in_force = _in_force(decision, clock.london_today())
    decision.part2_released_at = clock.now()
    decision.part2_released_by = by
    decision.part2_release_note = reason.strip()
    decision.part2_released_early = True
    decision.part2_release_overrode = "; ".join(
        f"{e.section} {e.name}" + (f" until {e.ceases_on}" if e.ceases_on else "") for e in in_force
    )
    decision.save(
        update_fields=[
            "part2_released_at",
            "part2_released_by",
            "part2_release_note",
            "part2_released_early",
            "part2_release_overrode",
        ]
    )
    audit_record(
        action="decision.part2-release-early",
        by=by,
        obj=decision,
        summary=f"Part 2 of {decision.reference} v{decision.version} released early by legal in the public interest",
        data={
            "reason": decision.part2_release_note,
            "overrode": [
                {"section": e.section, "name": e.name, "ceases_on": str(e.ceases_on) if e.ceases_on else None}
                for e in in_force
            ],
        },
    )
    return decision


@transaction.atomic
def exemption_extend(*, exemption: FoiExemption, ceases_on: date, reason: str, by: User | None) -> FoiExemption:
    """Keep withholding Part 2 under an exemption until a later date, with the review's reason (audited)."""
    bounds.check_date(ceases_on, "Exemption now ceases on")
    bounds.check_text(reason, "Why the exemption still applies", multiline=True, max_length=bounds.MAX_LONG_TEXT)
    exemption = locked(FoiExemption, exemption.pk, related=("decision",))
    if exemption.ceases_on is not None and ceases_on <= exemption.ceases_on:
        raise RuleViolation(EXTENSION_NOT_LATER.format(day=exemption.ceases_on))
    if not reason.strip():
        raise RuleViolation(EXTENSION_NEEDS_REASON)
    previous = exemption.ceases_on
    exemption.ceases_on = ceases_on
    exemption.save(update_fields=["ceases_on"])
    audit_record(
        action="decision.exemption-extend",
        by=by,
        obj=exemption.decision,
        summary=f"{exemption.section} on {exemption.decision.reference} extended to {ceases_on}",
        data={"from": str(previous) if previous else None, "to": str(ceases_on), "reason": reason.strip()},
    )
    return exemption


# What Part 2 papers may be: documents that open in the programs commercial teams use, and nothing executable.
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Papers are stored as they are, never unpacked, so their size is their only limit.
ATTACHMENT_LIMIT = intake.UploadLimit(
    max_bytes=20 * intake.MB, max_unpacked_bytes=20 * intake.MB, advice="attach a smaller file"
)
MAX_ATTACHMENT_BYTES = ATTACHMENT_LIMIT.max_bytes


@transaction.atomic
def part2_attachment_add(*, decision: Decision, upload, title: str = "", by: User | None) -> Part2Attachment:
    """Attach a paper to a draft's Part 2 (PDF, DOCX or XLSX, within `ATTACHMENT_LIMIT`). Raises RuleViolation for
    any other file and InvalidTransition once the decision is submitted."""
    decision = locked(Decision, decision.pk)
    status_require(
        decision.status, {DecisionStatus.DRAFT}, NOT_IN_STATE, reference=decision.reference, action="given attachments"
    )
    name = str(upload.name).rsplit("/", 1)[-1]
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise RuleViolation(ATTACHMENT_TYPE_REFUSED.format(name=intake.shown(name)))
    if upload.size > ATTACHMENT_LIMIT.max_bytes:
        raise RuleViolation(ATTACHMENT_TOO_LARGE.format(name=intake.shown(name), limit=ATTACHMENT_LIMIT.too_large))
    if upload.size == 0:
        raise RuleViolation(ATTACHMENT_EMPTY.format(name=intake.shown(name)))
    bounds.check_text(title, "Title", max_length=Part2Attachment._meta.get_field("title").max_length)
    attachment = Part2Attachment(
        decision=decision,
        title=title.strip() or name,
        content_type=ATTACHMENT_TYPES[extension],
        size=upload.size,
        uploaded_by=by,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit_record(
        action="decision.attach",
        by=by,
        obj=decision,
        summary=f"Attached {attachment.title} to Part 2 of {decision.reference}",
        data={"attachment": attachment.pk, "size": attachment.size},
    )
    return attachment


@transaction.atomic
def part2_attachment_remove(*, attachment: Part2Attachment, by: User | None) -> None:
    """Remove an attachment from a draft. The file goes once no version of the decision refers to it."""
    decision = locked(Decision, attachment.decision_id)
    status_require(
        decision.status, {DecisionStatus.DRAFT}, NOT_IN_STATE, reference=decision.reference, action="changed"
    )
    name, storage = attachment.file.name or "", attachment.file.storage
    title = attachment.title
    attachment.delete()
    if name and not Part2Attachment.objects.filter(file=name).exists():
        transaction.on_commit(lambda: storage.delete(name))
    audit_record(
        action="decision.detach", by=by, obj=decision, summary=f"Removed {title} from Part 2 of {decision.reference}"
    )


def _references(items: Iterable[Any]) -> list[str]:
    return sorted(item.reference for item in items)


@transaction.atomic
def decision_concerns_set(
    *, decision: Decision, contracts: Iterable[Any], procurements: Iterable[Any], by: User
) -> Decision:
    """Record the contracts and procurements a decision concerns, replacing those recorded before.

    Allowed at any status: linking is filing, not the paper, so an approved decision's content stays as it was.
    Preconditions: `by` is the decision's originating officer, a commercial officer or a programme director
    (RuleViolation otherwise). Audited with the references before and after; nothing is written when nothing changes.
    """
    decision = locked(Decision, decision.pk)
    if not by.has_perm("governance.file_decision_concerns", decision):
        raise RuleViolation(CONCERNS_NOT_YOURS.format(reference=decision.reference))
    contracts, procurements = list(contracts), list(procurements)
    before = {
        "contracts": _references(decision.contracts.all()),
        "procurements": _references(decision.procurements.all()),
    }
    after = {"contracts": _references(contracts), "procurements": _references(procurements)}
    if before == after:
        return decision
    decision.contracts.set(contracts)
    decision.procurements.set(procurements)
    audit_record(
        action="decision.concerns",
        by=by,
        obj=decision,
        summary=f"{decision.reference} v{decision.version} filed as concerning "
        + ("; ".join(f"{kind} {', '.join(refs)}" for kind, refs in after.items() if refs) or "nothing"),
        data={"before": before, "after": after},
    )
    return decision
