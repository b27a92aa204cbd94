"""Airflow provider metadata, found through the ``apache_airflow_provider`` entry point.

Must stay importable without Airflow: Airflow's providers manager imports it at discovery.
"""
from __future__ import annotations

from typing import Any

from astro_pyenv import __version__


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "astro-pyenv",
        "name": "Astro PYENV",
        "description": "Run Airflow tasks in the PYENV virtual environments of an Astro image, by name.",
        "versions": [__version__],
        "task-decorators": [
            {"name": "pyenv", "class-name": "astro_pyenv.decorators.pyenv_task"},
            {"name": "branch_pyenv", "class-name": "astro_pyenv.decorators.branch_pyenv_task"},
        ],
    }
