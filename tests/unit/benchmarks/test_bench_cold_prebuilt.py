"""Scenarios 9 and 12 (cold builds with prebuilt interpreters against a floor): the projects they
build, the floors' build args and what the floors do, the fit steps read from a progress log,
the row they fill, the base they name, one whole run on a fake engine, and the report's words."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from astro_bench import cli, cold_prebuilt, config, report
from astro_bench.buildlog import Build
from astro_bench.cold_prebuilt import (
    PYTHON_SLIM,
    RUNTIME,
    ColdPrebuilt,
    Prebuilt,
    base_note,
    fit_steps,
    floor_args,
    measure,
    summarise,
)
from astro_bench.interpreters import (
    CatalogMismatch,
    floor_arg,
    floor_args_declared,
    resolve_versions,
)
from astro_bench.options import SCENARIOS, parse_args
from astro_bench.project import project_dockerfile, write_project
from astro_bench.results import Results
from astro_bench.runner import Runner, Session
from astro_pyenv_frontend import layout

REPO = Path(__file__).resolve().parents[3]
MAKE_VENV = REPO / "frontend/src/astro_pyenv_frontend/scripts/make-venv.sh"
RECIPE = "sha256:" + "ab" * 32
SPECS = [RUNTIME, PYTHON_SLIM]
# The catalog `make interpreters` writes offline (the versions Debian's source packages give).
CATALOG_VERSIONS = ("3.9.2", "3.11.2", "3.13.5")
REPOSITORY = "127.0.0.1:5000/astro-pyenv/cpython"


def digest(version: str) -> str:
    return "sha256:" + version.replace(".", "").ljust(64, "0")


def image_of(version: str) -> str:
    return f"{REPOSITORY}:{version}-glibc2.31-plain@{digest(version)}"


def catalog(*versions: str) -> str:
    """The catalog `make interpreters OPTIMIZE=plain` writes: portable images keyed glibc 2.31."""
    entries = [{"version": v, "libc": "glibc 2.31", "platforms": ["linux/amd64"], "recipe": RECIPE, "build": "",
                "tag": f"{v}-glibc2.31-plain", "digest": digest(v)} for v in versions]  # fmt: skip
    return json.dumps({"repository": REPOSITORY, "interpreters": entries})


CATALOG_TEXT = catalog(*CATALOG_VERSIONS)


def pyenv_lines(dockerfile: str) -> dict[str, str]:
    """``{name: version}`` of a Dockerfile's PYENV lines."""
    return {m.group(2): m.group(1) for m in re.finditer(r"^PYENV (\S+) (\S+)", dockerfile, re.MULTILINE)}


def images_for(spec: ColdPrebuilt) -> dict[str, str]:
    versions = resolve_versions(spec.environments.values(), CATALOG_TEXT)
    return {v: image_of(v) for v in versions.values()}


# --- the projects -------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_project_dockerfile_names_the_frontend_and_the_base(spec: ColdPrebuilt, tmp_path: Path) -> None:
    written = write_project(tmp_path / "p", base_image=spec.base, source=spec.project)
    text = (written / "Dockerfile").read_text()
    assert text.splitlines()[0] == f"# syntax={config.FRONTEND_IMAGE}"
    assert re.findall(r"^FROM .*$", text, re.MULTILINE) == [f"FROM {spec.base}"]
    # The scenario's environments are the project's PYENV lines, and their requirements files are there.
    assert pyenv_lines(text) == dict(spec.environments)
    for m in re.finditer(r"^PYENV \S+ \S+ (\S+)$", text, re.MULTILINE):
        pins = (written / m.group(1)).read_text().split()
        assert pins and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[A-Za-z0-9_.+-]+", p) for p in pins)


def test_python_slim_project_is_debian13_python_with_series_only() -> None:
    text = project_dockerfile((config.PYTHON_SLIM_PROJECT / "Dockerfile").read_text(), "local/f:bench", "py:13")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert text.startswith("# syntax=local/f:bench\n")
    assert lines == ["FROM py:13", "PYENV 3.11 analytics requirements-analytics.txt", "PYENV 3.13 modern",
                     "WORKDIR /app", "COPY . ."]  # fmt: skip
    assert PYTHON_SLIM.base == PYTHON_SLIM.floor_base == config.PYTHON_BASE
    # The same pinned packages as scenario 9's snowpark environment.
    same = (config.PROJECT / "requirements-snowpark.txt").read_text()
    assert (config.PYTHON_SLIM_PROJECT / "requirements-analytics.txt").read_text() == same


# --- versions and the floors' build args --------------------------------------------------------


def test_series_resolve_to_the_catalogs_releases() -> None:
    assert resolve_versions(["3.11", "3.13", "3.9.2"], CATALOG_TEXT) == {
        "3.11": "3.11.2", "3.13": "3.13.5", "3.9.2": "3.9.2"}  # fmt: skip
    # Without a catalog image of the series: the newest release pyenv knows, which ours compiles.
    newest = resolve_versions(["3.11"], catalog("3.13.5"))["3.11"]
    assert newest.startswith("3.11.") and newest != "3.11.2"
    with pytest.raises(CatalogMismatch, match="not readable"):
        resolve_versions(["3.11"], "{")


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_the_floor_declares_every_build_arg_the_scenario_passes(spec: ColdPrebuilt) -> None:
    images = images_for(spec)
    args = floor_args(spec, images)
    assert args == {"BASE_IMAGE": spec.floor_base, **{floor_arg(v): i for v, i in images.items()}}
    assert set(args) <= floor_args_declared(spec.floor_dockerfile.read_text())


def test_a_floor_missing_the_catalogs_version_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"python-slim\.Dockerfile declares no ARG \['CPYTHON_3_11_15_IMAGE'\]"):
        floor_args(PYTHON_SLIM, {"3.11.15": "r/c@sha256:" + "2" * 64, "3.13.5": "r/c@sha256:" + "3" * 64})


def venv_steps(floor: str) -> dict[str, tuple[str, str, bool]]:
    """``{name: (python series, pip pin, installs requirements)}`` of a floor's venv RUN steps."""
    found = {}
    for step in floor.split("\nRUN ")[1:]:
        venv = re.search(r"/python/(\d+\.\d+)\.\d+/bin/python\S* -m venv /opt/astro-pyenv/venvs/(\w+)", step)
        if venv:
            pin = re.search(r"install --upgrade (pip==[^\s;]+)", step)
            found[venv.group(2)] = (venv.group(1), pin.group(1) if pin else "", "install -r" in step)
    return found


def pip_of_make_venv(series: str) -> str:
    """The pip make-venv.sh upgrades a new venv to (its ``tested_pip`` table)."""
    table = re.search(r'print\("(pip==\S+)" if v >= \(3, 10\) else "(pip==\S+)" if v == \(3, 9\)', MAKE_VENV.read_text())
    assert table, "make-venv.sh's tested_pip table changed: update this test"
    return table.group(1) if tuple(map(int, series.split("."))) >= (3, 10) else table.group(2)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_the_floor_does_what_ours_cannot_avoid(spec: ColdPrebuilt) -> None:
    floor = spec.floor_dockerfile.read_text()
    project = (spec.project / "Dockerfile").read_text()
    steps = venv_steps(floor)
    assert set(steps) == set(spec.environments)
    for name, version in spec.environments.items():
        series, pin, installs = steps[name]
        assert version.startswith(series + ".") or version == series
        assert pin == pip_of_make_venv(series)  # the pip ours' venv script installs
        assert installs == bool(re.search(rf"^PYENV \S+ {name} \S+$", project, re.MULTILINE))
        assert f"ENV ASTRO_PYENV_{name}=/opt/astro-pyenv/venvs/{name}/bin/python" in floor
    for version in images_for(spec):
        assert f"FROM ${{{floor_arg(version)}}} AS cpython-{version}" in floor
        assert f"COPY --from=cpython-{version} /opt/astro-pyenv/ /opt/astro-pyenv/" in floor
    assert "ENV PATH=${PATH}:/opt/astro-pyenv/bin" in floor
    assert "python-build" not in floor and "apt-get" not in floor and "fit-interpreter" not in floor
    assert floor.rstrip().endswith("COPY . .") or floor.rstrip().endswith("COPY --chown=astro:0 . .")


# --- the fit steps and the row ------------------------------------------------------------------

IMAGE_311 = f"127.0.0.1:5000/astro-pyenv/cpython:3.11.2-glibc2.31-plain@sha256:{'1' * 64}"
IMAGE_313 = f"127.0.0.1:5000/astro-pyenv/cpython:3.13.5-glibc2.31-plain@sha256:{'2' * 64}"
CHOSEN = Prebuilt({"3.11": "3.11.2", "3.13": "3.13.5"}, {"3.11.2": IMAGE_311, "3.13.5": IMAGE_313})
FIT = '["/bin/sh", "/tmp/astro-pyenv/scripts/fit-interpreter.sh", "{}"]'


def ours_log(fit_311: float, fit_313: float, *, compiled: bool = False) -> str:
    mount = "RUN --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/fit-interpreter.sh,target=x "
    return (
        f"#3 [internal] astro-pyenv: CPython 3.11.2: prebuilt for glibc 2.31+ (linux/amd64), {IMAGE_311} (line 6)\n"
        f"#4 [internal] astro-pyenv: CPython 3.13.5: prebuilt for glibc 2.31+ (linux/amd64), {IMAGE_313} (line 7)\n"
        f"#12 [pyenv-python-3.11.2 2/2] {mount}{FIT.format('3.11.2')}\n"
        f"#13 [pyenv-python-3.13.5 2/2] {mount}{FIT.format('3.13.5')}\n"
        "#12 0.402 astro-pyenv: CPython 3.11.2 uses the base's libssl.so.3 libz.so.1 and its own libffi.so.7\n"
        f"#12 DONE {fit_311}s\n"
        "#13 0.511 astro-pyenv: CPython 3.13.5 uses the base's libssl.so.3 and its own (none)\n"
        f"#13 DONE {fit_313}s\n"
        "#14 [stage-0 3/3] RUN make-venv.sh\n#14 DONE 4.0s\n"
        + ("#15 1.0 astro-pyenv: compiling CPython 3.11.2 with -j2\n" if compiled else "")
    )


def floor_log() -> str:
    return (
        "#5 [stage-2 4/7] RUN --mount=type=secret,id=astro-pyenv-ca set -eu; /opt/astro-pyenv/python/3.11.2/bin/"
        "python3.11 -m venv /opt/astro-pyenv/venvs/analytics; pip\n#5 DONE 6.5s\n"
        "#6 [stage-2 2/7] COPY --from=cpython-3.11.2 /opt/astro-pyenv/ /opt/astro-pyenv/\n#6 DONE 1.2s\n"
    )


def build(kind: str, seconds: float, log: str) -> Build:
    return Build(kind, seconds, log, Path(f"/logs/{kind}.log"))


def test_fit_steps_from_a_progress_log() -> None:
    b = build("ours", 20.0, ours_log(0.9, 1.3))
    assert fit_steps(b.steps()) == {"3.11.2": 0.9, "3.13.5": 1.3}
    cached = b.log.replace("#12 DONE 0.9s", "#12 CACHED")
    assert fit_steps(build("ours", 1.0, cached).steps()) == {"3.13.5": 1.3}
    assert fit_steps(build("ours", 1.0, floor_log()).steps()) == {}


def test_row_of_scenario_12() -> None:
    results = Results()
    row = results.row(PYTHON_SLIM.key, PYTHON_SLIM.title, target=PYTHON_SLIM.target)
    ours = [build("ours", 30.0, ours_log(0.9, 1.3)), build("ours", 26.0, ours_log(1.1, 1.5))]
    floor = [build("plain", 25.0, floor_log()), build("plain", 23.0, floor_log())]
    settings = summarise(row, PYTHON_SLIM, ours, floor, CHOSEN, [1.5, 2.0, 2.5, 3.0])
    assert row.cells() == [PYTHON_SLIM.title, "28.00 s (n=2)", "24.00 s floor (n=2)", "1.17×",
                           "no CPython compiled; ≤ 1.3× the floor", "yes"]  # fmt: skip
    assert row.notes[0] == ("ours run 1: 30.0 s; prebuilt: 3.11.2, 3.13.5; compiled: nothing; "
                            "fit steps: 3.11.2 0.9 s, 3.13.5 1.3 s")  # fmt: skip
    assert row.notes[2] == ("floor run 1: 25.0 s; slowest steps: venv analytics (venv, pip, requirements) 6.5 s; "
                            "COPY --from=cpython-3.11.2 /opt/astro-pyenv/ /opt/astro-pyenv/ 1.2 s")  # fmt: skip
    assert row.notes[4].startswith("fit steps (ours' `fit-interpreter.sh` RUN steps, from the build log;")
    assert "median 2.4 s summed over the interpreters" in row.notes[4]
    assert "; CPython 3.11.2 uses the base's libssl.so.3 libz.so.1 and its own libffi.so.7" in row.notes[4]
    assert row.notes[5] == "1-minute load average before the cold builds: 1.50, 2.00, 2.50, 3.00"
    assert row.notes[6].endswith("(PYENV 3.11 → 3.11.2, PYENV 3.13 → 3.13.5, as the frontend resolves them "
                                 "with that catalog)")  # fmt: skip
    assert settings["ratio"] == pytest.approx(28 / 24)
    assert settings["fit_s"] == [{"3.11.2": 0.9, "3.13.5": 1.3}, {"3.11.2": 1.1, "3.13.5": 1.5}]


def test_row_met_says_no_over_the_ratio_or_when_ours_compiled() -> None:
    floor = [build("plain", 20.0, floor_log())]
    slow = Results().row("12", "x")
    summarise(slow, PYTHON_SLIM, [build("ours", 26.2, ours_log(1, 1))], floor, CHOSEN, [1.0])
    assert (slow.ratio_text, slow.cells()[3], slow.met) == (None, "1.31×", "no")
    compiled = Results().row("12", "x")
    summarise(compiled, PYTHON_SLIM, [build("ours", 20.0, ours_log(1, 1, compiled=True))], floor, CHOSEN, [1.0])
    assert compiled.met == "no (ours compiled CPython)"
    assert "WARNING: compiled CPython ['3.11.2']" in compiled.notes[0]
    # Scenario 9 has a target in seconds too.
    nine = Results().row("9", "x")
    summarise(nine, RUNTIME, [build("ours", 31.0, ours_log(1, 1))], [build("plain", 30.0, floor_log())], CHOSEN, [])
    assert (RUNTIME.target, nine.met) == ("≤ 30 s and ≤ 1.3× the floor", "no")


# --- wiring ---------------------------------------------------------------------------------------


def test_scenario_12_is_wired_next_to_9() -> None:
    assert cli.ENGINE_SCENARIOS["12"] is cold_prebuilt.run_python_slim
    assert cli.ENGINE_SCENARIOS["9"] is cold_prebuilt.run
    assert cli.ORDER.index("12") == cli.ORDER.index("9") + 1  # both prune, before the warm ones
    assert "12" in SCENARIOS and "12" in parse_args([]).scenarios
    assert parse_args(["--scenarios", "12"]).scenarios == ["12"]


# --- the base the row names ---------------------------------------------------------------------

TRIXIE = 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\nID=debian\n'
BOOKWORM = TRIXIE.replace("13 (trixie)", "12 (bookworm)").replace('VERSION_ID="13"', 'VERSION_ID="12"')


def test_base_note_names_the_release_and_glibc() -> None:
    assert base_note(PYTHON_SLIM, TRIXIE, "glibc 2.41") == (
        f"base `{PYTHON_SLIM.floor_base}`: Debian GNU/Linux 13 (trixie), glibc 2.41"
    )
    # Scenario 9 is about no release in particular: its base is named, never warned about.
    assert base_note(RUNTIME, BOOKWORM, "glibc 2.36") == (
        f"base `{RUNTIME.floor_base}`: Debian GNU/Linux 12 (bookworm), glibc 2.36"
    )


def test_base_note_warns_when_12_runs_on_another_release() -> None:
    # $ASTRO_PYENV_PYTHON_BASE set to a bookworm image: the row is not Debian 13's figure.
    note = base_note(PYTHON_SLIM, BOOKWORM, "glibc 2.36")
    assert note.endswith("glibc 2.36; WARNING: not debian-13, the release this scenario is about")
    assert base_note(PYTHON_SLIM, "", "").endswith(": no /etc/os-release, no glibc named; WARNING: not debian-13, "
                                                   "the release this scenario is about")  # fmt: skip


# --- one whole run on a fake engine -------------------------------------------------------------


class FakeEngine:
    """The bench engine as :func:`measure` uses it: a frontend image with a catalog, a Debian 13
    base; every call recorded."""

    def __init__(self, os_release: str = TRIXIE) -> None:
        self.os_release = os_release
        self.calls: list[str] = []

    def docker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert args[-1] == layout.PREBUILT_CATALOG, args  # the only docker command measure runs itself
        return subprocess.CompletedProcess(list(args), 0, CATALOG_TEXT, "")

    def read_file(self, image: str, path: str, platform: str | None = None) -> str:
        self.calls.append(f"read {image} {path}")
        return {layout.PREBUILT_RECIPE: RECIPE + "\n", "/etc/os-release": self.os_release}[path]

    def libc(self, image: str, platform: str | None = None) -> str:
        self.calls.append(f"libc {image}")
        return "glibc 2.41"

    def image_env(self, image: str) -> list[str]:
        return ["PATH=/usr/bin"]

    def platform(self) -> str:
        return "linux/amd64"

    def prune(self) -> None:
        self.calls.append("prune")

    def copy_in(self, images: list[str]) -> None:
        self.calls.append(f"copy_in {' '.join(images)}")


class FakeBuilder:
    """Timed builds, answered with the progress lines a real build of each side prints: ours says
    which prebuilt image each of ``versions`` (as the PYENV lines write them) came from, and fits it."""

    def __init__(self, engine: FakeEngine, versions: tuple[str, ...]) -> None:
        self.engine = engine
        self.releases = sorted(set(resolve_versions(versions, CATALOG_TEXT).values()))
        self.builds: list[dict[str, object]] = []

    def build(
        self,
        kind: str,
        context: Path,
        label: str,
        *,
        tag: str | None = None,
        dockerfile: Path | None = None,
        build_args: dict[str, str] | None = None,
    ) -> Build:
        self.engine.calls.append(f"build {label}")
        self.builds.append({"kind": kind, "context": context, "label": label, "tag": tag, "dockerfile": dockerfile,
                            "args": build_args, "from": re.findall(r"^FROM .*$", (context / "Dockerfile").read_text(),
                                                                   re.MULTILINE)})  # fmt: skip
        if kind == "plain":
            return Build(kind, 20.0, floor_log(), Path(f"/logs/{label}.log"))
        lines = "".join(f"#{3 + i} [internal] astro-pyenv: CPython {v}: prebuilt for glibc 2.31+ (linux/amd64), "
                        f"{image_of(v)} (line {6 + i})\n#{12 + i} [pyenv-python-{v} 2/2] RUN {FIT.format(v)}\n"
                        f"#{12 + i} DONE 1.0s\n"
                        for i, v in enumerate(self.releases))  # fmt: skip
        return Build(kind, 24.0, lines, Path(f"/logs/{label}.log"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.key)
def test_a_run_builds_the_scenarios_project_and_floor_on_a_pruned_engine(
    spec: ColdPrebuilt, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registries: list[str] = []
    monkeypatch.setattr(cold_prebuilt, "check_registry", registries.append)
    engine = FakeEngine()
    builder = FakeBuilder(engine, tuple(spec.environments.values()))
    runner = Runner(Session(parse_args(["--runs", "2"]), tmp_path, Results()), engine, builder)  # type: ignore[arg-type]
    runner.warm = True

    measure(runner, spec)

    versions = resolve_versions(spec.environments.values(), CATALOG_TEXT)
    images = {v: image_of(v) for v in versions.values()}
    # The base copied in first (12's is not among the images every run copies), the images chosen for
    # the floor's base, then every build on a pruned engine, ours and the floor alternating.
    labels = [f"{spec.label}1", f"{spec.label}1-floor", f"{spec.label}2-floor", f"{spec.label}2"]
    expected = [f"copy_in {spec.base}"] if spec.copy_in else []
    expected += [f"read {config.FRONTEND_IMAGE} {layout.PREBUILT_RECIPE}", f"libc {spec.floor_base}"]
    expected += [step for label in labels for step in ("prune", f"build {label}")]
    expected += [f"read {spec.floor_base} /etc/os-release"]
    assert engine.calls == expected
    assert registries == ["127.0.0.1:5000"]
    ours = [b for b in builder.builds if b["kind"] == "ours"]
    floors = [b for b in builder.builds if b["kind"] == "plain"]
    for b in ours:  # the scenario's project, FROM its base, tagged as its own
        assert (b["context"], b["tag"], b["from"]) == (tmp_path / spec.scratch, spec.ours_tag, [f"FROM {spec.base}"])
    for b in floors:  # its floor, from the same context, with the very images ours uses
        assert (b["context"], b["tag"], b["dockerfile"]) == (tmp_path / spec.scratch, spec.floor_tag,
                                                             spec.floor_dockerfile)  # fmt: skip
        assert b["args"] == {"BASE_IMAGE": spec.floor_base, **{floor_arg(v): i for v, i in images.items()}}
    row = runner.results.rows[spec.key]
    assert (row.scenario, row.target) == (spec.title, spec.target)
    assert (row.ours, row.baseline, row.met) == ([24.0, 24.0], [20.0, 20.0], "yes")
    assert row.notes[-1] == f"base `{spec.floor_base}`: Debian GNU/Linux 13 (trixie), glibc 2.41"
    assert not [n for n in row.notes if "WARNING" in n]
    settings = runner.results.settings[spec.settings_key]
    assert isinstance(settings, dict)
    assert (settings["base"], settings["versions"], settings["images"]) == (spec.base, versions, images)
    assert (settings["ratio"], settings["compiled"], settings["base_os"]) == (1.2, [], "debian-13")
    assert settings["fit_s"] == [{v: 1.0 for v in images}] * 2
    assert runner.warm is False  # the prunes dropped the cache the warm scenarios build on


# --- the report ----------------------------------------------------------------------------------


def method_bullet(text: str, key: str) -> str:
    """The "How each figure was measured" bullet of scenario ``key`` in a report's ``text``."""
    found = [line for line in text.splitlines() if line.startswith(f"- **{key}**")]
    assert len(found) == 1, key
    return found[0]


def test_the_report_says_how_12_is_measured_and_docs_benchmarks_md_carries_it() -> None:
    rendered = report.render_report(Results(), [], python_base="python:3.12-slim", cores=2)
    bullet = method_bullet(rendered, "12")
    for words in ("`FROM python:3.12-slim` (Debian 13", "`benchmarks/project-python-slim`",
                  "`PYENV 3.11 analytics requirements-analytics.txt`", "`PYENV 3.13 modern`",
                  "`benchmarks/floor/python-slim.Dockerfile`", "`fit-interpreter.sh`", "OPTIMIZE=plain",
                  "≤ 1.3× the floor"):  # fmt: skip
        assert words in bullet
    # The committed report describes 12 before its first run, as the next run will write it.
    docs = (REPO / "docs" / "benchmarks.md").read_text()
    assert method_bullet(docs, "12") == bullet
    assert method_bullet(docs, "9") == method_bullet(rendered, "9")
