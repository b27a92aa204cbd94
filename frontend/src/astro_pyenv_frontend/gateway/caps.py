"""The capabilities we need from the engine, checked before anything is read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import GatewayError
from .proto import gateway_pb2

REQUIRED_FRONTEND_CAPS = ("solve.base", "readfile", "return", "returnmap", "frontend.inputs")
REQUIRED_LLB_CAPS = ("source.local", "source.local.sessionid", "source.local.followpaths", "file.base")
# What the generated Dockerfile uses: RUN --mount (bind, cache with sharing, secret).  COPY --link
# needs nothing here: without the mergeop capability (Docker's graphdriver store lacks it)
# dockerfile.v0 makes it a plain copy.
GENERATED_LLB_CAPS = {
    "exec.mount.bind": "RUN --mount=type=bind",
    "exec.mount.selector": "RUN --mount=type=bind,source=",
    "exec.mount.cache": "RUN --mount=type=cache",
    "exec.mount.cache.sharing": "RUN --mount=type=cache,sharing=locked",
    "exec.mount.secret": "RUN --mount=type=secret",
}


def _enabled(caps: Iterable[Any]) -> set[str]:
    return {c.ID for c in caps if c.Enabled}


def check_caps(pong: gateway_pb2.PongResponse) -> tuple[set[str], set[str]]:
    """Fail clearly when the engine lacks a call or LLB feature we rely on.

    Returns the enabled frontend API and LLB capabilities.
    """
    frontend_caps = _enabled(pong.FrontendAPICaps)
    llb_caps = _enabled(pong.LLBCaps)
    missing = [c for c in REQUIRED_FRONTEND_CAPS if c not in frontend_caps]
    missing += [c for c in REQUIRED_LLB_CAPS if c not in llb_caps]
    if missing:
        raise GatewayError(
            "this BuildKit is too old for the astro-pyenv frontend: it lacks "
            + ", ".join(missing)
            + " (use Docker 23+ / BuildKit 0.11+)"
        )
    return frontend_caps, llb_caps


def check_generated_caps(llb_caps: set[str]) -> None:
    """Fail clearly when the engine cannot run what PYENV lines turn into."""
    missing = [f"{cap} ({used_by})" for cap, used_by in GENERATED_LLB_CAPS.items() if cap not in llb_caps]
    if missing:
        raise GatewayError(
            "this BuildKit cannot build what PYENV lines need: it lacks "
            + ", ".join(missing)
            + " (use Docker 23+ / BuildKit 0.11+)"
        )
