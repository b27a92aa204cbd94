"""Files of the build context read through BuildKit, each at most once per build: the
requirements files, for what they include (:mod:`.requirements`) and for the checks
(:mod:`.checks`), which then share one solve of the context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import llb
from .client import GatewayCallError, LLBBridgeClient, result_ref_id
from .opts import FrontendOpts
from .proto import ops_pb2

__all__ = ["CONTEXT_INPUT", "ContextFiles", "GatewayCallError", "context_definition"]

CONTEXT_INPUT = "context"


def context_definition(
    fopts: FrontendOpts, inputs: Mapping[str, ops_pb2.Definition], paths: Sequence[str]
) -> ops_pb2.Definition:
    """The build context (its ``paths`` only, when it is the client's local directory)."""
    if CONTEXT_INPUT in inputs:
        return inputs[CONTEXT_INPUT]
    name = fopts.opts.get("contextkey") or CONTEXT_INPUT
    return llb.local_source(
        name,
        session_id=fopts.opts.get("local-sessionid:" + name) or fopts.session_id,
        follow_paths=paths,
        shared_key_hint=name,
        custom_name="[internal] astro-pyenv: load requirements files",
    )


class ContextFiles:
    """The texts of context files (None: not a file there), read on first ask, one solve for
    each batch of paths not read yet."""

    def __init__(self, client: LLBBridgeClient, fopts: FrontendOpts, inputs: Mapping[str, ops_pb2.Definition]) -> None:
        self._client = client
        self._fopts = fopts
        self._inputs = inputs
        self._texts: dict[str, str | None] = {}

    def read(self, paths: Sequence[str]) -> dict[str, str | None]:
        """The texts of ``paths``; GatewayCallError when the context cannot be loaded."""
        missing = [path for path in dict.fromkeys(paths) if path not in self._texts]
        if missing:
            ref = result_ref_id(self._client.solve(context_definition(self._fopts, self._inputs, missing)))
            for path in missing:
                try:
                    self._texts[path] = self._client.read_file(ref, path).decode("utf-8", "replace")
                except GatewayCallError:
                    self._texts[path] = None
        return {path: self._texts[path] for path in paths}
