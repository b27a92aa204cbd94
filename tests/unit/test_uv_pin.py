"""The uv the frontend image carries (Dockerfile.frontend, stage uv-download): one exact version,
a sha256 for each platform the image is built for, the statically linked build, and the version
the e2e tests expect to see in a build log."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile.frontend").read_text()


def _arg(name: str) -> str:
    found = re.findall(rf"^ARG {name}=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert len(found) == 1, f"ARG {name}=... in Dockerfile.frontend: {found}"
    return found[0]


def test_one_exact_version_and_a_hash_per_platform() -> None:
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", _arg("UV_VERSION"))
    hashes = {_arg("UV_SHA256_AMD64"), _arg("UV_SHA256_ARM64")}
    assert len(hashes) == 2 and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert '--require-hashes -r /tmp/uv-requirements.txt' in DOCKERFILE
    assert 'echo "uv==$UV_VERSION --hash=sha256:$sha"' in DOCKERFILE


def test_the_statically_linked_build_for_each_platform() -> None:
    """The venv steps mount it into any base (glibc, musl), as the build platform's binary."""
    assert 'amd64) platform=musllinux_1_1_x86_64; sha="$UV_SHA256_AMD64"' in DOCKERFILE
    assert 'arm64) platform=musllinux_1_1_aarch64; sha="$UV_SHA256_ARM64"' in DOCKERFILE


def test_the_e2e_tests_expect_this_version() -> None:
    e2e = (ROOT / "tests/e2e/test_uv_installer.py").read_text()
    assert f"astro-pyenv: installed by uv {_arg('UV_VERSION')}" in e2e
