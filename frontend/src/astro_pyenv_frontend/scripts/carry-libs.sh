# Sourced by build-python.sh --portable (POSIX sh).  Carry the shared libraries
# a CPython install needs into PREFIX/lib, found by reading the ELF files
# (readelf), not by running them (ldd), so it works for a foreign-architecture
# (cross-compiled) interpreter too.
#
#   astro_pyenv_carry_libs PREFIX TRIPLET
#
# TRIPLET is the target's multiarch triplet (aarch64-linux-gnu, x86_64-linux-gnu;
# natively `gcc -dumpmachine` on Debian).  Every ELF file under PREFIX (the
# interpreter, libpython, extension modules, and each carried library in turn)
# has its DT_NEEDED sonames resolved, transitively, against
# /lib/TRIPLET /usr/lib/TRIPLET /lib /usr/lib (a candidate must have the same
# ELF machine as the interpreter).  glibc's own family and the compiler runtime
# are never carried.  Each carried soname is written to PREFIX/lib/SONAME
# (dereferenced) and listed in PREFIX/lib/astro-pyenv-carried, one line each:
# "SONAME PACKAGE VERSION NEEDS", NEEDS being the carried sonames it needs
# directly, comma-separated, or "-".  Sonames that cannot be found are printed on
# stderr and make the function return 1.
#
# Each carried copy gets RUNPATH $ORIGIN (patchelf): the interpreter's RUNPATH
# (PREFIX/lib, from python-build) serves only its own direct needs, so without
# it a carried library's needs (libreadline -> libtinfo) would come from the
# base, whose version may not match (bookworm's libtinfo 6.4 lacks
# NCURSES6_TINFO_6.2.current that bullseye's libncursesw 6.2 needs).
#
# READELF (default: readelf) and PATCHELF (default: patchelf) may name other
# tools; GNU readelf and patchelf handle ELF files of every architecture.

astro_pyenv_readelf() { "${READELF:-readelf}" "$@"; }

# ELF machine of FILE ("AArch64", "Advanced Micro Devices X86-64", ...); empty if not ELF.
astro_pyenv_elf_machine() {
    astro_pyenv_readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'
}

# DT_NEEDED sonames of FILE, one a line.
astro_pyenv_elf_needed() {
    astro_pyenv_readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'
}

# glibc's own libraries and the compiler runtime: every glibc base has them, and a
# copy of our own would clash with the base's.
astro_pyenv_never_carried() {
    case "$1" in
        libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|libutil.so*|ld-linux*|ld64.so*) return 0 ;;
        libresolv.so*|libanl.so*|libnsl.so.1|libBrokenLocale.so*|libmvec.so*) return 0 ;;
        libgcc_s.so*|libstdc++.so*) return 0 ;;
    esac
    return 1
}

# "PACKAGE VERSION" that installed PATH, or "- -".  dpkg records the path the package
# ships (/lib/... or /usr/lib/...), which on a merged-/usr system may not be the one
# found; with both architectures installed, only PACKAGE:ARCH names one version.
astro_pyenv_package_of() {
    _pkg=""
    for _p in "$1" "$(readlink -f "$1")" "${1#/usr}" "/usr$1"; do
        _pkg=$(dpkg -S "$_p" 2>/dev/null | head -n 1 | sed 's/: .*//') || _pkg=""
        [ -z "$_pkg" ] || break
    done
    if [ -n "$_pkg" ]; then
        echo "${_pkg%%:*} $(dpkg-query -W -f '${Version}' "$_pkg" 2>/dev/null || echo -)"
    else
        echo "- -"
    fi
}

astro_pyenv_carry_libs() {
    _prefix="$1"
    _triplet="$2"
    _dirs="/lib/$_triplet /usr/lib/$_triplet /lib /usr/lib"
    _work=$(mktemp -d)
    _status=0
    if ! command -v "${PATCHELF:-patchelf}" >/dev/null 2>&1; then
        echo "astro-pyenv: carrying libraries needs patchelf" >&2
        rm -rf "$_work"
        return 1
    fi
    # The interpreter's own ELF files (tkinter left out: X11 is no task's business).
    find "$_prefix" -type f \( -name '*.so' -o -name '*.so.*' -o -path "$_prefix/bin/python*" \) \
        ! -name '_tkinter*' >"$_work/candidates"
    : >"$_work/todo"
    _machine=""
    while read -r _f; do
        _m=$(astro_pyenv_elf_machine "$_f")
        [ -n "$_m" ] || continue
        echo "$_f" >>"$_work/todo"
        [ -n "$_machine" ] || _machine="$_m"
    done <"$_work/candidates"
    if [ -z "$_machine" ]; then
        echo "astro-pyenv: no ELF files under $_prefix" >&2
        rm -rf "$_work"
        return 1
    fi
    : >"$_work/seen"
    : >"$_work/missing"
    : >"$_work/carried"
    while [ -s "$_work/todo" ]; do
        mv "$_work/todo" "$_work/current"
        : >"$_work/todo"
        while read -r _f; do
            for _so in $(astro_pyenv_elf_needed "$_f"); do
                grep -qxF "$_so" "$_work/seen" && continue
                echo "$_so" >>"$_work/seen"
                astro_pyenv_never_carried "$_so" && continue
                # Its own (libpython) or carried by an earlier run.
                [ -e "$_prefix/lib/$_so" ] && continue
                _found=""
                for _d in $_dirs; do
                    if [ -e "$_d/$_so" ] && [ "$(astro_pyenv_elf_machine "$_d/$_so")" = "$_machine" ]; then
                        _found="$_d/$_so"
                        break
                    fi
                done
                if [ -z "$_found" ]; then
                    echo "$_so" >>"$_work/missing"
                    continue
                fi
                cp -L "$_found" "$_prefix/lib/$_so"
                # shellcheck disable=SC2016  # $ORIGIN is for the dynamic linker
                "${PATCHELF:-patchelf}" --set-rpath '$ORIGIN' "$_prefix/lib/$_so"
                echo "$_so $(astro_pyenv_package_of "$_found")" >>"$_work/carried"
                echo "astro-pyenv: carrying $_so ($_found)" >&2
                echo "$_prefix/lib/$_so" >>"$_work/todo"
            done
        done <"$_work/current"
    done
    # The list, with the carried sonames each one needs (a base's copy of a library
    # may be used instead of ours only where no kept carried library needs ours).
    while read -r _so _package _version; do
        _needs=""
        for _dep in $(astro_pyenv_elf_needed "$_prefix/lib/$_so"); do
            if cut -d' ' -f1 "$_work/carried" | grep -qxF "$_dep"; then _needs="$_needs${_needs:+,}$_dep"; fi
        done
        echo "$_so $_package $_version ${_needs:--}" >>"$_prefix/lib/astro-pyenv-carried"
    done <"$_work/carried"
    if [ -s "$_work/missing" ]; then
        echo "astro-pyenv: libraries the interpreter needs and no $_triplet directory has:" >&2
        cat "$_work/missing" >&2
        _status=1
    fi
    rm -rf "$_work"
    return "$_status"
}
