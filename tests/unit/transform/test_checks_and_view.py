"""The PYENV check rules and the line-for-line view subrequests hand to BuildKit (pure parts)."""

from __future__ import annotations

import pytest

from astro_pyenv_frontend import checks
from astro_pyenv_frontend.contract import PyenvUse
from astro_pyenv_frontend.lexer import Instruction, lex
from astro_pyenv_frontend.transform import TransformOptions, transform
from astro_pyenv_frontend.view import buildkit_view, pyenv_lines


def _use(version: str = "3.12.13", requirements: str | None = None, line: int = 3) -> PyenvUse:
    return PyenvUse(line=line, end_line=line, name="env", version=version, base_image="python:3.12-slim",
                    requirements=requirements)


# -- PyenvUnpinnedRequirements ----------------------------------------------------------------


def test_unpinned_requirements_are_those_without_an_exact_version() -> None:
    text = (
        "# comment\n\nrequests\nurllib3==2.2.0\nnumpy>=1.26  # a floor is no pin\nidna===3.7\n"
        "pkg @ https://example.com/pkg-1.0.tar.gz\n-r other.txt\n--index-url https://x\n-e .\n"
        "./local/pkg\nboto3[crt]~=1.34\nattrs==23.2.0 \\\n    --hash=sha256:abc\nsix; python_version<'3.12'\n"
    )
    assert checks.unpinned_requirements(text) == ["requests", "numpy>=1.26", "boto3[crt]~=1.34", "six"]


def test_requirements_finding_names_the_file_and_the_first_unpinned_ones() -> None:
    finding = checks.requirements_finding(_use(requirements="req.txt"), "a\nb\nc\nd\ne==1\n")
    assert finding is not None and finding.rule is checks.UNPINNED_REQUIREMENTS
    assert "req.txt of PYENV env has 4 requirement(s) without an exact version (a, b, c and 1 more)" in finding.message
    assert finding.short.startswith("PyenvUnpinnedRequirements: ") and finding.short.endswith("(line 3)")
    assert checks.requirements_finding(_use(requirements="req.txt"), "a==1\n") is None


# -- PyenvSameAsBasePython --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "base", "flagged"),
    [("3.12.13", "3.12.8", True), ("3.12.8", "3.12.8", True), ("3.11.9", "3.12.8", False),
     ("3.12.13t", "3.12.8", False), ("3.13.0rc2", "3.13.0", True), ("3.12.1", "not-a-version", False)],
)
def test_same_python_series_as_the_base_is_flagged(mine: str, base: str, flagged: bool) -> None:
    finding = checks.same_as_base_python(_use(version=mine), base)
    assert (finding is not None) is flagged
    if finding is not None:
        assert f"already has Python {base}" in finding.message


# -- settings ---------------------------------------------------------------------------------


def test_check_settings_read_as_buildkit_reads_them() -> None:
    config = checks.parse_check_config("skip=PyenvSameAsBasePython, Other;error=true")
    assert not config.enabled(checks.PYENV_SAME_AS_BASE_PYTHON) and config.enabled(checks.UNPINNED_REQUIREMENTS)
    assert config.error
    assert not checks.parse_check_config("skip=all").enabled(checks.UNPINNED_REQUIREMENTS)
    assert checks.parse_check_config("experimental=all") == checks.CheckConfig()
    for bad in ("skip", "error=maybe", "ignore=x"):
        with pytest.raises(checks.CheckConfigError):
            checks.parse_check_config(bad)


def test_the_build_arg_replaces_the_directive() -> None:
    args = {checks.CHECK_BUILD_ARG: "error=true"}
    config = checks.check_config("skip=all", args)
    assert config.enabled(checks.UNPINNED_REQUIREMENTS) and config.error
    assert not checks.check_config("skip=all", {}).enabled(checks.UNPINNED_REQUIREMENTS)


# -- the view ---------------------------------------------------------------------------------


def _view(text: str) -> str:
    result = transform(text, TransformOptions(frontend_image="local/x:dev"))
    escape = lex(text).directives.escape
    return buildkit_view(text, result.environments, escape)


def test_view_replaces_only_pyenv_lines_keeping_every_line_number() -> None:
    text = (
        "# syntax=local/x:dev\nFROM python:3.12-slim AS base\nARG V=3.12\n"
        "pyenv ${V} \\\n  \\\n  my-env\r\nRUN echo $ASTRO_PYENV_my_env\nFROM base\nPyenv 3.13 b\n"
    )
    view = _view(text)
    assert view.splitlines(keepends=True)[:3] == text.splitlines(keepends=True)[:3]
    assert view.splitlines()[3:6] == ["env \\", "#", "    ASTRO_PYENV_my_env=/opt/astro-pyenv/venvs/my-env/bin/python"]
    assert view.splitlines(keepends=True)[5].endswith("\r\n")
    assert view.splitlines()[6:] == ["RUN echo $ASTRO_PYENV_my_env", "FROM base",
                                     "Env ASTRO_PYENV_b=/opt/astro-pyenv/venvs/b/bin/python"]
    instructions = [i for i in lex(view).items if isinstance(i, Instruction)]
    assert [(i.keyword, i.start_line, i.end_line) for i in instructions] == [
        ("FROM", 2, 2), ("ARG", 3, 3), ("ENV", 4, 6), ("RUN", 7, 7), ("FROM", 8, 8), ("ENV", 9, 9)]


def test_view_uses_the_files_escape_character() -> None:
    text = "# escape=`\nFROM python:3.12-slim\nPYENV 3.12 `\n  a\n"
    assert _view(text).splitlines()[2:] == ["ENV `", "    ASTRO_PYENV_a=/opt/astro-pyenv/venvs/a/bin/python"]


def test_pyenv_lines_cover_continuations() -> None:
    assert pyenv_lines([PyenvUse(4, 6, "a", "3.12.1", "x"), PyenvUse(9, 9, "b", "3.12.1", "x")]) == {4, 5, 6, 9}


@pytest.mark.parametrize("odd", ["\u2028", "\x0c", "\x85", "\x1c", "\x1d", "\x1e", "\r", "\x0b", "\u2029"])
def test_view_lines_are_buildkits_lines_whatever_a_line_holds(odd: str) -> None:
    """Only \\n (and \\r\\n) ends a line for BuildKit; str.splitlines also splits at U+2028, \\x0c,
    \\x85, \\x1c..\\x1e and a lone \\r, which shifted every later line of the view."""
    text = f"FROM python:3.12-slim\nLABEL note=\"a{odd}b\"\nPYENV 3.12 a\nRUN echo{odd}done\n"
    view = _view(text)
    assert view == text.replace("PYENV 3.12 a\n", "ENV ASTRO_PYENV_a=/opt/astro-pyenv/venvs/a/bin/python\n")
    instructions = [i for i in lex(view).items if isinstance(i, Instruction)]
    assert [(i.keyword, i.start_line) for i in instructions] == [("FROM", 1), ("LABEL", 2), ("ENV", 3), ("RUN", 4)]
