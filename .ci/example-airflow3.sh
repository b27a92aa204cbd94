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
# LocalExecutor forks `parallelism` workers at once (32 by default) and, when `dags test` ends,
# waits for each to take a shutdown message. Now and then one never gets its message and the
# command hangs after its run finished (seen here: one idle worker, `dags test` in `proc.join()`
# for 16 minutes; Airflow's own test of that shutdown is quarantined for the same hang,
# apache/airflow#45329, and #67870 is another hang in it). Four workers are plenty for these
# DAGs, and each `dags test` is bounded (dags_test below).
#
# Sets DAGS_TEST_ARGS (the extra `airflow dags test` arguments) and defines
# dags_test DAG DATE LOG (`airflow dags test` into LOG, bounded by DAGS_TEST_TIMEOUT seconds, 300
# by default: one that hangs after its run finished is stopped and counts as having exited 0, with
# a line in LOG saying so; one stopped before that exits 124) and
# task_log_checks DAG_ID (the PYENV-CHECK lines of that DAG's task logs; nothing on Airflow 2).
DAGS_TEST_ARGS=""
TASK_LOGS=""
airflow_major="$(python -c 'from importlib.metadata import version; print(version("apache-airflow").split(".")[0])')"
if [ "$airflow_major" -ge 3 ]; then
    AIRFLOW__API_AUTH__JWT_SECRET="$(python -c 'import secrets; print(secrets.token_hex(32))')"
    export AIRFLOW__API_AUTH__JWT_SECRET AIRFLOW__CORE__EXECUTOR=LocalExecutor AIRFLOW__CORE__PARALLELISM=4 \
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

dags_test() {
    # shellcheck disable=SC2086  # DAGS_TEST_ARGS: zero or one word
    timeout -k 15 "${DAGS_TEST_TIMEOUT:-300}" airflow dags test $DAGS_TEST_ARGS "$1" "$2" >"$3" 2>&1
    _code=$?
    if [ "$_code" = 124 ] && grep -q "DagRun Finished" "$3"; then
        echo "astro-pyenv: airflow dags test did not exit after its run finished: stopped (LocalExecutor's shutdown)" >>"$3"
        _code=0
    fi
    return "$_code"
}

task_log_checks() {
    # Airflow 3 writes task logs as JSON lines: the message ends at the next quote.
    if [ -n "$TASK_LOGS" ]; then
        grep -rho 'PYENV-CHECK [^"]*' "$TASK_LOGS/dag_id=$1" 2>/dev/null
    fi
    return 0
}
