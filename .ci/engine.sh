#!/usr/bin/env bash
# Real Docker engine for tests: install | start | stop | status.
#
#   install  Debian trixie's docker.io (26.1, embedded BuildKit 0.13), docker-cli and docker-buildx on
#            bookworm, from an apt source for trixie pinned at priority 100 so that nothing
#            else moves. Skipped when already installed.
#   start    Reuse an engine that answers at $DOCKER_HOST; otherwise start dockerd in the
#            background (no iptables, no bridge) with its state under $ASTRO_PYENV_CI_CACHE.
#   stop     Stop the dockerd this script started (pid from its own pid file, never by name).
#   trim     Bring the build cache down to its budget and drop dangling images (see below).
#   status   Print whether an engine answers at $DOCKER_HOST; exit 1 if not.
#
# Settings come from .ci/engine-env.sh (DOCKER_HOST, ASTRO_PYENV_DOCKER, ...).
# ASTRO_PYENV_ENGINE_INSTANCE=NAME (default: engine) runs a separate dockerd with its own run
# directory, socket, pid file, data root and log, e.g. the benchmark's private engine; for a
# named instance DOCKER_HOST is that instance's socket.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=engine-env.sh
source "$here/engine-env.sh"
# shellcheck source=pidfile.sh
source "$here/pidfile.sh"

instance="${ASTRO_PYENV_ENGINE_INSTANCE:-engine}"
run_dir="/run/astro-pyenv-$instance"
pid_file="$run_dir/dockerd.pid"
if [ "$instance" = engine ]; then
    data_root="$ASTRO_PYENV_CI_CACHE/docker"
    log_file="$ASTRO_PYENV_CI_CACHE/dockerd.log"
else
    data_root="$ASTRO_PYENV_CI_CACHE/$instance-docker"
    log_file="$ASTRO_PYENV_CI_CACHE/$instance-dockerd.log"
    export DOCKER_HOST="unix://$run_dir/docker.sock"
fi
start_timeout="${ASTRO_PYENV_ENGINE_START_TIMEOUT:-60}"
docker_cli="$ASTRO_PYENV_DOCKER"
# The build cache's budget. BuildKit's default budget is a share of the disk's size, and the
# space a machine lets us use can be far smaller than its disk (seen: 0.5 GB free on a 252 GB
# disk, once this engine's cache had grown to 51 GB and CI failed with "no space left on
# device"). The daemon's garbage collector keeps to it; `trim` enforces it at once.
keep_storage="${ASTRO_PYENV_ENGINE_KEEP_STORAGE:-20GB}"
daemon_config="$run_dir/daemon.json"

log() { printf '[engine] %s\n' "$*" >&2; }

answers() {
    # True when a daemon answers at $DOCKER_HOST.
    timeout 10 "$docker_cli" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

installed() {
    command -v dockerd >/dev/null 2>&1 \
        && [ -x /usr/bin/docker ] \
        && dpkg-query -W -f '${Status}\n' docker.io docker-cli docker-buildx 2>/dev/null \
            | grep -c 'install ok installed' | grep -qx 3
}

cmd_install() {
    if installed; then
        log "already installed: $(dpkg-query -W -f '${Package} ${Version}; ' docker.io docker-cli docker-buildx)"
        return 0
    fi
    log "adding apt source for trixie (pinned at 100)"
    cat >/etc/apt/sources.list.d/astro-pyenv-trixie.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    cat >/etc/apt/preferences.d/astro-pyenv-trixie <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # `pkg/trixie` takes only these three from trixie; their dependencies (containerd, runc,
    # libc6 >= 2.34, ...) resolve from bookworm. `-t trixie` would instead raise trixie for the
    # whole transaction and pull trixie's libc6 and base-files onto the machine.
    apt-get install -y -q --no-install-recommends \
        docker.io/trixie docker-cli/trixie docker-buildx/trixie
    log "installed: $(dpkg-query -W -f '${Package} ${Version}; ' docker.io docker-cli docker-buildx)"
}

check_client() {
    # The chosen client must find the buildx plugin, so that `docker build` uses BuildKit.
    "$docker_cli" buildx version >/dev/null \
        || { log "error: '$docker_cli buildx version' failed: is docker-buildx installed?"; return 1; }
}

cmd_start() {
    if answers; then
        log "engine answers at $DOCKER_HOST: $("$docker_cli" version --format 'server {{.Server.Version}}, client {{.Client.Version}}')"
        check_client
        return 0
    fi
    if [ "$DOCKER_HOST" != "unix://$run_dir/docker.sock" ]; then
        log "error: nothing answers at DOCKER_HOST=$DOCKER_HOST and this script only starts unix://$run_dir/docker.sock"
        return 1
    fi
    command -v dockerd >/dev/null || { log "error: dockerd not installed: run .ci/engine.sh install"; return 1; }
    if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
        log "error: dockerd (pid $(cat "$pid_file")) is running but does not answer; see $log_file"
        return 1
    fi
    mkdir -p "$run_dir" "$data_root"
    rm -f "$pid_file" "$run_dir/docker.sock"
    printf '{"builder": {"gc": {"enabled": true, "defaultKeepStorage": "%s"}}}\n' "$keep_storage" >"$daemon_config"
    log "starting dockerd (data root $data_root, log $log_file, build cache budget $keep_storage)"
    # setsid: the daemon outlives this shell and is not in its process group.
    setsid dockerd --iptables=false --bridge=none \
        --data-root "$data_root" \
        --exec-root "$run_dir" \
        -H "unix://$run_dir/docker.sock" \
        --pidfile "$pid_file" \
        --config-file "$daemon_config" \
        >>"$log_file" 2>&1 </dev/null &
    local deadline=$((SECONDS + start_timeout))
    until answers; do
        if [ $SECONDS -ge $deadline ]; then
            log "error: dockerd did not answer at $DOCKER_HOST within ${start_timeout}s; last lines of $log_file:"
            tail -n 30 "$log_file" >&2 || true
            return 1
        fi
        sleep 0.5
    done
    log "engine up: $("$docker_cli" version --format 'server {{.Server.Version}}, client {{.Client.Version}}')"
    check_client
}

cmd_stop() {
    if [ ! -s "$pid_file" ]; then
        log "no pid file at $pid_file: nothing started by this script"
        return 0
    fi
    stop_by_pid_file "$pid_file" dockerd 30
}

cmd_trim() {
    # Whatever engine answers at $DOCKER_HOST (ours or the machine's): prune the build cache
    # least recently used first, down to the budget, and remove dangling images.
    answers || { log "error: no engine answers at $DOCKER_HOST"; return 1; }
    log "build cache before: $("$docker_cli" system df --format '{{if eq .Type "Build Cache"}}{{.Size}}{{end}}' | tr -d '\n')"
    "$docker_cli" builder prune -f --keep-storage "$keep_storage" >/dev/null
    "$docker_cli" image prune -f >/dev/null
    log "build cache after: $("$docker_cli" system df --format '{{if eq .Type "Build Cache"}}{{.Size}}{{end}}' | tr -d '\n') (budget $keep_storage)"
}

cmd_status() {
    if answers; then
        "$docker_cli" version --format 'engine at {{"'"$DOCKER_HOST"'"}}: server {{.Server.Version}}, client {{.Client.Version}}'
    else
        echo "no engine answers at $DOCKER_HOST"
        return 1
    fi
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    trim) cmd_trim ;;
    status) cmd_status ;;
    *) echo "usage: $0 install|start|stop|trim|status" >&2; exit 2 ;;
esac
