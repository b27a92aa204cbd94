"""Deeply nested variable references (issue 22.9): a located error at their line, never a
RecursionError, wherever the transform expands words or the lexer reads a heredoc's name."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.lexer import lex
from astro_pyenv_frontend.transform import TransformOptions, transform

OPTIONS = TransformOptions(frontend_image="example.com/astro-pyenv:1")
DEEP = "${X:-" * 250 + "1" + "}" * 250


@pytest.mark.parametrize(
    ("text", "line", "keyword"),
    [
        (f"FROM python:3.12-slim\nPYENV 3.12 {DEEP}\n", 2, "PYENV"),
        (f"FROM python:3.12-slim\nENV A={DEEP}\nPYENV 3.12 a\n", 2, "ENV"),
        (f"FROM python:3.12-slim\nARG A={DEEP}\nPYENV 3.12 a\n", 2, "ARG"),
        (f"ARG A={DEEP}\nFROM python:3.12-slim\nPYENV 3.12 a\n", 1, "ARG"),
        (f"ARG X=python:3.12-slim\nFROM {DEEP}\nPYENV 3.12 a\n", 2, "FROM"),
        (f"FROM python:3.12-slim\nRUN <<{DEEP}\nbody\n1\nPYENV 3.12 a\n", 2, "RUN"),
        (f"FROM python:3.12-slim\nPYENV 3.12 a\nCOPY <<-\"{DEEP}\" /x\nbody\n1\n", 3, "COPY"),
    ],
)
def test_deep_nesting_is_refused_at_its_line(text: str, line: int, keyword: str) -> None:
    with pytest.raises(DockerfileError) as info:
        transform(text, OPTIONS)
    assert (info.value.line, info.value.message.split(":")[0]) == (line, keyword)
    assert "nested more than 64 deep" in info.value.message


def test_the_lexer_never_raises_and_says_which_line_it_may_have_read_otherwise() -> None:
    (head, run, *rest) = lex(f"FROM x\nRUN <<{'${X:-' * 5000}EOF\nbody\n").items
    assert run.problem.startswith("RUN: variable references are nested more than 64 deep")  # type: ignore[union-attr]


def test_without_pyenv_lines_the_file_is_left_to_buildkit() -> None:
    text = f"FROM python:3.12-slim\nRUN <<{DEEP}\nbody\n1\n"
    result = transform(text, OPTIONS)
    assert not result.changed and result.dockerfile == text


def test_a_stage_reference_too_deep_to_read_is_refused() -> None:
    """BuildKit would read stage 1 there, by number."""
    with pytest.raises(DockerfileError) as info:
        transform(f"FROM python:3.12-slim\nPYENV 3.12 a\nRUN --mount=from={DEEP},target=/x true\n", OPTIONS)
    assert info.value.line == 3 and info.value.message.startswith("RUN: variable references are nested")


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["PYENV 3.12 {}", "ENV A={}", "ARG A={}", "FROM {}", "RUN <<{}", "COPY <<{} /x", "LABEL a={}",
                     "RUN --mount=from={},target=/x true", "COPY --from={} /a /b", "PYENV {} a"]),
    st.integers(0, 400),
    st.sampled_from(["${X:-", "${X:+", '"${X:-', "${X/"]),
)
def test_any_nesting_anywhere_transforms_or_fails_at_a_line(line: str, depth: int, opener: str) -> None:
    closer = {"${X:-": "}", "${X:+": "}", '"${X:-': '}"', "${X/": "/y}"}[opener]
    word = opener * depth + "1" + closer * depth
    text = "ARG X\nFROM python:3.12-slim AS base\nPYENV 3.12 a\n" + line.format(word) + "\n1\n"
    try:
        transform(text, OPTIONS)
    except DockerfileError as err:
        assert 1 <= err.line <= 5
