"""Resolve a PYENV ``<python-version>`` against pyenv's python-build definitions.

Definitions are the file names in ``plugins/python-build/share/python-build``
of a pyenv checkout.  Only CPython counts: names such as ``3.12.4``,
``3.13.5t`` (free-threaded), ``3.14.0rc1``, ``3.15.0a8`` and ``3.13-dev`` /
``3.13t-dev``; pypy, anaconda, miniconda, graalpy, ... are ignored.

A spec is either an exact definition name or a prefix (``3``, ``3.12``,
``3.13t``) which picks the newest final release of that series, or the newest
pre-release when the series has no final yet; among the versions prebuilt images
exist of first, when one matches.  A prefix never picks ``-dev``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from packaging.version import Version

__all__ = [
    "UnknownVersionError",
    "is_cpython_definition",
    "is_free_threaded",
    "load_bundled_versions",
    "load_known_versions",
    "major_minor",
    "resolve_version",
]

_RELEASE_RE = re.compile(r"(?P<release>\d+\.\d+(?:\.\d+)?)(?P<pre>(?:a|b|rc)\d+)?(?P<t>t?)\Z")
_DEV_RE = re.compile(r"(?P<release>\d+\.\d+)(?P<t>t?)-dev\Z")
_PREFIX_RE = re.compile(r"(?P<major>\d+)(?:\.(?P<minor>\d+))?(?P<t>t?)\Z")
_LENIENT_RE = re.compile(
    r"(?P<major>\d+)(?:\.(?P<minor>\d+))?(?:\.(?P<micro>\d+))?(?:(?:a|b|rc)\d+)?(?P<t>t?)"
)

DEFINITIONS_SUBDIR = Path("plugins", "python-build", "share", "python-build")
_BUNDLED = "python-build-definitions.txt"
_MAX_SUGGESTIONS = 3


class UnknownVersionError(ValueError):
    """The spec matches no CPython definition; the message lists the nearest ones."""

    def __init__(self, spec: str, nearest: Sequence[str]) -> None:
        self.spec = spec
        self.nearest = tuple(nearest)
        message = f"unknown Python version {spec}"
        if self.nearest:
            message += "; nearest known: " + ", ".join(self.nearest)
        super().__init__(message)


class _Release(NamedTuple):
    name: str
    version: Version
    free_threaded: bool

    @property
    def series(self) -> tuple[int, int]:
        return self.version.major, self.version.minor


def is_cpython_definition(name: str) -> bool:
    return bool(_RELEASE_RE.match(name) or _DEV_RE.match(name))


def is_free_threaded(version: str) -> bool:
    """``3.13.5t``, ``3.14.0rc1t`` and ``3.13t-dev`` are free-threaded builds."""
    match = _RELEASE_RE.match(version) or _DEV_RE.match(version) or _PREFIX_RE.match(version)
    return bool(match and match.group("t"))


def major_minor(version: str) -> str:
    """``3.13.5t`` -> ``3.13``; raises ValueError for anything not CPython-like."""
    match = _RELEASE_RE.match(version) or _DEV_RE.match(version)
    if match is None:
        raise ValueError(f"not a CPython version: {version!r}")
    major, minor = match.group("release").split(".")[:2]
    return f"{major}.{minor}"


def _releases(known: Iterable[str]) -> list[_Release]:
    """Non-dev CPython definitions, parsed."""
    out = []
    for name in known:
        match = _RELEASE_RE.match(name)
        if match:
            version = Version(match.group("release") + (match.group("pre") or ""))
            out.append(_Release(name, version, bool(match.group("t"))))
    return out


def _best(releases: Sequence[_Release]) -> _Release | None:
    finals = [r for r in releases if not r.version.is_prerelease]
    pool = finals or list(releases)
    return max(pool, key=lambda r: r.version) if pool else None


def _nearest(spec: str, releases: Sequence[_Release]) -> list[str]:
    """Up to three known versions close to ``spec``, ascending."""
    match = _LENIENT_RE.match(spec)
    wanted_t = bool(match and match.group("t"))
    pool = [r for r in releases if r.free_threaded == wanted_t] or list(releases)
    if not pool:
        return []
    if match is None:
        series_key = max(r.series for r in pool)
        micro = None
    else:
        series_key = (int(match.group("major")), int(match.group("minor") or 0))
        micro = int(match.group("micro")) if match.group("micro") else None
    same = [r for r in pool if r.series == series_key]
    if same and micro is not None:
        ranked = sorted(same, key=lambda r: (abs(r.version.micro - micro), -r.version.micro, r.version))
        chosen = ranked[:_MAX_SUGGESTIONS]
    else:
        by_series: dict[tuple[int, int], list[_Release]] = {}
        for r in pool:
            by_series.setdefault(r.series, []).append(r)
        def flat(s: tuple[int, int]) -> int:
            return s[0] * 1000 + s[1]

        closest = sorted(by_series, key=lambda s: (abs(flat(s) - flat(series_key)), -flat(s)))
        chosen = [b for b in (_best(by_series[s]) for s in closest[:_MAX_SUGGESTIONS]) if b]
    return [r.name for r in sorted(chosen, key=lambda r: r.version)]


def resolve_version(spec: str, known: Sequence[str], preferred: Collection[str] = ()) -> str:
    """Return the definition name ``spec`` stands for: a prefix picks the newest release of
    ``preferred`` that matches (the versions prebuilt images exist of), else the newest known.

    >>> resolve_version("3.12", ["3.12.3", "3.12.10", "3.12-dev"])
    '3.12.10'
    >>> resolve_version("3.12", ["3.12.3", "3.12.10", "3.12-dev"], preferred=["3.12.3"])
    '3.12.3'
    """
    if spec in known and is_cpython_definition(spec):
        return spec
    releases = _releases(known)
    prefix = _PREFIX_RE.match(spec)
    if prefix:
        major = int(prefix.group("major"))
        minor = prefix.group("minor")
        candidates = [
            r
            for r in releases
            if r.free_threaded == bool(prefix.group("t"))
            and r.version.major == major
            and (minor is None or r.version.minor == int(minor))
        ]
        best = _best([r for r in candidates if r.name in preferred]) or _best(candidates)
        if best is not None:
            return best.name
    raise UnknownVersionError(spec, _nearest(spec, releases))


def load_known_versions(pyenv_root: Path) -> tuple[str, ...]:
    """All definition names of the pyenv checkout at ``pyenv_root``, sorted."""
    directory = Path(pyenv_root) / DEFINITIONS_SUBDIR
    return tuple(sorted(p.name for p in directory.iterdir() if p.is_file()))


def parse_definitions_list(text: str) -> tuple[str, ...]:
    """Names from the bundled list: one per line, ``#`` comments and blanks ignored."""
    names = (line.strip() for line in text.splitlines())
    return tuple(name for name in names if name and not name.startswith("#"))


def load_bundled_versions() -> tuple[str, ...]:
    """Definition names of the pyenv release we bundle (a committed snapshot)."""
    data = resources.files("astro_pyenv_frontend").joinpath("data").joinpath(_BUNDLED)
    return parse_definitions_list(data.read_text(encoding="utf-8"))
