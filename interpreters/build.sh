#!/usr/bin/env bash
# Build prebuilt interpreter images, push them to a registry and record them in a catalog
# (`make interpreters`; docs/prebuilt-interpreters.md).  The images are portable: compiled on a
# glibc base, they carry every library they link but glibc's, and serve every base whose glibc
# is at least that base's.  Settings, from the environment:
#   REGISTRY   where to push (default $ASTRO_PYENV_REGISTRY): images go to
#              $REGISTRY/astro-pyenv/cpython:<version>-glibc<X.Y>-<optimize>-<recipe 12 hex>[-<arch>]
#   VERSIONS   CPython versions, exact (default "3.9.2 3.11.2 3.13.5", the local mirror's), or
#              `release`: the newest patch release of every maintained series and the
#              free-threaded 3.13t and 3.14t (interpreters/catalog.py release-versions)
#   BASES      glibc base images to compile on (default $ASTRO_PYENV_INTERPRETER_BASE, else
#              debian:bullseye-slim: the oldest glibc served); each one's glibc version is the
#              oldest its images serve (a catalog may hold several: a base gets the newest that fits)
#   PLATFORMS  comma-separated (default the engine's own); others need emulation
#   OPTIMIZE   pgo-lto (default: PYTHON_CONFIGURE_OPTS="--enable-optimizations --with-lto")
#              or plain (python-build's defaults, for quick tests)
#   CATALOG    the catalog to write or extend (default build/prebuilt/catalog.json)
#   FRONTEND_IMAGE  the frontend image whose tools compile (default local/astro-pyenv-frontend:dev);
#              built first (.ci/build-frontend-image.sh, cached) so its recipe is the current one
#   NO_CACHE   1: compile again, reusing neither an index in the registry nor the builder's
#              layer cache (`docker build --no-cache`)
#   PYTHON     the project venv's Python (default .venv/bin/python; its astro-pyenv-frontend
#              renders the Dockerfile: `astro-pyenv-frontend interpreter-dockerfile`)
# Docker client $ASTRO_PYENV_DOCKER, build flags from .ci/build-flags.sh (source .ci/engine-env.sh
# first).  An index already in the registry with the same recipe and build labels is reused, not
# compiled again.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
docker_cli="${ASTRO_PYENV_DOCKER:-docker}"
registry="${REGISTRY:-${ASTRO_PYENV_REGISTRY:-}}"
versions="${VERSIONS:-3.9.2 3.11.2 3.13.5}"
bases="${BASES:-${ASTRO_PYENV_INTERPRETER_BASE:-debian:bullseye-slim}}"
optimize="${OPTIMIZE:-pgo-lto}"
catalog="${CATALOG:-$repo_root/build/prebuilt/catalog.json}"
frontend_image="${FRONTEND_IMAGE:-local/astro-pyenv-frontend:dev}"
python="${PYTHON:-$repo_root/.venv/bin/python}"
helper="$repo_root/interpreters/catalog.py"
export DOCKER_BUILDKIT=1

say() { echo "interpreters: $*" >&2; }
die() { say "$*"; exit 1; }

[ -n "$registry" ] || die "no registry: set REGISTRY or ASTRO_PYENV_REGISTRY (host:port)"
registry="${registry%/}"
repository="$registry/astro-pyenv/cpython"
case "$optimize" in
    pgo-lto) configure_opts="--enable-optimizations --with-lto"; build_setting="PYTHON_CONFIGURE_OPTS=$configure_opts" ;;
    plain) configure_opts=""; build_setting="" ;;
    *) die "OPTIMIZE=$optimize: expected pgo-lto or plain" ;;
esac
[ -x "$python" ] || die "$python: no project venv (make venv)"
if [ "$versions" = release ]; then
    versions="$("$python" "$helper" release-versions | tr '\n' ' ')"
fi
platforms="${PLATFORMS:-$("$docker_cli" version --format '{{.Server.Os}}/{{.Server.Arch}}')}"
IFS=',' read -r -a platform_list <<<"$platforms"

# shellcheck source=../.ci/build-flags.sh
source "$repo_root/.ci/build-flags.sh"
build_flags mirror ca   # --network host, PYTHON_BUILD_MIRROR_URL, the CA secret

# One run at a time per catalog: a second one (`make test` while .ci/run's runs in the
# background) waits, then finds the images in the registry and reuses them.
mkdir -p "$(dirname "$catalog")"
exec 9>"$catalog.lock"
if ! flock -n 9; then
    say "another run is building into $catalog: waiting for it"
    flock 9
fi

work="$(mktemp -d /tmp/astro-pyenv-interpreters.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/context"   # the Dockerfile copies nothing from its context
logs="$(dirname "$catalog")/logs"
mkdir -p "$logs"

# The frontend image: built (from cache when nothing changed) with the catalog as it is now, so
# this run's recipe is the one `make frontend-image` bakes next to the new catalog.
say "frontend image $frontend_image (its pyenv and scripts compile the interpreters)"
if [ -f "$catalog" ]; then export ASTRO_PYENV_PREBUILT_CATALOG="$catalog"; fi
"$repo_root/.ci/build-frontend-image.sh" "$frontend_image" >"$logs/frontend-image.log" 2>&1 \
    || { tail -n 30 "$logs/frontend-image.log" >&2; die "frontend image build failed (log: $logs/frontend-image.log)"; }
in_frontend() { "$docker_cli" run --rm --network none --entrypoint cat "$frontend_image" "$@"; }
recipe="$(in_frontend /opt/astro-pyenv/prebuilt/recipe)" || die "$frontend_image has no recipe file"
pyenv_commit="$(in_frontend /opt/astro-pyenv/prebuilt/pyenv-commit)"
recipe12="${recipe#sha256:}"
recipe12="${recipe12:0:12}"
say "recipe $recipe, pyenv $pyenv_commit, build settings '${build_setting}', platforms $platforms"

arch_of() { local p="${1#*/}"; echo "${p//\//-}"; }   # linux/arm64/v8 -> arm64-v8

for base in $bases; do
    # The base's OS key and C library, read on the first platform.
    facts="$("$docker_cli" run --rm --network none --platform "${platform_list[0]}" --entrypoint sh "$base" -c '
        cat /etc/os-release; echo "@@libc"
        getconf GNU_LIBC_VERSION 2>/dev/null || ldd --version 2>&1 | head -n 2 || true')" \
        || die "cannot run $base to read its /etc/os-release"
    os="$(sed '/^@@libc$/,$d' <<<"$facts" | "$python" "$helper" os-key)" || die "$base: no OS key"
    libc_text="$(sed '1,/^@@libc$/d' <<<"$facts")"
    case "$libc_text" in
        glibc\ *) libc="$(head -n 1 <<<"$libc_text")" ;;
        *) die "$base: its C library is not glibc (${libc_text:-unknown}): portable interpreters are built on glibc" ;;
    esac
    libc_tag="${libc// /}"   # glibc 2.31 -> glibc2.31
    say "$base: $os, $libc"

    for version in $versions; do
        started=$SECONDS
        tag="$version-$libc_tag-$optimize-$recipe12"   # plain and pgo-lto builds of one key side by side
        index="$repository:$tag"
        inspect="$work/inspect.json"
        if [ "${NO_CACHE:-0}" = 1 ]; then
            say "CPython $version on $base: NO_CACHE=1, compiling"
        elif "$docker_cli" buildx imagetools inspect --format '{{json .}}' "$index" >"$inspect" 2>"$work/inspect.err"; then
            if why="$("$python" "$helper" reusable "$inspect" --recipe "$recipe" --build "$build_setting" --platforms "$platforms")"; then
                digest="$why"
                # Recorded with every platform it holds, also those this run did not ask for.
                held="$("$python" "$helper" platforms "$inspect")"
                say "CPython $version on $base: reusing $index@$digest ($held; same recipe and build settings)"
                "$python" "$helper" merge "$catalog" --repository "$repository" --version "$version" --libc "$libc" --os "$os" \
                    --platforms "$held" --recipe "$recipe" --build "$build_setting" --tag "$tag" --digest "$digest"
                say "CPython $version on $base: done in $((SECONDS - started)) s (reused)"
                continue
            fi
            say "CPython $version on $base: $index exists but $why: building again"
        elif ! grep -q 'not found' "$work/inspect.err"; then
            cat "$work/inspect.err" >&2
            die "cannot ask the registry about $index"
        fi

        definition="$(in_frontend "/opt/astro-pyenv/pyenv/plugins/python-build/share/python-build/$version")" \
            || die "pyenv in $frontend_image has no definition $version"
        # python-build takes the .tar.xz (build-deps.sh always installs xz).
        source_sha256="$(grep -o 'Python-[^"/]*\.tar\.xz#[0-9a-f]\{64\}' <<<"$definition" | head -n 1 | sed 's/.*#//')"
        [ -n "$source_sha256" ] || die "no Python-*.tar.xz checksum in pyenv's definition of $version"
        dockerfile="$work/Dockerfile"
        target_args=()
        for platform in "${platform_list[@]}"; do target_args+=(--target-arch "$(arch_of "$platform" | cut -d- -f1)"); done
        "$(dirname "$python")/astro-pyenv-frontend" interpreter-dockerfile "$version" --base "$base" \
            --build-arch "$("$docker_cli" version --format '{{.Server.Arch}}')" "${target_args[@]}" \
            --frontend-image "$frontend_image" >"$dockerfile"

        sources=()
        for platform in "${platform_list[@]}"; do
            arch="$(arch_of "$platform")"
            ref="$index-$arch"
            log="$logs/$tag-$arch.log"
            args=(build "${BUILD_FLAGS[@]}" --progress plain --platform "$platform" -f "$dockerfile" -t "$ref"
                  --build-arg "INTERPRETER_RECIPE=$recipe"
                  --build-arg "INTERPRETER_BUILD=$build_setting"
                  --build-arg "INTERPRETER_OS=$os"
                  --build-arg "INTERPRETER_LIBC=$libc"
                  --build-arg "INTERPRETER_PYENV_COMMIT=$pyenv_commit"
                  --build-arg "INTERPRETER_SOURCE_SHA256=$source_sha256")
            if [ -n "$configure_opts" ]; then args+=(--build-arg "PYTHON_CONFIGURE_OPTS=$configure_opts"); fi
            if [ "${NO_CACHE:-0}" = 1 ]; then args+=(--no-cache); fi
            say "CPython $version on $base for $platform ($optimize): building, log $log"
            compile_started=$SECONDS
            if ! "$docker_cli" "${args[@]}" "$work/context" >"$log" 2>&1; then
                tail -n 40 "$log" >&2
                die "CPython $version on $base for $platform: build failed (log: $log)"
            fi
            cached=""
            if grep -q '^#[0-9]* CACHED' "$log" && ! grep -q 'astro-pyenv: compiling CPython' "$log"; then
                cached=" (the interpreter stage came from the builder's layer cache)"
            fi
            say "CPython $version on $base for $platform: built in $((SECONDS - compile_started)) s$cached"
            "$docker_cli" push -q "$ref" >/dev/null
            sources+=("$ref")
        done
        "$docker_cli" buildx imagetools create -t "$index" "${sources[@]}" >"$work/create.log" 2>&1 \
            || { cat "$work/create.log" >&2; die "cannot create the index $index"; }
        "$docker_cli" buildx imagetools inspect --format '{{json .}}' "$index" >"$inspect"
        digest="$("$python" "$helper" reusable "$inspect" --recipe "$recipe" --build "$build_setting" --platforms "$platforms")" \
            || die "the index just pushed does not carry the labels it was built with: $digest"
        "$python" "$helper" merge "$catalog" --repository "$repository" --version "$version" --libc "$libc" --os "$os" \
            --platforms "$platforms" --recipe "$recipe" --build "$build_setting" --tag "$tag" --digest "$digest"
        say "CPython $version on $base: pushed $index@$digest in $((SECONDS - started)) s"
    done
done
# The recipe beside the catalog, as the frontend image keeps its own beside the catalog it bakes:
# `astro-pyenv-frontend standalone --catalog` and `transform --catalog` hold the entries to it.
printf '%s\n' "$recipe" >"$(dirname "$catalog")/recipe"
say "catalog $catalog written; \`make frontend-image\` bakes it into the frontend image"
