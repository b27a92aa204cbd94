"""The errors of variable expansion (:mod:`.variables`), apart so that its helpers raise them too."""

from __future__ import annotations

__all__ = ["MAX_NESTING", "ExpansionError", "NestingError", "msg_nesting"]

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
