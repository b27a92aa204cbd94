"""Image references as Docker reads them: ``[registry/]repository[:tag][@digest]``.

``python:3.12`` is ``docker.io/library/python:3.12``; a first component with a ``.`` or ``:``,
or ``localhost``, names the registry.  Docker Hub's API lives at ``registry-1.docker.io``.
Registries on the loopback interface are spoken to over plain HTTP, as Docker does by default;
every other one over HTTPS.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

__all__ = ["Reference", "parse_reference"]

_DOCKER_HUB = "docker.io"
_DOCKER_HUB_API = "registry-1.docker.io"
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}\Z")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
_PATH = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*\Z")


@dataclass(frozen=True)
class Reference:
    registry: str  # as written (``docker.io`` for Docker Hub)
    repository: str  # ``library/python`` on Docker Hub
    tag: str | None = None
    digest: str | None = None

    @property
    def reference(self) -> str:
        """What the manifest is asked for by: the digest when there is one, else the tag."""
        return self.digest or self.tag or "latest"

    @property
    def api_host(self) -> str:
        return _DOCKER_HUB_API if self.registry == _DOCKER_HUB else self.registry

    @property
    def base_url(self) -> str:
        """``https://host/v2/<repository>``, or ``http://`` for a registry on this machine."""
        scheme = "http" if is_loopback(self.api_host) else "https"
        return f"{scheme}://{self.api_host}/v2/{self.repository}"

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> Reference:
    """``text`` as a :class:`Reference`; ValueError when it is not one."""
    rest, _, digest = text.strip().partition("@")
    if digest and not _DIGEST.match(digest):
        raise ValueError(f"{text!r}: the digest is not sha256:<64 hex digits>")
    slash = rest.find("/")
    first = rest[:slash] if slash >= 0 else ""
    if slash >= 0 and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest[slash + 1 :]
    else:
        registry, path = _DOCKER_HUB, rest
    tag = None
    colon = path.rfind(":")
    if colon >= 0:
        path, tag = path[:colon], path[colon + 1 :]
        if not _TAG.match(tag):
            raise ValueError(f"{text!r}: {tag!r} is not a tag")
    if registry == _DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    if not _PATH.match(path):
        raise ValueError(f"{text!r} is not an image reference")
    return Reference(registry, path, tag, digest or None)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (``name[:port]``, ``[v6]:port``) is this machine."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.strip("[]")
    if host.startswith("[") and "]:" in host:
        name = host[1 : host.index("]")]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
