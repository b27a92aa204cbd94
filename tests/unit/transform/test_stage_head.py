"""The user's FROM line of a stage with PYENV lines is renamed where BuildKit reads its words.

The stage name (or the image, for an Astro Runtime image's ``-base`` variant) may sit on another
physical line than ``AS``, after a vertical tab, or be split by a continuation: the edited line
must still be one FROM with one ``AS`` clause, on the same number of lines.
"""

from __future__ import annotations

import pytest

from astro_pyenv_frontend.contract import ImageConfig
from astro_pyenv_frontend.emit import dockerfile_lines
from astro_pyenv_frontend.instructions import parse_from, rewrite_from
from astro_pyenv_frontend.lexer import Instruction, lex
from astro_pyenv_frontend.transform import TransformOptions, transform

from ._util import one_instruction

OPTIONS = TransformOptions(frontend_image="example.com/astro-pyenv:1")


def _from_lines(dockerfile: str) -> list[Instruction]:
    return [i for i in lex(dockerfile).items if isinstance(i, Instruction) and i.keyword == "FROM"]


@pytest.mark.parametrize(
    "head",
    [
        "FROM python:3.12 AS \\\n  base\n",
        "FROM python:3.12 AS\x0bbase\n",
        "FROM python:3.12 AS\x0c base\n",
        "FROM python:3.12 \\\n  AS \\\n  # a comment inside the continuation\n\n  base\n",
        "FROM python:3.12 AS ba\\\nse\n",
        "FROM python:3.12 AS b\\\na\\\nse\n",
        "FROM python:3.12 AS BASE\r\n",
        "FROM --platform=linux/amd64 python:3.12 as base  \n",
    ],
)
def test_a_stage_name_anywhere_buildkit_reads_it_is_renamed_once(head: str) -> None:
    text = head + "PYENV 3.12 a\n"
    result = transform(text, OPTIONS)
    heads = [parse_from(i, {}) for i in _from_lines(result.dockerfile)]
    renamed = [h for h in heads if h.image == "python:3.12" and h.stage_name == "base-pyenv-0"]
    assert len(renamed) == 1, result.dockerfile
    assert any(h.image == "base-pyenv-0" and h.stage_name == "base" for h in heads)
    assert len(result.source_lines) == len(dockerfile_lines(result.dockerfile))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("FROM x AS \\\n  base\n", "FROM x AS \\\n  new\n"),
        ("FROM x AS ba\\\nse\n", "FROM x AS \\\nnew\n"),
        ("FROM x AS\x0bbase\r\n", "FROM x AS\x0bnew\r\n"),
        ("FROM x\n", "FROM x AS new\n"),
        ("FROM x \\\n# comment\n", "FROM x AS new \\\n# comment\n"),
        ("FROM \\\n  x\\\n\n", "FROM \\\n  x AS new\\\n\n"),
        ("\ufeffFROM x", "\ufeffFROM x AS new"),
    ],
)
def test_rewrite_from_keeps_every_other_byte_and_the_line_count(raw: str, expected: str) -> None:
    instr = one_instruction(raw)
    assert rewrite_from(instr, "\\", stage="new") == expected


def test_the_image_is_replaced_where_it_is_written_too() -> None:
    instr = one_instruction("FROM --platform=$P quay.io/astronomer/\\\nastro-runtime:13.0.0 \\\n AS  app\n")
    assert rewrite_from(instr, "\\", stage="app-pyenv-0", image="quay.io/astronomer/astro-runtime:13.0.0-base") == (
        "FROM --platform=$P \\\nquay.io/astronomer/astro-runtime:13.0.0-base \\\n AS  app-pyenv-0\n"
    )


def test_an_astro_runtime_image_split_by_a_continuation_still_gets_its_base_variant() -> None:
    text = "FROM quay.io/astronomer/\\\nastro-runtime:13.0.0\nPYENV 3.12 a\n"
    result = transform(text, OPTIONS)
    heads = [parse_from(i, {}) for i in _from_lines(result.dockerfile)]
    assert any(h.image == "quay.io/astronomer/astro-runtime:13.0.0-base" and h.stage_name for h in heads)
    assert all(h.image != "quay.io/astronomer/astro-runtime:13.0.0" for h in heads), result.dockerfile


def test_with_the_backtick_escape() -> None:
    text = "# escape=`\nFROM python:3.12 AS `\n  base\nPYENV 3.12 a\n"
    result = transform(text, OPTIONS)
    assert "FROM python:3.12 AS `\n  base-pyenv-0\n" in result.dockerfile


def test_a_runtime_known_by_its_config_is_replaced_and_renamed_where_buildkit_reads_them() -> None:
    """The image without its ONBUILD steps (a build context) replaces an image split by a
    continuation, and the name after ``AS \\`` is renamed once (issues 22.2 and 22.14 together)."""
    mirror = "registry.corp/astro-runtime:13.0.0"
    config = ImageConfig(onbuild=("COPY --chown=astro:0 . .",), labels=(("io.astronomer.docker", "true"),))
    text = "FROM registry.corp/\\\nastro-runtime:13.0.0 AS \\\n  app\nPYENV 3.12 a\n"
    result = transform(text, TransformOptions(frontend_image="example.com/astro-pyenv:1", base_configs={mirror: config}))
    heads = [parse_from(i, {}) for i in _from_lines(result.dockerfile)]
    (context,) = result.onbuild_free
    assert [h.stage_name for h in heads if h.image == context.context] == ["pyenv-python-3.12.13", "app-pyenv-0"]
    assert all(h.image != mirror for h in heads), result.dockerfile
    assert len(result.source_lines) == len(dockerfile_lines(result.dockerfile))
