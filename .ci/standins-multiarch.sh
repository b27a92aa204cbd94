#!/usr/bin/env bash
# Multi-platform (linux/amd64 + linux/arm64) stand-ins in the local registry, for machines that
# reach no public registry: what cross-platform builds and `make release` build FROM.
#   $ASTRO_PYENV_REGISTRY/standins/debian:bookworm-slim   debootstrap minbase bookworm, both arches
#   $ASTRO_PYENV_REGISTRY/standins/python:3.12-slim-bookworm   .ci/standins/python-slim.Dockerfile on it
# A local image tag holds one platform only; a registry index holds both, and BuildKit picks the
# platform a build asks for, as it does with the public images these stand in for.  The amd64
# halves are the local stand-ins of .ci/standins.sh; arm64 runs under emulation
# (.ci/emulation.sh).  Each index is made again only when what it is made of changed.
#
# With --astro-runtime (`make bench`, for its cross-platform scenario; not CI: pip installs
# Airflow under emulation, many minutes), also
#   $ASTRO_PYENV_MULTIARCH_RUNTIME_BASE   the Astro Runtime -base stand-in
#                                         (.ci/standins/astro-runtime.Dockerfile --target base)
set -euo pipefail

with_runtime=false
case "${1:-}" in
    --astro-runtime) with_runtime=true ;;
    "") ;;
    *) echo "usage: $0 [--astro-runtime]" >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=engine-env.sh
source "$here/engine-env.sh"
# shellcheck source=build-flags.sh
source "$here/build-flags.sh"

docker_cli="$ASTRO_PYENV_DOCKER"
registry="$ASTRO_PYENV_REGISTRY"
cache="$ASTRO_PYENV_CI_CACHE/multiarch"
arm64_tar="$ASTRO_PYENV_CI_CACHE/base/bookworm-minbase-arm64.tar"
python_amd64="$ASTRO_PYENV_PYTHON_BOOKWORM_BASE"   # .ci/standins.sh's, on bookworm as the arm64 half
debian_index="$ASTRO_PYENV_MULTIARCH_DEBIAN"
python_index="$ASTRO_PYENV_MULTIARCH_PYTHON"

log() { printf '[standins-multiarch] %s\n' "$*" >&2; }

bash "$here/emulation.sh" status || { log "error: arm64 emulation is not set up (.ci/emulation.sh start)"; exit 1; }
mkdir -p "$cache" "$(dirname "$arm64_tar")"

# One run at a time: a second one (`make test` while .ci/run's runs in the background) waits,
# then finds the indexes current.
exec 9>"$cache/.lock"
if ! flock -n 9; then
    log "another run is making the multi-platform stand-ins: waiting for it"
    flock 9
fi

# current NAME KEY: true when the index NAME was made from KEY and the registry still has it.
current() {
    [ "$(cat "$cache/$(basename "$1").key" 2>/dev/null)" = "$2" ] \
        && "$docker_cli" buildx imagetools inspect "$1" >/dev/null 2>&1
}

# publish INDEX AMD64_IMAGE ARM64_IMAGE KEY: push both local images, join them into INDEX.
publish() {
    local index="$1" amd64="$2" arm64="$3" key="$4"
    "$docker_cli" tag "$amd64" "$index-amd64"
    "$docker_cli" tag "$arm64" "$index-arm64"
    "$docker_cli" push -q "$index-amd64" >/dev/null
    "$docker_cli" push -q "$index-arm64" >/dev/null
    "$docker_cli" buildx imagetools create -t "$index" "$index-amd64" "$index-arm64" >"$cache/imagetools.log" 2>&1 \
        || { cat "$cache/imagetools.log" >&2; exit 1; }
    echo "$key" >"$cache/$(basename "$index").key"
    log "$index: linux/amd64 + linux/arm64"
}

image_id() { "$docker_cli" image inspect -f '{{.Id}}' "$1"; }

# Debian minbase for arm64 (~1 min; its second stage runs under emulation).
bash "$here/debootstrap-base.sh" arm64 bookworm "$arm64_tar"
arm64_base=local/debian:bookworm-minbase-arm64
if ! "$docker_cli" image inspect "$arm64_base" >/dev/null 2>&1; then
    "$docker_cli" import --platform linux/arm64 -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' \
        "$arm64_tar" "$arm64_base" >/dev/null
fi

debian_key="$(image_id local/debian:bookworm-minbase) $(image_id "$arm64_base")"
if current "$debian_index" "$debian_key"; then
    log "$debian_index present"
else
    publish "$debian_index" local/debian:bookworm-minbase "$arm64_base" "$debian_key"
fi

# python:3.12-slim stand-in for arm64, FROM the index just made (apt under emulation, minutes).
python_recipe="$(cat "$here/standins/python-slim.Dockerfile" | sha256sum | cut -c1-16)"
python_key="$(image_id "$python_amd64") $python_recipe $debian_key"
if current "$python_index" "$python_key"; then
    log "$python_index present"
else
    log "building the python stand-in for linux/arm64 (under emulation)"
    build_flags ca
    "$docker_cli" build "${BUILD_FLAGS[@]}" --progress plain --platform linux/arm64 \
        -f "$here/standins/python-slim.Dockerfile" --build-arg "BASE_IMAGE=$debian_index" \
        -t local/python-standin:arm64 "$here/standins" >"$cache/python-arm64.log" 2>&1 \
        || { tail -n 30 "$cache/python-arm64.log" >&2; exit 1; }
    publish "$python_index" "$python_amd64" local/python-standin:arm64 "$python_key"
fi

# The Astro Runtime -base stand-in for arm64, FROM the Debian index (pip installs Airflow under
# emulation); its amd64 half is .ci/standins.sh's local image.
$with_runtime || exit 0
runtime_index="$ASTRO_PYENV_MULTIARCH_RUNTIME_BASE"
runtime_base="$ASTRO_PYENV_RUNTIME_IMAGE-base"
airflow_version="${ASTRO_PYENV_AIRFLOW_VERSION:-2.11.0}"
pins="airflow-$airflow_version-python-3.11.txt"   # as .ci/standins.sh installs it
runtime_recipe="$({ cat "$here/standins/astro-runtime.Dockerfile" "$here"/standins/install-* "$here/constraints/$pins"
                    echo "$airflow_version"; } | sha256sum | cut -c1-16)"
runtime_key="$(image_id "$runtime_base") $runtime_recipe $debian_key"
if current "$runtime_index" "$runtime_key"; then
    log "$runtime_index present"
else
    log "building the Astro Runtime -base stand-in for linux/arm64 (under emulation, many minutes)"
    build_flags ca
    "$docker_cli" build "${BUILD_FLAGS[@]}" --progress plain --platform linux/arm64 \
        -f "$here/standins/astro-runtime.Dockerfile" --target base \
        --build-arg "BASE_IMAGE=$debian_index" --build-arg "AIRFLOW_VERSION=$airflow_version" \
        --build-arg "AIRFLOW_CONSTRAINTS=$pins" --build-context "constraints=$here/constraints" \
        -t local/astro-runtime-standin:base-arm64 "$here/standins" >"$cache/astro-runtime-arm64.log" 2>&1 \
        || { tail -n 30 "$cache/astro-runtime-arm64.log" >&2; exit 1; }
    publish "$runtime_index" "$runtime_base" local/astro-runtime-standin:base-arm64 "$runtime_key"
fi
