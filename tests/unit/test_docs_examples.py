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

from markdown_support import section

ROOT = Path(__file__).resolve().parents[2]
INSTRUCTION = ROOT / "docs" / "pyenv-instruction.md"
MIGRATION = ROOT / "docs" / "migration.md"
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
    bullet = _VERSION_BULLET.search(INSTRUCTION.read_text())
    assert bullet, "docs/pyenv-instruction.md lost the <python-version> reference"
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


# -- docs/migration.md, "Migrating from astro-provider-venv" -------------------------------------

_DOCKERFILE_BLOCK = re.compile(r"^```dockerfile\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _migration_section() -> str:
    return section(MIGRATION.read_text(), "## Migrating from astro-provider-venv")


def _migration_dockerfiles() -> tuple[str, str]:
    before, after = _DOCKERFILE_BLOCK.findall(_migration_section())
    return before, after


def test_migration_before_is_an_astro_provider_venv_dockerfile_that_warns_about_base() -> None:
    from astro_pyenv_frontend.astro_runtime import base_variant_warning
    from astro_pyenv_frontend.transform import TransformOptions, transform

    before, _ = _migration_dockerfiles()
    assert before.startswith("# syntax=quay.io/astronomer/airflow-extensions:")
    image = before.splitlines()[1].split()[1]
    assert image.endswith("-base")
    result = transform(before, TransformOptions(frontend_image="f:1"))
    assert [(w.line, w.message) for w in result.warnings] == [(2, base_variant_warning(image))]


def test_migration_after_builds_on_the_full_image_with_the_project_after_the_pyenv_work() -> None:
    from astro_pyenv_frontend.transform import TransformOptions, transform

    before, after = _migration_dockerfiles()
    assert before.splitlines()[2:] == after.splitlines()[2:], "the PYENV lines stay as they were"
    result = transform(after, TransformOptions(frontend_image="f:1"))
    assert result.warnings == ()
    lines = result.dockerfile.splitlines()
    assert lines.index("COPY --chown=astro:0 . .") > lines.index("ENV ASTRO_PYENV_snowpark=/opt/astro-pyenv/venvs/snowpark/bin/python")
    assert "ENV ASTRO_PYENV_snowpark=/opt/astro-pyenv/venvs/snowpark/bin/python" in lines


def test_migration_version_prefix_resolves_as_documented() -> None:
    stated = re.search(r"resolves `(\d+\.\d+)` when the Dockerfile is read to the newest release\s+the bundled pyenv knows \((\S+) with", _migration_section())
    assert stated, "the migration section lost its version-prefix example"
    assert resolve_version(stated.group(1), load_bundled_versions()) == stated.group(2)
