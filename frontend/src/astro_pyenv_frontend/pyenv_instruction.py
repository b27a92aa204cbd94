"""The PYENV instruction: the one place that knows its grammar.

Grammar::

    PYENV [--<flag>=<value> ...] <python-version> <name> [<requirements-file>]

* The keyword is case-insensitive (the lexer upper-cases it).
* Words are split as BuildKit splits ARG and ENV arguments (``parseWords``: Go's
  white space outside quotes; the escape character escapes it), then each word
  is expanded with the ARG/ENV variables in scope, so ``${X:-a b}`` is two
  words, as in ``ENV``; quote it (``"${X:-a b}"``) to keep one.  A plain ``$X`` / ``${X}`` whose
  variable is not set is an error naming it; ``${X:-default}`` is fine.
* Flags come first and use the ``--name=value`` form; :data:`KNOWN_FLAGS` holds
  them with their validators, so one is added without touching the positional
  form.  ``--task-sdk=auto|<version>`` installs ``apache-airflow-task-sdk`` in
  the venv (``auto``: the version the base image's Airflow 3 runs; nothing on
  a base without it), which Airflow 3 tasks there need to read Variables and
  Connections (scripts/make-venv.sh).  ``--installer=pip|uv`` says what
  installs the requirements (default: the ``ASTRO_PYENV_INSTALLER`` setting,
  else pip; :mod:`.planner.installer`).  A ``--word`` after the first
  positional argument is an error, so later flags never change the meaning of
  a valid line.
* The JSON form (``PYENV ["3.12", "x"]``) is rejected with a clear error: it
  would only add a second spelling, since no shell is involved.
* ``<name>`` is letters, digits, ``_`` and ``-``, starting with a letter or
  digit, at most :data:`MAX_NAME_LENGTH` characters; it ends up in paths,
  shell commands and stage names (BuildKit takes stage names up to 237).  A
  name in capitals (``PIP_VERSION``) is refused: its variable would be in the
  space of astro-pyenv's settings (:data:`.layout.SETTING_SUFFIX`).
* ``<requirements-file>`` is a path relative to the build context root,
  normalised to POSIX form; it must stay inside the context and use only
  letters, digits and ``. _ - + @ /`` because it becomes the ``source=`` of a
  ``RUN --mount=type=bind,...`` option, where commas, quotes, ``=``,
  whitespace or ``$`` would change the meaning.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable

from .errors import DockerfileError
from .lexer import Instruction, is_pyenv
from .pyenv_values import (
    check_installer,
    check_task_sdk,
    is_lock,
    msg_task_sdk_with_lock,
    name_problem,
    requirements_problem,
    version_problem,
)
from .variables import ExpansionError, expand
from .word_cursor import lstrip_space, parse_words

__all__ = [
    "KNOWN_FLAGS",
    "PyenvInstruction",
    "parse_pyenv",
]

USAGE = "PYENV [--<flag>=<value> ...] <python-version> <name> [<requirements-file>]"

#: Flag name (without ``--``) -> validator returning an error message or None.
KNOWN_FLAGS: Mapping[str, Callable[[str], str | None]] = MappingProxyType(
    {"installer": check_installer, "task-sdk": check_task_sdk}
)


@dataclass(frozen=True)
class PyenvInstruction:
    version: str
    name: str
    requirements: str | None
    flags: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    line: int = 0
    end_line: int = 0


# -- message builders (tests compare their exact text) -----------------------


def msg_wrong_keyword(keyword: str) -> str:
    return f"expected a PYENV instruction, got {keyword or 'nothing'}"


def msg_argument_count(count: int) -> str:
    plural = "argument" if count == 1 else "arguments"
    return f"PYENV expects <python-version> <name> [<requirements-file>], got {count} {plural}"


def msg_json_form() -> str:
    return f"PYENV does not accept the JSON form; write {USAGE}"


def msg_unknown_flag(flag: str) -> str:
    if not KNOWN_FLAGS:
        return f"unknown flag --{flag}; PYENV accepts no flags yet"
    known = ", ".join(f"--{name}" for name in sorted(KNOWN_FLAGS))
    return f"unknown flag --{flag}; PYENV accepts {known}"


def msg_flag_without_value(flag: str) -> str:
    return f"flag --{flag} needs a value: --{flag}=<value>"


def msg_duplicate_flag(flag: str) -> str:
    return f"flag --{flag} given more than once"


def msg_flag_after_arguments(word: str) -> str:
    return f"flags go before <python-version>: move {word} right after PYENV"


def msg_unset_variable(name: str) -> str:
    return (
        f"variable {name} is not set; declare it with ARG {name} in this stage "
        "(an ARG before the first FROM must be declared again inside the stage)"
    )


def msg_expansion(reason: str) -> str:
    return f"PYENV: {reason}"


# -- parsing ------------------------------------------------------------------


def _expand_word(instr: Instruction, word: str, env: Mapping[str, str], escape: str) -> str:
    try:
        result = expand(word, env, escape)
    except ExpansionError as exc:
        raise DockerfileError.at(instr, msg_expansion(exc.message)) from None
    if result.unset_substituted:
        raise DockerfileError.at(instr, msg_unset_variable(result.unset_substituted[0]))
    return result.value


def parse_pyenv(instr: Instruction, env: Mapping[str, str], escape: str = "\\") -> PyenvInstruction:
    """Parse a PYENV instruction; raise DockerfileError with its line range."""
    if not is_pyenv(instr):
        raise DockerfileError.at(instr, msg_wrong_keyword(instr.keyword))
    if lstrip_space(instr.args).startswith("["):
        raise DockerfileError.at(instr, msg_json_form())
    flags, positional = _split_flags(instr, env, escape)
    values = [_expand_word(instr, word, env, escape) for word in positional]
    if len(values) not in (2, 3):
        raise DockerfileError.at(instr, msg_argument_count(len(values)))
    version, name = values[0], values[1]
    problem = version_problem(version) or name_problem(name)
    if len(values) == 3 and not problem:
        problem = requirements_problem(values[2])
        if not problem and "task-sdk" in flags and is_lock(values[2]):
            problem = msg_task_sdk_with_lock(values[2])
    if problem:
        raise DockerfileError.at(instr, problem)
    return PyenvInstruction(
        version=version,
        name=name,
        requirements=posixpath.normpath(values[2]) if len(values) == 3 else None,
        flags=MappingProxyType(flags),
        line=instr.start_line,
        end_line=instr.end_line,
    )


def _split_flags(instr: Instruction, env: Mapping[str, str], escape: str) -> tuple[dict[str, str], list[str]]:
    """The flags (expanded and checked) and the positional words (as written) of the line."""
    flags: dict[str, str] = {}
    positional: list[str] = []
    flags_done = False
    for raw in parse_words(instr.args, escape):
        if raw == "--" and not flags_done:
            flags_done = True
        elif raw.startswith("--") and not flags_done and not positional:
            name, value = _flag(instr, raw, flags)
            flags[name] = _expand_word(instr, value, env, escape)
            problem = KNOWN_FLAGS[name](flags[name])
            if problem:
                raise DockerfileError.at(instr, problem)
        elif raw.startswith("--") and not flags_done:
            raise DockerfileError.at(instr, msg_flag_after_arguments(raw))
        else:
            positional.append(raw)
    return flags, positional


def _flag(instr: Instruction, raw: str, seen: Mapping[str, str]) -> tuple[str, str]:
    """A ``--name=value`` word's name and value as written, the name checked."""
    name, sep, value = raw[2:].partition("=")
    if name not in KNOWN_FLAGS:
        raise DockerfileError.at(instr, msg_unknown_flag(name))
    if not sep:
        raise DockerfileError.at(instr, msg_flag_without_value(name))
    if name in seen:
        raise DockerfileError.at(instr, msg_duplicate_flag(name))
    return name, value
