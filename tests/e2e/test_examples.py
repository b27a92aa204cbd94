"""The examples/ projects built with our frontend on the real engine, their DAGs run by Airflow.

examples/astro-project is built as a user's Astro project would be (the Astro Runtime image,
two PYENV lines, the runtime helper's wheel in wheels/), once on Airflow 2 (Astro Runtime 13)
and once on Airflow 3 (astrocrpublic.azurecr.io/runtime:3.1-17, the build arg
ASTRO_RUNTIME_IMAGE), then every DAG in its dags/ runs with `airflow dags test` in one container
without network, after a Variable and a Connection were stored in the metadata database. Each
isolated task prints `PYENV-CHECK task=<id> python=<version> executable=<path> ...`; the tests
compare those lines and the task states Airflow recorded with what each DAG is meant to do.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import harness

EXAMPLES = harness.REPO_ROOT / "examples"
AIRFLOW3_SETUP = harness.REPO_ROOT / ".ci" / "example-airflow3.sh"
ASTRO_PROJECT = EXAMPLES / "astro-project"
PLAIN_PROJECT = EXAMPLES / "plain-python"
DATE = "2024-01-01"
RUN_ID = f"manual__{DATE}T00:00:00+00:00"  # the run `airflow dags test <dag> <date>` creates on Airflow 2
SNOWPARK = "/opt/astro-pyenv/venvs/snowpark/bin/python"
MODERN = "/opt/astro-pyenv/venvs/modern/bin/python"
VENV = "/tmp/venv"  # prefix of the venvs @task.virtualenv creates at run time

# dag_id -> task_id -> (final state, Python version it must report, executable prefix).
# Tasks that run in Airflow's own Python report nothing (version None).
Expected = dict[str, dict[str, tuple[str, str | None, str | None]]]
EXPECTED: Expected = {
    "external_python_env_var": {
        "snowpark_decorator": ("success", "3.9.2", SNOWPARK),
        "snowpark_operator": ("success", "3.9.2", SNOWPARK),
        "modern_decorator": ("success", "3.13.5", MODERN),
        "report": ("success", None, None),
    },
    "external_python_runtime_helper": {
        "snowpark_decorator": ("success", "3.9.2", SNOWPARK),
        "snowpark_operator": ("success", "3.9.2", SNOWPARK),
        "modern_decorator": ("success", "3.13.5", MODERN),
    },
    "virtualenv_python_version": {
        "venv_python_313": ("success", "3.13.5", VENV),
        "venv_python_39": ("success", "3.9.2", VENV),
    },
    "branch_external_python": {
        "choose_by_python_version": ("success", "3.9.2", SNOWPARK),
        "on_python_39": ("success", None, None),
        "on_other_python": ("skipped", None, None),
    },
    "astro_pyenv_decorators": {
        "snowpark_decorator": ("success", "3.9.2", SNOWPARK),
        "snowpark_operator": ("success", "3.9.2", SNOWPARK),
        "choose_by_month": ("success", "3.13.5", MODERN),
        "january": ("success", None, None),
        "other_month": ("skipped", None, None),
        "choose_by_hour": ("success", "3.13.5", MODERN),
        "morning": ("success", None, None),
        "afternoon": ("skipped", None, None),
    },
    # Templated arguments in the Python 3.9 env; on Airflow 3 also Variable.get/Connection.get in
    # the env with the task SDK (PYENV --task-sdk=auto), a task the DAG defines there only.
    "variables_and_connections": {
        "templated": ("success", "3.9.2", SNOWPARK),
    },
}
AIRFLOW3_ONLY: Expected = {"variables_and_connections": {"task_sdk": ("success", "3.13.5", MODERN)}}
# What .ci/run-example.sh and RUN_ALL_DAGS store in the metadata database, and what the tasks see.
VARIABLE = "hello-from-the-metadata-db"
CONNECTION_URI = "postgres://demo:secret@db.example.com:5432/analytics"
CONNECTION_HOST = "db.example.com"
# Tasks that take the logical date: as a pendulum DateTime (context) or a templated string.
LOGICAL_DATE_AS_DATETIME = ("snowpark_decorator", f"{DATE}T00:00:00+00:00", "DateTime")
LOGICAL_DATE_AS_STRING = ("snowpark_operator", f"{DATE} 00:00:00+00:00", "str")

# One container: migrate the metadata database, store a Variable and a Connection, list import
# errors, then every DAG (on Airflow 3 through the executor: .ci/example-airflow3.sh).
RUN_ALL_DAGS = f"""
airflow db migrate >/tmp/migrate.log 2>&1 || {{ echo '=== MIGRATE FAILED'; cat /tmp/migrate.log; exit 1; }}
airflow variables set pyenv_greeting {VARIABLE} >/tmp/secrets.log 2>&1 \\
    && airflow connections add pyenv_demo --conn-uri '{CONNECTION_URI}' >>/tmp/secrets.log 2>&1 \\
    || {{ echo '=== SECRETS FAILED'; cat /tmp/secrets.log; exit 1; }}
eval "$AIRFLOW3_SETUP"  # .ci/example-airflow3.sh: on Airflow 3, an API server and --use-executor
echo '=== IMPORT-ERRORS'
airflow dags list-import-errors -o json 2>/dev/null
for dag in "$@"; do
    echo "=== DAG $dag"
    dags_test "$dag" {DATE} /tmp/dag.log
    code=$?
    cat /tmp/dag.log
    task_log_checks "$dag"
    echo "=== EXIT $dag $code"
    # Airflow 3 names the run after the time it ran (and logs the id), Airflow 2 as RUN_ID.
    run_id="$(grep -o 'run_id=manual__[^ ,]*' /tmp/dag.log | tail -n 1 | cut -d= -f2)"
    airflow tasks states-for-dag-run "$dag" "${{run_id:-{RUN_ID}}}" -o json 2>/dev/null
done
"""


@dataclass
class DagRun:
    """What one `airflow dags test` printed, and the states Airflow recorded for the run."""

    exit_code: int | None = None
    log: str = ""
    states: dict[str, str] = field(default_factory=dict)
    checks: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class AllRuns:
    container_exit: int
    output: str
    import_errors: object
    runs: dict[str, DagRun]


def _json_line(text: str) -> object:
    """The CLI's ``-o json`` table in ``text`` (log lines also start with ``[``); [] for none."""
    for line in text.splitlines():
        if line.startswith("[{") or line.strip() == "[]":
            return json.loads(line)
    return [] if "No data found" in text else None


def _parse(output: str) -> tuple[object, dict[str, DagRun]]:
    sections = re.split(r"^=== (IMPORT-ERRORS|DAG \S+|EXIT \S+ -?\d+)$", output, flags=re.MULTILINE)
    import_errors: object = None
    runs: dict[str, DagRun] = {}
    current: DagRun | None = None
    for marker, body in zip(sections[1::2], sections[2::2]):
        if marker == "IMPORT-ERRORS":
            import_errors = _json_line(body)
        elif marker.startswith("DAG "):
            current = runs.setdefault(marker.split()[1], DagRun())
            current.log = body
            for match in re.finditer(r"PYENV-CHECK (task=\S+.*)$", body, re.MULTILINE):
                fields = dict(re.findall(r"(\w+)=(.*?)(?= \w+=|$)", match.group(1)))
                current.checks[fields["task"]] = fields
        elif current is not None:
            current.exit_code = int(marker.split()[2])
            rows = _json_line(body)
            if isinstance(rows, list):
                current.states = {row["task_id"]: row["state"] for row in rows}
    return import_errors, runs


def _project_files(project: Path) -> dict[str, bytes]:
    """The project directory as build-context files (no wheels/, caches or the Dockerfile)."""
    files: dict[str, bytes] = {}
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if path.is_dir() or relative.parts[0] == "wheels" or "__pycache__" in relative.parts:
            continue
        if relative.as_posix() == "Dockerfile":
            continue
        files[relative.as_posix()] = path.read_bytes()
    return files


def _astro_files(wheel: tuple[str, bytes]) -> dict[str, str | bytes]:
    """examples/astro-project's context with the runtime helper's wheel in wheels/."""
    files: dict[str, str | bytes] = {**_project_files(ASTRO_PROJECT)}
    name, content = wheel
    files[f"wheels/{name}"] = content
    return files


def _syntax_args(dockerfile: str, frontend_image: str) -> dict[str, str]:
    """Point the build at ``frontend_image`` when the example's `# syntax=` line names another."""
    if dockerfile.splitlines()[0] == f"# syntax={frontend_image}":
        return {}
    return {"BUILDKIT_SYNTAX": frontend_image}


def _remove(engine: harness.Settings, *images: str) -> None:
    subprocess.run([engine.docker, "image", "rm", "-f", *images], capture_output=True, check=False)


@pytest.fixture(scope="module")
def runtime_helper_wheel() -> Iterator[tuple[str, bytes]]:
    """The astro-pyenv wheel, built from runtime_helper/ as the example's README says."""
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-wheel-") as tmp:
        # Built from a copy (with the VERSION file it reads beside it): setuptools writes build/
        # into the tree it builds, and another test run (the current engine's, beside this one)
        # may build the same package meanwhile.
        source = Path(tmp) / "src" / "runtime_helper"
        shutil.copytree(harness.REPO_ROOT / "runtime_helper", source,
                        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))  # fmt: skip
        shutil.copy2(harness.REPO_ROOT / "VERSION", source.parent / "VERSION")
        command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                   str(source), "-w", tmp]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:  # no setuptools here: let pip fetch the build backend
            command.remove("--no-build-isolation")
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        (wheel,) = Path(tmp).glob("astro_pyenv-*.whl")
        yield wheel.name, wheel.read_bytes()


@pytest.fixture(scope="module", params=["airflow2", "airflow3"])
def airflow(request: pytest.FixtureRequest) -> str:
    """Which runtime the example is built FROM: every test below runs on both."""
    return str(request.param)


def expected_for(airflow: str) -> Expected:
    """EXPECTED, with the tasks a DAG defines on Airflow 3 only."""
    if airflow == "airflow2":
        return EXPECTED
    return {dag: {**tasks, **AIRFLOW3_ONLY.get(dag, {})} for dag, tasks in EXPECTED.items()}


def _build_args(engine: harness.Settings, frontend_image: str, airflow: str) -> dict[str, str]:
    """The frontend (when the `# syntax=` line names another) and the runtime image."""
    dockerfile = (ASTRO_PROJECT / "Dockerfile").read_text()
    runtime = engine.runtime_image if airflow == "airflow2" else engine.runtime3_image
    return {**_syntax_args(dockerfile, frontend_image), "ASTRO_RUNTIME_IMAGE": runtime}


@pytest.fixture(scope="module")
def astro_image(
    engine: harness.Settings, frontend_image: str, runtime_helper_wheel: tuple[str, bytes], airflow: str
) -> Iterator[str]:
    """examples/astro-project built with our frontend (CPython mirror and CA secret when set)."""
    dockerfile = (ASTRO_PROJECT / "Dockerfile").read_text()
    files = _astro_files(runtime_helper_wheel)
    tag = f"astro-pyenv-e2e/example-astro-project:{airflow}"
    result = harness.build(dockerfile, files, _build_args(engine, frontend_image, airflow), tag=tag, settings=engine)
    assert result.ok, result.tail(120)
    yield tag
    _remove(engine, tag)


@pytest.fixture(scope="module")
def dag_runs(astro_image: str) -> AllRuns:
    """Every example DAG run once with `airflow dags test`, in one container without network."""
    dag_ids = sorted(path.stem for path in (ASTRO_PROJECT / "dags").glob("*.py"))
    result = harness.run_in_image(
        astro_image,
        ["bash", "-c", RUN_ALL_DAGS, "run-all-dags", *dag_ids],
        env={"AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW3_SETUP": AIRFLOW3_SETUP.read_text()},
        timeout=1200,
    )
    import_errors, runs = _parse(result.output)
    return AllRuns(result.exit_code, result.output, import_errors, runs)


def test_example_dags_are_the_expected_ones() -> None:
    """Each file in dags/ holds one DAG named like the file, and each is checked below."""
    assert sorted(p.stem for p in (ASTRO_PROJECT / "dags").glob("*.py")) == sorted(EXPECTED)


def test_environments_are_healthy_and_versioned_pythons_on_path(astro_image: str, airflow: str) -> None:
    result = harness.run_in_image(
        astro_image,
        ["bash", "-c", "astro-pyenv doctor && python3.9 --version && python3.13 --version && id -un"],
    )
    assert result.exit_code == 0, result.output
    assert "[OK] snowpark: Python 3.9.2" in result.output
    assert "[OK] modern: Python 3.13.5" in result.output
    assert "pendulum=3.0.0" in result.output
    assert result.output.split()[-5:] == ["Python", "3.9.2", "Python", "3.13.5", "astro"], result.output
    # Per environment: can a task there read Variables and Connections, and what to add if not.
    # (Versions as patterns: the real runtime images label theirs, e.g. 3.1.8+astro.1.)
    said = [line.strip() for line in result.output.splitlines() if line.strip().startswith("Variables and")]
    if airflow == "airflow2":
        expected_lines = [
            r"Variables and Connections in a task: no: Airflow 2\.\S+ hands them to a task through its own "
            r"packages, and this environment has no Airflow",
        ] * 2
    else:
        expected_lines = [
            # modern: PYENV --task-sdk=auto gave it the image's task SDK
            r"Variables and Connections in a task: yes: apache-airflow-task-sdk 1\.\S+, as Airflow 3\.\S+ here runs",
            # snowpark: Python 3.9, which no task SDK that reconnects supports
            r"Variables and Connections in a task: no: apache-airflow-task-sdk 1\.\S+ \(Airflow 3\.\S+ here\) "
            r"needs Python \S+, and this environment runs Python 3\.9\.2",
        ]
    assert len(said) == 2 and all(map(re.fullmatch, expected_lines, said)), result.output


def test_every_dag_file_imports(dag_runs: AllRuns) -> None:
    assert dag_runs.import_errors == [], dag_runs.output[-4000:]


@pytest.mark.parametrize("dag_id", sorted(EXPECTED))
def test_dag_run(dag_runs: AllRuns, dag_id: str, airflow: str) -> None:
    """Every task ends as expected (branches skip the other path) on the Python its env asks for."""
    run = dag_runs.runs.get(dag_id)
    assert run is not None, f"no output for {dag_id}:\n{dag_runs.output[-4000:]}"
    tail = run.log[-6000:]
    assert run.exit_code == 0, tail
    expected = expected_for(airflow)[dag_id]
    assert run.states == {task: state for task, (state, _, _) in expected.items()}, tail
    reported = {task: (c["python"], c["executable"]) for task, c in run.checks.items()}
    assert set(reported) == {task for task, (_, version, _) in expected.items() if version}, tail
    for task, (version, executable) in reported.items():
        _, want_version, want_executable = expected[task]
        assert version == want_version, f"{dag_id}.{task} ran Python {version}, not {want_version}"
        assert want_executable and executable.startswith(want_executable), (
            f"{dag_id}.{task} ran {executable}, not {want_executable}"
        )


@pytest.mark.parametrize("dag_id", ["external_python_env_var", "external_python_runtime_helper",
                                    "astro_pyenv_decorators"])  # fmt: skip
def test_logical_date_reaches_the_isolated_task(dag_runs: AllRuns, dag_id: str) -> None:
    """As a pendulum DateTime through the context, as a string through templated op_kwargs."""
    run = dag_runs.runs[dag_id]
    for task, value, type_name in (LOGICAL_DATE_AS_DATETIME, LOGICAL_DATE_AS_STRING):
        check = run.checks.get(task, {})
        assert (check.get("logical_date"), check.get("logical_date_type")) == (value, type_name), (
            f"{dag_id}.{task}: {check}"
        )


def test_variables_and_connections_reach_the_isolated_tasks(dag_runs: AllRuns, airflow: str) -> None:
    """Stored in the metadata database: templated into the Python 3.9 task, and on Airflow 3 read
    with Variable.get / Connection.get through the task SDK in the Python 3.13 environment."""
    checks = dag_runs.runs["variables_and_connections"].checks
    tasks = ["templated"] if airflow == "airflow2" else ["task_sdk", "templated"]
    assert sorted(checks) == tasks, dag_runs.runs["variables_and_connections"].log[-6000:]
    for task in tasks:
        assert (checks[task]["variable"], checks[task]["connection_host"]) == (VARIABLE, CONNECTION_HOST), checks


def test_plain_python_example(engine: harness.Settings, frontend_image: str) -> None:
    """examples/plain-python: the image's default command reports each environment."""
    dockerfile = (PLAIN_PROJECT / "Dockerfile").read_text()
    tag = "astro-pyenv-e2e/example-plain-python:latest"
    result = harness.build(
        dockerfile,
        _project_files(PLAIN_PROJECT),
        _syntax_args(dockerfile, frontend_image),
        tag=tag,
        settings=engine,
    )
    try:
        assert result.ok, result.tail(120)
        run = harness.run_in_image(tag, [])  # the image's CMD
        assert run.exit_code == 0, run.output
        lines = run.output.splitlines()
        assert lines[0].startswith("base python3: 3."), run.output
        assert lines[1:] == [
            "PYENV-CHECK env=legacy python=3.9.2 executable=/opt/astro-pyenv/venvs/legacy/bin/python",
            "PYENV-CHECK env=modern python=3.13.5 executable=/opt/astro-pyenv/venvs/modern/bin/python",
            "legacy has six 1.16.0",
        ], run.output
    finally:
        _remove(engine, tag)


def test_editing_a_dag_runs_no_pyenv_step(
    engine: harness.Settings,
    frontend_image: str,
    runtime_helper_wheel: tuple[str, bytes],
    astro_image: str,
    airflow: str,
) -> None:
    """The user's inner loop: after a DAG edit the interpreters and venvs all come from cache."""
    dockerfile = (ASTRO_PROJECT / "Dockerfile").read_text()
    files = _astro_files(runtime_helper_wheel)
    files["dags/branch_external_python.py"] = (ASTRO_PROJECT / "dags/branch_external_python.py").read_bytes() + b"\n# an edit\n"
    result = harness.build(dockerfile, files, _build_args(engine, frontend_image, airflow), settings=engine)
    try:
        assert result.ok, result.tail(120)
        steps = re.findall(r"^#(\d+) \[(pyenv-[\w.-]+) [^\]]*\] RUN", result.log, re.MULTILINE)
        stages = {stage for _, stage in steps}
        # Interpreter stages have a RUN step only when they compile (no prebuilt image matched).
        assert {"pyenv-venv-snowpark", "pyenv-venv-modern"} <= stages, result.tail(80)
        ran = sorted({stage for step, stage in steps if not re.search(rf"^#{step} CACHED$", result.log, re.MULTILINE)})
        ran.remove(harness.SECRETS_DIGEST_STAGE)  # runs on every build, by design
        assert not ran, f"PYENV stages ran again after a DAG edit: {ran}\n{result.tail(80)}"
    finally:
        if result.image_id:
            _remove(engine, result.image_id)
