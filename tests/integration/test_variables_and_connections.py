"""Variables and Connections in a task venv, with real Airflow 2.x and 3.x from PyPI.

On Airflow 3 a venv with the task SDK of the host's Airflow reads a Variable and a Connection
stored in the metadata database (through the task's supervisor, apache/airflow #57212 and
#58148), and `astro-pyenv doctor` says so per environment; on Airflow 2 the doctor says how
it works there.

The DAG runs with `dag.test(use_executor=True)`: LocalExecutor, the real supervisor and an
Execution API server on 127.0.0.1, as in a deployment. Without the executor, `dag.test()`'s
in-process supervisor never answers a venv task's request (apache/airflow#65587; see
.ci/example-airflow3.sh).
"""
from __future__ import annotations

import contextlib
import json
import secrets
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from it_support import _run, cache_root, clean_environ, constraints_file, find_python, run_python

SDK_PYTHON_MINOR = "3.12"  # a Python today's task SDK supports, other than Airflow's

SECRETS_DAG = '''
import datetime
from airflow.sdk import DAG, task

with DAG(dag_id="pyenv_secrets", start_date=datetime.datetime(2024, 1, 1), schedule=None) as dag:

    @task.pyenv("sdk_env")
    def read_them():
        import json, os, sys
        from airflow.sdk import Connection, Variable

        found = {"executable": sys.executable, "variable": Variable.get("pyenv_greeting"),
                 "host": Connection.get("pyenv_demo").host}
        with open(os.path.join(os.environ["PYENV_TEST_RESULT_DIR"], "read_them.json"), "w") as out:
            json.dump(found, out)

    @task.pyenv("old_env")
    def templated(greeting, host):
        import json, os, sys

        found = {"executable": sys.executable, "variable": greeting, "host": host}
        with open(os.path.join(os.environ["PYENV_TEST_RESULT_DIR"], "templated.json"), "w") as out:
            json.dump(found, out)

    read_them()
    templated(greeting="{{ var.value.pyenv_greeting }}", host="{{ conn.pyenv_demo.host }}")
'''

RUN_SECRETS_DAG = r"""
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
dr = bag.get_dag("pyenv_secrets").test(use_executor=True)
states = {ti.task_id: getattr(ti.state, "value", ti.state) for ti in dr.get_task_instances()}
print("RESULT=" + json.dumps(states))
"""


def _versions(python: Path, *names: str) -> list[str]:
    script = "import sys; from importlib.metadata import version; print(' '.join(version(n) for n in sys.argv[1:]))"
    return subprocess.check_output([str(python), "-c", script, *names], text=True).split()


def _major(airflow_python: Path) -> int:
    return int(_versions(airflow_python, "apache-airflow")[0].split(".")[0])


@pytest.fixture(scope="session")
def sdk_python(airflow_python: Path) -> Path:
    """A Python 3.12 venv with the host's apache-airflow-task-sdk and -core (Airflow 3 only)."""
    if _major(airflow_python) < 3:
        pytest.skip("the task SDK is Airflow 3's")
    base = find_python(SDK_PYTHON_MINOR)
    if base is None:
        pytest.skip(f"no Python {SDK_PYTHON_MINOR} for the task SDK venv")
    sdk, core = _versions(airflow_python, "apache-airflow-task-sdk", "apache-airflow-core")
    venv = cache_root() / f"task-sdk-{sdk}-py{SDK_PYTHON_MINOR}"
    ready = venv / ".astro-pyenv-ready"
    # Their dependencies pinned as for the host's Airflow on this Python.
    constraints = constraints_file(_versions(airflow_python, "apache-airflow")[0], SDK_PYTHON_MINOR)
    pins = constraints.read_text(encoding="utf-8")
    if not ready.exists() or ready.read_text(encoding="utf-8") != pins:
        _run([str(base), "-m", "venv", "--clear", str(venv)])
        pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
        # What PYENV --task-sdk=auto installs: the host's task SDK and Airflow core.
        _run(pip + ["install", "-c", str(constraints), f"apache-airflow-task-sdk=={sdk}", f"apache-airflow-core=={core}"])
        ready.write_text(pins, encoding="utf-8")
    return venv / "bin" / "python"


def _doctor(airflow_python: Path, home: Path, **environments: Path) -> dict[str, dict]:
    env = clean_environ(home, **{f"ASTRO_PYENV_{name}": str(path) for name, path in environments.items()})
    proc = subprocess.run(
        [str(airflow_python), "-m", "astro_pyenv", "doctor", "--json"],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {check["name"]: check["variables_and_connections"] for check in json.loads(proc.stdout)}


def test_doctor_on_airflow_2(airflow_python: Path, airflow_home: Path, task_python: Path) -> None:
    if _major(airflow_python) >= 3:
        pytest.skip("Airflow 2's answer")
    (airflow,) = _versions(airflow_python, "apache-airflow")
    said = _doctor(airflow_python, airflow_home, old_env=task_python)
    assert said["old_env"]["available"] is False
    assert said["old_env"]["detail"] == (
        f"Airflow {airflow} hands them to a task through its own packages, and this environment has no Airflow"
    )
    assert said["old_env"]["fix"].endswith(f"or install apache-airflow=={airflow} here")


def test_doctor_on_airflow_3(airflow_python: Path, airflow_home: Path, task_python: Path, sdk_python: Path) -> None:
    airflow, sdk = _versions(airflow_python, "apache-airflow", "apache-airflow-task-sdk")
    said = _doctor(airflow_python, airflow_home, old_env=task_python, sdk_env=sdk_python)
    assert said["sdk_env"] == {
        "available": True,
        "detail": f"apache-airflow-task-sdk {sdk}, as Airflow {airflow} here runs",
        "fix": None,
    }
    assert said["old_env"]["available"] is False
    # The task venv runs Python 3.9, which no task SDK that reconnects supports.
    assert "needs Python" in said["old_env"]["detail"], said["old_env"]
    assert said["old_env"]["fix"].startswith("pass them to the task as templated arguments")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _api_server(airflow_python: Path, env: dict[str, str]) -> Iterator[None]:
    """`airflow api-server` on a free 127.0.0.1 port; ``env`` gets the settings the executor needs."""
    port = _free_port()
    env.update(
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_hex(32),
        AIRFLOW__CORE__EXECUTOR="LocalExecutor",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
    )
    log = Path(env["AIRFLOW_HOME"]) / "api-server.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(airflow_python), "-m", "airflow", "api-server", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/version", timeout=5)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()[-5000:]
                time.sleep(1)
        yield
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_a_venv_task_reads_a_variable_and_a_connection_from_the_database(
    airflow_python: Path, airflow_home: Path, task_python: Path, sdk_python: Path, tmp_path: Path
) -> None:
    results, dags = tmp_path / "results", tmp_path / "dags"
    results.mkdir()
    dags.mkdir()
    (dags / "pyenv_secrets.py").write_text(SECRETS_DAG)
    env = clean_environ(
        airflow_home,
        ASTRO_PYENV_sdk_env=str(sdk_python),
        ASTRO_PYENV_old_env=str(task_python),
        PYENV_TEST_RESULT_DIR=str(results),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),  # dag.test() serializes the DAGs of this folder
        # LocalExecutor forks this many workers at once (32 by default); fewer workers, fewer
        # shutdown messages to lose (.ci/example-airflow3.sh says more)
        AIRFLOW__CORE__PARALLELISM="4",
    )
    for command in (
        ["variables", "set", "pyenv_greeting", "hello-from-the-metadata-db"],
        ["connections", "add", "pyenv_demo", "--conn-uri", "postgres://demo:secret@db.example.com:5432/analytics"],
    ):
        done = subprocess.run([str(airflow_python), "-m", "airflow", *command], capture_output=True, text=True,
                              env=env, timeout=300)  # fmt: skip
        assert done.returncode == 0 or "already exists" in done.stdout + done.stderr, done.stdout + done.stderr
    # dag.test(use_executor=True) runs the LocalExecutor, which can deadlock under load in Airflow
    # 3.3 (apache/airflow#70526, dispatch; #67870, shutdown): then the test fails after 5 minutes
    # (46 s at load 7 here) saying where each process is blocked.
    with _api_server(airflow_python, env):
        proc = run_python(airflow_python, RUN_SECRETS_DAG, [str(dags)], env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-8000:]
    states = json.loads(proc.stdout.split("RESULT=", 1)[1].splitlines()[0])
    assert states == {"read_them": "success", "templated": "success"}, proc.stdout[-8000:]
    expected = {"variable": "hello-from-the-metadata-db", "host": "db.example.com"}
    assert json.loads((results / "read_them.json").read_text()) == {"executable": str(sdk_python), **expected}
    assert json.loads((results / "templated.json").read_text()) == {"executable": str(task_python), **expected}
