"""The few LLB definitions the frontend builds, as pure functions.

An LLB ``Definition`` lists serialized ``Op`` messages; every op is named by
the sha256 digest of its exact bytes, inputs refer to those digests, and the
last entry is a bare op pointing at the output.  ``metadata`` is keyed by the
same digests and carries the capabilities each op needs (BuildKit rejects an
input whose ops carry no metadata).  We serialize deterministically so equal
inputs give equal digests and BuildKit's cache keeps working.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .proto import ops_pb2

NO_TIMESTAMP = -1  # BuildKit: keep the epoch / default time (reproducible)
SKIP_OUTPUT = -1
SCRATCH_INPUT = -1


def op_digest(data: bytes) -> str:
    """BuildKit's name for a serialized op."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def serialize(op: ops_pb2.Op) -> bytes:
    return op.SerializeToString(deterministic=True)


@dataclass(frozen=True)
class FileToWrite:
    """One file of a generated input; ``path`` is relative to the input root."""

    path: str
    data: bytes
    mode: int = 0o644


def _definition(ops: Sequence[tuple[bytes, ops_pb2.OpMetadata]]) -> ops_pb2.Definition:
    """Wrap ``ops`` (the last one is the output) with the terminal op."""
    definition = ops_pb2.Definition()
    defs = getattr(definition, "def")
    has_description = False
    for data, meta in ops:
        defs.append(data)
        definition.metadata[op_digest(data)].CopyFrom(meta)
        has_description = has_description or bool(meta.description)
    head = op_digest(ops[-1][0])
    terminal = serialize(ops_pb2.Op(inputs=[ops_pb2.Input(digest=head, index=0)]))
    defs.append(terminal)
    caps = {"constraints": True, "platform": True}
    if has_description:
        caps["meta.description"] = True
    definition.metadata[op_digest(terminal)].CopyFrom(ops_pb2.OpMetadata(caps=caps))
    return definition


def head_digest(definition: ops_pb2.Definition) -> str:
    """Digest of the op the definition outputs (what BuildKit calls its vertex)."""
    defs = getattr(definition, "def")
    terminal = ops_pb2.Op()
    terminal.ParseFromString(defs[-1])
    return terminal.inputs[0].digest


def _platform(platform: Mapping[str, Any] | None) -> ops_pb2.Platform | None:
    if not platform:
        return None
    return ops_pb2.Platform(
        OS=str(platform.get("OS") or platform.get("os") or ""),
        Architecture=str(platform.get("Architecture") or platform.get("architecture") or ""),
        Variant=str(platform.get("Variant") or platform.get("variant") or ""),
    )


def local_source(
    name: str,
    *,
    session_id: str,
    follow_paths: Iterable[str] = (),
    shared_key_hint: str | None = None,
    custom_name: str | None = None,
    platform: Mapping[str, Any] | None = None,
) -> ops_pb2.Definition:
    """``local://name`` from the client session, limited to ``follow_paths``.

    Limiting the transfer matters: without follow paths the client sends the
    whole directory, which for a Dockerfile next to a large context is slow.
    """
    attrs: dict[str, str] = {}
    caps = {"source.local": True}
    if session_id:
        attrs["local.session"] = session_id
        caps["source.local.sessionid"] = True
    paths = list(dict.fromkeys(follow_paths))
    if paths:
        attrs["local.followpaths"] = json.dumps(paths, separators=(",", ":"))
        caps["source.local.followpaths"] = True
    if shared_key_hint:
        attrs["local.sharedkeyhint"] = shared_key_hint
        caps["source.local.sharedkeyhint"] = True
    attrs["local.differ"] = "none"
    return _source("local://" + name, attrs, caps, platform=platform, custom_name=custom_name)


def _source(
    identifier: str,
    attrs: dict[str, str],
    caps: dict[str, bool],
    *,
    platform: Mapping[str, Any] | None,
    custom_name: str | None,
) -> ops_pb2.Definition:
    """A definition of one source op (``identifier`` with ``attrs``) for ``platform``."""
    op = ops_pb2.Op(
        source=ops_pb2.SourceOp(identifier=identifier, attrs=attrs),
        constraints=ops_pb2.WorkerConstraints(),
    )
    plat = _platform(platform)
    if plat is not None:
        op.platform.CopyFrom(plat)
    meta = ops_pb2.OpMetadata(caps=caps)
    if custom_name:
        meta.description["llb.customname"] = custom_name
    return _definition([(serialize(op), meta)])


def normalize_image_ref(ref: str) -> str:
    """``python:3.12-slim`` -> ``docker.io/library/python:3.12-slim``: the full name BuildKit's
    image source wants (a bare Docker Hub name reads as a URL with a bad port)."""
    name, at, digest = ref.partition("@")
    tag = ""
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name, tag = name[:colon], name[colon + 1 :]
    first, slash, rest = name.partition("/")
    if not slash:
        name = "docker.io/library/" + name
    elif not ("." in first or ":" in first or first == "localhost"):
        name = "docker.io/" + name
    elif first in ("docker.io", "index.docker.io") and "/" not in rest:
        name = "docker.io/library/" + rest
    if not tag and not at:
        tag = "latest"
    return name + (":" + tag if tag else "") + (at + digest if at else "")


def familiar_name(ref: str) -> str:
    """``docker.io/library/python:latest`` -> ``python``: the name dockerfile.v0 looks a FROM
    image up by among the build's named contexts (reference.FamiliarString, ``:latest`` trimmed)."""
    name = normalize_image_ref(ref)
    for prefix in ("docker.io/library/", "docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return name[: -len(":latest")] if name.endswith(":latest") else name


def image_source(
    ref: str, *, platform: Mapping[str, Any] | None = None, custom_name: str | None = None, resolve_mode: str = ""
) -> ops_pb2.Definition:
    """``docker-image://ref`` for ``platform``: an image's filesystem, to read a file from or to
    build on.  ``resolve_mode`` (``pull``, ``local``) is the build's, as dockerfile.v0 gives it."""
    attrs = {}
    caps = {"source.image": True}
    if resolve_mode in ("pull", "local"):
        attrs["image.resolvemode"] = resolve_mode
        caps["source.image.resolvemode"] = True
    return _source(
        "docker-image://" + normalize_image_ref(ref), attrs, caps, platform=platform, custom_name=custom_name
    )


def files_input(files: Sequence[FileToWrite], *, custom_name: str | None = None) -> ops_pb2.Definition:
    """Scratch plus one file op writing ``files`` (parents created as needed).

    This is how the plain Dockerfile reaches dockerfile.v0: as its
    ``dockerfile`` frontend input, at the same path the user's file had.
    """
    if not files:
        raise ValueError("files_input needs at least one file")
    actions: list[ops_pb2.FileAction] = []

    def add(action: ops_pb2.FileAction) -> None:
        # Input of action i: scratch for the first, else the previous action's
        # result (BuildKit numbers those after the op's real inputs, of which
        # this op has none).
        action.input = SCRATCH_INPUT if not actions else len(actions) - 1
        action.secondaryInput = -1
        action.output = SKIP_OUTPUT
        actions.append(action)

    made_dirs: set[str] = set()
    for f in files:
        path = posixpath.normpath(posixpath.join("/", f.path))
        parent = posixpath.dirname(path)
        if parent != "/" and parent not in made_dirs:
            add(ops_pb2.FileAction(mkdir=ops_pb2.FileActionMkDir(
                path=parent, mode=0o755, makeParents=True, timestamp=NO_TIMESTAMP)))
            made_dirs.add(parent)
        add(ops_pb2.FileAction(mkfile=ops_pb2.FileActionMkFile(
            path=path, mode=f.mode, data=f.data, timestamp=NO_TIMESTAMP)))
    actions[-1].output = 0
    op = ops_pb2.Op(file=ops_pb2.FileOp(actions=actions), constraints=ops_pb2.WorkerConstraints())
    meta = ops_pb2.OpMetadata(caps={"file.base": True})
    if custom_name:
        meta.description["llb.customname"] = custom_name
    return _definition([(serialize(op), meta)])


def verify(definition: ops_pb2.Definition) -> None:
    """Raise ValueError unless every op's digest, input and metadata line up."""
    defs = list(getattr(definition, "def"))
    digests = [op_digest(d) for d in defs]
    known: set[str] = set()
    for data, dgst in zip(defs, digests):
        op = ops_pb2.Op()
        op.ParseFromString(data)
        for inp in op.inputs:
            if inp.digest not in known:
                raise ValueError(f"op {dgst} refers to unknown input {inp.digest}")
        if dgst not in definition.metadata:
            raise ValueError(f"op {dgst} has no metadata")
        known.add(dgst)
