from __future__ import annotations

import pytest

from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.instructions import (
    ArgDecl,
    FromInstruction,
    parse_arg,
    parse_env,
    parse_from,
)

from ._util import one_instruction

ENV = {"IMG": "python", "TAG": "3.12", "EMPTY": ""}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("FROM python:3.12", FromInstruction("python:3.12", "python:3.12", None, None, ())),
        ("FROM python AS Build", FromInstruction("python", "python", "build", None, ())),
        ("from x as b-1.x_y", FromInstruction("x", "x", "b-1.x_y", None, ())),
        ("FROM ${IMG}:$TAG", FromInstruction("python:3.12", "${IMG}:$TAG", None, None, ())),
        ("FROM ${NOPE:-alpine}", FromInstruction("alpine", "${NOPE:-alpine}", None, None, ())),
        (
            "FROM --platform=$BUILDPLATFORM x AS b",
            FromInstruction("x", "x", "b", "$BUILDPLATFORM", ("--platform=$BUILDPLATFORM",)),
        ),
        (
            'FROM --platform="linux/amd64" x',
            FromInstruction("x", "x", None, "linux/amd64", ("--platform=linux/amd64",)),
        ),
        ("FROM \\\n  x \\\n  AS y", FromInstruction("x", "x", "y", None, ())),
        ("FROM scratch", FromInstruction("scratch", "scratch", None, None, ())),
    ],
)
def test_parse_from(line: str, expected: FromInstruction) -> None:
    assert parse_from(one_instruction(line), ENV) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("FROM", "FROM requires either one or three arguments: FROM <image> [AS <name>]"),
        ("FROM a b", "FROM requires either one or three arguments: FROM <image> [AS <name>]"),
        ("FROM a AS", "FROM requires either one or three arguments: FROM <image> [AS <name>]"),
        ("FROM a FOR b", "FROM requires either one or three arguments: FROM <image> [AS <name>]"),
        (
            "FROM a AS 1st",
            'invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
        ),
        (
            "FROM a AS b$c",
            'invalid name for build stage: "b$c", name can\'t start with a number or contain symbols',
        ),
        ("FROM $EMPTY", "base name ($EMPTY) should not be blank"),
        ("FROM $NOPE", "base name ($NOPE) should not be blank"),
        ("FROM ${x", "FROM: syntax error: missing '}'"),
        ("FROM --pull=always x", "unknown flag: --pull; FROM accepts only --platform=<platform>"),
        ("FROM --platform x", "missing a value on flag: --platform"),
        ("FROM --platform=a --platform=b x", "duplicate flag specified: --platform"),
    ],
)
def test_parse_from_errors(line: str, message: str) -> None:
    with pytest.raises(DockerfileError) as info:
        parse_from(one_instruction("# c\n" + line), ENV)
    assert info.value.message == message
    assert info.value.line == 2
    assert info.value.end_line == 2


def test_error_carries_line_range_and_text() -> None:
    instr = one_instruction("FROM a \\\n  b\n")
    with pytest.raises(DockerfileError) as info:
        parse_from(instr, {})
    assert (info.value.line, info.value.end_line, info.value.text) == (1, 2, "FROM a \\\n  b\n")


def test_wrong_keyword_is_programming_error() -> None:
    with pytest.raises(ValueError, match="expected a FROM instruction, got RUN"):
        parse_from(one_instruction("RUN x"), {})


@pytest.mark.parametrize(
    ("line", "decls"),
    [
        ("ARG A", (ArgDecl("A", None),)),
        ("ARG A=1", (ArgDecl("A", "1"),)),
        ("ARG A=", (ArgDecl("A", ""),)),
        ('ARG A=""', (ArgDecl("A", ""),)),
        ("ARG A=1 B", (ArgDecl("A", "1"), ArgDecl("B", None))),
        ('ARG A="x y" B=\'$TAG\'', (ArgDecl("A", "x y"), ArgDecl("B", "$TAG"))),
        ("ARG PY=$TAG", (ArgDecl("PY", "3.12"),)),
        ("ARG PY=${X:-3.11}", (ArgDecl("PY", "3.11"),)),
        ("ARG TAG=1 B=$TAG", (ArgDecl("TAG", "1"), ArgDecl("B", "3.12"))),
        ("ARG A=a\\ b", (ArgDecl("A", "a b"),)),
        ("ARG A=x=y", (ArgDecl("A", "x=y"),)),
    ],
)
def test_parse_arg(line: str, decls: tuple[ArgDecl, ...]) -> None:
    assert parse_arg(one_instruction(line), ENV) == decls


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ARG", "ARG requires at least one argument: ARG <name>[=<default>]"),
        ("ARG =1", 'ARG names can not be blank: "=1"'),
        ("ARG A=${", "ARG: syntax error: missing '}'"),
        ("ARG A='x", "ARG: unexpected end of statement while looking for matching single-quote"),
    ],
)
def test_parse_arg_errors(line: str, message: str) -> None:
    with pytest.raises(DockerfileError) as info:
        parse_arg(one_instruction(line), ENV)
    assert info.value.message == message


def test_parse_arg_backtick_escape() -> None:
    assert parse_arg(one_instruction("# escape=`\nARG A=C:\\x`$TAG"), ENV, "`") == (ArgDecl("A", "C:\\x$TAG"),)


@pytest.mark.parametrize(
    ("line", "pairs"),
    [
        ("ENV A=1", (("A", "1"),)),
        ('ENV A=1 B="v 2"', (("A", "1"), ("B", "v 2"))),
        ("ENV A B C", (("A", "B C"),)),
        ("ENV A  b  c  ", (("A", "b  c"),)),
        ('ENV A "quoted value"', (("A", "quoted value"),)),
        ("ENV P=$TAG Q=${IMG}-x", (("P", "3.12"), ("Q", "python-x"))),
        ("ENV TAG=1 B=$TAG", (("TAG", "1"), ("B", "3.12"))),
        ("ENV A=", (("A", ""),)),
        ("ENV A=a\\ b", (("A", "a b"),)),
        ("ENV A='$TAG'", (("A", "$TAG"),)),
        ("ENV A=1 \\\n    B=2", (("A", "1"), ("B", "2"))),
    ],
)
def test_parse_env(line: str, pairs: tuple[tuple[str, str], ...]) -> None:
    assert parse_env(one_instruction(line), ENV) == pairs


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ENV", "ENV requires at least one argument: ENV <key>=<value> ..."),
        ("ENV A", "ENV must have two arguments: ENV <key>=<value> ... or ENV <key> <value>"),
        ("ENV A=1 B", 'Syntax error - can\'t find = in "B". Must be of the form: name=value'),
        ("ENV =1", 'ENV names can not be blank: "=1"'),
        ("ENV --x=1 A=1", "unknown flag: --x; ENV accepts no flags"),
        ("ENV A=${B:?needed}", "ENV: B: needed"),
    ],
)
def test_parse_env_errors(line: str, message: str) -> None:
    with pytest.raises(DockerfileError) as info:
        parse_env(one_instruction(line), ENV)
    assert info.value.message == message
