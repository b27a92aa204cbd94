"""The private bench dockerd and the timed ``docker build`` that every scenario runs on it."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Literal

from .buildlog import Build, BuildFailed
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


class Engine:
    """The private bench dockerd; every docker command of the benchmark goes through it."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.env = {**os.environ, "DOCKER_HOST": host, "DOCKER_BUILDKIT": "1"}

    @classmethod
    def start(cls) -> Engine:
        """Start it (``benchmarks/bench-engine.sh start``) with the images the builds need copied in."""
        images = [RUNTIME_IMAGE, RUNTIME_BASE, FRONTEND_IMAGE]
        env = {**os.environ, "BENCH_IMAGES": " ".join(images)}
        done = subprocess.run(
            ["bash", str(BENCH / "bench-engine.sh"), "start"], env=env, stdout=subprocess.PIPE, text=True, check=True
        )
        engine = cls(done.stdout.strip().splitlines()[-1])
        log(f"bench engine at {engine.host}")
        return engine

    def docker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([DOCKER, *args], env=self.env, capture_output=True, text=True, check=check)

    def prune(self) -> None:
        """Empty the bench engine's BuildKit cache (cache mounts too) and drop the built images."""
        images = self.docker("image", "ls", "-q", "--filter", "reference=astro-pyenv-bench/*").stdout.split()
        if images:
            self.docker("image", "rm", "-f", *sorted(set(images)), check=False)
        self.docker("builder", "prune", "-af")

    def image_size(self, image: str) -> int:
        return int(self.docker("image", "inspect", "-f", "{{.Size}}", image).stdout.strip())

    def read_file(self, image: str, path: str) -> str:
        """A file's text from ``image`` (``cat`` in a throw-away container, no network)."""
        return self.docker("run", "--rm", "--network", "none", "--entrypoint", "cat", image, path).stdout

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
    ) -> Build:
        """``docker build`` of ``kind`` from ``context``; timed wall clock.

        ``ours`` builds ``context/Dockerfile``, ``baseline`` the baseline Dockerfile (with the
        runtime's ``-base`` image and the frontend image as build args), ``plain`` exactly
        ``dockerfile``.  Every build gets ``--network host``, the CPython mirror and the CA
        secret (see :mod:`.flags`).
        """
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
        cmd = [DOCKER, "build", *flags, "--progress", "plain", "-f", str(dockerfile)]
        for name, value in args.items():
            cmd += ["--build-arg", f"{name}={value}"]
        if tag:
            cmd += ["-t", tag]
        cmd.append(str(context))
        self.count += 1
        log_file = self.log_dir / f"{self.count:03d}-{label}-{kind}.log"
        start = time.perf_counter()
        done = subprocess.run(
            cmd, env=self.engine.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            text=True, errors="replace", check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        log_file.write_text(done.stdout)
        if done.returncode != 0:
            tail = "\n".join(done.stdout.splitlines()[-40:])
            raise BuildFailed(f"{kind} build ({label}) failed; log {log_file}:\n{tail}")
        log(f"{label:>10} {kind:<8} {seconds:8.2f} s   (load {load_average():.2f})")
        return Build(kind, seconds, done.stdout, log_file)
