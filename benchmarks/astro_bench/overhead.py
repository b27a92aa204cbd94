"""Scenario 6: the frontend's overhead, a Dockerfile without PYENV with our ``# syntax=`` line
against the same file without it (warm)."""

from __future__ import annotations

import re
import statistics

from .config import BENCH_ENGINE_LOG, FRONTEND_IMAGE, OVERHEAD_TARGET_MS, RUNTIME_BASE
from .project import scratch_dir
from .runner import Runner, interleave


def run(r: Runner) -> None:
    row = r.results.row("6", "6. frontend overhead (no PYENV, warm)", unit="s",
                        target=f"< {OVERHEAD_TARGET_MS:.0f} ms over plain")  # fmt: skip
    ctx = scratch_dir(r.work / "overhead")
    body = f"FROM {RUNTIME_BASE}\nENV A=1\nRUN echo hello > /tmp/hello\n"
    plain = ctx / "plain.Dockerfile"
    ours = ctx / "ours.Dockerfile"
    plain.write_text(body)
    ours.write_text(f"# syntax={FRONTEND_IMAGE}\n" + body)
    engine_log_start = BENCH_ENGINE_LOG.stat().st_size if BENCH_ENGINE_LOG.exists() else 0
    for dockerfile in (plain, ours):  # warm up
        r.builder.build("plain", ctx, "overhead-warmup", dockerfile=dockerfile)
    runs = r.options.overhead_runs
    # Ours is the file with the syntax line; the baseline side is the plain file.
    for turn in interleave(runs):
        name, dockerfile = ("ours", ours) if turn.side == "ours" else ("plain", plain)
        b = r.builder.build("plain", ctx, f"overhead{turn.index + 1}-{name}", dockerfile=dockerfile)
        row.add(turn.side, b.seconds)
    ours_median = statistics.median(row.ours)
    plain_median = statistics.median(row.baseline)
    diff_ms = (ours_median - plain_median) * 1000
    row.ours_text = f"{ours_median:.3f} s (n={runs})"
    row.baseline_text = f"{plain_median:.3f} s plain (n={runs})"
    row.ratio_text = f"{ours_median / plain_median:.2f}× (+{diff_ms:.0f} ms)"
    row.met = "yes" if diff_ms < OVERHEAD_TARGET_MS else "no"
    diffs = sorted((o - p) * 1000 for o, p in zip(row.ours, row.baseline))
    row.notes.append(
        f"per-pair differences (ms): min {diffs[0]:.0f}, median {statistics.median(diffs):.0f}, max {diffs[-1]:.0f}"
    )
    phases = gateway_phases(engine_log_start)
    if phases:
        row.notes.append("frontend phase timings from the engine log (median over runs): " + phases)
    r.results.settings["overhead_ms"] = diff_ms


def gateway_phases(start: int) -> str:
    """Median per phase of the frontend's own ``astro-pyenv gateway:`` timing lines."""
    if not BENCH_ENGINE_LOG.exists():
        return ""
    with BENCH_ENGINE_LOG.open("rb") as fh:
        fh.seek(start)
        text = fh.read().decode(errors="replace")
    return phase_medians(text)


def phase_medians(engine_log: str) -> str:
    """``"start 7 ms (n=16), ..."`` from the ``astro-pyenv gateway: <phase> <ms> ms ...`` lines."""
    per_phase: dict[str, list[float]] = {}
    for line in re.findall(r"astro-pyenv gateway: ([^\"\\\n]*)", engine_log):
        for name, ms in re.findall(r"([A-Za-z][\w -]*?) ([0-9.]+) ms", line):
            per_phase.setdefault(name.strip(), []).append(float(ms))
    return ", ".join(f"{n} {statistics.median(v):.0f} ms (n={len(v)})" for n, v in per_phase.items())
