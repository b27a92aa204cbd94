"""The values of a PYENV line, checked: <python-version>, <name>, <requirements-file> and the
flags' values, with the messages that say what is wrong (tests compare their exact text).

Checked at the line rather than minutes later, when the compile or the venv step fails; see
:mod:`.pyenv_instruction` for the grammar and why each rule holds.
"""

from __future__ import annotations

import posixpath
import re

from . import layout

__all__ = [
    "MAX_NAME_LENGTH",
    "INSTALLERS",
    "MIN_CPYTHON",
    "check_installer",
    "check_task_sdk",
    "is_lock",
    "is_pylock",
    "is_uv_lock",
    "uv_lock_project",
    "name_problem",
    "requirements_problem",
    "version_problem",
]

#: Longest <name>; generated stage names add about 20 characters to it.
MAX_NAME_LENGTH = 128

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
_VERSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_-]*\Z")
_PATH_CHARS_RE = re.compile(r"[A-Za-z0-9._+@/-]")
# Files pip -r cannot read, by name: a requirements file is one requirement (or option) a line.
_PROJECT_FILES = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})
_LOCK_FILES = frozenset({"poetry.lock", "pdm.lock", "pipfile", "pipfile.lock"})
_PYLOCK_RE = re.compile(r"pylock(?:\.[^/]+)?\.toml\Z")  # PEP 751: pylock.toml, pylock.<name>.toml


def msg_task_sdk_with_lock(value: str) -> str:
    return (
        f"--task-sdk cannot be added to <requirements-file> {value!r}: a lock file is installed exactly"
        " as locked, with nothing beside it; lock apache-airflow-task-sdk in it instead"
    )


def is_pylock(path: str) -> bool:
    """Whether ``path`` names a PEP 751 lock file, which pip (26.3 on) and uv install exactly."""
    return _PYLOCK_RE.match(posixpath.basename(path).lower()) is not None


def is_uv_lock(path: str) -> bool:
    """Whether ``path`` names a uv project's lock file: the venv step exports it with uv (its
    project's pyproject.toml beside it) and installs the export exactly."""
    return posixpath.basename(path).lower() == "uv.lock"


def uv_lock_project(path: str) -> str:
    """The pyproject.toml beside the uv.lock ``path``, by path in the build context."""
    return posixpath.join(posixpath.dirname(posixpath.normpath(path)), "pyproject.toml")


def is_lock(path: str) -> bool:
    """Whether ``path`` names a lock file PYENV installs exactly as locked (nothing added, all pinned)."""
    return is_pylock(path) or is_uv_lock(path)

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


#: --installer values: what installs the requirements into the venv (scripts/make-venv.sh).
INSTALLERS = ("pip", "uv")


def check_installer(value: str) -> str | None:
    return None if value in INSTALLERS else msg_invalid_installer(value)


def msg_invalid_installer(value: str) -> str:
    return f"invalid --installer={value!r}: use pip or uv"


def check_task_sdk(value: str) -> str | None:
    return None if _TASK_SDK_RE.match(value) else msg_invalid_task_sdk(value)


def msg_invalid_task_sdk(value: str) -> str:
    return (
        f"invalid --task-sdk={value!r}: use auto (the apache-airflow-task-sdk of the base image's Airflow 3) "
        "or a version such as 1.1.8"
    )


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
        " pylock.toml (uv export --format pylock.toml, pip lock) or a requirements file"
        " (uv export --format requirements-txt, poetry export, pdm export, ...)"
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


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name an environment, or None."""
    if not _NAME_RE.match(name):
        return msg_invalid_name(name)
    if len(name) > MAX_NAME_LENGTH:
        return msg_name_too_long(name)
    if layout.is_setting(layout.environment_variable(name)):
        return msg_setting_name(name)
    return None


def requirements_problem(value: str) -> str | None:
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
    if base in _LOCK_FILES:
        return msg_lock_file_requirements(value)
    if base.endswith(".toml") and not is_pylock(base):
        return msg_toml_requirements(value)
    return None
