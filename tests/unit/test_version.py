"""One version, one place: the VERSION file, which both packages' setup.py read."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
VERSION = (ROOT / "VERSION").read_text().strip()
PACKAGES = ["frontend", "runtime_helper"]

# X.Y.Z with an optional pre-release (semver 2.0.0, no build metadata); no leading zeros.
_NUMBER = r"(0|[1-9][0-9]*)"
SEMVER = re.compile(rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?")


def test_version_file_is_semver_and_a_python_version() -> None:
    assert (ROOT / "VERSION").read_text() == VERSION + "\n", "VERSION holds the version and a newline"
    assert SEMVER.fullmatch(VERSION), f"VERSION {VERSION!r} is not X.Y.Z or X.Y.Z-PRERELEASE"
    # The packages carry its PEP 440 spelling (0.3.0-rc.1 becomes 0.3.0rc1); one must exist.
    Version(VERSION)


@pytest.mark.parametrize("text", ["0.2.0", "1.10.0", "0.3.0-rc.1", "2.0.0-alpha"])
def test_semver_pattern_accepts_releases_and_pre_releases(text: str) -> None:
    assert SEMVER.fullmatch(text)


@pytest.mark.parametrize("text", ["0.2", "v0.2.0", "01.2.0", "0.2.0+build.1", "0.2.0-", "0.2.0 "])
def test_semver_pattern_refuses_other_forms(text: str) -> None:
    assert not SEMVER.fullmatch(text)


def test_both_packages_read_the_version_with_the_same_setup_py() -> None:
    # An sdist holds its own setup.py, so each package has a copy; they must not drift apart.
    assert (ROOT / "frontend/setup.py").read_text() == (ROOT / "runtime_helper/setup.py").read_text()
    for package in PACKAGES:
        pyproject = (ROOT / package / "pyproject.toml").read_text()
        assert 'dynamic = ["version"]' in pyproject
        assert not re.search(r"^version\s*=", pyproject, re.MULTILINE), f"{package} writes a version of its own"


def _setup_py_version(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "setup.py", "--version"], cwd=project, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A directory like a package of this repository, holding only the setup.py."""
    path = tmp_path / "package"
    path.mkdir()
    shutil.copy(ROOT / "runtime_helper/setup.py", path / "setup.py")
    return path


def test_setup_py_reads_the_repository_version_file(project: Path) -> None:
    (project.parent / "VERSION").write_text("1.2.3\n")
    done = _setup_py_version(project)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "1.2.3"


def test_setup_py_in_an_sdist_reads_its_pkg_info(project: Path) -> None:
    # An unpacked sdist: PKG-INFO next to setup.py wins over any VERSION file above it.
    (project.parent / "VERSION").write_text("1.2.3\n")
    (project / "PKG-INFO").write_text("Metadata-Version: 2.4\nName: astro-pyenv\nVersion: 4.5.6\n\nlong description\n")
    done = _setup_py_version(project)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "4.5.6"


def test_setup_py_without_a_version_says_where_it_looked(project: Path) -> None:
    done = _setup_py_version(project)
    assert done.returncode != 0
    assert f"no version: {project.parent / 'VERSION'} is missing or empty" in done.stderr


@pytest.mark.parametrize(("distribution", "module"), [("astro-pyenv-frontend", "astro_pyenv_frontend"),
                                                      ("astro-pyenv", "astro_pyenv")])  # fmt: skip
def test_installed_packages_report_the_version(distribution: str, module: str) -> None:
    # `make venv` installs both (editable) and installs them again when VERSION changes.
    import importlib
    import importlib.metadata

    assert Version(importlib.metadata.version(distribution)) == Version(VERSION)
    assert importlib.import_module(module).__version__ == importlib.metadata.version(distribution)


def test_a_source_tree_that_is_not_installed_says_its_version_is_unknown(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "runtime_helper/src/astro_pyenv", tmp_path / "astro_pyenv")
    code = "import astro_pyenv; print(astro_pyenv.__version__)"
    # -S: without site-packages, where the installed distribution lives.
    done = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "0+unknown\n"


def test_importing_the_packages_does_not_read_metadata() -> None:
    # importlib.metadata costs tens of milliseconds: every DAG file importing the helper and every
    # build the frontend runs would pay them; only __version__ needs it (--version, Airflow's
    # provider discovery).
    code = (
        "import sys, astro_pyenv, astro_pyenv_frontend.gateway.build\n"
        "print('importlib.metadata' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False\n"


def _run(args: list[str], **env: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_both_command_lines_print_the_version() -> None:
    scripts = Path(sys.executable).parent
    assert _run([str(scripts / "astro-pyenv"), "--version"]) == f"astro-pyenv {Version(VERSION)}\n"
    assert _run([str(scripts / "astro-pyenv-frontend"), "--version"]) == f"astro-pyenv-frontend {Version(VERSION)}\n"


@pytest.mark.parametrize("under_buildkit", [False, True], ids=["docker-run", "buildkit-env"])
def test_the_frontend_image_entry_point_prints_the_version(under_buildkit: bool) -> None:
    # `docker run --rm <frontend image> --version` runs Dockerfile.frontend's ENTRYPOINT with it;
    # with arguments the entry point is the command line, even where BuildKit's variables are set.
    env = {"BUILDKIT_SESSION_ID": "session"} if under_buildkit else {}
    out = _run([sys.executable, "-I", "-m", "astro_pyenv_frontend", "--version"], **env)
    assert out == f"astro-pyenv-frontend {Version(VERSION)}\n"


def test_the_frontend_image_build_passes_the_version_file(tmp_path: Path) -> None:
    # A stand-in for the docker CLI records the arguments: no engine is needed to see them.
    record = tmp_path / "args"
    fake = tmp_path / "docker"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >"{record}"\n')
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASTRO_PYENV_")}
    env["ASTRO_PYENV_DOCKER"] = str(fake)
    done = subprocess.run(
        ["bash", str(ROOT / ".ci/build-frontend-image.sh"), "example/frontend:test"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    args = record.read_text().splitlines()
    assert f"VERSION={VERSION}" in args, args
    assert args[args.index(f"VERSION={VERSION}") - 1] == "--build-arg"


def test_the_frontend_image_context_keeps_the_version_file() -> None:
    # Dockerfile.frontend copies it to /src/VERSION, where frontend/setup.py looks (../VERSION).
    from fnmatch import fnmatch

    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    excluded = [p for p in patterns if p and not p.startswith("#") and fnmatch("VERSION", p.removeprefix("**/"))]
    assert not excluded


def test_changelog_has_a_section_for_the_version_under_unreleased() -> None:
    # Keep a Changelog: `## [Unreleased]` on top collects changes until the next release, which
    # renames it to `## [X.Y.Z]`; bumping VERSION without that section fails here.
    sections = re.findall(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert sections[0] == "Unreleased"
    assert VERSION in sections, f"CHANGELOG.md has no section '## [{VERSION}]'"
    assert len(set(sections)) == len(sections), "a version has two sections"
