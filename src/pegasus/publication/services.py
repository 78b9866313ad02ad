"""Writes of the market view: importing OCDS releases, all or nothing unless the caller sets bad files aside."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from pegasus.core import intake
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import InputError
from pegasus.core.types import User
from pegasus.publication import market as m
from pegasus.publication.models import MarketAward, MarketImport, MarketProcess, MarketRelease

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
    for ocid, data, date in _of_ocids(MarketRelease.objects.values_list("ocid", "data", "date"), ocids):
        releases[ocid].append(data)
        latest[ocid] = max(date, latest.get(ocid, date))
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
