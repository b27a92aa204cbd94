#!/usr/bin/env bash
# Run linux/arm64 containers and builds on an amd64 machine: Debian's qemu-user-static, registered
# with binfmt_misc so that containers (which cannot see the host's /usr/libexec) can use it.
#   .ci/emulation.sh install   apt-get install qemu-user-static (when missing)
#   .ci/emulation.sh start     mount binfmt_misc when absent; register aarch64 with flag F
#                              (the kernel opens the interpreter at registration time), pointing
#                              at /usr/bin/qemu-aarch64-static
#   .ci/emulation.sh status    exit 0 when arm64 binaries run through a usable registration
#   .ci/emulation.sh stop      undo only what `start` did (the registration, the mount)
# Nothing to do on an arm64 machine, or where the registration is already usable.
set -euo pipefail

binfmt=/proc/sys/fs/binfmt_misc
entry="$binfmt/qemu-aarch64"
qemu=/usr/bin/qemu-aarch64-static
# Debian's systemd-binfmt file holds the ELF magic and mask for aarch64.
conf=/usr/lib/binfmt.d/qemu-aarch64.conf
state=/run/astro-pyenv-emulation

log() { printf '[emulation] %s\n' "$*" >&2; }

native() { [ "$(uname -m)" = aarch64 ]; }

usable() {
    # Enabled, flag F (so containers need not see the interpreter), our static qemu.
    [ -r "$entry" ] || return 1
    grep -qx enabled "$entry" && grep -q '^flags: .*F' "$entry" && grep -qx "interpreter $qemu" "$entry"
}

install() {
    native && return 0
    [ -x "$qemu" ] && [ -r "$conf" ] && return 0
    log "installing qemu-user-static"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null
}

start() {
    native && { log "native arm64: nothing to register"; return 0; }
    [ -x "$qemu" ] && [ -r "$conf" ] || { log "error: $qemu missing (run: $0 install)"; return 1; }
    mkdir -p "$state"
    if [ ! -e "$binfmt/register" ]; then
        mount -t binfmt_misc binfmt_misc "$binfmt"
        touch "$state/mounted"
        log "mounted binfmt_misc"
    fi
    if usable; then
        log "aarch64 already registered with $qemu (flag F)"
        return 0
    fi
    if [ -e "$entry" ]; then
        # Someone else's registration (e.g. flag P with /usr/libexec/qemu-binfmt/...): replaced,
        # because containers cannot reach its interpreter.
        echo -1 >"$entry"
    fi
    local name magic mask
    IFS=: read -r _ name _ _ magic mask _ _ <"$conf"
    [ "$name" = qemu-aarch64 ] || { log "error: unexpected $conf"; return 1; }
    printf ':qemu-aarch64:M::%s:%s:%s:FPC' "$magic" "$mask" "$qemu" >"$binfmt/register"
    touch "$state/registered"
    usable || { log "error: registration did not take"; return 1; }
    log "registered aarch64 -> $qemu (flags FPC)"
}

status() {
    native && return 0
    usable
}

stop() {
    if [ -e "$state/registered" ]; then
        [ ! -e "$entry" ] || echo -1 >"$entry"
        rm -f "$state/registered"
        log "unregistered aarch64"
    fi
    if [ -e "$state/mounted" ]; then
        umount "$binfmt" 2>/dev/null || true
        rm -f "$state/mounted"
        log "unmounted binfmt_misc"
    fi
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    status) status ;;
    stop) stop ;;
    *) echo "usage: $0 install|start|status|stop" >&2; exit 2 ;;
esac
