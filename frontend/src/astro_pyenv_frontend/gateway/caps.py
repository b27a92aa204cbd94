"""The capabilities we need from the engine, checked before anything is read.

Each required capability is listed with the BuildKit release that introduced it (moby/buildkit's
frontend/gateway/pb/caps.go and solver/pb/caps.go) and what we use it for.  The newest of them
sets the minimum BuildKit, and DOCKER_BUILDKIT the first Docker Engine that shipped it: today
``gateway.evaluate``, BuildKit 0.11, Docker 24.0 (Docker 23.0 has BuildKit 0.10).  Features
without a capability agree: the generated Dockerfile's ``COPY --link`` needs the built-in
Dockerfile frontend 1.4 (BuildKit 0.10).  An engine that lacks any of them gets one error naming
that minimum; tests/unit/gateway/test_caps.py checks it against capability lists recorded from
real engines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import GatewayError
from .proto import gateway_pb2

# The BuildKit each Docker Engine release line vendors (moby/moby's vendor.mod at its .0 tag).
DOCKER_BUILDKIT = (
    ("20.10", "0.8"),
    ("23.0", "0.10"),
    ("24.0", "0.11"),
    ("25.0", "0.12"),
    ("26.0", "0.13"),
    ("27.0", "0.14"),
    ("28.0", "0.20"),
)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def first_docker_with(buildkit: str) -> str:
    """The first Docker Engine release whose BuildKit is ``buildkit`` or newer."""
    return next(docker for docker, bk in DOCKER_BUILDKIT if _version(bk) >= _version(buildkit))


@dataclass(frozen=True)
class Cap:
    """A capability we rely on: its id, the BuildKit release that added it, what it is for."""

    id: str
    since: str
    used_for: str


# Needed for any build: the calls we make and the LLB we send.  gateway.evaluate (the solve is
# evaluated inside our call) is how build errors come back to be reported on the user's
# Dockerfile lines; a Dockerfile without PYENV lines does not use it, but an engine without it is
# older than we support.
REQUIRED_FRONTEND_CAPS = (
    Cap("solve.base", "0.3", "solving the Dockerfile"),
    Cap("readfile", "0.3", "reading the Dockerfile"),
    Cap("return", "0.3", "returning the result"),
    Cap("returnmap", "0.3", "returning multi-platform results"),
    Cap("frontend.inputs", "0.7", "handing the Dockerfile to dockerfile.v0"),
    Cap("gateway.evaluate", "0.11", "build errors reported on your Dockerfile's lines"),
)
REQUIRED_LLB_CAPS = (
    Cap("source.local", "0.3", "the build context"),
    Cap("source.local.sessionid", "0.3", "the build context"),
    Cap("source.local.followpaths", "0.3", "reading the Dockerfile alone"),
    Cap("file.base", "0.5", "the generated Dockerfile"),
)
# Needed when PYENV lines were converted: what the generated Dockerfile uses.  COPY --link needs
# nothing here: without the mergeop capability (Docker's graphdriver store lacks it)
# dockerfile.v0 makes it a plain copy.
GENERATED_LLB_CAPS = (
    Cap("exec.mount.bind", "0.3", "RUN --mount=type=bind"),
    Cap("exec.mount.selector", "0.3", "RUN --mount=type=bind,source="),
    Cap("exec.mount.cache", "0.3", "RUN --mount=type=cache"),
    Cap("exec.mount.cache.sharing", "0.3", "RUN --mount=type=cache,sharing="),
    Cap("exec.mount.secret", "0.3", "RUN --mount=type=secret"),
)


MINIMUM_BUILDKIT = max(
    (cap.since for cap in (*REQUIRED_FRONTEND_CAPS, *REQUIRED_LLB_CAPS, *GENERATED_LLB_CAPS)), key=_version
)
MINIMUM_DOCKER = first_docker_with(MINIMUM_BUILDKIT)


def _enabled(caps: Iterable[Any]) -> set[str]:
    return {c.ID for c in caps if c.Enabled}


def _describe(cap: Cap, reported: Mapping[str, Any]) -> str:
    """One missing capability: not there at all (BuildKit before ``since``), or disabled."""
    found = reported.get(cap.id)
    if found is not None:
        reason = found.DisabledReasonMsg or found.DisabledReason or "no reason given"
        return f"{cap.id} ({cap.used_for}) is disabled in this engine: {reason}"
    return f"{cap.id} ({cap.used_for}; BuildKit {cap.since}+)"


def _check(required: Sequence[Cap], enabled: set[str], reported: Mapping[str, Any]) -> None:
    missing = [_describe(cap, reported) for cap in required if cap.id not in enabled]
    if missing:
        raise GatewayError(
            "this Docker engine's BuildKit is too old for the astro-pyenv frontend: it lacks "
            + "; ".join(missing)
            + f". astro-pyenv needs Docker Engine {MINIMUM_DOCKER} or later (BuildKit {MINIMUM_BUILDKIT}"
            " or later; `docker version` shows the engine's version): upgrade Docker or Docker Desktop"
        )


def check_caps(pong: gateway_pb2.PongResponse) -> tuple[set[str], set[str]]:
    """Fail clearly when the engine lacks a call or LLB feature every build relies on.

    Returns the enabled frontend API and LLB capabilities.
    """
    frontend_caps = _enabled(pong.FrontendAPICaps)
    llb_caps = _enabled(pong.LLBCaps)
    reported = {c.ID: c for c in [*pong.FrontendAPICaps, *pong.LLBCaps]}
    _check([*REQUIRED_FRONTEND_CAPS, *REQUIRED_LLB_CAPS], frontend_caps | llb_caps, reported)
    return frontend_caps, llb_caps


def check_generated_caps(llb_caps: set[str]) -> None:
    """Fail clearly when the engine cannot run what PYENV lines turn into."""
    _check(GENERATED_LLB_CAPS, llb_caps, {})
