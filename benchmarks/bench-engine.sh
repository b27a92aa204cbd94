#!/usr/bin/env bash
# A second, private dockerd for benchmarks: start | stop | status.
#
# The benchmark prunes its engine's whole BuildKit cache (cache mounts included) for cold
# builds; the shared engine is never touched.  This is .ci/engine.sh's instance "bench": its own
# data root ($ASTRO_PYENV_CI_CACHE/bench-docker), exec root, socket and pid file.
#
#   start   Start it unless it answers; then copy the images given in $BENCH_IMAGES (space
#           separated) from the shared engine ($DOCKER_HOST) with `docker save | docker load`
#           when missing or different.  Prints nothing on stdout but the socket URL.
#   stop    Stop the dockerd this script started (its own pid file; never by name).
#   status  Exit 0 when it answers.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
engine="$here/../.ci/engine.sh"
# shellcheck source=../.ci/engine-env.sh
source "$here/../.ci/engine-env.sh"

shared_host="$DOCKER_HOST"
docker_cli="$ASTRO_PYENV_DOCKER"
export ASTRO_PYENV_ENGINE_INSTANCE=bench
sock="unix:///run/astro-pyenv-bench/docker.sock"

log() { printf '[bench-engine] %s\n' "$*" >&2; }
bench() { DOCKER_HOST="$sock" "$docker_cli" "$@"; }

copy_images() {
    local image have want
    for image in ${BENCH_IMAGES:-}; do
        want="$(DOCKER_HOST="$shared_host" "$docker_cli" image inspect -f '{{.Id}}' "$image")"
        have="$(bench image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
        if [ "$have" = "$want" ]; then
            continue
        fi
        log "copying $image ($want) into the bench engine"
        DOCKER_HOST="$shared_host" "$docker_cli" save "$image" | bench load -q >&2
    done
}

case "${1:-}" in
    start) bash "$engine" start >&2 && copy_images && echo "$sock" ;;
    stop) bash "$engine" stop >&2 ;;
    status) bash "$engine" status >/dev/null 2>&1 ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
