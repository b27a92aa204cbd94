"""A DAG for the benchmark project: the benchmark edits this file (scenario 3)."""
from datetime import datetime

from airflow.decorators import dag, task


@dag(start_date=datetime(2025, 1, 1), schedule=None, catchup=False)
def example_dag():
    @task
    def hello():
        print("hello")

    hello()


example_dag()
