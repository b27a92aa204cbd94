"""The helper survives what an interpreter may print (issue 22.11), and sees a venv change.

Real venvs from the machine's other Pythons; where an interpreter must misbehave on purpose, a
sitecustomize in a real venv makes it, or a two-line script stands in for a broken one.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from astro_pyenv import ProbeError, describe_environment
from astro_pyenv.cli import main
from astro_pyenv.probe import probe_interpreter, probe_task_sdk

from rh_support import add_fake_distribution, find_python, make_venv


def _site(python: Path) -> Path:
    (site,) = (python.parent.parent / "lib").glob("python3.*/site-packages")
    return site


@pytest.fixture
def noisy_venv(tmp_path: Path) -> Path:
    """A real venv whose interpreter writes bytes that are not UTF-8 on start (a sitecustomize)."""
    python = make_venv(find_python("3.9"), tmp_path / "venv")
    (_site(python) / "sitecustomize.py").write_text(
        "import sys\nsys.stdout.buffer.write(b'caf\\xe9 \\xff\\n'); sys.stdout.flush()\n"
        "sys.stderr.buffer.write(b'\\xfe\\n'); sys.stderr.flush()\n"
    )
    return python


def test_non_utf8_output_does_not_kill_describe(clean_env, monkeypatch, noisy_venv: Path) -> None:
    monkeypatch.setenv("ASTRO_PYENV_noisy", str(noisy_venv))
    info = describe_environment("noisy")
    assert info.python_version.startswith("3.9.")


def test_non_utf8_output_does_not_kill_doctor(clean_env, monkeypatch, noisy_venv: Path, capsys) -> None:
    monkeypatch.setenv("ASTRO_PYENV_noisy", str(noisy_venv))
    assert main(["doctor", "noisy"]) == 0
    out = capsys.readouterr().out
    assert "[OK] noisy: Python 3.9." in out
    assert "warning: pip is not installed" in out


def _script(tmp_path: Path, printed: object) -> str:
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(printed)}\nEOF\n")
    fake.chmod(0o755)
    return str(fake)


@pytest.mark.parametrize(
    "printed",
    [
        {"python_version": "3.9.2", "prefix": "/v", "packages": []},
        {"python_version": "3.9.2", "prefix": "/v", "packages": {"pendulum": 5}},
        {"python_version": 3.9, "prefix": "/v", "packages": {}},
        {"python_version": "3.9.2", "packages": {}},
        {"python_version": "3.9.2", "prefix": "/v", "packages": {}, "site": "/v/lib"},
        [1, 2],
        "[" * 5000,
    ],
)
def test_odd_probe_output_is_a_probe_error(clean_env, monkeypatch, tmp_path: Path, printed: object) -> None:
    python = _script(tmp_path, printed) if not isinstance(printed, str) else _raw(tmp_path, printed)
    with pytest.raises(ProbeError, match="printed unexpected output"):
        probe_interpreter(python)
    monkeypatch.setenv("ASTRO_PYENV_odd", python)
    with pytest.raises(ProbeError):
        describe_environment("odd")
    assert main(["describe", "odd"]) == 1


def _raw(tmp_path: Path, printed: str) -> str:
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\necho '{printed}'\n")
    fake.chmod(0o755)
    return str(fake)


def test_odd_task_sdk_probe_output_is_a_probe_error(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="importable"):
        probe_task_sdk(_script(tmp_path, {"version": "1.1.4", "importable": "yes", "reconnects": True, "error": None}))


def test_describe_sees_a_package_installed_after_it_was_described(clean_env, monkeypatch, tmp_path: Path) -> None:
    """bin/python is a symlink to the base interpreter: its mtime says nothing about the venv."""
    python = make_venv(find_python("3.9"), tmp_path / "venv")
    assert python.is_symlink()
    monkeypatch.setenv("ASTRO_PYENV_grows", str(python))
    assert describe_environment("grows").packages["pendulum"] is None
    add_fake_distribution(python, "pendulum", "3.0.0")
    assert describe_environment("grows").packages["pendulum"] == "3.0.0"
