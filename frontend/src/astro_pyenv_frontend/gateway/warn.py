"""Warnings through BuildKit's warning API, at the user's lines (best effort: never fails a build)."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from ..contract import TransformWarning
from . import errors as gwerrors
from . import llb
from .client import GatewayCallError, LLBBridgeClient
from .proto import ops_pb2
from .source import UserDockerfile


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
