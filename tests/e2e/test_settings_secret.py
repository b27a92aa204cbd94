"""A build configured the way the Astro CLI can configure it: secrets and the Dockerfile, no build
args (docs/settings.md).

The private index is an HTTPS server on 127.0.0.1 with its own CA and basic-auth credentials,
serving one wheel that exists nowhere else; the CPython mirror is the offline machine's mirror.
Both come from the secret astro-pyenv-settings, the CA from astro-pyenv-ca; prebuilt interpreters
are turned off and pip's version is kept by ``ARG``s before the first FROM.

Compile economy: one compile of 3.9.2 (the faster one) per run: its stage is built with
``--no-cache-filter`` so the compile step, and its reading of the secret, runs every time (a
cold CI run would compile it anyway: without the mirror build arg its cache key is new).
"""

from __future__ import annotations

import base64
import io
import re
import ssl
import subprocess
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from . import harness
from .test_security import _strings_in_image, serve_directory

PROBE = "astro_pyenv_secret_probe"


@dataclass(frozen=True)
class Index:
    url: str  # with credentials
    ca: Path
    password: str
    requests: list[str]


def _wheel(nonce: str) -> bytes:
    """A one-module wheel; its version is the nonce's digits so each run installs anew."""
    buffer = io.BytesIO()
    dist = f"{PROBE}-1.0.dist-info"
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr(f"{PROBE}/__init__.py", f"NONCE = {nonce!r}\n")
        wheel.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {PROBE}\nVersion: 1.0\n")
        wheel.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{dist}/RECORD", f"{PROBE}/__init__.py,,\n{dist}/METADATA,,\n{dist}/WHEEL,,\n{dist}/RECORD,,\n")
    return buffer.getvalue()


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture
def private_index() -> Iterator[Index]:
    """HTTPS on 127.0.0.1 with a CA made here, a PEP 503 index behind basic auth."""
    password = f"index-password-{uuid.uuid4().hex}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=astro-pyenv test CA",
                 "-keyout", str(root / "ca.key"), "-out", str(root / "ca.pem"))  # fmt: skip
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                 "-keyout", str(root / "server.key"), "-out", str(root / "server.csr"))  # fmt: skip
        (root / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
        _openssl("x509", "-req", "-in", str(root / "server.csr"), "-CA", str(root / "ca.pem"),
                 "-CAkey", str(root / "ca.key"), "-CAcreateserial", "-days", "2",
                 "-extfile", str(root / "san.ext"), "-out", str(root / "server.pem"))  # fmt: skip
        served = root / "served"
        project = served / "simple" / PROBE.replace("_", "-")
        project.mkdir(parents=True)
        wheel_name = f"{PROBE}-1.0-py3-none-any.whl"
        (project / wheel_name).write_bytes(_wheel(uuid.uuid4().hex))
        (project / "index.html").write_text(f'<html><body><a href="{wheel_name}">{wheel_name}</a></body></html>\n')
        requests: list[str] = []
        expected = "Basic " + base64.b64encode(f"user:{password}".encode()).decode()

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="index"')
                    self.end_headers()
                    return
                requests.append(self.path)
                super().do_GET()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = HTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(served)))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(root / "server.pem", root / "server.key")
        server.socket = context.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            port = server.server_address[1]
            yield Index(f"https://user:{password}@127.0.0.1:{port}/simple/", root / "ca.pem", password, requests)
        finally:
            server.shutdown()


def test_secrets_and_dockerfile_args_alone_configure_index_ca_mirror_and_prebuilt(
    engine: harness.Settings, frontend_image: str, private_index: Index
) -> None:
    if not engine.mirror_url:
        pytest.skip("needs the offline CPython mirror (PYTHON_BUILD_MIRROR_URL)")
    dockerfile = (
        f"# syntax={frontend_image}\n"
        "ARG ASTRO_PYENV_PREBUILT=off\n"
        "ARG ASTRO_PYENV_PIP_VERSION=bundled\n"
        f"FROM {engine.python_base}\n"
        "PYENV 3.9.2 probe requirements.txt\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        settings = Path(tmp) / "settings.env"
        settings.write_text(
            # as an Astro CLI user writes it, saved with a byte order mark as some editors save
            # (issue 22.12: the mark made the first line unreadable, "expected KEY=value")
            "\ufeff# as an Astro CLI user writes it\n"
            f'PIP_INDEX_URL="{private_index.url}"\n'
            f"PYTHON_BUILD_MIRROR_URL={engine.mirror_url}\n"
            "PIP_DEFAULT_TIMEOUT=30\n"
        )
        ca = Path(tmp) / "ca.pem"
        system = Path(engine.ca_bundle or "/etc/ssl/certs/ca-certificates.crt").read_text()
        ca.write_text(system + private_index.ca.read_text())  # apt and the mirror still verify
        result = harness.build(
            dockerfile,
            # the nonce makes the venv step run (and ask the index) on every run of the test
            {"requirements.txt": f"# run {uuid.uuid4().hex}\n{PROBE.replace('_', '-')}==1.0\n"},
            extra_args=[
                "--secret", f"id=astro-pyenv-settings,src={settings}",
                "--secret", f"id=astro-pyenv-ca,src={ca}",
                "--no-cache-filter", "pyenv-python-3.9.2",
            ],
            secrets=False,
            mirror=False,
            settings=engine,
        )  # fmt: skip
    try:
        assert result.ok, result.tail(150)
        assert "prebuilt interpreters are off (ASTRO_PYENV_PREBUILT)" in result.log, result.tail(150)
        read = "astro-pyenv: from secret astro-pyenv-settings: PIP_INDEX_URL PYTHON_BUILD_MIRROR_URL PIP_DEFAULT_TIMEOUT"
        assert result.log.count(read) == 2, result.tail(150)  # the compile step and the venv step
        assert any(path.endswith(".whl") for path in private_index.requests), private_index.requests
        image = result.image_id or ""
        probe = harness.run_in_image(
            image, ["sh", "-c", f'"$ASTRO_PYENV_probe" -c "import {PROBE}, pip, sys; print(sys.version.split()[0], pip.__version__)"']
        )
        assert probe.output.split() == ["3.9.2", "20.2.3"], probe.output  # bundled pip kept by the ARG
        assert not _strings_in_image(engine, image, [private_index.password]), "the index password reached the image"
    finally:
        if result.image_id:
            subprocess.run([engine.docker, "image", "rm", "-f", result.image_id], capture_output=True, check=False)


@contextmanager
def _find_links(origin: str) -> Iterator[int]:
    """A plain-HTTP find-links page on 127.0.0.1 with the probe wheel saying ``origin``."""
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / f"{PROBE}-1.0-py3-none-any.whl").write_bytes(_wheel(origin))
        with serve_directory(root) as port:
            yield port


def _venv_step_cached(log: str, stage: str) -> bool:
    (step,) = re.findall(rf"^#(\d+) \[{re.escape(stage)} \d+/\d+\] RUN", log, re.MULTILINE)
    return re.search(rf"^#{step} CACHED$", log, re.MULTILINE) is not None


def _build_with_find_links(
    engine: harness.Settings, frontend_image: str, requirements: str, find_links: str
) -> harness.BuildResult:
    """A build of the probe venv whose settings secret says ``PIP_FIND_LINKS=<find_links>``."""
    dockerfile = f"# syntax={frontend_image}\nFROM {engine.python_base}\nPYENV 3.13.5 probe requirements.txt\n"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Path(tmp) / "settings.env"
        settings.write_text(f"PIP_FIND_LINKS={find_links}\n")
        return harness.build(
            dockerfile,
            {"requirements.txt": requirements},
            extra_args=["--secret", f"id=astro-pyenv-settings,src={settings}"],
            settings=engine,
        )


def _probe_origin(result: harness.BuildResult) -> str:
    """Which find-links server the probe wheel in the image came from."""
    command = f'"$ASTRO_PYENV_probe" -c "import {PROBE}; print({PROBE}.NONCE)"'
    return harness.run_in_image(result.image_id or "", ["sh", "-c", command]).output.strip()


def test_a_venv_another_build_made_with_its_own_index_in_the_secret_is_not_reused(
    engine: harness.Settings, frontend_image: str
) -> None:
    """BuildKit keeps secrets out of cache keys: without the secrets digest, a build with the same
    Dockerfile and requirements and another index in its settings secret leaves a venv that ours
    reuses (docs/security.md). A new token for the same index still reuses ours."""
    requirements = f"# run {uuid.uuid4().hex}\n{PROBE.replace('_', '-')}==1.0\n"
    built: list[harness.BuildResult] = []

    def build(port: int, token: str) -> harness.BuildResult:
        result = _build_with_find_links(engine, frontend_image, requirements, f"http://user:{token}@127.0.0.1:{port}/")
        built.append(result)
        assert result.ok, result.tail(120)
        return result

    try:
        with _find_links("theirs") as their_index, _find_links("ours") as our_index:
            theirs = build(their_index, "their-token")
            assert _probe_origin(theirs) == "theirs"
            ours = build(our_index, "our-token")
            assert not _venv_step_cached(ours.log, "pyenv-venv-probe"), ours.tail(60)
            assert _probe_origin(ours) == "ours"
            again = build(our_index, "our-new-token")
            assert _venv_step_cached(again.log, "pyenv-venv-probe"), again.tail(60)
            assert _probe_origin(again) == "ours"
            assert "our-token" not in again.log and "our-new-token" not in again.log
    finally:
        images = [result.image_id for result in built if result.image_id]
        if images:
            subprocess.run([engine.docker, "image", "rm", "-f", *images], capture_output=True, check=False)


def test_a_url_that_only_looks_like_our_index_after_its_userinfo_is_not_ours(
    engine: harness.Settings, frontend_image: str
) -> None:
    """``http://<theirs>?@<ours>/`` sends pip to theirs (the userinfo ends at ``?``); a digest that
    cut up to the ``@`` took it for ours, and our build reused the venv their wheel is in (issue 22.13)."""
    requirements = f"# run {uuid.uuid4().hex}\n{PROBE.replace('_', '-')}==1.0\n"
    built: list[harness.BuildResult] = []
    try:
        with _find_links("theirs") as their_index, _find_links("ours") as our_index:
            theirs = _build_with_find_links(
                engine, frontend_image, requirements, f"http://127.0.0.1:{their_index}?@127.0.0.1:{our_index}/"
            )
            built.append(theirs)
            assert theirs.ok, theirs.tail(120)
            assert _probe_origin(theirs) == "theirs", "pip went where urllib3 says, not after the @"
            ours = _build_with_find_links(engine, frontend_image, requirements, f"http://127.0.0.1:{our_index}/")
            built.append(ours)
            assert ours.ok, ours.tail(120)
            assert not _venv_step_cached(ours.log, "pyenv-venv-probe"), ours.tail(60)
            assert _probe_origin(ours) == "ours"
    finally:
        images = [result.image_id for result in built if result.image_id]
        if images:
            subprocess.run([engine.docker, "image", "rm", "-f", *images], capture_output=True, check=False)
