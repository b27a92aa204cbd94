"""Generated stage names stay within what BuildKit accepts (issue 10.8)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.pyenv_values import MAX_NAME_LENGTH
from astro_pyenv_frontend.stage_names import MAX_STAGE_NAME, stage_name
from astro_pyenv_frontend.transform import TransformOptions, transform

# dockerfile.v0's stage-name check, and distribution/reference's path component (every stage
# name is also tried as a named build context).
BUILDKIT_STAGE = re.compile(r"[a-z][a-z0-9-_.]*\Z")
REFERENCE_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*\Z")
OPTIONS = TransformOptions(frontend_image="local/astro-pyenv-frontend:dev")


def _accepted(name: str) -> bool:
    return bool(BUILDKIT_STAGE.match(name) and REFERENCE_COMPONENT.match(name)) and len(name) <= MAX_STAGE_NAME


def _stage_names(dockerfile: str) -> list[str]:
    return re.findall(r"^FROM .* AS (\S+)$", dockerfile, re.MULTILINE)


@pytest.mark.parametrize(
    "name", ["pyenv-python-3.9.2", "pyenv-venv-snowpark", "stage-0-pyenv-0", "a__b", "builder-pyenv-1", "x.y_z--w"]
)
def test_valid_names_are_kept(name: str) -> None:
    assert stage_name(name) == name
    assert stage_name(name, "-2") == name + "-2"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ9._-/ é", max_size=300), st.sampled_from(["", "-2", "-17"]))
def test_every_name_is_accepted(base: str, suffix: str) -> None:
    assert _accepted(stage_name(base, suffix)), stage_name(base, suffix)


def test_long_names_stay_distinct() -> None:
    a, b = "pyenv-venv-" + "a" * 300, "pyenv-venv-" + "a" * 301
    assert stage_name(a) != stage_name(b)
    assert len(stage_name(a)) == MAX_STAGE_NAME


@pytest.mark.parametrize("name", ["a_", "a_-b", "a___b", "x-"])
def test_pyenv_names_that_end_badly_give_accepted_stage_names(name: str) -> None:
    text = f"FROM python:3.12-slim\nPYENV 3.12 {name}\n"
    names = _stage_names(transform(text, OPTIONS).dockerfile)
    assert names and all(_accepted(n) for n in names), names


def test_long_user_stage_name_gives_accepted_stage_names() -> None:
    user = "b" * 230  # fine for BuildKit on its own; "-pyenv-0" would take it over the limit
    text = f"FROM python:3.12-slim AS {user}\nPYENV 3.12 py\nRUN true\nPYENV 3.13 other\n"
    names = _stage_names(transform(text, OPTIONS).dockerfile)
    assert user in names
    assert all(_accepted(n) for n in names), [n for n in names if not _accepted(n)]


def test_pyenv_name_length_limit() -> None:
    ok = "n" * MAX_NAME_LENGTH
    transform(f"FROM python:3.12-slim\nPYENV 3.12 {ok}\n", OPTIONS)
    with pytest.raises(DockerfileError) as err:
        transform(f"FROM python:3.12-slim\nENV A=1\nPYENV 3.12 {ok}n\n", OPTIONS)
    assert err.value.line == 3
    assert err.value.message == (
        f"<name> 'nnnnnnnnnnnnnnnnnnnn...' is {MAX_NAME_LENGTH + 1} characters long; use at most {MAX_NAME_LENGTH}"
    )


def test_the_names_a_from_line_uses_are_its_words_as_buildkit_reads_them() -> None:
    """Deliberate change: FROM's flags are split off as extractBuilderFlags does (quotes kept
    together) and its words split on reWhitespace, not on Python's white space."""
    from astro_pyenv_frontend.lexer import lex
    from astro_pyenv_frontend.planner.parse import referenced_names

    items = list(lex('FROM --platform="linux/amd64 x" img AS one\nONBUILD COPY --from=two a b\n').items)
    assert referenced_names(items, {}, "\\") == {"img", "as", "one", "two"}
