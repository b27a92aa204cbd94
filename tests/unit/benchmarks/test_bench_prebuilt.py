"""Scenarios 9 and 10's pure parts: the catalog's images and the floor's build args, the progress
lines, pyperf's JSON, speed-ups and their geometric mean, the speed image's Dockerfile."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from astro_bench import cli, report
from astro_bench.cold_prebuilt import step_label
from astro_bench.interpreters import (
    CatalogMismatch,
    Wanted,
    catalog_images,
    floor_arg,
    floor_args_declared,
    floor_build_args,
    interpreter_lines,
    repository_from_env,
)
from astro_bench.results import Results
from astro_bench.speed import (
    benchmark_script,
    geometric_mean,
    optimisations,
    order,
    pyperf_values,
    speed_dockerfile,
    speedups,
)
from astro_pyenv_frontend.libc import Libc

REPO = Path(__file__).resolve().parents[3]
RECIPE = "sha256:" + "ab" * 32
OTHER_RECIPE = "sha256:" + "cd" * 32
D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64
D3 = "sha256:" + "3" * 64


def catalog(*entries: dict[str, object], repository: str = "127.0.0.1:5000/astro-pyenv/cpython") -> str:
    return json.dumps({"repository": repository, "interpreters": list(entries)})


def entry(version: str, digest: str, *, libc: str = "glibc 2.31", recipe: str = RECIPE,
          platforms: tuple[str, ...] = ("linux/amd64",)) -> dict[str, object]:  # fmt: skip
    return {"version": version, "libc": libc, "platforms": list(platforms), "recipe": recipe, "build": "x",
            "tag": f"{version}-{libc.replace(' ', '')}-{recipe[7:19]}", "digest": digest}  # fmt: skip


WANTED = Wanted(libc=Libc("glibc", (2, 36)), platform="linux/amd64", recipe=RECIPE)


# --- scenario 9: which images, the floor's build args ------------------------------------------


def test_catalog_images_pick_version_libc_recipe_platform() -> None:
    text = catalog(
        entry("3.9.2", D3, libc="glibc 2.41"),  # newer than the base's
        entry("3.9.2", D3, recipe=OTHER_RECIPE),
        entry("3.9.2", D3, platforms=("linux/arm64",)),
        entry("3.9.2", D1, platforms=("linux/arm64", "linux/amd64")),
        entry("3.13.5", D2),
    )
    images = catalog_images(text, ["3.9.2", "3.13.5"], WANTED)
    assert images == {
        "3.9.2": f"127.0.0.1:5000/astro-pyenv/cpython:3.9.2-glibc2.31-{RECIPE[7:19]}@{D1}",
        "3.13.5": f"127.0.0.1:5000/astro-pyenv/cpython:3.13.5-glibc2.31-{RECIPE[7:19]}@{D2}",
    }


def test_catalog_images_repository_override() -> None:
    images = catalog_images(catalog(entry("3.13.5", D2)), ["3.13.5"], WANTED, "mirror.example/cpython")
    assert images["3.13.5"].startswith("mirror.example/cpython:3.13.5-glibc2.31-")


def test_catalog_images_missing_version_says_what_there_is() -> None:
    with pytest.raises(CatalogMismatch, match=r"CPython 3\.9\.2 is compiled: no prebuilt image.*3\.13\.5 glibc 2\.31"):
        catalog_images(catalog(entry("3.13.5", D2)), ["3.9.2"], WANTED)
    with pytest.raises(CatalogMismatch, match="lists no prebuilt"):
        catalog_images(catalog(), ["3.9.2"], WANTED)
    with pytest.raises(CatalogMismatch, match="no repository"):
        catalog_images(catalog(entry("3.9.2", D1), repository=""), ["3.9.2"], WANTED)


def test_repository_env() -> None:
    assert repository_from_env(["PATH=/bin", "ASTRO_PYENV_PREBUILT_REPOSITORY=r.example/c "]) == "r.example/c"
    assert repository_from_env(["PATH=/bin"]) == ""


def test_floor_build_args_match_the_floor_dockerfile() -> None:
    images = {"3.13.5": "r/c:3.13.5@" + D2, "3.9.2": "r/c:3.9.2@" + D1}
    args = floor_build_args(images, "quay.io/astronomer/astro-runtime:13.0.0-base")
    assert args == {
        "BASE_IMAGE": "quay.io/astronomer/astro-runtime:13.0.0-base",
        "CPYTHON_3_13_5_IMAGE": "r/c:3.13.5@" + D2,
        "CPYTHON_3_9_2_IMAGE": "r/c:3.9.2@" + D1,
    }
    floor = (REPO / "benchmarks" / "floor" / "Dockerfile").read_text()
    assert set(args) <= floor_args_declared(floor)
    # The floor copies each interpreter image's /opt/astro-pyenv/ and compiles nothing.
    assert "FROM ${CPYTHON_3_9_2_IMAGE} AS cpython-3.9.2" in floor
    assert "COPY --from=cpython-3.13.5 /opt/astro-pyenv/ /opt/astro-pyenv/" in floor
    assert "python-build" not in floor and "apt-get" not in floor


def test_floor_arg_refuses_what_is_no_version() -> None:
    assert floor_arg("3.13.0rc1") == "CPYTHON_3_13_0RC1_IMAGE"
    with pytest.raises(ValueError):
        floor_arg("3.13 ; rm")


def test_floor_args_declared() -> None:
    assert floor_args_declared("ARG A=1 B\nFROM x\n  ARG C\nRUN echo ARG D\n") == {"A", "B", "C"}


def test_step_label() -> None:
    floor = (REPO / "benchmarks" / "floor" / "Dockerfile").read_text()
    runs = [" ".join(part.split("\\\n")) for part in floor.split("\nRUN ")[1:]]
    assert [step_label("RUN " + r) for r in runs if "-m venv" in r] == [
        "venv snowpark (venv, pip, requirements)", "venv modern (venv, pip, requirements)"]
    assert step_label("COPY   packages.txt .") == "COPY packages.txt ."
    assert step_label("FROM " + "x" * 100).endswith("...") and len(step_label("FROM " + "x" * 100)) == 70


def test_interpreter_lines_from_a_progress_log() -> None:
    image = f"127.0.0.1:5000/astro-pyenv/cpython:3.13.5-glibc2.31-plain-abababababab@{D2}"
    log = (
        f"#4 [internal] astro-pyenv: CPython 3.13.5: prebuilt for glibc 2.31+ (linux/amd64), {image} (line 6)\n"
        "#4 DONE 0.0s\n"
        "#5 [internal] astro-pyenv: CPython 3.9.2 is compiled: prebuilt interpreters are off "
        "(ASTRO_PYENV_PREBUILT) (line 5)\n"
        "#5 DONE 0.0s\n"
        "#12 12.3 astro-pyenv: compiling CPython 3.9.2 with -j2\n"
    )
    lines = interpreter_lines(log)
    assert lines.prebuilt == {"3.13.5": image}
    assert lines.prebuilt_for == {"3.13.5": "glibc 2.31+ (linux/amd64)"}
    assert lines.compiled_why == {"3.9.2": "prebuilt interpreters are off (ASTRO_PYENV_PREBUILT)"}
    assert lines.compiling == ["3.9.2"]
    assert interpreter_lines("#1 [internal] load build definition\n") == interpreter_lines("")


# --- scenario 10: pyperf results, speed-ups ----------------------------------------------------


def pyperf_json(values: list[list[float]]) -> str:
    runs: list[dict[str, object]] = [{"metadata": {"calibrate_loops": 1}, "warmups": [[1, 9.0]]}]
    runs += [{"metadata": {}, "warmups": [[1, 9.0]], "values": v} for v in values]
    return json.dumps({"version": "1.0", "metadata": {"name": "nbody", "unit": "second"},
                       "benchmarks": [{"runs": runs}]})  # fmt: skip


def test_pyperf_values_leave_out_calibration_and_warmups() -> None:
    assert pyperf_values(pyperf_json([[0.1, 0.2], [0.3]])) == [0.1, 0.2, 0.3]
    with pytest.raises(ValueError):
        pyperf_values(pyperf_json([]))


def test_geometric_mean() -> None:
    assert geometric_mean([2.0, 8.0]) == pytest.approx(4.0)
    assert geometric_mean([1.3]) == pytest.approx(1.3)
    for bad in ([], [1.0, 0.0], [-1.0]):
        with pytest.raises(ValueError):
            geometric_mean(bad)


def test_speedups_are_compiled_over_prebuilt_medians() -> None:
    s = speedups({
        "prebuilt": {"nbody": [0.10, 0.12, 0.50], "float": [0.2], "only-here": [1.0]},
        "compiled": {"nbody": [0.15, 0.12, 0.13], "float": [0.4]},
    })  # fmt: skip
    assert s.prebuilt_s == {"nbody": 0.12, "float": 0.2}
    assert s.speedup == pytest.approx({"nbody": 0.13 / 0.12, "float": 2.0})
    assert s.geomean == pytest.approx(math.sqrt(0.13 / 0.12 * 2.0))


def test_order_alternates_by_round_and_benchmark() -> None:
    assert [order(0, j)[0] for j in range(3)] == ["prebuilt", "compiled", "prebuilt"]
    assert [order(1, j)[0] for j in range(3)] == ["compiled", "prebuilt", "compiled"]


def test_speed_dockerfile_and_script_path() -> None:
    text = speed_dockerfile("local/f:bench", "quay.io/astronomer/astro-runtime:13.0.0-base", "3.13.5")
    assert text.splitlines() == [
        "# syntax=local/f:bench",
        "FROM quay.io/astronomer/astro-runtime:13.0.0-base",
        "PYENV 3.13.5 perf requirements-perf.txt",
    ]
    assert benchmark_script("3.13.5", "nbody") == (
        "/opt/astro-pyenv/venvs/perf/lib/python3.13/site-packages/pyperformance/data-files/benchmarks/"
        "bm_nbody/run_benchmark.py"
    )


def test_optimisations_from_build_flags() -> None:
    pgo = {"CONFIG_ARGS": "'--enable-optimizations' '--with-lto'", "PY_CFLAGS_NODIST": "-fprofile-use -flto"}
    assert optimisations(pgo) == "PGO, LTO"
    assert optimisations({"CONFIG_ARGS": "'--prefix=/opt'", "PY_CFLAGS_NODIST": "-O3"}) == "no PGO, no LTO"


# --- wiring --------------------------------------------------------------------------------------


def test_scenarios_9_and_10_are_wired_and_ordered() -> None:
    assert {"9", "10"} <= set(cli.ENGINE_SCENARIOS)
    assert set(cli.ORDER) == set(cli.ENGINE_SCENARIOS) | set(cli.LOCAL_SCENARIOS)
    assert cli.ORDER.index("9") == cli.ORDER.index("1") + 1  # both prune, before the warm ones


def test_report_orders_rows_numerically() -> None:
    results = Results()
    for key in ("10", "2", "9", "1"):
        results.row(key, f"{key}. x")
    assert report.row_keys(results) == ["1", "2", "9", "10"]
