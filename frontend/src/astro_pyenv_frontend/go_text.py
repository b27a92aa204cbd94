"""Go's character classes, as BuildKit's Go code sees characters (not Python's ``str`` methods).

BuildKit's Dockerfile code uses three classes of white space, each named here once:

* Go's ``unicode.IsSpace`` (:data:`GO_SPACES`, :func:`go_is_space`): ``strings.TrimSpace``, the
  words of ``parseWords`` and ``extractBuilderFlags``, comment lines, the shell lexer's words;
* the parser's ``reWhitespace``, ``[\\t\\v\\f\\r ]`` (:data:`PARSER_BLANKS`): the keyword split of
  ``splitCommand``, ``FROM``'s and ``COPY``'s words, ``ENV``'s legacy ``ENV <key> <value>``;
* Go regexp's ``\\s``, ``[\\t\\n\\f\\r ]`` (:data:`RE2_SPACE`): around ``=`` in a parser directive
  and after ``<<`` in a heredoc word;

and the shell lexer's ``isWhitespace``, ``\\t``, ``\\r`` and space (:data:`SHELL_BLANKS`), after
``<<``.
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "GO_SPACES",
    "GO_SPACE_CLASS",
    "PARSER_BLANKS",
    "PARSER_BLANK_CLASS",
    "RE2_SPACE",
    "RE2_SPACE_CLASS",
    "SHELL_BLANKS",
    "go_is_digit",
    "go_is_letter",
    "go_is_space",
]

# Go's unicode.IsSpace: ASCII space characters, U+0085, U+00A0 and the Unicode Zs/Zl/Zp code points.
GO_SPACE_CLASS = "[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# The same characters as a string, for str.strip() (much faster than a regex anchored at the end).
GO_SPACES = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
# BuildKit's parser's reWhitespace.
PARSER_BLANKS = "\t\v\f\r "
PARSER_BLANK_CLASS = "[\t\v\f\r ]"
# Go regexp's \s (RE2's perl class: no \v).
RE2_SPACE = "\t\n\f\r "
RE2_SPACE_CLASS = "[\t\n\f\r ]"
# The shell lexer's isWhitespace.
SHELL_BLANKS = "\t\r "


def go_is_space(ch: str) -> bool:
    """Go's ``unicode.IsSpace`` (Python's ``str.isspace`` also accepts U+001C..U+001F)."""
    if ch in "\t\n\v\f\r \x85\xa0":
        return True
    if ord(ch) < 0x100:
        return False
    return unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def go_is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def go_is_digit(ch: str) -> bool:
    return unicodedata.category(ch) == "Nd"
