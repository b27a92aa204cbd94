#!/usr/bin/env bash
# Build the frontend image from Dockerfile.frontend: .ci/build-frontend-image.sh TAG
#
# With no overrides this is a plain build from the internet defaults in Dockerfile.frontend.
# Each of these env vars (set by .ci/engine-env.sh on machines without a registry) adds one:
#   ASTRO_PYENV_CA_BUNDLE     --secret id=astro-pyenv-ca,src=<it>  (from .ci/build-flags.sh)
#   ASTRO_PYENV_PYTHON_BASE   --build-arg BASE_IMAGE=<it>  (the python:3.12-slim stand-in)
#   ASTRO_PYENV_PYENV_LOCAL   a pyenv git checkout: `git archive HEAD` of it becomes the named
#                             build context `pyenv-local`, with --build-arg PYENV_SOURCE=pyenv-local
#                             and its HEAD as --build-arg PYENV_COMMIT
#   ASTRO_PYENV_PYENV_ARCHIVE_URL     --build-arg PYENV_ARCHIVE_URL=<it>: where the default path
#                             (no ASTRO_PYENV_PYENV_LOCAL) downloads pyenv's archive of the pinned
#                             commit from, instead of GitHub (a mirror; its files are still checked
#                             against the commit's tree)
#   ASTRO_PYENV_PREBUILT_CATALOG      a catalog.json (`make interpreters`): baked in as
#                             /opt/astro-pyenv/prebuilt/catalog.json through the named build context
#                             `prebuilt-catalog-local`, with --build-arg PREBUILT_CATALOG_SOURCE=...
#   ASTRO_PYENV_PREBUILT_REPOSITORY   --build-arg PREBUILT_REPOSITORY=<it>: the default repository
#                             the frontend pulls prebuilt interpreters from (else the catalog's)
#   ASTRO_PYENV_FRONTEND_PLATFORM     --platform=<it>: the image for another platform (under
#                             emulation when not the engine's; `make release`)
# ASTRO_PYENV_FRONTEND_DOCKERFILE (default Dockerfile.frontend) and ASTRO_PYENV_FRONTEND_CONTEXT
# (default the repository root) choose what to build.  The context's VERSION file is passed as
# --build-arg VERSION (the image's org.opencontainers.image.version label).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 TAG" >&2
    exit 2
fi
tag="$1"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
docker_cli="${ASTRO_PYENV_DOCKER:-docker}"
dockerfile="${ASTRO_PYENV_FRONTEND_DOCKERFILE:-$repo/Dockerfile.frontend}"
context="${ASTRO_PYENV_FRONTEND_CONTEXT:-$repo}"
export DOCKER_BUILDKIT=1
# shellcheck source=build-flags.sh
source "$repo/.ci/build-flags.sh"

build_flags ca   # --network host, the CA secret
args=(build "${BUILD_FLAGS[@]}" -f "$dockerfile" -t "$tag")
run_platform=()
if [ -n "${ASTRO_PYENV_FRONTEND_PLATFORM:-}" ]; then
    args+=(--platform "$ASTRO_PYENV_FRONTEND_PLATFORM")
    run_platform=(--platform "$ASTRO_PYENV_FRONTEND_PLATFORM")
fi
# The version of the tree being built (a context from before VERSION existed passes none).
if [ -f "$context/VERSION" ]; then
    args+=(--build-arg "VERSION=$(<"$context/VERSION")")
fi
if [ -n "${ASTRO_PYENV_PYTHON_BASE:-}" ]; then
    args+=(--build-arg "BASE_IMAGE=$ASTRO_PYENV_PYTHON_BASE")
fi
pyenv_dir=""
catalog_dir=""
cleanup() {
    [ -z "$pyenv_dir" ] || rm -rf "$pyenv_dir"
    [ -z "$catalog_dir" ] || rm -rf "$catalog_dir"
}
trap cleanup EXIT
if [ -n "${ASTRO_PYENV_PYENV_LOCAL:-}" ]; then
    pyenv_dir="$(mktemp -d /tmp/astro-pyenv-pyenv.XXXXXX)"
    # pyenv alone: `git archive` leaves out versions/, shims/ and anything untracked.
    git -C "$ASTRO_PYENV_PYENV_LOCAL" archive HEAD | tar -x -C "$pyenv_dir"
    args+=(--build-context "pyenv-local=$pyenv_dir" --build-arg PYENV_SOURCE=pyenv-local)
    args+=(--build-arg "PYENV_COMMIT=$(git -C "$ASTRO_PYENV_PYENV_LOCAL" rev-parse HEAD)")
fi
if [ -n "${ASTRO_PYENV_PYENV_ARCHIVE_URL:-}" ]; then
    args+=(--build-arg "PYENV_ARCHIVE_URL=$ASTRO_PYENV_PYENV_ARCHIVE_URL")
fi
if [ -n "${ASTRO_PYENV_PREBUILT_CATALOG:-}" ]; then
    if [ ! -f "$ASTRO_PYENV_PREBUILT_CATALOG" ]; then
        echo "ASTRO_PYENV_PREBUILT_CATALOG=$ASTRO_PYENV_PREBUILT_CATALOG: no such file" >&2
        exit 1
    fi
    # A directory holding the catalog alone, as catalog.json, readable by the frontend's user.
    catalog_dir="$(mktemp -d /tmp/astro-pyenv-catalog.XXXXXX)"
    chmod 0755 "$catalog_dir"
    install -m 0644 "$ASTRO_PYENV_PREBUILT_CATALOG" "$catalog_dir/catalog.json"
    args+=(--build-context "prebuilt-catalog-local=$catalog_dir"
           --build-arg PREBUILT_CATALOG_SOURCE=prebuilt-catalog-local)
fi
if [ -n "${ASTRO_PYENV_PREBUILT_REPOSITORY:-}" ]; then
    args+=(--build-arg "PREBUILT_REPOSITORY=$ASTRO_PYENV_PREBUILT_REPOSITORY")
fi
args+=("$context")

echo "+ $docker_cli ${args[*]}" >&2
"$docker_cli" "${args[@]}"

# A catalog is of use only with entries made with this image's recipe (its pyenv and scripts).
if [ -n "$catalog_dir" ]; then
    recipe="$("$docker_cli" run --rm --network none "${run_platform[@]}" --entrypoint cat "$tag" /opt/astro-pyenv/prebuilt/recipe)"
    if grep -qF "\"$recipe\"" "$catalog_dir/catalog.json"; then
        echo "prebuilt interpreters: the catalog has entries for this image's recipe $recipe" >&2
    else
        echo "warning: no interpreter in $ASTRO_PYENV_PREBUILT_CATALOG was built with this image's recipe" \
             "$recipe (pyenv or the build scripts changed since): run \`make interpreters\` again" >&2
    fi
fi
