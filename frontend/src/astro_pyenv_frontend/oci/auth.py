"""Registry authorization: the OCI bearer-token flow, with Docker's stored credentials.

A registry that wants authorization answers 401 with ``WWW-Authenticate``.  ``Bearer
realm=...,service=...,scope=...`` (Docker Hub, GHCR, Quay, most others): ask the realm for a
pull token, anonymously or, with credentials, with basic auth; then send ``Bearer <token>``.
``Basic``: send the credentials themselves.  Credentials are the ``auth`` entries ``docker
login`` writes to ``$DOCKER_CONFIG/config.json`` (default ``~/.docker/config.json``);
credential helpers (``credsStore``, ``credHelpers``) are not run.
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .errors import RegistryError
from .transport import Request, Transport

__all__ = ["Challenge", "Credentials", "basic_header", "fetch_token", "load_credentials", "parse_challenge"]

_PARAM = re.compile(r'([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^\s,]*))')
_DOCKER_HUB_KEYS = ("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")
_MAX_TOKEN_RESPONSE = 1 << 20


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


@dataclass(frozen=True)
class Challenge:
    scheme: str  # "bearer" or "basic", lower-cased
    params: dict[str, str]


def parse_challenge(header: str) -> Challenge | None:
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _PARAM.finditer(rest)}
    return Challenge(scheme.lower(), params)


def basic_header(credentials: Credentials) -> str:
    pair = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def load_credentials(registry: str, config: Path | None = None) -> Credentials | None:
    """The ``docker login`` credentials of ``registry`` (``host[:port]``), or None."""
    path = config or Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker") / "config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    auths = data.get("auths") if isinstance(data, dict) else None
    if not isinstance(auths, dict):
        return None
    keys = _DOCKER_HUB_KEYS if registry in ("docker.io", "registry-1.docker.io") else (registry,)
    for key, entry in auths.items():
        host = key.split("://", 1)[-1].rstrip("/")
        if (key in keys or host in keys) and isinstance(entry, dict) and isinstance(entry.get("auth"), str):
            try:
                user, sep, password = base64.b64decode(entry["auth"]).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                continue
            if sep:
                return Credentials(user, password)
    return None


def fetch_token(transport: Transport, challenge: Challenge, scope: str, credentials: Credentials | None) -> str:
    """A bearer token for ``scope`` (``repository:<name>:pull``) from the challenge's realm."""
    realm = challenge.params.get("realm", "")
    if not realm.startswith(("https://", "http://")):
        raise RegistryError(f"the registry's token realm {realm!r} is not an http(s) URL")
    query = {"scope": scope}
    if challenge.params.get("service"):
        query["service"] = challenge.params["service"]
    url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(query)
    authorization = basic_header(credentials) if credentials else None
    response = transport.send(Request("GET", url, authorization=authorization))
    body = response.read_all(_MAX_TOKEN_RESPONSE)
    if response.status in (401, 403):
        raise RegistryError(f"the token service {realm} refused {scope} ({response.status}): docker login first")
    if response.status != 200:
        raise RegistryError(f"the token service {realm} answered {response.status}")
    try:
        data = json.loads(body)
        token = data.get("token") or data.get("access_token")
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token:
        raise RegistryError(f"the token service {realm} sent no token")
    return token
