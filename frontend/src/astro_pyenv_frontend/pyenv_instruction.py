"""The PYENV instruction: the one place that knows its grammar.

Grammar::

    PYENV [--<flag>=<value> ...] <python-version> <name> [<requirements-file>]

* The keyword is case-insensitive (the lexer upper-cases it).
* Words are split like BuildKit splits instruction arguments (whitespace,
  respecting quotes and the escape character), then each word is expanded
  with the ARG/ENV variables in scope.  A plain ``$X`` / ``${X}`` whose
  variable is not set is an error naming it; ``${X:-default}`` is fine.
* Flags come first and use the ``--name=value`` form; :data:`KNOWN_FLAGS` holds
  them with their validators, so one is added without touching the positional
  form.  ``--task-sdk=auto|<version>`` installs ``apache-airflow-task-sdk`` in
  the venv (``auto``: the version the base image's Airflow 3 runs; nothing on
  a base without it), which Airflow 3 tasks there need to read Variables and
  Connections (scripts/make-venv.sh).  A ``--word`` after the first
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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable

from . import layout
from .errors import DockerfileError
from .go_text import go_is_space
from .lexer import Instruction
from .variables import ExpansionError, expand

__all__ = [
    "KNOWN_FLAGS",
    "MIN_CPYTHON",
    "PyenvInstruction",
    "parse_pyenv",
    "split_raw_words",
    "version_problem",
]

USAGE = "PYENV [--<flag>=<value> ...] <python-version> <name> [<requirements-file>]"

#: Longest <name>; generated stage names add about 20 characters to it.
MAX_NAME_LENGTH = 128

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
_VERSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_-]*\Z")
_PATH_CHARS_RE = re.compile(r"[A-Za-z0-9._+@/-]")
# Files pip -r cannot read, by name: a requirements file is one requirement (or option) a line.
_PROJECT_FILES = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})
_LOCK_FILES = frozenset({"uv.lock", "poetry.lock", "pdm.lock", "pipfile", "pipfile.lock"})
_PYLOCK_RE = re.compile(r"pylock(?:\.[^/]+)?\.toml\Z")  # PEP 751: pylock.toml, pylock.<name>.toml

#: The oldest CPython series a PYENV line can build: the venv script gives each venv pip through
#: ``-m venv`` (ensurepip, CPython 3.4+), and the interpreter check imports lzma (3.3+).
MIN_CPYTHON = (3, 4)
_SERIES_RE = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
# pyenv's definitions of other Pythons, by the start of their names.
_OTHER_PYTHONS = (
    ("pypy", "PyPy"),
    ("graalpy", "GraalPy"),
    ("jython", "Jython"),
    ("ironpython", "IronPython"),
    ("micropython", "MicroPython"),
    ("stackless", "Stackless Python"),
    ("pyston", "Pyston"),
    ("cinder", "Cinder"),
    ("nogil", "the nogil fork"),
    ("activepython", "ActivePython"),
    ("anaconda", "a conda distribution"),
    ("miniconda", "a conda distribution"),
    ("miniforge", "a conda distribution"),
    ("mambaforge", "a conda distribution"),
)

# --task-sdk values: ``auto`` or a release such as 1.1.8 or 1.2.0rc1 (it lands in an exec-form RUN).
_TASK_SDK_RE = re.compile(r"(?:auto|[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc|\.post|\.dev)[0-9]+)?)\Z")


def _check_task_sdk(value: str) -> str | None:
    return None if _TASK_SDK_RE.match(value) else msg_invalid_task_sdk(value)


#: Flag name (without ``--``) -> validator returning an error message or None.
KNOWN_FLAGS: Mapping[str, Callable[[str], str | None]] = MappingProxyType({"task-sdk": _check_task_sdk})


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


def msg_invalid_task_sdk(value: str) -> str:
    return (
        f"invalid --task-sdk={value!r}: use auto (the apache-airflow-task-sdk of the base image's Airflow 3) "
        "or a version such as 1.1.8"
    )


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


def msg_invalid_version(value: str) -> str:
    return f"invalid <python-version> {value!r}: expected a version such as 3.12, 3.13t or 3.12.4"


def msg_not_cpython(value: str) -> str:
    lowered = value.lower()
    what = next((name for prefix, name in _OTHER_PYTHONS if lowered.startswith(prefix)), "not a CPython version")
    return f"<python-version> {value!r} is {what}: PYENV builds CPython only (versions such as 3.12, 3.13t or 3.12.4)"


def msg_dev_version(value: str) -> str:
    return (
        f"<python-version> {value!r} is CPython's development branch, which pyenv builds from a git"
        f" checkout that astro-pyenv does not make: use a release or pre-release ({value[: -len('-dev')]}"
        " picks the newest)"
    )


def msg_too_old(value: str) -> str:
    oldest = ".".join(map(str, MIN_CPYTHON))
    return (
        f"<python-version> {value!r} is older than CPython {oldest}, the oldest PYENV builds: each venv is"
        " made with -m venv and gets its pip from ensurepip, which CPython has from 3.4 on"
    )


def version_problem(value: str) -> str | None:
    """Why a PYENV line cannot build CPython ``value`` (a version or prefix), or None.  Said at the
    line rather than minutes later, when the compile or the venv step fails."""
    if not _VERSION_RE.match(value):
        return msg_invalid_version(value)
    if not value[0].isdigit():
        return msg_not_cpython(value)
    if value.endswith("-dev"):
        return msg_dev_version(value)
    series = _SERIES_RE.match(value)
    assert series is not None  # it starts with a digit
    major, minor = int(series.group(1)), int(series.group(2) or MIN_CPYTHON[1])
    if (major, minor) < MIN_CPYTHON:
        return msg_too_old(value)
    return None


def msg_invalid_name(value: str) -> str:
    return (
        f"invalid <name> {value!r}: use letters, digits, '_' and '-', "
        "starting with a letter or digit"
    )


def msg_setting_name(value: str) -> str:
    variable = layout.environment_variable(value)
    return (
        f"<name> {value!r} would set {variable}, and ASTRO_PYENV_ variables named in capitals are"
        f" astro-pyenv's settings (such as ASTRO_PYENV_PIP_VERSION): use a name with a lower-case letter,"
        f" such as {value.lower()!r}"
    )


def msg_name_too_long(value: str) -> str:
    return f"<name> {value[:20] + '...'!r} is {len(value)} characters long; use at most {MAX_NAME_LENGTH}"


def msg_empty_requirements() -> str:
    return "<requirements-file> is empty; omit it or name a file in the build context"


def msg_absolute_requirements(value: str) -> str:
    return f"<requirements-file> {value!r} must be relative to the build context, not absolute"


def msg_escaping_requirements(value: str) -> str:
    return f"<requirements-file> {value!r} points outside the build context"


def msg_not_a_file_requirements(value: str) -> str:
    return f"<requirements-file> {value!r} must name a file, not a directory"


def msg_project_file_requirements(value: str) -> str:
    return (
        f"<requirements-file> {value!r} is a project file, not a requirements file: pip -r reads one"
        " requirement per line; write the dependencies to a requirements file (pip-compile or"
        " uv pip compile make one from a project)"
    )


def msg_lock_file_requirements(value: str) -> str:
    return (
        f"<requirements-file> {value!r} is a lock file, which pip -r cannot read: export it as a"
        " requirements file (uv export --format requirements-txt, poetry export, pdm export, ...)"
    )


def msg_toml_requirements(value: str) -> str:
    return (
        f"<requirements-file> {value!r} is a TOML file, which pip -r cannot read: a requirements file"
        " holds one requirement per line"
    )


def msg_bad_requirements_char(value: str, char: str) -> str:
    return (
        f"<requirements-file> {value!r} contains {char!r}, which cannot be used in a "
        "--mount source; use only letters, digits and . _ - + @ /"
    )


# -- parsing ------------------------------------------------------------------


def split_raw_words(text: str, escape: str) -> list[str]:
    """Split on whitespace outside quotes and ``${...}``, keeping quotes and
    escapes so each word can then be expanded on its own."""
    words: list[str] = []
    buf: list[str] = []
    quote = ""
    depth = 0  # nesting of ${...}
    in_word = False
    i = 0
    while i < len(text):
        ch = text[i]
        i += 1
        if not quote and not depth and go_is_space(ch):
            if in_word:
                words.append("".join(buf))
                buf = []
                in_word = False
            continue
        in_word = True
        buf.append(ch)
        if quote == "'":
            if ch == quote:
                quote = ""
        elif ch == escape and i < len(text):
            buf.append(text[i])
            i += 1
        elif ch == "$" and text.startswith("{", i):
            buf.append("{")
            i += 1
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        elif ch == quote:
            quote = ""
        elif not quote and ch in "'\"":
            quote = ch
    if in_word:
        words.append("".join(buf))
    return words



def _expand_word(instr: Instruction, word: str, env: Mapping[str, str], escape: str) -> str:
    try:
        result = expand(word, env, escape)
    except ExpansionError as exc:
        raise DockerfileError.at(instr, msg_expansion(exc.message)) from None
    if result.unset_substituted:
        raise DockerfileError.at(instr, msg_unset_variable(result.unset_substituted[0]))
    return result.value


def _check_requirements(value: str) -> str | None:
    """Return the problem with a requirements path, or None."""
    if not value:
        return msg_empty_requirements()
    for char in value:
        if not _PATH_CHARS_RE.match(char):
            return msg_bad_requirements_char(value, char)
    if value.startswith("/"):
        return msg_absolute_requirements(value)
    if value.endswith("/"):
        return msg_not_a_file_requirements(value)
    normal = posixpath.normpath(value)
    if normal == ".." or normal.startswith("../"):
        return msg_escaping_requirements(value)
    if normal == ".":
        return msg_not_a_file_requirements(value)
    base = posixpath.basename(normal).lower()
    if base in _PROJECT_FILES:
        return msg_project_file_requirements(value)
    if base in _LOCK_FILES or _PYLOCK_RE.match(base):
        return msg_lock_file_requirements(value)
    if base.endswith(".toml"):
        return msg_toml_requirements(value)
    return None


def parse_pyenv(instr: Instruction, env: Mapping[str, str], escape: str = "\\") -> PyenvInstruction:
    """Parse a PYENV instruction; raise DockerfileError with its line range."""
    if instr.keyword != "PYENV":
        raise DockerfileError.at(instr, msg_wrong_keyword(instr.keyword))
    if instr.args.lstrip().startswith("["):
        raise DockerfileError.at(instr, msg_json_form())

    flags: dict[str, str] = {}
    positional: list[str] = []
    flags_done = False
    for raw in split_raw_words(instr.args, escape):
        if raw == "--" and not flags_done:
            flags_done = True
            continue
        if raw.startswith("--") and not flags_done and not positional:
            name, sep, value = raw[2:].partition("=")
            if name not in KNOWN_FLAGS:
                raise DockerfileError.at(instr, msg_unknown_flag(name))
            if not sep:
                raise DockerfileError.at(instr, msg_flag_without_value(name))
            if name in flags:
                raise DockerfileError.at(instr, msg_duplicate_flag(name))
            value = _expand_word(instr, value, env, escape)
            problem = KNOWN_FLAGS[name](value)
            if problem:
                raise DockerfileError.at(instr, problem)
            flags[name] = value
            continue
        if raw.startswith("--") and not flags_done:
            raise DockerfileError.at(instr, msg_flag_after_arguments(raw))
        positional.append(raw)

    values = [_expand_word(instr, word, env, escape) for word in positional]
    if len(values) not in (2, 3):
        raise DockerfileError.at(instr, msg_argument_count(len(values)))
    version, name = values[0], values[1]
    problem = version_problem(version)
    if problem:
        raise DockerfileError.at(instr, problem)
    if not _NAME_RE.match(name):
        raise DockerfileError.at(instr, msg_invalid_name(name))
    if len(name) > MAX_NAME_LENGTH:
        raise DockerfileError.at(instr, msg_name_too_long(name))
    if layout.is_setting(layout.environment_variable(name)):
        raise DockerfileError.at(instr, msg_setting_name(name))
    requirements: str | None = None
    if len(values) == 3:
        problem = _check_requirements(values[2])
        if problem:
            raise DockerfileError.at(instr, problem)
        requirements = posixpath.normpath(values[2])
    return PyenvInstruction(
        version=version,
        name=name,
        requirements=requirements,
        flags=MappingProxyType(flags),
        line=instr.start_line,
        end_line=instr.end_line,
    )
