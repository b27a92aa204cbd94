"""Which installer makes each venv: the line's --installer flag, else the Dockerfile's default
(ASTRO_PYENV_INSTALLER as a build arg or an ARG before the first FROM), else pip; and uv, when
used, reaches the venv step only as a mount from the tools stage."""

from __future__ import annotations

import pytest

from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.planner.installer import default_installer
from astro_pyenv_frontend.transform import TransformOptions, transform

UV_MOUNT = "--mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/uv,target=/tmp/astro-pyenv/uv"


@pytest.mark.parametrize(
    ("build_args", "global_args", "expected"),
    [
        ({}, {}, "pip"),
        ({}, {"ASTRO_PYENV_INSTALLER": "uv"}, "uv"),
        ({"ASTRO_PYENV_INSTALLER": "pip"}, {"ASTRO_PYENV_INSTALLER": "uv"}, "pip"),
        ({"ASTRO_PYENV_INSTALLER": " UV "}, {}, "uv"),
        ({"ASTRO_PYENV_INSTALLER": ""}, {"ASTRO_PYENV_INSTALLER": "uv"}, "pip"),
    ],
)
def test_the_dockerfile_default(build_args: dict[str, str], global_args: dict[str, str], expected: str) -> None:
    assert default_installer(build_args, global_args) == expected


def test_a_default_that_names_no_installer_is_refused() -> None:
    with pytest.raises(ValueError, match="^ASTRO_PYENV_INSTALLER='poetry' is not an installer: use pip or uv$"):
        default_installer({"ASTRO_PYENV_INSTALLER": "poetry"}, {})


def _venv_steps(dockerfile: str, build_args: dict[str, str] | None = None) -> dict[str, str]:
    """Each venv stage's text, by environment name."""
    out = transform(dockerfile, TransformOptions(frontend_image="f:dev", build_args=build_args or {})).dockerfile
    stages = {}
    for part in out.split("\nFROM ")[1:]:
        head = part.split("\n", 1)[0]
        if " AS pyenv-venv-" in head:
            stages[head.rsplit("pyenv-venv-", 1)[1]] = part
    return stages


def test_the_flag_wins_over_the_default_and_only_uv_lines_get_uv() -> None:
    dockerfile = (
        "ARG ASTRO_PYENV_INSTALLER=uv\nFROM python:3.12-slim\n"
        "PYENV 3.13.5 fast req.txt\nPYENV --installer=pip 3.13.5 slow req.txt\n"
    )
    steps = _venv_steps(dockerfile)
    assert UV_MOUNT in steps["fast"] and '"--installer=uv"' in steps["fast"]
    assert "uv" not in steps["slow"].replace("pyenv-venv-", "")


def test_the_build_arg_sets_the_default() -> None:
    steps = _venv_steps("FROM python:3.12-slim\nPYENV 3.13.5 env\n", {"ASTRO_PYENV_INSTALLER": "uv"})
    assert UV_MOUNT in steps["env"]


def test_without_flag_or_setting_pip_installs_and_uv_is_not_mounted() -> None:
    out = transform("FROM python:3.12-slim\nPYENV 3.13.5 env\n", TransformOptions(frontend_image="f:dev")).dockerfile
    assert "/opt/astro-pyenv/uv" not in out and "--installer" not in out


def test_uv_is_never_copied_into_the_image() -> None:
    out = transform(
        "FROM python:3.12-slim\nPYENV --installer=uv 3.13.5 env\n", TransformOptions(frontend_image="f:dev")
    ).dockerfile
    assert [line for line in out.splitlines() if "/opt/astro-pyenv/uv" in line] == [f"    {UV_MOUNT} \\"]


def test_uv_installs_into_cpython_3_6_and_is_refused_below_at_the_line() -> None:
    assert "env" in _venv_steps("FROM python:3.12-slim\nPYENV --installer=uv 3.6.15 env\n")
    with pytest.raises(DockerfileError) as info:
        _venv_steps("FROM python:3.12-slim\nPYENV 3.13.5 ok\nPYENV --installer=uv 3.5.10 old\n")
    assert (info.value.line, info.value.message) == (
        3,
        "--installer=uv cannot install into CPython 3.5.10: uv works with CPython 3.6 and newer;"
        " use --installer=pip for this line",
    )
