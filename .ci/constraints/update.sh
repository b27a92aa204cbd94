#!/usr/bin/env bash
# Write every pin file this repository keeps, with uv (pinned in requirements-dev.txt), so that a
# new release on the package index changes nothing `make test` or `make example` builds:
#
#   .ci/constraints/airflow-<A>-python-<P>.txt   Airflow A on Python P, every package pinned:
#       what the Astro Runtime stand-ins (.ci/standins/astro-runtime.Dockerfile) and the
#       integration tests' Airflow venvs (tests/integration/it_support.py) install with
#       `pip install apache-airflow==A -c <file>`
#   requirements-dev.txt        the project venv (`make venv`): requirements-dev.in and both
#                               packages' own dependencies
#   frontend/constraints.txt    the frontend's packages, for any Python from 3.9 and any platform
#                               (the frontend image, Dockerfile.frontend; the package tests)
#   benchmarks/requirements.txt `make bench`'s extra packages (benchmarks/requirements.in)
#
# Airflow publishes constraints files of its own, made the same way: every package at the highest
# version the index held when the release was made (https://raw.githubusercontent.com/apache/
# airflow/constraints-<A>/constraints-<P>.txt).  Our CI machines cannot reach GitHub, so the
# Airflow files here are resolved from PyPI as it was one day after the release was uploaded
# (uv's --exclude-newer; the day lets the packages released with it, such as the task SDK, in).
# Checked against Airflow's own constraints-no-providers-3.11.txt of 2.11.1rc2: this method gives
# the same version for 126 of the 128 packages both name; the other two had new releases between
# the two dates.
#
# Run it to add an Airflow version (a line in AIRFLOW below) or to move the other pins on, then
# commit what changed.  Needs the index (PyPI, or UV_INDEX_URL); uses the machine's CA bundle.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
uv="${UV:-$repo/.venv/bin/uv}"
[ -x "$uv" ] || { echo "error: $uv: no uv (make venv)" >&2; exit 1; }
export SSL_CERT_FILE="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
cd "$repo"

# Airflow version, Python version, the time the index is read as of (release upload + 1 day).
AIRFLOW=(
    "2.11.0 3.11 2025-05-21T08:13:21Z"   # Astro Runtime 13.0.0 stand-in (.ci/standins.sh)
    "3.1.8 3.11 2026-03-12T19:28:09Z"    # astrocrpublic.azurecr.io/runtime:3.1-17 stand-in
    "2.11.2 3.11 2026-03-15T18:07:41Z"   # integration tests, Airflow 2
    "3.3.2 3.11 2026-09-18T08:39:00Z"    # integration tests, Airflow 3
    "3.3.2 3.12 2026-09-18T08:39:00Z"    # integration tests: its task SDK in a venv of another Python
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for spec in "${AIRFLOW[@]}"; do
    read -r airflow python as_of <<<"$spec"
    out=".ci/constraints/airflow-$airflow-python-$python.txt"
    echo "apache-airflow==$airflow" >"$work/in.txt"
    "$uv" pip compile --quiet --no-header --no-annotate --python-version "$python" \
        --python-platform x86_64-unknown-linux-gnu --exclude-newer "$as_of" "$work/in.txt" -o "$work/out.txt"
    {
        echo "# Constraints for \`pip install apache-airflow==$airflow\` on Python $python: every package pinned."
        echo "# Resolved from PyPI as of $as_of (Airflow's own constraints-$airflow/constraints-$python.txt,"
        echo "# made the same way, is on GitHub, which CI cannot reach).  Written by .ci/constraints/update.sh."
        cat "$work/out.txt"
    } >"$out"
    echo "$out: $(grep -c "^[A-Za-z0-9].*==" "$out") packages" >&2
done

"$uv" pip compile --quiet --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
    requirements-dev.in frontend/pyproject.toml --extra gateway -o requirements-dev.txt \
    --custom-compile-command ".ci/constraints/update.sh"
# Every Python the frontend supports (3.9 on): the gateway extra (grpcio, protobuf 7) needs 3.10,
# so its packages are pinned for 3.10 on.  And the build backend: pip builds the frontend in an
# isolated environment, which takes the constraints as PIP_CONSTRAINT.
"$repo/.venv/bin/python" - >"$work/frontend.in" <<'PY'
import tomllib
project = tomllib.load(open("frontend/pyproject.toml", "rb"))
for requirement in project["project"]["optional-dependencies"]["gateway"]:
    print(f'{requirement} ; python_version >= "3.10"')
for requirement in project["build-system"]["requires"]:
    print(requirement)
PY
"$uv" pip compile --quiet --no-annotate --universal --python-version 3.9 frontend/pyproject.toml "$work/frontend.in" \
    -o frontend/constraints.txt --custom-compile-command ".ci/constraints/update.sh"
"$uv" pip compile --quiet --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
    benchmarks/requirements.in -o benchmarks/requirements.txt --custom-compile-command ".ci/constraints/update.sh"
echo "requirements-dev.txt, frontend/constraints.txt, benchmarks/requirements.txt written" >&2
