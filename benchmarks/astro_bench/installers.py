"""Scenario 14: uv against pip, one venv of about 50 pinned packages on the same prebuilt CPython.

Both install ``benchmarks/installers/requirements.txt`` (pandas, pyarrow, scikit-learn, a database
driver, cloud and warehouse clients, ...; 51 packages pinned by ``uv pip compile``) with
``PYENV --installer=uv|pip 3.13.5`` on the Python base.  14a: an empty package cache, every file
downloaded from the index, as on a fresh CI runner (the default: no cache).  14b: a warm one, the
opt-in shared cache (``ASTRO_PYENV_PIP_CACHE``, a cache of each installer's own) filled by an
untimed build first.  Every timed build has a new comment line in the requirements file, so the
venv step runs; the figure is that step's own time from the build log (what the installer
changes), the whole build's is in the notes.  The two installers alternate, ``--runs`` each.
"""

from __future__ import annotations

import re
import statistics
import uuid
from collections.abc import Callable

from .buildlog import Build
from .config import BENCH, FRONTEND_IMAGE, PYTHON_BASE, log
from .project import scratch_dir
from .results import Row, Side
from .runner import Runner, interleave

REQUIREMENTS = BENCH / "installers" / "requirements.txt"
VERSION = "3.13.5"
ENVIRONMENT = "work"
VENV_STAGE = f"pyenv-venv-{ENVIRONMENT}"
UV_COLD_TARGET = 5.0  # uv at least this many times faster than pip, cold
INSTALLERS: dict[Side, str] = {"ours": "uv", "baseline": "pip"}


def dockerfile(installer: str) -> str:
    line = f"PYENV --installer={installer} {VERSION} {ENVIRONMENT} requirements.txt"
    return f"# syntax={FRONTEND_IMAGE}\nFROM {PYTHON_BASE}\n{line}\n"


def venv_step_seconds(build: Build) -> float:
    """How long the venv step's RUN took; an error when it did not run (taken from the cache)."""
    for step in build.steps():
        if step.stage == VENV_STAGE and step.text.startswith("RUN") and step.executed and step.seconds is not None:
            return step.seconds
    raise RuntimeError(f"the venv step of {ENVIRONMENT} did not run in {build.log_file}")


# uv's own summary line, e.g. "#20 23.29 Bytecode compiled 5853 files in 18.79s" (or "in 666ms").
UV_BYTECODE = re.compile(r"^#\d+ [0-9.]+ Bytecode compiled (\d+) files in ([0-9.]+)(ms|s)$", re.MULTILINE)


def uv_bytecode_seconds(build: Build) -> float | None:
    """How long uv compiled the requirements to bytecode (its largest such line), if it said."""
    times = [float(m.group(2)) / (1000 if m.group(3) == "ms" else 1) for m in UV_BYTECODE.finditer(build.log)]
    return max(times) if times else None


def package_count(text: str) -> int:
    return sum(1 for line in text.splitlines() if "==" in line and not line.lstrip().startswith("#"))


def run(r: Runner) -> None:
    """Scenario 14 (rows 14a, cold, and 14b, warm)."""
    r.engine.copy_in([PYTHON_BASE])  # the bench engine starts with the runtime's images only
    pinned = REQUIREMENTS.read_text()
    ctx = scratch_dir(r.work / "installers")
    files = {installer: ctx / f"{installer}.Dockerfile" for installer in INSTALLERS.values()}
    for installer, path in files.items():
        path.write_text(dockerfile(installer))

    def build(installer: str, label: str, args: dict[str, str]) -> Build:
        (ctx / "requirements.txt").write_text(f"# run {uuid.uuid4().hex}\n{pinned}")
        return r.builder.build("plain", ctx, f"{label}-{installer}", dockerfile=files[installer], build_args=args)

    nonce = uuid.uuid4().hex[:8]
    states: tuple[tuple[str, str, Callable[[str], dict[str, str]]], ...] = (
        ("14a", "cold", lambda installer: {}),
        ("14b", "warm", lambda installer: {"ASTRO_PYENV_PIP_CACHE": f"bench-{installer}-{nonce}"}),
    )
    for key, state, args_for in states:
        target = f"uv ≥ {UV_COLD_TARGET:.0f}× faster" if state == "cold" else "–"
        row = r.results.row(key, f"{key}. venv of {package_count(pinned)} packages, {state} package cache: uv vs pip",
                            target=target, met="–" if state == "warm" else "")  # fmt: skip
        for installer in INSTALLERS.values():  # untimed: the interpreter pulled, the warm cache filled
            log(f"scenario 14 ({state}): warming up {installer}")
            build(installer, f"installers-{state}-warmup", args_for(installer))
        whole: dict[Side, list[float]] = {"ours": [], "baseline": []}
        bytecode: list[float] = []
        for turn in interleave(r.options.runs):
            installer = INSTALLERS[turn.side]
            b = build(installer, f"installers-{state}{turn.index + 1}", args_for(installer))
            row.add(turn.side, venv_step_seconds(b))
            whole[turn.side].append(b.seconds)
            if installer == "uv" and (seconds := uv_bytecode_seconds(b)) is not None:
                bytecode.append(seconds)
        summarise(row, whole, state, bytecode)


def summarise(row: Row, whole: dict[Side, list[float]], state: str, uv_bytecode: list[float] | None = None) -> None:
    """uv on the ours side, pip on the baseline's; the ratio said as a speed-up.  ``uv_bytecode``:
    how much of uv's step was compiling bytecode, which pip does too (inside its install)."""
    if not row.ours or not row.baseline:
        return
    uv_s, pip_s = statistics.median(row.ours), statistics.median(row.baseline)
    row.ours_text = f"uv {uv_s:.1f} s (n={len(row.ours)})"
    row.baseline_text = f"pip {pip_s:.1f} s (n={len(row.baseline)})"
    row.ratio_text = f"{uv_s / pip_s:.2f}× the time: uv {pip_s / uv_s:.1f}× faster"
    if state == "cold":
        row.met = "yes" if pip_s / uv_s >= UV_COLD_TARGET else "no"
    row.notes.append(
        f"the venv step's time (pip upgraded, then the requirements installed, bytecode compiled); whole builds: "
        f"uv {statistics.median(whole['ours']):.1f} s, pip {statistics.median(whole['baseline']):.1f} s (medians)"
    )
    if uv_bytecode:
        row.notes.append(
            f"of uv's venv step, compiling bytecode: {statistics.median(uv_bytecode):.1f} s (median, uv's own "
            f"count); pip compiles the same files inside its install, not timed apart"
        )
