"""The same tasks with the path from the runtime helper: `astro_pyenv.resolve_python(name)`.

It returns what ASTRO_PYENV_<name> holds after checking it is an absolute path to an
executable. Where the environment is missing, the import error of this file names the variable,
lists the environments the image does have and the PYENV line to add, instead of a bare
KeyError. To resolve only when the task runs, use @task.pyenv (astro_pyenv_decorators.py).
"""

from datetime import datetime

from airflow.decorators import dag, task
from airflow.operators.python import ExternalPythonOperator

from astro_pyenv import resolve_python


def snowpark_with_op_kwargs(logical_date_from_op_kwargs):
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
def external_python_runtime_helper():
    @task.external_python(python=resolve_python("snowpark"))
    def snowpark_decorator(logical_date):
        import sys

        print(
            f"PYENV-CHECK task=snowpark_decorator python={sys.version.split()[0]} "
            f"executable={sys.executable} logical_date={logical_date.isoformat()} "
            f"logical_date_type={type(logical_date).__name__}"
        )

    ExternalPythonOperator(
        task_id="snowpark_operator",
        python=resolve_python("snowpark"),
        python_callable=snowpark_with_op_kwargs,
        op_kwargs={"logical_date_from_op_kwargs": "{{ logical_date }}"},
    )

    @task.external_python(python=resolve_python("modern"))
    def modern_decorator(ds):
        # `modern` has no pendulum: string context values such as ds still arrive.
        import sys

        print(
            f"PYENV-CHECK task=modern_decorator python={sys.version.split()[0]} "
            f"executable={sys.executable} ds={ds}"
        )

    snowpark_decorator()
    modern_decorator()


external_python_runtime_helper()
