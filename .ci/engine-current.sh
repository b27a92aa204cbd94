#!/usr/bin/env bash
# A current Docker engine next to the CI engine, without touching the host's packages:
# Debian sid's docker.io (28.5.x, its BuildKit), docker-cli and docker-buildx (0.29.x) in a
# debootstrapped sid root, with dockerd running chrooted in it.
#
#   install  debootstrap --variant=minbase sid into $state/root and apt-get install docker.io,
#            docker-cli, docker-buildx and iptables there (about 1.5 min); skipped while the root
#            is complete (it is kept in $ASTRO_PYENV_CI_CACHE between runs; delete $state/root to
#            rebuild it). The host's libc and packages do not move: only debootstrap is used.
#   start    Reuse a dockerd that answers at the socket; otherwise mount what the chroot needs
#            (the root bound onto itself, /proc, /dev, /dev/pts, /sys as an rslave rbind, the
#            socket directory) and start the chroot's dockerd in the background (no iptables, no
#            bridge: builds use --network host, as on the CI engine). Then writes the client
#            wrapper and copies the test images in (see `images`).
#   images   Copy the images the e2e tests start FROM (stand-ins of python:3.12-slim[-bookworm],
#            the Astro Runtime and its -base, debian:{bullseye,bookworm,trixie}-slim) from the CI engine with
#            `docker save | docker load`, each only when the CI engine has it and it changed since
#            the last copy. Other images (the frontend, prebuilt interpreters) come from builds
#            and the local registry at $ASTRO_PYENV_REGISTRY, which the engine reaches on the
#            host's network.
#   stop     Stop the dockerd this script started (pid from its own pid file, never by name),
#            then undo the mounts this script made.
#   trim     Bring the build cache down to its budget (ASTRO_PYENV_CURRENT_KEEP_STORAGE, 10GB)
#            and drop dangling images.
#   status   Print whether the current engine answers; exit 1 if not.
#
# Use it with `source .ci/engine-current-env.sh` (DOCKER_HOST and ASTRO_PYENV_DOCKER for this
# engine, then .ci/engine-env.sh) or `make test-e2e-current`. The client is the chroot's own
# docker CLI with its buildx 0.29 (what users of a current Docker have), run on the host through
# the wrapper $state/bin/docker: Debian builds them against glibc 2.34 symbols, which the host's
# glibc provides; the wrapper points DOCKER_CONFIG at $state/docker-config, whose cli-plugins/
# holds the chroot's buildx, so that the host's older buildx plugin is not used.
#
# Seen on it (2026-11): the same 24 frontend API capabilities as Docker 26.1, 13 more LLB ones;
# `docker buildx ls` says BuildKit v0.0.0+unknown (Debian's build; moby v28.5.2 vendors BuildKit
# v0.25.2).
#
# The image store: the containerd image store ("features": {"containerd-snapshotter": true}, what
# Docker Desktop turns on for new installs and Docker 29 uses for fresh ones), so that the e2e
# tests here cover it while the CI engine (Docker 26.1, overlay2) covers the classic store.
# dockerd starts its own containerd (the root's containerd 2.x, state under its exec root), as
# with the classic store; ASTRO_PYENV_CURRENT_IMAGE_STORE=graphdriver starts the classic store
# instead, on a data root of its own. On the containerd store BuildKit's docker worker exports
# build caches (--cache-to type=registry with the default builder) and COPY --link is a merge.
#
# Settings: ASTRO_PYENV_CURRENT_SUITE (default sid), ASTRO_PYENV_CURRENT_MIRROR (default
# http://deb.debian.org/debian), ASTRO_PYENV_CURRENT_IMAGE_STORE (containerd, the default, or
# graphdriver). State: ASTRO_PYENV_CURRENT_STATE, default $ASTRO_PYENV_CI_CACHE/engine-current
# (root/, its dockerd's data under root/var/lib/docker-containerd, or root/var/lib/docker for
# the graphdriver store, dockerd.log, bin/, docker-config/); a second engine beside the first
# needs a state and a run directory of its own;
# run directory $ASTRO_PYENV_CURRENT_RUN_DIR, default /run/astro-pyenv-current (docker.sock,
# dockerd.pid, mounts).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The CI engine's settings (the images to copy, the registry); ours are set below. From a shell
# that sourced engine-current-env.sh, the CI engine is found as engine-env.sh finds it.
if [ "${DOCKER_HOST:-}" = "unix://${ASTRO_PYENV_CURRENT_RUN_DIR:-/run/astro-pyenv-current}/docker.sock" ]; then
    unset DOCKER_HOST ASTRO_PYENV_DOCKER DOCKER_CONFIG
fi
# shellcheck source=engine-env.sh
source "$here/engine-env.sh"
# shellcheck source=pidfile.sh
source "$here/pidfile.sh"
ci_docker_host="$DOCKER_HOST"
ci_docker="$ASTRO_PYENV_DOCKER"

suite="${ASTRO_PYENV_CURRENT_SUITE:-sid}"
mirror="${ASTRO_PYENV_CURRENT_MIRROR:-http://deb.debian.org/debian}"
state="${ASTRO_PYENV_CURRENT_STATE:-$ASTRO_PYENV_CI_CACHE/engine-current}"
root="$state/root"
run_dir="${ASTRO_PYENV_CURRENT_RUN_DIR:-/run/astro-pyenv-current}"
socket="$run_dir/docker.sock"
pid_file="$run_dir/dockerd.pid"
mounts_file="$run_dir/mounts"
log_file="$state/dockerd.log"
wrapper="$state/bin/docker"
docker_config="$state/docker-config"
loaded_file="$state/images-loaded"
start_timeout="${ASTRO_PYENV_ENGINE_START_TIMEOUT:-90}"
# The build cache's budget, as for the CI engine (.ci/engine.sh says why); Docker 28 names it
# reserved space (kept at least) and max used space (never more).
keep_storage="${ASTRO_PYENV_CURRENT_KEEP_STORAGE:-10GB}"
# The image store: containerd (the containerd image store, "containerd-snapshotter" feature) or
# graphdriver (overlay2, what Debian configures). Each has a data root of its own in the root:
# images and build cache of one store are not seen by the other.
image_store="${ASTRO_PYENV_CURRENT_IMAGE_STORE:-containerd}"
case "$image_store" in
    containerd) data_root=/var/lib/docker-containerd snapshotter=true ;;
    graphdriver) data_root=/var/lib/docker snapshotter=false ;;
    *) echo "error: ASTRO_PYENV_CURRENT_IMAGE_STORE is containerd or graphdriver, not $image_store" >&2; exit 2 ;;
esac
packages=(docker.io docker-cli docker-buildx iptables)

log() { printf '[engine-current] %s\n' "$*" >&2; }

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

complete() {
    # True when the root has the packages installed (its marker is written last by install).
    [ -s "$root/.astro-pyenv-complete" ] && [ -x "$root/usr/sbin/dockerd" ]
}

store_in_use() {
    # containerd when the engine keeps images in containerd (docker info names the snapshotter).
    if "$wrapper" info --format '{{json .DriverStatus}}' 2>/dev/null | grep -q 'io.containerd.snapshotter'; then
        echo containerd
    else
        echo graphdriver
    fi
}

answers() {
    [ -x "$wrapper" ] && timeout 10 "$wrapper" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

cmd_install() {
    if complete; then
        log "already installed in $root: $(cat "$root/.astro-pyenv-complete")"
        return 0
    fi
    if ! command -v debootstrap >/dev/null; then
        log "apt-get install debootstrap"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade debootstrap
    fi
    # Never rm -rf a tree with the host's /dev or /sys bound into it.
    if awk -v s="$state/" 'index($2, s) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
        log "error: something is mounted under $state: run $0 stop first"
        return 1
    fi
    local tmp="$state/root.tmp" start=$SECONDS
    rm -rf "$tmp" "$root"
    mkdir -p "$state"
    log "debootstrap $suite into $tmp"
    debootstrap --variant=minbase --include=ca-certificates "$suite" "$tmp" "$mirror" \
        >"$state/install.log" 2>&1 \
        || { log "error: debootstrap failed; last lines of $state/install.log:"; tail -n 20 "$state/install.log" >&2; return 1; }
    cp /etc/resolv.conf "$tmp/etc/resolv.conf"
    # Keep package scripts from starting services in the root.
    printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
    chmod 755 "$tmp/usr/sbin/policy-rc.d"
    log "apt-get install ${packages[*]} in $tmp"
    # sid's Release file can be past its Valid-Until date on a machine whose clock is ahead.
    if ! { chroot "$tmp" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
               apt-get -o Acquire::Check-Valid-Until=false update -qq \
           && chroot "$tmp" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
               apt-get install -y -q --no-install-recommends "${packages[@]}" \
           && chroot "$tmp" apt-get clean; } >>"$state/install.log" 2>&1; then
        log "error: apt-get in the $suite root failed; last lines of $state/install.log:"
        tail -n 20 "$state/install.log" >&2
        return 1
    fi
    chroot "$tmp" dpkg-query -W -f '${Package} ${Version}; ' docker.io docker-cli docker-buildx containerd runc \
        >"$tmp/.astro-pyenv-complete"
    mv "$tmp" "$root"
    log "installed in $((SECONDS - start))s: $(cat "$root/.astro-pyenv-complete")"
}

write_client() {
    # The chroot's docker CLI and buildx plugin, run on the host, talking to this engine.
    mkdir -p "$state/bin" "$docker_config/cli-plugins"
    ln -sfn "$root/usr/libexec/docker/cli-plugins/docker-buildx" "$docker_config/cli-plugins/docker-buildx"
    [ -f "$docker_config/config.json" ] || echo '{}' >"$docker_config/config.json"
    cat >"$wrapper.tmp" <<WRAPPER
#!/bin/sh
# Written by .ci/engine-current.sh: the $suite root's docker CLI (and its buildx plugin through
# DOCKER_CONFIG) talking to the current engine at $socket.
export DOCKER_HOST=unix://$socket DOCKER_CONFIG=$docker_config
exec $root/usr/bin/docker "\$@"
WRAPPER
    chmod 755 "$wrapper.tmp"
    mv "$wrapper.tmp" "$wrapper"
}

mount_once() {
    # mount_once TARGET MOUNT-ARGS...: mount unless TARGET is a mount point; note it for stop.
    local target="$1"
    shift
    mountpoint -q "$target" && return 0
    mkdir -p "$target"
    mount "$@" "$target"
    echo "$target" >>"$mounts_file"
}

mount_root() {
    # dockerd in a chroot needs its root to be a mount point (else loading an image fails with
    # "remount /: invalid argument") and /sys recursively, as a slave (the host's cgroup v1
    # hierarchies are mounts below /sys; a plain bind gives "Devices cgroup isn't mounted").
    mount_once "$root" --bind "$root"
    mount_once "$root/proc" --bind /proc
    mount_once "$root/dev" --bind /dev
    mount_once "$root/dev/pts" --bind /dev/pts
    if ! mountpoint -q "$root/sys"; then
        mount_once "$root/sys" --rbind /sys
        mount --make-rslave "$root/sys"
    fi
    mount_once "$root$run_dir" --bind "$run_dir"
}

unmount_root() {
    [ -s "$mounts_file" ] || return 0
    local target
    # Last mounted first; -l for what a dying dockerd may still hold for a moment.
    for target in $(tac "$mounts_file"); do
        if mountpoint -q "$target"; then
            umount -R "$target" 2>/dev/null || umount -R -l "$target"
        fi
    done
    rm -f "$mounts_file"
}

cmd_start() {
    write_client
    if answers; then
        if [ "$(store_in_use)" != "$image_store" ]; then
            # An engine started before the store changed (the warm machine's): restart it.
            log "the engine at unix://$socket runs the $(store_in_use) image store, not $image_store: restarting it"
            cmd_stop
        fi
    fi
    if answers; then
        log "engine answers at unix://$socket ($(store_in_use) image store): $("$wrapper" version --format 'server {{.Server.Version}}, client {{.Client.Version}}')"
        cmd_images
        return 0
    fi
    complete || { log "error: no complete root at $root: run $0 install"; return 1; }
    if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
        log "error: dockerd (pid $(cat "$pid_file")) is running but does not answer; see $log_file"
        return 1
    fi
    mkdir -p "$run_dir"
    rm -f "$pid_file" "$socket"
    mount_root
    # Name resolution as the host has it now (RUN steps on the host network read this file).
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    mkdir -p "$root/etc/docker"
    printf '{"features": {"containerd-snapshotter": %s}, "builder": {"gc": {"enabled": true, "defaultReservedSpace": "%s", "defaultMaxUsedSpace": "%s"}}}\n' \
        "$snapshotter" "$keep_storage" "$keep_storage" >"$root/etc/docker/astro-pyenv-daemon.json"
    log "starting the $suite root's dockerd ($image_store image store, data root $root$data_root, log $log_file, build cache budget $keep_storage)"
    # Paths inside the root; the socket directory is the host's $run_dir, bound in. The pid
    # file is dockerd's pid as the host sees it (chroot does not change pid namespaces). The
    # daemon does not keep this script's lock (fd 8) open.
    setsid chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        dockerd --iptables=false --ip6tables=false --bridge=none \
        --data-root "$data_root" \
        --exec-root /run/docker \
        -H "unix://$socket" \
        --pidfile "$pid_file" \
        --config-file /etc/docker/astro-pyenv-daemon.json \
        >>"$log_file" 2>&1 </dev/null 8>&- &
    local deadline=$((SECONDS + start_timeout))
    until answers; do
        if [ $SECONDS -ge $deadline ]; then
            log "error: dockerd did not answer at unix://$socket within ${start_timeout}s; last lines of $log_file:"
            tail -n 30 "$log_file" >&2 || true
            return 1
        fi
        sleep 0.5
    done
    log "engine up: $("$wrapper" version --format 'server {{.Server.Version}}, client {{.Client.Version}}'), buildx $("$wrapper" buildx version | cut -d' ' -f2)"
    cmd_images
}

images_wanted() {
    local image
    for image in "$ASTRO_PYENV_PYTHON_BASE" "$ASTRO_PYENV_PYTHON_BOOKWORM_BASE" \
                 "$ASTRO_PYENV_RUNTIME_IMAGE" "$ASTRO_PYENV_RUNTIME_IMAGE-base" \
                 "$ASTRO_PYENV_MINIMAL_BASE" "$ASTRO_PYENV_TRIXIE_BASE" "$ASTRO_PYENV_BULLSEYE_BASE" \
                 debian:bookworm "$ASTRO_PYENV_INTERPRETER_BASE"; do
        [ -n "$image" ] && echo "$image"
    done | sort -u
}

cmd_images() {
    answers || { log "error: the current engine does not answer: run $0 start"; return 1; }
    touch "$loaded_file"
    local image source_id todo=()
    for image in $(images_wanted); do
        source_id="$(DOCKER_HOST="$ci_docker_host" "$ci_docker" image inspect -f '{{.Id}}' "$image" 2>/dev/null)" \
            || { log "$image: not in the CI engine (builds pull it)"; continue; }
        if grep -qxF "$image $source_id" "$loaded_file" && "$wrapper" image inspect "$image" >/dev/null 2>&1; then
            continue
        fi
        todo+=("$image")
    done
    if [ ${#todo[@]} -eq 0 ]; then
        log "test images present"
        return 0
    fi
    log "copying from the CI engine: ${todo[*]}"
    DOCKER_HOST="$ci_docker_host" "$ci_docker" save "${todo[@]}" | "$wrapper" load -q >&2
    for image in "${todo[@]}"; do
        source_id="$(DOCKER_HOST="$ci_docker_host" "$ci_docker" image inspect -f '{{.Id}}' "$image")"
        grep -v "^$image " "$loaded_file" >"$loaded_file.tmp" || true
        echo "$image $source_id" >>"$loaded_file.tmp"
        mv "$loaded_file.tmp" "$loaded_file"
    done
}

cmd_stop() {
    if [ -s "$pid_file" ]; then
        stop_by_pid_file "$pid_file" dockerd 30
    else
        log "no pid file at $pid_file: no dockerd started by this script"
    fi
    unmount_root
}

cmd_trim() {
    # Prune the build cache least recently used first, down to the budget; drop dangling images.
    answers || { log "error: the current engine does not answer: run $0 start"; return 1; }
    log "build cache before: $("$wrapper" system df --format '{{if eq .Type "Build Cache"}}{{.Size}}{{end}}' | tr -d '\n')"
    "$wrapper" builder prune -f --reserved-space "$keep_storage" --max-used-space "$keep_storage" >/dev/null
    "$wrapper" image prune -f >/dev/null
    log "build cache after: $("$wrapper" system df --format '{{if eq .Type "Build Cache"}}{{.Size}}{{end}}' | tr -d '\n') (budget $keep_storage)"
}

cmd_status() {
    if answers; then
        "$wrapper" version --format 'current engine at {{"'"unix://$socket"'"}}: server {{.Server.Version}}, client {{.Client.Version}}'
    else
        echo "no current engine answers at unix://$socket"
        return 1
    fi
}

# install and start one at a time: a second one (`make test` while .ci/run's runs in the
# background) waits, then finds the root complete and the engine answering.
one_at_a_time() {
    mkdir -p "$(dirname "$state")"
    exec 8>"$state.lock"
    if ! flock -n 8; then
        log "another run is installing or starting this engine: waiting for it"
        flock 8
    fi
}

case "${1:-}" in
    install) one_at_a_time; cmd_install ;;
    start) one_at_a_time; cmd_start ;;
    images) cmd_images ;;
    stop) cmd_stop ;;
    trim) cmd_trim ;;
    status) cmd_status ;;
    *) echo "usage: $0 install|start|images|stop|trim|status" >&2; exit 2 ;;
esac
