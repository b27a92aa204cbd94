"""Scenario 14 (uv against pip): the pinned set both install, the figure read from the build log
(the venv step's own time, an error when it was cached), how a row says the ratio, and that the
benchmark and its report know the scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from astro_bench import cli, installers, report
from astro_bench.buildlog import Build
from astro_bench.options import SCENARIOS, parse_args
from astro_bench.results import Results

VENV_LOG = """\
#9 [pyenv-tools-secrets 1/1] RUN ["/bin/sh", "secrets-digest.sh"]
#9 DONE 0.2s

#12 [pyenv-venv-work 2/2] RUN --mount=type=bind ["/bin/sh", "make-venv.sh", "--installer=uv", "work"]
#12 3.10 astro-pyenv: installed by uv 0.13.9
#12 DONE 12.4s
"""


def _build(log: str, seconds: float = 20.0) -> Build:
    return Build("plain", seconds, log, Path("/logs/x.log"))


def test_the_set_is_about_fifty_packages_each_pinned_to_one_version() -> None:
    lines = [line for line in installers.REQUIREMENTS.read_text().splitlines() if line and not line.startswith("#")]
    assert all("==" in line for line in lines), [line for line in lines if "==" not in line]
    assert 45 <= installers.package_count(installers.REQUIREMENTS.read_text()) <= 60


def test_both_installers_build_the_same_line_on_the_same_interpreter() -> None:
    uv, pip = installers.dockerfile("uv"), installers.dockerfile("pip")
    assert uv.replace("--installer=uv", "--installer=pip") == pip
    assert "PYENV --installer=uv 3.13.5 work requirements.txt\n" in uv


def test_the_figure_is_the_venv_steps_time() -> None:
    assert installers.venv_step_seconds(_build(VENV_LOG)) == 12.4


def test_a_venv_step_taken_from_the_cache_is_an_error_not_a_figure() -> None:
    cached = VENV_LOG.replace("#12 3.10 astro-pyenv: installed by uv 0.13.9\n#12 DONE 12.4s", "#12 CACHED")
    with pytest.raises(RuntimeError, match="the venv step of work did not run"):
        installers.venv_step_seconds(_build(cached))


def test_a_row_says_how_much_faster_uv_is_and_whether_the_cold_target_is_met() -> None:
    results = Results()
    row = results.row("14a", "14a. cold")
    row.ours, row.baseline = [10.0, 11.0, 12.0], [60.0, 55.0, 70.0]
    installers.summarise(row, {"ours": [20.0], "baseline": [70.0]}, "cold")
    assert row.ratio_text == "0.18× the time: uv 5.5× faster"
    assert row.met == "yes"
    assert (row.ours_text, row.baseline_text) == ("uv 11.0 s (n=3)", "pip 60.0 s (n=3)")
    row.baseline = [30.0, 30.0, 30.0]
    installers.summarise(row, {"ours": [20.0], "baseline": [40.0]}, "cold")
    assert row.met == "no"


def test_the_benchmark_and_its_report_know_the_scenario() -> None:
    assert "14" in SCENARIOS and parse_args(["--scenarios", "14"]).scenarios == ["14"]
    assert cli.ENGINE_SCENARIOS["14"] is installers.run and "14" in cli.ORDER
    rendered = report.render_report(Results(), [], python_base="python:3.12-slim", cores=2)
    bullet = [line for line in rendered.splitlines() if line.startswith("- **14**")]
    assert len(bullet) == 1 and "FROM python:3.12-slim" in bullet[0] and "ASTRO_PYENV_PIP_CACHE" in bullet[0]


def test_uvs_bytecode_time_is_its_largest_compile_line_in_seconds() -> None:
    log = VENV_LOG.replace(
        "#12 3.10 astro-pyenv: installed by uv 0.13.9\n",
        "#12 1.229 Bytecode compiled 441 files in 666ms\n#12 23.29 Bytecode compiled 5853 files in 18.79s\n",
    )
    assert installers.uv_bytecode_seconds(_build(log)) == 18.79
    assert installers.uv_bytecode_seconds(_build(log.replace("18.79s", "80ms"))) == 0.666
    assert installers.uv_bytecode_seconds(_build(VENV_LOG)) is None


def test_a_row_says_how_much_of_uvs_time_was_compiling_bytecode() -> None:
    row = Results().row("14a", "14a. cold")
    row.ours, row.baseline = [26.0, 27.0], [55.0, 54.0]
    installers.summarise(row, {"ours": [40.0], "baseline": [68.0]}, "cold", [13.3, 16.2, 16.4])
    assert row.notes[-1].startswith("of uv's venv step, compiling bytecode: 16.2 s (median")
    warm = Results().row("14b", "14b. warm")
    warm.ours, warm.baseline = [24.0], [51.0]
    installers.summarise(warm, {"ours": [36.0], "baseline": [64.0]}, "warm", [])
    assert [note for note in warm.notes if "bytecode:" in note] == []
