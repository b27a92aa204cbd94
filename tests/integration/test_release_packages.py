"""release/packages.sh: a release's wheels and sdists carry the VERSION file's version, the
license (its text and its SPDX expression), the project's URLs, classifiers and keywords as
pyproject.toml says; each wheel works on its own, installed into a fresh venv of every Python
version its classifiers name (the helper with no dependencies at all).  Needs the package index
for the isolated build backend (setuptools) and the frontend's dependencies."""
from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

import pytest
import tomllib
from packaging.version import Version

from astro_pyenv_frontend import project

from it_support import REPO, find_python

# The packages carry VERSION in its PEP 440 spelling (the same text for X.Y.Z).
VERSION = str(Version((REPO / "VERSION").read_text().strip()))
# Distribution name -> the start of its file names.
DISTRIBUTIONS = {"astro-pyenv": "astro_pyenv", "astro-pyenv-frontend": "astro_pyenv_frontend"}
SOURCES = {"astro-pyenv": REPO / "runtime_helper", "astro-pyenv-frontend": REPO / "frontend"}
LICENSE = (REPO / "LICENSE").read_bytes()


def _pyproject(distribution: str) -> dict:
    return tomllib.loads((SOURCES[distribution] / "pyproject.toml").read_text())["project"]


def _python_versions(distribution: str) -> list[str]:
    prefix = "Programming Language :: Python :: "
    return [c[len(prefix):] for c in _pyproject(distribution)["classifiers"] if c.startswith(prefix + "3.")]


def _metadata(packages: Path, distribution: str) -> list[Message]:
    """The wheel's METADATA and the sdist's PKG-INFO."""
    stem = DISTRIBUTIONS[distribution]
    with zipfile.ZipFile(packages / f"{stem}-{VERSION}-py3-none-any.whl") as wheel:
        metadata = wheel.read(f"{stem}-{VERSION}.dist-info/METADATA").decode()
    with tarfile.open(packages / f"{stem}-{VERSION}.tar.gz") as sdist:
        member = sdist.extractfile(f"{stem}-{VERSION}/PKG-INFO")
        assert member is not None
        pkg_info = member.read().decode()
    return [HeaderParser().parsestr(metadata), HeaderParser().parsestr(pkg_info)]


def _python_for(minor: str) -> Path:
    found = find_python(minor)
    if found is None and sys.version_info[:2] == tuple(int(n) for n in minor.split(".")):
        found = Path(sys.executable)
    if found is None:
        pytest.skip(f"no Python {minor} on this machine")
    return found


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / "dist"
    done = subprocess.run(
        ["bash", str(REPO / "release" / "packages.sh"), str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-8000:]
    return out


def test_a_wheel_and_an_sdist_of_each_package_named_with_the_version(packages: Path) -> None:
    expected = [name for stem in DISTRIBUTIONS.values() for name in (f"{stem}-{VERSION}-py3-none-any.whl",
                                                                    f"{stem}-{VERSION}.tar.gz")]  # fmt: skip
    assert sorted(path.name for path in packages.iterdir()) == sorted(expected)


@pytest.mark.parametrize("distribution", sorted(DISTRIBUTIONS))
def test_wheel_and_sdist_metadata_say_the_version(packages: Path, distribution: str) -> None:
    for headers in _metadata(packages, distribution):
        assert (headers["Name"], headers["Version"]) == (distribution, VERSION)
        assert headers["Description-Content-Type"] == "text/markdown"  # the package's README.md


@pytest.mark.parametrize("distribution", sorted(DISTRIBUTIONS))
def test_wheel_and_sdist_carry_the_license_text_and_expression(packages: Path, distribution: str) -> None:
    for headers in _metadata(packages, distribution):
        assert headers["License-Expression"] == "Apache-2.0"
        assert headers.get_all("License-File") == ["LICENSE"]
    stem = DISTRIBUTIONS[distribution]
    with zipfile.ZipFile(packages / f"{stem}-{VERSION}-py3-none-any.whl") as wheel:
        assert wheel.read(f"{stem}-{VERSION}.dist-info/licenses/LICENSE") == LICENSE
    with tarfile.open(packages / f"{stem}-{VERSION}.tar.gz") as sdist:
        member = sdist.extractfile(f"{stem}-{VERSION}/LICENSE")
        assert member is not None and member.read() == LICENSE


@pytest.mark.parametrize("distribution", sorted(DISTRIBUTIONS))
def test_wheel_and_sdist_show_the_projects_urls_classifiers_and_keywords(packages: Path, distribution: str) -> None:
    declared = _pyproject(distribution)
    for headers in _metadata(packages, distribution):
        urls = dict(value.split(", ", 1) for value in headers.get_all("Project-URL"))
        assert urls == project.package_urls()
        assert headers.get_all("Classifier") == declared["classifiers"]
        assert "Framework :: Apache Airflow" in headers.get_all("Classifier")
        assert headers["Keywords"].split(",") == declared["keywords"]
        assert headers["Requires-Python"] == declared["requires-python"]
        assert headers.get_payload().startswith(f"# {distribution}\n")  # the README, rendered by PyPI


def test_helper_wheel_has_its_type_hints_and_the_provider_entry_point(packages: Path) -> None:
    with zipfile.ZipFile(packages / f"astro_pyenv-{VERSION}-py3-none-any.whl") as wheel:
        assert "astro_pyenv/py.typed" in wheel.namelist()
        entry_points = wheel.read(f"astro_pyenv-{VERSION}.dist-info/entry_points.txt").decode()
    assert "[apache_airflow_provider]\nprovider_info = astro_pyenv.provider_info:get_provider_info\n" in entry_points
    for headers in _metadata(packages, "astro-pyenv"):
        assert {"Framework :: Apache Airflow :: Provider", "Typing :: Typed"} <= set(headers.get_all("Classifier"))


@pytest.mark.parametrize("minor", _python_versions("astro-pyenv"))
def test_helper_wheel_alone_in_a_fresh_venv_reports_the_version(packages: Path, tmp_path: Path, minor: str) -> None:
    base = _python_for(minor)  # 3.8: the oldest the helper supports
    venv = tmp_path / "venv"
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True, stdout=subprocess.DEVNULL)
    wheel = packages / f"astro_pyenv-{VERSION}-py3-none-any.whl"
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "--no-deps", "--no-index", str(wheel)],
        check=True,
    )  # fmt: skip
    done = subprocess.run([str(venv / "bin" / "astro-pyenv"), "--version"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"astro-pyenv {VERSION}\n"
    # What Airflow's providers manager reads through the entry point.
    code = "from astro_pyenv.provider_info import get_provider_info; print(get_provider_info()['versions'])"
    done = subprocess.run([str(venv / "bin" / "python"), "-I", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"[{VERSION!r}]\n"


@pytest.mark.parametrize("minor", _python_versions("astro-pyenv-frontend"))
def test_frontend_wheel_in_a_fresh_venv_transforms_the_example(packages: Path, tmp_path: Path, minor: str) -> None:
    venv = tmp_path / "venv"
    subprocess.run([str(_python_for(minor)), "-m", "venv", str(venv)], check=True, stdout=subprocess.DEVNULL)
    wheel = packages / f"astro_pyenv_frontend-{VERSION}-py3-none-any.whl"
    # Its dependencies pinned, for every Python (frontend/constraints.txt).
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "-c", str(REPO / "frontend" / "constraints.txt"), str(wheel)],
        check=True,
    )  # fmt: skip
    cli = str(venv / "bin" / "astro-pyenv-frontend")
    done = subprocess.run([cli, "--version"], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, f"astro-pyenv-frontend {VERSION}\n"), done.stderr
    dockerfile = REPO / "examples" / "astro-project" / "Dockerfile"
    done = subprocess.run([cli, "transform", "-f", str(dockerfile)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "ENV ASTRO_PYENV_snowpark=/opt/astro-pyenv/venvs/snowpark/bin/python" in done.stdout.splitlines()
