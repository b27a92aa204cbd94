"""What :func:`.lexer.lex` returns: instructions and trivia, each with its lines and raw text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

__all__ = ["Directives", "Heredoc", "Instruction", "Item", "LexedDockerfile", "Trivia"]


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


@dataclass(frozen=True)
class LexedDockerfile:
    directives: Directives
    directive_lines: tuple[int, ...]
    items: tuple[Item, ...]
    syntax_line: int | None = None  # the line of the ``# syntax=`` directive in force
