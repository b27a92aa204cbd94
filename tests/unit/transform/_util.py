from __future__ import annotations

from astro_pyenv_frontend.lexer import Instruction, lex


def one_instruction(text: str) -> Instruction:
    """The single instruction of ``text`` (trivia ignored)."""
    (instr,) = [item for item in lex(text).items if isinstance(item, Instruction)]
    return instr
