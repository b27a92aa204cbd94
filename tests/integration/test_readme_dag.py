"""The README's DAG, as a user copies it, runs its task in the named environment on real
Airflow 2.x and 3.x (the image's ``ASTRO_PYENV_snowpark`` is here a venv of another Python)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from it_support import REPO, clean_environ, run_python

RUN = r"""
import json, sys
try:
    from airflow.dag_processing.dagbag import DagBag   # Airflow 3.1+
except ImportError:
    from airflow.models.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print("IMPORT_ERRORS=" + json.dumps({k: str(v) for k, v in bag.import_errors.items()}))
print("DAGS=" + json.dumps(sorted(bag.dag_ids)))
dr = bag.get_dag(bag.dag_ids[0]).test()
print("STATES=" + json.dumps({ti.task_id: getattr(ti.state, "value", ti.state) for ti in dr.get_task_instances()}))
"""


def _readme_dag() -> str:
    top = "".join((REPO / "README.md").read_text().splitlines(keepends=True)[:60])
    (dag,) = re.findall(r"^```python\n(.*?)^```", top, re.MULTILINE | re.DOTALL)
    return dag


def _marker(output: str, key: str) -> str:
    for line in output.splitlines():
        if line.startswith(key + "="):
            return line[len(key) + 1 :]
    raise AssertionError(f"{key} not in output:\n{output[-8000:]}")


def test_the_readme_dag_runs_its_task_in_the_environment(
    airflow_python: Path, airflow_home: Path, task_python: Path, tmp_path: Path
) -> None:
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "hello_pyenv.py").write_text(_readme_dag())
    env = clean_environ(
        airflow_home,
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),  # Airflow 3's dag.test() serializes the DAGs folder's DAGs
        ASTRO_PYENV_snowpark=str(task_python),
    )
    proc = run_python(airflow_python, RUN, [str(dags)], env)
    assert proc.returncode == 0, proc.stdout[-8000:]
    assert json.loads(_marker(proc.stdout, "IMPORT_ERRORS")) == {}
    assert json.loads(_marker(proc.stdout, "DAGS")) == ["hello_pyenv"]
    assert json.loads(_marker(proc.stdout, "STATES")) == {"python_version": "success"}, proc.stdout[-8000:]
