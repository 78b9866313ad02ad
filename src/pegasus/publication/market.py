"""The market view's reader: what other public bodies bought, from whom, for how much and until when, read from
OCDS release packages, record packages or single releases such as Contracts Finder publishes.

Pure Python: `read_files`, `read_document` and `read_upload` turn files into checked releases, each file accepted or
rejected whole with the reason and the JSON path of the first fault; `compile_process` folds a contracting process's
releases, oldest first, into one summary row. Nothing here touches the database.

Checks are those of the OCDS 1.1 schema that the market view relies on: a package's `uri`, `publisher` and
`publishedDate`; a release's `ocid`, `id`, `date`, `tag` and `initiationType`; and every date read as an RFC 3339
date-time with its offset. A package that fails one check is rejected whole, so a corrected file can be imported
again without leaving half of it behind.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pegasus.core import intake
from pegasus.core.exceptions import InputError, OutOfBounds
from pegasus.core.reading import DocumentError, decimal_in_bounds, load_json

# CPV divisions of ICT, as the market view reads them: IT services (72), software packages (48), office and
# computing machinery (30), radio, television and telecommunications equipment (32), postal and telecommunications
# services (64).
ICT_DIVISIONS = {
    "72": "IT services: consulting, software development, internet and support",
    "48": "Software package and information systems",
    "30": "Office and computing machinery, equipment and supplies",
    "32": "Radio, television, communication and telecommunications equipment",
    "64": "Postal and telecommunications services",
}
RELEASE_REQUIRED = ("ocid", "id", "date", "tag", "initiationType")
PACKAGE_REQUIRED = ("uri", "publisher", "publishedDate")
# An award that did not lead to a contract names no supplier the market view should count.
DEAD_AWARDS = {"cancelled", "unsuccessful"}
STAGES = ("planning", "tender", "award", "contract", "implementation")
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(:\d\d(\.\d+)?)?([Zz]|[+-]\d\d:\d\d)$")
# Other bodies' data is read as published (placeholder dates such as 9999-01-01 included), but only dates that can be
# held and shifted between time zones; amounts are bounded so that a process's total fits the market view's column.
DATE_TIME_RANGE = (date(1, 1, 2), date(9999, 12, 30))
MAX_AMOUNT = Decimal(10) ** 15
TOTAL_TOO_LARGE = f"the values add up to more than {MAX_AMOUNT:,}"
_CPV = re.compile(r"^(\d{8})(-\d)?$")


class Rejected(InputError):
    """A document the market view cannot take, with the JSON path of the fault."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Release:
    ocid: str
    id: str
    date: datetime
    data: dict[str, Any]
    source: str  # the file it came from, with the release's place in it


@dataclass
class FileResult:
    name: str
    kind: str = ""  # "release package", "record package", "release"
    releases: list[Release] = field(default_factory=list)
    error: str = ""


def _quoted(value: Any) -> str:
    """A value from a file as a message quotes it: text by a short prefix, a list or an object by its kind alone."""
    if isinstance(value, str):
        return intake.shown(value)
    if isinstance(value, dict | list):
        return "an object" if isinstance(value, dict) else "a list"
    return intake.shortened(repr(value))


def date_time(value: Any, path: str) -> datetime:
    """An OCDS date-time: RFC 3339 with its offset (Contracts Finder writes `Z`)."""
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        raise Rejected(
            path, f"{_quoted(value)} is not a date-time with its offset (RFC 3339, such as 2019-09-02T00:00:00Z)"
        )
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Rejected(path, f"{_quoted(value)} is not a real date-time") from None
    if not DATE_TIME_RANGE[0] <= when.date() <= DATE_TIME_RANGE[1]:
        # 9999-12-31T23:00:00-05:00 is a real date-time but cannot be held in UTC; year 1 cannot be shifted either.
        raise Rejected(
            path, f"{_quoted(value)} is outside the years {DATE_TIME_RANGE[0].year}-{DATE_TIME_RANGE[1].year}"
        )
    return when


def _optional_date(value: Any, path: str) -> date | None:
    return None if value in (None, "") else date_time(value, path).date()


def _clean(value: Any) -> str | None:
    """Text as a reader should see it: Contracts Finder escapes apostrophes and ampersands as HTML entities."""
    text = html.unescape(value).strip() if isinstance(value, str) else ""
    return " ".join(text.split()) or None


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Rejected(path, "is missing" if value in (None, "") else f"{_quoted(value)} is not text")
    return value.strip()


def check_release(data: Any, path: str, source: str) -> Release:
    if not isinstance(data, dict):
        raise Rejected(path, "a release must be a JSON object")
    for key in RELEASE_REQUIRED:
        if key not in data:
            raise Rejected(f"{path}/{key}", "is missing (required by OCDS)")
    tags = data["tag"]
    if not isinstance(tags, list) or not tags or not all(isinstance(tag, str) for tag in tags):
        raise Rejected(f"{path}/tag", "must be a non-empty list of release tags")
    release = Release(
        ocid=_text(data["ocid"], f"{path}/ocid"),
        id=_text(data["id"], f"{path}/id"),
        date=date_time(data["date"], f"{path}/date"),
        data=data,
        source=source,
    )
    summarise(data, path)  # every value the market view reads is checked now, not when it is shown
    return release


def _releases(document: Any) -> tuple[str, Iterator[tuple[Any, str]]]:
    """The kind of document and its releases, each with its JSON path."""
    if isinstance(document, dict) and "releases" in document and "ocid" not in document:
        _check_package(document, "release package")
        date_time(document["publishedDate"], "/publishedDate")
        if not isinstance(document["releases"], list):
            raise Rejected("/releases", "must be a list")
        return "release package", ((r, f"/releases/{i}") for i, r in enumerate(document["releases"]))
    if isinstance(document, dict) and "records" in document:
        _check_package(document, "record package")
        date_time(document["publishedDate"], "/publishedDate")
        if not isinstance(document["records"], list):
            raise Rejected("/records", "must be a list")
        return "record package", _record_releases(document["records"])
    if isinstance(document, dict) and ("ocid" in document or "tag" in document):
        return "release", iter([(document, "")])
    raise Rejected("", "neither a release package, a record package nor a release")


def _check_package(document: dict[str, Any], kind: str) -> None:
    for key in PACKAGE_REQUIRED:
        if key not in document:
            raise Rejected(f"/{key}", f"is missing (required of a {kind} by OCDS)")
        if document[key] in (None, "", {}):
            raise Rejected(f"/{key}", f"is empty (required of a {kind} by OCDS)")


def _record_releases(records: list[Any]) -> Iterator[tuple[Any, str]]:
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise Rejected(f"/records/{i}", "a record must be a JSON object")
        embedded = [r for r in record.get("releases") or [] if isinstance(r, dict) and "tag" in r]
        if embedded:
            yield from ((r, f"/records/{i}/releases/{j}") for j, r in enumerate(embedded))
        elif isinstance(record.get("compiledRelease"), dict):
            yield record["compiledRelease"], f"/records/{i}/compiledRelease"
        else:
            raise Rejected(f"/records/{i}", "has neither full releases nor a compiled release")


# A control character written as a JSON escape (this also finds \u0009, a tab, which is text: the walk decides).
_ESCAPED_CONTROL = re.compile(r"\\u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|202[89])")


def _check_text(text: str, document: Any) -> None:
    """Reject a document with a control character in any of its text, keys included (the rule of every importer,
    `pegasus.core.intake`), naming the JSON path. Only a document whose text shows one is walked."""
    if intake.control_character(text) is None and not _ESCAPED_CONTROL.search(text):
        return
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if name := intake.control_character(value):
                raise Rejected(path, f"contains a control character ({name})")
        elif isinstance(value, dict):
            for key in value:
                if name := intake.control_character(key):
                    raise Rejected(path, f"contains a control character ({name})")
            stack.extend((f"{path}/{key}", item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}/{i}", item) for i, item in reversed(list(enumerate(value))))


def read_document(name: str, raw: bytes) -> FileResult:
    """One file's releases, or the reason the whole file is rejected."""
    result = FileResult(name=name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.error = f"not UTF-8 text (byte {exc.start}); OCDS data is UTF-8"
        return result
    try:
        # No deeper than reading.MAX_DEPTH, no NaN or Infinity, no number literal too long; floats, as stored.
        document = load_json(text, decimals=False)
    except DocumentError as exc:
        result.error = str(exc)
        return result
    try:
        _check_text(text, document)
        result.kind, found = _releases(document)
        seen: dict[tuple[str, str], Release] = {}
        for data, path in found:
            release = check_release(data, path, f"{name}#{path or '/'}")
            key = (release.ocid, release.id)
            if key in seen and seen[key].data != release.data:
                raise Rejected(f"{path}/id", f"release {release.id} of {release.ocid} appears twice, differently")
            seen[key] = release
        result.releases = list(seen.values())
    except Rejected as exc:
        result.error = str(exc)
        result.releases = []
    return result


# An upload from the page. Parsed JSON can take twenty-five times its size in memory (a list of empty objects), so
# an upload is bounded by what it unpacks to as well as by its size: 20 MB of JSON is several thousand releases.
# Larger collections are read by the `ocds` command.
UPLOAD_LIMIT = intake.UploadLimit(max_bytes=10 * intake.MB, max_unpacked_bytes=20 * intake.MB, max_members=1_000)


def _json_member(info: zipfile.ZipInfo) -> bool:
    return info.filename.lower().endswith(".json")


def read_upload(name: str, raw: bytes, limit: intake.UploadLimit = UPLOAD_LIMIT) -> list[FileResult]:
    """An uploaded file's documents: a ZIP archive stands for every `.json` file in it. Raises
    `intake.UploadRefused` when the file is over `limit`: larger, unpacking to more (counted as it unpacks), or
    holding more files; a damaged archive is a rejected file like any other."""
    intake.check_size(len(raw), limit)
    if not raw.startswith(b"PK\x03\x04"):
        return [read_document(name, raw)]
    try:
        members = sorted(
            intake.archive_members(io.BytesIO(raw), limit, wanted=_json_member), key=lambda m: m[0].filename
        )
    except intake.UploadRefused as exc:
        if str(exc) != intake.NOT_AN_ARCHIVE:
            raise
        return [FileResult(name=name, error="not a readable ZIP archive")]
    if not members:
        return [FileResult(name=name, error="a ZIP archive with no .json files in it")]
    return [read_document(f"{name}/{info.filename}", data) for info, data in members]


def files_under(paths: Iterable[Path]) -> list[Path]:
    """The JSON files named, a folder standing for every `.json` file beneath it, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            found.append(path)
    return found


def read_files(paths: Iterable[Path]) -> list[FileResult]:
    """Every JSON file named or beneath a named folder, read and checked; OSError if one cannot be read."""
    return [read_document(str(path), path.read_bytes()) for path in files_under(paths)]


# --- What a release says about the market ---------------------------------------------------------------------


@dataclass
class Summary:
    """What one release (or, compiled, a whole contracting process) tells the market view. None: not said."""

    title: str | None = None
    buyer: str | None = None
    cpv: list[str] | None = None
    suppliers: list[str] | None = None
    value: Decimal | None = None
    currency: str | None = None
    value_kind: str | None = None  # "awarded" or "estimated"
    start: date | None = None
    end: date | None = None
    stage: str | None = None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _amount(value: Any, path: str) -> tuple[Decimal, str] | None:
    if not isinstance(value, dict) or value.get("amount") in (None, ""):
        return None
    try:
        amount = decimal_in_bounds(value["amount"], f"{path}/amount", hi=MAX_AMOUNT, what="an amount")
    except OutOfBounds as exc:
        raise Rejected(f"{path}/amount", str(exc).removeprefix(f"{path}/amount: ")) from None
    if amount < 0:
        raise Rejected(f"{path}/amount", f"{value['amount']!r} is not an amount")
    return amount, str(value.get("currency") or "")


def _cpv_codes(data: dict[str, Any]) -> list[str]:
    found: list[Any] = []
    tender = _object(data.get("tender"))
    found.append(tender.get("classification"))
    found.extend(tender.get("additionalClassifications") or [])
    for item in tender.get("items") or []:
        if isinstance(item, dict):
            found.append(item.get("classification"))
            found.extend(item.get("additionalClassifications") or [])
    for award in data.get("awards") or []:
        for item in (award.get("items") or []) if isinstance(award, dict) else []:
            if isinstance(item, dict):
                found.append(item.get("classification"))
    codes: list[str] = []
    for classification in found:
        if not isinstance(classification, dict) or str(classification.get("scheme", "")).upper() != "CPV":
            continue
        match = _CPV.match(str(classification.get("id", "")).strip())
        if match and match.group(1) not in codes:
            codes.append(match.group(1))
    return codes


def _period_dates(periods: list[tuple[Any, str]]) -> tuple[date | None, date | None]:
    starts, ends = [], []
    for period, path in periods:
        if not isinstance(period, dict):
            continue
        start = _optional_date(period.get("startDate"), f"{path}/startDate")
        end = _optional_date(period.get("endDate"), f"{path}/endDate")
        starts += [start] if start else []
        ends += [end] if end else []
    return (min(starts) if starts else None, max(ends) if ends else None)


def _buyer(data: dict[str, Any]) -> str | None:
    name = _clean(_get(data, "buyer", "name"))
    if name:
        return name
    for party in data.get("parties") or []:
        if isinstance(party, dict) and "buyer" in (party.get("roles") or []) and _clean(party.get("name")):
            return _clean(party.get("name"))
    return None


def summarise(data: dict[str, Any], path: str = "") -> Summary:
    """What one release says, each date and amount checked (Rejected names the path of a bad one)."""
    summary = Summary(buyer=_buyer(data), cpv=_cpv_codes(data) or None)
    tender = _object(data.get("tender"))
    awards = [(a, f"{path}/awards/{i}") for i, a in enumerate(data.get("awards") or []) if isinstance(a, dict)]
    contracts = [(c, f"{path}/contracts/{i}") for i, c in enumerate(data.get("contracts") or []) if isinstance(c, dict)]
    live = [(a, p) for a, p in awards if str(a.get("status") or "").lower() not in DEAD_AWARDS]
    titles = [tender.get("title"), data.get("title")] + [a.get("title") for a, _ in live]
    summary.title = next((_clean(t) for t in titles if _clean(t)), None)

    suppliers: list[str] = []
    for award, _ in live:
        for supplier in award.get("suppliers") or []:
            name = _clean(supplier.get("name")) if isinstance(supplier, dict) else None
            if name and name not in suppliers:
                suppliers.append(name)
    summary.suppliers = suppliers or None

    # The value: what the contracts are worth, else what was awarded, else what the tender estimated.
    for sources in (contracts, live):
        read = [_amount(item.get("value"), f"{p}/value") for item, p in sources]
        amounts = [a for a in read if a is not None]
        if amounts and len({currency for _, currency in amounts}) == 1:
            summary.value = sum((a for a, _ in amounts), Decimal(0))
            if summary.value > MAX_AMOUNT:
                raise Rejected(f"{path}/{'contracts' if sources is contracts else 'awards'}", TOTAL_TOO_LARGE)
            summary.currency, summary.value_kind = amounts[0][1], "awarded"
            break
    else:
        estimate = _amount(tender.get("value"), f"{path}/tender/value")
        if estimate is not None:
            summary.value, summary.currency = estimate
            summary.value_kind = "estimated"

    # When it runs: the contracts' periods, else the awards', else the tender's and its lots'.
    lots = [(lot.get("contractPeriod"), f"{path}/tender/lots/{i}/contractPeriod")
            for i, lot in enumerate(tender.get("lots") or []) if isinstance(lot, dict)]  # fmt: skip
    for periods in (
        [(c.get("period"), f"{p}/period") for c, p in contracts],
        [(a.get("contractPeriod"), f"{p}/contractPeriod") for a, p in live],
        [(tender.get("contractPeriod"), f"{path}/tender/contractPeriod"), *lots],
    ):
        start, end = _period_dates(periods)
        if start or end:
            summary.start, summary.end = start, end
            break

    tags = [tag for tag in data.get("tag") or [] if isinstance(tag, str)]
    reached = [stage for stage in STAGES if any(tag.startswith(stage) for tag in tags)]
    reached += ["award"] if live else []
    reached += ["contract"] if contracts else []
    reached.sort(key=STAGES.index)
    summary.stage = reached[-1] if reached else None
    return summary


def compile_process(releases: Iterable[dict[str, Any]]) -> Summary:
    """A contracting process as its releases tell it, oldest first: each field as the newest release that says it.

    A stage never goes back: a later tender amendment does not undo an award already published.
    """
    compiled = Summary()
    for data in sorted(releases, key=lambda r: str(r.get("date", ""))):
        summary = summarise(data)
        for name in ("title", "buyer", "cpv", "suppliers", "start", "end"):
            if getattr(summary, name) is not None:
                setattr(compiled, name, getattr(summary, name))
        if summary.value is not None and not (compiled.value_kind == "awarded" and summary.value_kind == "estimated"):
            compiled.value, compiled.currency, compiled.value_kind = summary.value, summary.currency, summary.value_kind
        if summary.stage and (compiled.stage is None or STAGES.index(summary.stage) > STAGES.index(compiled.stage)):
            compiled.stage = summary.stage
    return compiled


def ict_division(cpv: Iterable[str]) -> str:
    """The ICT division of a process: that of its first CPV code in one, or "" if none is ICT."""
    return next((code[:2] for code in cpv if code[:2] in ICT_DIVISIONS), "")
