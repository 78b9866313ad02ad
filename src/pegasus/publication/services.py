"""Writes of the market view: importing OCDS releases, all or nothing unless the caller sets bad files aside; and
the post-award notices: drafted from the records, checked by a second person, published, corrected by a new one;
and the record of each OCDS export, checked against the schema and kept in the shared storage."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from pegasus.core import clock, intake
from pegasus.core.audit import audit_record
from pegasus.core.clock import default_as_at
from pegasus.core.exceptions import InputError, RuleViolation
from pegasus.core.locks import locked
from pegasus.core.roles import Role, has_role
from pegasus.core.storage import shared_storage
from pegasus.core.transitions import status_require, transition_require
from pegasus.core.types import User
from pegasus.core.updates import attributed
from pegasus.estate.selectors import contract_current, regime_of
from pegasus.publication import market as m
from pegasus.publication import ocds_review, rules, selectors
from pegasus.publication.models import MarketAward, MarketImport, MarketProcess, MarketRelease, Notice, OcdsExport

PENNY = Decimal("0.01")
# ocids looked up per query: well inside SQLite's limit on bound variables, however large the import.
CHUNK = 5000


def _of_ocids(queryset, ocids) -> Iterator:
    """The rows of `queryset` whose ocid is one of `ocids`, fetched a chunk of ocids at a time."""
    ordered = sorted(ocids)
    for start in range(0, len(ordered), CHUNK):
        yield from queryset.filter(ocid__in=ordered[start : start + CHUNK])


class MarketFilesRejected(InputError):
    """Files the import could not take; nothing was stored."""

    def __init__(self, rejected: list[dict[str, str]]):
        super().__init__(f"{len(rejected)} file{'s' if len(rejected) != 1 else ''} rejected; nothing was imported")
        self.rejected = rejected


def _conflicts(files: Sequence[m.FileResult]) -> None:
    """Reject a file that brings a release already held, or brought by another file, with different content."""
    keys = {(r.ocid, r.id) for f in files for r in f.releases}
    ocids = {ocid for ocid, _ in keys}
    held = {
        (ocid, release_id): data
        for ocid, release_id, data in _of_ocids(MarketRelease.objects.values_list("ocid", "release_id", "data"), ocids)
        if (ocid, release_id) in keys
    }
    for result in files:
        for release in result.releases:
            key = (release.ocid, release.id)
            if key in held and held[key] != release.data:
                result.error = (
                    f"release {release.id} of {release.ocid} is already held with different content "
                    "(an OCDS release id names one release only; a change is a new release)"
                )
                result.releases = []
                break
            held.setdefault(key, release.data)


def market_import(
    files: Sequence[m.FileResult], *, by: User | None, source: str, skip_invalid: bool = False
) -> MarketImport:
    """Store the releases of every file read; files read but rejected are recorded, and unless `skip_invalid` they
    stop the whole import (MarketFilesRejected) before anything is written. Importing the same files again adds
    nothing."""
    with transaction.atomic():
        _conflicts(files)
        # A reason may quote what the file held: kept short, as it is shown, stored and audited.
        rejected = [
            {"file": intake.shortened(f.name, 200), "reason": intake.shortened(f.error, 300)} for f in files if f.error
        ]
        if rejected and not skip_invalid:
            raise MarketFilesRejected(rejected)
        taken = [release for f in files if not f.error for release in f.releases]
        held = set(_of_ocids(MarketRelease.objects.values_list("ocid", "release_id"), {r.ocid for r in taken}))
        new = {(r.ocid, r.id): r for r in taken if (r.ocid, r.id) not in held}
        record = MarketImport.objects.create(
            by=by if getattr(by, "is_authenticated", False) else None,
            source=source,
            files=len(files),
            releases_new=len(new),
            releases_unchanged=len(taken) - len(new),
            rejected=rejected,
        )
        MarketRelease.objects.bulk_create(
            MarketRelease(ocid=r.ocid, release_id=r.id, date=r.date, source=r.source, data=r.data, imported=record)
            for r in new.values()
        )
        record.processes = _compile({ocid for ocid, _ in new})
        record.save(update_fields=["processes"])
        audit_record(
            action="publication.market-import",
            by=by,
            obj=record,
            summary=(
                f"OCDS import: {record.releases_new} new releases, {record.releases_unchanged} already held, "
                f"{len(rejected)} files rejected"
            ),
            data={"source": source, "rejected": rejected},
        )
    return record


def _compile(ocids: set[str]) -> int:
    """Rebuild the processes whose releases changed; the number rebuilt."""
    releases: dict[str, list[dict]] = defaultdict(list)
    latest: dict[str, datetime] = {}
    for ocid, data, when in _of_ocids(MarketRelease.objects.values_list("ocid", "data", "date"), ocids):
        releases[ocid].append(data)
        latest[ocid] = max(when, latest.get(ocid, when))
    existing = {p.ocid: p for p in _of_ocids(MarketProcess.objects.all(), ocids)}
    processes = []
    for ocid, data in releases.items():
        summary = m.compile_process(data)
        process = existing.get(ocid) or MarketProcess(ocid=ocid)
        process.title = summary.title or ""
        process.buyer = summary.buyer or ""
        process.cpv = summary.cpv or []
        process.division = m.ict_division(process.cpv)
        process.suppliers = "\n".join(summary.suppliers or [])
        process.supplier_count = len(summary.suppliers or [])
        process.value = summary.value.quantize(PENNY, ROUND_HALF_UP) if summary.value is not None else None
        process.currency = (summary.currency or "")[:3]
        process.value_kind = summary.value_kind or ""
        process.start, process.end = summary.start, summary.end
        process.stage = summary.stage or ""
        process.last_release = latest[ocid]
        processes.append(process)
    MarketProcess.objects.bulk_create([p for p in processes if p.pk is None])
    fields = [f.name for f in MarketProcess._meta.concrete_fields if f.name not in {"id", "ocid"}]
    MarketProcess.objects.bulk_update([p for p in processes if p.ocid in existing], fields)
    saved = dict(_of_ocids(MarketProcess.objects.values_list("ocid", "pk"), ocids))
    pks = sorted(saved.values())
    for start in range(0, len(pks), CHUNK):
        MarketAward.objects.filter(process_id__in=pks[start : start + CHUNK]).delete()
    MarketAward.objects.bulk_create(
        MarketAward(process_id=saved[p.ocid], supplier=name) for p in processes for name in p.supplier_names
    )
    return len(processes)


# --- Post-award notices: drafted from the records, checked by someone else, published, then never changed ---------

NOTICE_DRAFT_ROLE = "Only a commercial officer may draft a notice."
NOTICE_PUBLISH_ROLE = "Only a commercial officer may publish a notice."
NOTICE_CHECK_ROLE = "Only a commercial officer or legal may check a notice."
NOTICE_CHECKER_IS_DRAFTER = "A notice is checked by someone other than the person who drafted it."
NOTICE_NOT_DRAFT = "This notice is {status}: only a draft notice can be checked."
NOTICE_NOT_CHECKED = "This notice is {status}: only a checked notice can be published."
NOTICE_PUBLISHED = "This notice is published and cannot be changed: correct it with a new notice."
NOTICE_NOT_PUBLISHED = "This notice is {status}: only a published notice is corrected; change the draft instead."
NOTICE_CORRECTION_PENDING = "Notice {pk} already corrects this notice and is not published yet: finish that one."
NOTICE_CHANGE_UNDECIDED = "This change is {status}: a notice is drafted from an approved or effective change."
NOTICE_NONE_NEEDED = "The modification rules ask for no notice of this change: {reason}."
NOTICE_ALREADY_DRAFTED = (
    "Notice {pk} is already drafted from this change ({state}): continue it, or correct it once published."
)
NOTICE_ALREADY_FOR_CONTRACT = (
    "Notice {pk}, a {kind} of {reference}{period}, is already drafted ({state}): continue it, or correct it once "
    "published."
)
NOTICE_NOT_JUDGED = "The modification rules cannot judge this change, so no notice is drafted from it."
NOTICE_TERMINATION_NOT_EFFECTIVE = "This termination is {status}: a UK11 is drafted once the termination is effective."
NOTICE_KIND_NOT_OF_CHANGE = "A {kind} is drafted for a contract, not from a change."
NOTICE_PERIOD_BACKWARDS = "The assessment period ends on or after it starts."
NOTICE_RATING_MISSING = "Rate {kpi}: there were no figures to rate it from."
NOTICE_RATING_UNKNOWN = "{rating!r} is not a rating; the ratings are {ratings}."
NOTICE_NO_KPIS = "{reference} has no KPIs set: set at least three (s52) before drafting a UK9."
NOTE_TOO_LONG = "Keep the note to {most} characters."
NOTE_MOST = 2000
RATINGS = ("Good", "Approaching target", "Requires improvement", "Inadequate")


def _someone(by: User | None) -> User | None:
    return by if getattr(by, "is_authenticated", False) else None


def _notice_audit(notice: Notice, action: str, by: User | None, summary: str) -> None:
    audit_record(
        action=f"notice.{action}",
        by=by,
        obj=notice,
        summary=f"{summary}: {notice.kind} of {notice.contract.reference}",
        data={"contract": notice.contract.reference, "kind": notice.kind, "state": notice.state},
    )


def _require_role(by: User | None, message: str, *roles: str) -> None:
    # The demo loader (by=None) acts as the system; anyone signed in needs the role.
    if by is not None and not has_role(by, *roles):
        raise RuleViolation(message)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def _contract_part(contract: Any, as_at: date) -> dict[str, Any]:
    current = contract_current(contract, as_at)
    return {
        "reference": contract.reference,
        "title": contract.title,
        "supplier": contract.supplier.name,
        "authority": contract.authority.name,
        "start_date": contract.start_date.isoformat(),
        "end_date": current.current_end.isoformat(),
        "original_value": _money(contract.total_value),
        "current_value": _money(current.current_value),
        "vat_basis": contract.vat_basis,
        "status": contract.status,
    }


def _requirement_part(requirement: rules.Requirement) -> dict[str, Any]:
    return {
        "required": requirement.required,
        "provision": requirement.provision,
        "due": requirement.due.isoformat() if requirement.due else None,
        "text": requirement.text,
        "reminder": requirement.reminder,
    }


def notice_body(
    *,
    kind: str,
    contract: Any,
    change: Any = None,
    as_at: date,
    period: tuple[date, date] | None = None,
    assessments: list[dict[str, Any]] | None = None,
    note: str = "",
) -> dict[str, Any]:
    """What a notice of `kind` says, from the records as at `as_at`: the contract, what the law asks of the notice
    and when (`publication.rules`), and the change, termination, KPIs or assessment it reports."""
    regime = regime_of(contract)
    body: dict[str, Any] = {
        "kind": kind,
        "title": rules.TITLES[rules.NoticeKind(kind)],
        "regime": regime,
        "contract": _contract_part(contract, as_at),
        "note": note,
    }
    if kind in (rules.NoticeKind.UK10, rules.NoticeKind.PCR_MOD):
        verdict = selectors.change_verdict(change)
        current = contract_current(contract, as_at)
        effective = change.state == "effective"
        before = current.current_value - (change.value if effective else Decimal(0))
        body["change"] = {
            "id": change.pk,
            "kind": change.kind,
            "kind_label": change.get_kind_display(),
            "ground": change.ground,
            "reason": change.reason,
            "scope": change.scope,
            "effective_on": change.effective_on.isoformat(),
            "value_change": _money(change.value),
            "value_before": _money(before),
            "value_after": _money(before + change.value),
            "term_change_months": change.term_change_months + (change.option.length_months if change.option else 0),
            "rules": verdict.reason if verdict else "",
        }
        requirement = rules.requirement(
            kind,
            regime,
            effective_on=change.effective_on,
            publish_modified_contract=bool(verdict and verdict.publish_modified_contract),
        )
    elif kind == rules.NoticeKind.UK11:
        body["termination"] = {
            "id": change.pk,
            "date": change.termination_date.isoformat(),
            "reason": change.termination_reason,
            "reason_label": change.get_termination_reason_display(),
            "explanation": change.reason,
            "value_at_termination": _money(contract_current(contract, as_at).current_value),
        }
        requirement = rules.requirement(kind, regime, termination_date=change.termination_date)
    elif kind == rules.NoticeKind.UK9:
        assert period is not None
        body["period"] = {"start": period[0].isoformat(), "end": period[1].isoformat()}
        body["assessments"] = assessments or []
        last = (
            Notice.objects.filter(contract=contract, kind=kind, state=Notice.State.PUBLISHED)
            .order_by("-period_end")
            .values_list("period_end", flat=True)
            .first()
        )
        requirement = rules.requirement(kind, regime, start_date=contract.start_date, last_assessed=last)
    else:
        value = contract_current(contract, as_at).current_value
        body["kpis_required"] = rules.kpis_required(value)
        body["kpis"] = selectors.contract_kpis(contract)
        requirement = rules.requirement(kind, regime, start_date=contract.start_date)
    body["requirement"] = _requirement_part(requirement)
    return body


def _create(
    *,
    kind: str,
    contract: Any,
    change: Any = None,
    body: dict[str, Any],
    period: tuple[date, date] | None = None,
    corrects: Notice | None = None,
    by: User | None,
) -> Notice:
    if change is None and corrects is None:  # a contract's UK7, or its UK9 for a period, is drafted once
        same = Notice.objects.filter(contract=contract, kind=kind, corrects=None)
        existing = (same.filter(period_end=period[1]) if period else same).first()
        if existing is not None:
            raise RuleViolation(
                NOTICE_ALREADY_FOR_CONTRACT.format(
                    pk=existing.pk,
                    kind=kind,
                    reference=contract.reference,
                    period=f" for the period ending {period[1]:%d %B %Y}" if period else "",
                    state=existing.state,
                )
            )
    notice = Notice(
        kind=kind,
        contract=contract,
        change=change,
        body=body,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        corrects=corrects,
        drafted_by=_someone(by),
        drafted_at=clock.now(),
    )
    notice.full_clean()
    attributed(notice, by).save()
    return notice


@transaction.atomic
def notice_draft_from_change(*, change: Any, by: User | None, as_at: date | None = None) -> Notice:
    """Draft the notice a change calls for: a UK11 from an effective termination, a UK10 (PA 2023 s75) or a PCR 2015
    modification notice (reg 72(3)) from an approved or effective variation or option exercise, as the modification
    rules say. Refuses (RuleViolation, InvalidTransition) a drafter without the role, an undecided change, and a
    change the rules ask no notice of."""
    _require_role(by, NOTICE_DRAFT_ROLE, Role.COMMERCIAL_OFFICER)
    as_at = as_at or default_as_at()
    if change.kind == "termination":
        status_require(change.state, {"effective"}, NOTICE_TERMINATION_NOT_EFFECTIVE)
    else:
        status_require(change.state, {"approved", "effective"}, NOTICE_CHANGE_UNDECIDED)
    existing = Notice.objects.filter(change=change, corrects=None).first()
    if existing is not None:
        raise RuleViolation(NOTICE_ALREADY_DRAFTED.format(pk=existing.pk, state=existing.state))
    kind, verdict = selectors.notice_kind_for_change(change)
    if not kind:
        if verdict is None:
            raise RuleViolation(NOTICE_NOT_JUDGED)
        raise RuleViolation(NOTICE_NONE_NEEDED.format(reason=verdict.reason))
    notice = _create(
        kind=kind,
        contract=change.contract,
        change=change,
        body=notice_body(kind=kind, contract=change.contract, change=change, as_at=as_at),
        by=by,
    )
    _notice_audit(notice, "draft", by, "Drafted")
    return notice


@transaction.atomic
def notice_draft_details(*, contract: Any, by: User | None, as_at: date | None = None) -> Notice:
    """Draft a UK7 contract details notice (PA 2023 s53) of a contract, with its KPIs where it is worth more than
    £5 million (s52)."""
    _require_role(by, NOTICE_DRAFT_ROLE, Role.COMMERCIAL_OFFICER)
    as_at = as_at or default_as_at()
    kind = rules.NoticeKind.UK7.value
    notice = _create(kind=kind, contract=contract, body=notice_body(kind=kind, contract=contract, as_at=as_at), by=by)
    _notice_audit(notice, "draft", by, "Drafted")
    return notice


def _checked_ratings(assessments: list[dict[str, Any]], ratings: dict[str, str]) -> list[dict[str, Any]]:
    """Each assessment with its rating: the figures' own, or the drafter's where the figures gave none."""
    out = []
    for item in assessments:
        rating = item.get("rating") or ratings.get(str(item["kpi"]), "")
        if not rating:
            raise ValidationError({"ratings": NOTICE_RATING_MISSING.format(kpi=item["name"])})
        if rating not in RATINGS:
            raise ValidationError({"ratings": NOTICE_RATING_UNKNOWN.format(rating=rating, ratings=", ".join(RATINGS))})
        out.append({**item, "rating": rating, "rated_by": "figures" if item.get("rating") else "drafter"})
    return out


@transaction.atomic
def notice_draft_performance(
    *,
    contract: Any,
    period_start: date,
    period_end: date,
    assessments: list[dict[str, Any]],
    ratings: dict[str, str] | None = None,
    by: User | None,
    as_at: date | None = None,
) -> Notice:
    """Draft a UK9 contract performance notice (PA 2023 s71) of a contract for an assessment period: each KPI's
    rating from the supplier's figures (`assessments`: kpi, name, rating, attainment, target, basis), or the
    drafter's from `ratings` (by KPI id) where the figures gave none. Refuses a KPI left unrated, an unknown rating,
    a contract without KPIs and a period that ends before it starts."""
    _require_role(by, NOTICE_DRAFT_ROLE, Role.COMMERCIAL_OFFICER)
    as_at = as_at or default_as_at()
    if period_end < period_start:
        raise ValidationError({"period_end": NOTICE_PERIOD_BACKWARDS})
    if not assessments:
        raise RuleViolation(NOTICE_NO_KPIS.format(reference=contract.reference))
    rated = _checked_ratings(assessments, ratings or {})
    kind = rules.NoticeKind.UK9.value
    period = (period_start, period_end)
    notice = _create(
        kind=kind,
        contract=contract,
        body=notice_body(kind=kind, contract=contract, as_at=as_at, period=period, assessments=rated),
        period=period,
        by=by,
    )
    _notice_audit(notice, "draft", by, "Drafted")
    return notice


@transaction.atomic
def notice_update(*, notice: Notice, note: str, by: User | None) -> Notice:
    """Change a draft or checked notice's note; a checked notice goes back to draft, to be checked again. Refuses
    (InvalidTransition) a published notice: it is corrected by a new notice."""
    _require_role(by, NOTICE_DRAFT_ROLE, Role.COMMERCIAL_OFFICER)
    notice = locked(Notice, notice.pk, related=("contract",))
    transition_require(notice.state != Notice.State.PUBLISHED, NOTICE_PUBLISHED)
    if len(note) > NOTE_MOST:
        raise ValidationError({"note": NOTE_TOO_LONG.format(most=NOTE_MOST)})
    notice.body = {**notice.body, "note": note}
    notice.state = Notice.State.DRAFT
    notice.checked_by, notice.checked_at = None, None
    attributed(notice, by).save()
    _notice_audit(notice, "update", by, "Changed the note")
    return notice


@transaction.atomic
def notice_check(*, notice: Notice, by: User | None) -> Notice:
    """Check a draft notice: by a commercial officer or legal who did not draft it (four eyes). Refuses
    (RuleViolation, InvalidTransition) another role, the drafter, and a notice that is not a draft."""
    _require_role(by, NOTICE_CHECK_ROLE, Role.COMMERCIAL_OFFICER, Role.LEGAL)
    notice = locked(Notice, notice.pk, related=("contract",))
    status_require(notice.state, {Notice.State.DRAFT}, NOTICE_NOT_DRAFT)
    if notice.drafted_by_id is not None and notice.drafted_by_id == getattr(by, "pk", None):
        raise RuleViolation(NOTICE_CHECKER_IS_DRAFTER)
    notice.state = Notice.State.CHECKED
    notice.checked_by, notice.checked_at = _someone(by), clock.now()
    attributed(notice, by).save()
    _notice_audit(notice, "check", by, "Checked")
    return notice


@transaction.atomic
def notice_publish(*, notice: Notice, by: User | None) -> Notice:
    """Publish a checked notice (a commercial officer). From then on it is never changed. Refuses (RuleViolation,
    InvalidTransition) another role and a notice that is not checked."""
    _require_role(by, NOTICE_PUBLISH_ROLE, Role.COMMERCIAL_OFFICER)
    notice = locked(Notice, notice.pk, related=("contract",))
    status_require(notice.state, {Notice.State.CHECKED}, NOTICE_NOT_CHECKED)
    notice.state = Notice.State.PUBLISHED
    notice.published_by, notice.published_at = _someone(by), clock.now()
    attributed(notice, by).save()
    _notice_audit(notice, "publish", by, "Published")
    return notice


@transaction.atomic
def notice_correct(*, notice: Notice, reason: str, by: User | None, as_at: date | None = None) -> Notice:
    """Draft the correction of a published notice: a new notice of the same kind, contract, change and period,
    built again from the records (a UK9 keeps its ratings), that `corrects` it; the published notice is unchanged.
    Refuses a notice that is not published and one whose correction is still to be published."""
    _require_role(by, NOTICE_DRAFT_ROLE, Role.COMMERCIAL_OFFICER)
    notice = locked(Notice, notice.pk, related=("contract",))
    status_require(notice.state, {Notice.State.PUBLISHED}, NOTICE_NOT_PUBLISHED)
    pending = notice.corrections.exclude(state=Notice.State.PUBLISHED).values_list("pk", flat=True).first()
    transition_require(pending is None, lambda: NOTICE_CORRECTION_PENDING.format(pk=pending))
    if len(reason) > NOTE_MOST:
        raise ValidationError({"note": NOTE_TOO_LONG.format(most=NOTE_MOST)})
    as_at = as_at or default_as_at()
    period = (notice.period_start, notice.period_end) if notice.period_start and notice.period_end else None
    body = notice_body(
        kind=notice.kind,
        contract=notice.contract,
        change=notice.change,
        as_at=as_at,
        period=period,
        assessments=notice.body.get("assessments"),
        note=reason,
    )
    published = notice.published_at.isoformat() if notice.published_at else None
    body["corrects"] = {"id": notice.pk, "published_at": published}
    correction = _create(
        kind=notice.kind,
        contract=notice.contract,
        change=notice.change,
        body=body,
        period=period,
        corrects=notice,
        by=by,
    )
    _notice_audit(correction, "correct", by, f"Drafted a correction of notice {notice.pk}")
    return correction


# --- OCDS exports ------------------------------------------------------------------------------------------------

# The errors kept with an export (all are counted); the Open data page shows the first of them.
EXPORT_ERRORS_KEPT = 20
EXPORT_KIND_UNKNOWN = "An OCDS package is of releases or of records."


def ocds_export_create(
    *, kind: str, as_at: date, generated_at: datetime, package: dict[str, Any], via: str, by: User | None
) -> OcdsExport:
    """Record an export of an OCDS package (`kind` releases or records, built as at `as_at` and published at
    `generated_at`): check it against the OCDS 1.1.5 schema with the UK extension, keep its file in the shared
    storage, count what it holds and audit it. A package the schema refuses is recorded all the same, with its
    errors: the record says what was exported, valid or not.

    Raises ValidationError for a kind or a `via` that is not one of OcdsExport's.
    """
    if kind not in OcdsExport.Kind.values:
        raise ValidationError({"kind": EXPORT_KIND_UNKNOWN})
    schemas = ocds_review.Schemas(settings.PEGASUS_OCDS_SCHEMA_DIR, settings.PEGASUS_OCDS_EXTENSION_DIR)
    errors = None if schemas.missing() else ocds_review.package_errors(package, kind, schemas)
    summary = ocds_review.package_summary(package, kind)
    content = ocds_review.package_bytes(package)
    export = OcdsExport(
        kind=kind,
        as_at=as_at,
        generated_at=generated_at,
        generated_by=by if getattr(by, "is_authenticated", False) else None,
        via=via,
        size=len(content),
        sha256=ocds_review.sha256(content),
        items=summary.items,
        processes=summary.processes,
        contracts=summary.contracts,
        procurements=summary.procurements,
        notices=summary.notices,
        awards=summary.awards,
        publisher=summary.publisher[:300],
        license=summary.license[:300],
        version=summary.version[:10],
        error_count=None if errors is None else len(errors),
        errors=[{"path": e.path, "message": e.message} for e in (errors or [])[:EXPORT_ERRORS_KEPT]],
    )
    export.full_clean(exclude=["file"])
    stamp = generated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    export.file.save(f"ocds-{kind}-{as_at.isoformat()}-{stamp}.json", ContentFile(content), save=False)
    stored = export.file.name or ""
    try:
        with transaction.atomic():
            export.save()
            verdict = export.verdict
            audit_record(
                action="publication.ocds-export",
                by=by,
                obj=export,
                summary=f"OCDS {export.get_kind_display().lower()} exported as at {as_at}: {verdict}",
                data={
                    "kind": kind,
                    "as_at": as_at.isoformat(),
                    "via": via,
                    "file": stored,
                    "items": export.items,
                    "errors": export.error_count,
                },
            )
    except BaseException:
        shared_storage().delete(stored)
        raise
    return export
