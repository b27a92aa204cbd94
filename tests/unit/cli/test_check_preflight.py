"""`astro-pyenv-frontend check` is a preflight: what would fail the build is said before it runs.

A requirements argument pip cannot read as a requirements file (a project file, a lock file) is
refused at the PYENV line by the transform itself, so builds refuse it too; `check` also reads the
build context (default: the Dockerfile's directory, as the Astro CLI builds) for a requirements
file that is missing, a directory or unreadable, and runs the build-check rules it can run
without an engine, with the `# check=` settings.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from astro_pyenv_frontend.cli import main
from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.transform import TransformOptions, transform

HEAD = "# syntax=example.com/astro-pyenv:1\nFROM python:3.12-slim\n"


def _check(tmp_path: Path, text: str, *args: str) -> tuple[int, str]:
    (tmp_path / "Dockerfile").write_text(text)
    result = CliRunner().invoke(main, ["check", "-f", str(tmp_path / "Dockerfile"), *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("pyproject.toml", "is a project file, not a requirements file"),
        ("sub/pyproject.toml", "is a project file, not a requirements file"),
        ("setup.py", "is a project file, not a requirements file"),
        ("poetry.lock", "is a lock file, which pip -r cannot read"),
        ("Pipfile.lock", "is a lock file, which pip -r cannot read"),
        ("deps.toml", "is a TOML file, which pip -r cannot read"),
    ],
)
def test_what_pip_cannot_read_as_requirements_is_refused_at_the_line(path: str, reason: str) -> None:
    with pytest.raises(DockerfileError) as info:
        transform(HEAD + f"\nPYENV 3.12 a {path}\n", TransformOptions(frontend_image="example.com/astro-pyenv:1"))
    assert info.value.line == 4
    assert info.value.message.startswith(f"<requirements-file> {path!r} {reason}")


@pytest.mark.parametrize("path", ["requirements.txt", "requirements.lock", "reqs/dev.in", "constraints"])
def test_other_names_are_left_to_pip(path: str) -> None:
    transform(HEAD + f"PYENV 3.12 a {path}\n", TransformOptions(frontend_image="example.com/astro-pyenv:1"))


@pytest.mark.parametrize(("path", "installer"), [("pylock.toml", "pip"), ("locks/pylock.dev.toml", "uv")])
def test_a_pylock_is_mounted_under_a_name_pip_and_uv_read_as_a_lock(path: str, installer: str) -> None:
    """PEP 751: both installers tell a pylock.toml from a requirements file by its name."""
    out = transform(
        HEAD + f"PYENV --installer={installer} 3.12 a {path}\n", TransformOptions(frontend_image="example.com/astro-pyenv:1")
    ).dockerfile
    assert f"--mount=type=bind,source={path},target=/tmp/astro-pyenv-lock/pylock.toml " in out
    assert ', "/tmp/astro-pyenv-lock/pylock.toml"]' in out, out


def test_a_pylock_gets_no_unpinned_requirements_warning() -> None:
    from astro_pyenv_frontend import checks
    from astro_pyenv_frontend.contract import PyenvUse

    use = PyenvUse(line=3, end_line=3, name="a", version="3.12.4", base_image="python:3.12-slim", requirements="pylock.toml")
    assert checks.requirements_finding(use, 'lock-version = "1.0"\n[[packages]]\nname = "six"\n') is None


def test_a_missing_requirements_file_fails_check_at_its_line(tmp_path: Path) -> None:
    code, output = _check(tmp_path, HEAD + "PYENV 3.12 a requirements.txt\nPYENV 3.12 b other.txt\n")
    assert code == 1
    dockerfile = tmp_path / "Dockerfile"
    assert f"{dockerfile}:3: <requirements-file> 'requirements.txt' is not in the build context {tmp_path}" in output
    assert f"{dockerfile}:4: <requirements-file> 'other.txt' is not in the build context" in output
    assert "ok" not in output


def test_a_directory_fails_check_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "reqs").mkdir()
    code, output = _check(tmp_path, HEAD + "PYENV 3.12 a reqs\n")
    assert code == 1
    assert ":3: <requirements-file> 'reqs' is a directory in the build context; name a requirements file" in output


def test_an_unreadable_file_fails_check_at_its_line(tmp_path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as sock:  # there, but no file to open (even for root)
        sock.bind(str(tmp_path / "requirements.txt"))
        code, output = _check(tmp_path, HEAD + "PYENV 3.12 a requirements.txt\n")
    assert code == 1
    assert ":3: <requirements-file> 'requirements.txt' cannot be read: " in output


def test_the_context_option_names_where_requirements_are(tmp_path: Path) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "requirements.txt").write_text("six==1.16.0\n")
    code, output = _check(tmp_path, HEAD + "PYENV 3.12 a requirements.txt\n", "--context", str(context))
    assert code == 0, output
    assert output.strip().endswith(": ok")


def test_check_reports_the_build_check_rules(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("\ufeffsix\nrequests==2.32.3\n")
    code, output = _check(tmp_path, HEAD + "PYENV 3.12 a requirements.txt\n")
    assert code == 0, output
    assert (
        f"{tmp_path / 'Dockerfile'}:3: warning: PyenvUnpinnedRequirements: requirements.txt of PYENV a has 1"
        " requirement(s) without an exact version (six)"
    ) in output


def test_check_follows_the_check_directive(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("six\n")
    skipped = "# syntax=example.com/astro-pyenv:1\n# check=skip=PyenvUnpinnedRequirements\nFROM python:3.12-slim\n"
    code, output = _check(tmp_path, skipped + "PYENV 3.12 a requirements.txt\n")
    assert code == 0 and "PyenvUnpinnedRequirements" not in output, output
    failing = "# syntax=example.com/astro-pyenv:1\n# check=error=true\nFROM python:3.12-slim\n"
    code, output = _check(tmp_path, failing + "PYENV 3.12 a requirements.txt\n")
    assert code == 1
    assert "lint violation found for rules: PyenvUnpinnedRequirements" in output
    code, output = _check(tmp_path, failing + "PYENV 3.12 a requirements.txt\n", "--build-arg",
                          "BUILDKIT_DOCKERFILE_CHECK=skip=all")
    assert code == 0, output


def test_a_bad_check_directive_is_an_error(tmp_path: Path) -> None:
    code, output = _check(tmp_path, HEAD.replace("FROM", "# check=bogus\nFROM") + "PYENV 3.12 a\n")
    assert code == 1
    assert "# check=" in output and "bogus" in output
