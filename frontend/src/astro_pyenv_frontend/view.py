"""The user's Dockerfile as BuildKit's Dockerfile frontend can read it, line for line (pure).

Subrequests (``--call=outline|targets|check``) are about the user's file: its stages, its ARGs,
its lines.  BuildKit's parser does not know PYENV, and the generated Dockerfile has other stages
and other line numbers.  So we hand BuildKit this view instead: every line as the user wrote it,
except each PYENV instruction, which becomes an ``ENV`` setting the variable the PYENV line
sets, on exactly the same lines.  Every stage, name, line number and comment of the answer is
then the user's own, with no mapping; the keyword keeps the user's letter case so BuildKit's
casing check sees what the user wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import layout
from .contract import PyenvUse
from .lexer import PYENV, dockerfile_lines
from .word_cursor import lstrip_space

_LINE_END = re.compile(r"\r?\n\Z")


def _stand_in_keyword(written: str) -> str:
    if written.islower():
        return "env"
    if written.isupper():
        return "ENV"
    return "Env"


def buildkit_view(text: str, environments: Iterable[PyenvUse], escape: str = "\\") -> str:
    """``text`` with each PYENV line of ``environments`` replaced by an ENV on the same lines."""
    lines = dockerfile_lines(text)
    for use in environments:
        first, last = use.line, max(use.line, use.end_line)
        if not 1 <= first <= last <= len(lines):
            continue
        original = lines[first - 1]
        written = lstrip_space(original.lstrip("\ufeff"))[: len(PYENV)]  # the keyword in the user's letter case
        keyword = _stand_in_keyword(written if written.upper() == PYENV else PYENV)
        bom = "\ufeff" if original.startswith("\ufeff") else ""
        setting = f"{layout.environment_variable(use.name)}={layout.venv_python(use.name)}"
        if first == last:
            new = [f"{keyword} {setting}"]
        else:
            # An ENV continued over the same lines: comment lines inside a continuation are skipped.
            new = [f"{keyword} {escape}"] + ["#"] * (last - first - 1) + [f"    {setting}"]
        for offset, body in enumerate(new):
            index = first - 1 + offset
            ending = _LINE_END.search(lines[index])
            lines[index] = (bom if offset == 0 else "") + body + (ending.group() if ending else "")
    return "".join(lines)


def pyenv_lines(environments: Iterable[PyenvUse]) -> frozenset[int]:
    """Every line a PYENV instruction covers (where the view shows a stand-in)."""
    return frozenset(n for use in environments for n in range(use.line, max(use.line, use.end_line) + 1))
