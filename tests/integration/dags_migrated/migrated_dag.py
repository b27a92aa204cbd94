"""astro-provider-venv's README example, migrated as docs/migration.md's "Migrating from
astro-provider-venv" says: ``@task.venv`` became ``@task.pyenv``, nothing else changed.

Its Dockerfile had ``PYENV 3.10 python-310``; the image (here: the test) sets
``ASTRO_PYENV_python_310``, ``-`` written as ``_``, while the DAG keeps the name as written.
"""
from __future__ import annotations

import datetime
import json
import os
import sys

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task

with DAG(
    dag_id="migrated_from_provider_venv",
    schedule=None,
    start_date=datetime.datetime(2022, 1, 1),
    catchup=False,
    tags=["example"],
) as dag:

    @task
    def print_python():
        print(f"My python version is {sys.version}")

    @task.pyenv("python-310")
    def venv_task():
        import sys

        print(f"My python version is {sys.version}")
        return {"executable": sys.executable, "version": list(sys.version_info[:2])}

    @task
    def analyze(result):
        print(f"My python version is {sys.version}")
        with open(os.environ["MIGRATION_RESULT_FILE"], "w") as out:
            json.dump(result, out)

    print_python() >> analyze(venv_task())
