"""The glue, end to end against the fake bridge: exact requests and Return payloads."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astro_pyenv_frontend import layout
from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.gateway import build, dockerfile, llb
from astro_pyenv_frontend.gateway import errors as gwerrors
from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.context_files import ContextFiles
from astro_pyenv_frontend.gateway.opts import FrontendOpts
from astro_pyenv_frontend.gateway.proto import gateway_pb2, ops_pb2, status_pb2

from fake_bridge import FakeBridge

SOURCE = "local/astro-pyenv-frontend:dev"
BUILD_ID_OPT = "build-arg:" + layout.BUILD_ID_ARG
USER = b"# syntax=local/astro-pyenv-frontend:dev\nFROM alpine\nPYENV 3.12 py\nRUN echo hi\n"
GENERATED = "FROM alpine AS py\nRUN install\nFROM alpine\nCOPY --from=py / /\nRUN echo hi\n"


@dataclass(frozen=True)
class Warning_:
    message: str
    line: int


@dataclass(frozen=True)
class Result_:
    dockerfile: str
    source_lines: tuple
    warnings: tuple = ()
    changed: bool = True
    base_images: tuple = ()
    interpreters: tuple = ()
    prebuilt_setting: str | None = ""
    custom_build_settings: tuple = ()
    environments: tuple = ()
    onbuild_free: tuple = ()


@dataclass
class StubTransform:
    """Stands in for transform.transform; records what it was given."""

    result: Result_ | None = None
    error: BaseException | None = None
    seen: list = field(default_factory=list)

    def __call__(self, text: str, fopts: FrontendOpts, facts: dockerfile.Facts = dockerfile.NO_FACTS) -> Result_:
        assert isinstance(facts, dockerfile.Facts)
        self.seen.append((text, fopts))
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def _opts(**extra: str) -> FrontendOpts:
    opts = {
        "source": SOURCE, "image-resolve-mode": "local", "filename": "Dockerfile",
        "force-network-mode": "host", "cmdline": SOURCE, "build-arg:FOO": "bar",
    }
    opts.update(extra)
    return FrontendOpts(opts=opts, session_id="sess-1")


def _frontend_result() -> gateway_pb2.Result:
    r = gateway_pb2.Result(ref=gateway_pb2.Ref(id="final-ref"))
    r.metadata["containerimage.config"] = b'{"config":{"Env":["A=1"]}}'
    return r


def _context_input() -> ops_pb2.Definition:
    return llb.local_source("context", session_id="sess-1")


def _returned(bridge: FakeBridge) -> gateway_pb2.ReturnRequest:
    (ret,) = bridge.calls("Return")
    return ret


def _frontend_solve(bridge: FakeBridge) -> gateway_pb2.SolveRequest:
    (req,) = [r for r in bridge.calls("Solve") if r.Frontend]
    return req


def _input_files(definition: ops_pb2.Definition) -> dict[str, bytes]:
    llb.verify(definition)
    return FakeBridge()._evaluate(definition)


def test_success_forwards_generated_dockerfile_opts_inputs_and_returns_result(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER, "other-big-file": b"x" * 100}
    bridge.inputs["context"] = _context_input()
    bridge.frontend_result = _frontend_result()
    stub = StubTransform(Result_(GENERATED, (2, 3, 3, 3, 4)))

    assert build.run(client, _opts(), stub) == 0

    # The Dockerfile was fetched with followpaths, from the session's local.
    first = bridge.calls("Solve")[0]
    (src_op,) = [op for op in map(ops_pb2.Op.FromString, getattr(first.Definition, "def")) if op.HasField("source")]
    assert src_op.source.identifier == "local://dockerfile"
    assert json.loads(src_op.source.attrs["local.followpaths"]) == ["Dockerfile", "Dockerfile.dockerignore", "dockerfile"]
    assert src_op.source.attrs["local.session"] == "sess-1"
    assert [r.FilePath for r in bridge.calls("ReadFile")] == ["Dockerfile", "Dockerfile.dockerignore"]
    assert stub.seen[0][0] == USER.decode()

    req = _frontend_solve(bridge)
    assert req.Frontend == "dockerfile.v0"
    forwarded = dict(req.FrontendOpt)
    assert forwarded.pop(BUILD_ID_OPT)  # test_each_converted_build_gets_a_new_build_id
    assert forwarded == dict(_opts().opts)
    assert req.allowResultReturn
    assert set(req.FrontendInputs) == {"context", "dockerfile"}
    assert req.FrontendInputs["context"] == bridge.inputs["context"]
    assert _input_files(req.FrontendInputs["dockerfile"]) == {"Dockerfile": GENERATED.encode()}

    ret = _returned(bridge)
    assert not ret.HasField("error")
    assert ret.result == _frontend_result()


def test_each_converted_build_gets_a_new_build_id(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    """The id re-runs the stage that digests the venv steps' secrets, so that their cache key
    follows what the secrets say; one given by the user is replaced."""
    ids = []
    for _ in range(2):
        bridge.locals["dockerfile"] = {"Dockerfile": USER}
        bridge.frontend_result = _frontend_result()
        build.run(client, _opts(**{BUILD_ID_OPT: "mine"}), StubTransform(Result_(GENERATED, (2, 3, 3, 3, 4))))
        ids.append(bridge.calls("Solve")[-1].FrontendOpt[BUILD_ID_OPT])
    assert len(set(ids)) == 2 and "mine" not in ids
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_a_plain_dockerfile_gets_no_build_id(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": b"FROM alpine\n"}
    bridge.frontend_result = _frontend_result()
    build.run(client, _opts(), StubTransform(Result_("", (), changed=False)))
    assert BUILD_ID_OPT not in _frontend_solve(bridge).FrontendOpt


def test_unchanged_dockerfile_is_forwarded_byte_for_byte(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    original = b"FROM alpine\r\nENV A=\xe9\r\n"
    bridge.locals["dockerfile"] = {"Dockerfile": original, "Dockerfile.dockerignore": b"*.tmp\n"}
    bridge.frontend_result = _frontend_result()
    stub = StubTransform(Result_("ignored", (), changed=False))
    build.run(client, _opts(), stub)
    files = _input_files(_frontend_solve(bridge).FrontendInputs["dockerfile"])
    assert files == {"Dockerfile": original, "Dockerfile.dockerignore": b"*.tmp\n"}
    assert _returned(bridge).result == _frontend_result()


def test_custom_filename_and_dockerfilekey(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["df2"] = {"sub/Build.Dockerfile": USER}
    bridge.inputs["dockerfile"] = llb.local_source("dockerfile", session_id="sess-1")
    bridge.frontend_result = _frontend_result()
    opts = _opts(filename="sub/Build.Dockerfile", dockerfilekey="df2")
    build.run(client, opts, StubTransform(Result_(GENERATED, (2, 3, 3, 3, 4))))
    src_op = ops_pb2.Op.FromString(getattr(bridge.calls("Solve")[0].Definition, "def")[0])
    assert src_op.source.identifier == "local://df2"
    assert json.loads(src_op.source.attrs["local.followpaths"]) == ["sub/Build.Dockerfile", "sub/Build.Dockerfile.dockerignore"]
    req = _frontend_solve(bridge)
    assert "dockerfilekey" not in req.FrontendOpt
    assert req.FrontendOpt["filename"] == "sub/Build.Dockerfile"
    assert _input_files(req.FrontendInputs["dockerfile"]) == {"sub/Build.Dockerfile": GENERATED.encode()}


def test_dockerfile_from_input_when_given(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.inputs["dockerfile"] = llb.files_input([llb.FileToWrite("Dockerfile", USER)])
    bridge.frontend_result = _frontend_result()
    stub = StubTransform(Result_(GENERATED, (2, 3, 3, 3, 4)))
    build.run(client, _opts(), stub)
    assert stub.seen[0][0] == USER.decode()
    assert bridge.calls("Solve")[0].Definition == bridge.inputs["dockerfile"]


def test_dockerfile_error_returns_located_status(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    stub = StubTransform(error=DockerfileError("unknown Python version 9.9", 3, 3, "PYENV 9.9 py"))
    assert build.run(client, _opts(), stub) == 0
    ret = _returned(bridge)
    assert not ret.HasField("result")
    assert ret.error.code == 2 and ret.error.message == "unknown Python version 9.9"
    (detail,) = ret.error.details
    assert detail.type_url == "github.com/moby/buildkit/errdefs.Source+json"
    src = json.loads(detail.value)
    assert base64.b64decode(src["info"]["data"]) == USER
    assert src["info"]["filename"] == "Dockerfile"
    assert src["ranges"] == [{"start": {"line": 3}, "end": {"line": 3}}]
    assert not [r for r in bridge.calls("Solve") if r.Frontend]


def test_crash_reaches_user_as_one_error(bridge: FakeBridge, client: LLBBridgeClient, capsys: pytest.CaptureFixture[str]) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    assert build.run(client, _opts(), StubTransform(error=KeyError("oops"))) == 0
    ret = _returned(bridge)
    assert ret.error.code == 13
    assert ret.error.message.startswith("astro-pyenv frontend failed: KeyError")
    assert "Traceback" in capsys.readouterr().err


def test_solve_error_is_mapped_back_to_user_lines(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    err = status_pb2.Status(code=2, message="process did not complete successfully")
    d = err.details.add()
    d.type_url, d.value = gwerrors.source_detail("Dockerfile", GENERATED.encode(), [(5, 5)])
    bridge.frontend_error = err
    build.run(client, _opts(), StubTransform(Result_(GENERATED, (2, 3, 3, 3, 4))))
    ret = _returned(bridge)
    assert ret.error.message == "process did not complete successfully"
    src = json.loads(ret.error.details[0].value)
    assert base64.b64decode(src["info"]["data"]) == USER
    assert src["ranges"] == [{"start": {"line": 4}, "end": {"line": 4}}]


def test_solve_error_passes_through_unchanged_for_plain_dockerfiles(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": b"FROM a\n"}
    err = status_pb2.Status(code=5, message="pull access denied")
    bridge.frontend_error = err
    build.run(client, _opts(), StubTransform(Result_("", (), changed=False)))
    assert _returned(bridge).error == err


def test_missing_dockerfile_is_readable(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {}
    build.run(client, _opts(), StubTransform(Result_("", (), changed=False)))
    msg = _returned(bridge).error.message
    assert msg.startswith("failed to read dockerfile:") and "no such file" in msg


def test_lowercase_dockerfile_fallback(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"dockerfile": b"FROM a\n"}
    bridge.frontend_result = _frontend_result()
    stub = StubTransform(Result_("", (), changed=False))
    build.run(client, _opts(), stub)
    assert _input_files(_frontend_solve(bridge).FrontendInputs["dockerfile"]) == {"Dockerfile": b"FROM a\n"}


def test_plain_dockerfile_skips_the_transform(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": b"FROM a\nRUN echo hi\n"}
    bridge.frontend_result = _frontend_result()
    stub = StubTransform(error=AssertionError("transform must not run"))
    build.run(client, _opts(), stub)
    assert stub.seen == []
    assert _returned(bridge).result == _frontend_result()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"FROM a\nRUN true\n", False),
        (b"FROM a\npyenv 3.12 x\n", True),
        (b"FROM a\nPY\\\nENV 3.12 x\n", True),
        (b"# escape=`\nFROM a\nPY`  \r\nENV 3.12 x\n", True),
        (b"# syntax=local/astro-pyenv-frontend:dev\nFROM a\n# PyEnv in a comment\n", False),
        (b"FROM a\n# comment \\\nPYENV 3.12 x\n", True),
        (b"FROM a\n  Pyenv\t3.12 x\r\n", True),
        (b"FROM a\nRUN pyenv install\n", False),
        (b"FROM a\nONBUILD PYENV 3.12 x\n", True),
        (b"FROM a\n onbuild\tpyenv 3.12 x\n", True),
        (b"FROM a\nONBUILD RUN pyenv install\n", False),
    ],
)
def test_may_use_pyenv_is_conservative(text: bytes, expected: bool) -> None:
    assert dockerfile.may_use_pyenv(text) is expected


def test_old_engine_gets_clear_capability_error(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.frontend_caps = ("solve.base", "readfile", "return")
    build.run(client, _opts(), StubTransform())
    msg = _returned(bridge).error.message
    assert "too old" in msg and "frontend.inputs" in msg and "returnmap" in msg


def test_engine_without_cache_mounts_gets_clear_error_for_pyenv(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    bridge.frontend_result = _frontend_result()
    bridge.llb_caps = tuple(c for c in bridge.llb_caps if c != "exec.mount.cache")
    build.run(client, _opts(), StubTransform(Result_(GENERATED, (2, 3, 3, 3, 4), ())))
    msg = _returned(bridge).error.message
    assert "too old" in msg and "exec.mount.cache (RUN --mount=type=cache; BuildKit 0.3+)" in msg
    assert "Docker Engine 24.0 or later" in msg
    assert not bridge.calls("Solve")[1:], "nothing is handed to dockerfile.v0"


def test_warnings_are_sent_with_user_location(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    bridge.frontend_result = _frontend_result()
    build.run(client, _opts(), StubTransform(Result_(GENERATED, (2, 3, 3, 3, 4), (Warning_("old python", 3),))))
    (warn,) = bridge.calls("Warn")
    assert warn.short == b"old python"
    assert warn.info.data == USER and warn.ranges[0].start.line == 3
    assert warn.digest.startswith("sha256:")


def test_remote_context_passes_through(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.frontend_result = _frontend_result()
    build.run(client, _opts(context="https://github.com/a/b.git"), StubTransform())
    req = _frontend_solve(bridge)
    assert "dockerfile" not in req.FrontendInputs
    assert not bridge.calls("ReadFile")


def test_error_details_over_grpc_metadata_limit_still_map_to_the_pyenv_line(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    """dockerfile.v0's status details travel in trailing metadata; a generated Dockerfile of many
    PYENV lines makes them larger than gRPC's default 16 KiB limit (issue 10.7)."""
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    filler = "".join(f"# astro-pyenv: generated line {n} of a long Dockerfile\n" for n in range(2000))
    generated = GENERATED + filler
    err = status_pb2.Status(code=2, message="process did not complete successfully: exit code: 1")
    d = err.details.add()
    d.type_url, d.value = gwerrors.source_detail("Dockerfile", generated.encode(), [(2, 2)])
    assert err.ByteSize() > 64 * 1024
    bridge.frontend_error = err
    build.run(client, _opts(), StubTransform(Result_(generated, (2, 3, 3, 3, 4) + (3,) * 2000)))
    ret = _returned(bridge)
    assert ret.error.message == "process did not complete successfully: exit code: 1"
    src = json.loads(ret.error.details[0].value)
    assert src["info"]["filename"] == "Dockerfile"
    assert base64.b64decode(src["info"]["data"]) == USER
    assert src["ranges"] == [{"start": {"line": 3}, "end": {"line": 3}}]


@pytest.mark.parametrize(
    "text",
    [
        b"FROM a\n\fPYENV 3.12 x\n",  # issue 10.8: BuildKit strips any Go space before the keyword
        b"FROM a\n\v pyenv\f3.12 x\n",
        b"FROM a\n\xc2\xa0PYENV 3.12 x\n",
        b"FROM a\n\xe3\x80\x80PYENV\t3.12 x\n",
        b"FROM a\nPYENV\xc2\xa0\n",
        b"FROM a\nPY\\ \r\r\nENV 3.12 x\n",
        b"FROM a\nPY\\\n  # a comment\n\n \nENV 3.12 x\n",
        b"FROM a\nPYENV\\",  # found by the property test below
    ],
)
def test_may_use_pyenv_sees_every_keyword_the_lexer_sees(text: bytes) -> None:
    from astro_pyenv_frontend.lexer import lex

    assert any(getattr(i, "keyword", "") == "PYENV" for i in lex(text.decode()).items)
    assert dockerfile.may_use_pyenv(text) is True


_WORDS = st.sampled_from(
    ["PYENV", "pyenv", "PyEnv", " ", "\t", "\f", "\v", "\r", "\n", "\\", "`", "#", "\u00a0", "\u2003", "\u0085",
     "3.12", "x", "RUN", "FROM a", "# escape=`\n", "<<EOF", "EOF"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORDS, max_size=14))
def test_may_use_pyenv_never_misses_a_pyenv_instruction(words: list[str]) -> None:
    """The shortcut may say yes too often, never no when the transform would see a PYENV line."""
    from astro_pyenv_frontend.lexer import lex

    text = "".join(words)
    if any(getattr(i, "keyword", "") == "PYENV" for i in lex(text).items):
        assert dockerfile.may_use_pyenv(text.encode()), repr(text)


def _big_plain_dockerfile(size: int) -> bytes:
    line = b"# a long comment line that makes this Dockerfile large, as generated files can be\n"
    return b"FROM alpine\n" + line * (size // len(line)) + b"RUN echo done\n"


@pytest.mark.parametrize("size", [(5 << 20) // 2, 5 << 20, 20 << 20])
def test_large_dockerfile_without_pyenv_is_passed_through(
    bridge: FakeBridge, client: LLBBridgeClient, size: int
) -> None:
    """Over BuildKit's 4 MiB message limit (and our 16 MiB one) dockerfile.v0 reads the file itself."""
    data = _big_plain_dockerfile(size)
    bridge.locals["dockerfile"] = {"Dockerfile": data}
    bridge.inputs = {"context": _context_input()}
    bridge.frontend_result = _frontend_result()
    stub = StubTransform(error=AssertionError("no PYENV: no transform"))
    build.run(client, _opts(), stub)
    assert _returned(bridge).result == _frontend_result()
    req = _frontend_solve(bridge)
    assert "dockerfile" not in req.FrontendInputs and set(req.FrontendInputs) == {"context"}
    assert dict(req.FrontendOpt) == dict(_opts().opts)
    reads = bridge.calls("ReadFile")
    assert sum(r.Range.Length for r in reads if r.FilePath == "Dockerfile") >= len(data)


def test_engine_ignoring_read_ranges_still_gives_the_whole_file(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    data = _big_plain_dockerfile(5 << 20)
    bridge.honour_ranges = False
    bridge.locals["dockerfile"] = {"Dockerfile": data + b"PYENV 3.12 py\n"}
    stub = StubTransform(Result_("FROM alpine\n", (1,), changed=True))
    bridge.frontend_result = _frontend_result()
    build.run(client, _opts(), stub)
    assert stub.seen[0][0].encode() == data + b"PYENV 3.12 py\n"


def test_generated_dockerfile_over_buildkits_message_limit_is_one_clear_error(
    bridge: FakeBridge, client: LLBBridgeClient
) -> None:
    for size in ((5 << 20) // 2, 5 << 20):
        bridge.requests.clear()
        data = _big_plain_dockerfile(size) + b"PYENV 3.12 py\n"
        bridge.locals["dockerfile"] = {"Dockerfile": data}
        generated = data.decode().replace("PYENV 3.12 py\n", "RUN generated\n")
        build.run(client, _opts(), StubTransform(Result_(generated, (1,) * generated.count("\n"))))
        ret = _returned(bridge)
        assert ret.error.message == (
            f"this Dockerfile with its PYENV lines converted is {size / (1 << 20):.1f} MiB, more than the 1.9 MiB"
            " astro-pyenv can hand on (docker's BuildKit client takes 4 MiB per message and the converted file"
            " travels in it twice): make the Dockerfile smaller"
        )
        assert not [r for r in bridge.calls("Solve") if r.Frontend]


def test_result_is_returned_without_its_definitions(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    """dockerfile.v0's refs carry their LLB with the Dockerfile inside (source maps): over 4 MiB for a
    large Dockerfile, more than BuildKit takes in our Return.  Return needs only the ref ids."""
    data = _big_plain_dockerfile(5 << 20)
    bridge.locals["dockerfile"] = {"Dockerfile": data}
    big_def = llb.files_input([llb.FileToWrite("Dockerfile", data)])
    result = _frontend_result()
    getattr(result.ref, "def").CopyFrom(big_def)
    att = result.attestations["linux/amd64"].attestation.add()
    att.ref.id = "att-ref"
    getattr(att.ref, "def").CopyFrom(big_def)
    bridge.frontend_result = result
    build.run(client, _opts(), StubTransform(error=AssertionError("no PYENV: no transform")))
    ret = _returned(bridge)
    assert ret.HasField("result"), ret.error.message
    assert ret.result.ref.id == "final-ref" and not ret.result.ref.HasField("def")
    assert ret.result.metadata == result.metadata
    (returned_att,) = ret.result.attestations["linux/amd64"].attestation
    assert returned_att.ref.id == "att-ref" and not returned_att.ref.HasField("def")


def test_the_transform_runs_again_with_each_fact_the_gateway_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """First with no facts; then with the base images' configs; then with the prebuilt interpreters too."""
    from astro_pyenv_frontend.contract import BaseImageUse
    from astro_pyenv_frontend.gateway import base_images, interpreters
    from astro_pyenv_frontend.gateway.source import UserDockerfile
    from astro_pyenv_frontend.gateway.timing import PhaseTimer

    passes = [
        Result_(GENERATED, (), base_images=(BaseImageUse("alpine", 2),)),
        Result_(GENERATED, (), base_images=(BaseImageUse("alpine", 2),), interpreters=("3.12",)),
        Result_(GENERATED, ()),
    ]
    seen: list[dockerfile.Facts] = []

    def transform(text: str, fopts: FrontendOpts, facts: dockerfile.Facts) -> Result_:
        seen.append(facts)
        return passes[len(seen) - 1]

    chosen = {("alpine", "3.12.7"): "registry/python:3.12.7@sha256:0"}
    monkeypatch.setattr(base_images, "read_bases", lambda client, fopts, uses, can_resolve: {"alpine": None})
    monkeypatch.setattr(base_images, "configs", lambda reads: {"alpine": None})
    monkeypatch.setattr(interpreters, "choose_images", lambda client, fopts, result: chosen)
    src = UserDockerfile("Dockerfile", USER, None, ops_pb2.Definition())
    files = ContextFiles(None, _opts(), {})  # type: ignore[arg-type]  # no PYENV line here reads one
    data, result, reads = build._transform(None, _opts(), files, src, transform, True, PhaseTimer())  # type: ignore[arg-type]
    assert seen == [
        dockerfile.NO_FACTS,
        dockerfile.Facts(base_configs={"alpine": None}),
        dockerfile.Facts(base_configs={"alpine": None}, interpreter_images=chosen),
    ]
    assert (data, result, reads) == (GENERATED.encode(), passes[2], {"alpine": None})


def test_a_pass_needs_the_base_configs_then_the_interpreters_then_nothing() -> None:
    from astro_pyenv_frontend.contract import BaseImageUse

    bases = (BaseImageUse("alpine", 2),)
    converted = Result_(GENERATED, (), base_images=bases, interpreters=("3.12",))
    configs = dockerfile.Facts(base_configs={"alpine": None})
    chosen = dockerfile.Facts(base_configs={"alpine": None}, interpreter_images={("alpine", "3.12.7"): "img"})
    assert dockerfile.needs(converted, dockerfile.NO_FACTS) == dockerfile.Needs(base_images=bases)
    assert dockerfile.needs(converted, configs) == dockerfile.Needs(interpreters=("3.12",))
    assert dockerfile.needs(converted, chosen) == dockerfile.Needs()
    assert dockerfile.needs(Result_("", (), changed=False), dockerfile.NO_FACTS) == dockerfile.Needs()
