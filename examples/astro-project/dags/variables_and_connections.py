"""A Variable and a Connection in isolated tasks.

Templated arguments work on every Airflow and every Python: Airflow renders
`{{ var.value.<key> }}` and `{{ conn.<id>.host }}` before the task starts, and the environment
receives plain strings. Reading them inside the environment (`Variable.get`, `Connection.get`)
works on Airflow 3 when the environment has the task SDK of the image's Airflow: the
`modern` environment gets it from `PYENV --task-sdk=auto` (see the Dockerfile), so the
`task_sdk` task exists on Airflow 3 only. `snowpark` runs Python 3.9, which today's task SDK
does not support, so it takes the templated path.

The run sets both in the metadata database first (.ci/run-example.sh):
    airflow variables set pyenv_greeting hello-from-the-metadata-db
    airflow connections add pyenv_demo --conn-uri postgres://demo:secret@db.example.com:5432/analytics
"""

from datetime import datetime

import airflow
from airflow.decorators import dag, task

AIRFLOW_3 = int(airflow.__version__.split(".", 1)[0]) >= 3


@dag(
    start_date=datetime(2024, 1, 1),
    schedule=None,
    catchup=False,
    tags=["astro-pyenv", "variables", "connections"],
)
def variables_and_connections():
    @task.pyenv("snowpark")
    def templated(greeting, host):
        import sys

        print(
            f"PYENV-CHECK task=templated python={sys.version.split()[0]} executable={sys.executable} "
            f"variable={greeting} connection_host={host}"
        )

    templated(greeting="{{ var.value.pyenv_greeting }}", host="{{ conn.pyenv_demo.host }}")

    if AIRFLOW_3:

        @task.pyenv("modern")
        def task_sdk():
            # Served by the task's supervisor through the task SDK in this environment.
            import sys

            from airflow.sdk import Connection, Variable

            connection = Connection.get("pyenv_demo")
            print(
                f"PYENV-CHECK task=task_sdk python={sys.version.split()[0]} executable={sys.executable} "
                f"variable={Variable.get('pyenv_greeting')} connection_host={connection.host}"
            )

        task_sdk()


variables_and_connections()
