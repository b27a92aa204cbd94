"""The private bench dockerd and the timed ``docker build`` that every scenario runs on it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from .buildlog import Build, BuildFailed, BuildStopped
from .config import (
    BASELINE_DOCKERFILE,
    BENCH,
    DOCKER,
    FRONTEND_IMAGE,
    RUNTIME_BASE,
    RUNTIME_IMAGE,
    load_average,
    log,
)
from .flags import build_flags

# What is built: our frontend on the project, the hand-written baseline on the same context, or
# a given Dockerfile as it is (scenario 6).
Kind = Literal["ours", "baseline", "plain"]
# How long a build stopped at its time limit has to end after SIGTERM before it gets SIGKILL.
STOP_GRACE_S = 30.0


class Engine:
    """The private bench dockerd; every docker command of the benchmark goes through it."""

    def __init__(self, host: str, cli: str = DOCKER) -> None:
        self.host = host
        self.cli = cli  # the docker client (scenario 13's engine has a client of its own)
        self.env = {**os.environ, "DOCKER_HOST": host, "DOCKER_BUILDKIT": "1"}

    @classmethod
    def start(cls) -> Engine:
        """Start it (``benchmarks/bench-engine.sh start``) with the images the builds need copied in."""
        engine = cls(start_and_copy(COPIED_IMAGES))
        log(f"bench engine at {engine.host}")
        return engine

    def copy_in(self, images: list[str]) -> None:
        """Copy ``images`` from the shared engine again (where a pull replaced one of them)."""
        start_and_copy(images)

    def pull(self, image: str, platform: str) -> None:
        """``docker pull --platform``: the engine's image store holds one platform per name."""
        self.docker("pull", "-q", "--platform", platform, image)

    def docker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.cli, *args], env=self.env, capture_output=True, text=True, check=check)

    def prune(self) -> None:
        """Empty the bench engine's BuildKit cache (cache mounts too) and drop the built images."""
        images = self.docker("image", "ls", "-q", "--filter", "reference=astro-pyenv-bench/*").stdout.split()
        if images:
            self.docker("image", "rm", "-f", *sorted(set(images)), check=False)
        self.docker("builder", "prune", "-af")

    def image_size(self, image: str) -> int:
        return int(self.docker("image", "inspect", "-f", "{{.Size}}", image).stdout.strip())

    def read_file(self, image: str, path: str, platform: str | None = None) -> str:
        """A file's text from ``image`` (``cat`` in a throw-away container, no network; another
        ``platform`` runs under emulation)."""
        flags = ["--platform", platform] if platform else []
        return self.docker("run", "--rm", "--network", "none", *flags, "--entrypoint", "cat", image, path).stdout

    def libc(self, image: str, platform: str | None = None) -> str:
        """``glibc 2.36``: the C library of ``image``, as ``getconf GNU_LIBC_VERSION`` says it."""
        flags = ["--platform", platform] if platform else []
        return self.docker(
            "run", "--rm", "--network", "none", *flags, "--entrypoint", "getconf", image, "GNU_LIBC_VERSION"
        ).stdout.strip()

    def image_env(self, image: str) -> list[str]:
        """``Config.Env`` of ``image`` (``NAME=value`` strings)."""
        out = self.docker("image", "inspect", "-f", "{{json .Config.Env}}", image).stdout.strip()
        env = json.loads(out) if out and out != "null" else []
        return [str(e) for e in env]

    def platform(self) -> str:
        """The engine's own platform, ``linux/amd64``."""
        return self.docker("version", "--format", "{{.Server.Os}}/{{.Server.Arch}}").stdout.strip()

    def stop(self) -> None:
        subprocess.run(["bash", str(BENCH / "bench-engine.sh"), "stop"], check=False)


# The images every run copies from the shared engine into the bench engine.
COPIED_IMAGES = [RUNTIME_IMAGE, RUNTIME_BASE, FRONTEND_IMAGE]


def start_and_copy(images: list[str]) -> str:
    """``bench-engine.sh start`` (a no-op when it answers) copying ``images`` in; its socket URL."""
    env = {**os.environ, "BENCH_IMAGES": " ".join(images)}
    done = subprocess.run(
        ["bash", str(BENCH / "bench-engine.sh"), "start"], env=env, stdout=subprocess.PIPE, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


class Builder:
    """Timed ``docker build``s on the engine; each build's log goes to ``log_dir``, numbered."""

    def __init__(self, engine: Engine, log_dir: Path) -> None:
        self.engine = engine
        self.log_dir = log_dir
        self.count = 0

    def build(
        self,
        kind: Kind,
        context: Path,
        label: str,
        *,
        tag: str | None = None,
        dockerfile: Path | None = None,
        build_args: dict[str, str] | None = None,
        platform: str | None = None,
        time_limit: float | None = None,
        extra_args: Sequence[str] = (),
    ) -> Build:
        """``docker build`` of ``kind`` from ``context``; timed wall clock.

        ``ours`` builds ``context/Dockerfile``, ``baseline`` the baseline Dockerfile (with the
        runtime's ``-base`` image and the frontend image as build args), ``plain`` exactly
        ``dockerfile``.  Every build gets ``--network host``, the CPython mirror and the CA
        secret (see :mod:`.flags`); ``platform`` becomes ``--platform``.  A build still running
        after ``time_limit`` seconds is stopped (SIGTERM to the client's process group, which
        cancels the build in the engine; SIGKILL after STOP_GRACE_S) and raises
        :class:`BuildStopped`.  ``extra_args`` go before the context (``--cache-to ...``).
        """
        cmd = _build_command(kind, context, tag, dockerfile, build_args, platform, self.engine.cli, extra_args)
        self.count += 1
        log_file = self.log_dir / f"{self.count:03d}-{label}-{kind}.log"
        start = time.perf_counter()
        # Its own session, so that stopping it reaches the docker CLI's buildx plugin process too.
        proc = subprocess.Popen(
            cmd, env=self.engine.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            text=True, errors="replace", start_new_session=True,
        )  # fmt: skip
        try:
            output, _ = proc.communicate(timeout=time_limit)
        except subprocess.TimeoutExpired:
            seconds = time.perf_counter() - start
            output = stop_build(proc)
            log_file.write_text(output)
            log(f"{label:>10} {kind:<8} stopped at its limit of {time_limit:.0f} s (ran {seconds:.0f} s)")
            raise BuildStopped(Build(kind, seconds, output, log_file), time_limit or 0.0) from None
        seconds = time.perf_counter() - start
        log_file.write_text(output)
        if proc.returncode != 0:
            tail = "\n".join(output.splitlines()[-40:])
            raise BuildFailed(f"{kind} build ({label}) failed; log {log_file}:\n{tail}")
        log(f"{label:>10} {kind:<8} {seconds:8.2f} s   (load {load_average():.2f})")
        return Build(kind, seconds, output, log_file)


def stop_build(proc: subprocess.Popen[str], grace: float = STOP_GRACE_S) -> str:
    """Stop a ``docker build`` started in its own session: SIGTERM to its process group (the
    client cancels the build in the engine), SIGKILL if it has not ended after ``grace``
    seconds; its output (all of it, from the start)."""
    signal_group(proc, signal.SIGTERM)
    try:
        output, _ = proc.communicate(timeout=grace)
    except subprocess.TimeoutExpired:
        signal_group(proc, signal.SIGKILL)
        output, _ = proc.communicate()
    return output


def signal_group(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    """``sig`` to the process group ``proc`` leads (none left: nothing to do)."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _build_command(
    kind: Kind,
    context: Path,
    tag: str | None,
    dockerfile: Path | None,
    build_args: dict[str, str] | None,
    platform: str | None,
    cli: str = DOCKER,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The ``docker build`` command line of :meth:`Builder.build`."""
    args = dict(build_args or {})
    if kind == "ours":
        dockerfile = dockerfile or context / "Dockerfile"
    elif kind == "baseline":
        dockerfile = dockerfile or BASELINE_DOCKERFILE
        args.setdefault("RUNTIME_IMAGE", RUNTIME_BASE)
        args.setdefault("FRONTEND_IMAGE", FRONTEND_IMAGE)
    elif dockerfile is None:
        raise ValueError("a plain build needs its Dockerfile")
    flags = build_flags(mirror="PYTHON_BUILD_MIRROR_URL" not in args, ca=True)
    cmd = [cli, "build", *flags, "--progress", "plain", "-f", str(dockerfile)]
    if platform:
        cmd += ["--platform", platform]
    for name, value in args.items():
        cmd += ["--build-arg", f"{name}={value}"]
    if tag:
        cmd += ["-t", tag]
    cmd += [*extra_args, str(context)]
    return cmd
