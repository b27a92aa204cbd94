"""Scenario 13 (the registry cache trip): what counts as a step the imported cache failed to
bring, how the figures are summed up, and that the benchmark and its report know the scenario."""

from __future__ import annotations

from pathlib import Path

from astro_bench import cache_trip, cli, engine, report
from astro_bench.buildlog import Build
from astro_bench.options import SCENARIOS, parse_args
from astro_bench.results import Results

REPO = Path(__file__).resolve().parents[3]

IMPORT_LOG = """\
#9 [pyenv-tools-secrets 1/1] RUN --mount=type=secret,id=astro-pyenv-ca ["/bin/sh", "secrets-digest.sh"]
#9 DONE 0.2s

#10 [pyenv-python-3.13.5 2/2] RUN --mount=type=bind,from=pyenv-tools ["/bin/sh", "fit-interpreter.sh", "3.13.5"]
#10 CACHED

#11 [pyenv-venv-modern 2/2] RUN --mount=type=bind ["/bin/sh", "make-venv.sh", "modern"]
#11 CACHED
"""


def _build(seconds: float, log: str = "") -> Build:
    return Build("ours", seconds, log, Path("/dev/null"))


def test_a_fully_imported_build_ran_nothing_but_the_secrets_digest() -> None:
    assert cache_trip.executed_stages(_build(2.0, IMPORT_LOG)) == []


def test_a_step_the_cache_did_not_bring_is_named_by_its_stage() -> None:
    ran = IMPORT_LOG.replace("#11 CACHED", "#11 0.5 creating the venv\n#11 DONE 9.1s")
    assert cache_trip.executed_stages(_build(2.0, ran)) == ["pyenv-venv-modern"]
    floor = "#7 [stage-0 3/4] RUN python -m venv /opt/astro-pyenv/venvs/modern\n#7 DONE 3.0s\n"
    assert cache_trip.executed_stages(_build(2.0, floor)) == ["stage-0"]


def test_the_import_builds_are_the_figures_and_the_exports_the_notes() -> None:
    row = Results().row("13", cache_trip.TITLE)
    trips = {
        "ours": [(_build(18.0), _build(2.6)), (_build(17.0), _build(2.4))],
        "floor": [(_build(12.0), _build(2.0)), (_build(11.0), _build(2.2))],
    }
    cache_trip.summarise(row, trips)
    assert row.ours == [2.6, 2.4] and row.baseline == [2.0, 2.2]
    assert row.met == "yes"  # 2.5 / 2.1 = 1.19
    assert any("ours: export (--cache-to, mode=max) median 17.5 s" in note for note in row.notes)
    trips["ours"] = [(_build(18.0), _build(3.0))]
    slow = Results().row("13", cache_trip.TITLE)
    cache_trip.summarise(slow, trips)
    assert slow.met == "no"  # 3.0 / 2.1 = 1.43


def test_extra_build_arguments_go_before_the_context_with_the_engine_s_own_client() -> None:
    cmd = engine._build_command(
        "ours", Path("/ctx"), "t:1", None, None, None, "/state/bin/docker", ["--cache-from", "type=registry,ref=r"]
    )
    assert cmd[0] == "/state/bin/docker"
    assert cmd[-3:] == ["--cache-from", "type=registry,ref=r", "/ctx"]


def test_the_benchmark_runs_13_and_the_report_says_how() -> None:
    assert "13" in SCENARIOS and parse_args(["--scenarios", "13"]).scenarios == ["13"]
    assert cli.ENGINE_SCENARIOS["13"] is cache_trip.run and "13" in cli.ORDER
    rendered = report.render_report(Results(), [], python_base="python:3.12-slim", cores=2)
    bullet = [line for line in rendered.splitlines() if line.startswith("- **13**")]
    assert len(bullet) == 1 and "--cache-from" in bullet[0] and "containerd image store" in bullet[0]
    docs = (REPO / "docs" / "benchmarks.md").read_text()
    assert bullet[0] in docs.splitlines()
