"""This machine as a build target: its OCI platform and its C library."""

from __future__ import annotations

import os
import platform
import sys

from .libc import Libc, parse_libc

__all__ = ["host_libc", "host_platform"]

_ARCHITECTURES = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "arm/v7",
    "i686": "386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}


def host_platform() -> str:
    """``linux/amd64``, ``darwin/arm64``, ...: as OCI names platforms."""
    machine = platform.machine().lower()
    system = "linux" if sys.platform.startswith("linux") else sys.platform
    return f"{system}/{_ARCHITECTURES.get(machine, machine)}"


def host_libc() -> Libc | None:
    """``glibc 2.36`` as the C library names itself, or None (musl, macOS)."""
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError, AttributeError):
        return None
    return parse_libc(text) if text else None
