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


# -- which frontend reads the file: # syntax= and BUILDKIT_SYNTAX -------------------------------

DOCKERFILE_FRONTEND = "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nPYENV 3.12.4 env1\n"


def test_check_says_at_the_pyenv_line_that_buildkits_dockerfile_frontend_cannot_read_it(tmp_path: Path) -> None:
    path = _write(tmp_path, DOCKERFILE_FRONTEND)
    for args in ([], ["--frontend-image", "example.com/astro-pyenv:1"]):
        result = CliRunner().invoke(main, ["check", "-f", str(path), *args])
        assert result.exit_code == 1, result.output
        assert result.output.startswith(
            f"{path}:3: # syntax=docker/dockerfile:1 (line 1) names BuildKit's Dockerfile frontend, which does"
            ' not know PYENV: a build that follows it stops here at "unknown instruction: PYENV"'
        ), result.output
        assert "ok" not in result.output


def test_the_build_arg_buildkit_syntax_wins_over_the_line_as_in_buildkit(tmp_path: Path) -> None:
    path = _write(tmp_path, DOCKERFILE_FRONTEND)
    ours = CliRunner().invoke(main, ["check", "-f", str(path), "--build-arg", "BUILDKIT_SYNTAX=example.com/a:1"])
    assert ours.exit_code == 0, ours.output
    assert ":3: warning: # syntax=docker/dockerfile:1 (line 1) names BuildKit's Dockerfile frontend" in ours.output
    path = _write(tmp_path, GOOD)
    theirs = CliRunner().invoke(
        main, ["check", "-f", str(path), "--build-arg", "BUILDKIT_SYNTAX=docker.io/docker/dockerfile:1.7"]
    )
    assert theirs.exit_code == 1
    assert ":3: the build arg BUILDKIT_SYNTAX=docker.io/docker/dockerfile:1.7 names BuildKit's" in theirs.output


def test_transform_takes_no_tools_from_buildkits_dockerfile_frontend(tmp_path: Path) -> None:
    path = _write(tmp_path, DOCKERFILE_FRONTEND)
    result = CliRunner().invoke(main, ["transform", "-f", str(path)])
    assert result.exit_code == 1
    assert "FROM --platform" not in result.output
    named = CliRunner().invoke(main, ["transform", "-f", str(path), "--frontend-image", "example.com/a:1"])
    assert named.exit_code == 0, named.output
    assert "FROM --platform=$BUILDPLATFORM example.com/a:1 AS pyenv-tools" in named.output


def test_a_dockerfile_frontend_without_pyenv_lines_is_fine(tmp_path: Path) -> None:
    path = _write(tmp_path, "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nRUN true\n")
    result = CliRunner().invoke(main, ["check", "-f", str(path)])
    assert result.exit_code == 0, result.output


def test_the_syntax_lines_arguments_are_not_part_of_the_image(tmp_path: Path) -> None:
    """BuildKit runs the first word of a # syntax= value; the rest is that frontend's command line."""
    path = _write(tmp_path, GOOD.replace("astro-pyenv:1", "astro-pyenv:1 --debug"))
    result = CliRunner().invoke(main, ["transform", "-f", str(path)])
    assert result.exit_code == 0, result.output
    assert "FROM --platform=$BUILDPLATFORM example.com/astro-pyenv:1 AS pyenv-tools\n" in result.output


def test_a_frontend_image_that_is_no_image_reference_is_a_usage_error(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    for bad in ("a b", "a\nRUN evil", "-x", ""):
        result = CliRunner().invoke(main, ["transform", "-f", str(path), "--frontend-image", bad])
        assert result.exit_code == 2, (bad, result.output)
