"""Scenario 10: how fast the prebuilt interpreter runs Python against one compiled in the build.

One small image (``FROM <runtime -base>``, ``PYENV 3.13.5 perf requirements-perf.txt`` with
pyperformance and pyperf) is built twice: with the prebuilt interpreter (the default) and with
``ASTRO_PYENV_PREBUILT=off`` (python-build's defaults).  A handful of pure-Python pyperformance
benchmarks (their ``run_benchmark.py`` from pyperformance's data files, with pyperf ``--fast``)
then run in each image (``docker run --network none``), alternating which image goes first.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from astro_pyenv_frontend import layout

from .config import (
    FRONTEND_IMAGE,
    RUNTIME_BASE,
    SPEED_BENCHMARKS,
    SPEED_COMPILED_TAG,
    SPEED_PREBUILT_TAG,
    SPEED_REQUIREMENTS,
    SPEED_VERSION,
    SPEEDUP_TARGET,
    load_average,
    log,
)
from .interpreters import interpreter_lines
from .project import scratch_dir
from .runner import Runner

Kind = Literal["prebuilt", "compiled"]
ENV_NAME = "perf"
VENV_PYTHON = layout.venv_python(ENV_NAME)
# What the report shows of each interpreter's build configuration.
CONFIG_SCRIPT = (
    "import json, sysconfig; v = sysconfig.get_config_var; "
    "print(json.dumps({'CONFIG_ARGS': v('CONFIG_ARGS'), 'PY_CFLAGS_NODIST': v('PY_CFLAGS_NODIST'), "
    "'PY_LDFLAGS_NODIST': v('PY_LDFLAGS_NODIST')}))"
)


def speed_dockerfile(frontend_image: str, base_image: str, version: str) -> str:
    """The image scenario 10 builds twice."""
    return (
        f"# syntax={frontend_image}\n"
        f"FROM {base_image}\n"
        f"PYENV {version} {ENV_NAME} requirements-{ENV_NAME}.txt\n"
    )


def benchmark_script(version: str, name: str) -> str:
    """pyperformance's ``run_benchmark.py`` of benchmark ``name`` in the venv's site-packages."""
    major_minor = ".".join(version.split(".")[:2])
    return (
        f"{layout.venv_dir(ENV_NAME)}/lib/python{major_minor}/site-packages/pyperformance/"
        f"data-files/benchmarks/bm_{name}/run_benchmark.py"
    )


def pyperf_values(text: str) -> list[float]:
    """Every value (seconds per loop) of a pyperf JSON result, calibration and warm-up runs left
    out; raises ValueError when there is none."""
    data = json.loads(text)
    values: list[float] = []
    for bench in data.get("benchmarks", []):
        for run in bench.get("runs", []):
            values += [float(v) for v in run.get("values", [])]
    if not values:
        raise ValueError("no values in the pyperf result")
    return values


def geometric_mean(values: Sequence[float]) -> float:
    if not values or any(v <= 0 for v in values):
        raise ValueError(f"geometric mean of {list(values)!r}")
    return math.exp(sum(math.log(v) for v in values) / len(values))


@dataclass(frozen=True)
class Speedups:
    """Per benchmark, the median time of each interpreter over the rounds (seconds) and
    compiled / prebuilt (>1: prebuilt is faster); ``geomean`` over the benchmarks."""

    prebuilt_s: dict[str, float]
    compiled_s: dict[str, float]
    speedup: dict[str, float]
    geomean: float


def speedups(times: Mapping[Kind, Mapping[str, Sequence[float]]]) -> Speedups:
    """From each interpreter's per-round mean times per benchmark."""
    names = [n for n in times["prebuilt"] if n in times["compiled"] and times["prebuilt"][n] and times["compiled"][n]]
    pre = {n: statistics.median(times["prebuilt"][n]) for n in names}
    comp = {n: statistics.median(times["compiled"][n]) for n in names}
    ratio = {n: comp[n] / pre[n] for n in names}
    return Speedups(pre, comp, ratio, geometric_mean(list(ratio.values())))


def order(round_index: int, bench_index: int) -> tuple[Kind, Kind]:
    """Which image runs a benchmark first: alternates by benchmark and by round."""
    return ("prebuilt", "compiled") if (round_index + bench_index) % 2 == 0 else ("compiled", "prebuilt")


def run_benchmark(r: Runner, tag: str, name: str) -> float:
    """The mean seconds per loop of one ``--fast`` pyperf run of ``name`` in image ``tag``."""
    script = benchmark_script(SPEED_VERSION, name)
    shell = f"{VENV_PYTHON} {script} --fast --quiet -o /tmp/result.json >/dev/null && cat /tmp/result.json"
    done = r.engine.docker("run", "--rm", "--network", "none", "--entrypoint", "sh", tag, "-c", shell, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name} in {tag} failed: {(done.stderr or done.stdout)[-800:]}")
    return statistics.fmean(pyperf_values(done.stdout))


def build_config(r: Runner, tag: str) -> dict[str, str]:
    out = r.engine.docker("run", "--rm", "--network", "none", "--entrypoint", VENV_PYTHON, tag, "-c", CONFIG_SCRIPT)
    data = json.loads(out.stdout)
    return {k: str(v) for k, v in data.items()}


def optimisations(config: Mapping[str, str]) -> str:
    """``PGO + LTO`` / ``no PGO, no LTO`` from the flags CPython was built with."""
    flags = " ".join(config.values())
    pgo = "-fprofile-use" in flags or "--enable-optimizations" in config.get("CONFIG_ARGS", "")
    lto = "-flto" in flags or "--with-lto" in config.get("CONFIG_ARGS", "")
    return f"{'PGO' if pgo else 'no PGO'}, {'LTO' if lto else 'no LTO'}"


def run(r: Runner) -> None:
    row = r.results.row("10", f"10. runtime speed, CPython {SPEED_VERSION}: prebuilt vs compiled in the build",
                        unit="ms", target=f"≥ {SPEEDUP_TARGET}× faster (geometric mean)")  # fmt: skip
    ctx = write_context(r.work / "speed")
    tags: dict[Kind, str] = {"prebuilt": SPEED_PREBUILT_TAG, "compiled": SPEED_COMPILED_TAG}
    for kind, tag in tags.items():
        args = {"ASTRO_PYENV_PREBUILT": "off"} if kind == "compiled" else {}
        b = r.builder.build("ours", ctx, f"speed-{kind}", tag=tag, build_args=args)
        lines = interpreter_lines(b.log)
        how = (
            f"prebuilt `{lines.prebuilt[SPEED_VERSION]}`" if SPEED_VERSION in lines.prebuilt
            else f"compiled ({lines.compiled_why.get(SPEED_VERSION, 'no progress line')})"
        )  # fmt: skip
        row.notes.append(f"{kind} image: built in {b.seconds:.0f} s; its CPython {SPEED_VERSION}: {how}")
        if (kind == "prebuilt") != (SPEED_VERSION in lines.prebuilt):
            row.notes.append(f"WARNING: the {kind} image's interpreter is not what its name says")
    configs = {kind: build_config(r, tag) for kind, tag in tags.items()}
    for kind, config in configs.items():
        row.notes.append(f"{kind}: {optimisations(config)}; `CONFIG_ARGS` = `{config['CONFIG_ARGS']}`")
    if configs["prebuilt"]["CONFIG_ARGS"] == configs["compiled"]["CONFIG_ARGS"]:
        row.notes.append(
            "WARNING: both interpreters were configured alike (the catalog's images were made with "
            "`make interpreters OPTIMIZE=plain`?): the difference below is noise, not optimisation"
        )
    times: dict[Kind, dict[str, list[float]]] = {"prebuilt": {}, "compiled": {}}
    rounds = max(r.options.runs, 1)
    loads: list[float] = []
    for i in range(rounds):
        loads.append(load_average())
        for j, name in enumerate(SPEED_BENCHMARKS):
            for kind in order(i, j):
                seconds = run_benchmark(r, tags[kind], name)
                times[kind].setdefault(name, []).append(seconds)
                log(f"{name:>14} {kind:<8} {seconds * 1000:9.2f} ms   (round {i + 1}, load {load_average():.2f})")
    s = speedups(times)
    row.ours = [s.prebuilt_s[n] * 1000 for n in SPEED_BENCHMARKS if n in s.prebuilt_s]
    row.baseline = [s.compiled_s[n] * 1000 for n in SPEED_BENCHMARKS if n in s.compiled_s]
    row.ours_text = f"prebuilt ({optimisations(configs['prebuilt'])}): geometric mean {geo_ms(s.prebuilt_s):.1f} ms"
    row.baseline_text = (f"compiled ({optimisations(configs['compiled'])}): geometric mean "
                         f"{geo_ms(s.compiled_s):.1f} ms")  # fmt: skip
    row.ratio_text = f"{1 / s.geomean:.2f}× the time: {s.geomean:.2f}× faster"
    row.met = "yes" if s.geomean >= SPEEDUP_TARGET else "no"
    row.notes.append(
        "per benchmark, median over rounds of pyperf's mean, prebuilt vs compiled (speed-up): "
        + ", ".join(
            f"{n} {s.prebuilt_s[n] * 1000:.1f} ms vs {s.compiled_s[n] * 1000:.1f} ms ({s.speedup[n]:.2f}×)"
            for n in SPEED_BENCHMARKS if n in s.speedup
        )  # fmt: skip
        + f"; geometric mean of the speed-ups {s.geomean:.3f}×"
    )
    row.notes.append(
        f"{rounds} round(s) of pyperf `--fast` per benchmark and image, alternating which image goes first; "
        f"raw figures list the benchmarks' medians in the order {', '.join(SPEED_BENCHMARKS)}; "
        f"1-minute load average at each round's start: {', '.join(f'{x:.2f}' for x in loads)}"
    )
    r.results.settings["speed"] = {"times_s": times, "speedup": s.speedup, "geomean": s.geomean,
                                   "configs": configs}  # fmt: skip


def geo_ms(seconds: Mapping[str, float]) -> float:
    return geometric_mean(list(seconds.values())) * 1000


def write_context(directory: Path) -> Path:
    """The speed image's build context: its Dockerfile and requirements file."""
    ctx = scratch_dir(directory)
    (ctx / "Dockerfile").write_text(speed_dockerfile(FRONTEND_IMAGE, RUNTIME_BASE, SPEED_VERSION))
    (ctx / f"requirements-{ENV_NAME}.txt").write_text("\n".join(SPEED_REQUIREMENTS) + "\n")
    return ctx
