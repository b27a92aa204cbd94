"""A requirements file's -r/-c includes, read from the build context by the gateway and mounted
into the venv step at their paths in the context; one that leaves the context is the PYENV
line's error (issue 25.2).  End to end against the fake bridge, with the real transform."""

from __future__ import annotations

import base64
import json

from astro_pyenv_frontend.gateway import build
from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.opts import FrontendOpts
from astro_pyenv_frontend.gateway.proto import gateway_pb2

from fake_bridge import FakeBridge

SOURCE = "local/astro-pyenv-frontend:dev"
USER = b"# syntax=local/astro-pyenv-frontend:dev\nFROM python:3.12-slim\nPYENV 3.12 tools reqs/main.txt\n"
MOUNT = "--mount=type=bind,source={0},target=/tmp/astro-pyenv-context/{0} "


def _opts() -> FrontendOpts:
    opts = {"source": SOURCE, "cmdline": SOURCE, "filename": "Dockerfile", "image-resolve-mode": "local"}
    return FrontendOpts(opts=opts, session_id="sess-1")


def _build(bridge: FakeBridge, client: LLBBridgeClient, context: dict[str, bytes]) -> gateway_pb2.ReturnRequest:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    bridge.locals["context"] = context
    bridge.image_configs["python:3.12-slim"] = {"config": {"Env": ["PATH=/usr/bin"]}}
    bridge.frontend_result = gateway_pb2.Result()
    build.run(client, _opts(), build.default_transform)
    (ret,) = bridge.calls("Return")
    return ret


def _handed_on(bridge: FakeBridge) -> str:
    (req,) = [r for r in bridge.calls("Solve") if r.Frontend]
    return FakeBridge()._evaluate(req.FrontendInputs["dockerfile"])["Dockerfile"].decode()


def test_included_files_are_mounted_where_the_installer_looks_for_them(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    context = {
        "reqs/main.txt": b"-r base.txt\n--constraint=../constraints.txt\nsix==1.16.0\n",
        "reqs/base.txt": b"-r https://example.com/remote.txt\n-rnested/more.txt\n",
        "reqs/nested/more.txt": b"idna==3.4\n",
        "constraints.txt": b"six==1.16.0\n",
        "dags/dag.py": b"# not a requirements file\n",
    }
    ret = _build(bridge, client, context)
    assert not ret.HasField("error"), ret.error.message
    text = _handed_on(bridge)
    for path in ("reqs/main.txt", "reqs/base.txt", "constraints.txt", "reqs/nested/more.txt"):
        assert MOUNT.format(path) in text, text
    assert "dags/dag.py" not in text and "/tmp/astro-pyenv-requirements.txt" not in text
    assert '"/tmp/astro-pyenv-context/reqs/main.txt"]' in text


def test_a_file_without_includes_is_mounted_alone_as_before(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    ret = _build(bridge, client, {"reqs/main.txt": b"six==1.16.0\n", "reqs/base.txt": b"idna==3.4\n"})
    assert not ret.HasField("error"), ret.error.message
    text = _handed_on(bridge)
    assert "--mount=type=bind,source=reqs/main.txt,target=/tmp/astro-pyenv-requirements.txt " in text
    assert "astro-pyenv-context" not in text


def test_an_include_outside_the_context_is_the_pyenv_lines_error(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    ret = _build(bridge, client, {"reqs/main.txt": b"-r base.txt\n", "reqs/base.txt": b"-c ../../secret.txt\n"})
    assert ret.error.message == (
        "<requirements-file> 'reqs/main.txt' includes '../../secret.txt' (in reqs/base.txt), which is outside"
        " the build context: PYENV follows -r and -c includes only within it"
    )
    (detail,) = ret.error.details
    source = json.loads(detail.value)
    assert source["ranges"] == [{"start": {"line": 3}, "end": {"line": 3}}]
    assert base64.b64decode(source["info"]["data"]) == USER
    assert not [r for r in bridge.calls("Solve") if r.Frontend], "nothing is built"
