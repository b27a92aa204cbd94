#!/usr/bin/env bash
# Local stand-ins for public images, for machines that reach no container registry.  They look
# like today's public images: Debian 13 under python:3.12-slim (every python:3.x-slim tag since
# August 2025), 12 and 11 beside it, the Astro Runtimes on the Debian release theirs use.
# Each image is built only when missing (or when what it is built from changed):
#   local/debian:<suite>-minbase    debootstrap --variant=minbase <suite>, `docker import`ed, for
#                                   bullseye (11), bookworm (12) and trixie (13); also tagged
#                                   debian:<suite>-slim and debian:<suite>
#   $ASTRO_PYENV_PYTHON_BASE        python:3.12-slim stand-in on trixie (Debian's python3, venv,
#                                   pip), also tagged python:3.12-slim-trixie
#   $ASTRO_PYENV_PYTHON_BOOKWORM_BASE   the same on bookworm (python:3.12-slim-bookworm)
#   $ASTRO_PYENV_RUNTIME_IMAGE      Astro Runtime stand-in with ONBUILD, and its -base variant:
#                                   Airflow $ASTRO_PYENV_AIRFLOW_VERSION (default 2.11.0) on
#                                   bookworm, as Astro Runtime 13 is (Astronomer's "Runtime image
#                                   architecture" page: Debian 12, Python 3.12)
#   $ASTRO_PYENV_RUNTIME3_IMAGE     the same for the Airflow 3 runtime (astrocrpublic.azurecr.io/
#                                   runtime:3.1-17): one recipe, Airflow $ASTRO_PYENV_AIRFLOW3_VERSION
#                                   (default 3.1.8, what that tag ships), on bookworm too (no public
#                                   source names its release; Apache's own Airflow 3.1 images are
#                                   bookworm)
# Airflow is installed with every package pinned (.ci/constraints/airflow-<A>-python-<P>.txt), so
# a new release on PyPI does not change these images.  The debootstrap rootfs tarballs are kept
# in $ASTRO_PYENV_CI_CACHE/base for later runs.
# --python-base: only the python:3.12-slim stand-in and its Debian base (what the frontend image
# is built FROM).
# --interpreters: those and Debian 11 (what `make interpreters` compiles on), no Airflow.
set -euo pipefail

only=""
case "${1:-}" in
    "") ;;
    --python-base) only=python-base ;;
    --interpreters) only=interpreters ;;
    *) echo "usage: $0 [--python-base | --interpreters]" >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=engine-env.sh
source "$here/engine-env.sh"
# shellcheck source=build-flags.sh
source "$here/build-flags.sh"

docker_cli="$ASTRO_PYENV_DOCKER"
recipes="$here/standins"
constraints="$here/constraints"
airflow_version="${ASTRO_PYENV_AIRFLOW_VERSION:-2.11.0}"
airflow3_version="${ASTRO_PYENV_AIRFLOW3_VERSION:-3.1.8}"
# The Python of the runtime stand-ins: Debian bookworm's python3.
runtime_python=3.11
recipe_label=io.astro-pyenv.standin.recipe

log() { printf '[standins] %s\n' "$*" >&2; }

recipe_of() {
    # recipe_of WORD FILE...: hash of everything an image is built from, stored as a label to
    # spot a changed recipe.
    local word="$1"
    shift
    { cat "$@"; echo "$word"; } | sha256sum | cut -c1-16
}

is_current() {
    # True when image $1 exists and carries recipe hash $2 (or is not a stand-in at all).
    local have
    have="$("$docker_cli" image inspect -f "{{index .Config.Labels \"$recipe_label\"}}" "$1" 2>/dev/null)" \
        || return 1
    [ "$have" = "$2" ] || [ "$have" = "<no value>" ] || [ -z "$have" ]
}

tag_if_missing() {
    "$docker_cli" image inspect "$2" >/dev/null 2>&1 || "$docker_cli" tag "$1" "$2"
}

under_lock() {
    # under_lock COMMAND...: COMMAND while holding the stand-ins' lock. One image is made at a time
    # across runs (.ci/run makes them in the background while `make test` may ask for them too):
    # a second run waits for the image being made, then finds it current (COMMAND checks again).
    (
        if ! flock -n 7; then
            log "another run is making a stand-in: waiting for it"
            flock 7
        fi
        "$@"
    ) 7>"$ASTRO_PYENV_CI_CACHE/.standins.lock"
}

has_image() { "$docker_cli" image inspect "$1" >/dev/null 2>&1; }

import_base() {
    # import_base SUITE IMAGE TARBALL: debootstrap SUITE and import it as IMAGE, unless present.
    has_image "$2" && return 0
    bash "$here/debootstrap-base.sh" amd64 "$1" "$3"
    log "docker import $3 -> $2"
    "$docker_cli" import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' "$3" "$2" >/dev/null
}

build_base() {
    # build_base SUITE: local/debian:SUITE-minbase, and the public names of its slim image.
    local suite="$1" image="local/debian:$1-minbase" tarball="$ASTRO_PYENV_CI_CACHE/base/$1-minbase.tar"
    if has_image "$image"; then
        log "$image present"
    else
        under_lock import_base "$suite" "$image" "$tarball"
    fi
    tag_if_missing "$image" "debian:$suite-slim"
    tag_if_missing "$image" "debian:$suite"
}

# build TAG DOCKERFILE SUITE PINS [extra docker build args...]: build FROM SUITE's base unless
# current; PINS is the constraints file it installs with, or "-".
build() {
    local tag="$1" dockerfile="$2" suite="$3" pins="$4"
    shift 4
    local recipe pins_file=()
    [ "$pins" = - ] || pins_file=("$constraints/$pins")
    recipe="$(recipe_of "$suite" "$dockerfile" "$recipes"/install-* "${pins_file[@]}")"
    if is_current "$tag" "$recipe"; then
        log "$tag present"
        return 0
    fi
    under_lock build_image "$tag" "$dockerfile" "$suite" "$recipe" "$@"
}

# build_image TAG DOCKERFILE SUITE RECIPE [extra docker build args...]: build's work, unless
# the image became current meanwhile.
build_image() {
    local tag="$1" dockerfile="$2" suite="$3" recipe="$4"
    shift 4
    is_current "$tag" "$recipe" && return 0
    log "building $tag (Debian $suite)"
    build_flags ca   # --network host, the CA secret
    "$docker_cli" build "${BUILD_FLAGS[@]}" --progress plain \
        -f "$dockerfile" \
        --build-context "constraints=$constraints" \
        --build-arg "BASE_IMAGE=local/debian:$suite-minbase" \
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
if [ -n "$only" ]; then
    [ "$only" = interpreters ] && timed build_base bullseye
    timed build_base trixie
    timed build "$ASTRO_PYENV_PYTHON_BASE" "$recipes/python-slim.Dockerfile" trixie -
    exit 0
fi
for suite in bullseye bookworm trixie; do
    timed build_base "$suite"
done
timed build "$ASTRO_PYENV_PYTHON_BASE" "$recipes/python-slim.Dockerfile" trixie -
"$docker_cli" tag "$ASTRO_PYENV_PYTHON_BASE" python:3.12-slim-trixie
timed build "$ASTRO_PYENV_PYTHON_BOOKWORM_BASE" "$recipes/python-slim.Dockerfile" bookworm -
# One Dockerfile for both Airflow majors: the version and its constraints are build args.
for pair in "$ASTRO_PYENV_RUNTIME_IMAGE $airflow_version" "$ASTRO_PYENV_RUNTIME3_IMAGE $airflow3_version"; do
    read -r runtime version <<<"$pair"
    pins="airflow-$version-python-$runtime_python.txt"
    [ -f "$constraints/$pins" ] \
        || { log "error: no $constraints/$pins: add Airflow $version to .ci/constraints/update.sh"; exit 1; }
    for target in base onbuild; do
        tag="$runtime"
        [ "$target" = base ] && tag="$runtime-base"
        timed build "$tag" "$recipes/astro-runtime.Dockerfile" bookworm "$pins" --target "$target" \
            --build-arg "AIRFLOW_VERSION=$version" --build-arg "AIRFLOW_CONSTRAINTS=$pins"
    done
done
