#!/bin/sh
# Fit a prebuilt, portable interpreter to the base image it is used on.
#
# The interpreter carries every shared library it links but glibc's (listed in
# lib/astro-pyenv-carried with the carried libraries each needs, see
# build-python.sh --portable), so that it runs on any glibc base at least as
# new as the one it was built on.  Where the base has its own copy of a library
# (the same soname), that copy is used and the carried one removed, unless a
# carried library the base lacks needs it: a library meets the dependencies it
# was built with (ncurses versions its symbols by exact release).  The base's
# copy is the one its distribution keeps patched, and a process never loads
# two libraries of one soname (a module of the base, or a wheel, linking the
# base's copy would otherwise meet ours).  The standard modules that load
# those libraries are then imported; if one fails (a base library older than
# the interpreter needs), every carried copy is put back and the interpreter
# runs on its own libraries, as built.
#
# Runs as root in a generated stage FROM the base, after the image's files
# were copied in; what it removes never reaches the final image.  On a host
# (astro-pyenv-frontend standalone) it runs as its user, on the PREFIX given.
#
# --glibc=X.Y: first check that the base has glibc X.Y or newer (what the
# image was built on), and fail saying how to compile instead if not: for
# builds whose base nothing read before (the Buildah output).  --line=N names
# the PYENV line in that message.
#
# usage: fit-interpreter.sh [--glibc=X.Y] [--line=N] VERSION [PREFIX [LIBRARY_DIR...]]
#   (defaults: /opt/astro-pyenv/python/VERSION, and the dynamic linker's directories)
set -eu

need_glibc=
line=
while [ $# -gt 0 ]; do
    case "$1" in
        --glibc=*) need_glibc="${1#--glibc=}"; shift ;;
        --line=*) line="${1#--line=}"; shift ;;
        --*) echo "astro-pyenv: fit-interpreter.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
version="$1"
prefix="${2:-/opt/astro-pyenv/python/$version}"
if [ $# -gt 2 ]; then shift 2; lib_dirs="$*"; else lib_dirs="/lib /lib64 /usr/lib /usr/lib64 /usr/local/lib"; fi
carried="$prefix/lib/astro-pyenv-carried"
aside="$prefix/lib/.astro-pyenv-aside"

say() { echo "astro-pyenv: $*" >&2; }

# The base's glibc ("2.36"), else what it has: "musl" or "no glibc".
base_glibc() {
    found=$(getconf GNU_LIBC_VERSION 2>/dev/null) || found=
    case "$found" in "glibc "[0-9]*) echo "${found#glibc }"; return ;; esac
    found=$(ldd --version 2>&1 | head -n 1) || found=
    case "$found" in
        *GLIBC* | *"GNU libc"*) echo "${found##* }"; return ;;
        *musl*) echo musl; return ;;
    esac
    echo "no glibc"
}

# Whether glibc $1 is at least $2 (both X.Y[.Z]).
at_least() {
    a_major=${1%%.*} a_rest=${1#*.} b_major=${2%%.*} b_rest=${2#*.}
    a_minor=${a_rest%%.*} b_minor=${b_rest%%.*}
    [ "$a_major" -gt "$b_major" ] || { [ "$a_major" -eq "$b_major" ] && [ "$a_minor" -ge "$b_minor" ]; }
}

if [ -n "$need_glibc" ]; then
    have=$(base_glibc)
    case "$have" in
        [0-9]*.[0-9]*) at_least "$have" "$need_glibc" && have= || have="glibc $have" ;;
        musl) have="musl instead of glibc" ;;
    esac
    if [ -n "$have" ]; then
        say "CPython $version${line:+ (PYENV line $line)}: the prebuilt interpreter needs glibc $need_glibc or newer, and this base has $have." \
            "Compile it on this base instead: write this Dockerfile again with 'astro-pyenv-frontend transform ... --build-arg ASTRO_PYENV_PREBUILT=off'" \
            "(or put 'ARG ASTRO_PYENV_PREBUILT=off' before the first FROM of the PYENV Dockerfile)"
        exit 1
    fi
fi

[ -d "$prefix" ] || { say "no CPython $version at $prefix"; exit 1; }
[ -f "$carried" ] || { say "CPython $version carries no libraries"; exit 0; }

# Shared libraries of the base, by file name, outside our own tree.
base_libs=$(
    for d in $lib_dirs; do
        if [ -d "$d" ]; then find "$d/" \( -type f -o -type l \) -name '*.so*' 2>/dev/null; fi
    done | grep -v '^/opt/astro-pyenv/' | sed 's|.*/||' | sort -u
)

# What stays carried: what the base lacks, and every carried library that needs (transitively).
keep=" "
while read -r soname _package _version _needs; do
    if [ -n "$soname" ] && ! printf '%s\n' "$base_libs" | grep -qxF "$soname"; then keep="$keep$soname "; fi
done <"$carried"
grown=yes
while [ "$grown" = yes ]; do
    grown=no
    while read -r soname _package _version needs; do
        case "$keep" in *" $soname "*) ;; *) continue ;; esac
        for dep in $(printf '%s' "${needs:--}" | tr ',' ' '); do
            case "$dep" in -) ;; *) case "$keep" in *" $dep "*) ;; *) keep="$keep$dep "; grown=yes ;; esac ;; esac
        done
    done <"$carried"
done

mkdir -p "$aside"
kept=""
used=""
while read -r soname _package _version _needs; do
    [ -n "$soname" ] || continue
    case "$keep" in
        *" $soname "*) kept="$kept $soname" ;;
        *) mv "$prefix/lib/$soname" "$aside/"; used="$used $soname" ;;
    esac
done <"$carried"

series=$(echo "$version" | sed -E 's/^([0-9]+\.[0-9]+)[^t]*(t?)$/\1\2/')
python="$prefix/bin/python$series"
# The standard modules that load shared libraries (those the version has).
check='
import importlib, sys
names = ["ssl", "sqlite3", "ctypes", "zlib", "bz2", "lzma", "readline", "curses", "dbm.gnu", "dbm.ndbm",
         "uuid", "_uuid", "pyexpat", "_decimal", "_hashlib"]
failed = []
for name in names:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        pass  # not built for this version
    except ImportError as exc:  # built, and a library it loads is missing or too old
        failed.append(f"{name}: {exc}")
if failed:
    print("; ".join(failed), file=sys.stderr)
    sys.exit(1)
'
if errors=$("$python" -c "$check" 2>&1); then
    rm -rf "$aside"
    say "CPython $version uses the base's${used:- (none)} and its own${kept:- (none)}"
else
    say "CPython $version: with the base's libraries: $errors; it keeps all it carries"
    mv "$aside"/* "$prefix/lib/" 2>/dev/null || true
    rm -rf "$aside"
    "$python" -c "$check"
fi
