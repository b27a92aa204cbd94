"""Parser directives (``# syntax=``, ``# escape=``, ``# check=``) as BuildKit's parser reads them.

They count only before the first line that is not a directive; keys are case-insensitive, a
repeated or invalid one is ignored (the first occurrence wins).  BuildKit stops at the first key
it does not know, such as our ``# astro-pyenv-syntax=`` (:mod:`.syntax_directive`): the lines
shaped like a directive at the top of the file are read here too, once, for that reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .go_text import RE2_SPACE, RE2_SPACE_CLASS
from .word_cursor import lstrip_space

__all__ = ["DirectiveLine", "DirectiveParser", "directive", "directive_shape"]

# A key as BuildKit's pattern reads it, with "-" too (ours has one; BuildKit's keys do not).
_SHAPE_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)" + RE2_SPACE_CLASS + "*=")
_VALID_DIRECTIVES = ("syntax", "escape", "check")


@dataclass(frozen=True)
class DirectiveLine:
    """A line shaped like a parser directive at the top of the file: its number, its key (lower
    case) and its value without the space around it ("" when there is none)."""

    line: int
    key: str
    value: str


def directive_shape(token: str) -> tuple[str, str] | None:
    """(key as written, the text after ``=``) of a line (leading space trimmed) shaped like a
    parser directive: ``#``, Go space, a key of letters, digits and ``-``, space, ``=``."""
    return _key_and_rest(lstrip_space(token[1:])) if token.startswith("#") else None


def _key_and_rest(text: str) -> tuple[str, str] | None:
    match = _SHAPE_RE.match(text)
    return (match.group(1), text[match.end() :]) if match is not None else None


def directive(text: str) -> tuple[str, str] | None:
    """(key, value) of a parser directive's text after ``#`` (leading space trimmed), as BuildKit's
    ``key = value`` pattern reads it, ``(.+?)[ ]*$`` included: the value without the space around
    it, or the last space character when there is nothing else.  Scanned once, in linear time (the
    pattern backtracked quadratically over a long run of spaces)."""
    shaped = _key_and_rest(text)
    if shaped is None or "-" in shaped[0]:
        return None
    key, rest = shaped
    value = rest.strip(RE2_SPACE)
    if not value:
        if not rest:
            return None
        value = rest[-1]
    return key, value


class DirectiveParser:
    """Reads the parser directives at the top of a Dockerfile, one line at a time, as BuildKit does,
    and the lines shaped like one there (:attr:`block`), up to the first that is not."""

    def __init__(self) -> None:
        self.done = False
        self.seen: set[str] = set()
        self.values: dict[str, str] = {}
        self.key = ""  # the key of the last directive line, taken or not (repeated, invalid)
        self.block: list[DirectiveLine] = []
        self.block_done = False

    def parse(self, token: str, line: int) -> bool:
        """Feed one line (newline and leading space trimmed); True if a directive BuildKit reads."""
        self._shape(token, line)
        self.key = ""
        if self.done:
            return False
        found = directive(lstrip_space(token[1:])) if token.startswith("#") else None
        if found is None or found[0].lower() not in _VALID_DIRECTIVES:
            self.done = True
            return False
        key, value = found[0].lower(), found[1]
        self.key = key
        if key in self.seen:
            return True  # BuildKit: "only one <key> parser directive can be used"
        self.seen.add(key)
        if key == "escape" and value not in ("\\", "`"):
            return True  # BuildKit: "invalid escape token"
        self.values[key] = value
        return True

    def _shape(self, token: str, line: int) -> None:
        if self.block_done:
            return
        shaped = directive_shape(token)
        if shaped is None:
            self.block_done = True
            return
        self.block.append(DirectiveLine(line, shaped[0].lower(), shaped[1].strip(RE2_SPACE)))
