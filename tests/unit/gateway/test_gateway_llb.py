"""LLB definitions: digests, metadata, file actions, local source attributes."""

from __future__ import annotations

import json

import pytest

from astro_pyenv_frontend.gateway import llb
from astro_pyenv_frontend.gateway.proto import ops_pb2


def _ops(definition: ops_pb2.Definition) -> list[ops_pb2.Op]:
    out = []
    for data in getattr(definition, "def"):
        op = ops_pb2.Op()
        op.ParseFromString(data)
        out.append(op)
    return out


def test_files_input_is_scratch_plus_mkfile_with_valid_digests() -> None:
    d = llb.files_input([llb.FileToWrite("Dockerfile", b"FROM scratch\n")])
    llb.verify(d)
    defs = list(getattr(d, "def"))
    assert len(defs) == 2
    for data in defs:
        assert llb.op_digest(data) in d.metadata
    file_op, terminal = _ops(d)
    assert list(file_op.inputs) == []
    (action,) = file_op.file.actions
    assert (action.input, action.secondaryInput, action.output) == (-1, -1, 0)
    assert action.mkfile.path == "/Dockerfile"
    assert action.mkfile.data == b"FROM scratch\n"
    assert action.mkfile.mode == 0o644
    assert action.mkfile.timestamp == -1
    assert terminal.inputs[0].digest == llb.op_digest(defs[0])
    assert llb.head_digest(d) == llb.op_digest(defs[0])
    assert d.metadata[llb.op_digest(defs[0])].caps["file.base"]
    assert d.metadata[llb.op_digest(defs[1])].caps["constraints"]


def test_files_input_is_deterministic() -> None:
    files = [llb.FileToWrite("a/Dockerfile", b"x"), llb.FileToWrite("a/Dockerfile.dockerignore", b"y")]
    one, two = llb.files_input(files), llb.files_input(list(files))
    assert one.SerializeToString(deterministic=True) == two.SerializeToString(deterministic=True)


def test_files_input_chains_actions_and_makes_parents() -> None:
    d = llb.files_input([llb.FileToWrite("sub/dir/Dockerfile", b"x"), llb.FileToWrite("sub/dir/Dockerfile.dockerignore", b"y")])
    llb.verify(d)
    (file_op, _) = _ops(d)
    kinds = [a.WhichOneof("action") for a in file_op.file.actions]
    assert kinds == ["mkdir", "mkfile", "mkfile"]
    mkdir = file_op.file.actions[0]
    assert mkdir.mkdir.path == "/sub/dir" and mkdir.mkdir.makeParents
    assert [a.input for a in file_op.file.actions] == [-1, 0, 1]
    assert [a.output for a in file_op.file.actions] == [-1, -1, 0]


def test_files_input_needs_a_file() -> None:
    with pytest.raises(ValueError):
        llb.files_input([])


def test_local_source_limits_transfer_with_followpaths() -> None:
    d = llb.local_source(
        "dockerfile", session_id="sess", follow_paths=["Dockerfile", "Dockerfile.dockerignore", "Dockerfile"],
        shared_key_hint="dockerfile", custom_name="[internal] load build definition from Dockerfile",
    )
    llb.verify(d)
    source_op, _ = _ops(d)
    assert source_op.source.identifier == "local://dockerfile"
    attrs = dict(source_op.source.attrs)
    assert json.loads(attrs["local.followpaths"]) == ["Dockerfile", "Dockerfile.dockerignore"]
    assert attrs["local.session"] == "sess"
    assert attrs["local.sharedkeyhint"] == "dockerfile"
    meta = d.metadata[llb.head_digest(d)]
    assert meta.caps["source.local"] and meta.caps["source.local.followpaths"]
    assert meta.description["llb.customname"].startswith("[internal]")


def test_verify_rejects_missing_metadata() -> None:
    d = llb.files_input([llb.FileToWrite("Dockerfile", b"x")])
    del d.metadata[llb.head_digest(d)]
    with pytest.raises(ValueError):
        llb.verify(d)


@pytest.mark.parametrize(
    ("ref", "full"),
    [
        ("python:3.12-slim", "docker.io/library/python:3.12-slim"),
        ("python", "docker.io/library/python:latest"),
        ("docker.io/python:3", "docker.io/library/python:3"),
        ("quay.io/astronomer/astro-runtime:13.0.0-base", "quay.io/astronomer/astro-runtime:13.0.0-base"),
        ("astronomer/astro-runtime:13.0.0", "docker.io/astronomer/astro-runtime:13.0.0"),
        ("localhost/a/b", "localhost/a/b:latest"),
        ("127.0.0.1:5000/astro-pyenv/cpython:3.9.2@sha256:" + "0" * 64,
         "127.0.0.1:5000/astro-pyenv/cpython:3.9.2@sha256:" + "0" * 64),
        ("debian@sha256:" + "1" * 64, "docker.io/library/debian@sha256:" + "1" * 64),
        ("registry:5000/x", "registry:5000/x:latest"),
    ],
)
def test_image_refs_are_normalized_as_buildkit_expects(ref: str, full: str) -> None:
    assert llb.normalize_image_ref(ref) == full
