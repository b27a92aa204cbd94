"""The files PYENV requirements files include (-r/-c), read from the build context for the
transform, which mounts them into the venv steps (:mod:`..requirements_includes`).

A round of reads per level of includes, each one solve of the context's named files; a context
that cannot be loaded leaves every file without includes (mounted alone, as before), and the
build says what it says about them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..contract import PyenvUse
from ..requirements_includes import read_in_rounds
from .context_files import ContextFiles, GatewayCallError
from .opts import FrontendOpts

__all__ = ["read_includes"]


def read_includes(
    files: ContextFiles, fopts: FrontendOpts, environments: Sequence[PyenvUse]
) -> dict[str, tuple[str, ...] | str]:
    """By requirements path: the files it includes, or why they cannot be followed."""
    paths = [use.requirements for use in environments if use.requirements]
    if not paths or fopts.remote_context:
        return {}
    try:
        return read_in_rounds(paths, files.read)
    except GatewayCallError as err:
        print(f"astro-pyenv: could not load the build context for requirements files: {err}", file=sys.stderr)
        return {}
