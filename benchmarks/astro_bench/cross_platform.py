"""Scenario 11: what ``astro deploy`` does on Apple Silicon, mirrored on this amd64 machine.

On an arm64 Mac, ``astro deploy`` builds the project for linux/amd64, the other platform, with
every RUN step under emulation.  Here the mirror image of that: cold ``--platform linux/arm64``
builds of the benchmark project on amd64 (QEMU runs the arm64 steps), each after pruning the
engine, three ways:

- ours with prebuilt arm64 interpreters (the frontend image's catalog must list them);
- ours with ``ASTRO_PYENV_PREBUILT=off``: both CPythons compiled under emulation, stopped at
  ``--arm64-compile-limit`` seconds and then reported as taking more than that;
- the floor (``benchmarks/floor/Dockerfile``, as in scenario 9) for arm64: the same arm64
  interpreter images copied by digest, the venvs, nothing else.

The base is the runtime's ``-base`` image for both platforms (``MULTIARCH_RUNTIME_BASE``), pulled
for arm64 into the engine's image store before the builds (untimed), as scenario 9 finds its
amd64 base there.  Where the frontend recognises it as an Astro Runtime image by its name (the
public image, online), the project is built as it is; offline it is a stand-in in the local
registry under another name, so the project is written FROM it with the runtime's ONBUILD steps
written out where the frontend puts them for the real image (:func:`cross_dockerfile`).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from astro_pyenv_frontend import astro_runtime

from . import cold_prebuilt
from .buildlog import Build, BuildStopped
from .cold_prebuilt import step_label
from .config import (
    COLD_PREBUILT_FLOOR_RATIO,
    CROSS_COMPILED_TAG,
    CROSS_FLOOR_TAG,
    CROSS_OURS_TAG,
    CROSS_PLATFORM,
    ENVIRONMENTS,
    FLOOR_DOCKERFILE,
    FRONTEND_IMAGE,
    MULTIARCH_RUNTIME_BASE,
    PROJECT,
    load_average,
    log,
)
from .engine import COPIED_IMAGES
from .interpreters import floor_args_declared, floor_build_args, interpreter_lines
from .project import write_project
from .results import Results, Row
from .runner import Runner, interleave

# The Astro Runtime's ONBUILD steps before the PYENV work, as the frontend writes them for a
# runtime image whose config it cannot read (packages.txt, requirements.txt, back to the astro user) ...
RUNTIME_STEPS_BEFORE = (
    "COPY packages.txt .\n"
    "USER root\n"
    "RUN /usr/local/bin/install-system-packages\n"
    "COPY requirements.txt .\n"
    "RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 if [ -s /run/secrets/astro-pyenv-ca ]; then "
    "export PIP_CERT=/run/secrets/astro-pyenv-ca; fi; /usr/local/bin/install-python-dependencies\n"
    "USER astro\n"
)
# ... and the project copy after it.
RUNTIME_STEP_AFTER = "COPY --chown=astro:0 . .\n"


def cross_dockerfile(project_dockerfile: str, frontend_image: str, base: str) -> str:
    """The project's Dockerfile FROM ``base``, a runtime ``-base`` image whose ONBUILD image the
    frontend cannot name, with the runtime's ONBUILD steps written out: right after FROM, and the
    project copy at the end (after the PYENV lines), where the frontend puts them for FROM
    ``quay.io/astronomer/astro-runtime:<tag>``."""
    text = re.sub(r"^# syntax=.*$", f"# syntax={frontend_image}", project_dockerfile, count=1, flags=re.MULTILINE)
    text, found = re.subn(r"^FROM \S+\n", lambda _: f"FROM {base}\n{RUNTIME_STEPS_BEFORE}", text, flags=re.MULTILINE)
    if found != 1 or len(re.findall(r"^FROM\s", project_dockerfile, re.MULTILINE)) != 1:
        raise ValueError("the project's Dockerfile should have exactly one FROM line, `FROM <image>`")
    return text.rstrip("\n") + "\n" + RUNTIME_STEP_AFTER


def known_runtime(base: str) -> str | None:
    """The ONBUILD image of ``base`` when the frontend recognises ``base`` as a runtime ``-base``
    image by its name (``quay.io/astronomer/astro-runtime:13.0.0`` for ``...:13.0.0-base``)."""
    found = astro_runtime.match(base)
    if found is None or found.needs_rewrite:
        return None
    return base[: -len("-base")]


def write_cross_project(directory: Path, base: str) -> bool:
    """The project in ``directory`` for ``base``: as it is (FROM the runtime image) where the
    frontend knows the name, else :func:`cross_dockerfile`; True when written out."""
    full = known_runtime(base)
    write_project(directory, base_image=full or base)
    if full is None:
        text = cross_dockerfile((PROJECT / "Dockerfile").read_text(), FRONTEND_IMAGE, base)
        (directory / "Dockerfile").write_text(text)
    return full is None


@dataclass(frozen=True)
class Timing:
    """A build's seconds; ``stopped``: it was stopped at its limit, and ``seconds`` is that limit
    (it would have taken longer)."""

    seconds: float
    stopped: bool = False


def median_timing(runs: Sequence[Timing]) -> Timing:
    """The median of ``runs``, a stopped run counting as longer than any finished one; a lower
    bound (``stopped``) when a stopped run is among the middle ones."""
    if not runs:
        raise ValueError("no runs")
    ranked = sorted(runs, key=lambda t: (t.stopped, t.seconds))
    middle = ranked[(len(ranked) - 1) // 2 : len(ranked) // 2 + 1]
    return Timing(statistics.mean(t.seconds for t in middle), any(t.stopped for t in middle))


def timing_text(t: Timing, n: int) -> str:
    """``"> 1200 s (stopped at the limit, n=1)"`` or ``"1534.20 s (n=1)"``."""
    if t.stopped:
        return f"> {t.seconds:.0f} s (stopped at the limit, n={n})"
    return f"{t.seconds:.2f} s (n={n})"


def times_text(t: Timing, other: float) -> str:
    """``t`` over ``other``: ``"> 24.5×"`` (a lower bound) or ``"24.53×"``."""
    ratio = t.seconds / other
    return f"> {ratio:.1f}×" if t.stopped else f"{ratio:.2f}×"


def unfinished_steps(b: Build) -> list[str]:
    """The RUN steps of a stopped build's log that had started and not ended, each with the last
    line it printed (how far it got)."""
    found: list[str] = []
    for s in b.steps():
        if s.seconds is not None or s.cached or not s.text.startswith("RUN"):
            continue
        last = b.last_output(s.id)
        where = f"at {last[0]:.0f} s: `{shorten(last[1], 90)}`" if last else "no output"
        found.append(f"[{s.stage}] {where}")
    return found


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split()).replace("`", "'")
    return text if len(text) <= width else text[: width - 3] + "..."


def run(r: Runner) -> None:
    platform = CROSS_PLATFORM
    limit = r.options.cross_compile_limit
    runs = r.options.cross_runs
    base = MULTIARCH_RUNTIME_BASE
    row = r.results.row("11", f"11. cold {platform} build on amd64 (astro deploy on Apple Silicon, mirrored), "
                        "prebuilt interpreters (vs the floor)",
                        target=f"no CPython compiled; ≤ {COLD_PREBUILT_FLOOR_RATIO}× the floor (as 9)")  # fmt: skip
    r.results.rows.pop("11b", None)  # from an earlier run: it compares with that run's row 11
    log(f"pulling {base} for {platform} into the bench engine (untimed)")
    r.engine.pull(base, platform)
    r.warm = False  # the prunes below drop the cache the warm scenarios build on
    try:
        versions = sorted(set(ENVIRONMENTS.values()))
        images = cold_prebuilt.prebuilt_for(r, versions, base=base, platform=platform).images
        args = floor_build_args(images, base)
        missing = set(args) - floor_args_declared(FLOOR_DOCKERFILE.read_text())
        if missing:
            raise RuntimeError(f"{FLOOR_DOCKERFILE} declares no ARG {sorted(missing)}")
        log("prebuilt images: " + ", ".join(f"{v} {i}" for v, i in images.items()))
        project = r.work / "cross-project"
        written_out = write_cross_project(project, base)
        builds: dict[str, list[Build]] = {"ours": [], "floor": []}
        loads: list[float] = []
        for turn in interleave(runs):
            r.engine.prune()
            loads.append(load_average())
            label = f"arm64-cold{turn.index + 1}"
            if turn.side == "ours":
                b = r.builder.build("ours", project, label, tag=CROSS_OURS_TAG, platform=platform)
            else:
                b = r.builder.build("plain", project, f"{label}-floor", tag=CROSS_FLOOR_TAG,
                                    dockerfile=FLOOR_DOCKERFILE, build_args=args, platform=platform)  # fmt: skip
            builds["ours" if turn.side == "ours" else "floor"].append(b)
            row.add(turn.side, b.seconds)
        compiles, compile_notes = _compile_runs(r, project, platform, runs if limit > 0 else 0, loads)
    finally:
        if base in COPIED_IMAGES:  # the pull replaced the engine's own-platform image of that name
            r.engine.copy_in([base])
    ours = statistics.median(row.ours)
    floor = statistics.median(row.baseline)
    row.baseline_text = f"{floor:.2f} s floor (n={len(row.baseline)})"
    ratio = ours / floor
    compiled, wrong_platform = _run_notes(row, builds, platform)
    _setting_notes(row, loads, images, platform, base, written_out)
    if compiled or wrong_platform:
        row.met = "no (" + "; ".join([*(f"compiled CPython {v}" for v in compiled),
                                      *(f"prebuilt {w}" for w in wrong_platform)]) + ")"  # fmt: skip
    else:
        row.met = "yes" if ratio <= COLD_PREBUILT_FLOOR_RATIO else "no"
    settings: dict[str, object] = {"platform": platform, "base": base, "images": images, "ours_s": row.ours,
                                   "floor_s": row.baseline, "ratio": ratio, "compiled": compiled}  # fmt: skip
    if compiles:
        compile_row(r.results, compiles, ours, floor, limit, compile_notes)
        settings["compile"] = {"limit_s": limit, "runs": [[c.seconds, c.stopped] for c in compiles]}
    r.results.settings["cross_platform"] = settings


def _setting_notes(
    row: Row, loads: list[float], images: dict[str, str], platform: str, base: str, written_out: bool
) -> None:
    """What the builds ran on: the load, the interpreter images, the base (and whether a stand-in)."""
    row.notes.append(f"1-minute load average before each cold build: {', '.join(f'{x:.2f}' for x in loads)}")
    row.notes.append(f"interpreter images for {platform} (ours and the floor, from the frontend image's catalog): "
                     + ", ".join(f"{v} `{i}`" for v, i in images.items()))  # fmt: skip
    row.notes.append(
        f"base `{base}` for {platform}, pulled into the engine's image store before the builds (untimed, as "
        "scenario 9 finds its base there); the floor is `benchmarks/floor/Dockerfile` FROM it"
    )
    if written_out:
        row.notes.append(
            f"DEVIATION: `{base}` is a stand-in (.ci/standins/astro-runtime.Dockerfile --target base for both "
            "platforms, .ci/standins-multiarch.sh --astro-runtime) because this machine reaches no registry; a "
            "-base image has no ONBUILD steps for the frontend to replay, so ours is the project written FROM it "
            "with the runtime's ONBUILD steps written out where the frontend puts them for the real image (the same "
            "two PYENV lines; tests/unit/benchmarks check both transform alike)"
        )



def _compile_runs(
    r: Runner, project: Path, platform: str, runs: int, loads: list[float]
) -> tuple[list[Timing], list[str]]:
    """Cold builds that compile every interpreter (prebuilt off), each stopped at the limit."""
    limit = r.options.cross_compile_limit
    compiles: list[Timing] = []
    compile_notes: list[str] = []
    for i in range(runs):
        r.engine.prune()
        loads.append(load_average())
        try:
            b = r.builder.build("ours", project, f"arm64-compile{i + 1}", tag=CROSS_COMPILED_TAG, platform=platform,
                                build_args={"ASTRO_PYENV_PREBUILT": "off"}, time_limit=limit)  # fmt: skip
        except BuildStopped as stop:
            compiles.append(Timing(stop.limit, stopped=True))
            running = unfinished_steps(stop.build)
            compile_notes.append(f"compile run {i + 1}: stopped at the limit of {stop.limit:.0f} s; steps still "
                                 "running then, with their last output (seconds into the step): "
                                 f"{'; '.join(running) or 'none the log names'}")  # fmt: skip
            continue
        compiles.append(Timing(b.seconds))
        lines = interpreter_lines(b.log)
        compile_notes.append(f"compile run {i + 1}: {b.seconds:.1f} s; compiled: "
                             f"{', '.join(lines.compiling) or 'nothing (WARNING)'}")  # fmt: skip
    if compiles:
        r.engine.prune()  # what a stopped build leaves behind
    return compiles, compile_notes


def _run_notes(row: Row, builds: dict[str, list[Build]], platform: str) -> tuple[list[str], list[str]]:
    """A note per cold build; and what ours compiled, and prebuilt images for another platform."""
    compiled: list[str] = []
    wrong_platform: list[str] = []
    for i, b in enumerate(builds["ours"]):
        lines = interpreter_lines(b.log)
        compiled += lines.compiling
        wrong_platform += [f"{v} {w}" for v, w in lines.prebuilt_for.items() if not w.endswith(f"({platform})")]
        prebuilt_for = ", ".join(f"{v} for {w}" for v, w in sorted(lines.prebuilt_for.items()))
        row.notes.append(
            f"ours run {i + 1}: {b.seconds:.1f} s; prebuilt: {prebuilt_for or 'none'}; compiled: "
            + (", ".join(f"{v} ({w})" for v, w in sorted(lines.compiled_why.items())) or "nothing")
        )
    for i, b in enumerate(builds["floor"]):
        slow = sorted((s for s in b.steps() if s.executed), key=lambda s: -(s.seconds or 0))[:3]
        row.notes.append(f"floor run {i + 1}: {b.seconds:.1f} s; slowest steps: "
                         + "; ".join(f"{step_label(s.text)} {s.seconds:.1f} s" for s in slow))  # fmt: skip
    return compiled, wrong_platform


def compile_row(
    results: Results, compiles: list[Timing], ours: float, floor: float, limit: float, notes: list[str]
) -> Row:
    """Row 11b: the builds compiling under emulation (``compiles``) against ours with prebuilt
    interpreters (``ours`` seconds, row 11); the floor's ``floor`` seconds in the notes."""
    row = results.row(
        "11b",
        "11b. the same with prebuilt interpreters off: both CPythons compiled under emulation",
        target=f"– (stopped after {limit:.0f} s: --arm64-compile-limit)",
        met="–",
        notes=notes,
    )
    compiled = median_timing(compiles)
    row.ours.extend(c.seconds for c in compiles if not c.stopped)
    row.baseline.append(ours)
    row.ours_text = timing_text(compiled, len(compiles))
    row.baseline_text = f"{ours:.2f} s ours prebuilt (11)"
    row.ratio_text = times_text(compiled, ours)
    row.notes.append(f"compiled / the floor of 11: {times_text(compiled, floor)}; a stopped run counts as its limit, "
                     "so a figure with > is a lower bound")  # fmt: skip
    return row
