"""A DAG written for astro-provider-venv runs after the one-token change docs/migration.md describes
(``@task.venv`` -> ``@task.pyenv``), on real Airflow 2.x and 3.x."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from it_support import clean_environ, run_python

DAGS = Path(__file__).parent / "dags_migrated"

RUN = r"""
import json, sys
try:
    from airflow.dag_processing.dagbag import DagBag   # Airflow 3.1+
except ImportError:
    from airflow.models.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print("IMPORT_ERRORS=" + json.dumps({k: str(v) for k, v in bag.import_errors.items()}))
dr = bag.get_dag("migrated_from_provider_venv").test()
print("STATES=" + json.dumps({ti.task_id: getattr(ti.state, "value", ti.state) for ti in dr.get_task_instances()}))
"""


def _marker(output: str, key: str) -> str:
    for line in output.splitlines():
        if line.startswith(key + "="):
            return line[len(key) + 1 :]
    raise AssertionError(f"{key} not in output:\n{output[-8000:]}")


def test_the_migrated_readme_dag_runs_its_task_in_the_named_environment(
    airflow_python: Path, airflow_home: Path, task_python: Path, tmp_path: Path
) -> None:
    result_file = tmp_path / "result.json"
    env = clean_environ(
        airflow_home,
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),  # Airflow 3's dag.test() serializes the DAGs folder's DAGs
        ASTRO_PYENV_python_310=str(task_python),
        MIGRATION_RESULT_FILE=str(result_file),
    )
    proc = run_python(airflow_python, RUN, [str(DAGS)], env)
    assert proc.returncode == 0, proc.stdout[-8000:]
    assert json.loads(_marker(proc.stdout, "IMPORT_ERRORS")) == {}
    states = json.loads(_marker(proc.stdout, "STATES"))
    assert states == {"print_python": "success", "venv_task": "success", "analyze": "success"}, proc.stdout[-8000:]
    task_minor = subprocess.check_output(
        [str(task_python), "-c", "import sys; print(list(sys.version_info[:2]))"], text=True
    ).strip()
    result = json.loads(result_file.read_text())
    assert result["executable"] == str(task_python)
    assert result["version"] == json.loads(task_minor)
