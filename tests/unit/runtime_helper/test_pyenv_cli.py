from __future__ import annotations

import json
from pathlib import Path

from rh_support import run_cli


def test_list_prints_names_and_paths(py39_venv: Path, py310_pip_venv: Path) -> None:
    proc = run_cli("list", env_vars={"ASTRO_PYENV_b_env": str(py310_pip_venv), "ASTRO_PYENV_a": str(py39_venv)})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == [f"a      {py39_venv}", f"b_env  {py310_pip_venv}"]


def test_list_json(py39_venv: Path) -> None:
    proc = run_cli("list", "--json", env_vars={"ASTRO_PYENV_a": str(py39_venv)})
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == [{"name": "a", "variable": "ASTRO_PYENV_a", "python": str(py39_venv)}]


def test_list_without_environments() -> None:
    proc = run_cli("list", env_vars={})
    assert proc.returncode == 0
    assert "No PYENV environments" in proc.stdout


def test_describe_json(py39_venv: Path) -> None:
    proc = run_cli("describe", "a", "--json", env_vars={"ASTRO_PYENV_a": str(py39_venv)})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["python_version"].startswith("3.9.")
    assert data["packages"]["pendulum"] == "2.1.2"


def test_describe_unknown_exits_1_with_the_clear_error(py39_venv: Path) -> None:
    proc = run_cli("describe", "ghost", env_vars={"ASTRO_PYENV_a": str(py39_venv)})
    assert proc.returncode == 1
    assert "ASTRO_PYENV_ghost is not set" in proc.stderr
    assert "Environments defined in this image: a." in proc.stderr


def test_doctor_healthy_environments_exit_0(py39_venv: Path, py310_pip_venv: Path) -> None:
    proc = run_cli("doctor", env_vars={"ASTRO_PYENV_old": str(py39_venv), "ASTRO_PYENV_new": str(py310_pip_venv)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[OK] new: Python 3.10." in proc.stdout
    assert "[OK] old: Python 3.9." in proc.stdout
    # The pip-less venv is checked but only warned about.
    assert "warning: pip is not installed" in proc.stdout
    assert "All 2 environment(s) OK." in proc.stdout


def test_doctor_fails_on_pip_check(py39_venv: Path, inconsistent_venv: Path) -> None:
    proc = run_cli(
        "doctor", env_vars={"ASTRO_PYENV_good": str(py39_venv), "ASTRO_PYENV_bad": str(inconsistent_venv)}
    )
    assert proc.returncode == 1
    assert "[BROKEN] bad" in proc.stdout
    assert "definitely-not-installed-dist" in proc.stdout
    assert "[OK] good" in proc.stdout
    assert "1 of 2 environment(s) broken: bad" in proc.stdout


def test_doctor_fails_on_dangling_path(tmp_path: Path, py39_venv: Path) -> None:
    gone = tmp_path / "removed" / "bin" / "python"
    proc = run_cli("doctor", "--json", env_vars={"ASTRO_PYENV_gone": str(gone), "ASTRO_PYENV_ok": str(py39_venv)})
    assert proc.returncode == 1
    report = {entry["name"]: entry for entry in json.loads(proc.stdout)}
    assert report["ok"]["ok"] is True
    assert report["gone"]["ok"] is False
    assert "does not exist" in report["gone"]["problems"][0]


def test_doctor_fails_on_interpreter_that_does_not_run(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    proc = run_cli("doctor", env_vars={"ASTRO_PYENV_fake": str(fake)})
    assert proc.returncode == 1
    assert "exited with code 1" in proc.stdout


def test_doctor_named_environment_only(py39_venv: Path, tmp_path: Path) -> None:
    env = {"ASTRO_PYENV_ok": str(py39_venv), "ASTRO_PYENV_gone": str(tmp_path / "x")}
    assert run_cli("doctor", "ok", env_vars=env).returncode == 0
    assert run_cli("doctor", "gone", env_vars=env).returncode == 1
    missing = run_cli("doctor", "ghost", env_vars=env)
    assert missing.returncode == 1 and "ASTRO_PYENV_ghost is not set" in missing.stdout


def test_doctor_without_environments_exits_0() -> None:
    proc = run_cli("doctor", env_vars={})
    assert proc.returncode == 0
    assert "nothing to check" in proc.stdout


def test_usage_errors_exit_2() -> None:
    assert run_cli(env_vars={}).returncode == 2
    assert run_cli("frobnicate", env_vars={}).returncode == 2
