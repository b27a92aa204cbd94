"""Helpers for tests against a real Docker engine (BuildKit), shared by tests/e2e.

Everything is configured from the environment, so the same tests run on a connected machine
(public images, python.org) and on machines without a registry, where ``.ci/engine-env.sh``
points the settings at local stand-ins:

=========================== ===================================================================
``DOCKER_HOST``             engine to talk to (docker CLI and SDK)
``ASTRO_PYENV_DOCKER``      docker client binary (default ``docker``)
``ASTRO_PYENV_PYTHON_BASE`` python base image (default ``python:3.12-slim``)
``ASTRO_PYENV_RUNTIME_IMAGE`` Astro Runtime image with ONBUILD (default ``...:13.0.0``);
                            ``<it>-base`` is the variant without ONBUILD
``ASTRO_PYENV_RUNTIME3_IMAGE`` the Airflow 3 runtime image (default
                            ``astrocrpublic.azurecr.io/runtime:3.1-17``)
``PYTHON_BUILD_MIRROR_URL`` CPython tarball mirror given to builds as a build arg (unset: none)
``ASTRO_PYENV_CA_BUNDLE``   CA bundle given to builds as secret ``astro-pyenv-ca`` (unset: none)
``ASTRO_PYENV_FRONTEND_IMAGE`` tag of the frontend image (default ``local/astro-pyenv-frontend:dev``)
``ASTRO_PYENV_REGISTRY``    ``host:port`` of a plain-HTTP registry on 127.0.0.1 (default
                            ``127.0.0.1:5000``; ``.ci/registry.sh`` serves it)
=========================== ===================================================================

Public API: :class:`Settings`, :func:`engine_version`, :func:`registry_answers`, :func:`build`,
:class:`BuildResult`, :func:`run_in_image`, :class:`RunResult`, :func:`build_frontend_image`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from astro_pyenv_frontend import layout

__all__ = [
    "CA_SECRET_ID",
    "BuildResult",
    "RunResult",
    "Settings",
    "build",
    "build_frontend_image",
    "engine_version",
    "registry_answers",
    "run_in_image",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
CA_SECRET_ID = "astro-pyenv-ca"
"""BuildKit secret id under which builds get the CA bundle (the product's documented name)."""

BUILD_FLAGS_SCRIPT = REPO_ROOT / ".ci" / "build-flags.sh"
"""Prints ``--network host`` and the mirror/CA flags for ``docker build`` (see :func:`_build_flags`)."""

DEFAULT_RUNTIME_IMAGE = "quay.io/astronomer/astro-runtime:13.0.0"
DEFAULT_RUNTIME3_IMAGE = "astrocrpublic.azurecr.io/runtime:3.1-17"
DEFAULT_FRONTEND_IMAGE = "local/astro-pyenv-frontend:dev"
DEFAULT_REGISTRY = "127.0.0.1:5000"
# The generated stage that digests the venv steps' secrets: its one RUN step runs on every build,
# by design (docs/security.md), where every other PYENV step may come from the cache.
SECRETS_DIGEST_STAGE = layout.SECRETS_DIGEST_STAGE


@dataclass(frozen=True)
class Settings:
    """Test settings read from the environment (see the module docstring)."""

    docker: str = "docker"
    python_base: str = "python:3.12-slim"
    runtime_image: str = DEFAULT_RUNTIME_IMAGE
    runtime3_image: str = DEFAULT_RUNTIME3_IMAGE
    mirror_url: str | None = None
    ca_bundle: str | None = None
    frontend_image: str = DEFAULT_FRONTEND_IMAGE
    registry: str = DEFAULT_REGISTRY

    @property
    def runtime_base_image(self) -> str:
        """The Astro Runtime variant without ONBUILD triggers."""
        return f"{self.runtime_image}-base"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``env`` (default ``os.environ``); empty values count as unset."""
        env = os.environ if env is None else env
        return cls(
            docker=env.get("ASTRO_PYENV_DOCKER") or "docker",
            python_base=env.get("ASTRO_PYENV_PYTHON_BASE") or "python:3.12-slim",
            runtime_image=env.get("ASTRO_PYENV_RUNTIME_IMAGE") or DEFAULT_RUNTIME_IMAGE,
            runtime3_image=env.get("ASTRO_PYENV_RUNTIME3_IMAGE") or DEFAULT_RUNTIME3_IMAGE,
            mirror_url=env.get("PYTHON_BUILD_MIRROR_URL") or None,
            ca_bundle=env.get("ASTRO_PYENV_CA_BUNDLE") or None,
            frontend_image=env.get("ASTRO_PYENV_FRONTEND_IMAGE") or DEFAULT_FRONTEND_IMAGE,
            registry=env.get("ASTRO_PYENV_REGISTRY") or DEFAULT_REGISTRY,
        )


@dataclass(frozen=True)
class BuildResult:
    """Outcome of :func:`build`: exit code, BuildKit's plain progress log, image id (or None)."""

    exit_code: int
    log: str
    image_id: str | None

    @property
    def ok(self) -> bool:
        """True when the build succeeded."""
        return self.exit_code == 0

    def tail(self, lines: int = 60) -> str:
        """The last ``lines`` lines of the log, for assertion messages."""
        return "\n".join(self.log.splitlines()[-lines:])


@dataclass(frozen=True)
class RunResult:
    """Outcome of :func:`run_in_image`: the container's exit code and its stdout+stderr."""

    exit_code: int
    output: str


def _write_context(root: Path, dockerfile_text: str, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` and the Dockerfile (as ``Dockerfile``) under ``root``; return its path."""
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(dockerfile_text)
    return dockerfile


def _build_flags(settings: Settings, *, mirror: bool, ca: bool) -> list[str]:
    """``--network host`` and, if asked for and set in ``settings``, the CPython mirror build arg
    and the CA secret: from ``.ci/build-flags.sh``, where the CI scripts and the benchmark get
    them too (the one definition of these flags)."""
    env = {
        **os.environ,
        "PYTHON_BUILD_MIRROR_URL": settings.mirror_url or "",
        "ASTRO_PYENV_CA_BUNDLE": settings.ca_bundle or "",
    }
    wanted = [name for name, on in (("mirror", mirror), ("ca", ca)) if on]
    done = subprocess.run(
        ["bash", str(BUILD_FLAGS_SCRIPT), *wanted], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split("\0")[:-1]


def engine_version(settings: Settings | None = None, timeout: float = 10) -> str | None:
    """The engine's server version when one answers at ``DOCKER_HOST``, else None."""
    settings = settings or Settings.from_env()
    try:
        done = subprocess.run(
            [settings.docker, "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def image_store(settings: Settings | None = None, timeout: float = 10) -> str:
    """``"containerd"`` when the engine keeps its images in containerd (the containerd image store
    of Docker Desktop and fresh Docker 29 installs), else ``"graphdriver"`` (overlay2 and the like)."""
    settings = settings or Settings.from_env()
    done = subprocess.run(
        [settings.docker, "info", "--format", "{{json .DriverStatus}}"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return "containerd" if "io.containerd.snapshotter" in done.stdout else "graphdriver"


def registry_answers(settings: Settings | None = None, timeout: float = 3) -> bool:
    """True when a registry (Distribution API v2) answers at ``http://<settings.registry>/v2/``."""
    settings = settings or Settings.from_env()
    try:
        with urllib.request.urlopen(f"http://{settings.registry}/v2/", timeout=timeout) as response:
            headers = response.headers
    except urllib.error.HTTPError as exc:  # 401: a registry that wants credentials
        headers = exc.headers
    except (OSError, ValueError):
        return False
    return (headers.get("Docker-Distribution-Api-Version") or "").startswith("registry/2")


def build(
    dockerfile_text: str,
    files: Mapping[str, str | bytes] | None = None,
    build_args: Mapping[str, str] | None = None,
    *,
    tag: str | None = None,
    target: str | None = None,
    extra_args: Sequence[str] = (),
    secrets: bool = True,
    mirror: bool = True,
    timeout: float = 3600,
    settings: Settings | None = None,
) -> BuildResult:
    """Build ``dockerfile_text`` with ``files`` as its context; never raises on a failed build.

    Runs ``docker build --network host --progress plain --iidfile ...`` in a temporary context
    (file names may contain ``/``; a ``Dockerfile`` key is overridden by ``dockerfile_text``).
    Added unless already given: ``--build-arg PYTHON_BUILD_MIRROR_URL`` when the setting is set,
    and, when ``secrets`` is true, ``--secret id=astro-pyenv-ca,src=<CA bundle>`` when set
    (these and ``--network host`` come from :func:`_build_flags`); ``mirror=False`` leaves the
    mirror build arg out (a build that gets it another way).
    """
    settings = settings or Settings.from_env()
    args = dict(build_args or {})
    flags = _build_flags(settings, mirror=mirror and "PYTHON_BUILD_MIRROR_URL" not in args, ca=secrets)
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        root = Path(tmp) / "context"
        root.mkdir()
        dockerfile = _write_context(root, dockerfile_text, files or {})
        iidfile = Path(tmp) / "iid"
        command = [
            settings.docker, "build", *flags, "--progress", "plain",
            "--iidfile", str(iidfile), "-f", str(dockerfile),
        ]  # fmt: skip
        for name, value in args.items():
            command += ["--build-arg", f"{name}={value}"]
        if tag:
            command += ["-t", tag]
        if target:
            command += ["--target", target]
        command += [*extra_args, str(root)]
        env = {**os.environ, "DOCKER_BUILDKIT": "1"}
        try:
            done = subprocess.run(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                errors="replace",
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            log = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode()
            return BuildResult(-1, f"{log}\n[harness] build timed out after {timeout}s", None)
        image_id = iidfile.read_text().strip() if iidfile.exists() else None
        return BuildResult(done.returncode, done.stdout, image_id or None)


def run_in_image(
    image: str,
    command: Sequence[str] | str,
    *,
    env: Mapping[str, str] | None = None,
    user: str | None = None,
    timeout: float = 600,
) -> RunResult:
    """Run ``command`` in a new container of ``image`` with no network; wait and collect logs.

    A string command is split like a shell would split it but not run by one: pass
    ``["sh", "-c", "..."]`` for shell syntax. The container is removed afterwards.
    Uses testcontainers (its reaper is disabled: it cannot be pulled here).
    """
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    from testcontainers.core.container import DockerContainer  # slow import: only when used

    kwargs: dict[str, object] = {"network_mode": "none"}
    if user is not None:
        kwargs["user"] = user
    container = DockerContainer(image, env=dict(env or {})).with_command(
        command if isinstance(command, str) else list(command)
    )
    container.with_kwargs(**kwargs)
    container.start()
    try:
        wrapped = container.get_wrapped_container()
        status = wrapped.wait(timeout=timeout)
        output = wrapped.logs(stdout=True, stderr=True).decode(errors="replace")
        return RunResult(int(status.get("StatusCode", -1)), output)
    finally:
        container.stop()


def build_frontend_image(tag: str, timeout: float = 3600, env: Mapping[str, str] | None = None) -> BuildResult:
    """Build the frontend image as ``tag`` with ``.ci/build-frontend-image.sh`` (log included);
    ``env`` adds to the environment (e.g. ``ASTRO_PYENV_PREBUILT_CATALOG``)."""
    done = subprocess.run(
        ["bash", str(REPO_ROOT / ".ci" / "build-frontend-image.sh"), tag],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
    )
    return BuildResult(done.returncode, done.stdout, tag if done.returncode == 0 else None)
