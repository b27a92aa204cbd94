#!/usr/bin/env bash
# Make a real Docker engine with BuildKit ready for `make test-e2e`, `make example` and
# `make bench`; idempotent and quick once done.
#
# Reuses an engine that answers (see engine-env.sh for which); otherwise installs Debian's
# docker.io and starts our own dockerd.  In both modes it serves a local registry on
# 127.0.0.1 (.ci/registry.sh, $ASTRO_PYENV_REGISTRY) and registers arm64 emulation
# (.ci/emulation.sh).  Offline, it also builds the local stand-ins for public images (one
# platform, and both platforms in the registry) and serves the CPython mirror.  Leaves what it started running.
#
# --frontend-image: only what building the frontend image needs (`make frontend-image`): the
# engine and, offline, the python:3.12-slim stand-in it is built FROM.  No registry, emulation,
# CPython mirror or other stand-ins: a machine with Docker alone builds the image.
# --interpreters: what `make interpreters` needs (the engine, the registry, arm64 emulation and,
# offline, the CPython mirror and the stand-ins of the frontend image's base and of Debian 11):
# .ci/run starts compiling while the other stand-ins are made.
# --no-multiarch: all but the multi-platform stand-ins (.ci/run makes those while the prebuilt
# interpreters compile).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=engine-env.sh
source "$here/engine-env.sh"

image_only=false
multiarch=true
standins=all
case "${1:-}" in
    "") ;;
    --frontend-image) image_only=true ;;
    --interpreters) multiarch=false; standins=interpreters ;;
    --no-multiarch) multiarch=false ;;
    *) echo "usage: $0 [--frontend-image | --interpreters | --no-multiarch]" >&2; exit 2 ;;
esac

need_packages=()
if ! bash "$here/engine.sh" status >/dev/null 2>&1; then
    bash "$here/engine.sh" install
    bash "$here/engine.sh" start
fi
if $image_only; then
    if [ "$ASTRO_PYENV_OFFLINE" = 1 ]; then
        if ! command -v debootstrap >/dev/null; then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade debootstrap
        fi
        bash "$here/standins.sh" --python-base
    fi
    exit 0
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
    if [ "$standins" = interpreters ]; then bash "$here/standins.sh" --interpreters; else bash "$here/standins.sh"; fi
    bash "$here/cpython-mirror.sh" start
fi
# linux/arm64 under emulation (cross-platform builds, the release's arm64 image); offline, the
# multi-platform stand-ins those builds start FROM.
bash "$here/emulation.sh" status || { bash "$here/emulation.sh" install && bash "$here/emulation.sh" start; }
if [ "$ASTRO_PYENV_OFFLINE" = 1 ] && $multiarch; then
    bash "$here/standins-multiarch.sh"
fi
