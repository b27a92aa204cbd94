"""The opt-in shared pip cache: off unless a build arg or a global ARG default names one."""

from __future__ import annotations

import pytest

from astro_pyenv_frontend.plan import pip_cache_id
from astro_pyenv_frontend.transform import TransformOptions, transform

DOCKERFILE = "FROM python:3.12-slim\nPYENV 3.13.5 tool req.txt\n"


@pytest.mark.parametrize(
    ("build_args", "global_args", "expected"),
    [
        ({}, {}, None),
        ({}, {"ASTRO_PYENV_PIP_CACHE": "off"}, None),
        ({"ASTRO_PYENV_PIP_CACHE": ""}, {"ASTRO_PYENV_PIP_CACHE": "team"}, None),
        ({}, {"ASTRO_PYENV_PIP_CACHE": "team"}, "astro-pyenv-pip-team"),
        ({"ASTRO_PYENV_PIP_CACHE": "shared"}, {}, "astro-pyenv-pip-shared"),
        ({"ASTRO_PYENV_PIP_CACHE": "a b/c"}, {}, "astro-pyenv-pip-a-b-c"),
    ],
)
def test_pip_cache_id(build_args: dict[str, str], global_args: dict[str, str], expected: str | None) -> None:
    assert pip_cache_id(build_args, global_args) == expected


def test_by_default_no_venv_step_mounts_a_cache() -> None:
    out = transform(DOCKERFILE, TransformOptions(frontend_image="f:dev")).dockerfile
    assert "type=cache" not in out.split("AS pyenv-venv-tool", 1)[1]
    assert "id=astro-pyenv-pip," not in out and "pip-cache" not in out


def test_no_compiled_interpreter_comes_from_a_cache_mount() -> None:
    out = transform(DOCKERFILE, TransformOptions(frontend_image="f:dev")).dockerfile
    mounts = [line for line in out.splitlines() if "type=cache" in line]
    assert mounts == [
        "    --mount=type=cache,id=astro-pyenv-cpython-sources,target=/var/cache/astro-pyenv-sources,sharing=shared \\"
    ]


def test_build_arg_opts_in_and_seeds_a_world_writable_top() -> None:
    out = transform(
        DOCKERFILE, TransformOptions(frontend_image="f:dev", build_args={"ASTRO_PYENV_PIP_CACHE": "shared"})
    ).dockerfile
    assert "id=astro-pyenv-pip-shared,from=pyenv-tools-pip-cache,source=/astro-pyenv-pip-cache" in out
    assert "install -d -m 1777 /astro-pyenv-pip-cache" in out
