"""The frontend's one job, end to end.

Read our options, fetch the user's Dockerfile from the client, transform it,
and hand the plain Dockerfile to BuildKit's own ``dockerfile.v0`` (or the Dockerfile
frontend the user named, see ``chain``) as its ``dockerfile`` input with every other
option and input unchanged, then return its result (metadata included: it carries
the image config).
Every failure ends in exactly one ``Return`` with a readable error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from .. import layout
from ..contract import TransformResult
from ..errors import GatewayError
from ..syntax_directive import DockerfileFrontend
from . import chain, llb
from . import errors as gwerrors
from .caps import check_caps, check_generated_caps
from .client import GatewayCallError, LLBBridgeClient
from .context_files import ContextFiles
from .dockerfile import NO_FACTS, Facts, TransformFn, default_transform, needs, transform_dockerfile
from .errors import ReturnedError
from .opts import FrontendOpts
from .proto import gateway_pb2, ops_pb2
from .source import DOCKERFILE_INPUT, UserDockerfile, read_dockerfile
from .timing import PhaseTimer
from .warn import send_warnings

if TYPE_CHECKING:
    from .base_images import BaseRead

# What only a Dockerfile with PYENV lines needs (base images, requirements includes, prebuilt
# interpreters, build checks), a subrequest or a crash (traceback) is imported where it is used:
# a build without them, passed through, does not load it (the frontend's start is part of every
# build's time).

DOCKERFILE_FRONTEND = "dockerfile.v0"
# BuildKit's gateway server takes gRPC messages up to grpc-go's default of 4 MiB.
GATEWAY_MESSAGE_LIMIT = 4 << 20
# dockerfile.v0's result goes back to the client with its LLB, whose source map holds the
# Dockerfile and the definition it was read from: our input, which holds it again.  docker's
# BuildKit client takes 4 MiB per message, so what we hand on inline stays well under half of
# that; a larger file without PYENV lines is left to dockerfile.v0 to read, as without us.
INLINE_LIMIT = 1 << 20
CONVERTED_LIMIT = 1900 << 10


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
    chained: DockerfileFrontend | None = None,
) -> gateway_pb2.Result:
    """Run dockerfile.v0 (or the ``chained`` frontend the user named) with the user's options
    and inputs (ours replacing ``dockerfile``).

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
    frontend, opts = chain.solve_target(opts, chained, DOCKERFILE_FRONTEND)
    return client.solve(frontend=frontend, frontend_opt=opts, frontend_inputs=all_inputs, evaluate=evaluate)


def _forward_located(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    inputs: Mapping[str, ops_pb2.Definition],
    chained: DockerfileFrontend | None,
    src: UserDockerfile | None,
    dockerfile_input: ops_pb2.Definition | None = None,
) -> gateway_pb2.Result:
    """``forward`` (by default without a Dockerfile input); an error of the chained frontend located."""
    try:
        return forward(client, fopts, inputs, dockerfile_input, chained=chained)
    except GatewayCallError as err:
        raise ReturnedError(chain.locate_error(err.status, chained, src)) from None


def _forward_subrequest(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    inputs: Mapping[str, ops_pb2.Definition],
    src: UserDockerfile | None,
    dockerfile_input: ops_pb2.Definition | None,
) -> gateway_pb2.Result:
    """``forward`` for a subrequest: to the Dockerfile frontend ``src`` names (the build arg's
    without ``src``: a git/HTTP context), an error of that frontend located."""
    chained = chain.chosen_frontend(src, fopts) if src is not None else chain.build_arg_frontend(fopts)
    return _forward_located(client, fopts, inputs, chained, src, dockerfile_input)


def build(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    transform_fn: TransformFn = default_transform,
    timer: PhaseTimer | None = None,
) -> gateway_pb2.Result:
    """Everything up to (not including) the final Return."""
    timer = timer or PhaseTimer()
    caps, llb_caps = check_caps(client.ping())
    timer.mark("ping")
    chain.refuse_loop(fopts)
    inputs = client.inputs()
    if fopts.subrequest is not None:  # --call=outline|targets|check: about the user's file
        from . import subrequests

        return subrequests.answer(client, fopts, inputs, transform_fn, _forward_subrequest)
    if fopts.remote_context:
        # git/HTTP contexts: dockerfile.v0 reads the Dockerfile from the URL
        # itself and would ignore our input, so we can only pass through.
        return _forward_located(client, fopts, inputs, chain.build_arg_frontend(fopts), None)
    src = read_dockerfile(client, fopts, inputs)
    chained = chain.chosen_frontend(src, fopts)
    timer.mark("read")
    files = ContextFiles(client, fopts, inputs)
    data, result, reads = _transform(client, fopts, files, src, transform_fn, "resolveimage" in caps, timer)
    if result.changed:
        check_generated_caps(llb_caps)  # before anything is said about the converted file
    if "gateway.warnings" in caps:
        send_warnings(client, src, result.warnings)
    handing_on = _HandingOn(client, fopts, inputs, chained, src, data)
    if not result.changed:
        return handing_on.pass_through()
    from . import checks

    checks.run_for_build(client, fopts, inputs, src, result, can_warn="gateway.warnings" in caps, files=files)
    return handing_on.convert(result, reads, timer)


def _transform(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    files: ContextFiles,
    src: UserDockerfile,
    transform_fn: TransformFn,
    can_resolve: bool,
    timer: PhaseTimer,
) -> tuple[bytes, TransformResult, dict[str, BaseRead | None]]:
    """The transform, run again with each fact it needs once the gateway has read it: the base
    images' configs (what they are decides how they are used) and what the requirements files
    include, then the prebuilt interpreters."""
    facts = NO_FACTS
    data, result = transform_dockerfile(src, fopts, transform_fn, facts)
    timer.mark("transform")
    reads: dict[str, BaseRead | None] = {}
    if not needs(result, facts).base_images:
        return data, result, reads
    from . import base_images, interpreters, requirements

    reads = base_images.read_bases(client, fopts, result.base_images, can_resolve=can_resolve)
    timer.mark("bases")
    includes = requirements.read_includes(files, fopts, result.environments)
    timer.mark("requirements")
    facts = Facts(base_configs=base_images.configs(reads), requirements_includes=includes)
    data, result = transform_dockerfile(src, fopts, transform_fn, facts)
    timer.mark("transform")
    wanted = needs(result, facts).interpreters
    chosen = interpreters.choose_images(client, fopts, result) if wanted else {}
    if chosen:
        timer.mark("interpreters")
        facts = replace(facts, interpreter_images=chosen)
        data, result = transform_dockerfile(src, fopts, transform_fn, facts)
        timer.mark("transform")
    return data, result, reads


class _HandingOn:
    """The Dockerfile handed on to dockerfile.v0 (or the chained frontend): as the user wrote
    it, or converted."""

    def __init__(
        self,
        client: LLBBridgeClient,
        fopts: FrontendOpts,
        inputs: Mapping[str, ops_pb2.Definition],
        chained: DockerfileFrontend | None,
        src: UserDockerfile,
        data: bytes,
    ) -> None:
        self.client, self.fopts, self.inputs, self.chained, self.src, self.data = (
            client, fopts, inputs, chained, src, data
        )

    def _input(self, custom_name: str | None) -> tuple[ops_pb2.Definition, int, bool]:
        """The Dockerfile input, its size, and whether the Solve request would be too big."""
        files = [llb.FileToWrite(self.src.filename, self.data)]
        if self.src.dockerignore is not None:
            files.append(llb.FileToWrite(self.src.filename + ".dockerignore", self.src.dockerignore))
        dockerfile_input = llb.files_input(files, custom_name=custom_name)
        size = len(self.data) + len(self.src.dockerignore or b"")
        too_big = _solve_request_size(self.fopts, self.inputs, dockerfile_input) > GATEWAY_MESSAGE_LIMIT
        return dockerfile_input, size, too_big

    def pass_through(self) -> gateway_pb2.Result:
        """The user's file as it is; a large one is left to dockerfile.v0 to read itself."""
        client, fopts, inputs, chained, src = self.client, self.fopts, self.inputs, self.chained, self.src
        dockerfile_input, size, too_big = self._input(None)
        if too_big or size > INLINE_LIMIT:
            return _forward_located(client, fopts, inputs, chained, src)  # dockerfile.v0 reads the very same file
        return _forward_located(client, fopts, inputs, chained, src, dockerfile_input)

    def convert(
        self, result: TransformResult, reads: Mapping[str, BaseRead | None], timer: PhaseTimer
    ) -> gateway_pb2.Result:
        """The converted file, built inside this call so that its errors map to the user's lines."""
        client, src, inputs, fopts = self.client, self.src, self.inputs, self.fopts
        if result.onbuild_free:  # the generated Dockerfile builds on images without their ONBUILD steps
            from . import base_images

            context_inputs, context_opts = base_images.named_contexts(reads, result.onbuild_free, fopts)
            inputs = {**inputs, **context_inputs}
            fopts = replace(fopts, opts={**fopts.opts, **context_opts})
            self.inputs, self.fopts = inputs, fopts
        dockerfile_input, size, too_big = self._input("[internal] astro-pyenv: generated " + src.filename)
        if too_big or size > CONVERTED_LIMIT:
            raise GatewayError(
                f"this Dockerfile with its PYENV lines converted is {size / (1 << 20):.1f} MiB, more than the"
                f" {CONVERTED_LIMIT / (1 << 20):.1f} MiB astro-pyenv can hand on (docker's BuildKit client takes"
                " 4 MiB per message and the converted file travels in it twice): make the Dockerfile smaller"
            )
        # A new id re-runs the stage that digests the venv steps' secrets (layout.py).
        fopts = fopts.with_build_arg(layout.BUILD_ID_ARG, os.urandom(16).hex())
        try:
            return forward(client, fopts, inputs, dockerfile_input, evaluate=True, chained=self.chained)
        except GatewayCallError as err:
            timer.mark("solve")
            gen = gwerrors.GeneratedSource(
                filename=src.filename, generated=self.data, original=src.data, source_lines=result.source_lines
            )
            raise ReturnedError(chain.locate_error(gwerrors.remap_status(err.status, gen), self.chained, src)) from None


def _print_exc() -> None:
    import traceback

    traceback.print_exc(file=sys.stderr)


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
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    transform_fn: TransformFn = default_transform,
    timer: PhaseTimer | None = None,
) -> int:
    """Build and Return exactly once; the exit code only matters if Return fails."""
    timer = timer or PhaseTimer()
    try:
        result = build(client, fopts, transform_fn, timer)
    except ReturnedError as err:
        status = err.status
    except GatewayCallError as err:
        status = err.status
    except GatewayError as err:
        status = gwerrors.message_status(str(err))
    except Exception as err:  # noqa: BLE001 - must reach the user, not crash silently
        _print_exc()
        status = gwerrors.crash_status(err)
    else:
        timer.mark("solve")
        try:
            client.return_result(without_definitions(result))
            timer.mark("return")
            print(timer.line(), file=sys.stderr)
            return 0
        except Exception as err:  # noqa: BLE001
            _print_exc()
            status = gwerrors.crash_status(err)
    try:
        client.return_error(gwerrors.fit_status(status))
    except Exception:  # noqa: BLE001 - nothing left to tell BuildKit with
        _print_exc()
        print(f"astro-pyenv: {status.message}", file=sys.stderr)
        return 1
    return 0


def main(started: float | None = None) -> int:
    """Entry point inside the frontend container (stdio is BuildKit's gRPC); ``started``: when
    the entry module began (its first phase, "imports", is the modules loaded since)."""
    from .opts import parse_env
    from .transport import open_stdio_channel, take_stdout

    timer = PhaseTimer(started)
    out_fd = take_stdout()
    timer.mark("imports")
    channel, bridge = open_stdio_channel(0, out_fd)
    timer.mark("grpc-import")
    try:
        return run(LLBBridgeClient(channel), parse_env(), timer=timer)
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
        _print_exc()
    finally:
        try:
            channel.close()
        finally:
            bridge.close()
    return 1
