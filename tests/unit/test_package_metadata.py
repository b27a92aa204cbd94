"""What PyPI shows of both packages: classifiers PyPI accepts, Python versions that agree with
``requires-python``, Airflow's framework classifiers, the helper's provider entry point and its
type hints.  The built artefacts are read by tests/integration/test_release_packages.py."""

from __future__ import annotations

from typing import Any

import pytest
import tomllib
from packaging.specifiers import SpecifierSet
from trove_classifiers import classifiers as known_classifiers

from markdown_support import ROOT

PACKAGES = ["frontend", "runtime_helper"]


def _meta(package: str) -> dict[str, Any]:
    return tomllib.loads((ROOT / package / "pyproject.toml").read_text())


@pytest.mark.parametrize("package", PACKAGES)
def test_classifiers_are_ones_pypi_accepts(package: str) -> None:
    classifiers = _meta(package)["project"]["classifiers"]
    assert [c for c in classifiers if c not in known_classifiers] == []
    assert "Framework :: Apache Airflow" in classifiers
    assert "Operating System :: POSIX :: Linux" in classifiers


@pytest.mark.parametrize("package", PACKAGES)
def test_python_version_classifiers_are_what_requires_python_allows(package: str) -> None:
    meta = _meta(package)["project"]
    prefix = "Programming Language :: Python :: 3."
    minors = [int(c[len(prefix):]) for c in meta["classifiers"] if c.startswith(prefix) and c[len(prefix):].isdigit()]
    allowed = SpecifierSet(meta["requires-python"])
    assert minors == list(range(minors[0], minors[-1] + 1))
    assert f"3.{minors[0]}" in allowed and f"3.{minors[0] - 1}" not in allowed, "the oldest classifier is the floor"


@pytest.mark.parametrize("package", PACKAGES)
def test_keywords_and_a_markdown_long_description(package: str) -> None:
    meta = _meta(package)["project"]
    assert {"airflow", "pyenv"} <= set(meta["keywords"])
    assert meta["readme"] == "README.md" and (ROOT / package / "README.md").is_file()


def test_the_helper_is_an_airflow_provider_with_type_hints() -> None:
    meta = _meta("runtime_helper")
    assert "Framework :: Apache Airflow :: Provider" in meta["project"]["classifiers"]
    assert "Typing :: Typed" in meta["project"]["classifiers"]
    assert meta["project"]["entry-points"]["apache_airflow_provider"] == {
        "provider_info": "astro_pyenv.provider_info:get_provider_info"
    }
    assert (ROOT / "runtime_helper" / "src" / "astro_pyenv" / "py.typed").is_file()
    assert meta["tool"]["setuptools"]["package-data"]["astro_pyenv"] == ["py.typed"]
