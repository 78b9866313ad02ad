"""What Pegasus takes in from uploaded files: how large a file may be, how much it may unpack to, the one rule for
text read from any imported file, and how an imported value is quoted back in a message. Pure Python, no Django.

Every upload (estate and market-price imports, OCDS market data, tickets, Part 2 attachments) has an `UploadLimit`:
its size, and for a file that is a ZIP archive (XLSX is one) how much its members may unpack to and how many members
it may hold. An archive's members are checked twice: the sizes it declares, then the bytes actually unpacked, counted
while reading in small pieces (a declared size can lie), so a small file that unpacks to gigabytes is refused after
reading no more than the limit. The same limit words the form's hint and the error, so they always agree.

An imported value is echoed in an error message by `shown`, never whole: a 95 MB column name is quoted as its first
forty characters.
"""

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from pegasus.core.exceptions import RuleViolation

MB = 1024 * 1024
ECHO_CHARACTERS = 40  # of an imported value quoted in a message
READ_CHUNK = 64 * 1024

FILE_TOO_LARGE = "The file is larger than {size}: {advice}."
FILE_UNPACKS_TOO_LARGE = "The file unpacks to more than {size} (its unpacked size): {advice}."
TOO_MANY_MEMBERS = "The file holds more than {count:,} packed files: {advice}."
NOT_AN_ARCHIVE = "The file is not a readable ZIP archive."
CONTAINS_CONTROL_CHARACTER = "This cell contains a control character ({name}), which cannot be stored."
SPLIT_ADVICE = "split it into smaller files"

# The characters no imported text may hold: C0 and C1 controls and DEL, and the Unicode line and paragraph
# separators (as `pegasus.core.bounds` refuses in every other way in), except tab, line feed and carriage return,
# which a cell may hold and which the importers read as spaces.
CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0x2028, 0x2029))
_CONTROL = re.compile("[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in CONTROL_RANGES) + "]")
# The same class for DuckDB's regular expressions (RE2), which read files too large to hold in Python.
CONTROL_CHARACTER_RE2 = "[" + "".join(f"\\x{{{lo:x}}}-\\x{{{hi:x}}}" for lo, hi in CONTROL_RANGES) + "]"


def _size(count: int) -> str:
    return f"{count // MB:,} MB" if count >= MB and count % MB == 0 else f"{count:,} bytes"


@dataclass(frozen=True)
class UploadLimit:
    """How large an upload may be and, when it is a ZIP archive, how much it may unpack to and hold."""

    max_bytes: int
    max_unpacked_bytes: int
    max_members: int = 1_000
    advice: str = SPLIT_ADVICE

    @property
    def hint(self) -> str:
        """For a form's hint: 'smaller than 5 MB, and no more than 50 MB unpacked'."""
        if self.max_unpacked_bytes <= self.max_bytes:
            return f"smaller than {_size(self.max_bytes)}"
        return f"smaller than {_size(self.max_bytes)}, and no more than {_size(self.max_unpacked_bytes)} unpacked"

    @property
    def too_large(self) -> str:
        return FILE_TOO_LARGE.format(size=_size(self.max_bytes), advice=self.advice)

    @property
    def unpacks_too_large(self) -> str:
        return FILE_UNPACKS_TOO_LARGE.format(size=_size(self.max_unpacked_bytes), advice=self.advice)

    @property
    def too_many_members(self) -> str:
        return TOO_MANY_MEMBERS.format(count=self.max_members, advice=self.advice)


class UploadRefused(RuleViolation):
    """An upload over its limit or not readable as what it claims to be; the message says which."""


def check_size(size: int, limit: UploadLimit) -> None:
    """Raise UploadRefused when a file of `size` bytes is over the limit."""
    if size > limit.max_bytes:
        raise UploadRefused(limit.too_large)


def _read_counted(member: IO[bytes], budget: int, limit: UploadLimit, *, keep: bool) -> tuple[bytes, int]:
    pieces, count = [], 0
    while piece := member.read(READ_CHUNK):
        count += len(piece)
        if count > budget:
            raise UploadRefused(limit.unpacks_too_large)
        if keep:
            pieces.append(piece)
    return b"".join(pieces), count


def archive_members(
    source: IO[bytes],
    limit: UploadLimit,
    *,
    wanted: Callable[[zipfile.ZipInfo], bool] = lambda info: True,
    keep: bool = True,
) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
    """The wanted members of a ZIP archive with their unpacked bytes (empty unless `keep`), one at a time; raises
    UploadRefused when the archive holds too many members, declares or actually unpacks to more than the limit, or
    cannot be read."""
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            if len(infos) > limit.max_members:
                raise UploadRefused(limit.too_many_members)
            chosen = [i for i in infos if not i.is_dir() and wanted(i)]
            if sum(i.file_size for i in chosen) > limit.max_unpacked_bytes:
                raise UploadRefused(limit.unpacks_too_large)
            budget = limit.max_unpacked_bytes
            for info in chosen:
                with archive.open(info) as member:
                    data, count = _read_counted(member, budget, limit, keep=keep)
                budget -= count
                yield info, data
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, zlib.error) as exc:
        raise UploadRefused(NOT_AN_ARCHIVE) from exc


def check_archive(source: IO[bytes], limit: UploadLimit) -> None:
    """Raise UploadRefused unless every member of the archive unpacks, in total, within the limit (counted, not
    kept)."""
    for _ in archive_members(source, limit, keep=False):
        pass


def shortened(value: object, characters: int = ECHO_CHARACTERS) -> str:
    """An imported value as text for a message: on one line, its first `characters` characters and '…' if longer.
    Only a little more than that is ever read from the value, however long it is."""
    raw = str(value)
    text = " ".join(raw[: characters * 4].split())
    return f"{text[:characters]}…" if len(text) > characters or len(raw) > characters * 4 else text


def shown(value: object, characters: int = ECHO_CHARACTERS) -> str:
    """An imported value quoted for a message, shortened: 'Thamesmead Networks plc'."""
    return f"'{shortened(value, characters)}'"


def control_character(text: str) -> str | None:
    """The first control character in imported `text`, named (such as U+0000), or None when it has none."""
    if (found := _CONTROL.search(text)) is None:
        return None
    return f"U+{ord(found.group()):04X}"


def control_character_problem(text: str) -> str | None:
    """The message for a cell holding a control character, or None when it holds none."""
    name = control_character(text)
    return None if name is None else CONTAINS_CONTROL_CHARACTER.format(name=name)
