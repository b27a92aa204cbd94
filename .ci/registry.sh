#!/usr/bin/env bash
# Local OCI registry on 127.0.0.1 for tests, CI and `make example`: install | start | stop | status.
#
#   install  Debian's docker-registry package (distribution 2.8), only when missing. Its own
#            init/systemd service is kept from starting (we run our own process with our own
#            config); if it runs anyway, it is stopped and disabled.
#   start    Reuse a registry that answers at http://$ASTRO_PYENV_REGISTRY/v2/; otherwise serve
#            one on 127.0.0.1:$ASTRO_PYENV_REGISTRY_PORT (default 5000) with the config this
#            script writes to $ASTRO_PYENV_CI_CACHE/registry/config.yml, storage under
#            $ASTRO_PYENV_CI_CACHE/registry/data (kept between runs), deletes enabled, no auth,
#            log in $ASTRO_PYENV_CI_CACHE/registry.log. Waits until /v2/ answers.
#   stop     Stop the registry this script started (pid from its own pid file, never by name).
#   status   Print whether a registry answers at $ASTRO_PYENV_REGISTRY; exit 1 if not.
#
# Engines treat 127.0.0.0/8 registries as insecure (plain HTTP) without configuration, so
# `docker push/pull` and BuildKit's `FROM 127.0.0.1:5000/...` work as they are.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=engine-env.sh
source "$here/engine-env.sh"
# shellcheck source=pidfile.sh
source "$here/pidfile.sh"

port="${ASTRO_PYENV_REGISTRY_PORT:-5000}"
state_dir="$ASTRO_PYENV_CI_CACHE/registry"
config_file="$state_dir/config.yml"
data_dir="$state_dir/data"
log_file="$ASTRO_PYENV_CI_CACHE/registry.log"
pid_file="/run/astro-pyenv-registry-$port.pid"
binary=/usr/bin/docker-registry
start_timeout="${ASTRO_PYENV_REGISTRY_START_TIMEOUT:-30}"
# The package's own service (init script and unit), which must not hold our port.
package_pid_file=/run/docker-registry.pid
policy=/usr/sbin/policy-rc.d

log() { printf '[registry] %s\n' "$*" >&2; }

answers() {
    # True when a registry answers at $1/v2/ (HTTP 200 or 401 with the Distribution API header).
    local headers
    headers="$(curl -s -m 3 -o /dev/null -D - "http://$1/v2/" 2>/dev/null)" || return 1
    printf '%s' "$headers" | grep -qi '^docker-distribution-api-version: *registry/2'
}

ours_running() {
    [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

installed() {
    [ -x "$binary" ] \
        && dpkg-query -W -f '${Status}\n' docker-registry 2>/dev/null | grep -q 'install ok installed'
}

stop_package_service() {
    # If the package's service runs (a machine whose policy let postinst start it), stop it
    # through its own init script and keep it from starting at boot.
    if [ -s "$package_pid_file" ] && kill -0 "$(cat "$package_pid_file")" 2>/dev/null; then
        log "the package's own docker-registry service runs (pid $(cat "$package_pid_file")): stopping and disabling it"
        if [ -d /run/systemd/system ]; then
            systemctl stop docker-registry.service || true
            systemctl disable docker-registry.service || true
        else
            /etc/init.d/docker-registry stop || true
            update-rc.d docker-registry disable >/dev/null 2>&1 || true
        fi
    fi
}

cmd_install() {
    if installed; then
        log "already installed: docker-registry $(dpkg-query -W -f '${Version}' docker-registry)"
        stop_package_service
        return 0
    fi
    # postinst runs `invoke-rc.d docker-registry start`; a policy-rc.d that answers 101 (action
    # forbidden) keeps it from starting. Ours forbids only docker-registry and goes away after
    # the install; a machine's own policy file is left as it is.
    local own_policy=false
    if [ ! -e "$policy" ]; then
        cat >"$policy" <<'POLICY'
#!/bin/sh
# Written by astro-pyenv's .ci/registry.sh for the time of its apt-get install.
[ "$1" = docker-registry ] && exit 101
exit 0
POLICY
        chmod 755 "$policy"
        own_policy=true
    fi
    local rc=0
    log "apt-get install docker-registry"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --no-upgrade \
        docker-registry || rc=$?
    if [ $rc -ne 0 ] && apt-get update -qq; then
        # The package list may be stale on a fresh machine: updated once, retry.
        rc=0
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --no-upgrade \
            docker-registry || rc=$?
    fi
    if $own_policy; then rm -f "$policy"; fi
    [ $rc -eq 0 ] || return $rc
    stop_package_service
    log "installed: docker-registry $(dpkg-query -W -f '${Version}' docker-registry)"
}

write_config() {
    mkdir -p "$data_dir"
    cat >"$config_file.tmp" <<CONFIG
# Written by .ci/registry.sh (rewritten on every start): a plain-HTTP registry on 127.0.0.1
# for tests, CI and the example. No auth; deletes enabled so tests can clean up.
version: 0.1
log:
  level: info
  fields:
    service: astro-pyenv-registry
storage:
  filesystem:
    rootdirectory: $data_dir
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$port
  headers:
    X-Content-Type-Options: [nosniff]
CONFIG
    mv "$config_file.tmp" "$config_file"
}

cmd_start() {
    if answers "$ASTRO_PYENV_REGISTRY"; then
        log "registry answers at $ASTRO_PYENV_REGISTRY$(ours_running && echo " (pid $(cat "$pid_file"))")"
        return 0
    fi
    if [ "$ASTRO_PYENV_REGISTRY" != "127.0.0.1:$port" ]; then
        log "error: nothing answers at ASTRO_PYENV_REGISTRY=$ASTRO_PYENV_REGISTRY and this script only starts 127.0.0.1:$port"
        return 1
    fi
    [ -x "$binary" ] || { log "error: $binary not installed: run .ci/registry.sh install"; return 1; }
    if ours_running; then
        log "error: registry (pid $(cat "$pid_file")) is running but does not answer at $ASTRO_PYENV_REGISTRY; see $log_file"
        return 1
    fi
    mkdir -p "$ASTRO_PYENV_CI_CACHE"
    write_config
    log "starting $binary on 127.0.0.1:$port (data $data_dir, log $log_file)"
    # A clean environment (REGISTRY_* variables would override the config file), cwd /.
    setsid env -i -C / PATH=/usr/sbin:/usr/bin:/sbin:/bin "$binary" serve "$config_file" \
        >>"$log_file" 2>&1 </dev/null &
    echo $! >"$pid_file"
    local deadline=$((SECONDS + start_timeout))
    until answers "$ASTRO_PYENV_REGISTRY"; do
        if ! ours_running; then
            log "error: the registry exited at once; last lines of $log_file:"
            tail -n 20 "$log_file" >&2 || true
            rm -f "$pid_file"
            return 1
        fi
        if [ $SECONDS -ge $deadline ]; then
            log "error: registry did not answer at http://$ASTRO_PYENV_REGISTRY/v2/ within ${start_timeout}s; last lines of $log_file:"
            tail -n 20 "$log_file" >&2 || true
            return 1
        fi
        sleep 0.2
    done
    log "registry up at $ASTRO_PYENV_REGISTRY (pid $(cat "$pid_file"))"
}

cmd_stop() {
    if [ ! -s "$pid_file" ]; then
        log "no pid file at $pid_file: nothing started by this script"
        return 0
    fi
    stop_by_pid_file "$pid_file" registry 10
}

cmd_status() {
    if answers "$ASTRO_PYENV_REGISTRY"; then
        echo "registry answers at $ASTRO_PYENV_REGISTRY"
    else
        echo "no registry answers at $ASTRO_PYENV_REGISTRY"
        return 1
    fi
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
