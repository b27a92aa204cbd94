"""release/packages.sh: a release's wheels and sdists carry the VERSION file's version, and the
runtime helper's wheel works on its own, installed into a fresh venv of the oldest Python it
supports.  Needs the package index for the isolated build backend (setuptools)."""
from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest
from packaging.version import Version

from it_support import REPO, find_python

# The packages carry VERSION in its PEP 440 spelling (the same text for X.Y.Z).
VERSION = str(Version((REPO / "VERSION").read_text().strip()))
# Distribution name -> the start of its file names.
DISTRIBUTIONS = {"astro-pyenv": "astro_pyenv", "astro-pyenv-frontend": "astro_pyenv_frontend"}


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
    stem = DISTRIBUTIONS[distribution]
    with zipfile.ZipFile(packages / f"{stem}-{VERSION}-py3-none-any.whl") as wheel:
        metadata = wheel.read(f"{stem}-{VERSION}.dist-info/METADATA").decode()
    with tarfile.open(packages / f"{stem}-{VERSION}.tar.gz") as sdist:
        member = sdist.extractfile(f"{stem}-{VERSION}/PKG-INFO")
        assert member is not None
        pkg_info = member.read().decode()
    for text in (metadata, pkg_info):
        headers = HeaderParser().parsestr(text)
        assert (headers["Name"], headers["Version"]) == (distribution, VERSION)
        assert headers["Description-Content-Type"] == "text/markdown"  # the package's README.md


def test_helper_wheel_alone_in_a_fresh_venv_reports_the_version(packages: Path, tmp_path: Path) -> None:
    base = find_python("3.8") or Path(sys.executable)  # 3.8: the oldest the helper supports
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
