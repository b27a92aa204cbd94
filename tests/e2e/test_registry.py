"""The local registry (``.ci/registry.sh``) as later tests use it: the engine pushes an image to
it, and a BuildKit build pulls that image back by digest (``FROM <registry>/...@sha256:...``)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

from . import harness

MINIMAL_BASE = os.environ.get("ASTRO_PYENV_MINIMAL_BASE", "debian:bookworm-slim")
REPOSITORY = "astro-pyenv-test/registry-check"


def _docker(engine: harness.Settings, *args: str) -> str:
    done = subprocess.run(
        [engine.docker, *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"docker {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout.strip()


def _image_with_unique_layer(engine: harness.Settings, tag: str, marker: str) -> None:
    """Tag ``MINIMAL_BASE`` plus a layer holding ``/marker`` as ``tag``. Committed from a
    container (not built), so BuildKit's cache does not hold that layer: a later build can
    only get it from the registry."""
    container = _docker(engine, "create", "--network", "none", MINIMAL_BASE)
    try:
        with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
            (Path(tmp) / "marker").write_text(marker + "\n")
            _docker(engine, "cp", str(Path(tmp) / "marker"), f"{container}:/marker")
        _docker(engine, "commit", container, tag)
    finally:
        _docker(engine, "rm", container)


def test_push_then_build_pulls_by_digest(
    engine: harness.Settings,
    registry: str,
    build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    marker = uuid.uuid4().hex
    repo = f"{registry}/{REPOSITORY}"
    tag = f"{repo}:e2e-{marker[:12]}"
    _image_with_unique_layer(engine, tag, marker)
    try:
        _docker(engine, "push", "--quiet", tag)
        repo_digests = _docker(engine, "image", "inspect", "-f", "{{range .RepoDigests}}{{println .}}{{end}}", tag)
        reference = next(line for line in repo_digests.splitlines() if line.startswith(f"{repo}@"))
    finally:
        # Drops the marker layer from the engine: the build below must fetch it.
        _docker(engine, "image", "rm", tag)
    digest = reference.split("@", 1)[1]
    try:
        result = build(f"FROM {reference}\nRUN cat /marker\n")
        assert result.ok, result.tail()
        assert f"resolve {reference}" in result.log, result.tail()
        assert marker in result.log, result.tail()
        ran = run_in_image(result.image_id, ["cat", "/marker"])
        assert (ran.exit_code, ran.output.strip()) == (0, marker)
    finally:
        # Tag and manifest go; the registry's tiny blobs stay until a garbage-collect.
        request = urllib.request.Request(
            f"http://{registry}/v2/{REPOSITORY}/manifests/{digest}", method="DELETE"
        )
        urllib.request.urlopen(request, timeout=10).close()
