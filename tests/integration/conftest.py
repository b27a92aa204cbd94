"""Session fixtures: one cached venv per Airflow major version, a task venv of another Python."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from it_support import (
    AIRFLOW_VERSIONS,
    DAGS,
    HOST_PYTHON_MINOR,
    TASK_PYTHON_MINOR,
    airflow_venv,
    clean_environ,
    find_python,
)


@pytest.fixture(scope="session", params=sorted(AIRFLOW_VERSIONS), ids=sorted(AIRFLOW_VERSIONS))
def airflow_python(request: pytest.FixtureRequest) -> Path:
    base = find_python(HOST_PYTHON_MINOR)
    if base is None:
        pytest.skip(f"no Python {HOST_PYTHON_MINOR} for Airflow")
    return airflow_venv(AIRFLOW_VERSIONS[request.param], base)


@pytest.fixture(scope="session")
def task_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain venv (stdlib only) of a different Python version than Airflow's."""
    base = find_python(TASK_PYTHON_MINOR)
    if base is None:
        pytest.skip(f"no Python {TASK_PYTHON_MINOR} for the task venv")
    venv = tmp_path_factory.mktemp("task-venv") / "venv"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    return venv / "bin" / "python"


@pytest.fixture(scope="session")
def airflow_home(airflow_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh AIRFLOW_HOME per Airflow version: migrated sqlite DB, our DAG in its dags folder."""
    home = tmp_path_factory.mktemp("airflow-home")
    (home / "dags").mkdir(parents=True)
    shutil.copy(DAGS / "pyenv_dag.py", home / "dags" / "pyenv_dag.py")
    proc = subprocess.run(
        [str(airflow_python), "-m", "airflow", "db", "migrate"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_environ(home),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-5000:]
    return home
