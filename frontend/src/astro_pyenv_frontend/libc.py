"""Which C library a base image has, read from its files without running anything.

A portable interpreter (:mod:`.prebuilt`) runs on any base whose glibc is at least as new as the
one it was built on.  The gateway cannot run a program in the base to ask, but it can read
files: :func:`glibc_version` reads the release version from the base's ``libc.so.6`` (the
banner in its ``.rodata`` section, "GNU C Library ... release version 2.31.", what
``getconf GNU_LIBC_VERSION`` says), a few ranges of the file; without a banner, the newest of its
``GLIBC_2.x`` symbol versions (``.gnu.version_d``), which is never newer than the release but can
be older (glibc 2.31 defines none newer than ``GLIBC_2.30``).  :func:`candidate_paths` says where to look for a
platform, :func:`musl_loader_paths` where a musl base keeps its loader.  Pure: the caller
supplies the reads.

A C library is named as ``getconf GNU_LIBC_VERSION`` names it: ``glibc 2.36``.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "Libc",
    "Reader",
    "candidate_paths",
    "glibc_version",
    "musl_loader_paths",
    "parse_libc",
]

# (offset, length) -> at most ``length`` bytes of the file from ``offset``.
Reader = Callable[[int, int], bytes]

_SHT_GNU_VERDEF = 0x6FFFFFFD
_GLIBC_NAME = re.compile(rb"GLIBC_(\d+)\.(\d+)(?:\.\d+)?\Z")
_BANNER = re.compile(rb"GNU C Library [^\n\0]{0,200}? release version (\d+)\.(\d+)")
_MAX_RODATA_BYTES = 8 << 20  # glibc's is about 150 KiB
_LIBC_TEXT = re.compile(r"(glibc|musl) (\d+)\.(\d+)(?:\.\d+)?\Z")
# A libc.so.6 has about 70 sections and 40 version definitions; anything far larger is not one.
_MAX_SECTIONS = 4096
_MAX_VERDEF_BYTES = 1 << 20
_MAX_STRTAB_BYTES = 4 << 20

# Debian-style multiarch directories per OCI architecture (and variant).
_TRIPLETS = {
    "amd64": ("x86_64-linux-gnu",),
    "arm64": ("aarch64-linux-gnu",),
    "arm": ("arm-linux-gnueabihf", "arm-linux-gnueabi"),
    "386": ("i386-linux-gnu",),
    "ppc64le": ("powerpc64le-linux-gnu",),
    "s390x": ("s390x-linux-gnu",),
    "riscv64": ("riscv64-linux-gnu",),
}
_MUSL_ARCH = {"amd64": "x86_64", "arm64": "aarch64", "386": "i386", "ppc64le": "powerpc64le", "s390x": "s390x"}


@dataclass(frozen=True, order=True)
class Libc:
    """A C library family and its version: ``Libc("glibc", (2, 36))``."""

    family: str
    version: tuple[int, int]

    def __str__(self) -> str:
        return f"{self.family} {self.version[0]}.{self.version[1]}"


def parse_libc(text: str) -> Libc | None:
    """``glibc 2.36`` (as ``getconf GNU_LIBC_VERSION`` says it) -> Libc, or None."""
    match = _LIBC_TEXT.match(text.strip())
    if match is None:
        return None
    return Libc(match.group(1), (int(match.group(2)), int(match.group(3))))


def candidate_paths(architecture: str) -> tuple[str, ...]:
    """Where a base image of ``architecture`` (OCI: amd64, arm64, ...) keeps ``libc.so.6``,
    most likely first: Debian/Ubuntu multiarch directories, then Fedora/RHEL, then others."""
    dirs = [f"{root}/{triplet}" for triplet in _TRIPLETS.get(architecture, ()) for root in ("/lib", "/usr/lib")]
    dirs += ["/lib64", "/usr/lib64", "/lib", "/usr/lib"]
    return tuple(f"{d}/libc.so.6" for d in dirs)


def musl_loader_paths(architecture: str) -> tuple[str, ...]:
    """The musl dynamic loader of ``architecture`` (Alpine keeps it in /lib)."""
    arch = _MUSL_ARCH.get(architecture)
    return (f"/lib/ld-musl-{arch}.so.1",) if arch else ()


def glibc_version(read: Reader) -> tuple[int, int] | None:
    """The newest ``GLIBC_x.y`` version a ``libc.so.6`` defines, or None when the file is not an
    ELF library with version definitions (a musl or broken file, a stripped section table)."""
    try:
        return _glibc_version(read)
    except (struct.error, ValueError, IndexError):
        return None


@dataclass(frozen=True)
class _Section:
    name: int  # offset in the section-name string table
    type: int
    offset: int
    size: int
    link: int
    info: int


def _glibc_version(read: Reader) -> tuple[int, int] | None:
    ident = read(0, 64)
    if len(ident) < 52 or ident[:4] != b"\x7fELF" or ident[4] not in (1, 2) or ident[5] not in (1, 2):
        return None
    is64 = ident[4] == 2
    end = "<" if ident[5] == 1 else ">"
    if is64:
        (shoff,) = struct.unpack_from(end + "Q", ident, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", ident, 0x3A)
    else:
        (shoff,) = struct.unpack_from(end + "I", ident, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", ident, 0x2E)
    if not 0 < shnum <= _MAX_SECTIONS or shentsize < (64 if is64 else 40):
        return None
    table = _exactly(read, shoff, shnum * shentsize)
    sections = [_section(table, i * shentsize, is64, end) for i in range(shnum)]
    release = _banner_version(read, sections, shstrndx)
    if release is not None:
        return release
    verdef = next((s for s in sections if s.type == _SHT_GNU_VERDEF), None)
    if verdef is None or verdef.link >= len(sections) or verdef.size > _MAX_VERDEF_BYTES:
        return None
    strtab = sections[verdef.link]
    if strtab.size > _MAX_STRTAB_BYTES:
        return None
    definitions = _exactly(read, verdef.offset, verdef.size)
    strings = _exactly(read, strtab.offset, strtab.size)
    newest: tuple[int, int] | None = None
    for name in _definition_names(definitions, verdef.info, end, strings):
        match = _GLIBC_NAME.match(name)
        if match:
            found = (int(match.group(1)), int(match.group(2)))
            newest = found if newest is None else max(newest, found)
    return newest


def _banner_version(read: Reader, sections: list[_Section], shstrndx: int) -> tuple[int, int] | None:
    """The release in glibc's banner, in the ``.rodata`` section (None without one)."""
    if not 0 < shstrndx < len(sections) or sections[shstrndx].size > _MAX_STRTAB_BYTES:
        return None
    names = _exactly(read, sections[shstrndx].offset, sections[shstrndx].size)
    for section in sections:
        if names[section.name : section.name + 8] == b".rodata\0" and section.size <= _MAX_RODATA_BYTES:
            found = _BANNER.search(_exactly(read, section.offset, section.size))
            return (int(found.group(1)), int(found.group(2))) if found else None
    return None


def _exactly(read: Reader, offset: int, length: int) -> bytes:
    """``length`` bytes from ``offset``; a reader that ignores ranges returns the whole file."""
    data = read(offset, length)
    if len(data) > length:
        data = data[offset : offset + length]
    if len(data) != length:
        raise ValueError("short read")
    return data


def _section(table: bytes, at: int, is64: bool, end: str) -> _Section:
    if is64:
        name, kind, _flags, _addr, offset, size, link, info = struct.unpack_from(end + "IIQQQQII", table, at)
    else:
        name, kind, _flags, _addr, offset, size, link, info = struct.unpack_from(end + "IIIIIIII", table, at)
    return _Section(name, kind, offset, size, link, info)


def _definition_names(data: bytes, count: int, end: str, strings: bytes) -> list[bytes]:
    """The first name of each of ``count`` Elf_Verdef entries (20 bytes each, chained by
    vd_next; each name is an Elf_Verdaux at vd_aux pointing into ``strings``)."""
    names = []
    at = 0
    for _ in range(min(count, len(data) // 20)):
        _version, _flags, _index, aux_count, _hash, aux, next_offset = struct.unpack_from(end + "HHHHIII", data, at)
        if aux_count:
            (name_offset,) = struct.unpack_from(end + "I", data, at + aux)
            stop = strings.index(b"\0", name_offset)
            names.append(strings[name_offset:stop])
        if next_offset == 0:
            break
        at += next_offset
    return names
