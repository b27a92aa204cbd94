"""Property tests: the lexer never raises and is lossless."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from astro_pyenv_frontend.lexer import Instruction, lex, logical_segments, split_command
from astro_pyenv_frontend.parser_directives import directive

TOKENS = [
    "FROM x", "RUN ", "COPY ", "ADD ", "ONBUILD ", "PYENV 3.12 a", "ENV A=1", "CMD [\"a\"]",
    "\\", "`", "<<EOF", "<<-EOF", "<<'EOF'", '<<"EOF"', "EOF", "\tEOF", "<<", "#", "# escape=`",
    "# syntax=x", "# escape=\\", " ", "\t", "\n", "\r\n", "\r", "\ufeff", "'", '"', "$", "${", "}",
    "[", "]", "--mount=x", "a", "-", "=",
]

dockerfileish = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
texts = st.one_of(st.text(max_size=200), dockerfileish)


def _check(text: str) -> None:
    lexed = lex(text)
    assert "".join(item.raw for item in lexed.items) == text
    expected_line = 1
    for item in lexed.items:
        assert item.start_line == expected_line
        assert item.end_line >= item.start_line
        assert item.raw.count("\n") in (item.end_line - item.start_line, item.end_line - item.start_line + 1)
        expected_line = item.end_line + 1
        if isinstance(item, Instruction):
            assert item.args == item.args.strip(" \t")
            # The pieces rewrite_from edits are the line lex split: same keyword, same arguments.
            segments = logical_segments(item, lexed.directives.escape)
            assert all(item.raw[start : start + len(piece)] == piece for start, piece in segments)
            word, args = split_command("".join(piece for _, piece in segments))
            assert (word.upper() if word.isascii() else word, args) == (item.keyword, item.args)
    physical = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    assert expected_line - 1 == physical
    assert set(lexed.directive_lines) <= set(range(1, physical + 1))
    assert lexed.directives.escape in ("\\", "`")


@settings(max_examples=400, deadline=None)
@given(texts)
def test_lossless_and_contiguous(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(texts, max_size=5).map("\n".join))
def test_multiline_mixes(text: str) -> None:
    _check(text)


@settings(max_examples=100, deadline=None)
@given(dockerfileish)
def test_prefixed_lines_are_trivia_or_instructions(text: str) -> None:
    lexed = lex("# escape=`\n" + text)
    assert lexed.directives.escape == "`"
    assert lexed.directive_lines[:1] == (1,)


# BuildKit's parser-directive pattern, as the lexer used it before it was made linear.
_OLD_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="sx=# \t\r\f\x0b\u2028a1", max_size=14))
def test_directives_read_as_buildkits_pattern_reads_them(text: str) -> None:
    old = _OLD_DIRECTIVE.match(text)
    assert directive(text) == (old.groups() if old else None)
