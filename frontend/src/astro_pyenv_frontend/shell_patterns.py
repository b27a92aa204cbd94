"""The patterns of ``${NAME#pat}``, ``${NAME%pat}`` and ``${NAME/pat/repl}``, as BuildKit matches them.

Called by :mod:`.variables` with the pattern as its scanner hands it over (escapes kept).
"""

from __future__ import annotations

from typing import Union

from .expansion_errors import ExpansionError
from .word_cursor import Cursor

__all__ = ["replace", "reverse_pattern", "trim_prefix", "trim_suffix"]

_ESCAPE = "\\"  # a pattern's escape character, whatever the Dockerfile's (BuildKit's too)
_STAR = "*"  # glob tokens: a one-character string is that literal character
_ANY = "?"
_STAR_TOKEN = ("*",)
_ANY_TOKEN = ("?",)
_Token = Union[str, tuple[str]]


def _glob_tokens(pattern: str) -> list[_Token]:
    """``*`` and ``?`` wildcards (no bracket expressions), as BuildKit supports; ``\\*``, ``\\?``
    and ``\\\\`` are literal, ``\\}`` and ``\\/`` drop the backslash.  Runs of ``*`` are one."""
    out: list[_Token] = []
    cursor = Cursor(pattern, _ESCAPE)
    while not cursor.at_end:
        tok = cursor.next()
        if tok == _STAR:
            if not out or out[-1] != _STAR_TOKEN:
                out.append(_STAR_TOKEN)
        elif tok == _ANY:
            out.append(_ANY_TOKEN)
        elif tok != _ESCAPE:
            out.append(tok)
        elif cursor.peek() not in ("}", "/"):
            following = cursor.next()
            if following not in ("*", "?", "\\"):
                raise ExpansionError(f"invalid pattern ({pattern}) in substitution: invalid escape '\\{following}'")
            out.append(following)
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
    backward = _Glob(_glob_tokens(reverse_pattern(pattern)))
    starts = [False] * (len(value) + 1)
    states = backward.start
    starts[len(value)] = bool(states & backward.accept)
    for at in range(len(value) - 1, -1, -1):
        states = backward.step(states, value[at]) | backward.start
        starts[at] = bool(states & backward.accept)
    return starts


def replace(pattern: str, value: str, replacement: str, replace_all: bool) -> str:
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


def trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    end = _Glob(_glob_tokens(pattern)).match_end(value, 0, longest=greedy)
    return value[end:] if end is not None else value


def reverse_pattern(pattern: str) -> str:
    """Reverse a pattern keeping ``\\x`` escapes in order (``a\\*c`` -> ``c\\*a``)."""
    tokens: list[str] = []
    cursor = Cursor(pattern, _ESCAPE)
    while not cursor.at_end:
        tok = cursor.next()
        tokens.append(tok + cursor.next() if tok == _ESCAPE else tok)
    return "".join(reversed(tokens))


def trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    # The suffix of the value is a prefix of it reversed, for the reversed pattern.
    return trim_prefix(reverse_pattern(pattern), value[::-1], greedy)[::-1]
