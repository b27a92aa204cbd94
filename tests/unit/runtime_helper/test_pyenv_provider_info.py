from __future__ import annotations

import sys

import pytest

import astro_pyenv
from astro_pyenv.provider_info import get_provider_info


def test_provider_info_has_the_fields_airflow_reads() -> None:
    info = get_provider_info()
    assert info["package-name"] == "astro-pyenv"  # must equal the distribution name
    assert info["name"] and info["description"]
    assert info["versions"] == [astro_pyenv.__version__]
    assert {d["name"]: d["class-name"] for d in info["task-decorators"]} == {
        "pyenv": "astro_pyenv.decorators.pyenv_task",
        "branch_pyenv": "astro_pyenv.decorators.branch_pyenv_task",
    }


def test_entry_points_are_declared_in_the_installed_distribution() -> None:
    if sys.version_info < (3, 10):
        pytest.skip("entry_points(group=...) needs 3.10")
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("astro-pyenv")
    except PackageNotFoundError:
        pytest.skip("astro-pyenv is not installed in this interpreter")
    eps = {(ep.group, ep.name): ep.value for ep in dist.entry_points}
    assert eps[("apache_airflow_provider", "provider_info")] == "astro_pyenv.provider_info:get_provider_info"
    assert eps[("console_scripts", "astro-pyenv")] == "astro_pyenv.cli:main"
