"""The one HTTP call the registry client makes, behind a tiny interface.

:class:`UrllibTransport` is the real one (standard library; proxies from the usual
``HTTPS_PROXY``/``NO_PROXY`` variables, the system's CA certificates).  Unit tests hand the client an
in-process fake registry instead (tests/unit/oci/fake_registry.py).
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import IO, Protocol

from .errors import RegistryError

__all__ = ["Request", "Response", "Transport", "UrllibTransport"]

TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    # Sent to ``url``'s host only, never to where it redirects (blob storage has its own auth).
    authorization: str | None = None


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]  # names lower-cased
    body: IO[bytes]
    url: str  # after redirects

    def read_all(self, limit: int) -> bytes:
        """The body, refused when it is longer than ``limit`` bytes."""
        data = self.body.read(limit + 1)
        self.body.close()
        if len(data) > limit:
            raise RegistryError(f"{self.url}: the response is longer than {limit} bytes")
        return data


class Transport(Protocol):
    def send(self, request: Request) -> Response: ...


class UrllibTransport:
    """HTTP(S) with urllib: redirects followed, the authorization header kept from other hosts."""

    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        self.timeout = timeout

    def send(self, request: Request) -> Response:
        raw = urllib.request.Request(request.url, method=request.method, headers=dict(request.headers))
        if request.authorization is not None:
            raw.add_unredirected_header("Authorization", request.authorization)
        try:
            opened = urllib.request.urlopen(raw, timeout=self.timeout)  # noqa: S310 (http/https only)
        except urllib.error.HTTPError as err:
            body = err.fp if err.fp is not None else io.BytesIO()
            return Response(err.code, _lower(err.headers), body, err.geturl() or request.url)
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise RegistryError(f"cannot reach {_host(request.url)}: {reason}") from None
        return Response(opened.status, _lower(opened.headers), opened, opened.geturl())


def _lower(headers: Message | None) -> dict[str, str]:
    return {name.lower(): value for name, value in (headers.items() if headers is not None else ())}


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]
