"""A small client for BuildKit's LLBBridge service (the gateway API).

Only the calls this frontend needs.  Calls are built from their method paths
so no generated gRPC stub (and its grpcio version pin) is needed at run time.
Failed calls raise :class:`GatewayCallError` carrying BuildKit's status with
its details (source locations, stacks), which we may pass on to the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from google.protobuf.message import Message

from ..errors import GatewayError
from .proto import gateway_pb2, ops_pb2, status_pb2

_Response = TypeVar("_Response", bound=Message)

SERVICE = "/moby.buildkit.v1.frontend.LLBBridge/"
STATUS_DETAILS_KEY = "grpc-status-details-bin"
PING_TIMEOUT = 60.0
READ_CHUNK = 4 << 20


class GatewayCallError(GatewayError):
    """A gateway call failed; ``status`` is BuildKit's status, details included."""

    def __init__(self, method: str, status: status_pb2.Status) -> None:
        super().__init__(status.message or f"{method} failed (code {status.code})")
        self.method = method
        self.status = status


def status_from_rpc_error(err: Any) -> status_pb2.Status:
    """Recover the full status (with details) from a grpcio ``RpcError``."""
    for key, value in (err.trailing_metadata() or ()) if hasattr(err, "trailing_metadata") else ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status()
            try:
                status.ParseFromString(value)
                return status
            except Exception:  # noqa: BLE001 - fall back to code + text
                break
    code = err.code() if hasattr(err, "code") else None
    number = code.value[0] if code is not None else 2
    details = err.details() if hasattr(err, "details") else str(err)
    return status_pb2.Status(code=number, message=details or str(err))


class LLBBridgeClient:
    """Typed wrappers around the LLBBridge calls we make."""

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        self._calls: dict[str, Any] = {}

    def _call(self, method: str, request: Message, response_type: type[_Response], **kwargs: Any) -> _Response:
        call = self._calls.get(method)
        if call is None:
            call = self._channel.unary_unary(
                SERVICE + method,
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=response_type.FromString,
            )
            self._calls[method] = call
        import grpc  # lazy; already loaded once a channel exists

        try:
            response = call(request, **kwargs)
        except grpc.RpcError as err:
            raise GatewayCallError(method, status_from_rpc_error(err)) from None
        assert isinstance(response, response_type)
        return response

    def ping(self) -> gateway_pb2.PongResponse:
        # wait_for_ready: the first call also waits for the connection itself.
        return self._call("Ping", gateway_pb2.PingRequest(), gateway_pb2.PongResponse,
                          wait_for_ready=True, timeout=PING_TIMEOUT)

    def solve(
        self,
        definition: ops_pb2.Definition | None = None,
        *,
        frontend: str = "",
        frontend_opt: Mapping[str, str] | None = None,
        frontend_inputs: Mapping[str, ops_pb2.Definition] | None = None,
        evaluate: bool = False,
    ) -> gateway_pb2.Result:
        request = gateway_pb2.SolveRequest(
            Frontend=frontend,
            FrontendOpt=dict(frontend_opt or {}),
            allowResultReturn=True,
            allowResultArrayRef=True,
            Evaluate=evaluate,
        )
        if definition is not None:
            request.Definition.CopyFrom(definition)
        for name, inp in (frontend_inputs or {}).items():
            request.FrontendInputs[name].CopyFrom(inp)
        response = self._call("Solve", request, gateway_pb2.SolveResponse)
        if response.HasField("result"):
            return response.result
        # Very old engines answer with a bare ref id.
        return gateway_pb2.Result(refDeprecated=response.ref)

    def resolve_image_config(
        self, ref: str, *, platform: ops_pb2.Platform | None = None, resolve_mode: str = "", log_name: str = ""
    ) -> bytes:
        """The image's config JSON, resolved as dockerfile.v0 resolves FROM images: for
        ``platform`` (the worker's default when None)."""
        return self.resolve_image(ref, platform=platform, resolve_mode=resolve_mode, log_name=log_name)[1]

    def resolve_image(
        self, ref: str, *, platform: ops_pb2.Platform | None = None, resolve_mode: str = "", log_name: str = ""
    ) -> tuple[str, bytes]:
        """(digest, config JSON) of the image, as :meth:`resolve_image_config`; the digest is
        what dockerfile.v0 pins a FROM image to ("" when the engine gives none: a local image)."""
        request = gateway_pb2.ResolveImageConfigRequest(
            Ref=ref, Platform=platform, ResolveMode=resolve_mode, LogName=log_name
        )
        response = self._call("ResolveImageConfig", request, gateway_pb2.ResolveImageConfigResponse)
        return response.Digest, response.Config

    def read_file(self, ref: str, path: str, *, offset: int = 0, length: int = 0) -> bytes:
        """The file, or ``length`` bytes of it from ``offset`` (engines may ignore the range)."""
        request = gateway_pb2.ReadFileRequest(Ref=ref, FilePath=path)
        if length:
            request.Range.CopyFrom(gateway_pb2.FileRange(Offset=offset, Length=length))
        data: bytes = self._call("ReadFile", request, gateway_pb2.ReadFileResponse).Data
        return data

    def read_whole_file(self, ref: str, path: str, chunk: int = READ_CHUNK) -> bytes:
        """The whole file, in ranges of ``chunk`` bytes so no answer outgrows a gRPC message."""
        parts: list[bytes] = []
        offset = 0
        while True:
            data = self.read_file(ref, path, offset=offset, length=chunk)
            if len(data) > chunk:  # the engine ignored the range: this is the whole file
                return data
            parts.append(data)
            offset += len(data)
            if len(data) < chunk:
                return b"".join(parts)

    def inputs(self) -> dict[str, ops_pb2.Definition]:
        response = self._call("Inputs", gateway_pb2.InputsRequest(), gateway_pb2.InputsResponse)
        return dict(response.Definitions)

    def warn(
        self,
        message: str,
        *,
        digest: str,
        info: ops_pb2.SourceInfo | None = None,
        ranges: tuple[ops_pb2.Range, ...] = (),
        level: int = 1,
        detail: tuple[bytes, ...] = (),
        url: str = "",
    ) -> None:
        request = gateway_pb2.WarnRequest(
            digest=digest, level=level, short=message.encode(), ranges=ranges, detail=detail, url=url
        )
        if info is not None:
            request.info.CopyFrom(info)
        self._call("Warn", request, gateway_pb2.WarnResponse)

    def return_result(self, result: gateway_pb2.Result) -> None:
        self._call("Return", gateway_pb2.ReturnRequest(result=result), gateway_pb2.ReturnResponse)

    def return_error(self, status: status_pb2.Status) -> None:
        self._call("Return", gateway_pb2.ReturnRequest(error=status), gateway_pb2.ReturnResponse)


def result_ref_id(result: gateway_pb2.Result) -> str:
    """The single ref of a solve result (for ReadFile)."""
    kind = result.WhichOneof("result")
    if kind == "ref":
        return result.ref.id
    if kind == "refDeprecated":
        return result.refDeprecated
    raise GatewayError(f"expected a single result from BuildKit, got {kind or 'none'}")
