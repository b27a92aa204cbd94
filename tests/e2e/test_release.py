"""`make release` as a user meets it: the frontend image comes from a registry by the tag in
`# syntax=`, one index for linux/amd64 and linux/arm64 under X.Y.Z, X.Y and X; the arm64 image
works (run under emulation); the helper's wheel is what the example installs.

The release goes to a namespace of its own in the local registry, so nothing else the engine
holds has that name: every local copy is removed before the example build, which must pull."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import harness
from .test_examples import ASTRO_PROJECT, _project_files

VERSION = (harness.REPO_ROOT / "VERSION").read_text().strip()
PLATFORMS = {"linux/amd64", "linux/arm64"}


@dataclass(frozen=True)
class Release:
    namespace: str
    out: Path

    @property
    def frontend(self) -> str:
        return f"{self.namespace}/astro-pyenv-frontend"


def _docker(engine: harness.Settings, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([engine.docker, *args], capture_output=True, text=True, timeout=timeout, check=False)


def _local_images(engine: harness.Settings, namespace: str) -> list[str]:
    listed = _docker(engine, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
    return [ref for ref in listed if ref.startswith(namespace + "/")]


@pytest.fixture(scope="module")
def release(engine: harness.Settings, registry: str) -> Iterator[Release]:
    namespace = f"{registry}/e2e-release-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-release-") as tmp:
        out = Path(tmp)
        env = {**os.environ, "REGISTRY": namespace, "OUT": str(out)}
        done = subprocess.run(
            ["bash", str(harness.REPO_ROOT / "release" / "release.sh")],
            capture_output=True, text=True, timeout=3600, check=False, cwd=harness.REPO_ROOT, env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        yield Release(namespace, out)
    for ref in _local_images(engine, namespace):
        _docker(engine, "image", "rm", "-f", ref)


def _index(engine: harness.Settings, ref: str) -> dict[str, object]:
    done = _docker(engine, "buildx", "imagetools", "inspect", "--raw", ref)
    assert done.returncode == 0, done.stderr
    index: dict[str, object] = json.loads(done.stdout)
    return index


def test_one_index_for_both_platforms_under_every_tag(engine: harness.Settings, release: Release) -> None:
    major, minor, _ = VERSION.split(".")
    indexes = [_index(engine, f"{release.frontend}:{tag}") for tag in (VERSION, f"{major}.{minor}", major)]
    assert indexes[0] == indexes[1] == indexes[2]
    manifests = indexes[0]["manifests"]
    assert isinstance(manifests, list)
    platforms = {f"{m['platform']['os']}/{m['platform']['architecture']}" for m in manifests}
    assert platforms == PLATFORMS


def test_the_arm64_image_runs_the_same_transform_as_the_amd64_one(engine: harness.Settings, release: Release) -> None:
    """The CLI of each platform's image, on the example (arm64 under emulation)."""
    ref = f"{release.frontend}:{VERSION}"
    outputs = {}
    for platform in sorted(PLATFORMS):
        run = ["run", "--rm", "--network", "none", "--platform", platform, "--pull", "always"]
        version = _docker(engine, *run, ref, "--version")
        assert version.returncode == 0 and VERSION in version.stdout, version.stdout + version.stderr
        arch = _docker(engine, *run, "--entrypoint", "uname", ref, "-m")
        assert arch.stdout.strip() == {"linux/amd64": "x86_64", "linux/arm64": "aarch64"}[platform]
        transform = _docker(
            engine, *run, "-v", f"{ASTRO_PROJECT}:/project:ro", ref, "transform", "-f", "/project/Dockerfile"
        )
        assert transform.returncode == 0, transform.stderr
        outputs[platform] = transform.stdout
    assert "AS pyenv-tools" in outputs["linux/amd64"]
    assert outputs["linux/arm64"] == outputs["linux/amd64"]


def test_the_example_builds_with_the_image_pulled_from_the_registry(
    engine: harness.Settings, release: Release
) -> None:
    for ref in _local_images(engine, release.namespace):
        assert _docker(engine, "image", "rm", "-f", ref).returncode == 0
    frontend = f"{release.frontend}:{VERSION.split('.')[0]}"
    assert _docker(engine, "image", "inspect", frontend).returncode != 0, "a local copy is left"
    dockerfile = (ASTRO_PROJECT / "Dockerfile").read_text().split("\n", 1)[1]
    dockerfile = f"# syntax={frontend}\n{dockerfile}"
    # The example installs the runtime helper from wheels/: the wheel this release built.
    (wheel,) = (release.out / "dist").glob("astro_pyenv-*.whl")
    files: dict[str, str | bytes] = {**_project_files(ASTRO_PROJECT), f"wheels/{wheel.name}": wheel.read_bytes()}
    tag = f"astro-pyenv-e2e/release-example:{uuid.uuid4().hex[:8]}"
    result = harness.build(dockerfile, files, tag=tag, settings=engine)
    try:
        assert result.ok, result.tail(120)
        assert f"resolve image config for docker-image://{frontend}" in result.log or frontend in result.log
        # Interpreters in the release's catalog come from the release's repository.
        catalog = release.out / "catalog.json"
        if catalog.exists():
            assert f"{release.namespace}/astro-pyenv/cpython:" in result.log, result.tail(120)
        doctor = harness.run_in_image(tag, ["astro-pyenv", "doctor"])
        assert doctor.exit_code == 0, doctor.output
        version = harness.run_in_image(tag, ["astro-pyenv", "--version"])
        assert VERSION in version.output
    finally:
        _docker(engine, "image", "rm", "-f", tag)
