"""Helpers shared by the runtime helper's unit tests (real interpreters, real venvs)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "runtime_helper" / "src"
PYENV_ROOT = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"


def find_python(minor: str) -> Path:
    """A real interpreter of another version than the one running the tests, e.g. '3.9'."""
    for candidate in sorted(PYENV_ROOT.glob(f"{minor}.*/bin/python")):
        return candidate
    pytest.skip(f"no Python {minor} under {PYENV_ROOT}")
    raise AssertionError  # unreachable


def make_venv(base: Path, where: Path, with_pip: bool = False) -> Path:
    args = [str(base), "-m", "venv", str(where)]
    if not with_pip:
        args.insert(3, "--without-pip")
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return where / "bin" / "python"


def add_fake_distribution(
    python: Path, name: str, version: str, requires: str = "", requires_python: str = ""
) -> None:
    """Install metadata only (a dist-info directory), enough for importlib.metadata and pip check."""
    site = subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip()
    dist = Path(site) / f"{name.replace('-', '_')}-{version}.dist-info"
    dist.mkdir(parents=True)
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if requires:
        metadata += f"Requires-Dist: {requires}\n"
    if requires_python:
        metadata += f"Requires-Python: {requires_python}\n"
    (dist / "METADATA").write_text(metadata)
    (dist / "INSTALLER").write_text("test\n")
    (dist / "RECORD").write_text("")



def run_cli(*args: str, env_vars: dict[str, str], python: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m astro_pyenv` (this interpreter unless ``python``) with exactly the given
    ASTRO_PYENV_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASTRO_PYENV_")}
    env.update(env_vars)
    env["PYTHONPATH"] = str(SRC)
    return subprocess.run(
        [str(python or sys.executable), "-m", "astro_pyenv", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip()
