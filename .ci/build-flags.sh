#!/usr/bin/env bash
# The engine/mirror/CA flags of every `docker build` that CI, the example, the e2e harness and
# the benchmark run: the one place they are written.
#
#   build_flags [mirror] [ca]   sets the array BUILD_FLAGS to:
#     always                    --network host   (the offline CPython mirror listens on 127.0.0.1)
#     with mirror, when PYTHON_BUILD_MIRROR_URL is set
#                               --build-arg PYTHON_BUILD_MIRROR_URL=<it>
#     with ca, when ASTRO_PYENV_CA_BUNDLE is set
#                               --secret id=astro-pyenv-ca,src=<it>
#   Empty variables count as unset; .ci/engine-env.sh sets both on machines without a registry.
#
# Bash scripts source this file and call the function:
#     source .ci/build-flags.sh && build_flags mirror ca && args=(build "${BUILD_FLAGS[@]}" ...)
# Anything else runs it and reads the flags NUL-separated from stdout:
#     bash .ci/build-flags.sh mirror ca        (Python: .stdout.split("\0")[:-1])

build_flags() {
    local what mirror=false ca=false
    for what in "$@"; do
        case "$what" in
            mirror) mirror=true ;;
            ca) ca=true ;;
            *) echo "usage: build_flags [mirror] [ca]" >&2; return 2 ;;
        esac
    done
    BUILD_FLAGS=(--network host)
    if $mirror && [ -n "${PYTHON_BUILD_MIRROR_URL:-}" ]; then
        BUILD_FLAGS+=(--build-arg "PYTHON_BUILD_MIRROR_URL=$PYTHON_BUILD_MIRROR_URL")
    fi
    if $ca && [ -n "${ASTRO_PYENV_CA_BUNDLE:-}" ]; then
        BUILD_FLAGS+=(--secret "id=astro-pyenv-ca,src=$ASTRO_PYENV_CA_BUNDLE")
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    build_flags "$@"
    printf '%s\0' "${BUILD_FLAGS[@]}"
fi
