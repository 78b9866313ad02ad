"""Hostile files built in the tests, small on disk: archives that unpack to far more than they weigh, archives that
lie about their sizes, and workbooks whose shared strings hold one enormous value."""

import io
import struct
import zipfile

from openpyxl import Workbook

MB = 1024 * 1024


def bomb(members: dict[str, int], *, filler: bytes = b" ") -> bytes:
    """A ZIP whose members (name: unpacked size in bytes) are each one repeated byte: a few KB per 10 MB."""
    buffer = io.BytesIO()
    block = (filler * MB)[:MB]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=size > 2**31) as member:
                whole, rest = divmod(size, MB)
                for _ in range(whole):
                    member.write(block)
                member.write(block[:rest])
    return buffer.getvalue()


def lying(archive: bytes, declared: int) -> bytes:
    """The archive with every member's unpacked size, in its local header and the central directory, set to
    `declared`: a reader trusting the sizes expects far less than the members hold."""
    data = bytearray(archive)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            struct.pack_into("<I", data, start + offset, declared)
            start += 4
    return bytes(data)


def many_members(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"m{n}.json", b"{}")
    return buffer.getvalue()


def xlsx_with_header(header: list[str], rows: list[list] | None = None, *, huge: int = 0) -> bytes:
    """An XLSX with `header` and `rows`; with `huge`, the header's first cell is replaced, in the part of the
    workbook that holds its text, by `huge` characters, compressed to a few KB."""
    book = Workbook()
    sheet = book.active
    sheet.append(["PEGASUS-PLACEHOLDER", *header[1:]] if huge else header)
    for row in rows or []:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    if not huge:
        return buffer.getvalue()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if b"PEGASUS-PLACEHOLDER" in data:
                head, tail = data.split(b"PEGASUS-PLACEHOLDER")
                with target.open(info.filename, "w") as member:
                    member.write(head)
                    whole, rest = divmod(huge, MB)
                    for _ in range(whole):
                        member.write(b"A" * MB)
                    member.write(b"A" * rest)
                    member.write(tail)
            else:
                target.writestr(info, data)
    return out.getvalue()
