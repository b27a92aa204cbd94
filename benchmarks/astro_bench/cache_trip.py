"""Scenario 13: a CI runner's registry cache trip, ours against the floor's.

What a team's CI does (docs/ci-recipe.md): a job builds and exports its build cache to a registry
(``--cache-to type=registry,ref=...,mode=max``); the next job starts on a runner with an empty
build cache and imports it (``--cache-from``).  Both builds are timed, for ours (scenario 12's
project on python:3.12-slim, with prebuilt interpreters) and for scenario 12's floor (a
hand-written Dockerfile copying the same interpreter images and making the same venvs).

Exporting a cache with Docker's default builder needs the containerd image store, so this
scenario runs on an engine of its own: ``.ci/engine-current.sh`` (Docker 28.5, containerd image
store) with a state and run directory of its own, so the shared current engine is never pruned.
Between the two builds of a trip the engine's build cache is emptied and the built image removed,
as on a new runner (the base image stays: a runner pulls it either way).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .buildlog import Build
from .cold_prebuilt import PYTHON_SLIM, floor_args, prebuilt_for
from .config import CACHE_TRIP_RATIO, CI_CACHE, DOCKER, FRONTEND_IMAGE, PYTHON_BASE, REPO
from .engine import Builder, Engine
from .project import write_project
from .results import Row
from .runner import Runner, interleave
from .warm import pyenv_runs

TITLE = "13. registry cache trip: export, then import on an empty builder (vs the floor's trip)"
ENGINE_SCRIPT = REPO / ".ci" / "engine-current.sh"
STATE = CI_CACHE / "bench-current"
RUN_DIR = "/run/astro-pyenv-bench-current"
OURS_TAG = "astro-pyenv-bench/trip-ours:latest"
FLOOR_TAG = "astro-pyenv-bench/trip-floor:latest"
def executed_stages(build: Build) -> list[str]:
    """The stages whose RUN steps ran (not ``CACHED``), but the secrets digest's: what an imported
    cache failed to bring."""
    return sorted({step.stage for step in pyenv_runs(build)})


def _script(command: str) -> None:
    env = {**os.environ, "ASTRO_PYENV_CURRENT_STATE": str(STATE), "ASTRO_PYENV_CURRENT_RUN_DIR": RUN_DIR}
    subprocess.run(["bash", str(ENGINE_SCRIPT), command], env=env, stdout=sys.stderr, check=True)


@contextmanager
def trip_engine(images: Sequence[str], keep: bool) -> Iterator[Engine]:
    """The scenario's own containerd-store engine, with ``images`` copied in from the shared one."""
    _script("install")
    _script("start")
    engine = Engine(f"unix://{RUN_DIR}/docker.sock", cli=str(STATE / "bin" / "docker"))
    for image in images:
        saved = subprocess.Popen([DOCKER, "save", image], stdout=subprocess.PIPE)
        subprocess.run([engine.cli, "load", "-q"], stdin=saved.stdout, stdout=sys.stderr, check=True)
        if saved.wait() != 0:
            raise RuntimeError(f"docker save {image} failed")
    try:
        yield engine
    finally:
        if not keep:
            _script("stop")


def run(r: Runner) -> None:
    """Scenario 13."""
    row = r.results.row("13", TITLE, target=f"import ≤ {CACHE_TRIP_RATIO}× the floor's")
    chosen = prebuilt_for(r, list(PYTHON_SLIM.environments.values()), base=PYTHON_BASE)
    args = floor_args(PYTHON_SLIM, chosen.images)
    project = write_project(r.work / "project-cache-trip", base_image=PYTHON_BASE, source=PYTHON_SLIM.project)
    cache = f"{os.environ.get('ASTRO_PYENV_REGISTRY') or '127.0.0.1:5000'}/astro-pyenv-bench/cache-trip"
    nonce = uuid.uuid4().hex[:8]
    trips: dict[str, list[tuple[Build, Build]]] = {"ours": [], "floor": []}
    with trip_engine([FRONTEND_IMAGE, PYTHON_BASE], r.options.keep_engine) as engine:
        builder = Builder(engine, r.builder.log_dir)
        for turn in interleave(r.options.runs):
            side = "ours" if turn.side == "ours" else "floor"
            ref = f"{cache}:{side}-{nonce}-{turn.index + 1}"
            build = _ours(builder, project) if side == "ours" else _floor(builder, project, args)
            engine.prune()
            exported = build(f"trip{turn.index + 1}-export", "--cache-to", f"type=registry,ref={ref},mode=max")
            engine.prune()  # the next job's runner
            imported = build(f"trip{turn.index + 1}-import", "--cache-from", f"type=registry,ref={ref}")
            ran = executed_stages(imported)
            if ran:
                raise RuntimeError(f"{side}: RUN steps ran again after the import: {ran} ({imported.log_file})")
            trips[side].append((exported, imported))
        engine.prune()
    summarise(row, trips)


def _ours(builder: Builder, project: Path) -> Callable[..., Build]:
    def build(label: str, *extra: str) -> Build:
        return builder.build("ours", project, label, tag=OURS_TAG, extra_args=extra)

    return build


def _floor(builder: Builder, project: Path, args: dict[str, str]) -> Callable[..., Build]:
    def build(label: str, *extra: str) -> Build:
        return builder.build("plain", project, f"{label}-floor", tag=FLOOR_TAG,
                             dockerfile=PYTHON_SLIM.floor_dockerfile, build_args=args, extra_args=extra)  # fmt: skip

    return build


def summarise(row: Row, trips: dict[str, list[tuple[Build, Build]]]) -> None:
    """The row: the import builds (what the next runner waits for) as the figures; the exports
    in the notes."""
    row.ours = [imported.seconds for _, imported in trips["ours"]]
    row.baseline = [imported.seconds for _, imported in trips["floor"]]
    if not row.ours or not row.baseline:
        return
    floor_s = statistics.median(row.baseline)
    row.baseline_text = f"{floor_s:.2f} s floor (n={len(row.baseline)})"
    ratio = statistics.median(row.ours) / floor_s
    row.met = "yes" if ratio <= CACHE_TRIP_RATIO else "no"
    for side, label in (("ours", "ours"), ("floor", "floor")):
        exports = [exported.seconds for exported, _ in trips[side]]
        row.notes.append(
            f"{label}: export (--cache-to, mode=max) median {statistics.median(exports):.1f} s "
            f"({', '.join(f'{s:.1f}' for s in exports)}); import on an empty builder "
            f"{', '.join(f'{imported.seconds:.1f}' for _, imported in trips[side])} s, no RUN step ran but the "
            "secrets digest"
        )
    row.notes.append(
        "engine: Docker 28.5 with the containerd image store (.ci/engine-current.sh, a state of its own); "
        "its build cache emptied and the built image removed before each build, the base image kept"
    )
