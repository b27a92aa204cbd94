"""The benchmark's pure parts (no engine): interleaving, figures, report, scenario 8's input."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from astro_bench import cli, report
from astro_bench.buildlog import Build
from astro_bench.options import SCENARIOS, parse_args
from astro_bench.overhead import phase_medians
from astro_bench.results import Results, Row, median_cell, ratio_cell, raw_value
from astro_bench.runner import Turn, interleave
from astro_bench.transform_time import big_dockerfile

REPO = Path(__file__).resolve().parents[3]


# --- interleaving ----------------------------------------------------------------------------


def sides(turns: list[Turn]) -> list[tuple[int, str]]:
    return [(t.index, t.side) for t in turns]


def test_interleave_alternates_which_goes_first() -> None:
    assert sides(list(interleave(4))) == [
        (0, "ours"), (0, "baseline"),
        (1, "baseline"), (1, "ours"),
        (2, "ours"), (2, "baseline"),
        (3, "baseline"), (3, "ours"),
    ]  # fmt: skip


def test_interleave_marks_the_first_build_of_each_pair() -> None:
    turns = list(interleave(3))
    assert [t.first for t in turns] == [True, False, True, False, True, False]


def test_interleave_limits_a_side_to_the_first_pairs() -> None:
    # Scenarios 4 and 5: the baseline recompiles CPython, so it runs only --heavy-runs times.
    turns = list(interleave(4, limits={"baseline": 1}))
    assert sides(turns) == [(0, "ours"), (0, "baseline"), (1, "ours"), (2, "ours"), (3, "ours")]
    # Each pair still has one first build (where the pair's edit happens), even when the side
    # that would have gone first is left out.
    assert [t.index for t in turns if t.first] == [0, 1, 2, 3]


def test_interleave_nothing_for_no_runs() -> None:
    assert list(interleave(0)) == []
    assert sides(list(interleave(2, limits={"baseline": 0}))) == [(0, "ours"), (1, "ours")]


# --- figures and the report ------------------------------------------------------------------


def test_median_and_ratio_cells() -> None:
    assert median_cell([0.5, 0.1, 0.3], "s") == "0.30 s (n=3)"
    assert median_cell([1.0, 2.0], "ms") == "1.50 ms (n=2)"
    assert median_cell([], "s") == "–"
    assert ratio_cell([2.0, 4.0, 3.0], [1.0, 2.0]) == "2.00×"
    assert ratio_cell([1.0], []) == "–"
    assert ratio_cell([], [1.0]) == "–"
    assert raw_value(0.12345, "s") == "0.123"
    assert raw_value(123.456, "MB") == "123.5"


def test_row_cells_timed_and_explicit() -> None:
    timed = Row("2. rebuild, no change", [0.518, 0.487, 0.510], [0.215, 0.201, 0.187], target="–", met="–")
    assert timed.cells() == ["2. rebuild, no change", "0.51 s (n=3)", "0.20 s (n=3)", "2.54×", "–", "–"]  # ratio of the unrounded medians
    explicit = Row("8. transform", [80.0], unit="ms", ours_text="80.0 ms (n=1)", baseline_text="–", ratio_text="–")
    assert explicit.cells() == ["8. transform", "80.0 ms (n=1)", "–", "–", "", ""]
    failed = Results().row("3", "3. FAILED", notes=["boom"])
    assert failed.cells() == ["3. FAILED", "–", "–", "–", "", ""]
    assert failed.ours_median is None and Row("x", [1.0, 3.0]).ours_median == 2.0


def test_row_add_goes_to_its_side() -> None:
    row = Row("x")
    row.add("ours", 1.0)
    row.add("baseline", 2.0)
    row.add("ours", 3.0)
    assert (row.ours, row.baseline) == ([1.0, 3.0], [2.0])


def test_history_replaces_this_invocations_line() -> None:
    results = Results(started="2026-11-25 19:30:00 UTC")
    results.settings["invocations"] = ["2026-11-24 10:00:00 UTC: `run.py` (40 min)"]
    first = report.history(results, ["--scenarios", "6"], 30.0)
    assert first == ["2026-11-24 10:00:00 UTC: `run.py` (40 min)", "2026-11-25 19:30:00 UTC: `run.py --scenarios 6` (0 min)"]
    results.settings["invocations"] = first
    again = report.history(results, ["--scenarios", "6"], 150.0)
    assert again == [first[0], "2026-11-25 19:30:00 UTC: `run.py --scenarios 6` (2 min)"]


def test_render_report() -> None:
    results = Results(started="s")
    results.rows["2"] = Row("2. rebuild, no change", [0.5, 0.4], [0.2, 0.25], target="–", met="–")
    results.rows["1"] = Row("1. cold", [300.0], [400.0], target="parallel compiles", met="yes", notes=["load 1.00"])
    results.rows["7"] = Row("7. size", [123.6], [1232.9], unit="MB", ours_text="o", baseline_text="b", ratio_text="r")
    text = report.render_report(results, ["s: `run.py` (1 min)"], frontend_image="img:tag", runtime_image="rt:1", cores=2)
    lines = text.split("\n")
    assert lines[0] == "# Build-performance benchmark"
    assert "with frontend image `img:tag` on 2 cores" in lines[2]
    assert lines[4] == "- s: `run.py` (1 min)"
    table = [line for line in lines if line.startswith("| ")]
    assert table == [
        "| scenario | ours | baseline | ratio (ours / baseline) | target | met? |",
        "| 1. cold | 300.00 s (n=1) | 400.00 s (n=1) | 0.75× | parallel compiles | yes |",
        "| 2. rebuild, no change | 0.45 s (n=2) | 0.23 s (n=2) | 2.00× | – | – |",
        "| 7. size | o | b | r |  |  |",
        "| scenario | ours (each run) | baseline (each run) |",
        "| 1. cold | 300.000 | 400.000 |",
        "| 2. rebuild, no change | 0.500, 0.400 | 0.200, 0.250 |",
        "| 7. size | 123.6 | 1232.9 |",
    ]
    assert "an Astro project `FROM rt:1` with" in text
    notes = text.split("## Notes per scenario\n\n")[1].split("## Raw figures")[0]
    assert notes == "**1. cold**\n\n- load 1.00\n\n"
    assert text.endswith("| 7. size | 123.6 | 1232.9 |\n")


def test_results_json_round_trip_with_merge(tmp_path: Path) -> None:
    results = Results(started="2026-11-25 19:30:00 UTC")
    results.row("6", "6. overhead", notes=["per-pair"]).ours.append(0.4)
    results.settings["overhead_ms"] = 217.0
    report.write_report(results, ["--scenarios", "6"], 60.0, docs=tmp_path / "docs")
    merged = Results()
    report.load_previous(merged, tmp_path / "docs")
    assert merged.rows["6"].ours == [0.4]
    assert merged.rows["6"].notes == ["per-pair", report.MERGED_NOTE]
    assert merged.settings["overhead_ms"] == 217.0
    assert merged.invocations == ["2026-11-25 19:30:00 UTC: `run.py --scenarios 6` (1 min)"]
    assert (tmp_path / "docs" / "benchmarks.md").read_text().count("| 6. overhead |") == 2


# --- parsing ---------------------------------------------------------------------------------


def test_build_steps_from_a_plain_progress_log() -> None:
    log = (
        "#5 [pyenv-python-3.9.2 2/3] RUN build\n#6 [pyenv-venv-modern 1/2] RUN venv\n#6 CACHED\n"
        "#7 [stage-0 3/4] COPY . .\n#5 DONE 200.5s\n#7 DONE 0.3s\n"
    )
    build = Build("ours", 1.0, log, Path("x"))
    assert [(s.stage, s.text, s.seconds, s.cached) for s in build.steps()] == [
        ("pyenv-python-3.9.2", "RUN build", 200.5, False),
        ("pyenv-venv-modern", "RUN venv", None, True),
        ("stage-0", "COPY . .", 0.3, False),
    ]
    assert [s.id for s in build.executed_runs()] == [5]


def test_gateway_phase_medians() -> None:
    log = (
        'level=info msg="astro-pyenv gateway: start 7 ms, read 6 ms"\n'
        'level=info msg="astro-pyenv gateway: start 9 ms, read 2 ms"\n'
        'level=info msg="astro-pyenv gateway: start 8 ms, read 4 ms"\n'
    )
    assert phase_medians(log) == "start 8 ms (n=3), read 4 ms (n=3)"


def test_quick_sets_fewer_runs() -> None:
    options = parse_args(["--quick", "--runs", "9", "--scenarios", " 6, 8 ,"])
    assert (options.runs, options.cold_runs, options.heavy_runs, options.overhead_runs) == (3, 1, 1, 15)
    assert options.scenarios == ["6", "8"]
    assert options.argv == ("--quick", "--runs", "9", "--scenarios", " 6, 8 ,")


def test_the_scenarios_the_command_line_knows_are_the_wired_ones() -> None:
    assert set(SCENARIOS) == set(cli.ORDER) == set(cli.ENGINE_SCENARIOS) | set(cli.LOCAL_SCENARIOS)
    assert parse_args([]).scenarios == list(SCENARIOS)  # the default: all


def test_an_unknown_scenario_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    # A typo would otherwise run nothing of it and say nothing.
    with pytest.raises(SystemExit):
        parse_args(["--scenarios", "9,99"])
    assert "--scenarios: no scenario 99" in capsys.readouterr().err


# --- scenario 8's input ----------------------------------------------------------------------


def test_big_dockerfile_shape() -> None:
    text = big_dockerfile(10_000, 50, frontend_image="local/astro-pyenv-frontend:dev")
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) - 1 == 10_000
    assert sum(1 for line in lines if line.startswith("PYENV ")) == 50
    assert lines[0] == "# syntax=local/astro-pyenv-frontend:dev"
    assert not text.endswith("\\\n")  # no continuation cut off at the end
    # Pinned: a changed generator would make scenario 8's figures incomparable with earlier runs.
    assert hashlib.sha256(text.encode()).hexdigest() == (
        "f1fbfd8886335eb9fd247fa7bd8e3dfe6c604e0d6b4752661a5ec92544d714c1"
    )


@pytest.mark.parametrize(("lines", "pyenv"), [(1_000, 7), (200, 3), (60, 1)])
def test_big_dockerfile_other_sizes(lines: int, pyenv: int) -> None:
    text = big_dockerfile(lines, pyenv, frontend_image="f")
    assert text.count("\n") == lines
    assert sum(1 for line in text.splitlines() if line.startswith("PYENV ")) == pyenv


# --- the build flags (.ci/build-flags.sh, their one definition) ------------------------------


def build_flags(*wanted: str, **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHON_BUILD_MIRROR_URL", "ASTRO_PYENV_CA_BUNDLE")}
    done = subprocess.run(
        ["bash", str(REPO / ".ci" / "build-flags.sh"), *wanted],
        env={**clean, **env}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.split("\0")[:-1]


def test_build_flags() -> None:
    mirror = "http://127.0.0.1:8765"
    ca = "/etc/ssl/certs/a b.pem"
    both = {"PYTHON_BUILD_MIRROR_URL": mirror, "ASTRO_PYENV_CA_BUNDLE": ca}
    assert build_flags() == ["--network", "host"]
    assert build_flags("mirror", "ca") == ["--network", "host"]
    assert build_flags("mirror", "ca", **both) == [
        "--network", "host",
        "--build-arg", f"PYTHON_BUILD_MIRROR_URL={mirror}",
        "--secret", f"id=astro-pyenv-ca,src={ca}",
    ]  # fmt: skip
    assert build_flags("ca", **both) == ["--network", "host", "--secret", f"id=astro-pyenv-ca,src={ca}"]
    assert build_flags("mirror", PYTHON_BUILD_MIRROR_URL="", ASTRO_PYENV_CA_BUNDLE=ca) == ["--network", "host"]


def test_build_flags_sourced_and_bad_usage() -> None:
    script = REPO / ".ci" / "build-flags.sh"
    sourced = subprocess.run(
        ["bash", "-c", f'set -euo pipefail; source "{script}"; build_flags mirror; printf "%s|" "${{BUILD_FLAGS[@]}}"'],
        env={**os.environ, "PYTHON_BUILD_MIRROR_URL": "http://m"}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert sourced.stdout == "--network|host|--build-arg|PYTHON_BUILD_MIRROR_URL=http://m|"
    bad = subprocess.run(["bash", str(script), "mirrors"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "usage" in bad.stderr


def test_the_raw_results_kept_in_the_repository_are_the_report_s_figures() -> None:
    """docs/benchmarks.json is what ``--merge`` reads back: its rows must render the table and the
    raw figures docs/benchmarks.md shows, or a merge would silently change or drop them."""
    docs = Path(__file__).resolve().parents[3] / "docs"
    kept = Results()
    report.load_previous(kept, docs)
    rendered = report.render_report(kept, kept.invocations)
    shown = (docs / "benchmarks.md").read_text()

    def sections(text: str) -> tuple[str, str]:
        table = text.split("| scenario | ours | baseline |")[1].split("\n\n")[0]
        raw = text.split("## Raw figures")[1]
        return table, raw

    assert sections(rendered) == sections(shown)
    assert kept.invocations == [line[2:] for line in shown.splitlines() if line.startswith("- 20")]
