"""Reading the user's Dockerfile from the client, the way dockerfile.v0 would."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import GatewayError
from . import errors as gwerrors
from . import llb
from .client import GatewayCallError, LLBBridgeClient, result_ref_id
from .opts import FrontendOpts
from .proto import ops_pb2

DOCKERFILE_INPUT = "dockerfile"


@dataclass(frozen=True)
class UserDockerfile:
    """The user's Dockerfile as read from the client, with where it came from."""

    filename: str
    data: bytes
    dockerignore: bytes | None
    definition: ops_pb2.Definition

    def source_info(self) -> ops_pb2.SourceInfo:
        return ops_pb2.SourceInfo(filename=self.filename, data=self.data, language=gwerrors.LANGUAGE)


def _follow_paths(filename: str) -> list[str]:
    """What the client must send: the Dockerfile, its ignore twin, and dockerfile.v0's lowercase fallback."""
    paths = [filename, filename + ".dockerignore"]
    head, base = os.path.split(filename)
    if base == "Dockerfile":
        paths.append(os.path.join(head, "dockerfile"))
    return paths


def read_dockerfile(
    client: LLBBridgeClient, fopts: FrontendOpts, inputs: Mapping[str, ops_pb2.Definition]
) -> UserDockerfile:
    """Fetch the Dockerfile (and ``<name>.dockerignore``) the way dockerfile.v0 would."""
    filename = fopts.filename
    if not fopts.force_local_dockerfile and DOCKERFILE_INPUT in inputs:
        definition = inputs[DOCKERFILE_INPUT]
    else:
        local = fopts.dockerfile_local_name
        definition = llb.local_source(
            local,
            session_id=fopts.opts.get("local-sessionid:" + local) or fopts.session_id,
            follow_paths=_follow_paths(filename),
            shared_key_hint=local,
            custom_name="[internal] load build definition from " + filename,
        )
    try:
        ref = result_ref_id(client.solve(definition))
    except GatewayCallError as err:
        raise GatewayError(f"failed to resolve dockerfile: {err.status.message}") from None
    try:
        data = client.read_whole_file(ref, filename)
    except GatewayCallError as err:
        head, base = os.path.split(filename)
        if base != "Dockerfile":
            raise GatewayError(f"failed to read dockerfile: {err.status.message}") from None
        try:
            data = client.read_whole_file(ref, os.path.join(head, "dockerfile"))
        except GatewayCallError:
            raise GatewayError(f"failed to read dockerfile: {err.status.message}") from None
    try:
        dockerignore: bytes | None = client.read_whole_file(ref, filename + ".dockerignore")
    except GatewayCallError:
        dockerignore = None
    return UserDockerfile(filename=filename, data=data, dockerignore=dockerignore, definition=definition)
