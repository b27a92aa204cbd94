#!/usr/bin/env bash
# `make release`: publish one version of astro-pyenv to a registry, as users get it.
#   VERSION    X.Y.Z; must equal the file VERSION (the one place the version lives) and have a
#              section in CHANGELOG.md (default: the file's)
#   REGISTRY   host[:port][/namespace] to push to (default $ASTRO_PYENV_REGISTRY)
#   PLATFORMS  of the frontend image (default linux/amd64,linux/arm64; others run under emulation,
#              .ci/emulation.sh)
#   CATALOG    the prebuilt-interpreter catalog to publish (default build/prebuilt/catalog.json;
#              none: the image compiles every interpreter)
#   OUT        where the catalog, packages and a summary go (default build/release/VERSION)
# Steps:
#   1. interpreters: every image in CATALOG copied by digest to $REGISTRY/astro-pyenv/cpython
#      (`docker buildx imagetools create`), into a catalog naming the new repository;
#   2. the frontend image, built once per platform with that catalog baked in and that repository
#      as its default, pushed as X.Y.Z-<arch> and joined into one index tagged X.Y.Z, X.Y and X;
#   3. the runtime helper's and the frontend's wheel and sdist (release/packages.sh, twine check).
# Docker client $ASTRO_PYENV_DOCKER (source .ci/engine-env.sh first); bases for every platform from
# $ASTRO_PYENV_MULTIARCH_PYTHON.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
docker_cli="${ASTRO_PYENV_DOCKER:-docker}"
python="${PYTHON:-$repo_root/.venv/bin/python}"
catalog_tool="$repo_root/interpreters/catalog.py"

say() { echo "release: $*" >&2; }
# The digest the registry serves for REF (an index: the digest `# syntax=...@` and catalogs pin).
index_digest() {
    "$docker_cli" buildx imagetools inspect --format '{{json .}}' "$1" \
        | "$python" -c 'import json,sys; print(json.load(sys.stdin)["manifest"]["digest"])'
}
die() { say "$*"; exit 1; }

source_version="$(tr -d '[:space:]' <"$repo_root/VERSION")"
version="${VERSION:-$source_version}"
[ "$version" = "$source_version" ] \
    || die "VERSION=$version but the file VERSION says $source_version: change the file (and CHANGELOG.md) first"
[[ "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || die "VERSION=$version: a release needs X.Y.Z"
major="${BASH_REMATCH[1]}"
minor="$major.${BASH_REMATCH[2]}"
grep -q "^## \[$version\]" "$repo_root/CHANGELOG.md" || die "CHANGELOG.md has no section '## [$version]'"

registry="${REGISTRY:-${ASTRO_PYENV_REGISTRY:-}}"
[ -n "$registry" ] || die "no registry: set REGISTRY (host[:port][/namespace])"
registry="${registry%/}"
platforms="${PLATFORMS:-linux/amd64,linux/arm64}"
IFS=',' read -r -a platform_list <<<"$platforms"
catalog="${CATALOG:-$repo_root/build/prebuilt/catalog.json}"
out="${OUT:-$repo_root/build/release/$version}"
frontend="$registry/astro-pyenv-frontend"
interpreters="$registry/astro-pyenv/cpython"
mkdir -p "$out"
rm -rf "$out/dist"   # release/packages.sh wants an empty directory
rm -f "$out/catalog.json"
[ -x "$python" ] || die "$python: no project venv (make venv)"
say "astro-pyenv $version to $registry for $platforms"

# 1. Interpreter images, by digest: the copy is the same index (same digest) in another place.
if [ -f "$catalog" ]; then
    source_repo="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["repository"])' "$catalog")"
    while IFS=$'\x1f' read -r v libc os plats recipe build tag digest; do
        "$docker_cli" buildx imagetools create -t "$interpreters:$tag" "$source_repo:$tag@$digest" >"$out/copy.log" 2>&1 \
            || { cat "$out/copy.log" >&2; die "cannot copy $source_repo:$tag@$digest"; }
        copied="$(index_digest "$interpreters:$tag")"
        [ "$copied" = "$digest" ] || say "note: $interpreters:$tag has digest $copied (was $digest)"
        "$python" "$catalog_tool" merge "$out/catalog.json" --repository "$interpreters" --version "$v" --libc "$libc" --os "$os" \
            --platforms "$plats" --recipe "$recipe" --build "$build" --tag "$tag" --digest "$copied"
        say "interpreter $v ($libc+, built on $os, $plats${build:+, $build}): $interpreters:$tag@$copied"
    done < <("$python" "$catalog_tool" entries "$catalog")
else
    say "no catalog at $catalog: the image compiles every interpreter"
fi

# 2. The frontend image, one build per platform, joined into one index.
arch_of() { local p="${1#*/}"; echo "${p//\//-}"; }
sources=()
for platform in "${platform_list[@]}"; do
    ref="$frontend:$version-$(arch_of "$platform")"
    say "frontend image for $platform: $ref (log $out/frontend-$(arch_of "$platform").log)"
    started=$SECONDS
    if ! ASTRO_PYENV_FRONTEND_PLATFORM="$platform" \
         ASTRO_PYENV_PYTHON_BASE="${ASTRO_PYENV_MULTIARCH_PYTHON:-python:3.12-slim}" \
         ASTRO_PYENV_PREBUILT_CATALOG="$([ -f "$out/catalog.json" ] && echo "$out/catalog.json")" \
         ASTRO_PYENV_PREBUILT_REPOSITORY="$([ -f "$out/catalog.json" ] && echo "$interpreters")" \
         "$repo_root/.ci/build-frontend-image.sh" "$ref" >"$out/frontend-$(arch_of "$platform").log" 2>&1; then
        tail -n 30 "$out/frontend-$(arch_of "$platform").log" >&2
        die "frontend image for $platform failed"
    fi
    "$docker_cli" push -q "$ref" >/dev/null
    say "frontend image for $platform: built and pushed in $((SECONDS - started)) s"
    sources+=("$ref")
done
"$docker_cli" buildx imagetools create -t "$frontend:$version" -t "$frontend:$minor" -t "$frontend:$major" \
    "${sources[@]}" >"$out/index.log" 2>&1 || { cat "$out/index.log" >&2; die "cannot create the index"; }
digest="$(index_digest "$frontend:$version")"

# 3. Python packages.
"$repo_root/release/packages.sh" "$out/dist" >"$out/packages.log" 2>&1 \
    || { tail -n 30 "$out/packages.log" >&2; die "packages failed (log $out/packages.log)"; }

{
    echo "astro-pyenv $version"
    echo "frontend image: $frontend:$version ($minor, $major) @ $digest, platforms $platforms"
    echo "  Dockerfile line 1: # syntax=$frontend:$major   (pinned: # syntax=$frontend:$version@$digest)"
    if [ -f "$out/catalog.json" ]; then echo "prebuilt interpreters: $interpreters (catalog $out/catalog.json)"; fi
    echo "packages:"
    (cd "$out/dist" && ls -1 | sed 's/^/  /')
} | tee "$out/summary.txt"
