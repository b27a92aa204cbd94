#!/usr/bin/env bash
# Local stand-ins for public images, for machines that reach no container registry.
# Each image is built only when missing (or when its recipe under .ci/standins/ changed):
#   local/debian:bookworm-minbase   debootstrap --variant=minbase bookworm, `docker import`ed
#                                   (also tagged debian:bookworm-slim and debian:bookworm)
#   $ASTRO_PYENV_PYTHON_BASE        python:3.12-slim stand-in (Debian's python3, venv, pip)
#   $ASTRO_PYENV_RUNTIME_IMAGE      Astro Runtime stand-in with ONBUILD, and its -base variant:
#                                   Airflow $ASTRO_PYENV_AIRFLOW_VERSION (default 2.11.0)
#   $ASTRO_PYENV_RUNTIME3_IMAGE     the same for the Airflow 3 runtime (astrocrpublic.azurecr.io/
#                                   runtime:3.1-17): one recipe, Airflow $ASTRO_PYENV_AIRFLOW3_VERSION
#                                   (default 3.1.8, what that tag ships) as its AIRFLOW_VERSION
# The debootstrap rootfs tarball is kept in $ASTRO_PYENV_CI_CACHE/base for later runs.
# --python-base: only the first two (what the frontend image is built FROM).
set -euo pipefail

python_base_only=false
case "${1:-}" in
    "") ;;
    --python-base) python_base_only=true ;;
    *) echo "usage: $0 [--python-base]" >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=engine-env.sh
source "$here/engine-env.sh"
# shellcheck source=build-flags.sh
source "$here/build-flags.sh"

docker_cli="$ASTRO_PYENV_DOCKER"
recipes="$here/standins"
base_image=local/debian:bookworm-minbase
base_tar="$ASTRO_PYENV_CI_CACHE/base/bookworm-minbase.tar"
airflow_version="${ASTRO_PYENV_AIRFLOW_VERSION:-2.11.0}"
airflow3_version="${ASTRO_PYENV_AIRFLOW3_VERSION:-3.1.8}"
recipe_label=io.astro-pyenv.standin.recipe

log() { printf '[standins] %s\n' "$*" >&2; }

recipe_of() {
    # recipe_of AIRFLOW_VERSION FILE...: hash of everything an image is built from, stored as a
    # label to spot a changed recipe.
    local version="$1"
    shift
    { cat "$@"; echo "$version"; } | sha256sum | cut -c1-16
}

is_current() {
    # True when image $1 exists and carries recipe hash $2 (or is not a stand-in at all).
    local have
    have="$("$docker_cli" image inspect -f "{{index .Config.Labels \"$recipe_label\"}}" "$1" 2>/dev/null)" \
        || return 1
    [ "$have" = "$2" ] || [ "$have" = "<no value>" ] || [ -z "$have" ]
}

build_base() {
    if "$docker_cli" image inspect "$base_image" >/dev/null 2>&1; then
        log "$base_image present"
    else
        bash "$here/debootstrap-base.sh" amd64 "$base_tar"
        log "docker import $base_tar -> $base_image"
        "$docker_cli" import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' "$base_tar" "$base_image" >/dev/null
    fi
    local alias
    for alias in debian:bookworm-slim debian:bookworm; do
        "$docker_cli" image inspect "$alias" >/dev/null 2>&1 || "$docker_cli" tag "$base_image" "$alias"
    done
}

# build TAG DOCKERFILE AIRFLOW_VERSION [extra docker build args...]: build FROM the base unless
# current.
build() {
    local tag="$1" dockerfile="$2" version="$3"
    shift 3
    local recipe
    recipe="$(recipe_of "$version" "$dockerfile" "$recipes"/install-*)"
    if is_current "$tag" "$recipe"; then
        log "$tag present"
        return 0
    fi
    log "building $tag"
    build_flags ca   # --network host, the CA secret
    "$docker_cli" build "${BUILD_FLAGS[@]}" --progress plain \
        -f "$dockerfile" \
        --build-arg "BASE_IMAGE=$base_image" \
        --build-arg "AIRFLOW_VERSION=$version" \
        --label "$recipe_label=$recipe" \
        -t "$tag" "$@" "$recipes" \
        >"$ASTRO_PYENV_CI_CACHE/standin-build.log" 2>&1 \
        || { log "error: building $tag failed; last lines of the log:"; tail -n 40 "$ASTRO_PYENV_CI_CACHE/standin-build.log" >&2; return 1; }
}

timed() {
    local start=$SECONDS
    "$@"
    log "done in $((SECONDS - start))s: $*"
}

mkdir -p "$ASTRO_PYENV_CI_CACHE"
timed build_base
timed build "$ASTRO_PYENV_PYTHON_BASE" "$recipes/python-slim.Dockerfile" "$airflow_version"
if $python_base_only; then
    exit 0
fi
# One Dockerfile for both Airflow majors: the version is its build arg.
for pair in "$ASTRO_PYENV_RUNTIME_IMAGE $airflow_version" "$ASTRO_PYENV_RUNTIME3_IMAGE $airflow3_version"; do
    read -r runtime version <<<"$pair"
    timed build "${runtime}-base" "$recipes/astro-runtime.Dockerfile" "$version" --target base
    timed build "$runtime" "$recipes/astro-runtime.Dockerfile" "$version" --target onbuild
done
