#!/usr/bin/env bash
# Podman and Buildah for the tests of the generated-Dockerfile workflow: install | status.
#
#   install  Debian bookworm's podman (4.3) and buildah (1.28), only when missing: the newest
#            Debian offers on this machine without replacing its C library. Nothing starts:
#            both are plain programs, no daemon.
#   status   Print their versions; exit 1 when either is missing.
#
# Storage: the tests give every podman/buildah call `--root`/`--runroot` under
# $ASTRO_PYENV_CI_CACHE/containers (tests/e2e/podman.py), so the machine's own
# /var/lib/containers is never used and CI's cache keeps base layers between runs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=engine-env.sh
source "$here/engine-env.sh"

log() { printf '[podman] %s\n' "$*" >&2; }

installed() {
    command -v podman >/dev/null 2>&1 && command -v buildah >/dev/null 2>&1
}

cmd_install() {
    if installed; then
        log "already installed: $(podman --version), $(buildah --version)"
        return 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # `/bookworm`: the engine's trixie source (pinned low) offers newer ones that would pull
    # trixie's libc. Their dependencies resolve from bookworm (runc is the engine's own).
    # Recommends (fuse-overlayfs, slirp4netns, uidmap, ...) serve rootless use, which the
    # tests (root) do not need.
    apt-get install -y -q --no-install-recommends --no-upgrade podman/bookworm buildah/bookworm
    log "installed: $(podman --version), $(buildah --version)"
}

cmd_status() {
    if installed; then
        echo "$(podman --version); $(buildah --version)"
    else
        echo "podman or buildah is not installed (.ci/podman.sh install)"
        return 1
    fi
}

case "${1:-}" in
    install) cmd_install ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 install|status" >&2
        exit 2
        ;;
esac
