#!/usr/bin/env bash
# Local stand-in for python.org's CPython tarballs: start | stop | status.
#
#   start  Fill $ASTRO_PYENV_CI_CACHE/cpython-mirror/ (once) with upstream tarballs that Debian's
#          source packages carry unchanged (python3.9 from bullseye and python3.13 from trixie as
#          .tar.xz, python3.11 from bookworm as .tgz), each stored under its sha256 as
#          python-build's PYTHON_BUILD_MIRROR_URL expects (`<mirror>/<sha256>`), checked against
#          pyenv's definitions (which list both formats); then serve the directory on
#          127.0.0.1:$ASTRO_PYENV_MIRROR_PORT. Idempotent.
#   stop   Stop the server this script started (pid from its own pid file).
#
# names/Python-<version>.tar.xz (or .tgz) links to each tarball too (for PYTHON_BUILD_CACHE_PATH).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=engine-env.sh
source "$here/engine-env.sh"

mirror_dir="$ASTRO_PYENV_CI_CACHE/cpython-mirror"
port="$ASTRO_PYENV_MIRROR_PORT"
url="http://127.0.0.1:$port"
pid_file="/run/astro-pyenv-cpython-mirror-$port.pid"
log_file="$ASTRO_PYENV_CI_CACHE/cpython-mirror.log"
# Debian source package/suite pairs whose orig tarball equals python.org's.
sources=(python3.9/bullseye python3.11/bookworm python3.13/trixie)
src_list=/etc/apt/sources.list.d/astro-pyenv-cpython-src.sources

log() { printf '[cpython-mirror] %s\n' "$*" >&2; }

definitions_dir() {
    local root
    root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
    echo "$root/plugins/python-build/share/python-build"
}

have_all() {
    # True when names/ holds one tarball per source package (e.g. Python-3.9.*.tar.xz).
    local s minor
    for s in "${sources[@]}"; do
        minor="${s%%/*}"
        minor="${minor#python}"
        compgen -G "$mirror_dir/names/Python-$minor.*.t*z" >/dev/null || return 1
    done
}

fill() {
    if have_all; then
        log "mirror already filled: $(cd "$mirror_dir/names" && echo *)"
        return 0
    fi
    command -v dpkg-source >/dev/null \
        || { log "error: dpkg-dev not installed (apt-get install dpkg-dev)"; return 1; }
    # Written each time: a list of an earlier version of this script may lack a suite.
    cat >"$src_list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bullseye bookworm trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt-get update -qq
    local work
    work="$(mktemp -d /tmp/astro-pyenv-cpython-src.XXXXXX)"
    (cd "$work" && apt-get source -q --download-only "${sources[@]}") >"$log_file" 2>&1 \
        || { tail -n 20 "$log_file" >&2; rm -rf "$work"; return 1; }
    mkdir -p "$mirror_dir/names"
    local defs tarball version sha expected
    defs="$(definitions_dir)"
    local name
    for tarball in "$work"/python3.*_*.orig.tar.[gx]z; do
        version="${tarball##*_}"
        version="${version%.orig.tar.*z}"
        case "$tarball" in
            *.tar.xz) name="Python-$version.tar.xz" ;;
            *) name="Python-$version.tgz" ;;   # python.org's .tgz is Debian's .orig.tar.gz
        esac
        sha="$(sha256sum "$tarball" | cut -d' ' -f1)"
        expected="$(grep -o "${name//./\\.}#[0-9a-f]*" "$defs/$version" 2>/dev/null | cut -d'#' -f2 || true)"
        if [ -z "$expected" ]; then
            log "error: no $name in python-build's definition of $version ($defs): cannot check it"
            rm -rf "$work"
            return 1
        elif [ "$sha" != "$expected" ]; then
            log "error: $(basename "$tarball") has sha256 $sha, python-build expects $expected for $name"
            rm -rf "$work"
            return 1
        fi
        mv "$tarball" "$mirror_dir/$sha"
        ln -sfn "../$sha" "$mirror_dir/names/$name"
        log "Python $version -> $mirror_dir/$sha ($name)"
    done
    rm -rf "$work"
    have_all || { log "error: some source package gave no orig tarball; see $log_file"; return 1; }
}

serving() {
    [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

answers() {
    python3 - "$url/" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read()
PY
}

cmd_start() {
    mkdir -p "$ASTRO_PYENV_CI_CACHE"
    fill
    if serving && answers; then
        log "serving $mirror_dir at $url (pid $(cat "$pid_file"))"
        return 0
    fi
    local py=/usr/bin/python3
    [ -x "$py" ] || py="$(command -v python3)"
    setsid "$py" -m http.server --bind 127.0.0.1 --directory "$mirror_dir" "$port" \
        >>"$log_file" 2>&1 </dev/null &
    echo $! >"$pid_file"
    for _ in $(seq 1 50); do
        answers && { log "serving $mirror_dir at $url (pid $(cat "$pid_file"))"; return 0; }
        serving || break
        sleep 0.2
    done
    log "error: mirror did not answer at $url; last lines of $log_file:"
    tail -n 20 "$log_file" >&2
    return 1
}

cmd_stop() {
    if serving; then
        log "stopping pid $(cat "$pid_file")"
        kill "$(cat "$pid_file")"
    fi
    rm -f "$pid_file"
}

cmd_status() {
    if serving && answers; then
        echo "mirror at $url serves $mirror_dir: $(cd "$mirror_dir/names" 2>/dev/null && echo *)"
    else
        echo "no mirror answers at $url"
        return 1
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
