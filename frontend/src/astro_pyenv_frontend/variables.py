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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable

from .expansion_errors import MAX_NESTING, ExpansionError, NestingError, msg_nesting
from .go_text import SHELL_BLANKS, go_is_digit, go_is_letter, go_is_space
from .shell_patterns import replace, trim_prefix, trim_suffix
from .word_cursor import EOF as _EOF
from .word_cursor import Cursor

__all__ = [
    "MAX_NESTING",
    "Expansion",
    "ExpansionError",
    "NestingError",
    "ShellLexer",
    "expand",
    "split_words",
]

_SPECIAL_PARAMS = frozenset("@*#?-$!0")


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


class _Run(Cursor):
    """State of one expansion run over one text: the cursor (BuildKit's ``text/scanner``), and what
    the run has found."""

    def __init__(self, lexer: ShellLexer, text: str, env: Mapping[str, str]) -> None:
        super().__init__(text, lexer.escape)
        self.lexer = lexer
        self.env = env
        self.raw_escapes = lexer.raw_escapes
        self.unset: dict[str, None] = {}
        self.unset_substituted: dict[str, None] = {}
        self.depth = 0  # nesting of ${...} being read
        # BuildKit shares one word buffer between nested scans; a nested
        # ``${X:-...}`` therefore resets the outer word.  Reproduced on purpose.
        self.shared_buf: list[str] = []

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
        while self.peek() != _EOF and self.peek() in SHELL_BLANKS:
            space.append(self.next())
        return "<<" + "".join(space)

    def process_name(self) -> str:
        name: list[str] = []
        while self.peek() != _EOF:
            ch = self.peek()
            if not name and go_is_digit(ch):
                while self.peek() != _EOF and go_is_digit(self.peek()):
                    name.append(self.next())
                return "".join(name)
            if not name and ch in _SPECIAL_PARAMS:
                return self.next()
            if not (go_is_letter(ch) or go_is_digit(ch) or ch == "_"):
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
        self.next()  # the "$"
        if self.peek() == "{":
            self.next()
            return self._process_braces()
        name = self.process_name()
        if not name:
            return "$"
        return self._plain(name, "$" + name)

    def _plain(self, name: str, as_written: str) -> str:
        """``$NAME`` or ``${NAME}``: the value; unset, empty, or ``as_written`` when skipping unset ones."""
        value, found = self.get_env(name)
        if not found:
            self.unset_substituted[name] = None
            if self.lexer.skip_unset_env:
                return as_written
        return value

    def _process_braces(self) -> str:
        """``${NAME}`` or ``${NAME<modifier>word}``, after the ``${``."""
        peeked = self.peek()
        if peeked == _EOF:
            raise ExpansionError("syntax error: missing '}'", self.text)
        if peeked in "{}:":
            raise ExpansionError("syntax error: bad substitution", self.text)
        name = self.process_name()
        ch = self.next()
        if ch == _EOF:
            raise ExpansionError("syntax error: missing '}'", self.text)
        if ch == "}":
            return self._plain(name, "${" + name + "}")
        if ch == "/":
            return self._substitute(name)
        modifier = ch
        null_is_unset = ch == ":"
        if null_is_unset:
            ch = self.next()
            modifier += ch
        pattern_like = ch in ("#", "%")
        if (ch not in ("+", "-", "?", "#", "%") and not null_is_unset) or (null_is_unset and pattern_like):
            raise ExpansionError(f"unsupported modifier ({modifier}) in substitution", self.text)
        word = self._stop_on_brace("}", pattern_like, "syntax error: missing '}'")
        value, found = self.get_env(name)
        if self.lexer.skip_unset_env and not found:
            return "${" + name + modifier + word + "}"
        return _modified(name, modifier, word, value, found, self.text)

    def _substitute(self, name: str) -> str:
        replace_all = self.peek() == "/"
        if replace_all:
            self.next()
        pattern = self._stop_on_brace("/", True, "syntax error: missing '/' in ${}")
        replacement = self._stop_on_brace("}", True, "syntax error: missing '}'")
        value, found = self.get_env(name)
        if self.lexer.skip_unset_env and not found:
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        return replace(pattern, value, replacement, replace_all)


def _modified(name: str, modifier: str, word: str, value: str, found: bool, text: str) -> str:
    """``${NAME<modifier>word}`` with NAME's ``value`` (``found`` False: unset, value ""); the
    modifier is one of ``- + ? # %``, after a ``:`` for which an empty value counts as unset."""
    op = modifier[-1:]
    null_is_unset = modifier.startswith(":")
    empty_or_unset = not found or (null_is_unset and value == "")
    if op == "-":
        return word if empty_or_unset else value
    if op == "+":
        return "" if empty_or_unset else word
    if op == "?":
        if not found:
            raise ExpansionError(f"{name}: {word or 'is not allowed to be unset'}", text)
        if null_is_unset and value == "":
            raise ExpansionError(f"{name}: {word or 'is not allowed to be empty'}", text)
        return value
    if op in ("#", "%"):
        greedy = word.startswith(op)
        pattern = word[1:] if greedy else word
        return trim_suffix(pattern, value, greedy) if op == "%" else trim_prefix(pattern, value, greedy)
    raise ExpansionError(f"unsupported modifier ({modifier}) in substitution", text)


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
