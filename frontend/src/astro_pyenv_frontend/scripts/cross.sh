# Sourced by build-python.sh --portable (POSIX sh): cross-compiling CPython for
# another architecture on Debian, with the target's libraries from Debian's
# multiarch packages, so that an arm64 interpreter is built in minutes on an
# amd64 engine (a compile under emulation takes about an hour).
#
#   astro_pyenv_cross_triplet ARCH      the multiarch triplet of a Debian/OCI
#                                       architecture (arm64 -> aarch64-linux-gnu)
#   astro_pyenv_cross_deps ARCH         the cross compiler and ARCH's -dev packages
#   astro_pyenv_cross_build_python VERSION DIR
#                                       a native CPython VERSION in DIR: configure
#                                       runs it to build the target's modules
#   astro_pyenv_cross_configure VERSION BUILD_PYTHON HOST
#                                       sets astro_pyenv_cross_opts (configure's
#                                       options), exports CONFIG_SITE and
#                                       PKG_CONFIG (call it in this shell, not
#                                       in $(...), which would lose the exports)
#   astro_pyenv_cross_definition DEFINITION OUT
#                                       python-build's definition with its verify
#                                       step (a dozen imports the new interpreter
#                                       would run, under emulation) left out; its
#                                       ensurepip step still runs the target
#                                       interpreter (under emulation, about a minute)

astro_pyenv_cross_triplet() {
    case "$1" in
        amd64) echo x86_64-linux-gnu ;;
        arm64) echo aarch64-linux-gnu ;;
        *) dpkg-architecture -a "$1" -qDEB_HOST_MULTIARCH ;;
    esac
}

astro_pyenv_cross_deps() {
    _arch="$1"
    _triplet=$(astro_pyenv_cross_triplet "$_arch")
    # pkg-config's dpkg hook makes TRIPLET-pkg-config for each added architecture.
    dpkg --add-architecture "$_arch"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2046  # one word per package
    apt-get install -y -qq --no-install-recommends pkg-config dpkg-dev "gcc-$(echo "$_triplet" | tr _ -)" \
        $(for p in libc6-dev libssl-dev zlib1g-dev libbz2-dev libreadline-dev libsqlite3-dev libncursesw5-dev \
                   libffi-dev liblzma-dev uuid-dev libgdbm-dev libgdbm-compat-dev; do printf '%s:%s ' "$p" "$_arch"; done) \
        >/dev/null
}

astro_pyenv_cross_build_python() {
    # python-build's own native build (verified sources, from the same cache and mirror),
    # python-build's defaults: it runs only during this build and is not kept.
    bash "$tools/pyenv/plugins/python-build/bin/python-build" "$1" "$2"
}

astro_pyenv_cross_configure() {
    _version="$1" _build_python="$2" _host="$3"
    _series=$(astro_pyenv_series "$_version")   # build-python.sh's
    # Answers configure cannot find out without running target code: a glibc Linux has
    # /dev/ptmx and no /dev/ptc, and a working getaddrinfo.
    printf 'ac_cv_file__dev_ptmx=yes\nac_cv_file__dev_ptc=no\nac_cv_buggy_getaddrinfo=no\n' >/tmp/astro-pyenv-config.site
    export CONFIG_SITE=/tmp/astro-pyenv-config.site
    export PKG_CONFIG="$_host-pkg-config"
    astro_pyenv_cross_opts="--build=$(gcc -dumpmachine) --host=$_host --with-ensurepip=no"
    case "${_series%t}" in
        # 3.9 and 3.10 find pythonX.Y on PATH; later ones are told.
        3.[0-9]|3.10) export PATH="$_build_python/bin:$PATH" ;;
        *) astro_pyenv_cross_opts="$astro_pyenv_cross_opts --with-build-python=$_build_python/bin/python$_series" ;;
    esac
}

astro_pyenv_cross_definition() {
    _verify=$(grep -o ' verify_py[0-9]*' "$1" | head -n 1 | tr -d ' ')
    {
        echo 'build_package_symlinks_only() { build_package_symlink_version_suffix; }'
        if [ -n "$_verify" ]; then sed -E 's/ verify_py[0-9]+/ symlinks_only/' "$1"; else cat "$1"; fi
    } >"$2"
}
