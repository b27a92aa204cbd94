"""DAG used by the integration tests; it must parse without ASTRO_PYENV_* set."""
from __future__ import annotations

import datetime
import json
import os

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task

from astro_pyenv.operators import BranchPyenvOperator, PyenvOperator

ENV = os.environ.get("PYENV_TEST_ENV_NAME", "task_env")


def which_python_with_date(logical_date_from_op_kwargs):
    import sys

    return {"executable": sys.executable, "version": list(sys.version_info[:3]),
            "logical_date": logical_date_from_op_kwargs}


def choose(branch_hint):
    import sys

    return "left" if sys.version_info[:2] == tuple(int(p) for p in branch_hint.split(".")) else "right"


with DAG(
    dag_id="pyenv_integration",
    start_date=datetime.datetime(2024, 1, 1),
    schedule=None,
    catchup=False,
) as dag:

    @task.pyenv(ENV)
    def decorated(x: int):
        # A comment the shipped source may keep.
        import sys

        return {"executable": sys.executable, "doubled": x * 2}

    @task.branch_pyenv(ENV)
    def decorated_branch(expected: str):
        import sys

        return "b_yes" if "%d.%d" % sys.version_info[:2] == expected else "b_no"

    traditional = PyenvOperator(
        task_id="traditional",
        pyenv=ENV,
        python_callable=which_python_with_date,
        op_kwargs={"logical_date_from_op_kwargs": "{{ logical_date }}"},
    )
    branch = BranchPyenvOperator(
        task_id="branch",
        pyenv=ENV,
        python_callable=choose,
        op_kwargs={"branch_hint": os.environ.get("PYENV_TEST_EXPECTED_MINOR", "0.0")},
    )

    @task
    def left():
        return "left"

    @task
    def right():
        return "right"

    @task
    def b_yes():
        return "b_yes"

    @task
    def b_no():
        return "b_no"

    @task(trigger_rule="all_done")
    def collect(decorated_result, traditional_result):
        path = os.environ.get("PYENV_TEST_RESULT_FILE")
        if path:
            with open(path, "w") as fh:
                json.dump({"decorated": decorated_result, "traditional": traditional_result}, fh)

    d = decorated(21)
    branch >> [left(), right()]
    decorated_branch(os.environ.get("PYENV_TEST_EXPECTED_MINOR", "0.0")) >> [b_yes(), b_no()]
    collect(d, traditional.output)
