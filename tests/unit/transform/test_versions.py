from __future__ import annotations

from pathlib import Path

import pytest

from astro_pyenv_frontend.versions import (
    UnknownVersionError,
    is_cpython_definition,
    is_free_threaded,
    load_bundled_versions,
    load_known_versions,
    major_minor,
    resolve_version,
)

KNOWN = load_bundled_versions()


def test_bundled_snapshot() -> None:
    assert len(KNOWN) == 1045
    assert "3.12.4" in KNOWN and "pypy3.10-7.3.17" in KNOWN
    assert list(KNOWN) == sorted(KNOWN)


@pytest.mark.parametrize(
    ("spec", "resolved"),
    [
        ("3.12.4", "3.12.4"),
        ("3.13.5t", "3.13.5t"),
        ("3.14.5rc1", "3.14.5rc1"),
        ("3.14.5rc1t", "3.14.5rc1t"),
        ("3.15.0b1", "3.15.0b1"),
        ("3.13-dev", "3.13-dev"),
        ("3.13t-dev", "3.13t-dev"),
        ("2.7.18", "2.7.18"),
        ("3.12", "3.12.13"),
        ("3.9", "3.9.25"),
        ("3.13t", "3.13.13t"),
        ("3.14", "3.14.4"),
        ("3.14t", "3.14.4t"),
        ("3.15", "3.15.0b1"),
        ("3.15t", "3.15.0b1t"),
        ("3", "3.14.4"),
        ("2", "2.7.18"),
    ],
)
def test_resolve(spec: str, resolved: str) -> None:
    assert resolve_version(spec, KNOWN) == resolved


@pytest.mark.parametrize(
    ("spec", "known", "resolved"),
    [
        ("3.12", ["3.12.3", "3.12.10", "3.12-dev"], "3.12.10"),
        ("3.15", ["3.15.0a8", "3.15.0b1", "3.15.0a10"], "3.15.0b1"),
        ("3.15", ["3.15.0a8", "3.15.0rc1", "3.15.0"], "3.15.0"),
        ("3.14", ["3.14.0", "3.14.1rc1"], "3.14.0"),
        ("3.13t", ["3.13.1", "3.13.2", "3.13.1t"], "3.13.1t"),
        ("3.13", ["3.13.1t", "3.13.0"], "3.13.0"),
    ],
)
def test_resolve_small(spec: str, known: list[str], resolved: str) -> None:
    assert resolve_version(spec, known) == resolved


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("3.12.99", "unknown Python version 3.12.99; nearest known: 3.12.11, 3.12.12, 3.12.13"),
        ("3.12.0rc9", "unknown Python version 3.12.0rc9; nearest known: 3.12.0, 3.12.1, 3.12.2"),
        ("3.99", "unknown Python version 3.99; nearest known: 3.13.13, 3.14.4, 3.15.0b1"),
        ("3.16", "unknown Python version 3.16; nearest known: 3.13.13, 3.14.4, 3.15.0b1"),
        ("3.12t", "unknown Python version 3.12t; nearest known: 3.13.13t, 3.14.4t, 3.15.0b1t"),
        ("3.10.99t", "unknown Python version 3.10.99t; nearest known: 3.13.13t, 3.14.4t, 3.15.0b1t"),
        ("pypy3.10", "unknown Python version pypy3.10; nearest known: 3.13.13, 3.14.4, 3.15.0b1"),
        ("miniconda3-latest", "unknown Python version miniconda3-latest; nearest known: 3.13.13, 3.14.4, 3.15.0b1"),
        ("latest", "unknown Python version latest; nearest known: 3.13.13, 3.14.4, 3.15.0b1"),
        ("", "unknown Python version ; nearest known: 3.13.13, 3.14.4, 3.15.0b1"),
        ("3.12-dev2", "unknown Python version 3.12-dev2; nearest known: 3.11.15, 3.12.13, 3.13.13"),
    ],
)
def test_unknown(spec: str, message: str) -> None:
    with pytest.raises(UnknownVersionError) as info:
        resolve_version(spec, KNOWN)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_unknown_without_known() -> None:
    with pytest.raises(UnknownVersionError) as info:
        resolve_version("3.12", [])
    assert str(info.value) == "unknown Python version 3.12"


@pytest.mark.parametrize(
    ("name", "cpython"),
    [
        ("3.12.4", True), ("3.13.5t", True), ("3.14.0rc1", True), ("3.15.0a8", True), ("3.13-dev", True),
        ("3.13t-dev", True), ("pypy3.10-7.3.17", False), ("anaconda3-2024.06-1", False),
        ("miniforge3-24.3.0-0", False), ("graalpy-24.0.0", False), ("stackless-3.7.5", False),
        ("jython-2.7.2", False), ("ironpython-2.7.7", False), ("pyston-2.3.5", False),
        ("micropython-1.21.0", False), ("activepython-3.6.0", False), ("cinder-3.10-dev", False),
        ("nogil-3.9.10", False), ("mambaforge", False), ("patches", False),
    ],
)
def test_is_cpython_definition(name: str, cpython: bool) -> None:
    assert is_cpython_definition(name) is cpython


def test_only_cpython_in_bundled_resolution() -> None:
    cpython = [n for n in KNOWN if is_cpython_definition(n)]
    assert all(n[0].isdigit() for n in cpython)
    assert len(cpython) == 279


@pytest.mark.parametrize(
    ("version", "mm", "ft"),
    [
        ("3.13.5t", "3.13", True), ("3.13.5", "3.13", False), ("3.13-dev", "3.13", False),
        ("3.13t-dev", "3.13", True), ("3.14.5rc1t", "3.14", True), ("3.15.0a8", "3.15", False),
        ("3.9", "3.9", False), ("2.7.18", "2.7", False),
    ],
)
def test_major_minor_and_free_threaded(version: str, mm: str, ft: bool) -> None:
    assert major_minor(version) == mm
    assert is_free_threaded(version) is ft


def test_major_minor_rejects_non_cpython() -> None:
    with pytest.raises(ValueError, match="not a CPython version: 'pypy3.10'"):
        major_minor("pypy3.10")


def test_load_known_versions(tmp_path: Path) -> None:
    d = tmp_path / "plugins" / "python-build" / "share" / "python-build"
    (d / "patches").mkdir(parents=True)
    for name in ("3.12.1", "3.12.0", "pypy3.10-7.3.17"):
        (d / name).write_text("")
    assert load_known_versions(tmp_path) == ("3.12.0", "3.12.1", "pypy3.10-7.3.17")


@pytest.mark.skipif(not Path("/root/.pyenv").is_dir(), reason="no pyenv checkout")
def test_bundled_matches_installed_pyenv() -> None:
    assert load_known_versions(Path("/root/.pyenv")) == KNOWN
