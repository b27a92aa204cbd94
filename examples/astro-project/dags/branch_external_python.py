"""@task.branch_external_python: the branch decision runs in a PYENV environment.

The callable returns the task_id to follow; Airflow skips the other downstream task.
"""

from datetime import datetime

from airflow.decorators import dag, task

from astro_pyenv import resolve_python


@dag(
    start_date=datetime(2024, 1, 1),
    schedule=None,
    catchup=False,
    tags=["astro-pyenv", "branching"],
)
def branch_external_python():
    @task.branch_external_python(python=resolve_python("snowpark"))
    def choose_by_python_version():
        import sys

        print(
            f"PYENV-CHECK task=choose_by_python_version python={sys.version.split()[0]} "
            f"executable={sys.executable}"
        )
        return "on_python_39" if sys.version_info[:2] == (3, 9) else "on_other_python"

    @task
    def on_python_39():
        print("the snowpark environment runs Python 3.9")

    @task
    def on_other_python():
        print("the snowpark environment does not run Python 3.9")

    choose_by_python_version() >> [on_python_39(), on_other_python()]


branch_external_python()
