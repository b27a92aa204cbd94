"""Describe an environment (Python version, Airflow-relevant packages); results are cached."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from astro_pyenv.probe import KEY_DISTRIBUTIONS, probe_interpreter
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


# Keyed by interpreter path and its mtime, so a rebuilt venv is probed again.
_CACHE: dict[tuple[str, float], dict[str, object]] = {}


def clear_cache() -> None:
    _CACHE.clear()


def _probe_cached(python: str) -> dict[str, object]:
    key = (python, os.stat(python).st_mtime)
    if key not in _CACHE:
        _CACHE[key] = probe_interpreter(python, KEY_DISTRIBUTIONS)
    return _CACHE[key]


def describe_environment(name: str, environ: Mapping[str, str] | None = None) -> EnvironmentInfo:
    """Resolve ``name`` and run its interpreter once (cached) to describe it.

    Raises PyenvError if the name does not resolve and ProbeError if the interpreter fails.
    """
    python = resolve_python(name, environ)
    data = _probe_cached(python)
    packages = data.get("packages") or {}
    assert isinstance(packages, dict)
    return EnvironmentInfo(
        name=name,
        python=python,
        python_version=str(data.get("python_version")),
        prefix=str(data.get("prefix")),
        packages={dist: packages.get(dist) for dist in KEY_DISTRIBUTIONS},
    )
