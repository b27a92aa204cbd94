"""Real Airflow (latest 2.x and 3.x from PyPI) running tasks in a venv of another Python version."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from it_support import clean_environ, run_python

# Parses the DAG folder, prints import errors, optionally runs the DAG with dag.test().
RUN_DAG = r"""
import json, sys
try:
    from airflow.dag_processing.dagbag import DagBag   # Airflow 3.1+
except ImportError:
    from airflow.models.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print("IMPORT_ERRORS=" + json.dumps({k: str(v) for k, v in bag.import_errors.items()}))
dag = bag.get_dag("pyenv_integration")
print("TASKS=" + json.dumps(sorted(dag.task_dict) if dag else None))
if sys.argv[2] == "run":
    dr = dag.test()
    states = {ti.task_id: getattr(ti.state, "value", ti.state) for ti in dr.get_task_instances()}
    print("STATES=" + json.dumps(states))
    print("RUN_STATE=" + str(getattr(dr.state, "value", dr.state)))
    print("LOGICAL_DATE=" + str(getattr(dr, "logical_date", None) or dr.execution_date))
"""

ALL_TASKS = ["b_no", "b_yes", "branch", "collect", "decorated", "decorated_branch", "left", "right", "traditional"]


def _marker(output: str, key: str):
    for line in output.splitlines():
        if line.startswith(key + "="):
            return line[len(key) + 1:]
    raise AssertionError(f"{key} not in output:\n{output[-8000:]}")


def test_dag_runs_tasks_in_the_pyenv_interpreter(airflow_python: Path, airflow_home: Path, task_python: Path) -> None:
    result_file = airflow_home / f"result-{airflow_python.parent.parent.name}.json"
    task_minor = subprocess.check_output(
        [str(task_python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], text=True
    ).strip()
    env = clean_environ(
        airflow_home,
        ASTRO_PYENV_task_env=str(task_python),
        PYENV_TEST_EXPECTED_MINOR=task_minor,
        PYENV_TEST_RESULT_FILE=str(result_file),
    )
    proc = run_python(airflow_python, RUN_DAG, [str(airflow_home / "dags"), "run"], env)
    out = proc.stdout
    assert proc.returncode == 0, out[-8000:]
    assert json.loads(_marker(out, "IMPORT_ERRORS")) == {}
    states = json.loads(_marker(out, "STATES"))
    assert states == {
        "decorated": "success",
        "traditional": "success",
        "branch": "success",
        "left": "success",  # choose() returns "left" only in the task venv's Python version
        "right": "skipped",
        "decorated_branch": "success",
        "b_yes": "success",
        "b_no": "skipped",
        "collect": "success",
    }, out[-8000:]
    assert _marker(out, "RUN_STATE") == "success"

    # XComs of the pyenv tasks, handed by Airflow to a downstream task that wrote them out.
    result = json.loads(result_file.read_text())
    assert result["decorated"] == {"executable": str(task_python), "doubled": 42}
    traditional = result["traditional"]
    assert traditional["executable"] == str(task_python)
    assert "%d.%d" % tuple(traditional["version"][:2]) == task_minor
    host_minor = subprocess.check_output(
        [str(airflow_python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], text=True
    ).strip()
    assert host_minor != task_minor
    # op_kwargs={"logical_date_from_op_kwargs": "{{ logical_date }}"} was rendered before shipping.
    assert "{{" not in traditional["logical_date"]
    assert traditional["logical_date"] == _marker(out, "LOGICAL_DATE")


def test_dag_parses_without_the_environment(airflow_python: Path, airflow_home: Path) -> None:
    proc = run_python(airflow_python, RUN_DAG, [str(airflow_home / "dags"), "parse"], clean_environ(airflow_home))
    assert proc.returncode == 0, proc.stdout[-8000:]
    assert json.loads(_marker(proc.stdout, "IMPORT_ERRORS")) == {}
    assert json.loads(_marker(proc.stdout, "TASKS")) == ALL_TASKS


def test_missing_environment_fails_the_tasks_with_the_clear_error(
    airflow_python: Path, airflow_home: Path, task_python: Path
) -> None:
    env = clean_environ(airflow_home, ASTRO_PYENV_other_env=str(task_python))
    proc = run_python(airflow_python, RUN_DAG, [str(airflow_home / "dags"), "run"], env)
    out = proc.stdout
    states = json.loads(_marker(out, "STATES"))
    for task_id in ("decorated", "traditional", "branch", "decorated_branch"):
        assert states[task_id] == "failed", (task_id, states)
    assert _marker(out, "RUN_STATE") == "failed"
    assert (
        "PyenvNotDefinedError: Python environment 'task_env' is not defined: environment variable "
        "ASTRO_PYENV_task_env is not set. Environments defined in this image: other_env. "
        "To create it, add this line to your Dockerfile and rebuild the image: "
        "PYENV <python-version> task_env [<requirements-file>]"
    ) in out


# Calls the operator's Airflow version check against a target venv whose apache-airflow metadata
# carries (or lacks) Astro's local version label, then the context keys that follow from it.
VERSION_CHECK = r"""
import json, sys
import airflow
from astro_pyenv.operators import PyenvOperator

def f():
    pass

target, host_version = sys.argv[1], sys.argv[2]
airflow.__version__ = host_version  # what Astro Runtime reports, e.g. 2.7.2+astro.3
op = PyenvOperator(task_id="t", pyenv="x", python_callable=f)
op.python = target
keys = set(op._iter_serializable_context_keys())
print("RESULT=" + json.dumps({"version": op._get_airflow_version_from_target_env(),
                              "dag_key": "dag" in keys, "logical_date_key": "logical_date" in keys}))
"""


def _fake_airflow_target(base_python: Path, where: Path, version: str) -> Path:
    subprocess.run([str(base_python), "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    site = subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip()
    dist = Path(site) / f"apache_airflow-{version}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: apache-airflow\nVersion: {version}\n")
    return python


def _version_check(airflow_python: Path, home: Path, target: Path, host_version: str) -> dict:
    proc = run_python(airflow_python, VERSION_CHECK, [str(target), host_version], clean_environ(home))
    assert proc.returncode == 0, proc.stdout[-8000:]
    return json.loads(_marker(proc.stdout, "RESULT"))


def test_airflow_version_check_tolerates_local_version_labels(
    airflow_python: Path, airflow_home: Path, task_python: Path, tmp_path: Path
) -> None:
    version = subprocess.check_output(
        [str(airflow_python), "-c", "from importlib.metadata import version; print(version('apache-airflow'))"],
        text=True,
    ).strip()
    plain = _fake_airflow_target(task_python, tmp_path / "plain", version)
    labelled = _fake_airflow_target(task_python, tmp_path / "labelled", version + "+astro.3")
    other = _fake_airflow_target(task_python, tmp_path / "other", "2.0.0")

    # Host has Astro's label, venv the plain release: same Airflow, context keys are passed.
    assert _version_check(airflow_python, airflow_home, plain, version + "+astro.3") == {
        "version": version, "dag_key": True, "logical_date_key": True,
    }
    # And the other way round.
    assert _version_check(airflow_python, airflow_home, labelled, version)["version"] == version + "+astro.3"
    # A real mismatch is still refused, and no Airflow at all is refused.
    assert _version_check(airflow_python, airflow_home, other, version + "+astro.3") == {
        "version": None, "dag_key": False, "logical_date_key": False,
    }
    assert _version_check(airflow_python, airflow_home, task_python, version)["version"] is None
