from __future__ import annotations

import pytest

from astro_pyenv_frontend.lexer import Directives, Heredoc, Instruction, Trivia, lex


def test_raw_keeps_bom_cr_and_missing_newline() -> None:
    text = "\ufeff# syntax=img\r\nFROM x\r\nRUN a \\\r\n  b"
    items = lex(text).items
    assert items == (
        Trivia(1, 1, "\ufeff# syntax=img\r\n"),
        Instruction("FROM", 2, 2, "FROM x\r\n", "x"),
        Instruction("RUN", 3, 4, "RUN a \\\r\n  b", "a   b"),
    )


def test_heredoc_raw_includes_body_and_terminator() -> None:
    text = "RUN <<EOF\nPYENV 3.12 x\nEOF\nPYENV 3.12 y\n"
    first, second = lex(text).items
    assert first == Instruction(
        "RUN", 1, 3, "RUN <<EOF\nPYENV 3.12 x\nEOF\n", "<<EOF", (Heredoc("EOF", True, False, "PYENV 3.12 x\n"),)
    )
    assert second == Instruction("PYENV", 4, 4, "PYENV 3.12 y\n", "3.12 y")


@pytest.mark.parametrize(
    ("text", "directives", "lines"),
    [
        ("# syntax=a\nFROM x\n", Directives("a"), (1,)),
        ("#syntax=a\n", Directives("a"), (1,)),
        ("# syntax = a b  \n", Directives("a b"), (1,)),
        ("  # SYNTAX=a\n", Directives("a"), (1,)),
        ("# escape=`\n", Directives(escape="`"), (1,)),
        ("# escape=\\\n", Directives(), (1,)),
        ("# check=skip=all;error=true\n", Directives(check="skip=all;error=true"), (1,)),
        ("# syntax=a\n# escape=`\n# check=x\n", Directives("a", "`", "x"), (1, 2, 3)),
        ("\n# syntax=a\n", Directives(), ()),
        ("# x\n# syntax=a\n", Directives(), ()),
        ("# syntax=\n", Directives(), ()),
        ("# syntax=a\n# syntax=b\n", Directives("a"), (1, 2)),
        ("# escape=?\n", Directives(), (1,)),
        ("FROM x\n# syntax=a\n", Directives(), ()),
        ("\ufeff# escape=`\n", Directives(escape="`"), (1,)),
        ("#!/bin/sh\n# syntax=a\n", Directives(), ()),
    ],
)
def test_directives(text: str, directives: Directives, lines: tuple[int, ...]) -> None:
    lexed = lex(text)
    assert lexed.directives == directives
    assert lexed.directive_lines == lines


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("RUN a \\\nb", "a b"),
        ("RUN a\\\nb", "ab"),
        ("RUN a \\ \t\nb", "a b"),
        ("RUN a \\\\\n", "a \\\\"),
        ("RUN a \\\n#c\n b", "a  b"),
        ("RUN a \\\n  \n b", "a  b"),
        ("# escape=`\nRUN a `\nb", "a b"),
        ("# escape=`\nRUN a \\\n", "a \\"),
        ("RUN   a   ", "a"),
        ("RUN", ""),
        ("RUN\t--mount=x  y", "--mount=x  y"),
    ],
)
def test_args(text: str, args: str) -> None:
    instr = [i for i in lex(text).items if isinstance(i, Instruction)][-1]
    assert instr.args == args


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("RUN <<EOF", ["EOF"]),
        ("RUN <<-EOF", ["EOF"]),
        ("RUN <<A <<B", ["A", "B"]),
        ("RUN cat <<A && cat <<B", ["A", "B"]),
        ("COPY <<a.txt /", ["a.txt"]),
        ("ADD <<a /", ["a"]),
        ("ONBUILD RUN <<EOF", ["EOF"]),
        ("ONBUILD COPY <<EOF /x", ["EOF"]),
        ("run <<EOF", ["EOF"]),
        ("RUN --mount=type=secret,id=x <<EOF", ["EOF"]),
        ("RUN <<", []),
        ("RUN <<EOF<<X", []),
        ("RUN echo \"<<EOF\"", []),
        ('RUN ["sh", "-c", "<<EOF"]', []),
        ("RUN [not json <<EOF", ["EOF"]),
        ("CMD <<EOF", []),
        ("ENTRYPOINT <<EOF", []),
        ("PYENV <<EOF", []),
        ("ONBUILD CMD <<EOF", []),
        ("ONBUILD ONBUILD RUN <<EOF", []),
        ("RUN <<'E F'", ["E F"]),
        ("RUN <<$X", ["$X"]),
    ],
)
def test_heredoc_detection(line: str, names: list[str]) -> None:
    body = "".join(f"b\n{n}\n" for n in names)
    instr = lex(f"{line}\n{body}").items[0]
    assert isinstance(instr, Instruction)
    assert [h.name for h in instr.heredocs] == names
    assert all(h.terminated for h in instr.heredocs)


@pytest.mark.parametrize(
    ("word", "expand", "chomp"),
    [
        ("<<EOF", True, False),
        ("<<-EOF", True, True),
        ('<<"EOF"', False, False),
        ("<<'EOF'", False, False),
        ('<<-"EOF"', False, True),
        ('<<E"OF"', False, False),
        ("<<\\EOF", True, False),
    ],
)
def test_heredoc_flags(word: str, expand: bool, chomp: bool) -> None:
    instr = lex(f"RUN {word}\n\tx\n\tEOF\nEOF\n").items[0]
    assert isinstance(instr, Instruction)
    (doc,) = instr.heredocs
    assert (doc.name, doc.expand, doc.chomp) == ("EOF", expand, chomp)
    assert doc.content == ("\tx\n" if chomp else "\tx\n\tEOF\n")


def test_unterminated_heredoc_runs_to_eof() -> None:
    (instr,) = lex("RUN <<A <<B\na\n").items
    assert isinstance(instr, Instruction)
    assert instr.heredocs == (Heredoc("A", True, False, "a\n", False), Heredoc("B", True, False, "", False))
    assert (instr.start_line, instr.end_line) == (1, 2)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# syntax=a\nFROM x\n", 1),
        ("# escape=`\n#\tSYNTAX\t=\ta\n", 2),
        ("\ufeff#syntax =a\n", 1),
        ("# syntax=a\n# syntax=b\n", 1),
        ("# check=x\n", None),
        ("\n# syntax=a\n", None),
    ],
)
def test_the_line_of_the_syntax_directive_in_force(text: str, line: int | None) -> None:
    assert lex(text).syntax_line == line


def test_a_syntax_directive_with_tabs_around_the_equals_sign_is_dropped_from_the_output() -> None:
    from astro_pyenv_frontend.transform import TransformOptions, transform

    result = transform("#\tsyntax\t= img\nFROM x\nPYENV 3.12 a\n", TransformOptions(frontend_image="img"))
    assert "syntax" not in result.dockerfile.splitlines()[0], result.dockerfile
