# Sourced inside the example image (by .ci/run-example.sh and tests/e2e/test_examples.py), after
# `airflow db migrate` and before the `airflow dags test` runs. Airflow 2: nothing to do.
#
# Airflow 3: `airflow dags test` runs each task in its own process under the in-process test
# supervisor, which answers a request from a venv task (Variable.get, Connection.get through the
# task SDK) into its own queue instead of the venv's socket, so that task waits forever
# (InProcessTestSupervisor.send_msg in task SDK 1.1.4 to 1.3.2; apache/airflow#65587). With
# `--use-executor` the tasks run as in a deployment instead: LocalExecutor, the real supervisor,
# and an Execution API server, here on 127.0.0.1:8080 (no network needed). Their output then goes
# to the task log files, which task_log_checks reads.
#
# Sets DAGS_TEST_ARGS (the extra `airflow dags test` arguments) and defines
# task_log_checks DAG_ID (the PYENV-CHECK lines of that DAG's task logs; nothing on Airflow 2).
DAGS_TEST_ARGS=""
TASK_LOGS=""
airflow_major="$(python -c 'from importlib.metadata import version; print(version("apache-airflow").split(".")[0])')"
if [ "$airflow_major" -ge 3 ]; then
    AIRFLOW__API_AUTH__JWT_SECRET="$(python -c 'import secrets; print(secrets.token_hex(32))')"
    export AIRFLOW__API_AUTH__JWT_SECRET AIRFLOW__CORE__EXECUTOR=LocalExecutor \
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:8080/execution/
    airflow api-server --port 8080 >/tmp/api-server.log 2>&1 &
    python -c '
import time, urllib.request
for _ in range(240):
    try:
        urllib.request.urlopen("http://127.0.0.1:8080/api/v2/version", timeout=5)
        break
    except Exception:
        time.sleep(1)
else:
    raise SystemExit(1)
' || { echo "=== API SERVER FAILED"; tail -n 40 /tmp/api-server.log; exit 1; }
    DAGS_TEST_ARGS=--use-executor
    TASK_LOGS="$AIRFLOW_HOME/logs"
fi

task_log_checks() {
    # Airflow 3 writes task logs as JSON lines: the message ends at the next quote.
    if [ -n "$TASK_LOGS" ]; then
        grep -rho 'PYENV-CHECK [^"]*' "$TASK_LOGS/dag_id=$1" 2>/dev/null
    fi
    return 0
}
