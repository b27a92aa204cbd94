"""Real builds of Dockerfiles that earlier versions got wrong (issue 10), checked in the images.

All environments use CPython 3.13.5 on the python base, so the compile is shared with the other
e2e tests through BuildKit's layer cache.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import harness

HELPER_SOURCE = Path(__file__).resolve().parents[2] / "runtime_helper" / "src" / "astro_pyenv"


def _helper_files() -> dict[str, str]:
    """The runtime helper's source (stdlib only), to run it in an image without installing it."""
    return {
        f"helper/astro_pyenv/{path.relative_to(HELPER_SOURCE).as_posix()}": path.read_text()
        for path in HELPER_SOURCE.rglob("*.py")
    }


@pytest.fixture(scope="module")
def adjacent_envs(engine: harness.Settings, frontend_image: str) -> Iterator[str]:
    """Three adjacent PYENV lines (a comment between two), one name with '-', used by a RUN."""
    tag = "astro-pyenv-e2e/adjacent-envs:latest"
    dockerfile = f"""# syntax={frontend_image}
FROM {engine.python_base} AS app
PYENV 3.13.5 first
PYENV 3.13.5 my-venv
# a comment between PYENV lines
PYENV 3.13.5 third
RUN sh -c '"$ASTRO_PYENV_my_venv" -c "import sys; print(sys.prefix)"' > /seen-by-run
COPY helper/ /helper/
"""
    result = harness.build(dockerfile, _helper_files(), tag=tag, settings=engine)
    assert result.ok, result.tail(120)
    yield tag
    subprocess.run([engine.docker, "image", "rm", "-f", tag], capture_output=True, check=False)


def test_three_adjacent_pyenv_lines_each_give_an_environment(adjacent_envs: str) -> None:
    result = harness.run_in_image(
        adjacent_envs,
        ["sh", "-c", 'for v in "$ASTRO_PYENV_first" "$ASTRO_PYENV_my_venv" "$ASTRO_PYENV_third"; do "$v" -c "import sys; print(sys.prefix)"; done'],
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == [
        "/opt/astro-pyenv/venvs/first",
        "/opt/astro-pyenv/venvs/my-venv",
        "/opt/astro-pyenv/venvs/third",
    ]


def test_a_name_with_a_dash_resolves_the_same_in_every_shell_and_in_python(adjacent_envs: str) -> None:
    venv_python = "/opt/astro-pyenv/venvs/my-venv/bin/python"
    checks = {
        "RUN (/bin/sh at build time)": ["cat", "/seen-by-run"],
        "sh": ["sh", "-c", 'sh -c "echo \\$ASTRO_PYENV_my_venv"'],
        "bash": ["bash", "-c", "echo $ASTRO_PYENV_my_venv"],
        "python": ["python3", "-c", "import os; print(os.environ['ASTRO_PYENV_my_venv'])"],
        "runtime helper": ["env", "PYTHONPATH=/helper", "python3", "-c",
                           "import astro_pyenv; print(astro_pyenv.resolve_python('my-venv'))"],  # fmt: skip
        "runtime helper listing": ["env", "PYTHONPATH=/helper", "python3", "-m", "astro_pyenv", "list"],
    }
    for what, command in checks.items():
        result = harness.run_in_image(adjacent_envs, command)
        assert result.exit_code == 0, (what, result.output)
        expected = "/opt/astro-pyenv/venvs/my-venv" if what.startswith("RUN") else venv_python
        assert expected in result.output, (what, result.output)
        if what == "runtime helper listing":
            assert "my-venv" in result.output.replace(venv_python, ""), result.output


# -- issue 22 ------------------------------------------------------------------------------


def test_stage_name_after_as_and_a_continuation_builds(engine: harness.Settings, frontend_image: str) -> None:
    """Item 2: the FROM is renamed where BuildKit reads the name (it got a second AS clause before);
    item 3: command text that looks like a flag is no stage reference."""
    dockerfile = f"""# syntax={frontend_image}
FROM {engine.python_base} AS \\
  app
PYENV 3.13.5 first
RUN echo from=1 && echo ./migrate --from=2 --to=3
FROM app
RUN --mount=type=bind,from=app,source=/etc/hostname,target=/x "$ASTRO_PYENV_first" -c "import sys; print(sys.prefix)"
"""
    result = harness.build(dockerfile, settings=engine)
    assert result.ok, result.tail(120)


def test_a_requirements_directory_fails_at_its_pyenv_line_saying_so(
    engine: harness.Settings, frontend_image: str
) -> None:
    """Item 7: a directory is mounted like a file; the venv step says what it is before pip fails."""
    dockerfile = f"# syntax={frontend_image}\nFROM {engine.python_base}\nPYENV 3.13.5 first reqs\n"
    result = harness.build(dockerfile, {"reqs/requirements.txt": "six==1.16.0\n"}, settings=engine)
    assert not result.ok
    assert "the <requirements-file> of PYENV first is a directory in the build context" in result.log, result.tail()
    assert "Dockerfile:3\n" in result.log, result.tail()
