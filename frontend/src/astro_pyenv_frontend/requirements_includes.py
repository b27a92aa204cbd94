"""The files a requirements file includes (``-r``/``-c``), followed within the build context.

A PYENV line's requirements file is bind-mounted into its venv step, which sees nothing else of
the build context; so the files it names with ``-r``/``--requirement`` and ``-c``/``--constraint``
(and those name, in turn) are mounted too, each at its path in the context, where pip and uv
look for them: relative to the directory of the file that names them, as both resolve them.
An include that leaves the context (``..`` past its root, an absolute path), is not in it, or
names itself through a variable is the PYENV line's error; one that is a URL is the installer's
to fetch.  A uv.lock "includes" its project's pyproject.toml, beside it: ``uv export`` reads both.
Pure: the caller reads the files (the gateway through BuildKit, the CLI from disk).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .pyenv_values import is_pylock, is_uv_lock, requirements_problem, uv_lock_project

__all__ = [
    "IncludeError",
    "Included",
    "all_includes",
    "from_directory",
    "include_targets",
    "included_files",
    "read_in_rounds",
    "uv_lock_includes",
]

# An option line naming another file: -r X, -rX, --requirement X, --requirement=X (-c likewise).
_INCLUDE = re.compile(r"^(?:-[rc]\s*|--(?:requirement|constraint)(?:\s*=\s*|\s+))(?P<target>\S+)")
_URL = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*://")
#: How deep includes may nest (pip has no limit; a cycle is caught before this).
MAX_DEPTH = 20


class IncludeError(Exception):
    """An include that cannot be followed; the message names the file and what it includes."""


@dataclass(frozen=True)
class Included:
    """The files ``main`` includes, directly or not, by path in the build context, in the order
    found (``main`` itself not among them)."""

    main: str
    files: tuple[str, ...]


def msg_outside(main: str, including: str, target: str) -> str:
    return (
        f"<requirements-file> {main!r} includes {target!r} ({including}), which is outside the build"
        " context: PYENV follows -r and -c includes only within it"
    )


def msg_missing(main: str, including: str, target: str) -> str:
    return f"<requirements-file> {main!r} includes {target!r} ({including}), which is not a file in the build context"


def msg_variable(main: str, including: str, target: str) -> str:
    return (
        f"<requirements-file> {main!r} includes {target!r} ({including}) through a variable, which"
        " PYENV cannot follow: write the path"
    )


def msg_too_deep(main: str) -> str:
    return f"<requirements-file> {main!r} nests -r and -c includes more than {MAX_DEPTH} deep"


def msg_no_project(main: str, project: str) -> str:
    return (
        f"<requirements-file> {main!r} needs its project's {project!r} beside it in the build context:"
        " uv exports the lock with it"
    )


def uv_lock_includes(main: str, read: Callable[[str], str | None]) -> Included:
    """What the venv step of the uv.lock ``main`` mounts beside it: its project's pyproject.toml."""
    project = uv_lock_project(main)
    if read(main) is not None and read(project) is None:
        raise IncludeError(msg_no_project(main, project))
    return Included(main, (project,))


def include_targets(text: str) -> list[str]:
    """The paths or URLs ``-r``/``-c`` option lines of ``text`` name, in order (pip's lines:
    continuations joined, comments dropped)."""
    joined = re.sub(r"\\\r?\n", "", text.removeprefix("\ufeff"))
    found = []
    for raw in joined.splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw).strip()
        match = _INCLUDE.match(line)
        if match:
            found.append(match.group("target"))
    return found


def _resolve(main: str, including: str, target: str) -> str | None:
    """``target`` as a path in the build context (None for a URL)."""
    if _URL.match(target):
        return None
    where = _where(main, including)
    if "$" in target:
        raise IncludeError(msg_variable(main, where, target))
    if target.startswith("/"):
        raise IncludeError(msg_outside(main, where, target))
    path = posixpath.normpath(posixpath.join(posixpath.dirname(including), target))
    if path == ".." or path.startswith("../"):
        raise IncludeError(msg_outside(main, where, target))
    problem = requirements_problem(path)
    if problem is not None:
        raise IncludeError(f"<requirements-file> {main!r} includes {target!r} ({where}): {problem}")
    return path


def included_files(main: str, read: Callable[[str], str | None]) -> Included:
    """Every file ``main`` includes, read with ``read`` (None: not a file in the context)."""
    origin: dict[str, tuple[str, str, int]] = {}  # path -> (the file naming it, as named, depth)
    queue = [main]
    while queue:
        including = queue.pop(0)
        text = read(including)
        if text is None:
            if including == main:
                return Included(main, ())  # the build says so at the line, as without includes
            parent, target, _ = origin[including]
            raise IncludeError(msg_missing(main, _where(main, parent), target))
        depth = origin[including][2] if including in origin else 0
        for target in include_targets(text):
            path = _resolve(main, including, target)
            if path is None or path == main or path in origin:
                continue
            if depth + 1 > MAX_DEPTH:
                raise IncludeError(msg_too_deep(main))
            origin[path] = (including, target, depth + 1)
            queue.append(path)
    return Included(main, tuple(origin))


def _where(main: str, including: str) -> str:
    return f"in {including}" if including != main else "on one of its lines"


def all_includes(paths: Iterable[str], read: Callable[[str], str | None]) -> dict[str, tuple[str, ...] | str]:
    """By requirements path (pylock.toml files left out: TOML has no includes): the files it
    includes, or why they cannot be followed (the transform's ``requirements_includes``)."""
    found: dict[str, tuple[str, ...] | str] = {}
    for path in dict.fromkeys(paths):
        if is_pylock(path):
            continue
        try:
            found[path] = (uv_lock_includes if is_uv_lock(path) else included_files)(path, read).files
        except IncludeError as exc:
            found[path] = str(exc)
    return found


def read_in_rounds(
    paths: Iterable[str], fetch: Callable[[list[str]], Mapping[str, str | None]]
) -> dict[str, tuple[str, ...] | str]:
    """:func:`all_includes`, the files fetched a round at a time (``fetch``: the texts of the
    paths asked for, None where not a file), as the gateway reads the build context: each round
    asks for what the files read so far include."""
    wanted = list(dict.fromkeys(paths))
    texts: dict[str, str | None] = {}
    for _ in range(MAX_DEPTH + 2):
        asked: list[str] = []
        found = all_includes(wanted, _reading(texts, asked))
        if not asked:
            return found
        texts.update(fetch(list(dict.fromkeys(asked))))
    return all_includes(wanted, texts.get)


def _reading(texts: Mapping[str, str | None], asked: list[str]) -> Callable[[str], str | None]:
    """A reader of ``texts`` that notes in ``asked`` each path not read yet (as if empty, this round)."""

    def read(path: str) -> str | None:
        if path in texts:
            return texts[path]
        asked.append(path)
        return ""

    return read


def from_directory(context: Path, paths: Iterable[str]) -> dict[str, tuple[str, ...] | str]:
    """:func:`all_includes` of files in the directory ``context`` (the CLI's build context)."""

    def read(path: str) -> str | None:
        try:
            return (context / path).read_bytes().decode("utf-8", "replace")
        except OSError:  # not a file there (the build says so at the line)
            return None

    return all_includes(paths, read)
