"""Reading a base image's glibc version from its libc.so.6, without running it (libc.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_libc import elf as _elf
from fake_libc import libc_so
from hypothesis import given, settings
from hypothesis import strategies as st

from astro_pyenv_frontend.libc import Libc, candidate_paths, glibc_version, musl_loader_paths, parse_libc

HOST_LIBC = Path("/lib/x86_64-linux-gnu/libc.so.6")


def _ranged(data: bytes, calls: list[tuple[int, int]] | None = None):  # type: ignore[no-untyped-def]
    def read(offset: int, length: int) -> bytes:
        if calls is not None:
            calls.append((offset, length))
        return data[offset : offset + length]

    return read


@pytest.mark.skipif(not HOST_LIBC.exists(), reason="no x86_64 Debian libc on this machine")
def test_the_hosts_libc_reads_as_its_own_version_in_a_few_small_ranges() -> None:
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.gnu_get_libc_version.restype = ctypes.c_char_p
    running = tuple(int(part) for part in libc.gnu_get_libc_version().decode().split(".")[:2])
    data = HOST_LIBC.read_bytes()
    calls: list[tuple[int, int]] = []
    assert glibc_version(_ranged(data, calls)) == running
    assert len(calls) <= 4 and sum(length for _, length in calls) < 512 * 1024, calls


@pytest.mark.skipif(not HOST_LIBC.exists(), reason="no x86_64 Debian libc on this machine")
def test_an_engine_that_ignores_the_range_gives_the_same_answer() -> None:
    data = HOST_LIBC.read_bytes()
    assert glibc_version(lambda offset, length: data) == glibc_version(_ranged(data))


@pytest.mark.parametrize("is64", [True, False])
@pytest.mark.parametrize("big", [True, False])
def test_every_class_and_byte_order(is64: bool, big: bool) -> None:
    names = [b"libc.so.6", b"GLIBC_2.2.5", b"GLIBC_2.17", b"GLIBC_2.34", b"GLIBC_2.4", b"GLIBC_PRIVATE"]
    assert glibc_version(_ranged(_elf(names, is64=is64, big=big))) == (2, 34)


@pytest.mark.parametrize("is64", [True, False])
@pytest.mark.parametrize("big", [True, False])
def test_the_release_in_the_banner_wins_over_the_newest_symbol_version(is64: bool, big: bool) -> None:
    """glibc 2.31 (Debian 11) defines no GLIBC_2.31 symbols: its newest is GLIBC_2.30, and an
    image built on it must still count as fitting a Debian 11 base."""
    data = libc_so((2, 31), newest_symbols=30, is64=is64, big=big)
    assert glibc_version(_ranged(data)) == (2, 31)
    assert glibc_version(lambda offset, length: data) == (2, 31)  # an engine that ignores ranges


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"!<arch>\n",
        b"\x7fELF" + b"\0" * 60,  # no class, no byte order
        _elf([b"libc.so.6"], is64=True, big=False),  # no GLIBC_ version (musl's libc.so has none)
        _elf([b"GLIBC_2.36"], is64=True, big=False)[:100],  # cut short
    ],
)
def test_what_is_not_a_glibc_reads_as_none(data: bytes) -> None:
    assert glibc_version(_ranged(data)) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_no_input_raises(data: bytes) -> None:
    glibc_version(_ranged(b"\x7fELF\x02\x01" + data))
    glibc_version(_ranged(data))


def test_paths_follow_the_platform() -> None:
    assert candidate_paths("amd64")[0] == "/lib/x86_64-linux-gnu/libc.so.6"
    assert candidate_paths("arm64")[0] == "/lib/aarch64-linux-gnu/libc.so.6"
    assert "/lib64/libc.so.6" in candidate_paths("amd64")  # Fedora, RHEL, Amazon Linux
    assert "/lib64/libc.so.6" in candidate_paths("mips64")  # unknown: the generic places
    assert musl_loader_paths("arm64") == ("/lib/ld-musl-aarch64.so.1",)
    assert musl_loader_paths("mips64") == ()


@pytest.mark.parametrize(
    ("text", "libc"),
    [
        ("glibc 2.31", Libc("glibc", (2, 31))),
        ("glibc 2.41\n", Libc("glibc", (2, 41))),
        ("musl 1.2.5", Libc("musl", (1, 2))),
        ("glibc", None),
        ("GNU libc 2.31", None),
    ],
)
def test_libc_names_as_getconf_says_them(text: str, libc: Libc | None) -> None:
    assert parse_libc(text) == libc
    if libc is not None:
        assert str(libc) == " ".join(text.split()[:1] + [".".join(text.split()[1].split(".")[:2])])
