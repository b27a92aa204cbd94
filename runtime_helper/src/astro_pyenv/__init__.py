"""Find and inspect the PYENV virtual environments of an Astro image.

Importing this package uses only the standard library; the Airflow integration lives in
``astro_pyenv.operators`` and ``astro_pyenv.decorators`` and is imported on demand.
"""
from __future__ import annotations

from astro_pyenv.describe import EnvironmentInfo, clear_cache, describe_environment
from astro_pyenv.errors import (
    AirflowNotInstalledError,
    PyenvError,
    PyenvInterpreterError,
    PyenvNotDefinedError,
    PyenvSettingNameError,
)
from astro_pyenv.probe import ProbeError
from astro_pyenv.resolve import (
    ENV_PREFIX,
    environment_names,
    list_environments,
    resolve_python,
    variable_name,
)

__all__ = [
    "__version__",
    "ENV_PREFIX",
    "AirflowNotInstalledError",
    "EnvironmentInfo",
    "ProbeError",
    "PyenvError",
    "PyenvInterpreterError",
    "PyenvNotDefinedError",
    "PyenvSettingNameError",
    "clear_cache",
    "describe_environment",
    "environment_names",
    "list_environments",
    "resolve_python",
    "variable_name",
]


def __getattr__(name: str) -> str:
    """``astro_pyenv.__version__``: the installed distribution's version (the repository's VERSION
    file when it was built), read when first asked for; importing importlib.metadata would add
    tens of milliseconds to every import of this package (each DAG file that uses it)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib.metadata

    try:
        return importlib.metadata.version("astro-pyenv")
    except importlib.metadata.PackageNotFoundError:  # the source tree on sys.path, not installed
        return "0+unknown"
