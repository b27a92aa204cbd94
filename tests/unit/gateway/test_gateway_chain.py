"""Chaining to a Dockerfile frontend the user named (``# astro-pyenv-syntax=``), against the fake
bridge: the Solve request that hands the Dockerfile on, and where its errors point."""

from __future__ import annotations

import base64
import json

from test_gateway_build import (
    GENERATED,
    SOURCE,
    Result_,
    StubTransform,
    _context_input,
    _frontend_result,
    _frontend_solve,
    _input_files,
    _opts,
    _returned,
)

from astro_pyenv_frontend import layout
from astro_pyenv_frontend.gateway import build, chain
from astro_pyenv_frontend.gateway import errors as gwerrors
from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.proto import status_pb2

from fake_bridge import FakeBridge

CHAINED = "registry.example/dockerfile:1.12@sha256:" + "b" * 64
USER = f"# syntax={SOURCE}\n# astro-pyenv-syntax={CHAINED}\nFROM alpine\nPYENV 3.12 py\nRUN echo hi\n".encode()
LINES = (3, 4, 4, 4, 5)


def test_the_named_frontend_gets_every_opt_and_input_through_gateway_v0(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    bridge.inputs["context"] = _context_input()
    bridge.frontend_result = _frontend_result()
    opts = _opts(**{"target": "final", "platform": "linux/arm64", "build-arg:BUILDKIT_SYNTAX": SOURCE})

    assert build.run(client, opts, StubTransform(Result_(GENERATED, LINES))) == 0

    req = _frontend_solve(bridge)
    assert req.Frontend == "gateway.v0"
    # cmdline is what keeps a Dockerfile frontend from following # syntax / BUILDKIT_SYNTAX back to us.
    expected = {**opts.opts, "source": CHAINED, "cmdline": CHAINED, chain.CHAINED_OPT: SOURCE}
    forwarded = dict(req.FrontendOpt)
    assert forwarded.pop("build-arg:" + layout.BUILD_ID_ARG)  # test_gateway_build: a new id per build
    assert forwarded == expected
    assert req.Evaluate
    assert set(req.FrontendInputs) == {"context", "dockerfile"}
    assert _input_files(req.FrontendInputs["dockerfile"]) == {"Dockerfile": GENERATED.encode()}
    ret = _returned(bridge)
    assert ret.result.metadata["containerimage.config"] == _frontend_result().metadata["containerimage.config"]


def test_a_plain_dockerfile_is_chained_too(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    plain = f"# syntax={SOURCE}\n# astro-pyenv-syntax={CHAINED}\nFROM alpine\n".encode()
    bridge.locals["dockerfile"] = {"Dockerfile": plain}
    build.run(client, _opts(), StubTransform())
    req = _frontend_solve(bridge)
    assert (req.Frontend, req.FrontendOpt["source"]) == ("gateway.v0", CHAINED)
    assert _input_files(req.FrontendInputs["dockerfile"]) == {"Dockerfile": plain}


def test_the_build_arg_chains_a_remote_context(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    build.run(client, _opts(**{"context": "https://github.com/a/b.git", "build-arg:ASTRO_PYENV_SYNTAX": CHAINED}),
              StubTransform())  # fmt: skip
    req = _frontend_solve(bridge)
    assert (req.Frontend, req.FrontendOpt["source"]) == ("gateway.v0", CHAINED)


def test_without_a_choice_dockerfile_v0_gets_the_opts_unchanged(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": b"FROM alpine\n"}
    build.run(client, _opts(), StubTransform())
    req = _frontend_solve(bridge)
    assert req.Frontend == "dockerfile.v0" and dict(req.FrontendOpt) == dict(_opts().opts)


def test_an_error_located_in_the_generated_file_still_maps_to_the_users_line(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    err = status_pb2.Status(code=2, message="process did not complete successfully")
    d = err.details.add()
    d.type_url, d.value = gwerrors.source_detail("Dockerfile", GENERATED.encode(), [(5, 5)])
    bridge.frontend_error = err
    build.run(client, _opts(), StubTransform(Result_(GENERATED, LINES)))
    ret = _returned(bridge)
    assert ret.error.message == "process did not complete successfully"
    (detail,) = ret.error.details
    src = json.loads(detail.value)
    assert base64.b64decode(src["info"]["data"]) == USER
    assert src["ranges"] == [{"start": {"line": 5}, "end": {"line": 5}}]


def test_an_error_without_a_location_is_put_at_the_directive_line(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    bridge.frontend_error = status_pb2.Status(code=5, message=f"failed to resolve source metadata for {CHAINED}: not found")
    build.run(client, _opts(), StubTransform(Result_(GENERATED, LINES)))
    ret = _returned(bridge)
    assert ret.error.code == 5
    assert ret.error.message == (
        f"the Dockerfile frontend named by # astro-pyenv-syntax={CHAINED} (line 2) failed:"
        f" failed to resolve source metadata for {CHAINED}: not found"
    )
    (detail,) = ret.error.details
    src = json.loads(detail.value)
    assert base64.b64decode(src["info"]["data"]) == USER
    assert src["ranges"] == [{"start": {"line": 2}, "end": {"line": 2}}]


def test_an_image_that_takes_no_inputs_is_explained(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    bridge.frontend_error = status_pb2.Status(code=12, message="unsupported frontend capability moby.buildkit.frontend.inputs")
    build.run(client, _opts(), StubTransform(Result_(GENERATED, LINES)))
    assert "cannot take the Dockerfile astro-pyenv generates as an input" in _returned(bridge).error.message


def test_a_misplaced_directive_fails_at_its_line_before_anything_is_built(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": b"FROM alpine\n# astro-pyenv-syntax=x\n"}
    build.run(client, _opts(), StubTransform())
    ret = _returned(bridge)
    src = json.loads(ret.error.details[0].value)
    assert src["ranges"] == [{"start": {"line": 2}, "end": {"line": 2}}]
    assert not [r for r in bridge.calls("Solve") if r.Frontend]


def test_an_astro_pyenv_frontend_named_as_the_dockerfile_frontend_refuses_to_loop(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    build.run(client, _opts(**{chain.CHAINED_OPT: "local/astro-pyenv-frontend:dev"}), StubTransform())
    ret = _returned(bridge)
    assert "an astro-pyenv frontend: it must name a Dockerfile frontend" in ret.error.message
    assert not [r for r in bridge.calls("Solve") if r.Frontend]


def test_an_error_of_the_frontend_the_build_arg_names_says_so(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.frontend_error = status_pb2.Status(code=5, message="not found")
    build.run(client, _opts(**{"context": "https://github.com/a/b.git", "build-arg:ASTRO_PYENV_SYNTAX": CHAINED}),
              StubTransform())  # fmt: skip
    ret = _returned(bridge)
    assert ret.error.message == f"the Dockerfile frontend named by build arg ASTRO_PYENV_SYNTAX={CHAINED} failed: not found"
    assert not ret.error.details
