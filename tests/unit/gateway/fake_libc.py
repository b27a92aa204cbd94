"""A minimal ELF file with version definitions: what the gateway reads of a base's libc.so.6."""

from __future__ import annotations

import struct


def libc_so(
    version: tuple[int, int], *, is64: bool = True, big: bool = False, newest_symbols: int | None = None
) -> bytes:
    """A ``libc.so.6`` of glibc ``version``: its banner, and symbol versions GLIBC_2.2.5 up to
    GLIBC_2.<newest_symbols> (default the release's own; glibc 2.31's newest is 2.30)."""
    major, minor = version
    newest = minor if newest_symbols is None else newest_symbols
    names = [b"libc.so.6", b"GLIBC_2.2.5", *(f"GLIBC_{major}.{m}".encode() for m in range(3, newest + 1))]
    banner = f"GNU C Library (Debian GLIBC {major}.{minor}-1) stable release version {major}.{minor}.\n".encode()
    return elf([*names, b"GLIBC_PRIVATE"], is64=is64, big=big, rodata=b"\0" * 16 + banner + b"\0")


def elf(names: list[bytes], *, is64: bool, big: bool, rodata: bytes | None = None) -> bytes:
    """A minimal ELF file: a section table with a string table (the section names' too), a
    version-definition section naming ``names`` and, with ``rodata``, a ``.rodata`` section (the
    layout a linker writes, in either class and byte order)."""
    end = ">" if big else "<"
    strings = b"\0" + b"".join(n + b"\0" for n in names)
    rodata_name = len(strings)
    strings += b".rodata\0"
    offsets = []
    at = 1
    for n in names:
        offsets.append(at)
        at += len(n) + 1
    verdef = b""
    for i, name_offset in enumerate(offsets):
        last = i == len(offsets) - 1
        verdef += struct.pack(end + "HHHHIII", 1, 0, i + 1, 1, 0, 20, 0 if last else 28)
        verdef += struct.pack(end + "II", name_offset, 0)
    header_size = 64 if is64 else 52
    strings_at = header_size
    verdef_at = strings_at + len(strings)
    rodata_at = verdef_at + len(verdef)
    table_at = rodata_at + len(rodata or b"")
    if is64:
        entry = end + "IIQQQQIIQQ"
        sections = [
            struct.pack(entry, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            struct.pack(entry, 0, 3, 0, 0, strings_at, len(strings), 0, 0, 1, 0),
            struct.pack(entry, 0, 0x6FFFFFFD, 0, 0, verdef_at, len(verdef), 1, len(names), 4, 0),
        ]
        if rodata is not None:
            sections.append(struct.pack(entry, rodata_name, 1, 0, 0, rodata_at, len(rodata), 0, 0, 32, 0))
        head = b"\x7fELF" + bytes([2, 2 if big else 1, 1]) + b"\0" * 9
        head += struct.pack(end + "HHIQQQIHHHHHH", 3, 62, 1, 0, 0, table_at, 0, 64, 56, 0, 64, len(sections), 1)
    else:
        entry = end + "IIIIIIIIII"
        sections = [
            struct.pack(entry, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            struct.pack(entry, 0, 3, 0, 0, strings_at, len(strings), 0, 0, 1, 0),
            struct.pack(entry, 0, 0x6FFFFFFD, 0, 0, verdef_at, len(verdef), 1, len(names), 4, 0),
        ]
        if rodata is not None:
            sections.append(struct.pack(entry, rodata_name, 1, 0, 0, rodata_at, len(rodata), 0, 0, 32, 0))
        head = b"\x7fELF" + bytes([1, 2 if big else 1, 1]) + b"\0" * 9
        head += struct.pack(end + "HHIIIIIHHHHHH", 3, 40, 1, 0, 0, table_at, 0, 52, 32, 0, 40, len(sections), 1)
    assert len(head) == header_size
    return head + strings + verdef + (rodata or b"") + b"".join(sections)


