from __future__ import annotations

import pytest

from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.lexer import Instruction, lex
from astro_pyenv_frontend.pyenv_instruction import (
    PyenvInstruction,
    msg_argument_count,
    msg_unknown_flag,
    msg_unset_variable,
    parse_pyenv,
)
from astro_pyenv_frontend.pyenv_values import msg_absolute_requirements, version_problem
from astro_pyenv_frontend.versions import is_cpython_definition, load_bundled_versions

from ._util import one_instruction

ENV = {"PY": "3.12", "NAME": "tools", "REQ": "reqs/dev.txt", "EMPTY": "", "SPACE": "a b"}


def _parse(line: str, escape: str = "\\") -> PyenvInstruction:
    return parse_pyenv(one_instruction(line), ENV, escape)


@pytest.mark.parametrize(
    ("line", "version", "name", "requirements"),
    [
        ("PYENV 3.12 venv", "3.12", "venv", None),
        ("pyenv 3.12 venv", "3.12", "venv", None),
        ("PyEnv 3.13t free", "3.13t", "free", None),
        ("PYENV 3.12 venv requirements.txt", "3.12", "venv", "requirements.txt"),
        ("PYENV 3.12 venv ./requirements.txt", "3.12", "venv", "requirements.txt"),
        ("PYENV 3.12 venv a//b/./c.txt", "3.12", "venv", "a/b/c.txt"),
        ("PYENV 3.12 venv a/../b.txt", "3.12", "venv", "b.txt"),
        ("PYENV 3.12 venv req-1.2+x@y.txt", "3.12", "venv", "req-1.2+x@y.txt"),
        ("PYENV 3.14.0rc1 a_b-C9", "3.14.0rc1", "a_b-C9", None),
        ("PYENV 3.13.5 9lives", "3.13.5", "9lives", None),
        ("PYENV 3.4 oldest", "3.4", "oldest", None),
        ("PYENV 3 newest", "3", "newest", None),
        ("PYENV $PY ${NAME} $REQ", "3.12", "tools", "reqs/dev.txt"),
        ("PYENV ${NOPE:-3.11} x", "3.11", "x", None),
        ('PYENV "${PY:?set PY}" x', "3.12", "x", None),
        ('PYENV "3.12" \'venv\'', "3.12", "venv", None),
        ("PYENV \\\n  3.12 \\\n  venv", "3.12", "venv", None),
        ("PYENV -- 3.12 venv", "3.12", "venv", None),
        ("PYENV 3.12 v${EMPTY}env", "3.12", "venv", None),
    ],
)
def test_parse_pyenv(line: str, version: str, name: str, requirements: str | None) -> None:
    result = _parse(line)
    assert (result.version, result.name, result.requirements) == (version, name, requirements)
    assert dict(result.flags) == {}


@pytest.mark.parametrize("value", ["auto", "1.1.8", "1.2.0rc1", "1.3", "1.1.8.post1", "${SDK}"])
def test_task_sdk_flag(value: str) -> None:
    result = parse_pyenv(one_instruction(f"PYENV --task-sdk={value} 3.12 modern req.txt"), {"SDK": "1.1.4"})
    assert (result.version, result.name, result.requirements) == ("3.12", "modern", "req.txt")
    assert dict(result.flags) == {"task-sdk": "1.1.4" if value == "${SDK}" else value}


def test_line_range() -> None:
    items = lex("FROM x\n\nPYENV 3.12 a \\\n b\n").items
    instr = items[-1]
    assert isinstance(instr, Instruction)
    result = parse_pyenv(instr, ENV, "\\")
    assert (result.line, result.end_line) == (3, 4)


def test_backtick_escape() -> None:
    result = _parse("# escape=`\nPYENV `\n 3.12 venv", "`")
    assert (result.version, result.name) == ("3.12", "venv")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("PYENV", "PYENV expects <python-version> <name> [<requirements-file>], got 0 arguments"),
        ("PYENV 3.12", "PYENV expects <python-version> <name> [<requirements-file>], got 1 argument"),
        ("PYENV 3.12 a b c", "PYENV expects <python-version> <name> [<requirements-file>], got 4 arguments"),
        ("PYENV $SPACE", "PYENV expects <python-version> <name> [<requirements-file>], got 1 argument"),
        (
            'PYENV ["3.12", "x"]',
            "PYENV does not accept the JSON form; write "
            "PYENV [--<flag>=<value> ...] <python-version> <name> [<requirements-file>]",
        ),
        ("PYENV --index=x 3.12 x", "unknown flag --index; PYENV accepts --installer, --task-sdk"),
        ("PYENV --x 3.12 x", "unknown flag --x; PYENV accepts --installer, --task-sdk"),
        ("PYENV --installer 3.12 x", "flag --installer needs a value: --installer=<value>"),
        ("PYENV --installer=conda 3.12 x", "invalid --installer='conda': use pip or uv"),
        ("PYENV --installer=UV 3.12 x", "invalid --installer='UV': use pip or uv"),
        ("PYENV --installer=uv --installer=pip 3.12 x", "flag --installer given more than once"),
        (
            "PYENV --task-sdk=auto 3.12 x locks/pylock.toml",
            "--task-sdk cannot be added to <requirements-file> 'locks/pylock.toml': a lock file is installed"
            " exactly as locked, with nothing beside it; lock apache-airflow-task-sdk in it instead",
        ),
        (
            "PYENV --task-sdk=auto 3.12 x tasks/uv.lock",
            "--task-sdk cannot be added to <requirements-file> 'tasks/uv.lock': a lock file is installed"
            " exactly as locked, with nothing beside it; lock apache-airflow-task-sdk in it instead",
        ),
        ("PYENV --task-sdk 3.12 x", "flag --task-sdk needs a value: --task-sdk=<value>"),
        ("PYENV --task-sdk=auto --task-sdk=1.1.8 3.12 x", "flag --task-sdk given more than once"),
        (
            "PYENV --task-sdk=yes 3.12 x",
            "invalid --task-sdk='yes': use auto (the apache-airflow-task-sdk of the base image's Airflow 3) "
            "or a version such as 1.1.8",
        ),
        (
            "PYENV --task-sdk=1.1.8,evil 3.12 x",
            "invalid --task-sdk='1.1.8,evil': use auto (the apache-airflow-task-sdk of the base image's "
            "Airflow 3) or a version such as 1.1.8",
        ),
        (
            "PYENV --task-sdk='1.1.8 \"x' 3.12 x",
            "invalid --task-sdk='1.1.8 \"x': use auto (the apache-airflow-task-sdk of the base image's Airflow 3) "
            "or a version such as 1.1.8",
        ),
        ("PYENV 3.12 x --installer=uv", "flags go before <python-version>: move --installer=uv right after PYENV"),
        (
            "PYENV $PYTHON x",
            "variable PYTHON is not set; declare it with ARG PYTHON in this stage "
            "(an ARG before the first FROM must be declared again inside the stage)",
        ),
        (
            "PYENV 3.12 ${NOPE}",
            "variable NOPE is not set; declare it with ARG NOPE in this stage "
            "(an ARG before the first FROM must be declared again inside the stage)",
        ),
        ("PYENV ${PY x", "PYENV: syntax error: missing '}'"),
        ('PYENV "${PY x"', "PYENV: unsupported modifier ( ) in substitution"),
        ("PYENV 3.12 ${NAME", "PYENV: syntax error: missing '}'"),
        ('PYENV "${NOPE:?set PY}" x', "PYENV: NOPE: set PY"),
        ("PYENV ${NOPE:?set PY} x", "PYENV: syntax error: missing '}'"),
        ('PYENV "${NOPE:-3.12 x}" y', "invalid <python-version> '3.12 x': expected a version such as 3.12, 3.13t or 3.12.4"),
        ("PYENV '3.12 x", "PYENV: unexpected end of statement while looking for matching single-quote"),
        ("PYENV 3.12;rm x y", "invalid <python-version> '3.12;rm': expected a version such as 3.12, 3.13t or 3.12.4"),
        ("PYENV '' x", "invalid <python-version> '': expected a version such as 3.12, 3.13t or 3.12.4"),
        ("PYENV .3 x", "invalid <python-version> '.3': expected a version such as 3.12, 3.13t or 3.12.4"),
        ("PYENV 3.12 -x", "invalid <name> '-x': use letters, digits, '_' and '-', starting with a letter or digit"),
        ("PYENV 3.12 _x", "invalid <name> '_x': use letters, digits, '_' and '-', starting with a letter or digit"),
        ("PYENV 3.12 a.b", "invalid <name> 'a.b': use letters, digits, '_' and '-', starting with a letter or digit"),
        ("PYENV 3.12 a$(id)", "invalid <name> 'a$(id)': use letters, digits, '_' and '-', starting with a letter or digit"),
        ("PYENV 3.12 'a;b'", "invalid <name> 'a;b': use letters, digits, '_' and '-', starting with a letter or digit"),
        ("PYENV 3.12 \"$SPACE\"", "invalid <name> 'a b': use letters, digits, '_' and '-', starting with a letter or digit"),
        ("PYENV 3.12 x ''", "<requirements-file> is empty; omit it or name a file in the build context"),
        ("PYENV 3.12 x $EMPTY", "<requirements-file> is empty; omit it or name a file in the build context"),
        ("PYENV 3.12 x /req.txt", "<requirements-file> '/req.txt' must be relative to the build context, not absolute"),
        ("PYENV 3.12 x ../req.txt", "<requirements-file> '../req.txt' points outside the build context"),
        ("PYENV 3.12 x a/../../req.txt", "<requirements-file> 'a/../../req.txt' points outside the build context"),
        ("PYENV 3.12 x ..", "<requirements-file> '..' points outside the build context"),
        ("PYENV 3.12 x .", "<requirements-file> '.' must name a file, not a directory"),
        ("PYENV 3.12 x reqs/", "<requirements-file> 'reqs/' must name a file, not a directory"),
        (
            "PYENV 3.12 x a,readonly=false",
            "<requirements-file> 'a,readonly=false' contains ',', which cannot be used in a --mount source; "
            "use only letters, digits and . _ - + @ /",
        ),
        (
            'PYENV 3.12 x "my reqs.txt"',
            "<requirements-file> 'my reqs.txt' contains ' ', which cannot be used in a --mount source; "
            "use only letters, digits and . _ - + @ /",
        ),
        (
            "PYENV 3.12 x 'r$X.txt'",
            "<requirements-file> 'r$X.txt' contains '$', which cannot be used in a --mount source; "
            "use only letters, digits and . _ - + @ /",
        ),
        (
            "PYENV 3.12 x \"a'b\"",
            "<requirements-file> \"a'b\" contains \"'\", which cannot be used in a --mount source; "
            "use only letters, digits and . _ - + @ /",
        ),
        (
            "PYENV 3.12 x a\\\\b",
            "<requirements-file> 'a\\\\b' contains '\\\\', which cannot be used in a --mount source; "
            "use only letters, digits and . _ - + @ /",
        ),
    ],
)
def test_parse_pyenv_errors(line: str, message: str) -> None:
    with pytest.raises(DockerfileError) as info:
        _parse("# c\n" + line)
    assert info.value.message == message
    assert info.value.line == 2


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        ("2.7", "older than CPython 3.4, the oldest PYENV builds"),
        ("2", "older than CPython 3.4"),
        ("2.7.18", "older than CPython 3.4"),
        ("3.2", "older than CPython 3.4"),
        ("3.3.7", "older than CPython 3.4"),
        ("3.13t-dev", "is CPython's development branch, which pyenv builds from a git checkout"),
        ("3.13-dev", "(3.13 picks the newest)"),
        ("pypy3.10-7.3.12", "is PyPy: PYENV builds CPython only"),
        ("graalpy-24.1.0", "is GraalPy: PYENV builds CPython only"),
        ("miniconda3-latest", "is a conda distribution: PYENV builds CPython only"),
        ("latest", "is not a CPython version: PYENV builds CPython only"),
    ],
)
def test_what_cannot_build_is_refused_at_the_line_with_the_reason(version: str, reason: str) -> None:
    with pytest.raises(DockerfileError) as info:
        _parse(f"# c\nPYENV {version} x")
    assert info.value.line == 2
    assert info.value.message.startswith(f"<python-version> {version!r} ")
    assert reason in info.value.message


def test_every_definition_pyenv_knows_is_refused_or_buildable_by_one_rule() -> None:
    """CPython releases and pre-releases from 3.4 on are accepted; every other definition (older,
    -dev, another implementation) is refused with its reason."""
    for name in load_bundled_versions():
        problem = version_problem(name)
        if is_cpython_definition(name) and not name.endswith("-dev"):
            assert (problem is None) == (tuple(map(int, name.split(".")[:2])) >= (3, 4)), name
        else:
            assert problem is not None and ("CPython only" in problem or "development branch" in problem), name


def test_wrong_keyword() -> None:
    with pytest.raises(DockerfileError) as info:
        _parse("RUN x")
    assert info.value.message == "expected a PYENV instruction, got RUN"


def test_message_builders() -> None:
    assert msg_argument_count(1) == "PYENV expects <python-version> <name> [<requirements-file>], got 1 argument"
    assert msg_unknown_flag("x") == "unknown flag --x; PYENV accepts --installer, --task-sdk"
    assert msg_unset_variable("PY").startswith("variable PY is not set; declare it with ARG PY in this stage")
    assert msg_absolute_requirements("/a") == "<requirements-file> '/a' must be relative to the build context, not absolute"


@pytest.mark.parametrize(
    ("args", "version", "name"),
    [
        ('"${PY}" \'tools\'', "3.12", "tools"),
        ("${PY} \\t\\o\\o\\l\\s", "3.12", "tools"),
        ('"${EMPTY:-3.12}" "${NAME}"', "3.12", "tools"),
    ],
)
def test_words_are_split_as_buildkit_splits_env_words(args: str, version: str, name: str) -> None:
    parsed = parse_pyenv(one_instruction(f"PYENV {args}"), ENV)
    assert (parsed.version, parsed.name) == (version, name)


def test_a_space_inside_a_variable_reference_splits_the_word_as_in_env() -> None:
    """Deliberate change: PYENV splits its words as BuildKit's parseWords does for ENV and ARG
    (Go spaces outside quotes), so ``${X:-a b}`` is two words, not one; quotes keep it whole."""
    with pytest.raises(DockerfileError) as info:
        parse_pyenv(one_instruction("PYENV ${PY:-3.12 x} tools"), ENV)
    assert info.value.message == "PYENV: syntax error: missing '}'"
