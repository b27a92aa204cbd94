"""Go's character classes, as BuildKit's Go code sees characters (not Python's ``str`` methods)."""

from __future__ import annotations

import unicodedata

__all__ = ["GO_SPACES", "GO_SPACE_CLASS", "go_is_digit", "go_is_letter", "go_is_space"]

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


def go_is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def go_is_digit(ch: str) -> bool:
    return unicodedata.category(ch) == "Nd"
