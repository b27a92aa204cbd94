"""What the frontend costs: a trivial build with vs. without our ``# syntax`` line.

Median of 15 interleaved runs each (interleaving spreads engine noise over both).
Every run is fully cached, so the difference is the frontend itself: container
start, Python start-up, and the gateway calls.  The bound is loose; the numbers
are printed for the record (``pytest -s``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import harness

RUNS = 15
MAX_OVERHEAD_S = 2.0


def _timed_build(engine: harness.Settings, context: Path, dockerfile: Path) -> float:
    cmd = [engine.docker, "build", "--network", "host", "--progress", "quiet", "-f", str(dockerfile), str(context)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "DOCKER_BUILDKIT": "1"}, check=False)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stdout + done.stderr
    return elapsed


def test_frontend_overhead_on_trivial_build(engine: harness.Settings, frontend_image: str) -> None:
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-bench-") as tmp:
        ctx = Path(tmp)
        body = f"FROM {engine.python_base}\nENV A=1\n"
        plain = ctx / "plain.Dockerfile"
        ours = ctx / "ours.Dockerfile"
        plain.write_text(body)
        ours.write_text(f"# syntax={frontend_image}\n" + body)
        _timed_build(engine, ctx, plain)  # warm caches
        _timed_build(engine, ctx, ours)
        t_plain, t_ours = [], []
        for _ in range(RUNS):
            t_plain.append(_timed_build(engine, ctx, plain))
            t_ours.append(_timed_build(engine, ctx, ours))
    m_plain, m_ours = statistics.median(t_plain), statistics.median(t_ours)
    print(f"\n[overhead] plain median {m_plain * 1000:.0f} ms, with frontend {m_ours * 1000:.0f} ms, "
          f"overhead {(m_ours - m_plain) * 1000:.0f} ms over {RUNS} interleaved runs")
    assert m_ours - m_plain < MAX_OVERHEAD_S
