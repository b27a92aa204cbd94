"""The engine/mirror/CA flags of ``docker build``, from ``.ci/build-flags.sh``.

That script is their one definition: the CI scripts source it, the e2e harness and this
benchmark run it.  It reads ``PYTHON_BUILD_MIRROR_URL`` and ``ASTRO_PYENV_CA_BUNDLE`` from the
environment (``.ci/engine-env.sh`` sets them offline), which does not change during a run, so
each combination is asked for once.
"""

from __future__ import annotations

import functools
import subprocess

from .config import REPO

BUILD_FLAGS_SCRIPT = REPO / ".ci" / "build-flags.sh"


@functools.cache
def build_flags(*, mirror: bool, ca: bool) -> tuple[str, ...]:
    """``--network host``, plus the mirror build arg (``mirror``) and the CA secret (``ca``) when set."""
    wanted = [name for name, on in (("mirror", mirror), ("ca", ca)) if on]
    done = subprocess.run(["bash", str(BUILD_FLAGS_SCRIPT), *wanted], capture_output=True, text=True, check=True)
    return tuple(done.stdout.split("\0")[:-1])
