"""Describe an environment (Python version, Airflow-relevant packages); results are cached."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from astro_pyenv.probe import KEY_DISTRIBUTIONS, ProbeError, probe_interpreter
from astro_pyenv.resolve import resolve_python


@dataclass(frozen=True)
class EnvironmentInfo:
    name: str
    python: str
    python_version: str
    prefix: str
    packages: dict[str, str | None] = field(default_factory=dict)

    def has(self, distribution: str) -> bool:
        return self.packages.get(distribution) is not None

    @property
    def has_airflow(self) -> bool:
        return self.has("apache-airflow")

    @property
    def has_pendulum(self) -> bool:
        return self.has("pendulum")

    @property
    def has_cloudpickle(self) -> bool:
        return self.has("cloudpickle")

    @property
    def has_dill(self) -> bool:
        return self.has("dill")

    @property
    def has_lazy_object_proxy(self) -> bool:
        return self.has("lazy-object-proxy")

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "python": self.python,
            "python_version": self.python_version,
            "prefix": self.prefix,
            "packages": dict(self.packages),
        }


# By interpreter path: what the probe said, and the state of what it read.  A venv's bin/python
# is a symlink to the base interpreter, whose mtime no pip install changes; installing or removing
# a distribution changes the listing (so the mtime) of a site-packages directory, and a rebuilt
# venv changes the link itself.
_CACHE: dict[str, tuple[tuple[object, ...], dict[str, object]]] = {}


def clear_cache() -> None:
    _CACHE.clear()


def _state(path: str, follow: bool = True) -> tuple[object, ...]:
    try:
        st = os.stat(path, follow_symlinks=follow)
    except OSError:
        return (path, None)
    return (path, st.st_ino, st.st_mtime_ns, st.st_size)


def _signature(python: str, data: Mapping[str, object]) -> tuple[object, ...]:
    site = data.get("site")
    paths = [path for path in site if isinstance(path, str)] if isinstance(site, list) else []
    return (_state(python, follow=False), _state(python), *(_state(path) for path in paths))


def _probe_cached(python: str) -> dict[str, object]:
    cached = _CACHE.get(python)
    if cached is not None and cached[0] == _signature(python, cached[1]):
        return cached[1]
    data = probe_interpreter(python, KEY_DISTRIBUTIONS)
    _CACHE[python] = (_signature(python, data), data)
    return data


def describe_environment(name: str, environ: Mapping[str, str] | None = None) -> EnvironmentInfo:
    """Resolve ``name`` and run its interpreter once (cached) to describe it.

    Raises PyenvError if the name does not resolve and ProbeError if the interpreter fails.
    """
    python = resolve_python(name, environ)
    data = _probe_cached(python)
    packages = data.get("packages")
    if not isinstance(packages, dict):  # probe_interpreter checked it; mypy cannot know
        raise ProbeError(f"{python} printed unexpected output: packages {packages!r:.200}")
    return EnvironmentInfo(
        name=name,
        python=python,
        python_version=str(data.get("python_version")),
        prefix=str(data.get("prefix")),
        packages={dist: packages.get(dist) for dist in KEY_DISTRIBUTIONS},
    )
