"""Scenario 1: cold builds, the engine's whole BuildKit cache (cache mounts too) pruned before each."""

from __future__ import annotations

import dataclasses
import re
import statistics
from dataclasses import dataclass

from .buildlog import Build
from .config import ENVIRONMENTS, load_average
from .project import write_project
from .results import Side
from .runner import Runner, interleave


@dataclass(frozen=True)
class ChainAnalysis:
    """How far ours is from the longest single chain of work (written to benchmarks.json as is)."""

    ours_total_s: float
    longest_chain_s: float
    longest_chain_env: str
    interpreter_stage_s: dict[str, float]
    venv_stage_s: dict[str, float]
    serial_sum_s: float
    baseline_compile_s: dict[str, float]
    baseline_longest_chain_s: float
    notes: list[str]
    met: str


def nearest_median(builds: list[Build]) -> Build:
    """The build whose time is nearest the median."""
    middle = statistics.median(b.seconds for b in builds)
    return min(builds, key=lambda b: abs(b.seconds - middle))


def run(r: Runner) -> None:
    row = r.results.row("1", "1. cold build (empty cache, two CPythons)", target="parallel compiles")
    builds: dict[Side, list[Build]] = {"ours": [], "baseline": []}
    loads: list[float] = []
    write_project(r.project)
    for turn in interleave(r.options.cold_runs):
        r.engine.prune()
        loads.append(load_average())
        b = r.build(turn.side, f"cold{turn.index + 1}")
        builds[turn.side].append(b)
        row.add(turn.side, b.seconds)
    r.warm = False  # the last prune dropped the other kind's cache: warm both up again
    row.notes.append(f"1-minute load average before the cold builds: {', '.join(f'{x:.2f}' for x in loads)}")
    ours = nearest_median(builds["ours"])
    base = nearest_median(builds["baseline"])
    compiled = re.findall(r"astro-pyenv: compiling CPython (\S+) with (\S+)", ours.log)
    if len(compiled) != len(ENVIRONMENTS):
        row.notes.append(f"WARNING: ours compiled {compiled}, expected one compile per version")
    analysis = chain_analysis(ours, base)
    row.notes.extend(analysis.notes)
    for i, b in enumerate(builds["ours"]):
        a = chain_analysis(b, base)
        row.notes.append(
            f"ours cold run {i + 1}: total {b.seconds:.0f} s, longest chain {a.longest_chain_s:.0f} s "
            f"(total / chain {b.seconds / a.longest_chain_s:.2f}), interpreter stages "
            + ", ".join(f"{v} {t:.0f} s" for v, t in sorted(a.interpreter_stage_s.items()))
        )
    for i, b in enumerate(builds["baseline"]):
        compiles = [(s.text.split("python-build ")[1].split()[0], s.seconds) for s in b.executed_runs()
                    if "python-build" in s.text]  # fmt: skip
        row.notes.append(f"baseline cold run {i + 1}: total {b.seconds:.0f} s, compile steps "
                         + ", ".join(f"{v} {t:.0f} s" for v, t in compiles))  # fmt: skip
    r.results.settings["parallelism"] = dataclasses.asdict(analysis)
    row.met = analysis.met


def chain_analysis(ours: Build, base: Build) -> ChainAnalysis:
    """How far ours is from the longest single chain of work, from step timings."""
    steps = ours.steps()
    interp = {
        v: sum(s.seconds or 0 for s in steps if s.stage == f"pyenv-python-{v}" and s.executed)
        for v in set(ENVIRONMENTS.values())
    }
    venv = {n: sum(s.seconds or 0 for s in steps if s.stage == f"pyenv-venv-{n}" and s.executed) for n in ENVIRONMENTS}
    chains = {n: interp[v] + venv[n] for n, v in ENVIRONMENTS.items()}
    longest_env = max(chains, key=chains.__getitem__)
    longest = chains[longest_env]
    serial = sum(s.seconds or 0 for s in steps if s.executed)
    # The baseline runs everything one after another, so its step times are uncontended.
    bsteps = base.steps()
    b_compile = {
        v: sum(s.seconds or 0 for s in bsteps if s.executed and f"python-build {v}" in s.text)
        for v in set(ENVIRONMENTS.values())
    }
    b_venv = {
        n: sum(s.seconds or 0 for s in bsteps if s.executed and s.text.startswith("RUN") and f"venvs/{n}" in s.text)
        for n in ENVIRONMENTS
    }
    b_chains = {n: b_compile[v] + b_venv[n] for n, v in ENVIRONMENTS.items()}
    b_longest = max(b_chains.values())
    compiled_overlap = len([v for v in interp.values() if v > 0]) == len(interp)
    total = ours.seconds
    notes = [
        (
            f"parallelism (ours, run of {total:.0f} s nearest the median): longest chain of work = "
            f"CPython {ENVIRONMENTS[longest_env]} interpreter stage {interp[ENVIRONMENTS[longest_env]]:.0f} s + "
            f"venv {longest_env} {venv[longest_env]:.0f} s = {longest:.0f} s as timed in the same build "
            f"(both compiles share 2 cores, so each is slower than alone); ours total / longest chain = "
            f"{total / longest:.2f}; sum of all executed step times = {serial:.0f} s "
            f"(sum / total = {serial / total:.2f}, >1 means steps overlapped)"
        ),
        "interpreter stages in ours: "
        + ", ".join(f"{v} {t:.0f} s" for v, t in sorted(interp.items()))
        + "; baseline (one after another, uncontended): "
        + ", ".join(f"python-build {v} {t:.0f} s" for v, t in sorted(b_compile.items()))
        + f"; the baseline's longest uncontended chain (compile + venv) is {b_longest:.0f} s: ours total "
        f"is {total / b_longest:.2f}× that chain, and {total / max(sum(b_compile.values()), 1):.2f}× the two "
        f"compiles' uncontended sum (on 2 cores two -j2 compiles slow each other: the floor is the CPU "
        f"work, not one chain)",
    ]
    return ChainAnalysis(
        ours_total_s=total,
        longest_chain_s=longest,
        longest_chain_env=longest_env,
        interpreter_stage_s=interp,
        venv_stage_s=venv,
        serial_sum_s=serial,
        baseline_compile_s=b_compile,
        baseline_longest_chain_s=b_longest,
        notes=notes,
        met="yes (compiles overlap)" if compiled_overlap and serial > total else "no",
    )
