"""What :func:`.lexer.lex` returns: instructions and trivia, each with its lines and raw text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union

from .parser_directives import DirectiveLine

__all__ = ["DirectiveLine", "Directives", "Heredoc", "Instruction", "Item", "LexedDockerfile", "Trivia"]


@dataclass(frozen=True)
class Directives:
    """Parser directives found at the top of the file.

    ``syntax`` is the whole value (``docker/dockerfile:1 x`` stays as written).
    """

    syntax: str | None = None
    escape: str = "\\"
    check: str | None = None


@dataclass(frozen=True)
class Heredoc:
    """One here-document attached to an instruction.

    ``content`` is the body exactly as written, line terminators included and
    leading tabs *not* removed even when ``chomp`` is set (BuildKit chomps
    later, when running the instruction).
    """

    name: str
    expand: bool
    chomp: bool
    content: str
    terminated: bool = True


@dataclass(frozen=True)
class Instruction:
    """One instruction; ``problem`` says why the lexer may have split it otherwise than BuildKit
    (a heredoc name it could not read: see :data:`.variables.MAX_NESTING`), else it is empty."""

    keyword: str
    start_line: int
    end_line: int
    raw: str
    args: str
    heredocs: tuple[Heredoc, ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class Trivia:
    """One blank, comment or parser-directive line."""

    start_line: int
    end_line: int
    raw: str


Item = Union[Instruction, Trivia]

# Our instruction's keyword, as the lexer normalises keywords (see :func:`is_pyenv`).
PYENV = "PYENV"


def is_pyenv(item: Item) -> bool:
    """Whether ``item`` is a PYENV instruction (any letter case, as BuildKit reads keywords)."""
    return isinstance(item, Instruction) and item.keyword == PYENV


@dataclass(frozen=True)
class LexedDockerfile:
    directives: Directives
    directive_lines: tuple[int, ...]
    items: tuple[Item, ...]
    # The parser directives' lines by key (lower case), the one in force first; repeated ones
    # (ignored, as BuildKit does) after it.  Read here, not again from the text.
    directive_keys: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    # The lines shaped like a parser directive at the top of the file, up to the first that is not,
    # BuildKit's or not (it stops reading at a key it does not know, such as ours).
    directive_block: tuple[DirectiveLine, ...] = ()

    @property
    def syntax_line(self) -> int | None:
        """The line of the ``# syntax=`` directive in force."""
        lines = self.directive_keys.get("syntax", ())
        return lines[0] if lines else None
