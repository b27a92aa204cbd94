"""An in-process fake of BuildKit's LLBBridge gRPC service, for unit tests only.

It records every request and answers from small, test-controlled tables:
locals (name -> files), inputs, and the result (or error) dockerfile.v0
should give.  Real BuildKit is exercised by the e2e tests.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc

from astro_pyenv_frontend.gateway import llb
from astro_pyenv_frontend.gateway.proto import gateway_pb2, ops_pb2, status_pb2

SERVICE = "moby.buildkit.v1.frontend.LLBBridge"

DEFAULT_FRONTEND_CAPS = (
    "solve.base", "readfile", "return", "returnmap", "frontend.inputs", "gateway.warnings", "proto.refarray",
    "resolveimage", "gateway.evaluate",
)
DEFAULT_LLB_CAPS = (
    "source.local",
    "source.local.sessionid",
    "source.local.followpaths",
    "file.base",
    "exec.mount.bind",
    "exec.mount.selector",
    "exec.mount.cache",
    "exec.mount.cache.sharing",
    "exec.mount.secret",
)


class _Status(grpc.Status):  # grpc.Status is an abstract marker class
    def __init__(self, status: status_pb2.Status) -> None:
        self.code = next(c for c in grpc.StatusCode if c.value[0] == status.code)
        self.details = status.message
        self.trailing_metadata = (("grpc-status-details-bin", status.SerializeToString()),)


@dataclass
class FakeBridge:
    """State and behaviour of the fake engine."""

    locals: dict[str, dict[str, bytes]] = field(default_factory=dict)
    inputs: dict[str, ops_pb2.Definition] = field(default_factory=dict)
    frontend_caps: tuple[str, ...] = DEFAULT_FRONTEND_CAPS
    llb_caps: tuple[str, ...] = DEFAULT_LLB_CAPS
    frontend_result: gateway_pb2.Result | None = None
    frontend_error: status_pb2.Status | None = None
    on_frontend: Callable[[gateway_pb2.SolveRequest], None] | None = None
    requests: list[tuple[str, Any]] = field(default_factory=list)
    refs: dict[str, dict[str, bytes]] = field(default_factory=dict)
    images: dict[str, dict[str, bytes]] = field(default_factory=dict)  # docker-image:// sources' files
    image_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    returned: threading.Event = field(default_factory=threading.Event)
    honour_ranges: bool = True  # False: an engine that ignores ReadFile ranges

    def calls(self, method: str) -> list[Any]:
        return [r for m, r in self.requests if m == method]

    # -- handlers ---------------------------------------------------------
    def Ping(self, request: Any, context: Any) -> gateway_pb2.PongResponse:
        return gateway_pb2.PongResponse(
            FrontendAPICaps=[gateway_pb2.APICap(ID=c, Enabled=True) for c in self.frontend_caps],
            LLBCaps=[gateway_pb2.APICap(ID=c, Enabled=True) for c in self.llb_caps],
        )

    def Inputs(self, request: Any, context: Any) -> gateway_pb2.InputsResponse:
        return gateway_pb2.InputsResponse(Definitions=self.inputs)

    def Solve(self, request: gateway_pb2.SolveRequest, context: Any) -> gateway_pb2.SolveResponse:
        if request.Frontend:
            if self.on_frontend:
                self.on_frontend(request)
            if self.frontend_error is not None:
                context.abort_with_status(_Status(self.frontend_error))
            result = self.frontend_result or gateway_pb2.Result()
            return gateway_pb2.SolveResponse(result=result)
        files = self._evaluate(request.Definition)
        ref = f"ref-{len(self.refs)}"
        self.refs[ref] = files
        return gateway_pb2.SolveResponse(result=gateway_pb2.Result(ref=gateway_pb2.Ref(id=ref)))

    def ReadFile(self, request: gateway_pb2.ReadFileRequest, context: Any) -> gateway_pb2.ReadFileResponse:
        files = self.refs.get(request.Ref, {})
        path = request.FilePath.lstrip("/")
        if path not in files:
            context.abort(grpc.StatusCode.NOT_FOUND, f"open {path}: no such file or directory")
        data = files[path]
        if request.HasField("Range") and self.honour_ranges:
            data = data[request.Range.Offset : request.Range.Offset + request.Range.Length]
        return gateway_pb2.ReadFileResponse(Data=data)

    def ResolveImageConfig(self, request: Any, context: Any) -> gateway_pb2.ResolveImageConfigResponse:
        # "ref os/arch" answers only for that platform; plain "ref" for any.
        platform = f"{request.Platform.OS}/{request.Platform.Architecture}" if request.HasField("Platform") else ""
        for key in (f"{request.Ref} {platform}", request.Ref):
            if key in self.image_configs:
                break
        else:
            context.abort(grpc.StatusCode.NOT_FOUND, f"{request.Ref}: not found for {platform or 'the default platform'}")
        value = self.image_configs[key]
        config = value if isinstance(value, bytes) else json.dumps(value).encode()  # bytes: sent as they are
        return gateway_pb2.ResolveImageConfigResponse(Digest="sha256:" + "0" * 64, Config=config)

    def Warn(self, request: Any, context: Any) -> gateway_pb2.WarnResponse:
        return gateway_pb2.WarnResponse()

    def Return(self, request: Any, context: Any) -> gateway_pb2.ReturnResponse:
        self.returned.set()
        return gateway_pb2.ReturnResponse()

    # -- a tiny LLB evaluator --------------------------------------------
    def _evaluate(self, definition: ops_pb2.Definition) -> dict[str, bytes]:
        """Files of a local source (honouring followpaths) or of a files_input."""
        llb.verify(definition)
        ops = {}
        for data in getattr(definition, "def"):
            op = ops_pb2.Op()
            op.ParseFromString(data)
            ops[llb.op_digest(data)] = op
        head = ops[llb.head_digest(definition)]
        kind = head.WhichOneof("op")
        if kind == "source" and head.source.identifier.startswith("docker-image://"):
            ref = head.source.identifier.removeprefix("docker-image://")
            platform = f"{head.platform.OS}/{head.platform.Architecture}"
            return dict(self.images.get(f"{ref} {platform}", self.images.get(ref, {})))
        if kind == "source":
            name = head.source.identifier.removeprefix("local://")
            files = self.locals.get(name, {})
            follow = json.loads(head.source.attrs.get("local.followpaths", "null"))
            if follow is None:
                return dict(files)
            return {p: d for p, d in files.items() if p in follow}
        if kind == "file":
            out: dict[str, bytes] = {}
            for action in head.file.actions:
                if action.WhichOneof("action") == "mkfile":
                    out[action.mkfile.path.lstrip("/")] = action.mkfile.data
            return out
        raise AssertionError(f"fake cannot evaluate op {kind}")


def _handler(bridge: FakeBridge) -> grpc.GenericRpcHandler:
    types = {
        "Ping": (gateway_pb2.PingRequest, gateway_pb2.PongResponse),
        "Inputs": (gateway_pb2.InputsRequest, gateway_pb2.InputsResponse),
        "Solve": (gateway_pb2.SolveRequest, gateway_pb2.SolveResponse),
        "ReadFile": (gateway_pb2.ReadFileRequest, gateway_pb2.ReadFileResponse),
        "Warn": (gateway_pb2.WarnRequest, gateway_pb2.WarnResponse),
        "ResolveImageConfig": (gateway_pb2.ResolveImageConfigRequest, gateway_pb2.ResolveImageConfigResponse),
        "Return": (gateway_pb2.ReturnRequest, gateway_pb2.ReturnResponse),
    }
    handlers = {}
    for name, (req_type, resp_type) in types.items():
        def call(request: Any, context: Any, _name: str = name) -> Any:
            bridge.requests.append((_name, request))
            return getattr(bridge, _name)(request, context)

        handlers[name] = grpc.unary_unary_rpc_method_handler(
            call, request_deserializer=req_type.FromString, response_serializer=resp_type.SerializeToString
        )
    return grpc.method_handlers_generic_handler(SERVICE, handlers)


class FakeServer:
    """The fake bridge served on a unix socket in a temp dir."""

    def __init__(self, bridge: FakeBridge) -> None:
        self.bridge = bridge
        self._dir = tempfile.mkdtemp(prefix="fake-bridge-")
        self.path = os.path.join(self._dir, "bridge.sock")
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        self.server.add_generic_rpc_handlers((_handler(bridge),))
        self.server.add_insecure_port("unix:" + self.path)
        self.server.start()

    def stop(self) -> None:
        self.server.stop(None)
        try:
            os.unlink(self.path)
        except OSError:
            pass
        os.rmdir(self._dir)
