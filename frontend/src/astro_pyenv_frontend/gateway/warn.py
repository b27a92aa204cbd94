"""Warnings through BuildKit's warning API, at the user's lines (best effort: never fails a build)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from ..contract import BaseImageUse, TransformWarning
from . import errors as gwerrors
from . import llb
from .client import GatewayCallError, LLBBridgeClient
from .opts import FrontendOpts
from .platforms import platform_message, target_platforms
from .proto import ops_pb2
from .source import UserDockerfile


def onbuild_warnings(
    client: LLBBridgeClient, fopts: FrontendOpts, bases: Iterable[BaseImageUse]
) -> list[TransformWarning]:
    """Warn about base images with ONBUILD steps under PYENV lines (best effort).

    Their ONBUILD steps run at FROM, before the PYENV work, so a change to what
    they copy rebuilds every PYENV stage.  A base that cannot be resolved here
    is left to dockerfile.v0, which reports it properly.
    """
    targets = target_platforms(fopts)
    platform = platform_message(targets[0]) if targets else None
    found = []
    for base in bases:
        try:
            raw = client.resolve_image_config(
                base.image,
                platform=platform,
                resolve_mode=fopts.opts.get("image-resolve-mode", ""),
                log_name=f"[internal] astro-pyenv: check {base.image} for ONBUILD",
            )
            onbuild = (json.loads(raw or b"{}").get("config") or {}).get("OnBuild") or []
        except (GatewayCallError, ValueError, AttributeError, RecursionError) as err:
            print(f"astro-pyenv: could not check {base.image} for ONBUILD: {err}", file=sys.stderr)
            continue
        if onbuild:
            found.append(
                TransformWarning(
                    f"{base.image} has {len(onbuild)} ONBUILD step(s); they run before the PYENV work,"
                    " so changing what they copy rebuilds the Python environments",
                    base.line,
                )
            )
    return found


def send_warnings(client: LLBBridgeClient, src: UserDockerfile, warnings: Iterable[TransformWarning]) -> None:
    digest = llb.head_digest(src.definition)
    for w in warnings:
        line = max(1, int(w.line))
        rng = ops_pb2.Range(start=ops_pb2.Position(line=line), end=ops_pb2.Position(line=line))
        info = ops_pb2.SourceInfo(
            filename=src.filename, data=gwerrors.snippet_data(src.data, [(line, line)]), language=gwerrors.LANGUAGE
        )
        try:
            client.warn(gwerrors.safe_text(w.message), digest=digest, info=info, ranges=(rng,))
        except GatewayCallError as err:  # a lost warning must not fail the build
            print(f"astro-pyenv: warning not delivered: {err}", file=sys.stderr)
