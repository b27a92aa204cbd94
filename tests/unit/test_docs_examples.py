"""Every PYENV example in the documentation must be a line the frontend accepts.

A reader copies these; a version the bundled pyenv does not know fails their build at once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from astro_pyenv_frontend.lexer import Instruction, lex
from astro_pyenv_frontend.pyenv_instruction import parse_pyenv
from astro_pyenv_frontend.versions import load_bundled_versions, resolve_version

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted(
    p
    for p in [*ROOT.glob("*.md"), *ROOT.glob("docs/*.md"), *ROOT.glob("*/README.md"), *ROOT.glob("examples/*/README.md")]
    if p.is_file()
)
# A PYENV line as a reader would copy it: in a code span or on a line of its own in a code block.
_PYENV_EXAMPLE = re.compile(r"(?:`|^)(PYENV [^`<\[\n]+?)(?:`|$)", re.MULTILINE)
# The versions the reference lists as examples of what <python-version> accepts.
_VERSION_BULLET = re.compile(r"^- `<python-version>`:(.*?)(?=^- |\Z)", re.MULTILINE | re.DOTALL)
_VERSION_SPAN = re.compile(r"`(\d+\.\d+[0-9a-z.]*)`")


def _examples() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for match in _PYENV_EXAMPLE.finditer(doc.read_text()):
            found.append((doc.relative_to(ROOT).as_posix(), match.group(1).strip()))
    return found


def _documented_versions() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    bullet = _VERSION_BULLET.search(readme)
    assert bullet, "README lost the <python-version> reference"
    return _VERSION_SPAN.findall(bullet.group(1))


def test_the_docs_have_pyenv_examples() -> None:
    assert len(_examples()) >= 4
    assert len(_documented_versions()) >= 4


@pytest.mark.parametrize(("doc", "line"), _examples())
def test_documented_pyenv_line_parses_and_resolves(doc: str, line: str) -> None:
    (instr,) = [item for item in lex(f"FROM base\n{line}\n").items if isinstance(item, Instruction)][1:]
    pyenv = parse_pyenv(instr, {})
    resolve_version(pyenv.version, load_bundled_versions())


@pytest.mark.parametrize("version", _documented_versions())
def test_documented_version_resolves(version: str) -> None:
    resolve_version(version, load_bundled_versions())
