"""Find and inspect the PYENV virtual environments of an Astro image.

Importing this package uses only the standard library; the Airflow integration lives in
``astro_pyenv.operators`` and ``astro_pyenv.decorators`` and is imported on demand.
"""
from __future__ import annotations

__version__ = "0.1.0"

from astro_pyenv.describe import EnvironmentInfo, clear_cache, describe_environment  # noqa: E402
from astro_pyenv.errors import (  # noqa: E402
    AirflowNotInstalledError,
    PyenvError,
    PyenvInterpreterError,
    PyenvNotDefinedError,
)
from astro_pyenv.probe import ProbeError  # noqa: E402
from astro_pyenv.resolve import (  # noqa: E402
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
    "clear_cache",
    "describe_environment",
    "environment_names",
    "list_environments",
    "resolve_python",
    "variable_name",
]
