"""The example project on this machine, as Astro CLI's standalone mode runs it (issue 27):
`astro-pyenv-frontend standalone` makes its PYENV environments from the prebuilt interpreter
images in the local registry (the catalog of `make interpreters`), then Airflow from PyPI on the
host runs the project's DAG of isolated tasks (`@task.pyenv`, `PyenvOperator`, their branch
forms) with the variables the command wrote to the project's .env, and each task runs under the
interpreter version the image has.  Needs the registry (skipped locally when it does not answer,
failed in CI) and PyPI (the snowpark requirements; on Airflow 3 the task SDK of --task-sdk=auto).
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from astro_pyenv_frontend.host import host_platform
from astro_pyenv_frontend.prebuilt import parse_catalog

from it_support import REPO, clean_environ, run_python

EXAMPLE = REPO / "examples" / "astro-project"
DAG = "astro_pyenv_decorators"
REGISTRY = os.environ.get("ASTRO_PYENV_REGISTRY", "127.0.0.1:5000")
CLI = str(Path(sys.executable).parent / "astro-pyenv-frontend")
# What the example's PYENV lines name, and which tasks run in which environment.
VERSIONS = {"snowpark": "3.9.2", "modern": "3.13.5"}
TASKS = {
    "snowpark_decorator": "snowpark",
    "snowpark_operator": "snowpark",
    "choose_by_month": "modern",
    "choose_by_hour": "modern",
}
RUN = r"""
import json, sys
try:
    from airflow.dag_processing.dagbag import DagBag   # Airflow 3.1+
except ImportError:
    from airflow.models.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print("IMPORT_ERRORS=" + json.dumps({k: str(v) for k, v in bag.import_errors.items()}))
dr = bag.get_dag(sys.argv[2]).test()
print("STATES=" + json.dumps({ti.task_id: getattr(ti.state, "value", ti.state) for ti in dr.get_task_instances()}))
"""
CHECK = re.compile(r"PYENV-CHECK task=(\S+) python=(\S+) executable=(\S+)")


def _unavailable(message: str) -> None:
    """Fail in CI, skip elsewhere (as the e2e fixtures do)."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _wait_for_a_build_of(catalog: Path, seconds: float = 3600) -> None:
    """CI makes the interpreters in the background while these tests run (.ci/run), holding a lock
    on the catalog (interpreters/build.sh): wait until that build lets go of it."""
    lock = catalog.with_name(catalog.name + ".lock")
    if not lock.exists():
        return
    deadline = time.monotonic() + seconds
    with open(lock, "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    _unavailable(f"a build of {catalog} held {lock} for {seconds:.0f} s")
                time.sleep(5)


@pytest.fixture(scope="module")
def catalog() -> Path:
    """The catalog of `make interpreters`, once the registry that holds its images answers."""
    try:
        urllib.request.urlopen(f"http://{REGISTRY}/v2/", timeout=5).close()
    except (urllib.error.URLError, OSError) as err:
        _unavailable(f"no registry answers at http://{REGISTRY}/v2/ ({err}): start one with `make registry`")
    path = Path(os.environ.get("ASTRO_PYENV_PREBUILT_CATALOG") or REPO / "build" / "prebuilt" / "catalog.json").resolve()
    _wait_for_a_build_of(path)
    if not path.is_file():
        _unavailable(f"no prebuilt catalog at {path}: make the interpreters with `make e2e-interpreters`")
    entries = parse_catalog(path.read_text()).entries
    missing = [v for v in VERSIONS.values() if not any(e.version == v and host_platform() in e.platforms for e in entries)]
    if missing:
        _unavailable(f"{path} has no {', '.join(missing)} for {host_platform()}: `make e2e-interpreters` makes them")
    return path


def _standalone(project: Path, catalog: Path, airflow_python: Path) -> subprocess.CompletedProcess[str]:
    argv = [CLI, "standalone", "-f", str(project / "Dockerfile"), "--catalog", str(catalog),
            "--airflow-python", str(airflow_python)]  # fmt: skip
    return subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=1800)


def _dotenv(project: Path) -> dict[str, str]:
    lines = (project / ".env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.startswith("ASTRO_PYENV_"))


def test_the_example_dag_runs_its_isolated_tasks_in_the_image_s_interpreters_on_the_host(
    airflow_python: Path, airflow_home: Path, catalog: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("dags"))
    (project / "dags").mkdir()
    shutil.copy(EXAMPLE / "dags" / f"{DAG}.py", project / "dags")
    (project / ".env").write_text("AIRFLOW__CORE__DEFAULT_TIMEZONE=utc\n")

    made = _standalone(project, catalog, airflow_python)
    assert made.returncode == 0, made.stderr[-8000:]
    lines = {
        found.group(1): number
        for number, text in enumerate((project / "Dockerfile").read_text().splitlines(), 1)
        if (found := re.match(r"PYENV (?:--\S+ )*\S+ (\S+)", text))
    }
    for name, version in VERSIONS.items():
        assert re.search(rf"CPython {version}: prebuilt for glibc .*\(line {lines[name]}\)", made.stderr), made.stderr
    variables = _dotenv(project)
    root = project / ".venv" / "astro-pyenv"
    assert variables == {f"ASTRO_PYENV_{name}": str(root / "venvs" / name / "bin" / "python") for name in VERSIONS}
    assert (project / ".env").read_text().startswith("AIRFLOW__CORE__DEFAULT_TIMEZONE=utc\n# >>> astro-pyenv")

    env = clean_environ(airflow_home, AIRFLOW__CORE__DAGS_FOLDER=str(project / "dags"), **variables)
    ran = run_python(airflow_python, RUN, [str(project / "dags"), DAG], env, timeout=600)
    assert ran.returncode == 0, ran.stdout[-8000:]
    assert "IMPORT_ERRORS={}" in ran.stdout
    states = json.loads(next(line[7:] for line in ran.stdout.splitlines() if line.startswith("STATES=")))
    assert {task: states[task] for task in TASKS} == dict.fromkeys(TASKS, "success"), ran.stdout[-8000:]
    assert sorted(states[t] for t in ("january", "other_month")) == ["skipped", "success"]
    seen = {task: (python, executable) for task, python, executable in CHECK.findall(ran.stdout)}
    assert seen == {
        task: (VERSIONS[name], str(root / "venvs" / name / "bin" / "python")) for task, name in TASKS.items()
    }, ran.stdout[-8000:]
    for name, version in VERSIONS.items():  # the venvs' base interpreters are the images' directories
        base = subprocess.run([variables[f"ASTRO_PYENV_{name}"], "-c", "import sys; print(sys.base_prefix)"],
                              capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        assert base == str(root / "python" / version)

    again = _standalone(project, catalog, airflow_python)
    assert again.returncode == 0, again.stderr[-8000:]
    assert "fetched" not in again.stderr and again.stderr.count(": unchanged") == 3, again.stderr
