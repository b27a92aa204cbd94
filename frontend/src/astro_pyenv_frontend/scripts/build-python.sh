#!/bin/sh
# Compile CPython VERSION with pyenv's python-build into /opt/astro-pyenv/python/VERSION.
#
# Runs as root in a generated interpreter stage, FROM the same base image as
# the stage that uses the interpreter.  The result is kept only as this
# stage's own layer (BuildKit's content-addressed layer cache, keyed by the
# base image, this script, pyenv and every python-build setting passed in):
# no compiled file is ever taken from a shared cache mount, which any build
# on the builder could write to.  The one cache mount is for CPython source
# tarballs, copied out of it and checksum-verified by python-build before use.
# Shared libraries the interpreter needs and the base image lacks are copied
# next to it (pyenv links with an rpath), so it runs on a minimal base too.
#
# With --portable (prebuilt interpreter images, `make interpreters`), every
# shared library the interpreter links is carried next to it, but glibc's own
# (and the compiler runtime, which must match the base's C++ code): built on
# the oldest glibc it serves, the interpreter then runs on any base with that
# glibc or newer (carry-libs.sh says how; scripts/fit-interpreter.sh drops
# the copies a base has its own of where nothing carried needs them).  It is
# relocatable: its files find lib/ through $ORIGIN.  With TARGETARCH (a build
# arg) naming another architecture than this stage's, it is cross-compiled
# for that one (cross.sh).
#
# usage: build-python.sh [--portable] VERSION   (tools mounted at the directory above this script)
set -eu

portable=no
if [ "${1:-}" = --portable ]; then
    portable=yes
    shift
fi
version="$1"
here=$(cd "$(dirname "$0")" && pwd)
tools=$(dirname "$here")
root=/opt/astro-pyenv
prefix="$root/python/$version"
sources_cache=/var/cache/astro-pyenv-sources
. "$here/build-deps.sh"
. "$here/settings.sh"
. "$here/carry-libs.sh"
. "$here/cross.sh"

say() { echo "astro-pyenv: $*" >&2; }
# The series of a version, as its interpreter is named (3.13.5 -> 3.13, free-threaded 3.13.5t ->
# 3.13t: bin/python3.13t); cross.sh's functions use it too.
astro_pyenv_series() { echo "$1" | sed -E 's/^([0-9]+\.[0-9]+)[^t]*(t?)$/\1\2/'; }

with_ca_bundle() {
    if [ -s /run/secrets/astro-pyenv-ca ]; then
        export CURL_CA_BUNDLE=/run/secrets/astro-pyenv-ca SSL_CERT_FILE=/run/secrets/astro-pyenv-ca
    fi
}

# Remove what no task ever runs: the test suite, optimised bytecode, static
# libraries and debug symbols (with STRIP, the target's strip when cross-compiling).
trim() {
    strip_tool="$1"
    stdlib=$(find "$prefix/lib" -maxdepth 1 -type d -name 'python3*' | head -n 1)
    rm -rf "$stdlib/test" "$stdlib/idlelib/idle_test" "$stdlib/tkinter/test" "$stdlib/lib2to3/tests"
    find "$prefix" -name '*.opt-1.pyc' -delete -o -name '*.opt-2.pyc' -delete
    find "$prefix" -name 'libpython*.a' -delete
    if command -v "$strip_tool" >/dev/null 2>&1; then
        find "$prefix" -type f \( -name '*.so' -o -name '*.so.*' -o -path '*/bin/python3*' \) \
            -exec "$strip_tool" --strip-debug {} + 2>/dev/null || true
    fi
}

# Every ELF file of the interpreter, and what the dynamic linker makes of its needs.
elf_files() {
    # _tkinter is left out: its X11 libraries are no task's business.
    find "$prefix" -type f \( -name '*.so' -o -name '*.so.*' -o -path "$prefix/bin/python3*" \) ! -name '_tkinter*' 2>/dev/null
}
needed() { elf_files | while read -r f; do ldd "$f" 2>/dev/null || true; done; }
# Libraries it links to outside its prefix (glibc's own family and the compiler runtime
# excepted: every glibc base has them, and a copy of its own would clash), as paths.
linked_libs() {
    needed | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u | while read -r lib; do
        case "$lib" in "$prefix"/*) continue ;; esac
        case "$(basename "$lib")" in
            libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-*|libutil.so*|libresolv.so*|libanl.so*) continue ;;
            libnsl.so.1|libgcc_s.so*|libstdc++.so*) continue ;;
        esac
        echo "$lib"
    done
}
# Sonames it needs that this image does not have.  A bundled library's own needs count as met
# when they are bundled too: the extension modules that load them list them all and carry the
# prefix's rpath (ldd on the bundled file alone cannot know that).
missing() {
    needed | awk '$2 == "=>" && $3 == "not" { print $1 }' | sort -u | while read -r soname; do
        [ -e "$prefix/lib/$soname" ] || echo "$soname"
    done
}
bundle() { say "bundling $(basename "$1") ($2)"; cp -L "$1" "$prefix/lib/"; }

# CPython sources: python-build takes a tarball from PYTHON_BUILD_CACHE_PATH only
# after its sha256 matches the definition file, and verifies every download the
# same way.  The shared cache mount is never handed to it directly: tarballs are
# copied into a directory only this build can write, so nothing can swap a file
# between the check and its use; directories (git/hg checkouts, never verified)
# are not taken at all.
sources=/tmp/astro-pyenv-sources
mkdir -p "$sources"
if [ -d "$sources_cache" ]; then
    # Regular files for this version only (a free-threaded "3.13.5t" uses 3.13.5's sources).
    find "$sources_cache" -maxdepth 1 -type f \( -name "Python-${version%t}.tar.*" -o -name "Python-${version%t}.tgz" \) \
        -exec cp {} "$sources/" \; 2>/dev/null || true
fi

astro_pyenv_prepare_build  # done already when the stage ran prepare-build.sh (the generated ones do)
# A cross-compile: a prebuilt image for another architecture (TARGETARCH, a Debian/OCI name).
host=""
if [ "$portable" = yes ]; then
    command -v patchelf >/dev/null 2>&1 || {   # RUNPATH of carried libraries (build-deps.sh installs it)
        apt-get update -qq && apt-get install -y -qq --no-install-recommends patchelf >/dev/null
    }
    if [ -n "${TARGETARCH:-}" ] && [ "$TARGETARCH" != "$(dpkg --print-architecture)" ]; then
        say "cross-compiling for $TARGETARCH"
        astro_pyenv_cross_deps "$TARGETARCH"
        host=$(astro_pyenv_cross_triplet "$TARGETARCH")
    fi
fi
with_ca_bundle
astro_pyenv_load_settings  # PYTHON_BUILD_MIRROR_URL from the secret astro-pyenv-settings
# Without a sha256 tool python-build would skip its checksum checks: refuse.
if ! command -v sha256sum >/dev/null 2>&1 && ! command -v shasum >/dev/null 2>&1 \
    && ! command -v openssl >/dev/null 2>&1; then
    say "no sha256 tool (sha256sum, shasum or openssl) on this base: cannot verify CPython sources"
    exit 1
fi
# The source format: python-build takes the .tar.xz when tar reads xz (build-deps.sh installs it),
# else the .tgz; each has its own checksum in the definition.  A mirror or an earlier build may
# offer only the .tgz (a mirror of Debian's source packages, for one): then take that one.
definition="$tools/pyenv/plugins/python-build/share/python-build/$version"
offered() {  # offered FILE SHA256: in the verified sources, or on the mirror under its checksum
    [ -f "$sources/$1" ] && return 0
    [ -n "${PYTHON_BUILD_MIRROR_URL:-}" ] && curl -fsI -o /dev/null -m 20 "${PYTHON_BUILD_MIRROR_URL%/}/$2"
}
if [ -f "$definition" ]; then
    xz_ref=$(grep -o 'Python-[^"/#]*\.tar\.xz#[0-9a-f]\{64\}' "$definition" | head -n 1 || true)
    tgz_ref=$(grep -o 'Python-[^"/#]*\.tgz#[0-9a-f]\{64\}' "$definition" | head -n 1 || true)
    if [ -n "$xz_ref" ] && [ -n "$tgz_ref" ] && ! offered "${xz_ref%#*}" "${xz_ref#*#}" \
        && offered "${tgz_ref%#*}" "${tgz_ref#*#}"; then
        say "sources: ${tgz_ref%#*} (no ${xz_ref%#*} offered)"
        export _PYTHON_BUILD_FORCE_SKIP_XZ=1
    fi
fi
export MAKE_OPTS="${MAKE_OPTS:--j$(nproc)}"
# CPython's default OPT adds -g; debug info costs compile time and is stripped anyway.
export OPT="${OPT:--DNDEBUG -fwrapv -O3 -Wall}"
say "compiling CPython $version with ${MAKE_OPTS}"
configure_opts="${PYTHON_CONFIGURE_OPTS:-}"
case "$version" in
    3.[0-9].*|3.[0-9]) ;;
    *) configure_opts="$configure_opts --disable-test-modules" ;;
esac
target="$version"   # the definition python-build runs
if [ -n "$host" ]; then
    build_python=/tmp/astro-pyenv-build-python   # the build platform's interpreter, mounted when made
    if [ ! -x "$build_python/bin/python$(astro_pyenv_series "$version")" ]; then
        say "compiling CPython $version for this machine first: configure runs it to build the target's"
        build_python=/tmp/astro-pyenv-build-python-here
        PYTHON_BUILD_CACHE_PATH="$sources" astro_pyenv_cross_build_python "$version" "$build_python"
    fi
    astro_pyenv_cross_configure "$version" "$build_python" "$host"
    configure_opts="$configure_opts $astro_pyenv_cross_opts"
    target="/tmp/astro-pyenv-definition/$version"
    mkdir -p "$(dirname "$target")"
    astro_pyenv_cross_definition "$definition" "$target"
fi
PYTHON_BUILD_CACHE_PATH="$sources" PYTHON_CONFIGURE_OPTS="$configure_opts" \
    bash "$tools/pyenv/plugins/python-build/bin/python-build" "$target" "$prefix"
trim "${host:+$host-}strip"
if [ "$portable" = yes ]; then
    astro_pyenv_carry_libs "$prefix" "${host:-$(gcc -dumpmachine)}"
else
    for lib in $(linked_libs); do  # ldd over every module: once
        if ! grep -qxF "$(basename "$lib")" "$astro_pyenv_base_libs"; then
            bundle "$lib" "the base image does not have it"
        fi
    done
fi
if [ "$portable" = yes ]; then
    # Relocatable: the interpreter and its modules find lib/ relative to where they are, not at
    # the prefix it was built for, so its directory runs wherever it is put (on a host, too).
    find "$prefix" -type f \( -name '*.so' -o -name '*.so.*' -o -path "$prefix/bin/python3*" \) | while read -r f; do
        case "$f" in "$prefix/lib/lib"*) continue ;; esac   # carried: $ORIGIN already
        readelf -d "$f" 2>/dev/null | grep -Eq '\((RUNPATH|RPATH)\)' || continue
        patchelf --set-rpath "\$ORIGIN/$(realpath --relative-to="$(dirname "$f")" "$prefix/lib")" "$f"
    done
fi
# Offer the (verified) tarballs to later builds: written under a temporary name and
# renamed, so a concurrent build never copies half a file (it would fail the check anyway).
if [ -d "$sources_cache" ]; then
    for f in "$sources"/*; do
        [ -f "$f" ] || continue
        name=$(basename "$f")
        # Kept as is when identical; replaced when not (a file that failed the check).
        if [ -f "$sources_cache/$name" ] && cmp -s "$f" "$sources_cache/$name"; then continue; fi
        cp "$f" "$sources_cache/.$name.$$" && mv -f "$sources_cache/.$name.$$" "$sources_cache/$name" || true
    done
fi
rm -rf "$sources"

if [ "$portable" = no ] && [ -n "$(missing)" ]; then  # (carry-libs.sh checks a portable one)
    say "some libraries the interpreter needs are not installable on this base:"
    missing >&2
    exit 1
fi

series=$(astro_pyenv_series "$version")
mkdir -p "$root/bin"
if [ -x "$prefix/bin/python$series" ]; then
    ln -sf "../python/$version/bin/python$series" "$root/bin/python$series"
fi
install -d -m 1777 "$root/venvs"
"$prefix/bin/python$series" -c 'import ssl, sqlite3, ctypes, zlib, bz2, lzma, readline, sys; print("astro-pyenv: built", sys.version.split()[0])'
