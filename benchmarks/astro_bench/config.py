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
FLOOR_DOCKERFILE = BENCH / "floor" / "Dockerfile"  # scenario 9's floor
# Scenario 12: a project on python:3.12-slim, and its floor.
PYTHON_SLIM_PROJECT = BENCH / "project-python-slim"
PYTHON_SLIM_FLOOR_DOCKERFILE = BENCH / "floor" / "python-slim.Dockerfile"
LOGS = BENCH / "logs"
DOCS = REPO / "docs"

RUNTIME_IMAGE = os.environ.get("ASTRO_PYENV_RUNTIME_IMAGE") or "quay.io/astronomer/astro-runtime:13.0.0"
RUNTIME_BASE = RUNTIME_IMAGE + "-base"
# Scenario 11's base: the runtime's -base image for both platforms (.ci/engine-env.sh: the public
# one by its name online; offline an index in the local registry, .ci/standins-multiarch.sh
# --astro-runtime).
MULTIARCH_RUNTIME_BASE = os.environ.get("ASTRO_PYENV_MULTIARCH_RUNTIME_BASE") or RUNTIME_BASE
# Scenario 12's base: python:3.12-slim, Debian 13 like every python:3.x-slim tag today (offline
# the stand-in of that name, .ci/standins.sh).
PYTHON_BASE = os.environ.get("ASTRO_PYENV_PYTHON_BASE") or "python:3.12-slim"
FRONTEND_IMAGE = os.environ.get("ASTRO_PYENV_FRONTEND_IMAGE") or "local/astro-pyenv-frontend:dev"
DOCKER = os.environ.get("ASTRO_PYENV_DOCKER") or "docker"
CI_CACHE = Path(os.environ.get("ASTRO_PYENV_CI_CACHE") or "/var/cache/astro-pyenv-ci")
BENCH_ENGINE_LOG = CI_CACHE / "bench-dockerd.log"

# The project's PYENV lines: environment -> CPython version (as in benchmarks/project/Dockerfile).
ENVIRONMENTS = {"snowpark": "3.9.2", "modern": "3.13.5"}
# Scenario 12's PYENV lines: environment -> the version as written (a series; the catalog's
# release of it is used), as in benchmarks/project-python-slim/Dockerfile.
PYTHON_SLIM_ENVIRONMENTS = {"analytics": "3.11", "modern": "3.13"}
OURS_TAG = "astro-pyenv-bench/ours:latest"
BASELINE_TAG = "astro-pyenv-bench/baseline:latest"
FLOOR_TAG = "astro-pyenv-bench/floor:latest"
PYTHON_SLIM_OURS_TAG = "astro-pyenv-bench/python-slim-ours:latest"
PYTHON_SLIM_FLOOR_TAG = "astro-pyenv-bench/python-slim-floor:latest"
SPEED_PREBUILT_TAG = "astro-pyenv-bench/speed-prebuilt:latest"
SPEED_COMPILED_TAG = "astro-pyenv-bench/speed-compiled:latest"
CROSS_OURS_TAG = "astro-pyenv-bench/cross-ours:latest"
CROSS_FLOOR_TAG = "astro-pyenv-bench/cross-floor:latest"
CROSS_COMPILED_TAG = "astro-pyenv-bench/cross-compiled:latest"

# Scenario 11: `astro deploy` on Apple Silicon builds for the other platform (linux/amd64) under
# emulation; mirrored here, an amd64 machine builds for this one.
CROSS_PLATFORM = "linux/arm64"

# Scenario 10: the interpreter whose speed is measured, the venv's packages (from the package
# index, with the CA secret like every build) and the pure-Python pyperformance benchmarks run.
SPEED_VERSION = "3.13.5"
SPEED_REQUIREMENTS = ("pyperformance==1.14.0", "pyperf==2.11.0")
SPEED_BENCHMARKS = ("nbody", "richards", "float", "chaos", "spectral_norm", "fannkuch")

# The targets.
OVERHEAD_TARGET_MS = 250.0
SIZE_TARGET_PCT = 5.0
TRANSFORM_TARGET_MS = 100.0
COLD_PREBUILT_TARGET_S = 30.0  # scenario 9: ours at most this ...
COLD_PREBUILT_FLOOR_RATIO = 1.3  # ... and (9, 11, 12) at most this many times the floor
SPEEDUP_TARGET = 1.15  # scenario 10: geometric mean of prebuilt over compiled speed
CACHE_TRIP_RATIO = 1.3  # scenario 13: ours' import build at most this many times the floor's


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_average() -> float:
    return os.getloadavg()[0]
