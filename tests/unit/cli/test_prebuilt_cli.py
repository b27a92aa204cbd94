"""`transform --engine=buildah` takes interpreters prebuilt from the frontend image's catalog,
read from its registry or a --catalog copy, and says in the file which and why (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from astro_pyenv_frontend.cli import main
from astro_pyenv_frontend.oci.transport import Request, Response, UrllibTransport

from fake_registry import FakeRegistry, entry, layer

RECIPE = "sha256:" + "12" * 32
DIGEST = "sha256:" + "ab" * 32
CATALOG = {
    "repository": "registry.example/astro-pyenv/cpython",
    "interpreters": [
        {
            "version": "3.9.2", "libc": "glibc 2.31", "os": "debian-11", "platforms": ["linux/amd64", "linux/arm64"],
            "recipe": RECIPE, "build": "", "tag": "3.9.2-glibc2.31-plain", "digest": DIGEST,
        }
    ],
}  # fmt: skip
PYENV_FILE = "# syntax=registry.example/astro-pyenv/frontend:1.0\nFROM python:3.12-slim\nPYENV 3.9.2 legacy\nPYENV 3.13.5 modern\n"


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["transform", *args])
    return result.exit_code, result.output


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASTRO_PYENV_PREBUILT_CATALOG")
    (tmp_path / "Dockerfile.pyenv").write_text(PYENV_FILE)
    return tmp_path


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> FakeRegistry:
    """The frontend image in a registry the CLI reaches over HTTP (the fake, in process)."""
    fake = FakeRegistry(auth="bearer")
    prebuilt = "opt/astro-pyenv/prebuilt/"
    layers = [
        layer(entry(prebuilt), (prebuilt + "recipe", RECIPE.encode() + b"\n")),
        layer((prebuilt + "catalog.json", json.dumps(CATALOG).encode())),
    ]
    fake.image("astro-pyenv/frontend", layers, tag="1.0", labels={"org.astro-pyenv.buildah-prebuilt": "1"})

    def send(self: UrllibTransport, request: Request) -> Response:
        return fake.send(request)

    monkeypatch.setattr(UrllibTransport, "send", send)
    return fake


def test_the_generated_file_copies_the_catalog_s_image_by_digest_and_says_why_per_line(
    project: Path, registry: FakeRegistry
) -> None:
    code, output = _invoke("-f", "Dockerfile.pyenv", "-o", "Dockerfile", "--engine=buildah")
    assert code == 0, output
    text = (project / "Dockerfile").read_text()
    assert f"COPY --from=registry.example/astro-pyenv/cpython@{DIGEST} /opt/astro-pyenv/ /opt/astro-pyenv/" in text
    assert '"--glibc=2.31", "--line=3", "3.9.2"]' in text
    assert (
        "# astro-pyenv: CPython 3.9.2: prebuilt for glibc 2.31+ (linux/amd64, linux/arm64),"
        f" registry.example/astro-pyenv/cpython:3.9.2-glibc2.31-plain@{DIGEST}"
        " (the catalog of registry.example/astro-pyenv/frontend:1.0); the build checks that the base has"
        " glibc 2.31 or newer (line 3)"
    ) in text
    assert "# astro-pyenv: CPython 3.13.5 is compiled: no prebuilt image of this version (line 4)" in text
    assert '"/tmp/astro-pyenv/scripts/build-python.sh", "3.13.5"]' in text
    assert '"/tmp/astro-pyenv/scripts/build-python.sh", "3.9.2"]' not in text
    code, output = _invoke("-f", "Dockerfile.pyenv", "-o", "Dockerfile", "--engine=buildah", "--check")
    assert code == 0, output


def test_prebuilt_off_compiles_without_asking_any_registry(project: Path, registry: FakeRegistry) -> None:
    code, output = _invoke("-f", "Dockerfile.pyenv", "--engine=buildah", "--build-arg", "ASTRO_PYENV_PREBUILT=off")
    assert code == 0, output
    assert "# astro-pyenv: CPython 3.9.2 is compiled: prebuilt interpreters are off (ASTRO_PYENV_PREBUILT) (line 3)" in output
    assert registry.requests == []


def test_a_check_that_cannot_read_the_catalog_says_so_instead_of_calling_the_file_stale(project: Path) -> None:
    catalog = project / "prebuilt"
    catalog.mkdir()
    (catalog / "catalog.json").write_text(json.dumps(CATALOG))
    (catalog / "recipe").write_text(RECIPE)
    code, output = _invoke("-f", "Dockerfile.pyenv", "-o", "Dockerfile", "--engine=buildah", "--catalog", "prebuilt")
    assert code == 0, output
    text = (project / "Dockerfile").read_text()
    assert "--engine=buildah --catalog=prebuilt" in text.splitlines()[1]  # the header's regenerate command
    assert "(--catalog prebuilt)" in text
    code, output = _invoke("-f", "Dockerfile.pyenv", "-o", "Dockerfile", "--engine=buildah", "--check")
    assert code == 2
    assert "cannot check Dockerfile: the catalog of registry.example/astro-pyenv/frontend:1.0 could not be read: cannot reach registry.example" in output


def test_catalog_is_refused_for_buildkit_output(project: Path) -> None:
    code, output = _invoke("-f", "Dockerfile.pyenv", "--catalog", "x")
    assert code == 2 and "--catalog is for --engine=buildah" in output
