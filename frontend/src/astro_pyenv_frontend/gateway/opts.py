"""Frontend options as BuildKit hands them to a gateway frontend.

BuildKit puts each option in its own variable ``BUILDKIT_FRONTEND_OPT_<i>``
whose value is ``key=value`` (the first ``=`` separates them; values may hold
more).  The session id and worker list come in their own variables.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

OPT_PREFIX = "BUILDKIT_FRONTEND_OPT_"
BUILD_ARG_PREFIX = "build-arg:"
DEFAULT_FILENAME = "Dockerfile"
DEFAULT_DOCKERFILE_LOCAL = "dockerfile"


#: The frontend option naming a subrequest (``--call=outline|targets|check``); absent for a build.
REQUEST_ID = "requestid"


@dataclass(frozen=True)
class FrontendOpts:
    """Everything BuildKit told us about this build, unchanged."""

    opts: Mapping[str, str] = field(default_factory=dict)
    session_id: str = ""
    workers: tuple[Any, ...] = ()

    @property
    def subrequest(self) -> str | None:
        """The subrequest this call asks for, or None for a build."""
        return self.opts.get(REQUEST_ID)

    @property
    def source(self) -> str:
        """Our own image reference (the ``# syntax`` value)."""
        return self.opts.get("source", "") or self.opts.get("cmdline", "").split(" ", 1)[0]

    @property
    def filename(self) -> str:
        """Path of the Dockerfile inside the dockerfile source (``docker build -f``)."""
        return self.opts.get("filename") or DEFAULT_FILENAME

    @property
    def dockerfile_local_name(self) -> str:
        """Name of the local the client serves the Dockerfile under."""
        return self.opts.get("dockerfilekey") or DEFAULT_DOCKERFILE_LOCAL

    @property
    def force_local_dockerfile(self) -> bool:
        """``dockerfilekey`` makes dockerfile.v0 ignore a ``dockerfile`` input."""
        return "dockerfilekey" in self.opts

    @property
    def target(self) -> str | None:
        return self.opts.get("target") or None

    @property
    def build_args(self) -> dict[str, str]:
        return {
            k[len(BUILD_ARG_PREFIX):]: v for k, v in self.opts.items() if k.startswith(BUILD_ARG_PREFIX)
        }

    def with_build_arg(self, name: str, value: str) -> FrontendOpts:
        """These options with build arg ``name`` set to ``value`` (replacing any given)."""
        return replace(self, opts={**self.opts, BUILD_ARG_PREFIX + name: value})

    @property
    def remote_context(self) -> bool:
        """True when the build context is a git or HTTP URL (no local Dockerfile)."""
        name = self.opts.get("contextkey") or "context"
        value = self.opts.get(name, "")
        return "://" in value or value.startswith("git@") or value.endswith(".git")


def parse_env(environ: Mapping[str, str] | None = None) -> FrontendOpts:
    """Collect the frontend options from ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    opts: dict[str, str] = {}
    for name, raw in env.items():
        if not name.startswith(OPT_PREFIX) or not name[len(OPT_PREFIX):].isdigit():
            continue
        key, sep, value = raw.partition("=")
        if sep:
            opts[key] = value
        else:
            opts[key] = ""
    workers: tuple[Any, ...] = ()
    raw_workers = env.get("BUILDKIT_WORKERS", "")
    if raw_workers:
        try:
            loaded = json.loads(raw_workers)
            if isinstance(loaded, list):
                workers = tuple(loaded)
        except ValueError:
            pass
    return FrontendOpts(opts=opts, session_id=env.get("BUILDKIT_SESSION_ID", ""), workers=workers)
