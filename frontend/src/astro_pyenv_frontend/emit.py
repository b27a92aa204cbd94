"""Write a :class:`~.plan.Plan` as the plain Dockerfile, with the user's line behind each line.

Pure and deterministic: the same plan always gives the same bytes.  Generated text comes from
the package's templates (:mod:`.render`); user lines are copied byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import render
from .contract import Engine
from .lexer import Instruction, dockerfile_lines
from .plan import AstroProject, Continuation, Plan, StageHead, Step, VenvStage, Verbatim

__all__ = ["dockerfile_lines", "emit"]


@dataclass(frozen=True)
class _Chunk:
    """A piece of output text; ``source_lines`` holds one entry per line."""

    text: str
    source_lines: tuple[int | None, ...]


def emit(plan: Plan, engine: Engine = "buildkit") -> tuple[str, tuple[int | None, ...]]:
    """The plain Dockerfile for ``engine`` and, per output line, the user's line (1-based) it came from."""
    parts: list[str] = []
    lines: list[int | None] = []
    for step in plan.steps:
        if type(step) is Verbatim:  # most steps: the user's own lines, copied as they are
            item = step.item
            if item.start_line == plan.syntax_line:
                # Dropped rather than blanked: a blank first line would end the parser directives,
                # and a following ``# escape=`` would stop counting.
                continue
            text: str = item.raw
            sources: Sequence[int | None] = range(item.start_line, item.end_line + 1)
        else:
            chunk = _chunk(step, plan, engine)
            text, sources = chunk.text, chunk.source_lines
        if parts and not parts[-1].endswith("\n"):
            parts.append("\n")
        parts.append(text)
        lines.extend(sources)
    return "".join(parts), tuple(lines)


def _chunk(step: Step, plan: Plan, engine: Engine) -> _Chunk:
    if isinstance(step, Verbatim):
        return _user(step.item.raw, step.item.start_line, step.item.end_line)
    if isinstance(step, StageHead):
        return _user(step.text, step.item.start_line, step.item.end_line)
    replayed = step.replayed_args if isinstance(step, (VenvStage, Continuation)) else ()
    chunk = _generated(render.generated(step, plan, engine), step.line, replayed)
    if isinstance(step, AstroProject):
        return _joined([chunk, *(_user(item.raw, item.start_line, item.end_line) for item in step.again)])
    return chunk


def _user(text: str, start_line: int, end_line: int) -> _Chunk:
    return _Chunk(text, tuple(range(start_line, end_line + 1)))


def _joined(chunks: Sequence[_Chunk]) -> _Chunk:
    """One chunk of ``chunks``, each starting on its own line."""
    text = ""
    lines: tuple[int | None, ...] = ()
    for chunk in chunks:
        if text and not text.endswith("\n"):
            text += "\n"
        text, lines = text + chunk.text, lines + chunk.source_lines
    return _Chunk(text, lines)


def _generated(text: str, line: int, replayed: Sequence[Instruction] = ()) -> _Chunk:
    """Generated text; its lines point at ``line`` (replayed ARG lines at their own)."""
    replayed_lines = {arg.raw.rstrip("\r\n"): arg.start_line for arg in replayed}
    sources = tuple(replayed_lines.get(text_line.rstrip("\r\n"), line) for text_line in dockerfile_lines(text))
    return _Chunk(text, sources)
