"""Files every app server and worker shares (uploads, Part 2 attachments, stored ticket datasets), and a local cache.

A file that one process writes and another reads lives in Django's default storage: a folder under `var/media` on a
single host, or an S3-compatible bucket when several hosts serve Pegasus (`PEGASUS_STORAGE=s3`). Nothing shared is
read from `var/` by hand, so no app server depends on another's disk.

Readers that need a path rather than a stream (DuckDB reading Parquet, the CSV checker) get one from `local_file`
and `local_folder`: on a storage with local paths that is the stored file itself; otherwise a copy downloaded into
the cache (`PEGASUS_CACHE_DIR`, by default `var/cache`), kept under the object's name and its checksum (the S3 ETag)
so that a replaced object is fetched again and an unchanged one never is, and the copy of its previous version is
dropped. The cache is this host's own and may be emptied at any time; copies arrive by rename, so the processes of
one host can share it.
"""

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages

NAME_TAKEN = "{name} could not be stored under its own name (the storage kept it as {saved})."


def shared_storage() -> Storage:
    """The storage every process shares: Django's default storage."""
    return storages["default"]


def cache_dir() -> Path:
    """This host's cache of stored files (PEGASUS_CACHE_DIR, else `cache` under PEGASUS_VAR_DIR)."""
    configured = getattr(settings, "PEGASUS_CACHE_DIR", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "cache"


def _path_of(storage: Storage, name: str) -> Path | None:
    """The stored file itself when the storage keeps files on this host's disk, else None."""
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        return None


def fingerprint(name: str, *, storage: Storage | None = None) -> str:
    """What changes whenever the stored object does: its ETag on S3, else its size and modification time.

    Raises FileNotFoundError when there is no such object.
    """
    storage = storage or shared_storage()
    s3 = _s3_key(storage, name)
    if s3 is not None:
        from botocore.exceptions import ClientError

        client, bucket, key = s3
        try:
            head = client.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(name) from None
            raise
        return str(head["ETag"]).strip('"')
    return f"{storage.size(name)}-{storage.get_modified_time(name).timestamp():.6f}"


def _s3_key(storage: Storage, name: str):
    """(client, bucket, key) for a django-storages S3 storage: its ETag from one HEAD, its body streamed to disk."""
    try:
        from storages.backends.s3 import S3Storage
        from storages.utils import clean_name
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return None
    if not isinstance(storage, S3Storage):
        return None
    return storage.connection.meta.client, storage.bucket_name, storage._normalize_name(clean_name(name))


def _download(storage: Storage, name: str, target: Path) -> None:
    """Copy a stored object to `target` (a new file in the target's folder first, then renamed into place)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    os.close(handle)
    try:
        s3 = _s3_key(storage, name)
        if s3 is not None:
            client, bucket, key = s3
            client.download_file(bucket, key, partial)  # streamed to disk, in parallel parts for large objects
        else:
            with storage.open(name, "rb") as source, open(partial, "wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _slot(name: str) -> Path:
    """The cache folder of one stored name (or folder of names): a digest, so any name makes a safe folder."""
    return cache_dir() / "files" / hashlib.sha256(name.encode()).hexdigest()[:40]


def _version_folder(slot: Path, version: str) -> Path:
    """The folder of one version inside a slot; other versions of the same name are dropped as it is made."""
    folder = slot / re.sub(r"[^A-Za-z0-9._-]", "_", version)[:100]
    if slot.is_dir():
        for other in slot.iterdir():
            if other != folder and not other.name.startswith("."):
                shutil.rmtree(other, ignore_errors=True)
    return folder


def local_file(name: str, *, storage: Storage | None = None) -> Path:
    """A path on this host holding the stored object `name` (FileNotFoundError when there is none)."""
    storage = storage or shared_storage()
    own = _path_of(storage, name)
    if own is not None:
        if not own.is_file():
            raise FileNotFoundError(name)
        return own
    folder = _version_folder(_slot(name), fingerprint(name, storage=storage))
    target = folder / (Path(name).name or "file")
    if not target.is_file():
        _download(storage, name, target)
    return target


def local_folder(folder: str, names: Iterable[str], *, storage: Storage | None = None) -> Path:
    """A directory on this host holding those of `folder/<name>` that are stored; the others are simply absent."""
    storage = storage or shared_storage()
    own = _path_of(storage, folder)
    if own is not None:
        return own
    present = {}
    for name in names:
        try:
            present[name] = fingerprint(f"{folder}/{name}", storage=storage)
        except FileNotFoundError:
            continue
    version = hashlib.sha256(repr(sorted(present.items())).encode()).hexdigest()[:40]
    local = _version_folder(_slot(folder + "/"), version)
    for name in present:
        if not (local / name).is_file():
            _download(storage, f"{folder}/{name}", local / name)
    local.mkdir(parents=True, exist_ok=True)
    return local


@contextmanager
def fetched(name: str, *, storage: Storage | None = None) -> Iterator[Path]:
    """A path holding the stored object for the length of the block, for a file read once (an upload being checked).

    A downloaded copy is removed afterwards rather than cached.
    """
    storage = storage or shared_storage()
    own = _path_of(storage, name)
    if own is not None:
        if not own.is_file():
            raise FileNotFoundError(name)
        yield own
        return
    scratch = cache_dir() / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="fetch-", dir=scratch))
    try:
        target = folder / (Path(name).name or "file")
        _download(storage, name, target)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_file(name: str, source: Path, *, storage: Storage | None = None, replace: bool = False) -> str:
    """Store the local file `source` as `name`; with `replace`, an object already there is replaced.

    Raises FileExistsError when the storage kept it under another name (the name was taken and not replaced).
    """
    storage = storage or shared_storage()
    if replace:
        storage.delete(name)
    with source.open("rb") as handle:
        saved = storage.save(name, File(handle, name=Path(name).name))
    if saved != name:
        storage.delete(saved)
        raise FileExistsError(NAME_TAKEN.format(name=name, saved=saved))
    return saved


def delete_files(names: Iterable[str], *, storage: Storage | None = None) -> None:
    """Delete stored objects; one already gone is no error."""
    storage = storage or shared_storage()
    for name in names:
        storage.delete(name)
