"""The frontend's one job, end to end.

Read our options, fetch the user's Dockerfile from the client, transform it,
and hand the plain Dockerfile to BuildKit's own ``dockerfile.v0`` as its
``dockerfile`` input with every other option and input unchanged, then return
dockerfile.v0's result (metadata included: it carries the image config).
Every failure ends in exactly one ``Return`` with a readable error.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DockerfileError, GatewayError
from . import errors as gwerrors
from . import llb
from .client import GatewayCallError, LLBBridgeClient, result_ref_id
from .opts import FrontendOpts
from .proto import gateway_pb2, ops_pb2, status_pb2

DOCKERFILE_FRONTEND = "dockerfile.v0"
DOCKERFILE_INPUT = "dockerfile"
DEFAULT_PYENV_ROOT = "/opt/astro-pyenv/pyenv"
# BuildKit's gateway server takes gRPC messages up to grpc-go's default of 4 MiB.
GATEWAY_MESSAGE_LIMIT = 4 << 20
# dockerfile.v0's result goes back to the client with its LLB, whose source map holds the
# Dockerfile and the definition it was read from: our input, which holds it again.  docker's
# BuildKit client takes 4 MiB per message, so what we hand on inline stays well under half of
# that; a larger file without PYENV lines is left to dockerfile.v0 to read, as without us.
INLINE_LIMIT = 1 << 20
CONVERTED_LIMIT = 1900 << 10

REQUIRED_FRONTEND_CAPS = ("solve.base", "readfile", "return", "returnmap", "frontend.inputs")
REQUIRED_LLB_CAPS = ("source.local", "source.local.sessionid", "source.local.followpaths", "file.base")
# What the generated Dockerfile uses: RUN --mount (bind, cache with sharing, secret).  COPY --link
# needs nothing here: without the mergeop capability (Docker's graphdriver store lacks it)
# dockerfile.v0 makes it a plain copy.
GENERATED_LLB_CAPS = {
    "exec.mount.bind": "RUN --mount=type=bind",
    "exec.mount.selector": "RUN --mount=type=bind,source=",
    "exec.mount.cache": "RUN --mount=type=cache",
    "exec.mount.cache.sharing": "RUN --mount=type=cache,sharing=locked",
    "exec.mount.secret": "RUN --mount=type=secret",
}


class PhaseTimer:
    """Milliseconds per phase, logged as one stderr line (it lands in the engine's log)."""

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self.phases: list[tuple[str, float]] = []

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.phases.append((name, (now - self._last) * 1000))
        self._last = now

    def line(self) -> str:
        return "astro-pyenv gateway: " + ", ".join(f"{n} {ms:.0f} ms" for n, ms in self.phases)


TIMER = PhaseTimer()


class ReturnedError(Exception):
    """A failure already shaped as the status the user should see."""

    def __init__(self, status: status_pb2.Status) -> None:
        super().__init__(status.message)
        self.status = status


@dataclass(frozen=True)
class UserDockerfile:
    """The user's Dockerfile as read from the client, with where it came from."""

    filename: str
    data: bytes
    dockerignore: bytes | None
    definition: ops_pb2.Definition

    def source_info(self) -> ops_pb2.SourceInfo:
        return ops_pb2.SourceInfo(filename=self.filename, data=self.data, language=gwerrors.LANGUAGE)


def _enabled(caps: Iterable[Any]) -> set[str]:
    return {c.ID for c in caps if c.Enabled}


def check_caps(pong: gateway_pb2.PongResponse) -> tuple[set[str], set[str]]:
    """Fail clearly when the engine lacks a call or LLB feature we rely on.

    Returns the enabled frontend API and LLB capabilities.
    """
    frontend_caps = _enabled(pong.FrontendAPICaps)
    llb_caps = _enabled(pong.LLBCaps)
    missing = [c for c in REQUIRED_FRONTEND_CAPS if c not in frontend_caps]
    missing += [c for c in REQUIRED_LLB_CAPS if c not in llb_caps]
    if missing:
        raise GatewayError(
            "this BuildKit is too old for the astro-pyenv frontend: it lacks "
            + ", ".join(missing)
            + " (use Docker 23+ / BuildKit 0.11+)"
        )
    return frontend_caps, llb_caps


def check_generated_caps(llb_caps: set[str]) -> None:
    """Fail clearly when the engine cannot run what PYENV lines turn into."""
    missing = [f"{cap} ({used_by})" for cap, used_by in GENERATED_LLB_CAPS.items() if cap not in llb_caps]
    if missing:
        raise GatewayError(
            "this BuildKit cannot build what PYENV lines need: it lacks "
            + ", ".join(missing)
            + " (use Docker 23+ / BuildKit 0.11+)"
        )


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


def _known_versions() -> Any:
    """pyenv's definition names from the image; None lets the transform use its snapshot."""
    root = Path(os.environ.get("ASTRO_PYENV_ROOT", DEFAULT_PYENV_ROOT))
    if not root.is_dir():
        return None
    try:
        from ..versions import load_known_versions

        return load_known_versions(root)
    except Exception:  # noqa: BLE001 - the bundled snapshot is a fine fallback
        traceback.print_exc(file=sys.stderr)
        return None


TransformFn = Callable[[str, FrontendOpts], Any]


def default_transform(text: str, fopts: FrontendOpts) -> Any:
    """The real transform, with options taken from the frontend options."""
    from ..transform import TransformOptions, transform

    options = TransformOptions(
        frontend_image=fopts.source,
        build_args=fopts.build_args,
        known_versions=_known_versions(),
    )
    return transform(text, options)


# BuildKit's parser trims Go's unicode.IsSpace before the keyword and after the line, and splits
# the keyword off at [\t\v\f\r ]; any non-ASCII byte stands in for the multi-byte spaces (and the
# BOM), so the test errs on the side of running the transform.
_SPACE = rb"[\t\v\f\r \x80-\xff]"
# A continuation, with the comment and blank lines the parser skips after it.
_CONTINUATION = re.compile(rb"[\\`][ \t]*\r*\n(?:" + _SPACE + rb"*(?:#[^\n]*)?\n)*")
_PYENV_LINE = re.compile(rb"^" + _SPACE + rb"*pyenv(?:" + _SPACE + rb"|[\\`]|$)", re.IGNORECASE | re.MULTILINE)


def may_use_pyenv(data: bytes) -> bool:
    """False only when no line can be a PYENV instruction (cheap, conservative).

    Plain Dockerfiles then skip importing the transform and its templates,
    which costs about as much as the rest of the frontend together.  (The
    ``# syntax`` line names our image, so a bare substring test won't do.)
    Lines are tried both as written and with continuations joined, since the
    parser joins lines before reading the keyword but skips comment lines.
    """
    return bool(_PYENV_LINE.search(data) or _PYENV_LINE.search(_CONTINUATION.sub(b"", data)))


@dataclass(frozen=True)
class Unchanged:
    """TransformResult-shaped answer for a Dockerfile without PYENV."""

    dockerfile: str = ""
    source_lines: tuple[int | None, ...] = ()
    warnings: tuple[Any, ...] = ()
    changed: bool = False
    pyenv_bases: tuple[Any, ...] = ()


def transform_dockerfile(
    src: UserDockerfile, fopts: FrontendOpts, transform_fn: TransformFn = default_transform
) -> tuple[bytes, Any]:
    """(bytes to hand on, TransformResult); DockerfileError becomes a located status."""
    if not may_use_pyenv(src.data):
        return src.data, Unchanged()
    text = src.data.decode("utf-8", errors="surrogateescape")
    try:
        result = transform_fn(text, fopts)
    except DockerfileError as err:
        raise ReturnedError(
            gwerrors.dockerfile_error_status(err, filename=src.filename, data=src.data)
        ) from None
    if not result.changed:
        return src.data, result
    return result.dockerfile.encode("utf-8", errors="surrogateescape"), result


@dataclass(frozen=True)
class _Warning:
    message: str
    line: int


def onbuild_warnings(client: LLBBridgeClient, fopts: FrontendOpts, bases: Iterable[Any]) -> list[_Warning]:
    """Warn about base images with ONBUILD steps under PYENV lines (best effort).

    Their ONBUILD steps run at FROM, before the PYENV work, so a change to what
    they copy rebuilds every PYENV stage.  A base that cannot be resolved here
    is left to dockerfile.v0, which reports it properly.
    """
    found = []
    for base in bases:
        try:
            raw = client.resolve_image_config(
                base.image,
                resolve_mode=fopts.opts.get("image-resolve-mode", ""),
                log_name=f"[internal] astro-pyenv: check {base.image} for ONBUILD",
            )
            onbuild = (json.loads(raw or b"{}").get("config") or {}).get("OnBuild") or []
        except (GatewayCallError, ValueError, AttributeError) as err:
            print(f"astro-pyenv: could not check {base.image} for ONBUILD: {err}", file=sys.stderr)
            continue
        if onbuild:
            found.append(
                _Warning(
                    f"{base.image} has {len(onbuild)} ONBUILD step(s); they run before the PYENV work,"
                    " so changing what they copy rebuilds the Python environments",
                    base.line,
                )
            )
    return found


def _warn_all(client: LLBBridgeClient, src: UserDockerfile, warnings: Iterable[Any]) -> None:
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


def _solve_request_size(
    fopts: FrontendOpts, inputs: Mapping[str, ops_pb2.Definition], dockerfile_input: ops_pb2.Definition
) -> int:
    """About the size of the Solve request that hands ``dockerfile_input`` on (a few bytes over)."""
    size: int = dockerfile_input.ByteSize() + 64
    size += sum(len(k) + len(v) + 16 for k, v in fopts.opts.items())
    size += sum(len(k) + d.ByteSize() + 16 for k, d in inputs.items())
    return size


def forward(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    inputs: Mapping[str, ops_pb2.Definition],
    dockerfile_input: ops_pb2.Definition | None,
    *,
    evaluate: bool = False,
) -> gateway_pb2.Result:
    """Run dockerfile.v0 with the user's options and inputs (ours replacing ``dockerfile``).

    With ``evaluate`` the build itself runs inside this call, so its errors (a failing pip
    install, a missing requirements file) come back here to be mapped to the user's lines;
    otherwise BuildKit runs it after our Return, where we never see them.
    """
    opts = dict(fopts.opts)
    all_inputs = dict(inputs)
    if dockerfile_input is not None:
        # dockerfilekey would make dockerfile.v0 ignore the input and re-read the local.
        opts.pop("dockerfilekey", None)
        all_inputs[DOCKERFILE_INPUT] = dockerfile_input
    return client.solve(
        frontend=DOCKERFILE_FRONTEND, frontend_opt=opts, frontend_inputs=all_inputs, evaluate=evaluate
    )


def build(
    client: LLBBridgeClient, fopts: FrontendOpts, transform_fn: TransformFn = default_transform
) -> gateway_pb2.Result:
    """Everything up to (not including) the final Return."""
    caps, llb_caps = check_caps(client.ping())
    TIMER.mark("ping")
    inputs = client.inputs()
    if fopts.remote_context:
        # git/HTTP contexts: dockerfile.v0 reads the Dockerfile from the URL
        # itself and would ignore our input, so we can only pass through.
        return forward(client, fopts, inputs, None)
    src = read_dockerfile(client, fopts, inputs)
    TIMER.mark("read")
    data, result = transform_dockerfile(src, fopts, transform_fn)
    TIMER.mark("transform")
    if result.changed:
        check_generated_caps(llb_caps)
    warnings = list(result.warnings)
    if "gateway.warnings" in caps:
        if result.changed and "resolveimage" in caps:
            warnings += onbuild_warnings(client, fopts, result.pyenv_bases)
        _warn_all(client, src, warnings)
    files = [llb.FileToWrite(src.filename, data)]
    if src.dockerignore is not None:
        files.append(llb.FileToWrite(src.filename + ".dockerignore", src.dockerignore))
    name = "[internal] astro-pyenv: generated " + src.filename if result.changed else None
    dockerfile_input = llb.files_input(files, custom_name=name)
    size = len(data) + len(src.dockerignore or b"")
    too_big = _solve_request_size(fopts, inputs, dockerfile_input) > GATEWAY_MESSAGE_LIMIT
    if not result.changed and (too_big or size > INLINE_LIMIT):
        return forward(client, fopts, inputs, None)  # dockerfile.v0 reads the very same file itself
    if result.changed and (too_big or size > CONVERTED_LIMIT):
        raise GatewayError(
            f"this Dockerfile with its PYENV lines converted is {size / (1 << 20):.1f} MiB, more than the"
            f" {CONVERTED_LIMIT / (1 << 20):.1f} MiB astro-pyenv can hand on (docker's BuildKit client takes"
            " 4 MiB per message and the converted file travels in it twice): make the Dockerfile smaller"
        )
    try:
        return forward(client, fopts, inputs, dockerfile_input, evaluate=result.changed)
    except GatewayCallError as err:
        TIMER.mark("solve")
        if not result.changed:
            raise ReturnedError(err.status) from None
        gen = gwerrors.GeneratedSource(
            filename=src.filename, generated=data, original=src.data, source_lines=result.source_lines
        )
        raise ReturnedError(gwerrors.remap_status(err.status, gen)) from None


def without_definitions(result: gateway_pb2.Result) -> gateway_pb2.Result:
    """``result`` without the LLB definitions of its refs: Return needs only their ids.

    dockerfile.v0's refs carry their LLB, source maps and so the whole Dockerfile included;
    for a large Dockerfile that is more than BuildKit takes in one message.
    """
    out = gateway_pb2.Result()
    out.CopyFrom(result)
    refs = [out.ref] if out.WhichOneof("result") == "ref" else []
    if out.WhichOneof("result") == "refs":
        refs += list(out.refs.refs.values())
    for attestations in out.attestations.values():
        refs += [a.ref for a in attestations.attestation if a.HasField("ref")]
    for ref in refs:
        ref.ClearField("def")
    return out


def run(
    client: LLBBridgeClient, fopts: FrontendOpts, transform_fn: TransformFn = default_transform
) -> int:
    """Build and Return exactly once; the exit code only matters if Return fails."""
    try:
        result = build(client, fopts, transform_fn)
    except ReturnedError as err:
        status = err.status
    except GatewayCallError as err:
        status = err.status
    except GatewayError as err:
        status = gwerrors.message_status(str(err))
    except Exception as err:  # noqa: BLE001 - must reach the user, not crash silently
        traceback.print_exc(file=sys.stderr)
        status = gwerrors.crash_status(err)
    else:
        TIMER.mark("solve")
        try:
            client.return_result(without_definitions(result))
            TIMER.mark("return")
            print(TIMER.line(), file=sys.stderr)
            return 0
        except Exception as err:  # noqa: BLE001
            traceback.print_exc(file=sys.stderr)
            status = gwerrors.crash_status(err)
    try:
        client.return_error(gwerrors.fit_status(status))
    except Exception:  # noqa: BLE001 - nothing left to tell BuildKit with
        traceback.print_exc(file=sys.stderr)
        print(f"astro-pyenv: {status.message}", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    """Entry point inside the frontend container (stdio is BuildKit's gRPC)."""
    from .opts import parse_env
    from .transport import open_stdio_channel, take_stdout

    out_fd = take_stdout()
    TIMER.mark("start")
    channel, bridge = open_stdio_channel(0, out_fd)
    TIMER.mark("grpc-import")
    try:
        return run(LLBBridgeClient(channel), parse_env())
    finally:
        try:
            channel.close()
        finally:
            bridge.close()


def main_error(message: str) -> int:
    """Entry point when the frontend must not run: tell BuildKit why, read nothing else."""
    from .transport import open_stdio_channel, take_stdout

    print(message, file=sys.stderr)
    channel, bridge = open_stdio_channel(0, take_stdout())
    try:
        client = LLBBridgeClient(channel)
        client.ping()
        client.return_error(gwerrors.message_status(message))
    except Exception:  # noqa: BLE001 - the message is in the engine's log at least
        traceback.print_exc(file=sys.stderr)
    finally:
        try:
            channel.close()
        finally:
            bridge.close()
    return 1
