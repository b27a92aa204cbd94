"""The registry client: references, the bearer-token flow, Docker's credentials, and every byte
checked against its digest (against the in-process fake registry)."""

from __future__ import annotations

import base64
import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from astro_pyenv_frontend.oci import RegistryError
from astro_pyenv_frontend.oci.auth import load_credentials, parse_challenge
from astro_pyenv_frontend.oci.client import Descriptor, RegistryClient
from astro_pyenv_frontend.oci.reference import parse_reference
from astro_pyenv_frontend.oci.transport import Request, UrllibTransport

from fake_registry import TOKEN_URL, FakeRegistry, digest_of

REAL_SEND = UrllibTransport.send  # taken before tests/unit/conftest.py replaces it


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "url"),
    [
        ("python:3.12-slim", "docker.io", "library/python", "3.12-slim", "https://registry-1.docker.io/v2/library/python"),
        ("astronomer/x", "docker.io", "astronomer/x", None, "https://registry-1.docker.io/v2/astronomer/x"),
        ("local/astro-pyenv-frontend:dev", "docker.io", "local/astro-pyenv-frontend", "dev", "https://registry-1.docker.io/v2/local/astro-pyenv-frontend"),
        ("quay.io/astronomer/astro-runtime:13.0.0", "quay.io", "astronomer/astro-runtime", "13.0.0", "https://quay.io/v2/astronomer/astro-runtime"),
        ("127.0.0.1:5000/astro-pyenv/cpython:3.9.2", "127.0.0.1:5000", "astro-pyenv/cpython", "3.9.2", "http://127.0.0.1:5000/v2/astro-pyenv/cpython"),
        ("localhost:5000/a", "localhost:5000", "a", None, "http://localhost:5000/v2/a"),
        ("[::1]:5000/a:b", "[::1]:5000", "a", "b", "http://[::1]:5000/v2/a"),
    ],
)
def test_references_read_as_docker_reads_them(text: str, registry: str, repository: str, tag: str | None, url: str) -> None:
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.tag, ref.base_url) == (registry, repository, tag, url)


def test_a_reference_with_tag_and_digest_is_asked_for_by_digest() -> None:
    digest = "sha256:" + "ab" * 32
    ref = parse_reference(f"ghcr.io/a/b:3.9.2@{digest}")
    assert (ref.tag, ref.digest, ref.reference) == ("3.9.2", digest, digest)


@pytest.mark.parametrize("text", ["UPPER/case", "a/b@sha256:12", "a/b:bad tag", "", "a//b"])
def test_what_is_not_a_reference_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_reference(text)


def _client(registry: FakeRegistry, credentials: tuple[str, str] | None = None) -> RegistryClient:
    from astro_pyenv_frontend.oci.auth import Credentials

    login = Credentials(*credentials) if credentials else None
    return RegistryClient(registry, lambda host: login if host == registry.host else None)


def test_an_index_leads_to_the_platform_s_image_and_its_blobs() -> None:
    registry = FakeRegistry()
    amd64 = registry.image("team/app", [b"layer-amd64"])
    arm64 = registry.image("team/app", [b"layer-arm64"])
    registry.index("team/app", {"linux/amd64": amd64, "linux/arm64": arm64}, tag="1")
    client = _client(registry)
    ref = parse_reference("registry.example/team/app:1")
    manifest = client.image_manifest(ref, "linux/arm64")
    assert manifest.digest == arm64["digest"]
    out = io.BytesIO()
    client.blob(ref, manifest.layers()[0], out)
    assert out.getvalue() == b"layer-arm64"
    with pytest.raises(RegistryError, match=r"holds no image for linux/s390x \(it has linux/amd64, linux/arm64\)"):
        client.image_manifest(ref, "linux/s390x")


def test_a_manifest_must_hash_to_the_digest_asked_for_or_stated() -> None:
    registry = FakeRegistry()
    image = registry.image("team/app", [b"x"], tag="1")
    ref = parse_reference(f"registry.example/team/app@{image['digest']}")
    registry.tampered[image["digest"]] = registry.manifests[image["digest"]].replace(b'"layers"', b'"layers" ')
    with pytest.raises(RegistryError, match="served other bytes for team/app@sha256:"):
        _client(registry).manifest(ref)
    registry.tampered.clear()
    registry.stated_digest["1"] = "sha256:" + "00" * 32
    with pytest.raises(RegistryError, match="says team/app:1 is sha256:0000"):
        _client(registry).manifest(parse_reference("registry.example/team/app:1"))


@pytest.mark.parametrize("served", [b"other bytes", b"lon", b"longer than it says"])
def test_a_blob_must_have_its_size_and_digest(served: bytes) -> None:
    registry = FakeRegistry()
    descriptor = registry.blob(b"the bytes")
    registry.tampered[descriptor["digest"]] = served
    with pytest.raises(RegistryError, match="blob sha256:"):
        _client(registry).blob(parse_reference("registry.example/a/b"), Descriptor.of(descriptor), io.BytesIO())


def test_an_anonymous_bearer_token_is_fetched_once_per_repository() -> None:
    registry = FakeRegistry(auth="bearer")
    image = registry.image("team/app", [b"x"], tag="1")
    client = _client(registry)
    ref = parse_reference("registry.example/team/app:1")
    manifest = client.manifest(ref)
    client.blob(ref, manifest.layers()[0], io.BytesIO())
    tokens = [r for r in registry.requests if r.url.startswith(TOKEN_URL)]
    assert len(tokens) == 1 and tokens[0].authorization is None
    assert "scope=repository%3Ateam%2Fapp%3Apull" in tokens[0].url and "service=registry.example" in tokens[0].url
    assert manifest.digest == image["digest"]
    assert registry.requests[-1].authorization == "Bearer fake-token repository:team/app:pull"


def test_stored_credentials_go_to_the_token_service_or_as_basic_auth() -> None:
    for auth in ("bearer", "basic"):
        registry = FakeRegistry(auth=auth, login=("me", "secret"))
        registry.image("team/app", [b"x"], tag="1")
        ref = parse_reference("registry.example/team/app:1")
        with pytest.raises(RegistryError, match="docker login"):
            _client(registry).manifest(ref)
        assert _client(registry, ("me", "secret")).manifest(ref).media_type.endswith("manifest.v1+json")
        expected = "Basic " + base64.b64encode(b"me:secret").decode()
        assert any(r.authorization == expected for r in registry.requests)


def test_credentials_are_read_from_docker_s_config(tmp_path: Path) -> None:
    auth = base64.b64encode(b"me:pa:ss").decode()
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"auths": {"https://ghcr.io": {"auth": auth}, "https://index.docker.io/v1/": {"auth": auth}}}))
    for host in ("ghcr.io", "docker.io"):
        found = load_credentials(host, config)
        assert found is not None and (found.username, found.password) == ("me", "pa:ss")
    assert load_credentials("quay.io", config) is None
    assert load_credentials("ghcr.io", tmp_path / "absent.json") is None


def test_a_challenge_is_parsed_with_quoted_and_bare_values() -> None:
    found = parse_challenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope=x:y:pull')
    assert found is not None and found.scheme == "bearer"
    assert found.params == {"realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "x:y:pull"}


# -- the real transport, against HTTP servers on this machine -------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, str | None]] = []
    redirect_to = ""

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        if self.path == "/v2/a/blobs/x":
            self.send_response(307)
            self.send_header("Location", type(self).redirect_to)
            self.end_headers()
            return
        body = b"blob bytes"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def servers() -> Iterator[tuple[str, str]]:
    made = [http.server.HTTPServer(("127.0.0.1", 0), _Handler) for _ in range(2)]
    for server in made:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tuple(f"127.0.0.1:{s.server_address[1]}" for s in made)  # type: ignore[misc]
    for server in made:
        server.shutdown()


def test_the_authorization_never_follows_a_redirect_to_blob_storage(servers: tuple[str, str]) -> None:
    registry, storage = servers
    _Handler.seen, _Handler.redirect_to = [], f"http://{storage}/storage/x"
    response = REAL_SEND(UrllibTransport(), Request("GET", f"http://{registry}/v2/a/blobs/x", authorization="Bearer t"))
    assert response.status == 200 and response.body.read() == b"blob bytes"
    assert _Handler.seen == [("/v2/a/blobs/x", "Bearer t"), ("/storage/x", None)]


def test_an_unreachable_registry_is_one_clear_error() -> None:
    with pytest.raises(RegistryError, match=r"cannot reach 127\.0\.0\.1:9: "):
        REAL_SEND(UrllibTransport(timeout=5), Request("GET", "http://127.0.0.1:9/v2/"))


def test_digests_are_sha256_of_the_bytes() -> None:
    assert digest_of(b"") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
