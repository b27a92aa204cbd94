"""Scenario 8: the in-process transform time of a generated 10,000-line Dockerfile with 50 PYENV
lines (no engine), and the same through the CLI."""

from __future__ import annotations

import importlib
import statistics
import subprocess
import sys
import time

from .config import FRONTEND_IMAGE, PROJECT, REPO, TRANSFORM_TARGET_MS
from .runner import Session

BIG_LINES = 10_000
BIG_PYENV_LINES = 50


def run(s: Session) -> None:
    row = s.results.row("8", "8. transform: 10,000 lines, 50 PYENV", unit="ms",
                        target=f"< {TRANSFORM_TARGET_MS:.0f} ms")  # fmt: skip
    sys.path.insert(0, str(REPO / "frontend" / "src"))
    t0 = time.perf_counter()
    # Imported by name: the frontend's modules carry no py.typed marker, so its API is untyped here.
    module = importlib.import_module("astro_pyenv_frontend.transform")
    import_ms = (time.perf_counter() - t0) * 1000
    text = big_dockerfile(BIG_LINES, BIG_PYENV_LINES)
    options = module.TransformOptions(frontend_image=FRONTEND_IMAGE)
    start = time.perf_counter()
    result = module.transform(text, options)
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(s.options.transform_runs):
        start = time.perf_counter()
        result = module.transform(text, options)
        times.append((time.perf_counter() - start) * 1000)
    out = getattr(result, "dockerfile", None) or getattr(result, "text", None) or str(result)
    row.ours = times
    med = statistics.median(times)
    row.ours_text = f"{med:.1f} ms (n={len(times)})"
    row.baseline_text = "– (the baseline has no transform)"
    row.ratio_text = "–"
    row.met = "yes" if med < TRANSFORM_TARGET_MS else "no"
    row.notes.append(
        f"in-process `transform()` with time.perf_counter, after one untimed first call ({first:.1f} ms); "
        f"importing the transform module took {import_ms:.0f} ms; input {len(text.splitlines())} lines / "
        f"{len(text)} bytes, output {len(str(out).splitlines())} lines; "
        f"min {min(times):.1f} ms, max {max(times):.1f} ms"
    )
    cli = cli_transform_time(s, text)
    if cli:
        row.notes.append(cli)


def cli_transform_time(s: Session, text: str) -> str:
    """The same transform through the CLI: what Python start-up and imports add."""
    exe = REPO / ".venv" / "bin" / "astro-pyenv-frontend"
    if not exe.exists():
        return ""
    path = s.work / "big.Dockerfile"
    path.write_text(text)
    small = s.work / "small.Dockerfile"
    small.write_text((PROJECT / "Dockerfile").read_text())
    figures = []
    for name, f in (("10,000-line", path), ("4-line project", small)):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([str(exe), "transform", "-f", str(f)], capture_output=True, check=True)
            times.append((time.perf_counter() - start) * 1000)
        figures.append(f"{name} {statistics.median(times):.0f} ms")
    return "the CLI `astro-pyenv-frontend transform -f` (new process, median of 5): " + ", ".join(figures)


def big_dockerfile(lines: int, pyenv_lines: int, frontend_image: str = FRONTEND_IMAGE) -> str:
    """A Dockerfile of exactly ``lines`` lines with ``pyenv_lines`` PYENV lines spread through it."""
    versions = ["3.9.2", "3.10.14", "3.11.9", "3.12.4", "3.13.5"]
    head = [f"# syntax={frontend_image}", "ARG BASE=python:3.12-slim", "FROM ${BASE} AS app", "WORKDIR /app"]
    filler = [
        "RUN echo step {i} && mkdir -p /app/d{i}",
        "ENV VAR_{i}=value-{i}",
        "COPY file{i}.txt /app/files/",
        "LABEL bench.step{i}=\"{i}\"",
        "# a comment line {i}",
        "RUN --mount=type=cache,target=/root/.cache \\",
        "    echo continued {i}",
    ]
    body: list[str] = []
    every = (lines - len(head)) // pyenv_lines
    n = 0
    i = 0
    while len(head) + len(body) < lines:
        if len(body) >= n * every and n < pyenv_lines:
            v = versions[n % len(versions)]
            req = f" requirements/env{n}.txt" if n % 2 == 0 else ""
            body.append(f"PYENV {v} env{n}{req}")
            n += 1
            continue
        template = filler[i % len(filler)]
        if template.endswith("\\") and len(head) + len(body) + 2 > lines:
            template = filler[0]
        body.append(template.format(i=i))
        if template.endswith("\\"):
            body.append(filler[i % len(filler) + 1].format(i=i))
            i += 1
        i += 1
    text = "\n".join(head + body[: lines - len(head)]) + "\n"
    assert text.count("\nPYENV ") == pyenv_lines, text.count("\nPYENV ")
    return text
