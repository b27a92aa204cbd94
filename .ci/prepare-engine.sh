#!/usr/bin/env bash
# Make a real Docker engine with BuildKit ready for `make test-e2e`, `make example` and
# `make bench`; idempotent and quick once done.
#
# Reuses an engine that answers (see engine-env.sh for which); otherwise installs Debian's
# docker.io and starts our own dockerd.  In both modes it serves a local registry on
# 127.0.0.1 (.ci/registry.sh, $ASTRO_PYENV_REGISTRY) and registers arm64 emulation
# (.ci/emulation.sh).  Offline, it also builds the local stand-ins for public images (one
# platform, and both platforms in the registry) and serves the CPython mirror.  Leaves what it started running.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=engine-env.sh
source "$here/engine-env.sh"

need_packages=()
if ! bash "$here/engine.sh" status >/dev/null 2>&1; then
    bash "$here/engine.sh" install
    bash "$here/engine.sh" start
fi
if ! bash "$here/registry.sh" status >/dev/null 2>&1; then
    bash "$here/registry.sh" install
    bash "$here/registry.sh" start
fi
if [ "$ASTRO_PYENV_OFFLINE" = 1 ]; then
    command -v debootstrap >/dev/null || need_packages+=(debootstrap)
    command -v dpkg-source >/dev/null || need_packages+=(dpkg-dev)
    if [ ${#need_packages[@]} -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade \
            "${need_packages[@]}"
    fi
    bash "$here/standins.sh"
    bash "$here/cpython-mirror.sh" start
fi
# linux/arm64 under emulation (cross-platform builds, the release's arm64 image); offline, the
# multi-platform stand-ins those builds start FROM.
bash "$here/emulation.sh" status || { bash "$here/emulation.sh" install && bash "$here/emulation.sh" start; }
if [ "$ASTRO_PYENV_OFFLINE" = 1 ]; then
    bash "$here/standins-multiarch.sh"
fi
