"""A build for another platform than the engine's, under emulation: what `astro deploy` does on
Apple Silicon (target linux/amd64 on arm64), mirrored on this amd64 machine (target linux/arm64).

The generated stages must not assume the target platform is the build platform: the tools
stage comes from the frontend image for the build platform (there is no arm64 copy of a local
dev image), the base's OS is read and the prebuilt interpreter chosen for the target platform,
and the image that comes out runs arm64 code.  The interpreter is the prebuilt arm64 CPython
3.9.2 (`make test-e2e` makes it under emulation when the registry lacks it): compiling it here
under QEMU takes about 17 minutes."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable

from . import harness

# A base the engine can get for both platforms (offline: an index in the local registry).
BASE = os.environ.get("ASTRO_PYENV_MULTIARCH_DEBIAN", "debian:bookworm-slim")


def _docker(engine: harness.Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([engine.docker, *args], capture_output=True, text=True, timeout=600, check=False)


def test_an_arm64_image_built_on_amd64_runs_its_environment(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult]
) -> None:
    dockerfile = f"# syntax={frontend_image}\nFROM {BASE}\nPYENV 3.9.2 legacy requirements.txt\n"
    tag = f"astro-pyenv-e2e/cross-arm64:{uuid.uuid4().hex[:8]}"
    result = build(
        dockerfile, {"requirements.txt": "six==1.16.0\n"}, tag=tag, extra_args=["--platform", "linux/arm64"]
    )
    try:
        assert result.ok, result.tail(120)
        assert "CPython 3.9.2: prebuilt for glibc 2.31+ (linux/arm64)" in result.log, result.tail(80)
        arch = _docker(engine, "image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", tag)
        assert arch.stdout.strip() == "linux/arm64"
        run = _docker(
            engine, "run", "--rm", "--network", "none", "--platform", "linux/arm64", tag,
            "sh", "-c", 'exec "$ASTRO_PYENV_legacy" -c "import platform, sys, six; '
            'print(platform.machine(), platform.python_version(), six.__version__)"',
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.split() == ["aarch64", "3.9.2", "1.16.0"]
    finally:
        _docker(engine, "image", "rm", "-f", tag)


def test_uv_from_the_build_platform_installs_the_target_platforms_wheels(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult]
) -> None:
    """The tools stage's uv is the build platform's (amd64, statically linked: it runs in the arm64
    venv step without the base's libraries); it asks the arm64 interpreter for its platform, so
    a wheel with compiled code comes for aarch64."""
    dockerfile = f"# syntax={frontend_image}\nFROM {BASE}\nPYENV --installer=uv 3.9.2 legacy requirements.txt\n"
    tag = f"astro-pyenv-e2e/cross-arm64-uv:{uuid.uuid4().hex[:8]}"
    result = build(
        # a fresh nonce: the venv step runs (and says which installer) on every run of the test
        dockerfile, {"requirements.txt": f"# {uuid.uuid4().hex}\n--only-binary=:all:\nPyYAML==6.0.2\n"}, tag=tag,
        extra_args=["--platform", "linux/arm64"],
    )  # fmt: skip
    try:
        assert result.ok, result.tail(120)
        assert "astro-pyenv: installed by uv" in result.log, result.tail(80)
        run = _docker(
            engine, "run", "--rm", "--network", "none", "--platform", "linux/arm64", tag,
            "sh", "-c", 'exec "$ASTRO_PYENV_legacy" -c "import platform, yaml; '
            'print(platform.machine(), yaml.__version__, yaml.__with_libyaml__)"',
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.split() == ["aarch64", "6.0.2", "True"]
    finally:
        _docker(engine, "image", "rm", "-f", tag)
