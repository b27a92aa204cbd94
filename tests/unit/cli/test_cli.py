"""The transform CLI: prints the plain Dockerfile, or `Dockerfile:LINE: message` and exit 1."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from astro_pyenv_frontend.cli import main

GOOD = "# syntax=example.com/astro-pyenv:1\nFROM python:3.12-slim\nPYENV 3.12.4 env1\n"


def _write(tmp_path: Path, text: str, name: str = "Dockerfile") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_transform_prints_plain_dockerfile_using_syntax_image(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    result = CliRunner().invoke(main, ["transform", "-f", str(path)])
    assert result.exit_code == 0, result.output
    assert "FROM --platform=$BUILDPLATFORM example.com/astro-pyenv:1 AS pyenv-tools" in result.output
    assert "ENV ASTRO_PYENV_env1=/opt/astro-pyenv/venvs/env1/bin/python" in result.output
    assert not [line for line in result.output.splitlines() if line.upper().startswith("PYENV")]


def test_frontend_image_flag_overrides_syntax_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    result = CliRunner().invoke(main, ["transform", "-f", str(path), "--frontend-image", "other/img:2"])
    assert "FROM --platform=$BUILDPLATFORM other/img:2 AS pyenv-tools" in result.output


def test_build_arg_expands_version(tmp_path: Path) -> None:
    path = _write(tmp_path, "# syntax=x/y\nFROM python:3.12-slim\nARG PY\nPYENV ${PY} e\n")
    result = CliRunner().invoke(main, ["transform", "-f", str(path), "--build-arg", "PY=3.11.9"])
    assert result.exit_code == 0, result.output
    assert "CPython 3.11.9" in result.output


def test_error_is_reported_as_file_line_message(tmp_path: Path) -> None:
    path = _write(tmp_path, "# syntax=x/y\nFROM python:3.12-slim\nPYENV 3.12\n", "my.Dockerfile")
    result = CliRunner().invoke(main, ["check", "-f", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: PYENV expects <python-version> <name> [<requirements-file>], got 1 argument" in result.output
    assert "Traceback" not in result.output


def test_check_without_frontend_image_is_a_usage_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "FROM python:3.12-slim\nPYENV 3.12 e\n")
    result = CliRunner().invoke(main, ["check", "-f", str(path)])
    assert result.exit_code == 2
    assert "--frontend-image" in result.output


def test_check_accepts_valid_file(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    result = CliRunner().invoke(main, ["check", "-f", str(path)])
    assert result.exit_code == 0
    assert "ok" in result.output


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "-f", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_bad_build_arg_is_a_usage_error(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    result = CliRunner().invoke(main, ["transform", "-f", str(path), "--build-arg", "NOVALUE"])
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.output


def test_warnings_go_to_stderr_with_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "# syntax=x/y\nFROM quay.io/astronomer/astro-runtime:13.0.0-base\nPYENV 3.12 e\n")
    for command in ("transform", "check"):
        result = CliRunner().invoke(main, [command, "-f", str(path)])
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith(
            f"{path}:2: warning: quay.io/astronomer/astro-runtime:13.0.0-base has no Astro project steps"
        ), result.stderr
        assert "warning" not in result.stdout


def test_check_refuses_a_misplaced_astro_pyenv_syntax_directive_as_a_build_would(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "# astro-pyenv-syntax=docker/dockerfile:1.20\n")
    result = CliRunner().invoke(main, ["check", "-f", str(path)])
    assert result.exit_code == 1
    assert f"{path}:4: # astro-pyenv-syntax is read only among the parser directives at the top" in result.output
