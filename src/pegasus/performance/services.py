"""Every change to supplier performance: atomic, validated, attributed and audited. `<entity>_<verb>(*, ..., by)`."""

import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from pegasus.core import bounds, clock, intake
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import RuleViolation
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.locks import locked
from pegasus.core.storage import cache_dir, delete_files, fetched, save_file
from pegasus.core.transitions import status_require
from pegasus.core.types import User
from pegasus.core.updates import attributed, model_update
from pegasus.performance import datasets, duckdb_sql, importers, sla, ticket_loading
from pegasus.performance.models import (
    KPI_DESCRIPTION_MAX,
    KPI_NAME_MAX,
    ContractKpi,
    GroupMapping,
    RatingRules,
    ServiceLevelAgreement,
    SlaTarget,
    TicketSource,
    TicketUpload,
    UploadStatus,
)
from pegasus.performance.selectors import (
    DATASET_FILES,
    dataset_folder,
    sla_kpi_description,
    sla_kpi_name,
    sla_kpis_pending,
)

SLA_NEEDS_A_TARGET = "An SLA needs a target for at least one priority."
UPLOAD_NOT_QUEUED = "Upload {pk} is {status}: only a queued upload can be ingested."
RATING_BANDS_OUT_OF_ORDER = "Requires improvement must reach at least as far below target as Approaching target."
NOT_A_CSV = "Upload a service-desk file as CSV (.csv), or a ZIP (.zip) holding one."
# A resolution target is hours of the service clock: a year of them is already beyond any SLA.
MAX_RESOLVE_HOURS = Decimal(24 * 366)
RESOLVE_HOURS_OUT_OF_RANGE = "P{priority} resolve within: enter from 0.01 to {most:,} hours."
# A year of a large service desk is a few million rows, a few hundred MB; larger files go through
# `pegasus performance ingest`. A CSV is not packed, so it unpacks to its own size.
TICKET_UPLOAD_LIMIT = intake.UploadLimit(
    max_bytes=500 * intake.MB,
    max_unpacked_bytes=500 * intake.MB,
    advice="store a larger file with pegasus performance ingest",
)


def dataset_store(con, name: str, *, assignments: str | None = None) -> None:
    """Write the loaded `tickets` (and `assignments`) as Parquet and keep them in the shared storage as `name`,
    replacing a dataset of that name."""
    scratch = cache_dir() / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dataset-", dir=scratch) as folder:
        local = Path(folder) / "dataset"
        datasets.store_dataset(con, local, assignments=assignments)
        dataset_remove(name)
        for part in DATASET_FILES:
            if (local / part).is_file():
                save_file(f"{dataset_folder(name)}/{part}", local / part, replace=True)


def dataset_remove(name: str) -> None:
    """Remove a stored dataset (used when the demo replaces its own); its tickets go first, so it is never half read."""
    delete_files(f"{dataset_folder(name)}/{part}" for part in reversed(DATASET_FILES))


@dataclass(frozen=True)
class TargetSpec:
    priority: int
    resolve_within_hours: Decimal
    clock: str
    attainment_target: Decimal
    credit_percent: Decimal


def _check_sla_bounds(*, monthly_charge: Decimal, ticket_service: str, targets: list[TargetSpec]) -> None:
    """What every way in may store, checked before anything is written: a charge the column holds (below a
    trillion pounds), a ticket service without control characters, and resolution targets of at most a year. A
    target's failure is keyed `targets`, with its `priority` and `part` in the params, for a page to place."""
    checks = FieldBounds(ServiceLevelAgreement)
    checks.check("monthly_charge", bounds.check_money, monthly_charge)
    checks.check("ticket_service", bounds.check_text, ticket_service, max_length=120)
    errors: dict[str, list] = {name: list(messages) for name, messages in checks.errors.items()}
    for spec in targets:
        hours = spec.resolve_within_hours
        if not isinstance(hours, Decimal) or not hours.is_finite() or not Decimal("0.01") <= hours <= MAX_RESOLVE_HOURS:
            message = RESOLVE_HOURS_OUT_OF_RANGE.format(priority=spec.priority, most=MAX_RESOLVE_HOURS)
            errors.setdefault("targets", []).append(
                ValidationError(message, params={"priority": spec.priority, "part": "resolve_within_hours"})
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def sla_save(
    *,
    contract: Any,  # an estate Contract
    monthly_charge: Decimal,
    credit_cap_percent: Decimal,
    targets: list[TargetSpec],
    ticket_service: str = "",
    service_days: str = "mon,tue,wed,thu,fri",
    service_start: time = time(8, 0),
    service_end: time = time(18, 0),
    exclude_bank_holidays: bool = True,
    by: User | None,
) -> ServiceLevelAgreement:
    """Define or replace a contract's SLA; checked by the engine's own SLA parser before it is kept.

    Raises RuleViolation when there is no target or the engine would refuse the SLA.
    """
    if not targets:
        raise RuleViolation(SLA_NEEDS_A_TARGET)
    _check_sla_bounds(monthly_charge=monthly_charge, ticket_service=ticket_service, targets=targets)
    agreement, created = ServiceLevelAgreement.objects.select_for_update().get_or_create(
        contract=contract,
        defaults={"monthly_charge": monthly_charge, "credit_cap_percent": credit_cap_percent},
    )
    agreement.ticket_service = ticket_service.strip()
    agreement.monthly_charge = monthly_charge
    agreement.credit_cap_percent = credit_cap_percent
    agreement.service_days = service_days
    agreement.service_start = service_start
    agreement.service_end = service_end
    agreement.exclude_bank_holidays = exclude_bank_holidays
    full_clean(agreement)
    agreement.save()
    agreement.targets.all().delete()
    for spec in targets:
        target = SlaTarget(sla=agreement, **spec.__dict__)
        full_clean(target)
        target.save()
    try:
        agreement.agreement(contract.reference)
    except (sla.SlaFileError, ValueError) as exc:
        raise RuleViolation(str(exc).removeprefix("entry 1 ")) from None
    audit_record(
        action="sla.define" if created else "sla.change",
        by=by,
        obj=agreement,
        summary=f"{'Defined' if created else 'Changed'} the SLA of {contract.reference}",
        data=agreement.as_entry(contract.reference),
    )
    return agreement


@transaction.atomic
def rating_rules_save(
    *, authority: Any, approaching_points: Decimal, improvement_points: Decimal, by: User | None
) -> RatingRules:
    """Set how far below target each KPI rating reaches for one authority."""
    if improvement_points < approaching_points:
        raise RuleViolation(RATING_BANDS_OUT_OF_ORDER)
    rules, _ = RatingRules.objects.get_or_create(authority=authority)
    rules.approaching_points = approaching_points
    rules.improvement_points = improvement_points
    full_clean(rules)
    rules.save()
    audit_record(
        action="rating-rules.change",
        by=by,
        obj=rules,
        summary=f"Rating rules of {authority.short_name or authority.name}: approaching within {approaching_points} "
        f"points, requires improvement within {improvement_points}",
        data={"approaching_points": str(approaching_points), "improvement_points": str(improvement_points)},
    )
    return rules


# What each kind of file read on the way in becomes (a raw export is converted to tickets and assignments).
_SOURCE_OF_FIRST = {
    importers.ExportKind.TICKETS: TicketSource.CANONICAL,
    importers.ExportKind.SERVICENOW: TicketSource.SERVICENOW,
    importers.ExportKind.BPIC_CASES: TicketSource.BPIC2014,
}
_SECOND_OF = {
    TicketSource.CANONICAL: (importers.ExportKind.ASSIGNMENTS, False),
    TicketSource.BPIC2014: (importers.ExportKind.BPIC_EVENTS, True),
}
# Given the second file first, the pair is read the other way round.
_SWAPPED = {
    importers.ExportKind.ASSIGNMENTS: importers.ExportKind.TICKETS,
    importers.ExportKind.BPIC_EVENTS: importers.ExportKind.BPIC_CASES,
}
SECOND_FILE_NOT_WANTED = "A {source} holds its own assignments: leave the second file empty."
FIRST_FILE_ALONE = "This is {found}: choose the file it belongs with as well (a tickets file or BPIC 2014 cases)."
SECOND_FILE_NEEDED = "BPI Challenge 2014 case attributes need their activity log: choose it as the second file."
SECOND_FILE_WRONG = "The second file must be {wanted} for the {source} chosen as the first; this one is {found}."
KIND_NAMES = {
    importers.ExportKind.TICKETS: "a Pegasus tickets CSV",
    importers.ExportKind.ASSIGNMENTS: "a Pegasus assignments CSV",
    importers.ExportKind.SERVICENOW: "a ServiceNow incident event log",
    importers.ExportKind.BPIC_CASES: "BPI Challenge 2014 case attributes",
    importers.ExportKind.BPIC_EVENTS: "a BPI Challenge 2014 activity log",
}
UPLOAD_NOT_MAPPING = "Upload {pk} is {status}: only an export waiting for its groups to be mapped can be mapped."
GROUP_NOT_IN_EXPORT = "{group!r} is not an assignment group of this export."
CONTRACT_NOT_OF_SUPPLIER = "{reference} is not a contract of {supplier}: choose one of its own contracts."
NOT_A_STORED_DATASET = "Upload {pk} is {status}: only a stored dataset can be read by the reports."


def _file_kind(file: UploadedFile, field: str) -> tuple[str, str]:
    """The file's name and which export it is (from its header), checked against the upload limit; raises
    ValidationError on `field`."""
    name = Path(file.name or "tickets.csv").name
    if not name.lower().endswith((".csv", ".zip")):
        raise ValidationError({field: NOT_A_CSV})
    intake.check_size(file.size or 0, TICKET_UPLOAD_LIMIT)
    scratch = cache_dir() / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=scratch, suffix=Path(name).suffix) as local:
        for chunk in file.chunks():
            local.write(chunk)
        local.flush()
        file.seek(0)
        if zipfile.is_zipfile(local.name):
            with open(local.name, "rb") as packed:
                intake.check_archive(packed, TICKET_UPLOAD_LIMIT)
        try:
            return name, importers.export_kind(local.name, name)
        except importers.ImportFileError as exc:
            raise ValidationError({field: str(exc)}) from None


def _upload_source(first: UploadedFile, second: UploadedFile | None) -> tuple[str, UploadedFile, UploadedFile | None]:
    """Which source the files are and which of them is the main one; raises ValidationError naming the field."""
    _, kind = _file_kind(first, "file")
    second_kind = _file_kind(second, "second_file")[1] if second is not None else None
    if second is not None and second_kind is not None and kind in _SWAPPED and second_kind == _SWAPPED[kind]:
        first, second, kind, second_kind = second, first, second_kind, kind
    if kind not in _SOURCE_OF_FIRST:
        raise ValidationError({"file": FIRST_FILE_ALONE.format(found=KIND_NAMES[kind])})
    source = _SOURCE_OF_FIRST[kind]
    wanted, needed = _SECOND_OF.get(source, (None, False))
    if second_kind is None:
        if needed:
            raise ValidationError({"second_file": SECOND_FILE_NEEDED})
    elif wanted is None:
        raise ValidationError({"second_file": SECOND_FILE_NOT_WANTED.format(source=TicketSource(source).label)})
    elif second_kind != wanted:
        raise ValidationError(
            {
                "second_file": SECOND_FILE_WRONG.format(
                    wanted=KIND_NAMES[wanted], source=KIND_NAMES[kind], found=KIND_NAMES[second_kind]
                )
            }
        )
    return source, first, second


def _keep(upload: TicketUpload, attribute: str, file: UploadedFile) -> None:
    suffix = Path(file.name or "").suffix.lower() or ".csv"
    getattr(upload, attribute).save(f"tickets-{clock.now():%Y%m%d%H%M%S}{suffix}", file, save=False)


@transaction.atomic
def ticket_upload_create(
    *, file: UploadedFile, second_file: UploadedFile | None = None, by: User | None
) -> TicketUpload:
    """Keep an uploaded service-desk file (with its second file: a tickets CSV's assignments, BPIC 2014's activity
    log) and queue its work once the upload is committed: a tickets CSV is checked and stored; a raw export is first
    read for its assignment groups, to be mapped. Raises ValidationError naming the field for a file that is not one
    Pegasus reads, and `intake.UploadRefused` for one over `TICKET_UPLOAD_LIMIT`."""
    from pegasus.performance.tasks import ingest_ticket_upload, survey_ticket_upload

    source, first, second = _upload_source(file, second_file)
    upload = TicketUpload(
        original_name=Path(first.name or "tickets.csv").name[:255],
        source=source,
        second_name=Path(second.name or "").name[:255] if second else "",
        uploaded_by=by if by and by.is_authenticated else None,
    )
    _keep(upload, "file", first)
    if second is not None:
        _keep(upload, "second_file", second)
    upload.save()
    named = upload.original_name + (f" and {upload.second_name}" if second else "")
    audit_record(
        action="ticket-upload.create",
        by=by,
        obj=upload,
        summary=f"Uploaded {TicketSource(source).label} {named}",
        data={"source": source},
    )
    task = ingest_ticket_upload if source == TicketSource.CANONICAL else survey_ticket_upload
    transaction.on_commit(lambda: task.enqueue(upload.pk))
    return upload


def _progress(upload: TicketUpload, percent: int, stage: str, **fields: Any) -> None:
    model_update(upload, data={"progress": percent, "stage": stage, **fields}, clean=None)


def _start(upload_id: int, stage: str) -> TicketUpload:
    with transaction.atomic():
        upload = locked(TicketUpload, upload_id)
        status_require(
            upload.status, {UploadStatus.QUEUED}, UPLOAD_NOT_QUEUED, pk=upload.pk, status=upload.get_status_display()
        )
        _progress(upload, 5, stage, status=UploadStatus.RUNNING)
    return upload


@contextmanager
def _export_files(upload: TicketUpload) -> Iterator[tuple[Path, Path | None]]:
    """The upload's file and second file as paths on this host (either may have been stored by another server)."""
    with fetched(upload.file.name or "") as first:
        if not upload.second_file:
            yield first, None
            return
        with fetched(upload.second_file.name or "") as second:
            yield first, second


def _imported(
    upload: TicketUpload,
    first: Path,
    second: Path | None,
    *,
    mapping: dict[str, str] | None = None,
    service_of: dict[str, str] | None = None,
) -> importers.Imported:
    if upload.source == TicketSource.SERVICENOW:
        return importers.import_servicenow(first, mapping=mapping, service_of=service_of)
    assert second is not None
    return importers.import_bpic2014(first, second, mapping=mapping, service_of=service_of)


def _named(exc: Exception, upload: TicketUpload, first: Path, second: Path | None) -> str:
    """An importer's message with the files named as the user named them, not as they were stored."""
    message = str(exc)
    for local, name in ((first, upload.original_name), (second, upload.second_name)):
        if local is not None:
            message = message.replace(local.name, name)
    return message


def ticket_upload_survey(*, upload_id: int) -> TicketUpload:
    """Read a raw export's assignment groups with their tickets, for a user to map to suppliers and contracts.

    Preconditions: the upload is queued. An export that cannot be read is rejected with the line and reason.
    Raises InvalidTransition when the upload is not queued.
    """
    upload = _start(upload_id, "Reading the export's assignment groups")
    try:
        with _export_files(upload) as (first, second):
            try:
                imported = _imported(upload, first, second)
            except importers.ImportFileError as exc:
                return _refuse(upload, _named(exc, upload, first, second))
    except Exception as exc:
        _finish(upload, UploadStatus.FAILED, error=f"The export could not be read: {exc}")
        raise
    groups = imported.group_tickets()
    with transaction.atomic():
        _progress(
            upload,
            30,
            f"{len(imported.tickets):,} incidents from {imported.events_read:,} events in {len(groups):,} assignment "
            "groups: map the groups to suppliers and contracts",
            status=UploadStatus.MAPPING,
            groups=[[group, tickets] for group, tickets in groups],
        )
        audit_record(
            action="ticket-upload.survey",
            by=upload.uploaded_by,
            obj=upload,
            summary=f"Read {len(groups)} assignment groups from {upload.original_name}",
            data={"incidents": len(imported.tickets), "events": imported.events_read, "groups": len(groups)},
        )
    return upload


@dataclass(frozen=True)
class GroupChoice:
    """Where one assignment group's tickets go: a supplier and, optionally, one of its contracts (None: nowhere,
    the group stays its own name)."""

    supplier: Any | None  # an estate Supplier
    contract: Any | None = None  # an estate Contract of that supplier


def _mapped(choice: GroupChoice, ticket_services: dict[int, str]) -> dict[str, str]:
    """The mapping applied to one group; `ticket_services` holds each chosen contract's SLA ticket service."""
    assert choice.supplier is not None
    contract = choice.contract
    service = ""
    if contract is not None:
        # The contract's own tickets: the service its SLA reads, else its reference (which no other SLA names).
        service = ticket_services.get(contract.pk, "") or contract.reference
    return {
        "supplier": choice.supplier.name,
        "contract": contract.reference if contract else "",
        "service": service,
    }


@transaction.atomic
def ticket_upload_map(*, upload: TicketUpload, choices: dict[str, GroupChoice], by: User | None) -> TicketUpload:
    """Map a raw export's assignment groups to suppliers (and contracts), keep the mapping for the next export of
    the same kind, and queue the conversion.

    Preconditions: the upload waits for its mapping. A group left out stays its own name (no SLA reads it). Raises
    InvalidTransition when the upload is not waiting, ValidationError naming the group otherwise.
    """
    from pegasus.performance.tasks import ingest_ticket_upload

    upload = locked(TicketUpload, upload.pk)
    status_require(
        upload.status, {UploadStatus.MAPPING}, UPLOAD_NOT_MAPPING, pk=upload.pk, status=upload.get_status_display()
    )
    groups = {group for group, _tickets in upload.groups}
    errors: dict[str, list[str]] = {}
    for group, choice in choices.items():
        if group not in groups:
            errors.setdefault("mapping", []).append(GROUP_NOT_IN_EXPORT.format(group=group))
        elif choice.contract is not None and choice.contract.supplier_id != getattr(choice.supplier, "pk", None):
            errors.setdefault("mapping", []).append(
                CONTRACT_NOT_OF_SUPPLIER.format(reference=choice.contract.reference, supplier=choice.supplier)
            )
    if errors:
        raise ValidationError(errors)
    mapping = {}
    # Read once for every group: the saved mappings and the chosen contracts' SLA ticket services.
    saved_of = {m.group: m for m in GroupMapping.objects.filter(source=upload.source, group__in=list(choices))}
    chosen = [choice.contract.pk for choice in choices.values() if choice.contract is not None]
    ticket_services = dict(
        ServiceLevelAgreement.objects.filter(contract__in=chosen).values_list("contract_id", "ticket_service")
    )
    for group, choice in sorted(choices.items()):
        saved = saved_of.get(group)
        if choice.supplier is None:
            if saved is not None:
                attributed(saved, by).delete()
            continue
        mapping[group] = _mapped(choice, ticket_services)
        target = (choice.supplier.pk, choice.contract.pk if choice.contract is not None else None)
        if saved is not None and (saved.supplier_id, saved.contract_id) == target:
            continue  # unchanged: no new version in its history
        saved = saved or GroupMapping(source=upload.source, group=group)
        saved.supplier, saved.contract = choice.supplier, choice.contract
        full_clean(saved)
        attributed(saved, by).save()
    upload.mapping = mapping
    upload.status = UploadStatus.QUEUED
    upload.progress = 35
    upload.stage = "Mapped: waiting to convert the export"
    upload.save()
    audit_record(
        action="ticket-upload.map",
        by=by,
        obj=upload,
        summary=f"Mapped {len(mapping)} of {len(groups)} assignment groups of {upload.original_name}",
        data={"mapping": mapping},
    )
    transaction.on_commit(lambda: ingest_ticket_upload.enqueue(upload.pk))
    return upload


def _convert(upload: TicketUpload, con, folder: Path) -> ticket_loading.LoadReport:
    """Convert the raw export with its mapping into canonical files, then check and load them."""
    with _export_files(upload) as (first, second):
        mapping = {group: part["supplier"] for group, part in upload.mapping.items()}
        service_of = {group: part["service"] for group, part in upload.mapping.items() if part.get("service")}
        try:
            imported = _imported(upload, first, second, mapping=mapping, service_of=service_of)
        except importers.ImportFileError as exc:
            raise _ExportUnreadable(_named(exc, upload, first, second)) from None
    _progress(upload, 45, f"Checking {len(imported.tickets):,} tickets converted from {imported.events_read:,} events")
    importers.write_csv(imported.tickets, importers.TICKET_COLUMNS, folder / "tickets.csv")
    importers.write_csv(imported.assignments, importers.ASSIGNMENT_COLUMNS, folder / "assignments.csv")
    report = ticket_loading.load_tickets(con, folder / "tickets.csv")
    ticket_loading.load_assignments(con, folder / "assignments.csv")
    return report


class _ExportUnreadable(Exception):
    """A raw export its importer refused at conversion (its message names the file, line and reason)."""


def ticket_upload_ingest(*, upload_id: int) -> TicketUpload:
    """Check an uploaded tickets file (or convert a mapped raw export) whole and store it as a dataset, the one the
    performance pages then read.

    Preconditions: the upload is queued. Each stage is saved (committed) as it starts so the page can show progress.
    A file with any bad row is rejected whole: the first bad lines are kept with their reasons, the file is deleted
    and no dataset is written. Raises InvalidTransition when the upload is not queued.
    """
    raw = TicketUpload.objects.filter(pk=upload_id).values_list("source", flat=True).first() not in (
        None,
        TicketSource.CANONICAL,
    )
    upload = _start(upload_id, "Converting the export with its mapping" if raw else "Reading the file")
    con = duckdb_sql.connect()
    scratch = cache_dir() / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="convert-", dir=scratch) as folder:
            if raw:
                report = _convert(upload, con, Path(folder))
            else:
                _progress(upload, 20, "Checking every row")
                with _export_files(upload) as (path, assignments):
                    report = ticket_loading.load_tickets(con, path)
                    if assignments is not None:
                        ticket_loading.load_assignments(con, assignments)
        _progress(upload, 70, "Storing the tickets", rows_read=report.rows_read)
        name = f"upload-{upload.pk}"
        has_assignments = raw or bool(upload.second_file)
        dataset_store(con, name, assignments="assignments" if has_assignments else None)
    except ticket_loading.TicketFileError as exc:
        return _reject(upload, exc)
    except _ExportUnreadable as exc:
        return _refuse(upload, str(exc))
    except Exception as exc:
        _finish(upload, UploadStatus.FAILED, error=f"The file could not be stored: {exc}")
        raise
    finally:
        con.close()
    with transaction.atomic():
        now = clock.now()
        _finish(upload, UploadStatus.SUCCEEDED, dataset=name, rows_read=report.rows_read, chosen_at=now)
        audit_record(
            action="ticket-upload.store",
            by=upload.uploaded_by,
            obj=upload,
            summary=f"Stored {report.rows_read} tickets from {upload.original_name} as dataset {name}",
            data={"rows_read": report.rows_read, "dataset": name},
        )
    return upload


def _finish(upload: TicketUpload, status: str, **fields: Any) -> None:
    _progress(upload, 100, "", status=status, finished_at=clock.now(), **fields)


def _drop_files(upload: TicketUpload) -> None:
    for attribute in ("file", "second_file"):
        if getattr(upload, attribute):
            getattr(upload, attribute).delete(save=False)


def _reject(upload: TicketUpload, exc: ticket_loading.TicketFileError) -> TicketUpload:
    with transaction.atomic():
        _drop_files(upload)
        _finish(
            upload,
            UploadStatus.REJECTED,
            rows_rejected=exc.bad_count,
            bad_lines=[{"line": b.line, "reason": b.reason} for b in exc.bad_lines],
            error=(
                f"{exc.bad_count} bad line(s): the file was rejected whole and nothing was stored."
                if exc.bad_lines
                else f"{str(exc).split(': ', 1)[-1]}: the file was rejected and nothing was stored."
            ),
        )
        audit_record(
            action="ticket-upload.reject",
            by=upload.uploaded_by,
            obj=upload,
            summary=f"Rejected tickets file {upload.original_name}: {exc.bad_count} bad line(s)",
            data={"bad_lines": upload.bad_lines},
        )
    return upload


def _refuse(upload: TicketUpload, message: str) -> TicketUpload:
    """Reject a raw export its importer cannot read; `message` names the file, the line and what is wrong."""
    with transaction.atomic():
        _drop_files(upload)
        _finish(upload, UploadStatus.REJECTED, error=f"{message}: the export was rejected and nothing was stored.")
        audit_record(
            action="ticket-upload.reject",
            by=upload.uploaded_by,
            obj=upload,
            summary=f"Rejected export {upload.original_name}: {message}",
            data={"error": message},
        )
    return upload


@transaction.atomic
def dataset_choose(*, upload: TicketUpload, by: User | None) -> TicketUpload:
    """Make a stored dataset the one the performance pages read (until another is stored or chosen).

    Raises InvalidTransition when the upload is not a stored dataset."""
    upload = locked(TicketUpload, upload.pk)
    status_require(
        upload.status, {UploadStatus.SUCCEEDED}, NOT_A_STORED_DATASET, pk=upload.pk, status=upload.get_status_display()
    )
    upload.chosen_at = clock.now()
    upload.save(update_fields=["chosen_at"])
    audit_record(
        action="ticket-dataset.choose",
        by=by,
        obj=upload,
        summary=f"The performance pages read dataset {upload.dataset} ({upload.original_name})",
        data={"dataset": upload.dataset},
    )
    return upload


# --- Key performance indicators (Procurement Act 2023 s52) ---------------------------------------------------

KPI_NAME_TAKEN = "This contract already has a KPI named {name!r}: give each KPI its own name."
KPI_PRIORITY_TAKEN = "P{priority} is already measured by the KPI {name!r}: choose another priority or none."
KPI_PRIORITY_NOT_IN_SLA = "P{priority} is not a target of this contract's SLA (its targets: {priorities})."
KPI_NO_SLA = "This contract has no SLA yet: leave the SLA priority blank, or define the SLA first."


def _sla_priorities(contract: Any) -> list[int]:
    targets = SlaTarget.objects.filter(sla__contract=contract).order_by("priority")
    return list(targets.values_list("priority", flat=True))


def _check_kpi(kpi: ContractKpi) -> None:
    """Bounds on the text first, then what the constraints hold, each failure on its field with a message that
    says what to do; `full_clean` follows for the rest."""
    checks = FieldBounds(ContractKpi)
    checks.check("name", bounds.check_text, kpi.name, max_length=KPI_NAME_MAX)
    checks.check("description", bounds.check_text, kpi.description, multiline=True, max_length=KPI_DESCRIPTION_MAX)
    checks.raise_any()
    errors: dict[str, list[str]] = {}
    others = ContractKpi.objects.filter(contract=kpi.contract).exclude(pk=kpi.pk)
    if kpi.name and others.filter(name__iexact=kpi.name).exists():
        errors["name"] = [KPI_NAME_TAKEN.format(name=kpi.name)]
    if kpi.sla_priority is not None:
        priorities = _sla_priorities(kpi.contract)
        taken = others.filter(sla_priority=kpi.sla_priority).first()
        if not priorities:
            errors["sla_priority"] = [KPI_NO_SLA]
        elif kpi.sla_priority not in priorities:
            listed = ", ".join(f"P{p}" for p in priorities)
            errors["sla_priority"] = [KPI_PRIORITY_NOT_IN_SLA.format(priority=kpi.sla_priority, priorities=listed)]
        elif taken is not None:
            errors["sla_priority"] = [KPI_PRIORITY_TAKEN.format(priority=kpi.sla_priority, name=taken.name)]
    if errors:
        raise ValidationError(errors)


def _kpi_data(kpi: ContractKpi) -> dict:
    return {"name": kpi.name, "description": kpi.description, "sla_priority": kpi.sla_priority}


def _lock_contract(contract: Any) -> None:
    # KPIs of one contract are numbered and named against each other: one writer at a time.
    locked(type(contract), contract.pk)


def _kpi_add(*, contract: Any, name: str, description: str, sla_priority: int | None, by: User | None) -> ContractKpi:
    last = ContractKpi.objects.filter(contract=contract).order_by("-position").first()
    kpi = ContractKpi(
        contract=contract,
        position=last.position + 1 if last else 1,
        name=name.strip(),
        description=description.strip(),
        sla_priority=sla_priority,
    )
    _check_kpi(kpi)
    full_clean(kpi)
    attributed(kpi, by).save()
    audit_record(
        action="kpi.create",
        by=by,
        obj=kpi,
        summary=f"Set KPI {kpi.name!r} on {contract.reference}",
        data=_kpi_data(kpi),
    )
    return kpi


@transaction.atomic
def kpi_create(
    *, contract: Any, name: str, description: str = "", sla_priority: int | None = None, by: User | None
) -> ContractKpi:
    """Set a KPI on a contract (PA 2023 s52(1)), last in its order; with `sla_priority`, the KPI is that SLA
    target's resolution measure. Raises ValidationError naming the field."""
    _lock_contract(contract)
    return _kpi_add(contract=contract, name=name, description=description, sla_priority=sla_priority, by=by)


@transaction.atomic
def kpi_update(
    *, kpi: ContractKpi, name: str, description: str = "", sla_priority: int | None = None, by: User | None
) -> ContractKpi:
    """Change a KPI's name, description or SLA measure. Raises ValidationError naming the field."""
    _lock_contract(kpi.contract)
    kpi = locked(ContractKpi, kpi.pk, related=["contract"])
    before = _kpi_data(kpi)
    model_update(
        kpi,
        data={"name": name.strip(), "description": description.strip(), "sla_priority": sla_priority},
        check=lambda: _check_kpi(kpi),
        history_user=by,
    )
    audit_record(
        action="kpi.update",
        by=by,
        obj=kpi,
        summary=f"Changed KPI {kpi.name!r} on {kpi.contract.reference}",
        data={"before": before, "after": _kpi_data(kpi)},
    )
    return kpi


@transaction.atomic
def kpi_delete(*, kpi: ContractKpi, by: User | None) -> None:
    """Remove a KPI from its contract."""
    _lock_contract(kpi.contract)
    kpi = locked(ContractKpi, kpi.pk, related=["contract"])
    audit_record(
        action="kpi.delete",
        by=by,
        obj=kpi,
        summary=f"Removed KPI {kpi.name!r} from {kpi.contract.reference}",
        data=_kpi_data(kpi),
    )
    attributed(kpi, by).delete()


@transaction.atomic
def kpis_from_sla(contract: Any, by: User | None) -> list[ContractKpi]:
    """Set one KPI for each target of the contract's SLA that is not yet a KPI (PA 2023 s52(1)); return those set.
    A target whose KPI name another KPI already has is left for the editor to link."""
    _lock_contract(contract)
    return [
        _kpi_add(
            contract=contract,
            name=sla_kpi_name(target),
            description=sla_kpi_description(target),
            sla_priority=target.priority,
            by=by,
        )
        for target in sla_kpis_pending(contract)
    ]
