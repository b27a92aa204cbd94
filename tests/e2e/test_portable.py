"""One prebuilt interpreter for every glibc base users have (issue 21), on the real engine.

The catalog's images are built on Debian 11 (glibc 2.31) and carry the libraries they link.  A
cold build on each base users start FROM (python:3.12-slim on Debian 13, Debian 11 and 13 without
Python, both Astro Runtimes) with ``PYENV 3.9``, ``3.11`` and ``3.13`` must compile nothing: each
prefix resolves to the version the catalog has, the image is pulled by digest and fitted to the
base, and every standard module that loads a shared library imports as an unprivileged user.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable

import pytest

from . import harness

COMPILE_STEP = "compiling CPython"  # what build-python.sh prints when it compiles
# The standard modules that load shared libraries (carried or the base's).
IMPORTS = (
    "import ssl, sqlite3, ctypes, zlib, bz2, lzma, readline, curses, dbm, dbm.gnu, dbm.ndbm, uuid, _uuid, "
    "pyexpat, _decimal, hashlib, sys; ssl.create_default_context(); sqlite3.connect(':memory:').execute('select 1'); "
    "print('ok', sys.version.split()[0])"
)
SERIES = ("3.9", "3.11", "3.13")


def _bases() -> list[tuple[str, str]]:
    settings = harness.Settings.from_env()
    return [
        ("python-3.12-slim (Debian 13)", settings.python_base),
        ("debian 13, no Python", os.environ.get("ASTRO_PYENV_TRIXIE_BASE") or "debian:trixie-slim"),
        ("debian 11, no Python", os.environ.get("ASTRO_PYENV_BULLSEYE_BASE") or "debian:bullseye-slim"),
        ("Astro Runtime 13 (Airflow 2)", settings.runtime_image),
        ("Astro Runtime 3.1 (Airflow 3)", settings.runtime3_image),
    ]


@pytest.mark.parametrize(("what", "base"), _bases(), ids=[what for what, _ in _bases()])
def test_every_base_gets_prebuilt_interpreters_that_work_as_any_user(
    what: str,
    base: str,
    engine: harness.Settings,
    frontend_image: str,
    build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    nonce = uuid.uuid4().hex[:12]  # a cold build: nothing of an earlier one is reused
    lines = [f"# syntax={frontend_image}", f"FROM {base}", f"RUN echo {nonce} > /tmp/nonce"]
    lines += [f"PYENV {series} py{series.replace('.', '')}" for series in SERIES]
    # The Astro Runtime's ONBUILD steps copy these (empty files: nothing to install).
    files = {"packages.txt": "", "requirements.txt": ""}
    result = build("\n".join(lines) + "\n", files=files)
    assert result.ok, result.tail(80)
    assert COMPILE_STEP not in result.log, result.tail(80)
    # Each announcement once: BuildKit's plain progress prints a vertex's name again when other
    # vertices' output came in between (seen under load), with the same "#N" and text.
    announced = list(
        dict.fromkeys(line for line in result.log.splitlines() if "astro-pyenv: CPython" in line and "(line " in line)
    )
    assert len(announced) == len(SERIES), announced
    versions = []
    for series, line in zip(SERIES, announced):
        match = re.search(rf"CPython ({re.escape(series)}\.\d+): prebuilt for glibc 2\.\d+\+ \(linux/\w+\)", line)
        assert match, line
        versions.append(match.group(1))
    assert result.image_id
    for series, version in zip(SERIES, versions):
        variable = f"ASTRO_PYENV_py{series.replace('.', '')}"
        ran = run_in_image(result.image_id, ["sh", "-c", f'"${variable}" -c "{IMPORTS}"'], user="65534:65534")
        assert ran.exit_code == 0 and f"ok {version}" in ran.output, (what, series, ran.output)


def test_the_base_s_own_libraries_win_and_carried_ones_fill_the_gaps(
    engine: harness.Settings,
    frontend_image: str,
    build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    """python:3.12-slim has its own libreadline (its Python's readline module needs it): the
    interpreter uses that one, the base's distribution patches it, and carries none.  Debian 13
    without Python has no libreadline: the interpreter keeps its own (Debian 11's 8.1), and with it
    its own libtinfo, which the base has too but which that readline was built with."""
    trixie = os.environ.get("ASTRO_PYENV_TRIXIE_BASE") or "debian:trixie-slim"
    lib = "/opt/astro-pyenv/python/*/lib"
    script = (
        f"for so in libreadline.so.8 libtinfo.so.6; do ls {lib}/$so >/dev/null 2>&1 && echo own || echo base; done; "
        "\"$ASTRO_PYENV_e\" -c 'import readline; print(readline._READLINE_LIBRARY_VERSION)'"
    )
    seen = {}
    for base in (engine.python_base, trixie):
        result = build(f"# syntax={frontend_image}\nFROM {base}\nPYENV 3.13 e\n")
        assert result.ok, result.tail(80)
        assert result.image_id
        ran = run_in_image(result.image_id, ["sh", "-c", script], user="65534:65534")
        assert ran.exit_code == 0, ran.output
        seen[base] = ran.output.split()
    assert seen[trixie] == ["own", "own", "8.1"], seen
    readline_from, tinfo_from, version = seen[engine.python_base]
    assert (readline_from, tinfo_from) == ("base", "base") and version != "8.1", seen
