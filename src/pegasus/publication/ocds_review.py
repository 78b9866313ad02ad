"""What an OCDS package holds and whether the schema accepts it, as a publisher says on its open data page.

`package_errors` checks a release or record package against the OCDS 1.1.5 package schema, its releases (and a
record's compiled release) against the release schema with the UK extension's patch merged in, as Pegasus declares
that extension. The schemas are read from folders on this machine (the standard's published schema folder and the
extension's), given by the caller, so a server that reaches nothing outside can check what it exports; a server
without them says the package was not checked. Fields that neither schema defines are allowed, as in OCDS itself;
codelists are not checked (libcoveocds does that in the tests).

`package_summary` counts what the package holds: its releases or records, its contracting processes, and of them
the estate's contracts, the procurements and the published notices, with the licence and publisher it declares.

Plain values in, plain values out: no Django.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource

STANDARD_FILES = (
    "release-package-schema.json",
    "record-package-schema.json",
    "release-schema.json",
    "versioned-release-validation-schema.json",
)
EXTENSION_FILE = "release-schema.json"  # the extension's patch of the release schema
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"
STANDARD = "OCDS 1.1.5 with the UK extension"
RELEASES = "releases"
RECORDS = "records"
PACKAGE_SCHEMAS = {RELEASES: "release-package-schema.json", RECORDS: "record-package-schema.json"}
# An error's message quotes the value at fault, which may be a whole release: kept short, as it is stored and shown.
MESSAGE_LIMIT = 300
UNKNOWN_KIND = "A package is of releases or of records, not {kind!r}."


@dataclass(frozen=True)
class SchemaError:
    """One place where the package breaks the schema: its JSON path (`releases/3/tender/value`) and why."""

    path: str
    message: str


@dataclass(frozen=True)
class PackageSummary:
    items: int  # releases in a release package, records in a record package
    processes: int  # contracting processes (distinct ocids)
    contracts: int  # the estate's contracts: releases with a contract
    procurements: int  # procurements: releases that plan a tender
    notices: int  # published notices, each a document of its contract
    awards: int  # published awards of the procurements' tenders
    publisher: str
    license: str
    version: str


def merge_patch(target: Any, patch: Any) -> Any:
    """JSON Merge Patch (RFC 7396): objects merge key by key, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


@dataclass(frozen=True)
class Schemas:
    """Where the OCDS 1.1.5 schema folder (`standard`) and the UK extension's folder (`extension`) are."""

    standard: Path
    extension: Path

    def missing(self) -> list[Path]:
        """The schema files that are not there: the package cannot be checked without them."""
        wanted = [self.standard / name for name in STANDARD_FILES] + [self.extension / EXTENSION_FILE]
        return [path for path in wanted if not path.is_file()]


def _read(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator(kind: str, schemas: Schemas) -> Draft4Validator:
    """The package schema of `kind`, with the release schema (the UK extension merged in) it refers to."""
    release = merge_patch(_read(schemas.standard / "release-schema.json"), _read(schemas.extension / EXTENSION_FILE))
    registry: Registry = Registry().with_resources(
        [
            (SCHEMA_URL + "release-schema.json", Resource.from_contents(release)),
            (
                SCHEMA_URL + "versioned-release-validation-schema.json",
                Resource.from_contents(_read(schemas.standard / "versioned-release-validation-schema.json")),
            ),
        ]
    )
    return Draft4Validator(_read(schemas.standard / PACKAGE_SCHEMAS[kind]), registry=registry)


def _path_key(path: tuple[Any, ...]) -> tuple[tuple[int, int, str], ...]:
    """Document order: list positions by number, keys by name."""
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in path)


def package_errors(package: Any, kind: str, schemas: Schemas) -> list[SchemaError]:
    """Every place where `package` breaks the schema of a `kind` package (releases or records), in document order;
    an empty list when it is valid. The schema files must be there (`Schemas.missing`)."""
    if kind not in PACKAGE_SCHEMAS:
        raise ValueError(UNKNOWN_KIND.format(kind=kind))
    found = sorted(
        _validator(kind, schemas).iter_errors(package), key=lambda e: (_path_key(tuple(e.absolute_path)), e.message)
    )
    errors = []
    for error in found:
        message = error.message
        if len(message) > MESSAGE_LIMIT:
            message = message[: MESSAGE_LIMIT - 1] + "…"
        errors.append(SchemaError(path="/".join(str(part) for part in error.absolute_path), message=message))
    return errors


def _processes(package: dict[str, Any], kind: str) -> list[tuple[dict[str, Any], set[str]]]:
    """Each item of the package as (what is known of its process, the tags of its releases): a release and its own
    tags, or a record's compiled release and the tags of the releases it embeds (the compiled one's own tag is
    only `compiled`)."""
    out = []
    for item in package.get(kind) or []:
        if not isinstance(item, dict):
            continue
        if kind == RELEASES:
            out.append((item, set(item.get("tag") or [])))
            continue
        embedded = [r for r in item.get("releases") or [] if isinstance(r, dict)]
        found = item.get("compiledRelease")
        compiled: dict[str, Any] = found if isinstance(found, dict) else {}
        tags = {tag for r in embedded for tag in r.get("tag") or []} or set(compiled.get("tag") or [])
        out.append((compiled or (embedded[-1] if embedded else {}), tags))
    return out


def package_summary(package: dict[str, Any], kind: str) -> PackageSummary:
    """What a package of `kind` holds, read from the package itself."""
    if kind not in PACKAGE_SCHEMAS:
        raise ValueError(UNKNOWN_KIND.format(kind=kind))
    processes = _processes(package, kind)
    contracts = [release for release, _ in processes if release.get("contracts")]
    publisher = package.get("publisher") or {}
    return PackageSummary(
        items=len(package.get(kind) or []),
        processes=len({release.get("ocid") for release, _ in processes if release.get("ocid")}),
        contracts=len(contracts),
        procurements=sum(1 for _, tags in processes if "planning" in tags),
        notices=sum(
            1
            for release in contracts
            for contract in release["contracts"]
            if isinstance(contract, dict)
            for document in contract.get("documents") or []
            if isinstance(document, dict) and document.get("noticeType")
        ),
        awards=sum(len(release.get("awards") or []) for release, tags in processes if "award" in tags),
        publisher=str(publisher.get("name", "")) if isinstance(publisher, dict) else "",
        license=str(package.get("license", "")),
        version=str(package.get("version", "")),
    )


def package_bytes(package: dict[str, Any]) -> bytes:
    """The package as it is written and served: indented UTF-8 JSON, ending with a newline."""
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
