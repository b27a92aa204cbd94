"""The CLI (`check`) and the gateway (fake bridge, real transform) report bad input alike (issue 10.8).

Each case is one sentence at one line of the user's file, through both ways in.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from astro_pyenv_frontend.cli import main as cli_main
from astro_pyenv_frontend.gateway import build
from astro_pyenv_frontend.gateway import errors as gwerrors
from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.opts import FrontendOpts
from astro_pyenv_frontend.gateway.proto import gateway_pb2

from fake_bridge import FakeBridge

SYNTAX = b"# syntax=local/astro-pyenv-frontend:dev\n"
OPTS = FrontendOpts(
    opts={"source": "local/astro-pyenv-frontend:dev", "filename": "Dockerfile", "cmdline": "x"}, session_id="s"
)


def _cli(tmp_path: Path, data: bytes) -> tuple[int, str] | None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    result = CliRunner().invoke(cli_main, ["check", "-f", str(path)])
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        return None
    found = re.fullmatch(re.escape(str(path)) + r":(\d+): (.*)\n", result.output)
    assert found, result.output
    return int(found.group(1)), found.group(2)


def _gateway(bridge: FakeBridge, client: LLBBridgeClient, data: bytes) -> tuple[int, str] | None:
    bridge.locals["dockerfile"] = {"Dockerfile": data}
    bridge.frontend_result = gateway_pb2.Result(ref=gateway_pb2.Ref(id="final"))
    build.run(client, OPTS)
    (ret,) = bridge.calls("Return")
    if ret.HasField("result"):
        return None
    (detail,) = [d for d in ret.error.details if d.type_url == gwerrors.SOURCE_TYPE_URL]
    src = json.loads(detail.value)
    assert base64.b64decode(src["info"]["data"]) == data
    (rng,) = src["ranges"]
    return rng["start"]["line"], ret.error.message


CASES = {
    "invalid UTF-8 in a comment": (
        SYNTAX + b"FROM python:3.12-slim\n# caf\xe9\nPYENV 3.12 py\n",
        (3, "line 3 is not valid UTF-8 (byte 0xe9 at column 6); save the Dockerfile as UTF-8 to use PYENV"),
    ),
    "invalid UTF-8 in the PYENV line": (
        SYNTAX + b"FROM python:3.12-slim\nRUN true\nPYENV 3.12 p\xffy\n",
        (4, "line 4 is not valid UTF-8 (byte 0xff at column 13); save the Dockerfile as UTF-8 to use PYENV"),
    ),
    "PYENV name too long": (
        SYNTAX + b"FROM python:3.12-slim\nPYENV 3.12 " + b"n" * 240 + b"\n",
        (3, "<name> 'nnnnnnnnnnnnnnnnnnnn...' is 240 characters long; use at most 128"),
    ),
    "ONBUILD PYENV in a Dockerfile without other PYENV lines": (
        SYNTAX + b"FROM python:3.12-slim\nONBUILD  pyenv 3.12 later\n",
        (
            3,
            "ONBUILD PYENV is not supported: the image that runs the trigger may be built without this frontend;"
            " write the PYENV line in the Dockerfile that builds FROM this image",
        ),
    ),
    "PYENV indented with a form feed": (
        SYNTAX + b"FROM python:3.12-slim\n\fPYENV 3.12\n",
        (3, "PYENV expects <python-version> <name> [<requirements-file>], got 1 argument"),
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_cli_and_gateway_give_the_same_located_error(
    case: str, tmp_path: Path, bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    data, expected = CASES[case]
    assert _cli(tmp_path, data) == expected
    assert _gateway(bridge, client, data) == expected


def test_form_feed_indented_pyenv_is_converted_both_ways(
    tmp_path: Path, bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    data = SYNTAX + b"FROM python:3.12-slim\n\fPYENV 3.12 py\n"
    assert _cli(tmp_path, data) is None
    assert _gateway(bridge, client, data) is None
    (solve,) = [r for r in bridge.calls("Solve") if r.Frontend]
    generated = bridge._evaluate(solve.FrontendInputs["dockerfile"])["Dockerfile"]
    assert b"pyenv-venv-py" in generated and b"\fPYENV" not in generated


def test_invalid_utf8_without_pyenv_is_handed_on_unchanged(
    tmp_path: Path, bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    data = SYNTAX + b"FROM python:3.12-slim\n# caf\xe9 \xff\nRUN echo pyenv\n"
    assert _cli(tmp_path, data) is None
    assert _gateway(bridge, client, data) is None
    (solve,) = [r for r in bridge.calls("Solve") if r.Frontend]
    assert bridge._evaluate(solve.FrontendInputs["dockerfile"])["Dockerfile"] == data


def test_transform_warnings_reach_buildkit_at_the_from_line(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    data = SYNTAX + b"FROM quay.io/astronomer/astro-runtime:13.0.0-base\nPYENV 3.12 py\n"
    assert _gateway(bridge, client, data) is None
    (warn,) = bridge.calls("Warn")
    assert warn.short.startswith(b"quay.io/astronomer/astro-runtime:13.0.0-base has no Astro project steps")
    assert [(r.start.line, r.end.line) for r in warn.ranges] == [(2, 2)]
    assert warn.info.data == data and warn.info.filename == "Dockerfile"


def test_a_syntax_line_naming_buildkits_dockerfile_frontend_is_said_at_the_pyenv_line(
    tmp_path: Path, bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    """Issue 22.8: such a build fails at "unknown instruction: PYENV". check refuses it; when our
    frontend sees the file anyway (the build arg BUILDKIT_SYNTAX named it), the build warns there."""
    data = b"# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nRUN true\nPYENV 3.12 py\n"
    message = (
        "# syntax=docker/dockerfile:1 (line 1) names BuildKit's Dockerfile frontend, which does not know"
        ' PYENV: a build that follows it stops here at "unknown instruction: PYENV"; name the astro-pyenv'
        " frontend image in # syntax= (a newer Dockerfile frontend for the rest of the file goes in"
        " # astro-pyenv-syntax=)"
    )
    assert _cli(tmp_path, data) == (4, message)
    assert _gateway(bridge, client, data) is None
    (warn,) = bridge.calls("Warn")
    assert warn.short.decode() == message
    assert [(r.start.line, r.end.line) for r in warn.ranges] == [(4, 4)]
