"""@task.virtualenv / PythonVirtualenvOperator on another Python version, created at run time.

`python_version="3.13"` makes Airflow create the venv with `python3.13`, which
`PYENV 3.13.5 modern` put on PATH; `PYENV 3.9.2 snowpark` did the same for `python3.9`.
Airflow 2.x creates these venvs with the `virtualenv` package (requirements.txt). With no
requirements nothing is downloaded when the task runs; list pinned requirements when the
workers can reach your package index.
"""

from datetime import datetime

from airflow.decorators import dag, task
from airflow.operators.python import PythonVirtualenvOperator


def on_python_39(ds_from_op_kwargs):
    import sys

    print(
        f"PYENV-CHECK task=venv_python_39 python={sys.version.split()[0]} "
        f"executable={sys.executable} ds={ds_from_op_kwargs}"
    )


@dag(
    start_date=datetime(2024, 1, 1),
    schedule=None,
    catchup=False,
    tags=["astro-pyenv", "virtualenv"],
)
def virtualenv_python_version():
    @task.virtualenv(python_version="3.13", requirements=[], system_site_packages=False)
    def venv_python_313(ds):
        import sys

        print(
            f"PYENV-CHECK task=venv_python_313 python={sys.version.split()[0]} "
            f"executable={sys.executable} ds={ds}"
        )
        return sys.version.split()[0]

    PythonVirtualenvOperator(
        task_id="venv_python_39",
        python_callable=on_python_39,
        python_version="3.9",
        requirements=[],
        system_site_packages=False,
        op_kwargs={"ds_from_op_kwargs": "{{ ds }}"},
    )

    venv_python_313()


virtualenv_python_version()
