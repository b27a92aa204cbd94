"""Dockerfile word expansion, following BuildKit's shell lexer.

BuildKit expands ``$VAR`` / ``${VAR...}`` in instruction arguments with its own
small shell-like lexer (``frontend/dockerfile/shell/lex.go``), *not* with a
real shell.  This module reproduces that behaviour for one word or line:

* ``$NAME``, ``${NAME}``; ``${NAME:-word}``, ``${NAME-word}``,
  ``${NAME:+word}``, ``${NAME+word}``, ``${NAME:?msg}``, ``${NAME?msg}``;
  ``${NAME#pat}``, ``${NAME##pat}``, ``${NAME%pat}``, ``${NAME%%pat}`` and
  ``${NAME/pat/repl}``, ``${NAME//pat/repl}``;
* the escape character (``\\`` or the backtick chosen by ``# escape=``)
  escapes the next character;
* single quotes keep everything literal, double quotes still expand ``$``;
  quotes are removed from the result.

Known, deliberate differences from BuildKit (all on malformed input):

* ``${NAME`` at the end of the text reports "syntax error: missing '}'" where
  BuildKit reports an unsupported modifier with a replacement character;
* the replacement of ``${NAME/pat/repl}`` is literal (Go would interpret
  ``$`` in it as a regexp template);
* ``${A:-${B:-...}}`` nested more than :data:`MAX_NESTING` deep is a
  :class:`NestingError` (the scanner recurses per level).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable, Union

__all__ = [
    "MAX_NESTING",
    "Expansion",
    "ExpansionError",
    "NestingError",
    "ShellLexer",
    "expand",
    "go_is_space",
    "split_words",
]

_EOF = ""  # sentinel returned by the scanner at the end of the text
_SPECIAL_PARAMS = frozenset("@*#?-$!0")
#: Deepest nesting of ``${NAME<op>...}`` read: the scanner recurses per level (BuildKit's, in Go,
#: has no limit), and Python's stack does not take thousands of levels.
MAX_NESTING = 64


class ExpansionError(ValueError):
    """Malformed variable reference (the caller adds the line number)."""

    def __init__(self, message: str, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.text = text


class NestingError(ExpansionError):
    """References nested deeper than :data:`MAX_NESTING`: text BuildKit may read, which we refuse."""


def msg_nesting() -> str:
    return f"variable references are nested more than {MAX_NESTING} deep (${{A:-${{B:-...}}}}); nest fewer"


@dataclass(frozen=True)
class Expansion:
    """Result of expanding one word.

    ``unset`` lists every variable that was looked up but not set, as
    BuildKit's "unmatched" set does (``${X:-default}`` with X unset counts).
    ``unset_substituted`` is the subset that was replaced by the empty string
    because it was written as plain ``$X`` / ``${X}`` -- the references a
    caller may want to report as mistakes.
    """

    value: str
    unset: tuple[str, ...] = ()
    unset_substituted: tuple[str, ...] = ()


# Go's unicode.IsSpace: ASCII space characters, U+0085, U+00A0 and the Unicode Zs/Zl/Zp code points.
GO_SPACE_CLASS = "[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# The same characters as a string, for str.strip() (much faster than a regex anchored at the end).
GO_SPACES = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


def go_is_space(ch: str) -> bool:
    """Go's ``unicode.IsSpace`` (Python's ``str.isspace`` also accepts U+001C..U+001F)."""
    if ch in "\t\n\v\f\r \x85\xa0":
        return True
    if ord(ch) < 0x100:
        return False
    return unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def _is_digit(ch: str) -> bool:
    return unicodedata.category(ch) == "Nd"


class _Words:
    """Word splitter fed while scanning (BuildKit's ``wordsStruct``)."""

    def __init__(self, buf: list[str]) -> None:
        self.buf = buf
        self.words: list[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if go_is_space(ch):
            if self.in_word and self.buf:
                self.words.append("".join(self.buf))
                self.buf.clear()
                self.in_word = False
        else:
            self.add_raw_char(ch)

    def add_raw_char(self, ch: str) -> None:
        self.buf.append(ch)
        self.in_word = True

    def add_string(self, text: str) -> None:
        for ch in text:
            self.add_char(ch)

    def add_raw_string(self, text: str) -> None:
        if text:
            self.buf.append(text)
        self.in_word = True

    def get_words(self) -> list[str]:
        if self.buf:
            self.words.append("".join(self.buf))
            self.buf.clear()
            self.in_word = False
        return self.words


class _Run:
    """State of one expansion run over one text."""

    def __init__(self, lexer: ShellLexer, text: str, env: Mapping[str, str]) -> None:
        self.lexer = lexer
        self.text = text
        self.pos = 0
        self.env = env
        self.raw_escapes = lexer.raw_escapes
        self.unset: dict[str, None] = {}
        self.unset_substituted: dict[str, None] = {}
        self.depth = 0  # nesting of ${...} being read
        # BuildKit shares one word buffer between nested scans; a nested
        # ``${X:-...}`` therefore resets the outer word.  Reproduced on purpose.
        self.shared_buf: list[str] = []

    # -- scanner ---------------------------------------------------------
    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else _EOF

    def next(self) -> str:
        if self.pos < len(self.text):
            ch = self.text[self.pos]
            self.pos += 1
            return ch
        return _EOF

    # -- environment -----------------------------------------------------
    def get_env(self, name: str) -> tuple[str, bool]:
        if name in self.env:
            return self.env[name], True
        self.unset[name] = None
        return "", False

    # -- scanning --------------------------------------------------------
    def process_stop_on(self, stop: str, raw_escapes: bool) -> tuple[str, list[str]]:
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        try:
            return self._process_stop_on(stop)
        finally:
            self.raw_escapes = saved

    def _process_stop_on(self, stop: str) -> tuple[str, list[str]]:
        lexer = self.lexer
        result: list[str] = []
        self.shared_buf.clear()
        words = _Words(self.shared_buf)
        handlers: dict[str, Callable[[], str]] = {"$": self.process_dollar, "<": self.process_possible_heredoc}
        if not lexer.skip_process_quotes:
            handlers["'"] = self.process_single_quote
            handlers['"'] = self.process_double_quote
        while self.peek() != _EOF:
            ch = self.peek()
            if stop and ch == stop:
                self.next()
                return "".join(result), words.get_words()
            handler = handlers.get(ch)
            if handler is not None:
                tmp = handler()
                result.append(tmp)
                if ch == "$":
                    words.add_string(tmp)
                else:
                    words.add_raw_string(tmp)
                continue
            ch = self.next()
            if ch == lexer.escape:
                if self.raw_escapes:
                    words.add_raw_char(ch)
                    result.append(ch)
                ch = self.next()
                if ch == _EOF:
                    break
                words.add_raw_char(ch)
            else:
                words.add_char(ch)
            result.append(ch)
        if stop:
            raise ExpansionError(f"unexpected end of statement while looking for matching {stop}", self.text)
        return "".join(result), words.get_words()

    def process_single_quote(self) -> str:
        result: list[str] = []
        ch = self.next()
        if self.lexer.raw_quotes:
            result.append(ch)
        while True:
            ch = self.next()
            if ch == _EOF:
                raise ExpansionError(
                    "unexpected end of statement while looking for matching single-quote", self.text
                )
            if ch == "'":
                if self.lexer.raw_quotes:
                    result.append(ch)
                return "".join(result)
            result.append(ch)

    def process_double_quote(self) -> str:
        escape = self.lexer.escape
        result: list[str] = []
        ch = self.next()
        if self.lexer.raw_quotes:
            result.append(ch)
        while True:
            peeked = self.peek()
            if peeked == _EOF:
                raise ExpansionError(
                    "unexpected end of statement while looking for matching double-quote", self.text
                )
            if peeked == '"':
                ch = self.next()
                if self.lexer.raw_quotes:
                    result.append(ch)
                return "".join(result)
            if peeked == "$":
                result.append(self.process_dollar())
                continue
            ch = self.next()
            if ch == escape:
                if self.raw_escapes:
                    result.append(ch)
                following = self.peek()
                if following == _EOF:
                    continue  # the loop reports the missing quote
                if following in ('"', "$", escape):
                    ch = self.next()
            result.append(ch)

    def process_possible_heredoc(self) -> str:
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        space: list[str] = []
        while self.peek() != _EOF and self.peek() in "\t\r ":
            space.append(self.next())
        return "<<" + "".join(space)

    def process_name(self) -> str:
        name: list[str] = []
        while self.peek() != _EOF:
            ch = self.peek()
            if not name and _is_digit(ch):
                while self.peek() != _EOF and _is_digit(self.peek()):
                    name.append(self.next())
                return "".join(name)
            if not name and ch in _SPECIAL_PARAMS:
                return self.next()
            if not (_is_letter(ch) or _is_digit(ch) or ch == "_"):
                break
            name.append(self.next())
        return "".join(name)

    def _stop_on_brace(self, stop: str, raw_escapes: bool, missing: str) -> str:
        if self.depth >= MAX_NESTING:
            raise NestingError(msg_nesting(), self.text)
        self.depth += 1
        try:
            word, _ = self.process_stop_on(stop, raw_escapes)
        except NestingError:
            raise
        except ExpansionError:
            if self.peek() == _EOF:
                raise ExpansionError(missing, self.text) from None
            raise
        finally:
            self.depth -= 1
        return word

    def process_dollar(self) -> str:
        skip_unset = self.lexer.skip_unset_env
        self.next()  # the "$"
        if self.peek() != "{":
            name = self.process_name()
            if not name:
                return "$"
            value, found = self.get_env(name)
            if not found:
                self.unset_substituted[name] = None
                if skip_unset:
                    return "$" + name
            return value

        self.next()  # the "{"
        peeked = self.peek()
        if peeked == _EOF:
            raise ExpansionError("syntax error: missing '}'", self.text)
        if peeked in "{}:":
            raise ExpansionError("syntax error: bad substitution", self.text)
        name = self.process_name()
        ch = self.next()
        if ch == _EOF:
            raise ExpansionError("syntax error: missing '}'", self.text)
        modifier = ch
        null_is_unset = False

        if ch == "}":
            value, found = self.get_env(name)
            if not found:
                self.unset_substituted[name] = None
                if skip_unset:
                    return "${" + name + "}"
            return value

        if ch == "/":
            return self._substitute(name)

        if ch == ":":
            null_is_unset = True
            ch = self.next()
            modifier += ch
        if ch not in ("+", "-", "?", "#", "%") and not null_is_unset:
            raise ExpansionError(f"unsupported modifier ({modifier}) in substitution", self.text)

        pattern_like = ch in ("#", "%")
        if null_is_unset and pattern_like:
            raise ExpansionError(f"unsupported modifier ({modifier}) in substitution", self.text)
        word = self._stop_on_brace("}", pattern_like, "syntax error: missing '}'")

        value, found = self.get_env(name)
        if skip_unset and not found:
            return "${" + name + modifier + word + "}"
        empty_or_unset = not found or (null_is_unset and value == "")
        if ch == "-":
            return word if empty_or_unset else value
        if ch == "+":
            return "" if empty_or_unset else word
        if ch == "?":
            if not found:
                raise ExpansionError(f"{name}: {word or 'is not allowed to be unset'}", self.text)
            if null_is_unset and value == "":
                raise ExpansionError(f"{name}: {word or 'is not allowed to be empty'}", self.text)
            return value
        if ch in ("#", "%"):
            greedy = word.startswith(ch)
            if greedy:
                word = word[1:]
            if ch == "%":
                return _trim_suffix(word, value, greedy)
            return _trim_prefix(word, value, greedy)
        raise ExpansionError(f"unsupported modifier ({modifier}) in substitution", self.text)

    def _substitute(self, name: str) -> str:
        replace_all = self.peek() == "/"
        if replace_all:
            self.next()
        pattern = self._stop_on_brace("/", True, "syntax error: missing '/' in ${}")
        replacement = self._stop_on_brace("}", True, "syntax error: missing '}'")
        value, found = self.get_env(name)
        if self.lexer.skip_unset_env and not found:
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        return _replace(pattern, value, replacement, replace_all)


_STAR = "*"  # glob tokens: a one-character string is that literal character
_ANY = "?"
_STAR_TOKEN = ("*",)
_ANY_TOKEN = ("?",)
_Token = Union[str, tuple[str]]


def _glob_tokens(pattern: str) -> list[_Token]:
    """``*`` and ``?`` wildcards (no bracket expressions), as BuildKit supports; ``\\*``, ``\\?``
    and ``\\\\`` are literal, ``\\}`` and ``\\/`` drop the backslash.  Runs of ``*`` are one."""
    out: list[_Token] = []
    i = 0
    while i < len(pattern):
        tok = pattern[i]
        i += 1
        if tok == _STAR:
            if not out or out[-1] != _STAR_TOKEN:
                out.append(_STAR_TOKEN)
            continue
        if tok == _ANY:
            out.append(_ANY_TOKEN)
            continue
        if tok == "\\":
            following = pattern[i] if i < len(pattern) else _EOF
            if following in ("}", "/"):
                continue
            if following not in ("*", "?", "\\"):
                raise ExpansionError(f"invalid pattern ({pattern}) in substitution: invalid escape '\\{following}'")
            out.append(following)
            i += 1
            continue
        out.append(tok)
    return out


class _Glob:
    """A pattern's automaton, its states as the bits of an int (bit i: the first i tokens matched).

    BuildKit turns a pattern into a Go regexp (``*`` as ``.*`` or ``.*?``, ``?`` as ``.``, so
    neither crosses a newline), which runs in time linear in the value; a backtracking regex takes
    exponential time on ``*a*a*a*b``.  Simulating the automaton gives the same answers in linear
    time: for these patterns the lazy (greedy) leftmost match is the shortest (longest) one.
    """

    def __init__(self, tokens: list[_Token]) -> None:
        self.accept = 1 << len(tokens)
        self.star = sum(1 << n for n, token in enumerate(tokens) if token == _STAR_TOKEN)
        self.any = sum(1 << n for n, token in enumerate(tokens) if token == _ANY_TOKEN)
        self.literal: dict[str, int] = {}
        for n, token in enumerate(tokens):
            if isinstance(token, str):
                self.literal[token] = self.literal.get(token, 0) | 1 << n
        self.start = self._closure(1)

    def _closure(self, states: int) -> int:
        return states | (states & self.star) << 1  # a star matches nothing too (runs are one star)

    def step(self, states: int, ch: str) -> int:
        if ch == "\n":  # Go's "." does not match a newline
            return self._closure((states & self.literal.get(ch, 0)) << 1)
        moved = (states & (self.literal.get(ch, 0) | self.any)) << 1
        return self._closure(moved | (states & self.star))

    def match_end(self, value: str, start: int, longest: bool) -> int | None:
        """The end of the shortest (or longest) match of the whole pattern at ``value[start:]``."""
        states = self.start
        found = start if states & self.accept else None
        if found is not None and not longest:
            return found
        for at in range(start, len(value)):
            states = self.step(states, value[at])
            if not states:
                break
            if states & self.accept:
                found = at + 1
                if not longest:
                    break
        return found


def _match_starts(pattern: str, value: str) -> list[bool]:
    """For each position of ``value`` (and its end), whether a match of ``pattern`` starts there:
    the reversed pattern's automaton, run from the end with a start at every position."""
    backward = _Glob(_glob_tokens(_reverse_pattern(pattern)))
    starts = [False] * (len(value) + 1)
    states = backward.start
    starts[len(value)] = bool(states & backward.accept)
    for at in range(len(value) - 1, -1, -1):
        states = backward.step(states, value[at]) | backward.start
        starts[at] = bool(states & backward.accept)
    return starts


def _replace(pattern: str, value: str, replacement: str, replace_all: bool) -> str:
    """``${NAME/pattern/replacement}`` (``//``: every match), as Go's regexp replaces: leftmost
    matches, each the longest there; an empty match right after a match is not replaced."""
    forward = _Glob(_glob_tokens(pattern))
    starts = _match_starts(pattern, value)
    out: list[str] = []
    last_end = 0
    position = 0
    while position <= len(value):
        start = next((at for at in range(position, len(value) + 1) if starts[at]), None)
        if start is None:
            break
        end = forward.match_end(value, start, longest=True)
        assert end is not None  # a match starts there
        out.append(value[last_end:start])
        if end > last_end or start == 0:
            out.append(replacement)
        last_end = end
        if not replace_all:
            break
        position = end if end > position else position + 1
    out.append(value[last_end:])
    return "".join(out)


def _trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    end = _Glob(_glob_tokens(pattern)).match_end(value, 0, longest=greedy)
    return value[end:] if end is not None else value


def _reverse_pattern(pattern: str) -> str:
    """Reverse a pattern keeping ``\\x`` escapes in order (``a\\*c`` -> ``c\\*a``)."""
    out = [""] * len(pattern)
    last = len(pattern) - 1
    i = 0
    while i <= last:
        tok = pattern[i]
        j = last - i
        if tok == "\\" and i != last:
            out[j - 1] = tok
            out[j] = pattern[i + 1]
            i += 2
        else:
            out[j] = tok
            i += 1
    return "".join(out)


def _trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    # The suffix of the value is a prefix of it reversed, for the reversed pattern.
    return _trim_prefix(_reverse_pattern(pattern), value[::-1], greedy)[::-1]


@dataclass(frozen=True)
class ShellLexer:
    """BuildKit's ``shell.Lex`` with its option switches.

    ``raw_quotes`` keeps quote characters in the output, ``raw_escapes`` keeps
    escape characters, ``skip_unset_env`` leaves references to unset variables
    as written, ``skip_process_quotes`` treats quotes as ordinary characters.
    """

    escape: str = "\\"
    raw_quotes: bool = False
    raw_escapes: bool = False
    skip_unset_env: bool = False
    skip_process_quotes: bool = False

    def process_word(self, text: str, env: Mapping[str, str]) -> Expansion:
        if not any(special in text for special in ("$", "'", '"', self.escape)):
            return Expansion(text)  # nothing to expand, unquote or unescape
        run = _Run(self, text, env)
        value, _ = run.process_stop_on(_EOF, self.raw_escapes)
        return Expansion(value, tuple(run.unset), tuple(run.unset_substituted))

    def process_words(self, text: str, env: Mapping[str, str]) -> list[str]:
        run = _Run(self, text, env)
        _, words = run.process_stop_on(_EOF, self.raw_escapes)
        return words


def expand(text: str, env: Mapping[str, str], escape: str = "\\") -> Expansion:
    """Expand variables in ``text`` like BuildKit's ``ProcessWord``.

    Whitespace is kept; quotes and escape characters are removed.  Raises
    :class:`ExpansionError` for malformed ``${...}`` and unbalanced quotes.
    """
    return ShellLexer(escape).process_word(text, env)


def split_words(text: str, env: Mapping[str, str], escape: str = "\\") -> list[str]:
    """Expand then split ``text`` into words like BuildKit's ``ProcessWords``.

    Splitting happens after expansion and respects quotes: ``"a b"`` is one
    word, a value with spaces from ``$VAR`` (unquoted) becomes several words,
    and an empty quoted string yields no word (as in BuildKit).
    """
    return ShellLexer(escape).process_words(text, env)
