"""Parser directives (``# syntax=``, ``# escape=``, ``# check=``) as BuildKit's parser reads them.

They count only before the first line that is not a directive; keys are case-insensitive, a
repeated or invalid one is ignored (the first occurrence wins).
"""

from __future__ import annotations

import re

from .go_text import GO_SPACES

__all__ = ["DirectiveParser", "directive"]

_DIRECTIVE_KEY_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=")
_DIRECTIVE_SPACE = "\t\n\f\r "
_VALID_DIRECTIVES = ("syntax", "escape", "check")


def directive(text: str) -> tuple[str, str] | None:
    """(key, value) of a parser directive's text after ``#`` (leading space trimmed), as BuildKit's
    ``key = value`` pattern reads it, ``(.+?)[ ]*$`` included: the value without the space around
    it, or the last space character when there is nothing else.  Scanned once, in linear time (the
    pattern backtracked quadratically over a long run of spaces)."""
    match = _DIRECTIVE_KEY_RE.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    value = rest.lstrip(_DIRECTIVE_SPACE).rstrip(_DIRECTIVE_SPACE)
    if not value:
        if not rest:
            return None
        value = rest[-1]
    return match.group(1), value


class DirectiveParser:
    """Reads the parser directives at the top of a Dockerfile, one line at a time, as BuildKit does."""

    def __init__(self) -> None:
        self.done = False
        self.seen: set[str] = set()
        self.values: dict[str, str] = {}
        self.key = ""  # the key of the last directive line, taken or not (repeated, invalid)

    def parse(self, token: str) -> bool:
        """Feed one line (newline and leading space trimmed); True if a directive."""
        self.key = ""
        if self.done:
            return False
        if not token.startswith("#"):
            self.done = True
            return False
        found = directive(token[1:].lstrip(GO_SPACES))
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
