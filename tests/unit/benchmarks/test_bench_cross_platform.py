"""Scenario 11's pure parts: the arm64 project written FROM a runtime stand-in, builds stopped at
their limit (as figures, in the report row), stopping a build's whole process group, and the
wiring into the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from astro_bench import cli
from astro_bench.buildlog import Build
from astro_bench.cross_platform import (
    Timing,
    compile_row,
    cross_dockerfile,
    known_runtime,
    median_timing,
    times_text,
    timing_text,
    unfinished_steps,
    write_cross_project,
)
from astro_bench.engine import stop_build
from astro_bench.options import parse_args
from astro_bench.results import Results
from astro_pyenv_frontend.contract import TransformOptions
from astro_pyenv_frontend.transform import transform

REPO = Path(__file__).resolve().parents[3]
PROJECT_DOCKERFILE = (REPO / "benchmarks" / "project" / "Dockerfile").read_text()
FRONTEND = "local/astro-pyenv-frontend:bench"
STANDIN = "127.0.0.1:5000/standins/astro-runtime:13.0.0-base"
REAL = "quay.io/astronomer/astro-runtime:13.0.0"


# --- the project FROM a runtime -base image the frontend does not know by name -----------------


def without_comments_and(text: str, image: str) -> list[str]:
    """A generated Dockerfile's instructions, ``image`` replaced by IMAGE."""
    return [line.replace(image, "IMAGE") for line in text.splitlines() if line and not line.startswith("#")]


def test_written_out_project_transforms_like_the_runtime_project() -> None:
    """Offline, scenario 11 builds the project FROM the stand-in with the ONBUILD steps written
    out; that must be what the frontend makes of the project FROM the real runtime image."""
    options = TransformOptions(frontend_image=FRONTEND)
    real = re.sub(r"^# syntax=.*$", f"# syntax={FRONTEND}", PROJECT_DOCKERFILE, count=1, flags=re.MULTILINE)
    assert f"FROM {REAL}\n" in real
    ours = transform(cross_dockerfile(PROJECT_DOCKERFILE, FRONTEND, STANDIN), options).dockerfile
    theirs = transform(real, options).dockerfile
    assert without_comments_and(ours, STANDIN) == without_comments_and(theirs, REAL + "-base")


def test_written_out_project_shape() -> None:
    text = cross_dockerfile(PROJECT_DOCKERFILE, FRONTEND, STANDIN)
    lines = text.splitlines()
    assert lines[0] == f"# syntax={FRONTEND}"
    assert lines[lines.index(f"FROM {STANDIN}") + 1] == "COPY packages.txt ."
    assert [line for line in lines if line.startswith("PYENV")] == [
        "PYENV 3.9.2 snowpark requirements-snowpark.txt",
        "PYENV 3.13.5 modern",
    ]
    assert lines[-1] == "COPY --chown=astro:0 . ."
    for bad in ("FROM a\nFROM b\n", "FROM a AS x\nPYENV 3.9.2 e\n", "RUN true\n"):
        with pytest.raises(ValueError, match="one FROM"):
            cross_dockerfile(bad, FRONTEND, STANDIN)


def test_known_runtime_by_name() -> None:
    assert known_runtime(REAL + "-base") == REAL
    assert known_runtime(STANDIN) is None
    assert known_runtime(REAL) is None  # not a -base image


def test_write_cross_project(tmp_path: Path) -> None:
    assert write_cross_project(tmp_path / "a", STANDIN) is True
    assert f"FROM {STANDIN}\nCOPY packages.txt .\n" in (tmp_path / "a" / "Dockerfile").read_text()
    assert write_cross_project(tmp_path / "b", REAL + "-base") is False  # the project as it is
    assert f"\nFROM {REAL}\n" in (tmp_path / "b" / "Dockerfile").read_text()
    assert (tmp_path / "b" / "requirements-snowpark.txt").is_file()


# --- builds stopped at their limit --------------------------------------------------------------


def test_median_timing_counts_a_stopped_run_as_longest() -> None:
    assert median_timing([Timing(10.0), Timing(1200.0, stopped=True), Timing(30.0)]) == Timing(30.0)
    assert median_timing([Timing(1200.0, stopped=True)]) == Timing(1200.0, stopped=True)
    assert median_timing([Timing(1200.0, stopped=True), Timing(1200.0, stopped=True), Timing(900.0)]) == Timing(
        1200.0, stopped=True
    )
    # Even: the mean of the middle two, a lower bound when one of them was stopped.
    assert median_timing([Timing(800.0), Timing(1200.0, stopped=True)]) == Timing(1000.0, stopped=True)
    assert median_timing([Timing(4.0), Timing(2.0)]) == Timing(3.0)
    with pytest.raises(ValueError):
        median_timing([])


def test_timing_and_ratio_texts() -> None:
    assert timing_text(Timing(1200.0, stopped=True), 1) == "> 1200 s (stopped at the limit, n=1)"
    assert timing_text(Timing(1534.2), 3) == "1534.20 s (n=3)"
    assert times_text(Timing(1200.0, stopped=True), 48.0) == "> 25.0×"
    assert times_text(Timing(96.0), 48.0) == "2.00×"


def test_compile_row_stopped() -> None:
    results = Results()
    row = compile_row(results, [Timing(1200.0, stopped=True)], 60.0, 40.0, 1200.0, ["compile run 1: stopped"])
    assert results.rows["11b"] is row
    assert row.cells() == [
        "11b. the same with prebuilt interpreters off: both CPythons compiled under emulation",
        "> 1200 s (stopped at the limit, n=1)",
        "60.00 s ours prebuilt (11)",
        "> 20.0×",
        "– (stopped after 1200 s: --arm64-compile-limit)",
        "–",
    ]
    assert row.ours == []  # no build time to list among the raw figures
    assert row.notes[0] == "compile run 1: stopped"
    assert row.notes[1].startswith("compiled / the floor of 11: > 30.0×")


def test_compile_row_finished() -> None:
    row = compile_row(Results(), [Timing(900.0)], 60.0, 40.0, 1200.0, [])
    assert row.cells()[1:4] == ["900.00 s (n=1)", "60.00 s ours prebuilt (11)", "15.00×"]
    assert row.ours == [900.0]


def test_unfinished_steps_of_a_stopped_build(tmp_path: Path) -> None:
    log = (
        "#9 [pyenv-python-3.9.2 1/3] RUN --mount=type=cache,target=/x build-deps.sh\n"
        "#9 DONE 80.1s\n"
        "#10 [pyenv-python-3.9.2 2/3] RUN build-python.sh 3.9.2\n"
        "#11 [pyenv-python-3.13.5 2/3] RUN build-python.sh 3.13.5\n"
        "#10 51.76 checking for gcc... gcc\n"
        "#12 [stage-0 1/2] COPY packages.txt .\n"
        "#10 1187.02 gcc -c -O3   `x`  Objects/longobject.c\n"
        "#13 [internal] load metadata\n"
        "#13 CACHED\n"
        "#10 CANCELED\n"
        "#11 CANCELED\n"
    )
    b = Build("ours", 1200.0, log, tmp_path / "log")
    assert b.last_output(10) == (1187.02, "gcc -c -O3   `x`  Objects/longobject.c")
    assert b.last_output(11) is None
    assert unfinished_steps(b) == [
        "[pyenv-python-3.9.2] at 1187 s: `gcc -c -O3 'x' Objects/longobject.c`",
        "[pyenv-python-3.13.5] no output",
    ]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("ignores_term", [False, True])
def test_stop_build_ends_the_whole_process_group(tmp_path: Path, ignores_term: bool) -> None:
    """The docker CLI runs buildx as a child process: stopping a build must reach it too (else
    the build goes on in the engine), and keep the output so far.  A child that ignores
    SIGTERM gets SIGKILL after the grace period."""
    pid_file = tmp_path / "pid"
    trap = "trap '' TERM; " if ignores_term else ""
    script = f"echo started; {trap}sleep 300 & echo $! > {pid_file}; wait"
    proc = subprocess.Popen(["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    with pytest.raises(subprocess.TimeoutExpired):
        proc.communicate(timeout=1.0)
    grandchild = int(pid_file.read_text())
    assert alive(grandchild)
    started = time.monotonic()
    assert stop_build(proc, grace=0.5) == "started\n"
    assert proc.returncode is not None
    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)
    assert time.monotonic() - started < 5


def test_stop_build_of_a_process_that_already_ended() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "print('done')"], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    proc.wait()
    assert stop_build(proc, grace=0.5) == "done\n"


# --- wiring ----------------------------------------------------------------------------------------


def test_scenario_11_is_wired_after_the_other_pruning_ones_and_before_the_warm_ones() -> None:
    assert "11" in cli.ENGINE_SCENARIOS
    assert set(cli.ORDER) == set(cli.ENGINE_SCENARIOS) | set(cli.LOCAL_SCENARIOS)
    # it prunes, like 1, 9 and 12: together, before the warm scenarios fill the cache again
    assert cli.ORDER[: cli.ORDER.index("11") + 1] == ["1", "9", "12", "11"]
    assert cli.ORDER.index("11") < cli.ORDER.index("2")


def test_arm64_options() -> None:
    options = parse_args([])
    assert "11" in options.scenarios
    assert (options.cross_runs, options.cross_compile_limit) == (1, 1200.0)
    options = parse_args(["--scenarios", "11", "--arm64-runs", "2", "--arm64-compile-limit", "0"])
    assert (options.scenarios, options.cross_runs, options.cross_compile_limit) == (["11"], 2, 0.0)
