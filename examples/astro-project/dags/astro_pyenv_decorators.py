"""Our own decorators and operators: the environment by name, resolved when the task runs.

`@task.pyenv("<name>")` / `@task.branch_pyenv("<name>")` come from the astro-pyenv provider
(installed from wheels/ in the Dockerfile); `PyenvOperator` / `BranchPyenvOperator` are the
traditional forms. This file parses even where the environments do not exist (a CI parse
check, a scheduler on another image); a task fails at run time naming the missing environment.
"""

from datetime import datetime

from airflow.decorators import dag, task

from astro_pyenv.operators import BranchPyenvOperator, PyenvOperator


def snowpark_with_op_kwargs(logical_date_from_op_kwargs):
    import sys

    print(
        f"PYENV-CHECK task=snowpark_operator python={sys.version.split()[0]} "
        f"executable={sys.executable} logical_date={logical_date_from_op_kwargs} "
        f"logical_date_type={type(logical_date_from_op_kwargs).__name__}"
    )


def choose_by_hour(hour):
    import sys

    print(f"PYENV-CHECK task=choose_by_hour python={sys.version.split()[0]} executable={sys.executable}")
    return "morning" if int(hour) < 12 else "afternoon"


@dag(
    start_date=datetime(2024, 1, 1),
    schedule=None,
    catchup=False,
    tags=["astro-pyenv"],
)
def astro_pyenv_decorators():
    @task.pyenv("snowpark")
    def snowpark_decorator(logical_date):
        import sys

        print(
            f"PYENV-CHECK task=snowpark_decorator python={sys.version.split()[0]} "
            f"executable={sys.executable} logical_date={logical_date.isoformat()} "
            f"logical_date_type={type(logical_date).__name__}"
        )

    PyenvOperator(
        task_id="snowpark_operator",
        pyenv="snowpark",
        python_callable=snowpark_with_op_kwargs,
        op_kwargs={"logical_date_from_op_kwargs": "{{ logical_date }}"},
    )

    @task.branch_pyenv("modern")
    def choose_by_month(ds):
        import sys

        print(f"PYENV-CHECK task=choose_by_month python={sys.version.split()[0]} executable={sys.executable}")
        return "january" if ds[5:7] == "01" else "other_month"

    @task
    def january():
        print("logical date in January")

    @task
    def other_month():
        print("logical date not in January")

    choose_by_hour_task = BranchPyenvOperator(
        task_id="choose_by_hour",
        pyenv="modern",
        python_callable=choose_by_hour,
        op_kwargs={"hour": "{{ logical_date.hour }}"},
    )

    @task
    def morning():
        print("before noon")

    @task
    def afternoon():
        print("noon or later")

    snowpark_decorator()
    choose_by_month() >> [january(), other_month()]
    choose_by_hour_task >> [morning(), afternoon()]


astro_pyenv_decorators()
