"""Fixtures: real venvs made from the machine's other Python versions."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rh_support import add_fake_distribution, find_python, make_venv


@pytest.fixture(scope="session")
def py39_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pip-less venv from Python 3.9 with pendulum metadata."""
    python = make_venv(find_python("3.9"), tmp_path_factory.mktemp("py39") / "venv")
    add_fake_distribution(python, "pendulum", "2.1.2")
    return python


@pytest.fixture(scope="session")
def py310_pip_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with pip from Python 3.10 whose `pip check` passes."""
    return make_venv(find_python("3.10"), tmp_path_factory.mktemp("py310") / "venv", with_pip=True)


@pytest.fixture(scope="session")
def inconsistent_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with pip where `pip check` fails: a distribution requires a missing one."""
    python = make_venv(find_python("3.10"), tmp_path_factory.mktemp("broken") / "venv", with_pip=True)
    add_fake_distribution(python, "needs-missing", "1.0", requires="definitely-not-installed-dist")
    return python


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """os.environ without any ASTRO_PYENV_* variable."""
    for key in list(os.environ):
        if key.startswith("ASTRO_PYENV_"):
            monkeypatch.delenv(key)
    from astro_pyenv import clear_cache

    clear_cache()
    yield os.environ  # type: ignore[misc]
    clear_cache()
