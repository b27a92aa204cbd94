"""What keeps a build's frontend work short: a build without PYENV lines never loads the
templates, and in the frontend image the templates are compiled once, when it is built."""

from __future__ import annotations

import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from astro_pyenv_frontend import layout, render

PYENV_FILE = "FROM python:3.12-slim\nPYENV 3.13.5 modern\n"


def test_a_dockerfile_without_pyenv_lines_loads_no_templates() -> None:
    script = (
        "import sys\n"
        "from astro_pyenv_frontend.transform import TransformOptions, transform\n"
        "result = transform('FROM python:3.12-slim\\nRUN true\\n', TransformOptions(frontend_image='f'))\n"
        "assert not result.changed\n"
        "print(sorted(m for m in sys.modules if m == 'jinja2' or m.endswith(('.render', '.emit'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.fixture
def image_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This Python taken for the frontend image's venv, its template cache under ``tmp_path``."""
    venv = tmp_path / "venv"
    monkeypatch.setattr(sys, "prefix", str(venv))
    monkeypatch.setattr(layout, "FRONTEND_VENV", str(venv))
    monkeypatch.setattr(layout, "FRONTEND_TEMPLATE_CACHE", str(venv / "template-cache"))
    render._environment.cache_clear()
    yield venv / "template-cache"
    render._environment.cache_clear()


def test_the_image_compiles_every_template_once_readable_by_the_frontend_s_user(image_venv: Path) -> None:
    count = render.compile_templates()
    files = list(image_venv.iterdir())
    assert count == len(render._environment().list_templates()) == len(files) > 0
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_a_compiled_template_renders_without_compiling_again(
    image_venv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from astro_pyenv_frontend.transform import TransformOptions, transform

    render.compile_templates()
    expected = transform(PYENV_FILE, TransformOptions(frontend_image="f")).dockerfile
    render._environment.cache_clear()  # a new build: a new process, a new environment

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled at run time")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    assert transform(PYENV_FILE, TransformOptions(frontend_image="f")).dockerfile == expected


def test_a_changed_template_is_compiled_again_not_taken_from_the_cache(
    image_venv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja checks each compiled template against its source: a stale cache cannot render."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "t.j2").write_text("old {{ x }}")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(templates), bytecode_cache=render._bytecode_cache())
    image_venv.mkdir(parents=True)
    assert environment.get_template("t.j2").render(x=1) == "old 1"
    (templates / "t.j2").write_text("new {{ x }}")
    fresh = jinja2.Environment(loader=jinja2.FileSystemLoader(templates), bytecode_cache=render._bytecode_cache())
    assert fresh.get_template("t.j2").render(x=1) == "new 1"


def test_outside_the_image_nothing_is_cached() -> None:
    assert sys.prefix != layout.FRONTEND_VENV
    assert render._bytecode_cache() is None
