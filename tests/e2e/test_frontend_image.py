"""The frontend image as Dockerfile.frontend builds it: the license and the project's addresses
in its labels and files, and pyenv from an archive of the pinned commit (the default path where
GitHub is reachable) giving the very pyenv tree the offline path (`pyenv-local`) gives, while an
archive of other files stops the build."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from astro_pyenv_frontend import project

from . import harness
from .test_security import serve_directory

LICENSE = (harness.REPO_ROOT / "LICENSE").read_text()


def _docker(engine: harness.Settings, *args: str) -> str:
    done = subprocess.run([engine.docker, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _cat(engine: harness.Settings, image: str, path: str) -> str:
    return _docker(engine, "run", "--rm", "--network", "none", "--entrypoint", "cat", image, path)


def test_the_image_says_its_license_and_carries_its_text(engine: harness.Settings, frontend_image: str) -> None:
    labels = json.loads(_docker(engine, "image", "inspect", "-f", "{{json .Config.Labels}}", frontend_image))
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"
    assert labels["org.opencontainers.image.source"] == labels["org.opencontainers.image.url"] == project.HOME_URL
    assert labels["org.opencontainers.image.documentation"] == project.DOCS_URL
    assert _cat(engine, frontend_image, "/opt/astro-pyenv/LICENSE") == LICENSE


# -- pyenv from an archive of the pinned commit ----------------------------------------------------


def _pyenv_clone() -> Path:
    root = Path(os.environ.get("ASTRO_PYENV_PYENV_LOCAL") or "/root/.pyenv")
    if not (root / ".git").exists():
        pytest.skip("no pyenv clone to make the archive from (ASTRO_PYENV_PYENV_LOCAL)")
    return root


def _pinned_commit() -> str:
    dockerfile = (harness.REPO_ROOT / "Dockerfile.frontend").read_text()
    (line,) = [line for line in dockerfile.splitlines() if line.startswith("ARG PYENV_COMMIT=")]
    return line.split("=", 1)[1]


@pytest.fixture(scope="module")
def archives() -> Iterator[tuple[int, str]]:
    """A local stand-in for GitHub's archive URL of the pinned commit (`git archive` with the
    `pyenv-<commit>/` prefix, gzipped), and beside it the same archive with one script changed."""
    clone, commit = _pyenv_clone(), _pinned_commit()
    if subprocess.run(["git", "-C", str(clone), "cat-file", "-e", commit], check=False).returncode:
        pytest.skip(f"the pyenv clone {clone} lacks the pinned commit {commit}")
    with tempfile.TemporaryDirectory() as root:
        good = Path(root, "good.tar.gz")
        subprocess.run(["git", "-C", str(clone), "archive", "--format=tar.gz", f"--prefix=pyenv-{commit}/",
                        "-o", str(good), commit], check=True)  # fmt: skip
        raw = io.BytesIO()
        with tarfile.open(good) as src, tarfile.open(fileobj=raw, mode="w") as dst:
            for member in src.getmembers():
                data = src.extractfile(member) if member.isfile() else None
                body = data.read() if data else b""
                if member.name.endswith("/plugins/python-build/bin/python-build"):
                    body += b"\necho planted\n"
                    member.size = len(body)
                dst.addfile(member, io.BytesIO(body) if member.isfile() else None)
        Path(root, "tampered.tar.gz").write_bytes(gzip.compress(raw.getvalue()))
        with serve_directory(root) as port:
            yield port, commit


def _build_from_archive(frontend_image: str, tag: str, url: str) -> harness.BuildResult:
    return harness.build_frontend_image(tag, env={"ASTRO_PYENV_PYENV_LOCAL": "", "ASTRO_PYENV_PYENV_ARCHIVE_URL": url})


def test_pyenv_from_the_archive_is_the_pyenv_of_the_offline_path(
    engine: harness.Settings, frontend_image: str, archives: tuple[int, str]
) -> None:
    port, commit = archives
    tag = f"{frontend_image}-pyenv-archive"
    result = _build_from_archive(frontend_image, tag, f"http://127.0.0.1:{port}/good.tar.gz")
    try:
        assert result.ok, result.tail()
        # The recipe hashes every file of pyenv with its mode bits: same recipe, same pyenv tree.
        recipe = "/opt/astro-pyenv/prebuilt/recipe"
        assert _cat(engine, tag, recipe) == _cat(engine, frontend_image, recipe)
        assert _cat(engine, tag, "/opt/astro-pyenv/prebuilt/pyenv-commit").strip() == commit
    finally:
        subprocess.run([engine.docker, "image", "rm", tag], capture_output=True, check=False)


def test_an_archive_of_other_files_stops_the_image_build(frontend_image: str, archives: tuple[int, str]) -> None:
    port, _ = archives
    tag = f"{frontend_image}-pyenv-tampered"
    result = _build_from_archive(frontend_image, tag, f"http://127.0.0.1:{port}/tampered.tar.gz")
    assert not result.ok
    assert "not the pinned commit's files" in result.log, result.tail()


# -- `make frontend-image` needs an engine, and offline only the image's base -----------------------

# What the rest of the offline harness needs and the frontend image does not.
HARNESS_ONLY = (".ci/emulation.sh", ".ci/registry.sh", ".ci/cpython-mirror.sh", ".ci/standins-multiarch.sh")


def test_make_frontend_image_needs_no_registry_emulation_or_mirror(
    engine: harness.Settings, frontend_image: str, tmp_path: Path
) -> None:
    """A machine with Docker alone (no QEMU, no registry): `make frontend-image` from a copy of the
    tree without the scripts that register emulation, serve the registry or the CPython mirror and
    make the multi-platform stand-ins; a call to any of them fails the run."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=harness.REPO_ROOT,
                            capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    copy = tmp_path / "repo"
    for name in listed:
        source = harness.REPO_ROOT / name
        if name in HARNESS_ONLY or not source.is_file():
            continue
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes(source.read_bytes())
        (copy / name).chmod(source.stat().st_mode & 0o777)
    tag = f"{frontend_image}-make"
    # A fresh machine has no catalog of its own: `make test-e2e` exports one for the tests.
    fresh_env = {key: value for key, value in os.environ.items() if key != "ASTRO_PYENV_PREBUILT_CATALOG"}
    done = subprocess.run(
        ["make", "-C", str(copy), "frontend-image", f"FRONTEND_IMAGE={tag}", "PREBUILT_CATALOG=none.json"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=3600, check=False, env=fresh_env,
    )  # fmt: skip
    try:
        assert done.returncode == 0, done.stdout[-6000:]
        assert not [name for name in HARNESS_ONLY if name in done.stdout], done.stdout[-6000:]
        assert _cat(engine, tag, "/opt/astro-pyenv/LICENSE") == LICENSE
    finally:
        subprocess.run([engine.docker, "image", "rm", tag], capture_output=True, check=False)
