"""Paths, images and targets of the benchmark (read once from the environment), and its log."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "benchmarks"
PROJECT = BENCH / "project"
BASELINE_DOCKERFILE = BENCH / "baseline" / "Dockerfile"
LOGS = BENCH / "logs"
DOCS = REPO / "docs"

RUNTIME_IMAGE = os.environ.get("ASTRO_PYENV_RUNTIME_IMAGE") or "quay.io/astronomer/astro-runtime:13.0.0"
RUNTIME_BASE = RUNTIME_IMAGE + "-base"
FRONTEND_IMAGE = os.environ.get("ASTRO_PYENV_FRONTEND_IMAGE") or "local/astro-pyenv-frontend:dev"
DOCKER = os.environ.get("ASTRO_PYENV_DOCKER") or "docker"
CI_CACHE = Path(os.environ.get("ASTRO_PYENV_CI_CACHE") or "/var/cache/astro-pyenv-ci")
BENCH_ENGINE_LOG = CI_CACHE / "bench-dockerd.log"

# The project's PYENV lines: environment -> CPython version (as in benchmarks/project/Dockerfile).
ENVIRONMENTS = {"snowpark": "3.9.2", "modern": "3.13.5"}
OURS_TAG = "astro-pyenv-bench/ours:latest"
BASELINE_TAG = "astro-pyenv-bench/baseline:latest"

# The targets.
OVERHEAD_TARGET_MS = 250.0
SIZE_TARGET_PCT = 5.0
TRANSFORM_TARGET_MS = 100.0


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_average() -> float:
    return os.getloadavg()[0]
