from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astro_pyenv_frontend.variables import Expansion, ExpansionError, ShellLexer, expand, split_words

ENV = {"PWD": "/home", "SHELL": "bash", "NULL": ""}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # plain text, quotes and escapes
        ("hello", "hello"),
        ("he'll'o", "hello"),
        ("he\\'llo", "he'llo"),
        ("abc\\tdef", "abctdef"),
        ('"abc\\tdef"', "abc\\tdef"),
        ('"abc\\\\tdef"', "abc\\tdef"),
        ("'abc\\tdef'", "abc\\tdef"),
        ("hello\\", "hello"),
        ("hello\\\\", "hello\\"),
        ('"hel\'lo"', "hel'lo"),
        ("'hello\\'", "hello\\"),
        ("'hello\\\\there'", "hello\\\\there"),
        ("\"''\"", "''"),
        ("  spaced  out ", "  spaced  out "),
        # $NAME
        ("$.", "$."),
        ("he$1x", "hex"),
        ("he$.x", "he$.x"),
        ("he$pwd.", "he."),
        ("he$PWD", "he/home"),
        ("he\\$PWD", "he$PWD"),
        ("he\\\\$PWD", "he\\/home"),
        ('"he\\$PWD"', "he$PWD"),
        ('"he\\\\$PWD"', "he\\/home"),
        ("$", "$"),
        ("$$", ""),
        # ${NAME}
        ("\\${}", "${}"),
        ("he\\${}xx", "he${}xx"),
        ("he${hi}xx", "hexx"),
        ("he${PWD}", "he/home"),
        ('"he${PWD}"', "he/home"),
        ("\"he'$PWD'\"", "he'/home'"),
        ("'$PWD'", "$PWD"),
        ("'\\$PWD'", "\\$PWD"),
        ("'\"hello\"'", '"hello"'),
        # modifiers
        ("he${XXX:-000}xx", "he000xx"),
        ("he${PWD:-000}xx", "he/homexx"),
        ("he${XXX:-$PWD}xx", "he/homexx"),
        ("he${XXX:-${PWD:-yyy}}xx", "he/homexx"),
        ("he${XXX:-${YYY:-yyy}}xx", "heyyyxx"),
        ("he${NULL:-x}", "hex"),
        ("he${NULL-x}", "he"),
        ("he${XXX-x}", "hex"),
        ("he${PWD?}", "he/home"),
        ("he${PWD:?}", "he/home"),
        ("he${NULL?}", "he"),
        ("he${XXX:+${PWD}}xx", "hexx"),
        ("he${PWD:+${XXX}}xx", "hexx"),
        ("he${PWD:+${SHELL}}xx", "hebashxx"),
        ("he${XXX:+000}xx", "hexx"),
        ("he${PWD:+000}xx", "he000xx"),
        ("he${NULL:+x}", "he"),
        ("he${NULL+x}", "hex"),
        ("'he${XX}'", "he${XX}"),
        ("he${PWD:+${PWD}:}xx", "he/home:xx"),
        ("he${XXX:-\\$PWD:}xx", "he$PWD:xx"),
        ("he${XXX:-\\${PWD}z}xx", "he${PWDz}xx"),
        # patterns
        ("${PWD#/}", "home"),
        ("${PWD#*o}", "me"),
        ("${PWD##*o}", "me"),
        ("${SHELL%?h}", "ba"),
        ("${SHELL%%a*}", "b"),
        ("${SHELL/a/A}", "bAsh"),
        ("${PWD//o/0}", "/h0me"),
        ("${SHELL//?/x}", "xxxx"),
        # unicode
        ("안녕하세요", "안녕하세요"),
        ("안'녕'하세요", "안녕하세요"),
        ("안녕\\'하세요", "안녕'하세요"),
    ],
)
def test_expand(text: str, value: str) -> None:
    assert expand(text, ENV).value == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a`$PWD", "a$PWD"),
        ("a\\$PWD", "a\\/home"),
        ('"a`"b"', 'a"b'),
        ("C:\\Windows", "C:\\Windows"),
        ("a``", "a`"),
    ],
)
def test_expand_with_backtick_escape(text: str, value: str) -> None:
    assert expand(text, ENV, "`").value == value


@pytest.mark.parametrize(
    ("text", "unset", "substituted"),
    [
        ("$A ${B} ${C:-x} ${D+y} $PWD", ("A", "B", "C", "D"), ("A", "B")),
        ("$A$A", ("A",), ("A",)),
        ("${NULL}", (), ()),
        ("'$A'", (), ()),
    ],
)
def test_unset_tracking(text: str, unset: tuple[str, ...], substituted: tuple[str, ...]) -> None:
    result = expand(text, ENV)
    assert (result.unset, result.unset_substituted) == (unset, substituted)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${", "syntax error: missing '}'"),
        ("${}", "syntax error: bad substitution"),
        ("he${}xx", "syntax error: bad substitution"),
        ("${:x}", "syntax error: bad substitution"),
        ("${{x}}", "syntax error: bad substitution"),
        ("he${PWD", "syntax error: missing '}'"),
        ("he${PWD:-x", "syntax error: missing '}'"),
        ("he${.}", "unsupported modifier (.) in substitution"),
        ("he${XXX:YYY}", "unsupported modifier (:Y) in substitution"),
        ("he${PWD:=000}xx", "unsupported modifier (:=) in substitution"),
        ("${PWD:#x}", "unsupported modifier (:#) in substitution"),
        ("he${XXX?}", "XXX: is not allowed to be unset"),
        ("he${XXX:?}", "XXX: is not allowed to be unset"),
        ("he${NULL:?}", "NULL: is not allowed to be empty"),
        ("${XXX?set it please}", "XXX: set it please"),
        ("he'llo", "unexpected end of statement while looking for matching single-quote"),
        ('"hello', "unexpected end of statement while looking for matching double-quote"),
        ('"hello\\"', "unexpected end of statement while looking for matching double-quote"),
        ("he\\\\'llo", "unexpected end of statement while looking for matching single-quote"),
        ("${PWD/x", "syntax error: missing '/' in ${}"),
        ("${PWD/x/y", "syntax error: missing '}'"),
        ("${PWD#\\x}", "invalid pattern (\\x) in substitution: invalid escape '\\x'"),
    ],
)
def test_expand_errors(text: str, message: str) -> None:
    with pytest.raises(ExpansionError) as info:
        expand(text, ENV)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


WORDS_ENV = {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("hello", ["hello"]),
        ("hello${nope}bye", ["hellobye"]),
        ("hello${hi}bye", ["hellohibye"]),
        ("hello${space}bye", ["helloabc", "defbye"]),
        ('hello"${space}"bye', ["helloabc  defbye"]),
        ('hello "${space}"bye', ["hello", "abc  defbye"]),
        ("hello${leading}def", ["hello", "ab", "cdef"]),
        ('hello"${leading}" def', ["hello  ab c", "def"]),
        ("hello${trailing}d", ["helloab", "c", "d"]),
        ('hel"lo${trailing}"', ["helloab c   "]),
        ('hello" there  "', ["hello there  "]),
        ("hello there     ", ["hello", "there"]),
        ("hello\\ there", ["hello there"]),
        ('hello\\" there', ['hello"', "there"]),
        ('hello"\\\\there"', ["hello\\there"]),
        ("hello'\\\\there'", ["hello\\\\there"]),
        ("hello'$there'", ["hello$there"]),
        ('a "" b', ["a", "b"]),
        ("", []),
    ],
)
def test_split_words(text: str, words: list[str]) -> None:
    assert split_words(text, WORDS_ENV) == words


def test_split_words_error() -> None:
    with pytest.raises(ExpansionError):
        split_words('hello" there', WORDS_ENV)


@pytest.mark.parametrize(
    ("options", "text", "words"),
    [
        ({"raw_quotes": True}, "a 'b c' \"d\"", ["a", "'b c'", '"d"']),
        ({"raw_escapes": True}, "a\\ b", ["a\\ b"]),
        ({"skip_unset_env": True}, "$X ${Y} ${Z:-w} $PWD", ["$X", "${Y}", "${Z:-w}", "/home"]),
        ({"skip_process_quotes": True}, "'a b'", ["'a", "b'"]),
        ({}, "<< EOF", ["<< EOF"]),
    ],
)
def test_lexer_options(options: dict[str, bool], text: str, words: list[str]) -> None:
    assert ShellLexer(**options).process_words(text, ENV) == words


def test_expansion_is_frozen() -> None:
    result = expand("$PWD", ENV)
    assert result == Expansion("/home", (), ())
    with pytest.raises(AttributeError):
        result.value = "x"  # type: ignore[misc]


# -- nesting (issue 22.9): a located error, never a RecursionError ------------------------------


def _nested(depth: int, inner: str = "1") -> str:
    return "${X:-" * depth + inner + "}" * depth


def test_nesting_up_to_the_limit_expands() -> None:
    from astro_pyenv_frontend.variables import MAX_NESTING

    assert expand(_nested(MAX_NESTING), {}).value == "1"
    assert expand('"' + _nested(MAX_NESTING, '"1"') + '"', {}).value == "1"


@pytest.mark.parametrize("depth", [65, 250, 5000])
def test_deeper_nesting_is_an_expansion_error(depth: int) -> None:
    from astro_pyenv_frontend.variables import NestingError

    with pytest.raises(NestingError) as info:
        expand(_nested(depth), {})
    assert "nested more than 64 deep" in info.value.message
    with pytest.raises(NestingError):
        expand("${X/" + _nested(depth) + "/y}", {})


# -- patterns (issue 22.10): the automaton answers as BuildKit's Go regexp would, in linear time ----


def _go_regex(pattern: str, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """BuildKit's convertShellPatternToRegex, with Python's re standing in for Go's regexp (the
    same answers for these patterns; only slower, exponentially so on *a*a*a*b)."""
    out = ["^"] if anchored else []
    i = 0
    while i < len(pattern):
        tok = pattern[i]
        i += 1
        if tok == "*":
            out.append(".*" if greedy else ".*?")
        elif tok == "?":
            out.append(".")
        elif tok == "\\":
            following = pattern[i] if i < len(pattern) else ""
            if following in ("}", "/"):
                continue
            out.append("\\" + following)
            i += 1
        else:
            out.append(re.escape(tok))
    return re.compile("".join(out))


def _go_replace(regex: re.Pattern[str], value: str, replacement: str, replace_all: bool) -> str:
    """Go's Regexp.ReplaceAllString (an empty match right after a match is not replaced)."""
    out, last, position = [], 0, 0
    while position <= len(value):
        match = regex.search(value, position)
        if match is None:
            break
        start, end = match.span()
        out.append(value[last:start])
        if end > last or start == 0:
            out.append(replacement)
        last = end
        if not replace_all:
            break
        position = end if end > position else position + 1
    out.append(value[last:])
    return "".join(out)


def _bad_escape(pattern: str) -> bool:
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            if pattern[i + 1 : i + 2] not in ("*", "?", "\\", "}", "/"):
                return True
            i += 1
        i += 1
    return False


PATTERNS = st.text(alphabet="ab*?\\}/\n", max_size=7)
VALUES = st.text(alphabet="ab*?/\\\n", max_size=10)


@settings(max_examples=2000, deadline=None)
@given(PATTERNS, VALUES, st.sampled_from(["#", "##", "%", "%%", "/", "//"]))
def test_patterns_match_as_buildkits_regexps_do(pattern: str, value: str, op: str) -> None:
    """The pattern as the scanner hands it over (escapes kept), against the regexps BuildKit builds."""
    from astro_pyenv_frontend.shell_patterns import replace as _replace
    from astro_pyenv_frontend.shell_patterns import reverse_pattern as _reverse_pattern
    from astro_pyenv_frontend.shell_patterns import trim_prefix as _trim_prefix
    from astro_pyenv_frontend.shell_patterns import trim_suffix as _trim_suffix

    if _bad_escape(pattern):  # an escape BuildKit refuses: so do we
        with pytest.raises(ExpansionError):
            _trim_prefix(pattern, value, True)
        return
    if op in ("/", "//"):
        got = _replace(pattern, value, "R", op == "//")
        expected = _go_replace(_go_regex(pattern, True, False), value, "R", op == "//")
    elif op.startswith("#"):
        got = _trim_prefix(pattern, value, op == "##")
        match = _go_regex(pattern, op == "##", True).search(value)
        expected = value[match.end():] if match else value
    else:
        got = _trim_suffix(pattern, value, op == "%%")
        match = _go_regex(_reverse_pattern(pattern), op == "%%", True).search(value[::-1])
        expected = (value[::-1][match.end():] if match else value[::-1])[::-1]
    assert got == expected, (pattern, value, op)


@pytest.mark.parametrize(
    "word", ["${V##*a*a*a*a*a*a*a*a*b}", "${V%%*a*a*a*a*a*a*a*a*b}", "${V#*a*a*a*a*a*a*a*a*b}", "${V//*a*a*a*a*a*a*b/x}"]
)
def test_patterns_that_make_a_regexp_backtrack_take_linear_time(word: str) -> None:
    """Thirty thousand characters: a backtracking regexp would run for ages."""
    env = {"V": "a" * 30000}
    assert expand(word, env).value == env["V"]
