#!/usr/bin/env bash
# Build examples/astro-project with our frontend and show, inside the image, which Python each
# PYENV environment runs; then run every example DAG with `airflow dags test`.
#   .ci/run-example.sh FRONTEND_IMAGE        (what `make example` runs after building the frontend)
#   ASTRO_PYENV_EXAMPLE_AIRFLOW=3 .ci/run-example.sh FRONTEND_IMAGE   (`make example AIRFLOW=3`)
#
# ASTRO_PYENV_EXAMPLE_AIRFLOW (2, the default, or 3) picks the runtime the project is built FROM,
# as the build arg ASTRO_RUNTIME_IMAGE: $ASTRO_PYENV_RUNTIME_IMAGE (Astro Runtime 13, Airflow 2)
# or $ASTRO_PYENV_RUNTIME3_IMAGE (astrocrpublic.azurecr.io/runtime:3.1-17, Airflow 3); unset, the
# Dockerfile's default (Airflow 2) and the public Airflow 3 image.
#
# Steps: the runtime helper's wheel into examples/astro-project/wheels/ (the Dockerfile installs
# it from there), `docker build` of the project, then one container (no network) that runs
# `astro-pyenv list`, `astro-pyenv doctor`, `airflow db migrate`, stores the Variable and the
# Connection dags/variables_and_connections.py reads in the metadata database, and runs
# `airflow dags test` for each DAG in dags/ (on Airflow 3 with --use-executor and an API server on
# 127.0.0.1: .ci/example-airflow3.sh says why), printing each isolated task's interpreter and
# every task's final state.
# Exits non-zero when the build, an environment or a task fails.
#
# With no overrides this is a plain `docker build` of the public images (a connected machine).
# Each of these env vars (set by .ci/engine-env.sh on machines without a registry) adds one
# (.ci/build-flags.sh writes them):
#   PYTHON_BUILD_MIRROR_URL   --build-arg PYTHON_BUILD_MIRROR_URL=<it>  (CPython sources)
#   ASTRO_PYENV_CA_BUNDLE     --secret id=astro-pyenv-ca,src=<it>       (pip behind a TLS proxy)
# Others: ASTRO_PYENV_DOCKER (docker client), ASTRO_PYENV_EXAMPLE_TAG (image tag, default
# astro-pyenv-example/astro-project:airflow<2|3>), ASTRO_PYENV_EXAMPLE_DATE (logical date, 2024-01-01),
# ASTRO_PYENV_PYTHON (python with pip and setuptools to build the wheel: .venv/bin/python, made
# with `make venv` when missing).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 FRONTEND_IMAGE" >&2
    exit 2
fi
frontend="$1"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$repo/examples/astro-project"
docker_cli="${ASTRO_PYENV_DOCKER:-docker}"
airflow="${ASTRO_PYENV_EXAMPLE_AIRFLOW:-2}"
case "$airflow" in
    2) runtime="${ASTRO_PYENV_RUNTIME_IMAGE:-}" ;;
    3) runtime="${ASTRO_PYENV_RUNTIME3_IMAGE:-astrocrpublic.azurecr.io/runtime:3.1-17}" ;;
    *) echo "ASTRO_PYENV_EXAMPLE_AIRFLOW must be 2 or 3, got '$airflow'" >&2; exit 2 ;;
esac
tag="${ASTRO_PYENV_EXAMPLE_TAG:-astro-pyenv-example/astro-project:airflow$airflow}"
logical_date="${ASTRO_PYENV_EXAMPLE_DATE:-2024-01-01}"
python="${ASTRO_PYENV_PYTHON:-}"
if [ -z "$python" ]; then
    # The repository's venv: pinned pip and setuptools build the wheel, nothing from the index.
    [ -x "$repo/.venv/bin/python" ] || make -C "$repo" venv >&2
    python="$repo/.venv/bin/python"
fi
export DOCKER_BUILDKIT=1
# shellcheck source=build-flags.sh
source "$repo/.ci/build-flags.sh"

step() { printf '\n==> %s\n' "$*" >&2; }

step "runtime helper wheel -> examples/astro-project/wheels/"
rm -rf "$project/wheels"
mkdir -p "$project/wheels"
"$python" -m pip wheel -q --no-deps --no-build-isolation "$repo/runtime_helper" -w "$project/wheels"
ls "$project/wheels" >&2

step "docker build examples/astro-project on Airflow $airflow (frontend $frontend)"
build_flags mirror ca   # --network host, the CPython mirror, the CA secret
args=(build "${BUILD_FLAGS[@]}" -t "$tag")
if [ -n "$runtime" ]; then
    args+=(--build-arg "ASTRO_RUNTIME_IMAGE=$runtime")
fi
# The Dockerfile's `# syntax=` line names the default tag; another frontend tag replaces it.
syntax_line="$(head -n 1 "$project/Dockerfile")"
if [ "$syntax_line" != "# syntax=$frontend" ]; then
    args+=(--build-arg "BUILDKIT_SYNTAX=$frontend")
fi
args+=("$project")
echo "+ $docker_cli ${args[*]}" >&2
start=$SECONDS
"$docker_cli" "${args[@]}"
echo "built $tag in $((SECONDS - start))s" >&2

dag_ids=()
for file in "$project"/dags/*.py; do
    dag_ids+=("$(basename "$file" .py)")   # each example file holds one DAG named like the file
done

step "inside the image: environments, then each DAG with airflow dags test $logical_date"
# Runs as the image's user (astro) with no network, like a deployment would.
# shellcheck disable=SC2016
check='
set -u
failed=0
echo "--- astro-pyenv list"
astro-pyenv list || failed=1
echo "--- astro-pyenv doctor"
astro-pyenv doctor || failed=1
echo "--- interpreters on PATH"
for v in 3.9 3.13; do printf "python%s: " "$v"; "python$v" --version 2>&1 || failed=1; done
echo "--- airflow db migrate"
airflow db migrate >/tmp/migrate.log 2>&1 || { cat /tmp/migrate.log; exit 1; }
echo "--- a Variable and a Connection in the metadata database"
airflow variables set pyenv_greeting hello-from-the-metadata-db >/tmp/secrets.log 2>&1 \
    && airflow connections add pyenv_demo --conn-uri "postgres://demo:secret@db.example.com:5432/analytics" \
        >>/tmp/secrets.log 2>&1 || { cat /tmp/secrets.log; exit 1; }
eval "$AIRFLOW3_SETUP"   # .ci/example-airflow3.sh: on Airflow 3, an API server and --use-executor
errors="$(airflow dags list-import-errors 2>/dev/null)"
case "$errors" in *"No data found"*|"") ;; *) echo "$errors"; failed=1 ;; esac
for dag in "$@"; do
    echo "--- airflow dags test $dag $DATE"
    dags_test "$dag" "$DATE" "/tmp/$dag.log" || { tail -n 40 "/tmp/$dag.log"; failed=1; }
    { grep -o "PYENV-CHECK .*" "/tmp/$dag.log"; task_log_checks "$dag"; } | sed "s/^PYENV-CHECK /  /"
    # The run `dags test` made: Airflow 3 names it after the time it ran and logs the id; Airflow 2
    # names it like a manual trigger at midnight UTC of the date.
    run_id="$(grep -o "run_id=manual__[^ ,]*" "/tmp/$dag.log" | tail -n 1 | cut -d= -f2)"
    run_id="${run_id:-manual__${DATE}T00:00:00+00:00}"
    states="$(airflow tasks states-for-dag-run "$dag" "$run_id" -o plain 2>/dev/null | awk "NR>1 {print \$3, \$4}")"
    echo "$states" | sed "s/^/  state: /"
    if [ -z "$states" ] || echo "$states" | grep -Evq " (success|skipped)$"; then
        echo "  FAILED: $dag"; tail -n 40 "/tmp/$dag.log"; failed=1
    fi
done
exit $failed
'
set +e
"$docker_cli" run --rm --network none -e DATE="$logical_date" -e AIRFLOW__CORE__LOAD_EXAMPLES=False \
    -e AIRFLOW3_SETUP="$(cat "$repo/.ci/example-airflow3.sh")" \
    "$tag" bash -c "$check" check "${dag_ids[@]}"
status=$?
set -e
if [ "$status" -eq 0 ]; then
    step "example OK: $tag (${#dag_ids[@]} DAGs, every task succeeded or was skipped by its branch)"
else
    step "example FAILED (exit $status)"
fi
exit "$status"
