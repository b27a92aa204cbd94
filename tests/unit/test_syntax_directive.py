"""Reading the user's choice of Dockerfile frontend: ``# astro-pyenv-syntax=`` and the build arg
``ASTRO_PYENV_SYNTAX`` (pure; the gateway's use of it is in tests/unit/gateway)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.lexer import lex
from astro_pyenv_frontend.syntax_directive import DockerfileFrontend, choose, syntax_ref

REF = "docker/dockerfile:1.12@sha256:" + "a" * 64


def _error(data: bytes, build_args: dict[str, str] | None = None) -> DockerfileError:
    with pytest.raises(DockerfileError) as info:
        choose(data, build_args or {})
    return info.value


def test_no_directive_and_no_build_arg_means_the_builtin_frontend() -> None:
    assert choose(b"# syntax=x\nFROM a\nRUN echo astro-pyenv-syntax\n", {}) is None


@pytest.mark.parametrize(
    "data",
    [
        f"# syntax=x\n# astro-pyenv-syntax={REF}\nFROM a\n".encode(),
        f"\ufeff# syntax=x\r\n  #  ASTRO-PYENV-SYNTAX = {REF}  \r\nFROM a\r\n".encode(),
        f"# syntax=x\n# escape=`\n# check=skip=all\n# astro-pyenv-syntax={REF}\nFROM a\n".encode(),
    ],
    ids=["plain", "bom-crlf-case-spaces", "after-buildkit-directives"],
)
def test_the_directive_among_the_top_directives_names_the_frontend(data: bytes) -> None:
    chosen = choose(data, {})
    assert chosen is not None and (chosen.ref, chosen.cmdline) == (REF, REF)
    assert chosen.line == data.count(b"\n", 0, data.lower().index(b"astro-pyenv-syntax")) + 1


def test_words_after_the_image_are_its_cmdline_as_with_syntax() -> None:
    chosen = choose(f"# astro-pyenv-syntax={REF} --flag\nFROM a\n".encode(), {})
    assert chosen == DockerfileFrontend(ref=REF, cmdline=f"{REF} --flag", line=1)


def test_the_build_arg_wins_over_the_directive() -> None:
    chosen = choose(b"# syntax=x\n# astro-pyenv-syntax=other:1\nFROM a\n", {"ASTRO_PYENV_SYNTAX": f" {REF} "})
    assert chosen == DockerfileFrontend(ref=REF, cmdline=REF, line=None)
    assert chosen.origin == f"build arg ASTRO_PYENV_SYNTAX={REF}"


def test_an_empty_build_arg_counts_as_unset() -> None:
    assert choose(b"FROM a\n", {"ASTRO_PYENV_SYNTAX": ""}) is None


def test_a_buildkit_directive_below_ours_is_refused_at_its_line() -> None:
    """BuildKit stops reading directives at ours (it does not know it): the escape would be lost."""
    data = b"# syntax=x\n# astro-pyenv-syntax=img\n# escape=`\nFROM a\n"
    assert 3 not in lex(data.decode()).directive_lines  # BuildKit's reading, as our lexer mirrors it
    err = _error(data)
    assert err.line == 3 and "move # escape above # astro-pyenv-syntax (line 2)" in err.message


def test_the_directive_below_the_top_block_is_refused_at_its_line() -> None:
    err = _error(b"# syntax=x\n\n# astro-pyenv-syntax=img\nFROM a\n")
    assert err.line == 3 and "only among the parser directives at the top" in err.message
    assert _error(b"FROM a\n  # astro-pyenv-syntax=img\nRUN true\n").line == 2


def test_a_second_directive_is_refused() -> None:
    err = _error(b"# astro-pyenv-syntax=a\n# astro-pyenv-syntax=b\nFROM a\n")
    assert err.line == 2 and "only one # astro-pyenv-syntax" in err.message


def test_a_directive_without_an_image_is_refused_even_when_the_build_arg_wins() -> None:
    err = _error(b"# astro-pyenv-syntax=\nFROM a\n", {"ASTRO_PYENV_SYNTAX": REF})
    assert err.line == 1 and "names no image" in err.message


def test_an_arg_default_cannot_choose_the_frontend() -> None:
    err = _error(b"ARG FOO=1 ASTRO_PYENV_SYNTAX=img\nFROM a\n")
    assert err.line == 1 and "an ARG cannot choose the Dockerfile frontend" in err.message
    assert choose(b"ARG ASTRO_PYENV_SYNTAX\nFROM a\n", {}) is None  # declared without a default: harmless


def test_the_documented_example_names_the_frontend_at_its_line() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "pyenv-instruction.md").read_text()
    (block,) = [b for b in re.findall(r"```dockerfile\n(.*?)```", page, re.DOTALL) if "# astro-pyenv-syntax=" in b]
    chosen = choose(block.encode(), {})
    assert chosen is not None and chosen.line == 2
    assert chosen.ref.startswith("docker/dockerfile:1.20@sha256:")


def test_the_lexer_reads_the_top_block_once_for_buildkit_and_for_us() -> None:
    lexed = lex(f"# syntax=x\n# astro-pyenv-syntax = {REF} \n# escape=`\n\n# astro-pyenv-syntax=y\nFROM a\n")
    assert [(d.line, d.key, d.value) for d in lexed.directive_block] == [
        (1, "syntax", "x"),
        (2, "astro-pyenv-syntax", REF),
        (3, "escape", "`"),
    ]
    assert lexed.directive_lines == (1,) and lexed.directives.escape == "\\"  # BuildKit stops at ours


def test_an_arg_default_continued_on_the_next_line_is_refused() -> None:
    """Deliberate change: the ARG instruction is read (its logical line, its words), not each
    physical line that starts with ARG."""
    err = _error(b"FROM a\nARG A=1 \\\n    ASTRO_PYENV_SYNTAX=img\n")
    assert err.line == 2 and "an ARG cannot choose the Dockerfile frontend" in err.message


def test_an_arg_line_inside_a_heredoc_body_is_no_arg() -> None:
    """Deliberate change: a heredoc's body is text the RUN writes, not an ARG instruction."""
    assert choose(b"FROM a\nRUN cat > f <<EOF\nARG ASTRO_PYENV_SYNTAX=img\nEOF\n", {}) is None


def test_space_after_the_hash_is_gos_as_for_buildkits_directives() -> None:
    """Deliberate change: after ``#``, Go's white space (U+00A0 too) comes before the key, as in
    BuildKit's directive parser; the directive used to be ignored without a word."""
    chosen = choose(f"#\u00a0astro-pyenv-syntax={REF}\nFROM a\n".encode(), {})
    assert chosen == DockerfileFrontend(ref=REF, cmdline=REF, line=1)


@pytest.mark.parametrize(
    ("value", "ref"),
    [("img --debug", "img"), ("img\t--debug", "img\t--debug"), ("img", "img")],
)
def test_the_image_is_the_value_cut_at_its_first_space_as_buildkit_cuts_it(value: str, ref: str) -> None:
    """Deliberate change: BuildKit takes the image of ``# syntax=`` and BUILDKIT_SYNTAX as what
    comes before the first space character (strings.Cut), not before any white space."""
    assert syntax_ref(value) == ref
    chosen = choose(f"# astro-pyenv-syntax={value}\nFROM a\n".encode(), {})
    assert chosen is not None and chosen.ref == ref
