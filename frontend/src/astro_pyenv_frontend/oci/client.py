"""Manifests and blobs from an OCI registry, every byte checked against its digest.

A manifest asked for by digest must hash to it; one asked for by tag must hash to the
``Docker-Content-Digest`` the registry states, if it states one.  A blob must have the size
and sha256 its descriptor gives; it is streamed, never held whole, and never longer than that.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from .auth import Credentials, basic_header, fetch_token, load_credentials, parse_challenge
from .errors import RegistryError
from .reference import Reference
from .transport import Request, Response, Transport, UrllibTransport

__all__ = ["Descriptor", "Manifest", "RegistryClient", "MANIFEST_TYPES"]

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
_INDEX_TYPES = MANIFEST_TYPES[:2]
_MAX_MANIFEST = 4 << 20
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    platform: str = ""  # "linux/amd64" (with "/v8" for a variant) in an index, else ""

    @classmethod
    def of(cls, raw: Any) -> Descriptor:
        try:
            platform = raw.get("platform") or {}
            name = f"{platform.get('os', '')}/{platform.get('architecture', '')}" if platform else ""
            if platform.get("variant"):
                name += f"/{platform['variant']}"
            return cls(str(raw["mediaType"]), str(raw["digest"]), int(raw["size"]), name)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise RegistryError(f"a manifest holds a malformed descriptor: {raw!r:.200}") from None


@dataclass(frozen=True)
class Manifest:
    media_type: str
    digest: str
    data: dict[str, Any] = field(repr=False)

    @property
    def is_index(self) -> bool:
        return self.media_type in _INDEX_TYPES or "manifests" in self.data

    def manifests(self) -> list[Descriptor]:
        return [Descriptor.of(raw) for raw in self.data.get("manifests") or ()]

    def config(self) -> Descriptor:
        return Descriptor.of(self.data.get("config"))

    def layers(self) -> list[Descriptor]:
        return [Descriptor.of(raw) for raw in self.data.get("layers") or ()]


class RegistryClient:
    """Reads from registries over their HTTP API; one client keeps its tokens per repository."""

    def __init__(
        self,
        transport: Transport | None = None,
        credentials: Callable[[str], Credentials | None] = load_credentials,
    ) -> None:
        self.transport: Transport = transport or UrllibTransport()
        self.credentials = credentials
        self._authorization: dict[tuple[str, str], str] = {}

    def manifest(self, ref: Reference, reference: str | None = None) -> Manifest:
        """The manifest or index ``reference`` (default: ``ref``'s digest, else its tag)."""
        wanted = reference or ref.reference
        response = self._get(ref, f"{ref.base_url}/manifests/{wanted}", {"Accept": ", ".join(MANIFEST_TYPES)})
        raw = response.read_all(_MAX_MANIFEST)
        if response.status != 200:
            where = f"{ref.repository}@{wanted}"
            raise RegistryError(f"{ref.registry} did not serve the manifest {where}: {response.status}")
        digest = "sha256:" + hashlib.sha256(raw).hexdigest()
        stated = response.headers.get("docker-content-digest", "")
        if wanted.startswith("sha256:") and digest != wanted:
            raise RegistryError(f"{ref.registry} served other bytes for {ref.repository}@{wanted} ({digest})")
        if stated and stated != digest:
            raise RegistryError(f"{ref.registry} says {ref.repository}:{wanted} is {stated}; its bytes are {digest}")
        try:
            data = json.loads(raw)
        except ValueError:
            raise RegistryError(f"the manifest {ref.repository}@{digest} is not JSON") from None
        if not isinstance(data, dict):
            raise RegistryError(f"the manifest {ref.repository}@{digest} is not a JSON object")
        media_type = str(data.get("mediaType") or response.headers.get("content-type", "").split(";")[0])
        return Manifest(media_type, digest, data)

    def image_manifest(self, ref: Reference, platform: str) -> Manifest:
        """The image manifest of ``ref`` for ``platform`` (``linux/amd64``), through its index."""
        found = self.manifest(ref)
        if not found.is_index:
            return found
        for descriptor in found.manifests():
            if descriptor.platform == platform or descriptor.platform.startswith(platform + "/"):
                return self.manifest(ref, descriptor.digest)
        have = ", ".join(d.platform for d in found.manifests() if d.platform) or "none"
        raise RegistryError(f"{ref} holds no image for {platform} (it has {have})")

    def blob(self, ref: Reference, descriptor: Descriptor, out: BinaryIO) -> None:
        """Write blob ``descriptor`` to ``out``, checked against its size and digest."""
        if not descriptor.digest.startswith("sha256:"):
            raise RegistryError(f"blob {descriptor.digest!r}: only sha256 digests are checked here")
        response = self._get(ref, f"{ref.base_url}/blobs/{descriptor.digest}", {})
        if response.status != 200:
            response.body.close()
            raise RegistryError(f"{ref.registry} did not serve the blob {descriptor.digest}: {response.status}")
        digest, left = hashlib.sha256(), descriptor.size
        try:
            while True:
                chunk = response.body.read(min(_CHUNK, left + 1))
                if not chunk:
                    break
                left -= len(chunk)
                if left < 0:
                    raise RegistryError(f"blob {descriptor.digest} is longer than its {descriptor.size} bytes")
                digest.update(chunk)
                out.write(chunk)
        finally:
            response.body.close()
        if left:
            raise RegistryError(f"blob {descriptor.digest} ended {left} bytes short of its {descriptor.size}")
        if "sha256:" + digest.hexdigest() != descriptor.digest:
            raise RegistryError(f"{ref.registry} served other bytes for blob {descriptor.digest}")

    def blob_bytes(self, ref: Reference, descriptor: Descriptor, limit: int) -> bytes:
        """A small blob (an image config), checked like :meth:`blob`."""
        if descriptor.size > limit:
            raise RegistryError(f"blob {descriptor.digest} has {descriptor.size} bytes, more than {limit}")
        buffer = io.BytesIO()
        self.blob(ref, descriptor, buffer)
        return buffer.getvalue()

    # -- authorization ---------------------------------------------------------------------------

    def _get(self, ref: Reference, url: str, headers: dict[str, str]) -> Response:
        key = (ref.api_host, ref.repository)
        response = self.transport.send(Request("GET", url, headers, self._authorization.get(key)))
        if response.status != 401:
            return response
        challenge = parse_challenge(response.headers.get("www-authenticate", ""))
        response.body.close()
        credentials = self.credentials(ref.registry)
        if challenge is not None and challenge.scheme == "bearer":
            scope = challenge.params.get("scope") or f"repository:{ref.repository}:pull"
            self._authorization[key] = "Bearer " + fetch_token(self.transport, challenge, scope, credentials)
        elif challenge is not None and challenge.scheme == "basic" and credentials is not None:
            self._authorization[key] = basic_header(credentials)
        else:
            raise RegistryError(f"{ref.registry} wants a login for {ref.repository} (docker login {ref.registry})")
        retried = self.transport.send(Request("GET", url, headers, self._authorization[key]))
        if retried.status == 401:
            retried.body.close()
            raise RegistryError(f"{ref.registry} refused access to {ref.repository} (docker login {ref.registry})")
        return retried
