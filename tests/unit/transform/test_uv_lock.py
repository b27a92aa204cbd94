"""A uv.lock as a PYENV line's requirements (issue 25.2): its venv step mounts the lock and its
project's pyproject.toml side by side, where ``uv export`` finds them, and the frontend image's uv
whatever the installer; a missing pyproject.toml is the line's error; the lock counts as pinned."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from astro_pyenv_frontend import checks
from astro_pyenv_frontend.cli import main
from astro_pyenv_frontend.contract import PyenvUse
from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.pyenv_values import is_lock, is_uv_lock, requirements_problem, uv_lock_project
from astro_pyenv_frontend.requirements_includes import all_includes, read_in_rounds
from astro_pyenv_frontend.transform import TransformOptions, transform

UV_MOUNT = "source=/opt/astro-pyenv/uv,target=/tmp/astro-pyenv/uv "


def _transformed(line: str, includes: dict[str, tuple[str, ...] | str] | None = None, engine: str = "buildkit") -> str:
    options = TransformOptions(frontend_image="f:dev", requirements_includes=includes or {}, engine=engine)  # type: ignore[arg-type]
    return transform(f"FROM python:3.12-slim\n{line}\n", options).dockerfile


@pytest.mark.parametrize(("path", "project"), [("uv.lock", "pyproject.toml"), ("tasks/UV.lock", "tasks/pyproject.toml")])
def test_a_uv_lock_is_a_lock_whose_project_is_beside_it(path: str, project: str) -> None:
    assert is_uv_lock(path) and is_lock(path) and requirements_problem(path) is None
    assert uv_lock_project(path) == project


@pytest.mark.parametrize("name", ["uv.lock.txt", "my-uv.lock", "poetry.lock"])
def test_other_names_are_not_uv_locks(name: str) -> None:
    assert not is_uv_lock(name)


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_the_lock_and_its_project_are_mounted_side_by_side_with_uv(installer: str) -> None:
    out = _transformed(f"PYENV --installer={installer} 3.12 tasks tasks/uv.lock")
    assert "--mount=type=bind,source=tasks/uv.lock,target=/tmp/astro-pyenv-context/tasks/uv.lock " in out
    assert "--mount=type=bind,source=tasks/pyproject.toml,target=/tmp/astro-pyenv-context/tasks/pyproject.toml " in out
    assert '"/tmp/astro-pyenv-context/tasks/uv.lock"]' in out
    assert UV_MOUNT in out  # uv exports the lock whatever installs it
    assert ('"--installer=uv"' in out) == (installer == "uv")


def test_the_project_is_mounted_whether_or_not_the_context_was_read() -> None:
    read = _transformed("PYENV 3.12 tasks uv.lock", {"uv.lock": ("pyproject.toml",)})
    assert read == _transformed("PYENV 3.12 tasks uv.lock")


def test_a_pip_line_with_a_requirements_file_gets_no_uv() -> None:
    assert UV_MOUNT not in _transformed("PYENV 3.12 tasks requirements.txt")


def test_buildah_copies_the_lock_its_project_and_uv_into_the_venv_stage() -> None:
    out = _transformed("PYENV 3.12 tasks uv.lock", engine="buildah")
    assert "COPY uv.lock /tmp/astro-pyenv-context/uv.lock\n" in out
    assert "COPY pyproject.toml /tmp/astro-pyenv-context/pyproject.toml\n" in out
    assert "/opt/astro-pyenv/uv/ /tmp/astro-pyenv/uv/\n" in out


def test_a_missing_project_is_the_lines_error() -> None:
    found = all_includes(["tasks/uv.lock"], {"tasks/uv.lock": "version = 1\n"}.get)
    message = found["tasks/uv.lock"]
    assert message == (
        "<requirements-file> 'tasks/uv.lock' needs its project's 'tasks/pyproject.toml' beside it in the build"
        " context: uv exports the lock with it"
    )
    with pytest.raises(DockerfileError) as info:
        _transformed("PYENV 3.12 tasks tasks/uv.lock", found)
    assert (info.value.line, info.value.message) == (2, message)


def test_a_missing_lock_is_left_to_the_build_to_say_at_the_line() -> None:
    assert all_includes(["uv.lock"], {}.get) == {"uv.lock": ("pyproject.toml",)}


def test_the_gateway_reads_the_lock_and_its_project_in_one_round() -> None:
    asked: list[list[str]] = []

    def fetch(paths: list[str]) -> dict[str, str | None]:
        asked.append(paths)
        return {path: "x" for path in paths}

    assert read_in_rounds(["uv.lock"], fetch) == {"uv.lock": ("pyproject.toml",)}
    assert asked == [["uv.lock", "pyproject.toml"]]


def test_a_uv_lock_gets_no_unpinned_requirements_warning() -> None:
    use = PyenvUse(line=3, end_line=3, name="a", version="3.12.4", base_image="python:3.12-slim", requirements="uv.lock")
    assert checks.requirements_finding(use, 'version = 1\n[[package]]\nname = "six"\n') is None


def test_check_says_when_the_project_is_missing(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("# syntax=f:dev\nFROM python:3.12-slim\nPYENV 3.12 tasks uv.lock\n")
    (tmp_path / "uv.lock").write_text("version = 1\n")
    done = CliRunner().invoke(main, ["check", "-f", str(tmp_path / "Dockerfile")])
    assert done.exit_code == 1
    assert ":3: <requirements-file> 'uv.lock' needs its project's 'pyproject.toml' beside it" in done.output
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "tasks"\nversion = "0"\n')
    done = CliRunner().invoke(main, ["check", "-f", str(tmp_path / "Dockerfile")])
    assert done.exit_code == 0, done.output
