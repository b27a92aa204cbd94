#!/usr/bin/env bash
# A second, private dockerd for benchmarks: start | stop | status.
#
# The benchmark prunes its engine's whole BuildKit cache (cache mounts included) for cold
# builds; the shared engine (.ci/engine.sh) is never touched.  This one has its own data root
# ($ASTRO_PYENV_CI_CACHE/bench-docker), exec root, socket and pid file, no iptables, no bridge.
#
#   start   Start it unless it answers; then copy the images given in $BENCH_IMAGES (space
#           separated) from the shared engine ($DOCKER_HOST) with `docker save | docker load`
#           when missing or different.  Prints nothing on stdout but the socket URL.
#   stop    Stop the dockerd this script started (its own pid file; never by name).
#   status  Exit 0 when it answers.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../.ci/engine-env.sh
source "$here/../.ci/engine-env.sh"

run_dir=/run/astro-pyenv-bench
pid_file="$run_dir/dockerd.pid"
sock="unix://$run_dir/docker.sock"
data_root="$ASTRO_PYENV_CI_CACHE/bench-docker"
log_file="$ASTRO_PYENV_CI_CACHE/bench-dockerd.log"
docker_cli="$ASTRO_PYENV_DOCKER"
shared_host="$DOCKER_HOST"

log() { printf '[bench-engine] %s\n' "$*" >&2; }
bench() { DOCKER_HOST="$sock" "$docker_cli" "$@"; }
answers() { timeout 10 "$docker_cli" -H "$sock" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

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

cmd_start() {
    if ! answers; then
        if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
            log "error: bench dockerd (pid $(cat "$pid_file")) runs but does not answer; see $log_file"
            return 1
        fi
        mkdir -p "$run_dir" "$data_root"
        rm -f "$pid_file" "$run_dir/docker.sock"
        log "starting dockerd (data root $data_root, log $log_file)"
        setsid dockerd --iptables=false --bridge=none \
            --data-root "$data_root" --exec-root "$run_dir" \
            -H "$sock" --pidfile "$pid_file" \
            >>"$log_file" 2>&1 </dev/null &
        local deadline=$((SECONDS + 60))
        until answers; do
            if [ $SECONDS -ge $deadline ]; then
                log "error: bench dockerd did not answer within 60s:"
                tail -n 30 "$log_file" >&2 || true
                return 1
            fi
            sleep 0.5
        done
    fi
    copy_images
    echo "$sock"
}

cmd_stop() {
    [ -s "$pid_file" ] || { log "no pid file: nothing to stop"; return 0; }
    local pid
    pid="$(cat "$pid_file")"
    if kill -0 "$pid" 2>/dev/null; then
        log "stopping bench dockerd pid $pid"
        kill "$pid"
        for _ in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -0 "$pid" 2>/dev/null && { log "error: pid $pid still running after 30s"; return 1; }
    fi
    rm -f "$pid_file"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) answers ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
