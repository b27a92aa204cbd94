"""One cursor over a line's text, and the word splitters of BuildKit's Dockerfile parser on it.

Every module that reads words or characters of a Dockerfile line goes through here: the lexer
(keywords, flags), the typed instructions (FROM, ARG, ENV), PYENV, the shell lexer of
:mod:`.variables` and its patterns, and the ONBUILD triggers of base images.  The rules are
BuildKit's (``frontend/dockerfile/parser/split_command.go``, ``line_parsers.go``,
``shell/lex.go``); the white space classes are :mod:`.go_text`'s.

* :class:`Cursor`: a position in a text that knows the escape character (``\\`` or the backtick
  of ``# escape=``) and quotes; :meth:`Cursor.read_word` reads one word up to an unquoted Go
  space, in BuildKit's two ways (quotes and escapes kept, as ``parseWords``; or removed, as
  ``extractBuilderFlags``).
* :func:`split_command`: a logical line's keyword and arguments (``splitCommand``).
* :func:`split_flags`: the leading ``--flag`` words (``extractBuilderFlags``).  BuildKit walks
  bytes there; we walk code points, which differs only for non-ASCII text inside flags (BuildKit
  reads each byte of it as a character of its own).
* :func:`parse_words`: words keeping quotes and escapes (``parseWords``: ARG, ENV, LABEL, PYENV).
* :func:`blank_fields`: the parser's plain split on ``[\\t\\v\\f\\r ]`` (FROM, COPY, ENV's legacy form).
"""

from __future__ import annotations

import re

from .go_text import GO_SPACE_CLASS, GO_SPACES, PARSER_BLANK_CLASS, go_is_space

__all__ = [
    "EOF",
    "Cursor",
    "blank_fields",
    "lstrip_space",
    "parse_words",
    "split_command",
    "split_flags",
    "strip_space",
]

EOF = ""  # what the cursor reads past the end of its text
_BLANKS_RE = re.compile(PARSER_BLANK_CLASS + "+")
_GO_SPACE_RE = re.compile(GO_SPACE_CLASS + "+")
_QUOTES = "'\""


def strip_space(text: str) -> str:
    """Go's ``strings.TrimSpace``."""
    return text.strip(GO_SPACES)


def lstrip_space(text: str) -> str:
    """Go's ``strings.TrimLeftFunc(text, unicode.IsSpace)``."""
    return text.lstrip(GO_SPACES)


def blank_fields(text: str, maxsplit: int = 0) -> list[str]:
    """``text`` split on the parser's ``reWhitespace`` (``[\\t\\v\\f\\r ]+``), as Go's
    ``Regexp.Split`` does it (a leading blank gives an empty first field)."""
    return _BLANKS_RE.split(text, maxsplit=maxsplit)


class Cursor:
    """A position in ``text``, which reads it one character at a time; ``escape`` is the
    Dockerfile's escape character."""

    __slots__ = ("escape", "pos", "text")

    def __init__(self, text: str, escape: str = "\\") -> None:
        self.text = text
        self.pos = 0
        self.escape = escape

    @property
    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        """The character at the cursor (:data:`EOF` at the end)."""
        return self.text[self.pos] if self.pos < len(self.text) else EOF

    def next(self) -> str:
        """The character at the cursor, moving past it (:data:`EOF` at the end)."""
        if self.pos < len(self.text):
            self.pos += 1
            return self.text[self.pos - 1]
        return EOF

    def startswith(self, prefix: str) -> bool:
        return self.text.startswith(prefix, self.pos)

    def rest(self) -> str:
        return self.text[self.pos :]

    def skip_spaces(self) -> None:
        """Move past Go spaces (``unicode.IsSpace``)."""
        while self.pos < len(self.text) and go_is_space(self.text[self.pos]):
            self.pos += 1

    def read_word(self, raw: bool) -> tuple[str, bool]:
        """The word at the cursor, up to a Go space outside quotes (the cursor stops on it), and
        whether it had quotes (an empty quoted word still counts as a word).

        ``raw``: quotes and escape characters are kept and the escape character is literal inside
        single quotes (``parseWords``); else both are removed and the escape character escapes
        inside either quote (``extractBuilderFlags``).  An escape character at the very end is
        dropped either way.
        """
        out: list[str] = []
        quote = ""
        quoted = False
        text, escape = self.text, self.escape
        while self.pos < len(text):
            ch = text[self.pos]
            if not quote and go_is_space(ch):
                break
            self.pos += 1
            if ch == quote or (not quote and ch in _QUOTES):
                quote = "" if quote else ch
                quoted = True
                if raw:
                    out.append(ch)
                continue
            if ch == escape and not (raw and quote == "'"):
                if self.pos == len(text):
                    break  # dropped at the end
                if raw:
                    out.append(ch)
                ch = text[self.pos]
                self.pos += 1
            out.append(ch)
        return "".join(out), quoted


def split_command(line: str) -> tuple[str, str]:
    """A logical line's keyword (as written) and arguments (flags included), as BuildKit's
    ``splitCommand`` splits them: trimmed of Go spaces, split once on ``reWhitespace``."""
    parts = blank_fields(strip_space(line), maxsplit=1)
    return parts[0], (strip_space(parts[1]) if len(parts) == 2 else "")


def split_flags(args: str, escape: str) -> tuple[tuple[str, ...], str]:
    """Split leading ``--flag`` words off ``args`` (BuildKit's ``extractBuilderFlags``).

    Flag words have quotes and escapes removed; a bare ``--`` ends the flags.  Returns the flag
    words and the remaining text, stripped (a suffix of ``args`` when ``args`` is stripped).
    """
    flags: list[str] = []
    cursor = Cursor(args, escape)
    while True:
        cursor.skip_spaces()
        if cursor.at_end or not cursor.startswith("--"):
            return tuple(flags), strip_space(cursor.rest())
        word, quoted = cursor.read_word(raw=False)
        if word == "--" and not cursor.at_end:
            return tuple(flags), strip_space(cursor.rest())
        if word != "--" and (word or quoted):
            flags.append(word)


def parse_words(rest: str, escape: str) -> list[str]:
    """Split on Go spaces outside quotes, keeping quotes and escapes (BuildKit's ``parseWords``);
    each word is then expanded on its own."""
    if not any(special in rest for special in ("'", '"', escape)):
        # Without quotes or escapes the cursor only splits on Go's spaces.
        return [word for word in _GO_SPACE_RE.split(rest) if word]
    return _read_words(rest, escape)


def _read_words(rest: str, escape: str) -> list[str]:
    words: list[str] = []
    cursor = Cursor(rest, escape)
    while True:
        cursor.skip_spaces()
        if cursor.at_end:
            return words
        word, quoted = cursor.read_word(raw=True)
        if word or quoted:
            words.append(word)
