"""An OCI registry in memory, behind the registry client's transport interface.

Blobs and manifests by digest, tags, the bearer-token flow (anonymous, or with basic-auth
credentials at the token service) or plain basic auth, and ways to misbehave: serve other bytes
for a digest, state a wrong digest for a tag.  Every request is recorded.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from astro_pyenv_frontend.oci.transport import Request, Response

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
CONFIG = "application/vnd.oci.image.config.v1+json"
TOKEN_URL = "https://auth.example/token"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class FakeRegistry:
    host: str = "registry.example"
    auth: str = "none"  # "none", "bearer" or "basic"
    login: tuple[str, str] | None = None  # credentials the token service or basic auth wants
    blobs: dict[str, bytes] = field(default_factory=dict)
    manifests: dict[str, bytes] = field(default_factory=dict)
    tags: dict[tuple[str, str], str] = field(default_factory=dict)
    tampered: dict[str, bytes] = field(default_factory=dict)  # digest -> the bytes served instead
    stated_digest: dict[str, str] = field(default_factory=dict)  # tag -> the Docker-Content-Digest stated
    requests: list[Request] = field(default_factory=list)

    # -- content ----------------------------------------------------------------------------------

    def blob(self, data: bytes, media_type: str = LAYER) -> dict[str, Any]:
        digest = digest_of(data)
        self.blobs[digest] = data
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def manifest(self, repo: str, data: dict[str, Any], tag: str | None = None) -> dict[str, Any]:
        raw = json.dumps(data, indent=1).encode()
        digest = digest_of(raw)
        self.manifests[digest] = raw
        if tag:
            self.tags[(repo, tag)] = digest
        return {"mediaType": data["mediaType"], "digest": digest, "size": len(raw)}

    def image(
        self,
        repo: str,
        layers: list[bytes],
        env: list[str] | None = None,
        tag: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        settings = {"Env": env or [], "Labels": labels or {}}
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": settings}).encode()
        data = {
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": self.blob(config, CONFIG),
            "layers": [self.blob(layer) for layer in layers],
        }
        return self.manifest(repo, data, tag)

    def index(self, repo: str, images: dict[str, dict[str, Any]], tag: str | None = None) -> dict[str, Any]:
        manifests = []
        for platform, descriptor in images.items():
            os_name, arch = platform.split("/")[:2]
            manifests.append({**descriptor, "platform": {"os": os_name, "architecture": arch}})
        return self.manifest(repo, {"schemaVersion": 2, "mediaType": INDEX, "manifests": manifests}, tag)

    # -- HTTP -----------------------------------------------------------------------------------

    def send(self, request: Request) -> Response:
        self.requests.append(request)
        url = urllib.parse.urlsplit(request.url)
        if request.url.startswith(TOKEN_URL):
            return self._token(request, urllib.parse.parse_qs(url.query))
        if url.netloc != self.host or not url.path.startswith("/v2/"):
            return _response(404, b"not here", request.url)
        if not self._authorized(request):
            challenge = (
                f'Bearer realm="{TOKEN_URL}",service="{self.host}"' if self.auth == "bearer" else 'Basic realm="x"'
            )
            return _response(401, b"", request.url, {"www-authenticate": challenge})
        repo, kind, reference = url.path[len("/v2/") :].rsplit("/", 2)
        if kind == "blobs":
            data = self.tampered.get(reference, self.blobs.get(reference))
            return _response(200, data, request.url) if data is not None else _response(404, b"", request.url)
        digest = reference if reference.startswith("sha256:") else self.tags.get((repo, reference), "")
        raw = self.tampered.get(digest, self.manifests.get(digest))
        if raw is None:
            return _response(404, b"", request.url)
        headers = {"docker-content-digest": self.stated_digest.get(reference, digest)}
        headers["content-type"] = json.loads(self.manifests[digest])["mediaType"]
        return _response(200, raw, request.url, headers)

    def _authorized(self, request: Request) -> bool:
        if self.auth == "none":
            return True
        if self.auth == "bearer":
            return (request.authorization or "").startswith("Bearer fake-token")
        return self.login is not None and request.authorization == _basic(*self.login)

    def _token(self, request: Request, query: dict[str, list[str]]) -> Response:
        if self.login is not None and request.authorization != _basic(*self.login):
            return _response(401, b"", request.url)
        token = f"fake-token {query['scope'][0]}"
        return _response(200, json.dumps({"token": token}).encode(), request.url)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _response(status: int, body: bytes, url: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, headers or {}, io.BytesIO(body), url)


# -- layers -------------------------------------------------------------------------------------


def layer(*entries: tarfile.TarInfo | tuple[str, bytes] | tuple[str, bytes, int], compress: bool = True) -> bytes:
    """A layer of ``entries``: TarInfo (dirs, links, devices) or (name, content[, mode]) files."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                archive.addfile(entry)
            else:
                name, content, *mode = entry
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(content), mode[0] if mode else 0o644
                archive.addfile(info, io.BytesIO(content))
    return gzip.compress(buffer.getvalue(), mtime=0) if compress else buffer.getvalue()


def entry(name: str, kind: bytes = tarfile.DIRTYPE, mode: int = 0o755, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname = kind, mode, link
    return info
