"""The report: docs/benchmarks.md (table, method, notes, raw figures), docs/benchmarks.json (the
raw results behind it, kept in the repository so that ``--merge`` finds every row on any
checkout), and the chart docs/benchmarks.png."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from astro_pyenv_frontend import layout

from .config import (
    DOCS,
    FRONTEND_IMAGE,
    OVERHEAD_TARGET_MS,
    PYTHON_BASE,
    RUNTIME_IMAGE,
    SIZE_TARGET_PCT,
    TRANSFORM_TARGET_MS,
    log,
)
from .results import Results, Row, raw_value

MERGED_NOTE = "(from an earlier run of the script, merged with --merge)"


def row_keys(results: Results) -> list[str]:
    """The rows' keys in scenario order (``"10"`` after ``"9"``)."""
    return sorted(results.rows, key=_row_order)


def _row_order(key: str) -> tuple[int, str]:
    """"5" < "5b" < "6" < "10"."""
    digits = re.match(r"\d+", key)
    return (int(digits.group()) if digits else 10**6, key)


def history(results: Results, argv: Sequence[str], elapsed: float) -> list[str]:
    """The invocations behind the figures: earlier ones (``--merge``), then this one.  The report
    is rewritten after every scenario, so this invocation's line replaces itself."""
    earlier = [h for h in results.invocations if not h.startswith(f"{results.started}:")]
    return [*earlier, f"{results.started}: `run.py {' '.join(argv)}` ({elapsed / 60:.0f} min)"]


# How each figure was measured: one item per bullet ({runtime_image}, {python_base} and {root} filled in).
_HOW_MEASURED = (
    (
        "- **Project**: `benchmarks/project` — an Astro project `FROM "
        "{runtime_image}` with `PYENV 3.9.2 snowpark requirements-snowpark.txt` (three pinned pure-Python "
        "packages) and `PYENV 3.13.5 modern`, a `dags/` folder, empty `packages.txt`/`requirements.txt`; "
        "it opts in to the shared pip cache (`ARG ASTRO_PYENV_PIP_CACHE=bench`), so scenario 4 shows the "
        "cache at work for the runtime's `astro` user (uid 50000). "
        "The Astro Runtime base was chosen over `python:3.12-slim` because it is what the product is for: "
        "scenario 5 is a runtime patch release, and the project exercises the frontend's ONBUILD handling."
    ),
    (
        "- **Baseline**: `benchmarks/baseline/Dockerfile`, built from the same context: FROM the runtime's "
        "`-base` variant with the ONBUILD steps written out and the project copy last (as ours does), and "
        "per PYENV line, inline in the final stage and in order: build dependencies (apt), pyenv's "
        "`python-build` with its defaults (same pyenv, mounted from the frontend image, same CPython mirror), "
        "venv, pip install."
    ),
    (
        "- **Times** are wall-clock seconds of the `docker build --progress plain` command against a private "
        "dockerd (`benchmarks/bench-engine.sh`, own data root, pruned freely); each figure is the median "
        "of the runs shown as n; ours and the baseline alternate run by run (which goes first alternates)."
    ),
    (
        "- **1** prunes the engine (`docker builder prune -af`, which drops cache mounts too, and the built "
        "images) before every build (`--cold-runs`, default 2)."
    ),
    (
        "- **2–4** start from a warm cache (both built once untimed). 3 appends a unique comment to "
        "`dags/example_dag.py`, 4 to `requirements-snowpark.txt` before each pair (`--runs`, default 5); "
        "where the baseline recompiles CPython (4, 5) it runs fewer times (`--heavy-runs`, default 1)."
    ),
    (
        "- **5** derives a new image for every run (the `-base` image plus one file, so a new image id on "
        "the same OS, tagged as a new patch release) and rebuilds both on it; ours compiles each CPython "
        "again (interpreters come only from the layer cache, never from a shared cache mount; the "
        "verified source tarballs are cached)."
    ),
    (
        "- **6**: `FROM <runtime -base>`, an ENV and a RUN, with our `# syntax=` line vs without, warm, "
        "interleaved pairs (`--overhead-runs`, default 15)."
    ),
    (
        "- **7**: `docker image inspect .Size` of the final image minus that of the base, against "
        "`du -sb {root}` inside the image (interpreters + venvs)."
    ),
    (
        "- **8**: in-process `astro_pyenv_frontend.transform.transform()` on a generated 10,000-line "
        "Dockerfile with 50 PYENV lines, timed with `time.perf_counter` (`--transform-runs`, default 20). "
        "Its lines: 1/7 each RUN, ENV, COPY, LABEL, comment, and a two-line RUN with a continuation."
    ),
    (
        "- **9** (prebuilt interpreters, cold): the engine pruned before every build as in 1, the "
        "interpreter images in the registry the frontend image's catalog names; ours is the project "
        "built with that frontend image, the *floor* `benchmarks/floor/Dockerfile`, built from the same "
        "context: the runtime's `-base` image with the ONBUILD steps written out, `COPY --from=` the very "
        "images ours uses (`repo:tag@digest`, build args read from the catalog baked into the frontend "
        "image at run time), per environment a venv, pip upgraded and the requirements installed (what "
        "ours' venv script does), then the project copy; no pyenv, no compile. Ours and the floor "
        "alternate (`--runs` pairs); ratio = ours / floor; the notes say whether ours compiled anything."
    ),
    (
        "- **10** (runtime speed): a `FROM <runtime -base>` image with `PYENV 3.13.5 perf` holding "
        "pyperformance and pyperf (from the package index) built twice, prebuilt (the default) and "
        "`ASTRO_PYENV_PREBUILT=off` (compiled in the build with python-build's defaults); then per "
        "benchmark (nbody, richards, float, chaos, spectral_norm, fannkuch: pure Python) "
        "pyperformance's `run_benchmark.py --fast` with pyperf in each image (`docker run --network "
        "none`), alternating which image goes first, `--runs` rounds. Per benchmark the median over rounds "
        "of pyperf's mean; the speed-up is compiled time / prebuilt time, and the row's figure is their "
        "geometric mean. The notes give both interpreters' `sysconfig` `CONFIG_ARGS`."
    ),
    (
        "- **11** (`astro deploy` on Apple Silicon, mirrored): on an arm64 Mac `astro deploy` builds for "
        "linux/amd64, every RUN step under emulation; here the mirror image, `docker build --platform "
        "linux/arm64` on this amd64 machine (QEMU user emulation registered with binfmt_misc, "
        "`.ci/emulation.sh`). Base: the runtime's `-base` image for both platforms "
        "(`$ASTRO_PYENV_MULTIARCH_RUNTIME_BASE`), its arm64 image pulled into the engine before the builds "
        "(untimed, as 9 finds its base there). Cold as in 9 (engine pruned before every build): ours with "
        "the prebuilt arm64 interpreters of the frontend image's catalog (the notes say what the progress "
        "lines say they were prebuilt for), the floor of 9 for arm64 (the same arm64 images by digest), "
        "and (11b) ours with `ASTRO_PYENV_PREBUILT=off`, both CPythons compiled under emulation, stopped "
        "after `--arm64-compile-limit` seconds (default 1200) and then shown as `> N s`, a lower bound, "
        "as are ratios built on it. `--arm64-runs` builds of each kind (default 1); ratios: ours / floor "
        "(11) and compiled / ours (11b)."
    ),
    (
        "- **12** (prebuilt interpreters, cold, on Debian 13): as 9, on `benchmarks/project-python-slim`: "
        "`FROM {python_base}` (Debian 13, as every `python:3.x-slim` tag is today; offline the stand-in of "
        "that name, `.ci/standins.sh`), `PYENV 3.11 analytics requirements-analytics.txt` (the three pinned "
        "packages of 9) and `PYENV 3.13 modern`: series, which the frontend resolves to the catalog's releases "
        "(the benchmark resolves them the same way to give the floor the same images), then `WORKDIR /app`, "
        "`COPY . .`. Its floor, `benchmarks/floor/python-slim.Dockerfile`, built from the same context: the "
        "base, `COPY --from=` the very images ours uses (by digest), per environment a venv with pip upgraded "
        "to the release ours' venv script pins and the requirements installed, the ENV lines, the project "
        "copy. Ours also fits each interpreter to the base (`fit-interpreter.sh`: the carried libraries the "
        "base has its own of are dropped), work the floor does not do; the notes give those steps' times from "
        "the build log, and the base's release and glibc (with a warning if it is not Debian 13). The images "
        "are what the catalog has, plain (`make interpreters OPTIMIZE=plain`) or PGO+LTO, the same for both "
        "sides (the notes name them); target: nothing compiled and ≤ 1.3× the floor."
    ),
    (
        "- **13** (a CI runner's registry cache trip): 12's project and floor, each built with "
        "`--cache-to type=registry,ref=<local registry>,mode=max`, then, with the engine's build cache "
        "emptied and the built image removed (the next job's runner; the base image stays), built again with "
        "`--cache-from` that ref; no RUN step may run again but ours' secrets digest. On an engine of its own "
        "with the containerd image store (Docker's builder exports no cache from the classic store): "
        "`.ci/engine-current.sh`'s Docker 28.5 with a state of its own. Figures: the import builds (what the "
        "next runner waits for); the exports are in the notes; target: ≤ 1.3× the floor's import."
    ),
    (
        "- **14** (uv against pip): `FROM {python_base}`, `PYENV --installer=uv 3.13.5 work "
        "requirements.txt` (and the same with `--installer=pip`) with `benchmarks/installers/requirements.txt` "
        "(51 packages pinned by `uv pip "
        "compile` for CPython 3.13: pandas, numpy, pyarrow, scikit-learn, scipy, matplotlib, psycopg2, "
        "SQLAlchemy, boto3, snowflake-connector-python, httpx, pydantic, ...), the same prebuilt interpreter "
        "for both; a new comment line in the requirements file before every build, so the venv step runs. "
        "14a: no package cache (the default; every file downloaded from the index); 14b: the opt-in shared "
        "cache (`ASTRO_PYENV_PIP_CACHE`, one per installer) filled by an untimed build first. The figure is "
        "the venv step's time from the build log; uv and pip alternate, `--runs` each; target (14a): uv at "
        "least 5× faster."
    ),
    (
        "- **n** in each cell is the number of runs that figure is the median of; rows carried over from an "
        "earlier invocation (`--merge`) say so in their notes."
    ),
)


def render_report(
    results: Results,
    invocations: Sequence[str],
    *,
    frontend_image: str = FRONTEND_IMAGE,
    runtime_image: str = RUNTIME_IMAGE,
    python_base: str = PYTHON_BASE,
    cores: int | None = None,
) -> str:
    """docs/benchmarks.md for ``results``."""
    cores = os.cpu_count() if cores is None else cores
    lines = [
        "# Build-performance benchmark",
        "",
        (
            f"Generated by `make bench` (`benchmarks/run.py`) with frontend image `{frontend_image}` on "
            f"{cores} cores. Issue 7 is the spec. Invocations that produced these figures:"
        ),
        "",
    ]
    lines += [f"- {h}" for h in invocations]
    lines += [
        "",
        "| scenario | ours | baseline | ratio (ours / baseline) | target | met? |",
        "|---|---|---|---|---|---|",
    ]
    for key in row_keys(results):
        lines.append("| " + " | ".join(results.rows[key].cells()) + " |")
    lines += ["", "![benchmark chart](benchmarks.png)", "", "## How each figure was measured", ""]
    fill = {"runtime_image": runtime_image, "python_base": python_base, "root": layout.ROOT}
    lines += [item.format(**fill) for item in _HOW_MEASURED]
    lines += ["", "## Notes per scenario", ""]
    for key in row_keys(results):
        row = results.rows[key]
        if row.notes:
            lines.append(f"**{row.scenario}**")
            lines.append("")
            lines += [f"- {n}" for n in row.notes]
            lines.append("")
    lines += ["## Raw figures", "", "| scenario | ours (each run) | baseline (each run) |", "|---|---|---|"]
    for key in row_keys(results):
        row = results.rows[key]
        ours = ", ".join(raw_value(v, row.unit) for v in row.ours)
        base = ", ".join(raw_value(v, row.unit) for v in row.baseline)
        lines.append(f"| {row.scenario} | {ours} | {base} |")
    lines.append("")
    return "\n".join(lines)


RAW_RESULTS = "benchmarks.json"


def write_report(results: Results, argv: Sequence[str], elapsed: float, *, docs: Path = DOCS) -> None:
    """docs/benchmarks.md, docs/benchmarks.json (rows and settings, read back by ``--merge``), chart."""
    docs.mkdir(exist_ok=True)
    invocations = history(results, argv, elapsed)
    (docs / "benchmarks.md").write_text(render_report(results, invocations))
    raw = {k: dataclasses.asdict(r) for k, r in results.rows.items()}
    results.settings["invocations"] = invocations
    kept = json.dumps({"rows": raw, "settings": results.settings}, indent=2, default=str)
    (docs / RAW_RESULTS).write_text(kept + "\n")
    log(f"wrote {docs / 'benchmarks.md'} and {docs / RAW_RESULTS}")
    write_chart(results, docs / "benchmarks.png")


def load_previous(results: Results, docs: Path = DOCS) -> None:
    """Rows and settings of the report as it stands (``--merge``); rows run now replace them."""
    path = docs / RAW_RESULTS
    if not path.exists():
        log(f"--merge: no {path}: the report will hold only the scenarios run now")
        return
    data = json.loads(path.read_text())
    for key, fields in data.get("rows", {}).items():
        row = Row(**fields)
        row.notes = [*[n for n in row.notes if n != MERGED_NOTE], MERGED_NOTE]
        results.rows[key] = row
    results.settings.update(data.get("settings", {}))


def _times_panel(ax: Any, results: Results) -> None:
    """Scenarios 1-5: ours and the baseline, side by side."""
    timed = [k for k in ("1", "2", "3", "4", "5") if k in results.rows and results.rows[k].ours]
    if timed:
        xs = range(len(timed))
        ours = [results.rows[k].ours_median or 0 for k in timed]
        base = [results.rows[k].baseline_median or 0 for k in timed]
        ax.bar([x - 0.2 for x in xs], ours, 0.4, label="ours (astro-pyenv frontend)", color="#2b6cb0")
        ax.bar([x + 0.2 for x in xs], base, 0.4, label="baseline (plain Dockerfile)", color="#c05621")
        for x, o, b in zip(xs, ours, base):
            ax.text(x - 0.2, o, f"{o:.0f}" if o >= 10 else f"{o:.1f}", ha="center", va="bottom", fontsize=8)
            ax.text(x + 0.2, b, f"{b:.0f}" if b >= 10 else f"{b:.1f}", ha="center", va="bottom", fontsize=8)
        ax.set_xticks(list(xs))
        if timed == ["1", "2", "3", "4", "5"]:
            ticks = ["1 cold", "2 no change", "3 DAG edit", "4 requirements\nedit", "5 new base\ntag"]
        else:
            ticks = [results.rows[k].scenario.split(".")[0] for k in timed]
        ax.set_xticklabels(ticks)
        ax.set_yscale("log")
        ax.set_ylabel("build time, s (median, log scale)")
        ax.set_title("Build times")
        ax.legend(fontsize=8)


def _targets_panel(ax: Any, results: Results) -> None:
    """Scenarios 6-8 against their targets."""
    labels: list[str] = []
    values: list[float] = []
    targets: list[float] = []
    if "6" in results.rows and results.rows["6"].ours:
        r = results.rows["6"]
        labels.append("6 frontend\noverhead, ms")
        values.append(((r.ours_median or 0) - (r.baseline_median or 0)) * 1000)
        targets.append(OVERHEAD_TARGET_MS)
    if "8" in results.rows and results.rows["8"].ours:
        labels.append("8 transform\n10k lines, ms")
        values.append(results.rows["8"].ours_median or 0)
        targets.append(TRANSFORM_TARGET_MS)
    sizes = results.settings.get("sizes")
    if isinstance(sizes, dict):
        labels.append(f"7 size above\n{layout.ROOT}, %×10")
        values.append(sizes["ours"][2] * 10)
        targets.append(SIZE_TARGET_PCT * 10)
    if labels:
        colors = ["#2f855a" if v < t else "#c53030" for v, t in zip(values, targets)]
        ax.bar(range(len(labels)), values, 0.5, color=colors)
        for x, (v, t) in enumerate(zip(values, targets)):
            ax.hlines(t, x - 0.35, x + 0.35, colors="black", linestyles="dashed")
            ax.text(x, v, f"{v:.0f}", ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_title("Ours against targets (dashed)")


def write_chart(results: Results, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is not installed in this venv: no chart (add `matplotlib` to requirements-dev.txt)")
        return
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    _times_panel(axes[0], results)
    _targets_panel(axes[1], results)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    log(f"wrote {path}")
