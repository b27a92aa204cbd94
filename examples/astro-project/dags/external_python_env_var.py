"""The guide's pattern: the interpreter path from the variable each PYENV line sets.

`PYENV 3.9.2 snowpark requirements-snowpark.txt` sets ASTRO_PYENV_snowpark in the image, and
`PYENV 3.13.5 modern` sets ASTRO_PYENV_modern. `os.environ[...]` is read when the DAG file is
parsed, so this file fails to import (KeyError) wherever the variable is missing, e.g. a CI job
that only parses DAGs. See external_python_runtime_helper.py and astro_pyenv_decorators.py for
the ways that give a clear error, or none at parse time.
"""

import os
from datetime import datetime

from airflow.decorators import dag, task
from airflow.operators.python import ExternalPythonOperator


def snowpark_with_op_kwargs(logical_date_from_op_kwargs):
    # Runs in the snowpark venv. A templated op_kwargs value arrives as a string.
    import sys

    print(
        f"PYENV-CHECK task=snowpark_operator python={sys.version.split()[0]} "
        f"executable={sys.executable} logical_date={logical_date_from_op_kwargs} "
        f"logical_date_type={type(logical_date_from_op_kwargs).__name__}"
    )


@dag(
    start_date=datetime(2024, 1, 1),
    schedule=None,
    catchup=False,
    tags=["astro-pyenv", "external_python"],
)
def external_python_env_var():
    @task.external_python(python=os.environ["ASTRO_PYENV_snowpark"])
    def snowpark_decorator(logical_date):
        # logical_date arrives as a pendulum DateTime: pendulum is in requirements-snowpark.txt.
        import sys

        print(
            f"PYENV-CHECK task=snowpark_decorator python={sys.version.split()[0]} "
            f"executable={sys.executable} logical_date={logical_date.isoformat()} "
            f"logical_date_type={type(logical_date).__name__}"
        )
        return sys.version.split()[0]

    ExternalPythonOperator(
        task_id="snowpark_operator",
        python=os.environ["ASTRO_PYENV_snowpark"],
        python_callable=snowpark_with_op_kwargs,
        op_kwargs={"logical_date_from_op_kwargs": "{{ logical_date }}"},
    )

    @task.external_python(python=os.environ["ASTRO_PYENV_modern"])
    def modern_decorator():
        import sys

        print(
            f"PYENV-CHECK task=modern_decorator python={sys.version.split()[0]} "
            f"executable={sys.executable}"
        )
        return {"python": sys.version.split()[0]}

    @task
    def report(snowpark_version, modern):
        # A regular task in Airflow's own Python; the isolated tasks' results arrive via XCom.
        print(f"snowpark ran Python {snowpark_version}, modern ran Python {modern['python']}")

    report(snowpark_decorator(), modern_decorator())


external_python_env_var()
