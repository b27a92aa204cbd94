"""Subrequests (--call=outline|targets|check) and PYENV checks, end to end against the fake bridge.

dockerfile.v0's answers are played by the fake; what matters here is what we hand it (the view of
the user's file) and what the client gets back (the user's file, the user's lines, our rules).
"""

from __future__ import annotations

import base64
import json

from astro_pyenv_frontend.gateway import build, llb, subrequests
from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.opts import FrontendOpts
from astro_pyenv_frontend.gateway.proto import gateway_pb2, status_pb2
from astro_pyenv_frontend.project import doc_url

from fake_bridge import FakeBridge

SOURCE = "local/astro-pyenv-frontend:dev"
USER = (
    b"# syntax=local/astro-pyenv-frontend:dev\n"
    b"FROM python:3.12-slim AS base\n"
    b"ARG PYVER=3.12\n"
    b"PYENV ${PYVER} same requirements.txt\n"
    b"FROM base\n"
    b"CMD python\n"
)
VIEW = USER.replace(b"PYENV ${PYVER} same requirements.txt", b"ENV ASTRO_PYENV_same=/opt/astro-pyenv/venvs/same/bin/python")
PYTHON_CONFIG = {"config": {"Env": ["PATH=/usr/local/bin:/usr/bin", "PYTHON_VERSION=3.12.8"]}}


def _opts(request: str | None, **extra: str) -> FrontendOpts:
    opts = {"source": SOURCE, "cmdline": SOURCE, "filename": "Dockerfile", "image-resolve-mode": "local"}
    if request is not None:
        opts["requestid"] = request
    opts.update(extra)
    return FrontendOpts(opts=opts, session_id="sess-1")


def _setup(bridge: FakeBridge, dockerfile: bytes = USER, requirements: bytes = b"requests\n") -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": dockerfile}
    bridge.locals["context"] = {"requirements.txt": requirements}
    bridge.image_configs["python:3.12-slim"] = PYTHON_CONFIG


def _returned(bridge: FakeBridge) -> gateway_pb2.ReturnRequest:
    (ret,) = bridge.calls("Return")
    return ret


def _handed_to_dockerfile_v0(bridge: FakeBridge) -> tuple[gateway_pb2.SolveRequest, bytes]:
    (req,) = [r for r in bridge.calls("Solve") if r.Frontend]
    files = FakeBridge()._evaluate(req.FrontendInputs["dockerfile"])
    return req, files["Dockerfile"]


def _answer(metadata: dict[str, bytes]) -> gateway_pb2.Result:
    result = gateway_pb2.Result()
    for key, value in metadata.items():
        result.metadata[key] = value
    return result


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _json(ret: gateway_pb2.ReturnRequest) -> dict:
    assert not ret.HasField("error"), ret.error.message
    return json.loads(ret.result.metadata["result.json"])


def test_describe_lists_what_we_answer_without_reading_the_dockerfile(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    assert build.run(client, _opts("frontend.subrequests.describe"), build.default_transform) == 0
    ret = _returned(bridge)
    names = [d["name"] for d in _json(ret)]
    assert names == ["frontend.outline", "frontend.targets", "frontend.lint", "frontend.subrequests.describe"]
    assert ret.result.metadata["version"] == b"1.0.0"
    assert ret.result.metadata["result.txt"].decode().splitlines()[:2] == [
        "NAME                 VERSION DESCRIPTION",
        "outline              1.0.0   List all parameters current build target supports",
    ]
    assert bridge.calls("Solve") == [] and bridge.calls("ReadFile") == []


def test_an_unknown_request_is_buildkits_typed_unsupported_error(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge)
    build.run(client, _opts("frontend.convertllb"), build.default_transform)
    error = _returned(bridge).error
    assert error.message == "unsupported request frontend.convertllb"
    (detail,) = error.details
    assert detail.type_url == "github.com/moby/buildkit/errdefs.Subrequest+json"
    assert json.loads(detail.value) == {"name": "frontend.convertllb"}
    assert [r for r in bridge.calls("Solve") if r.Frontend] == []


def test_targets_are_answered_for_the_view_and_quote_the_users_file(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    _setup(bridge)
    targets = {"targets": [{"name": "base", "location": {"ranges": [{"start": {"line": 2}}]}},
                           {"default": True}], "sources": [_b64(VIEW)]}
    bridge.frontend_result = _answer({"result.json": json.dumps(targets).encode(), "result.txt": b"TARGET\nbase\n",
                                      "version": b"1.0.0"})
    build.run(client, _opts("frontend.targets"), build.default_transform)

    req, handed = _handed_to_dockerfile_v0(bridge)
    assert req.Frontend == "dockerfile.v0" and req.FrontendOpt["requestid"] == "frontend.targets"
    assert handed == VIEW  # PYENV line as the ENV it sets, on the same line
    ret = _returned(bridge)
    assert _json(ret) == dict(targets, sources=[_b64(USER)])
    assert ret.result.metadata["result.txt"] == b"TARGET\nbase\n"


def test_an_error_of_dockerfile_v0_quotes_the_users_file(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge)
    error = status_pb2.Status(code=2, message="dockerfile parse error on line 5: unknown flag")
    detail = error.details.add()
    detail.type_url = "github.com/moby/buildkit/errdefs.Source+json"
    detail.value = json.dumps({"info": {"filename": "Dockerfile", "data": _b64(VIEW)},
                               "ranges": [{"start": {"line": 5}, "end": {"line": 5}}]}).encode()
    bridge.frontend_error = error
    build.run(client, _opts("frontend.outline"), build.default_transform)
    returned = _returned(bridge).error
    assert returned.message == error.message
    assert json.loads(returned.details[0].value)["info"]["data"] == _b64(USER)


def test_a_bad_pyenv_line_fails_outline_at_its_line(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge, USER.replace(b"${PYVER} same", b"${PYVER}"))
    build.run(client, _opts("frontend.outline"), build.default_transform)
    error = _returned(bridge).error
    source = json.loads(error.details[0].value)
    assert source["ranges"] == [{"start": {"line": 4}, "end": {"line": 4}}]


def _buildkit_lint(warnings: list[dict]) -> gateway_pb2.Result:
    results = {"warnings": warnings, "sources": [{"filename": "Dockerfile", "language": "Dockerfile",
                                                  "data": _b64(VIEW), "definition": {"def": []}}]}
    return _answer({"result.json": json.dumps(results).encode(), "result.txt": b"ignored",
                    "result.statuscode": b"1", "version": b"1.0.0"})


def _warning(rule: str, line: int) -> dict:
    return {"ruleName": rule, "detail": f"{rule} here", "url": "https://docs.docker.com/go/dockerfile/rule/x/",
            "location": {"ranges": [{"start": {"line": line}, "end": {"line": line}}]}}


def test_check_keeps_buildkits_warnings_adds_ours_at_the_users_lines(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    _setup(bridge)
    bridge.frontend_result = _buildkit_lint([_warning("JSONArgsRecommended", 6), _warning("SecretsUsedInArgOrEnv", 4)])
    build.run(client, _opts("frontend.lint"), build.default_transform)

    ret = _returned(bridge)
    results = _json(ret)
    assert results["sources"] == [{"filename": "Dockerfile", "language": "Dockerfile", "data": _b64(USER)}]
    # BuildKit's warning about the stand-in ENV at the PYENV line is not the user's: dropped.
    assert [(w["ruleName"], w["location"]["ranges"][0]["start"]["line"]) for w in results["warnings"]] == [
        ("JSONArgsRecommended", 6), ("PyenvSameAsBasePython", 4), ("PyenvUnpinnedRequirements", 4)]
    ours = results["warnings"][1]
    assert ours["url"] == doc_url("checks.md", "pyenvsameasbasepython")  # absolute: users see it outside the repository
    assert "already has Python 3.12.8" in ours["detail"]
    assert ret.result.metadata["result.statuscode"] == b"1"
    text = ret.result.metadata["result.txt"].decode()
    assert f"\nWARNING: PyenvSameAsBasePython - {ours['url']}\n" in text
    assert "   4 | >>> PYENV ${PYVER} same requirements.txt\n" in text


def test_check_on_an_engine_without_checks_gives_our_rules(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge, requirements=b"requests==2.32.3\n")
    bridge.frontend_error = subrequests.unsupported_status("frontend.lint")
    build.run(client, _opts("frontend.lint"), build.default_transform)
    results = _json(_returned(bridge))
    assert [w["ruleName"] for w in results["warnings"]] == ["PyenvSameAsBasePython"]
    assert results["sources"][0]["data"] == _b64(USER)


def test_check_rules_are_skipped_by_directive_and_by_build_arg(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge, b"# check=skip=PyenvSameAsBasePython\n" + USER.replace(b"# syntax", b"# Syntax"))
    bridge.frontend_error = subrequests.unsupported_status("frontend.lint")
    build.run(client, _opts("frontend.lint"), build.default_transform)
    assert [w["ruleName"] for w in _json(_returned(bridge))["warnings"]] == ["PyenvUnpinnedRequirements"]
    assert bridge.calls("ResolveImageConfig") == []  # a skipped rule fetches nothing


def test_check_all_skipped_by_build_arg_is_clean(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge)
    bridge.frontend_error = subrequests.unsupported_status("frontend.lint")
    build.run(client, _opts("frontend.lint", **{"build-arg:BUILDKIT_DOCKERFILE_CHECK": "skip=all"}),
              build.default_transform)
    ret = _returned(bridge)
    assert _json(ret)["warnings"] == [] and ret.result.metadata["result.statuscode"] == b"0"


def test_check_of_a_bad_pyenv_line_is_a_build_error_at_the_line(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge, USER.replace(b"${PYVER} same", b"${PYVER}"))
    build.run(client, _opts("frontend.lint"), build.default_transform)
    ret = _returned(bridge)
    error = _json(ret)["buildError"]
    assert error["location"]["ranges"] == [{"start": {"line": 4}, "end": {"line": 4}}]
    assert ret.result.metadata["result.statuscode"] == b"1"


# -- the same rules in a build ----------------------------------------------------------------


def test_a_build_sends_our_warnings_like_buildkits_own(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge)
    bridge.frontend_result = _answer({})
    build.run(client, _opts(None), build.default_transform)
    sent = {w.short.decode().split(":", 1)[0]: w for w in bridge.calls("Warn")}
    assert set(sent) == {"PyenvSameAsBasePython", "PyenvUnpinnedRequirements"}
    warn = sent["PyenvUnpinnedRequirements"]
    assert warn.short.decode().endswith("(line 4)") and warn.url == doc_url("checks.md", "pyenvunpinnedrequirements")
    assert warn.detail == [b"A PYENV requirements file has requirements without an exact version"]
    assert warn.info.filename == "Dockerfile" and warn.info.data == USER
    assert [(r.start.line, r.end.line) for r in warn.ranges] == [(4, 4)]
    (context_solve,) = [r for r in bridge.calls("Solve") if b"local://context" in b"".join(getattr(r.Definition, "def"))]
    assert context_solve is not None
    assert not _returned(bridge).HasField("error")


def test_error_true_fails_the_build_naming_the_rules(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge, b"# check=error=true;skip=PyenvSameAsBasePython\n" + USER.replace(b"# syntax", b"# Syntax"))
    bridge.frontend_result = _answer({})
    build.run(client, _opts(None), build.default_transform)
    assert _returned(bridge).error.message == "lint violation found for rules: PyenvUnpinnedRequirements"
    assert [r for r in bridge.calls("Solve") if r.Frontend] == []


def test_a_bad_check_setting_fails_the_build_saying_where(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge)
    build.run(client, _opts(None, **{"build-arg:BUILDKIT_DOCKERFILE_CHECK": "skip"}), build.default_transform)
    assert _returned(bridge).error.message == (
        "failed to parse BUILDKIT_DOCKERFILE_CHECK: invalid check option 'skip'")


def test_a_context_without_the_requirements_file_gives_no_finding(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    _setup(bridge)
    bridge.locals["context"] = {}
    bridge.image_configs.clear()
    bridge.frontend_result = _answer({})
    build.run(client, _opts(None), build.default_transform)
    assert bridge.calls("Warn") == []
    assert not _returned(bridge).HasField("error")


def test_llb_of_the_view_input_is_valid(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    _setup(bridge)
    bridge.frontend_result = _answer({"result.json": b"{}"})
    build.run(client, _opts("frontend.outline"), build.default_transform)
    req, _ = _handed_to_dockerfile_v0(bridge)
    llb.verify(req.FrontendInputs["dockerfile"])
    assert "dockerfilekey" not in req.FrontendOpt


def test_check_without_pyenv_lines_on_an_engine_without_checks_passes_its_error_on(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    """buildx answers that error by linting with a newer Dockerfile frontend image: better than
    our rules alone, and possible only for a file without PYENV lines."""
    _setup(bridge, b"# syntax=local/astro-pyenv-frontend:dev\nFROM python:3.12-slim\nCMD python\n")
    bridge.frontend_error = subrequests.unsupported_status("frontend.lint")
    build.run(client, _opts("frontend.lint"), build.default_transform)
    error = _returned(bridge).error
    assert error.message == "unsupported request frontend.lint"
    assert error.details[0].type_url == "github.com/moby/buildkit/errdefs.Subrequest+json"


def test_a_subrequest_goes_to_the_dockerfile_frontend_the_file_names(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    """With ``# astro-pyenv-syntax=`` the view goes where the generated file of a build goes."""
    named = USER.replace(b"\nFROM", b"\n# astro-pyenv-syntax=docker/dockerfile:1.20\nFROM", 1)
    _setup(bridge, named)
    bridge.frontend_result = _answer({"result.json": json.dumps({"targets": [], "sources": []}).encode()})
    build.run(client, _opts("frontend.targets"), build.default_transform)
    req, handed = _handed_to_dockerfile_v0(bridge)
    assert req.Frontend == "gateway.v0" and req.FrontendOpt["source"] == "docker/dockerfile:1.20"
    assert req.FrontendOpt["requestid"] == "frontend.targets"
    assert handed.splitlines()[1] == b"# astro-pyenv-syntax=docker/dockerfile:1.20"
    assert b"ENV ASTRO_PYENV_same=" in handed and b"PYENV ${PYVER}" not in handed
    assert not _returned(bridge).HasField("error")
