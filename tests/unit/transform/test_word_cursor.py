"""The one cursor under every word splitter (BuildKit's splitCommand, extractBuilderFlags,
parseWords and reWhitespace), and the white space classes it uses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astro_pyenv_frontend.word_cursor import (
    Cursor,
    _read_words,
    blank_fields,
    parse_words,
    split_command,
    split_flags,
)


@pytest.mark.parametrize(
    ("args", "flags", "rest"),
    [
        ("x", (), "x"),
        ("--a=1 --b x y", ("--a=1", "--b"), "x y"),
        ('--a="1 2" x', ("--a=1 2",), "x"),
        ("--a=1\\ 2 x", ("--a=1 2",), "x"),
        ("--a='1\\'2' x", ("--a=1'2",), "x"),  # the escape character escapes inside single quotes here
        ("--a -- --b", ("--a",), "--b"),
        ("--a", ("--a",), ""),
        ("--a=\\", ("--a=",), ""),
        ('--a="" x', ("--a=",), "x"),
        ("-a", (), "-a"),
    ],
)
def test_split_flags(args: str, flags: tuple[str, ...], rest: str) -> None:
    assert split_flags(args, "\\") == (flags, rest)


def test_split_flags_with_the_backtick() -> None:
    assert split_flags("--a=1` 2 x\\y", "`") == (("--a=1 2",), "x\\y")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a b", ["a", "b"]),
        ("  a \u00a0 b  ", ["a", "b"]),
        ("a\x1cb", ["a\x1cb"]),  # not a Go space (Python's str.split would split here)
        ("'a b' \"c d\"", ["'a b'", '"c d"']),
        ("a\\ b c", ["a\\ b", "c"]),
        ('"a\\" b" c', ['"a\\" b"', "c"]),
        ("'a\\' b", ["'a\\'", "b"]),
        ("${A:-x y} z", ["${A:-x", "y}", "z"]),
        ('"${A:-x y}" z', ['"${A:-x y}"', "z"]),
        ("a \\", ["a"]),
        ("'' b", ["''", "b"]),
        ("", []),
    ],
)
def test_parse_words(text: str, words: list[str]) -> None:
    assert parse_words(text, "\\") == words


@pytest.mark.parametrize(
    ("line", "split"),
    [
        ("RUN echo a", ("RUN", "echo a")),
        ("  RUN\t\techo a  ", ("RUN", "echo a")),
        ("RUN\u00a0echo", ("RUN\u00a0echo", "")),  # reWhitespace: no U+00A0
        ("RUN\vecho \u00a0", ("RUN", "echo")),  # TrimSpace: Go spaces
        ("", ("", "")),
    ],
)
def test_split_command(line: str, split: tuple[str, str]) -> None:
    assert split_command(line) == split


def test_blank_fields_is_the_parsers_rewhitespace() -> None:
    assert blank_fields("a \t\vb\u00a0c\nd") == ["a", "b\u00a0c\nd"]
    assert blank_fields("a b c", maxsplit=1) == ["a", "b c"]


def test_the_cursor_reads_one_character_at_a_time() -> None:
    cursor = Cursor("a b", "`")
    assert (cursor.peek(), cursor.next(), cursor.next(), cursor.at_end) == ("a", "a", " ", False)
    cursor.skip_spaces()
    assert cursor.rest() == "b" and cursor.read_word(raw=True) == ("b", False)
    assert cursor.at_end and cursor.next() == cursor.peek() == ""


_UNQUOTED = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("abc=$-_ \t\v\f\r\x85\xa0\u2000\u3000\x1c")),
        st.characters(blacklist_categories=["Cs"], blacklist_characters="'\"\\`"),
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(_UNQUOTED, st.sampled_from(["\\", "`"]))
def test_unquoted_words_split_like_the_full_parser(text: str, escape: str) -> None:
    """ARG/ENV/PYENV words without quotes or escapes take a regex shortcut; it must agree with
    the cursor (BuildKit's parseWords loop), Go's whitespace included."""
    text = text.replace(escape, "")
    assert parse_words(text, escape) == _read_words(text, escape)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("-ab=\\'\" \t\u3000"), max_size=20))
def test_the_rest_after_the_flags_is_a_suffix_of_the_arguments(args: str) -> None:
    args = args.strip(" \t\u3000")
    flags, rest = split_flags(args, "\\")
    assert args.endswith(rest)
