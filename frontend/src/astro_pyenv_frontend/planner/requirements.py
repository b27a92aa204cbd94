"""What a venv step installs from: the PYENV line's requirements file and the files it includes.

The includes (``-r``/``-c``, followed within the build context: :mod:`..requirements_includes`)
are a fact the caller read for the plan, by requirements path: the files, or why they cannot be
followed, which is the line's error.  A path the caller did not read has none (the CLI without a
context, a first pass of the gateway); a pylock.toml has none either (it is TOML).  A uv.lock's
venv step mounts its project's pyproject.toml beside it whether read or not (``uv export`` needs it).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import DockerfileError, Located
from ..pyenv_instruction import PyenvInstruction
from ..pyenv_values import is_pylock, is_uv_lock, uv_lock_project

__all__ = ["Includes", "includes_for"]

#: By requirements path (as on the PYENV line): the files it includes, or why they cannot be followed.
Includes = Mapping[str, "tuple[str, ...] | str"]


def includes_for(pyenv: PyenvInstruction, item: Located, includes: Includes) -> tuple[str, ...]:
    """The files ``pyenv``'s requirements file includes; what cannot be followed is the line's error."""
    if pyenv.requirements is None or is_pylock(pyenv.requirements):
        return ()
    unread = (uv_lock_project(pyenv.requirements),) if is_uv_lock(pyenv.requirements) else ()
    found = includes.get(pyenv.requirements, unread)
    if isinstance(found, str):
        raise DockerfileError.at(item, found)
    return found
