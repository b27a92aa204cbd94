# Sourced by prepare-build.sh and build-python.sh: installs what compiling
# CPython needs, for the package manager the base image has.  The packages
# follow pyenv's "suggested build environment" list.  Runs as root in the
# interpreter stage only, so none of this reaches the final image.
#
#   astro_pyenv_prepare_build   note the base's shared libraries (in
#                               $astro_pyenv_base_libs), then install the
#                               build dependencies; once per stage
#   astro_pyenv_install_build_deps
#                               the install alone

# What the base image has (build-python.sh bundles what it lacks), written before any package
# is installed; the marker says the stage is prepared.
astro_pyenv_base_libs=/tmp/astro-pyenv-base-libs
astro_pyenv_prepared=/tmp/astro-pyenv-build-prepared

# File names of the shared libraries in the directories the dynamic linker
# searches.  Names, not paths: /lib is often a symlink to /usr/lib.
astro_pyenv_list_libs() {
    for _d in /lib /lib64 /usr/lib /usr/lib64 /usr/local/lib; do
        if [ -d "$_d" ]; then find "$_d/" \( -type f -o -type l \) -name '*.so*' 2>/dev/null; fi
    done | sed 's|.*/||' | sort -u
}

astro_pyenv_prepare_build() {
    [ -f "$astro_pyenv_prepared" ] && return 0
    astro_pyenv_list_libs >"$astro_pyenv_base_libs"
    echo "astro-pyenv: installing build dependencies" >&2
    astro_pyenv_install_build_deps
    : >"$astro_pyenv_prepared"
}

astro_pyenv_install_build_deps() {
    if command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends \
            bash ca-certificates curl make gcc binutils libc6-dev xz-utils patch \
            libssl-dev zlib1g-dev libbz2-dev libreadline-dev libsqlite3-dev \
            libncursesw5-dev tk-dev libxml2-dev libxmlsec1-dev libffi-dev liblzma-dev \
            uuid-dev libgdbm-dev libgdbm-compat-dev patchelf >/dev/null
    elif command -v apk >/dev/null 2>&1; then
        apk add --no-cache bash ca-certificates curl make gcc binutils musl-dev patch xz \
            openssl-dev zlib-dev bzip2-dev readline-dev sqlite-dev ncurses-dev tk-dev \
            libffi-dev xz-dev util-linux-dev gdbm-dev linux-headers >/dev/null
    elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1 || command -v microdnf >/dev/null 2>&1; then
        pm=$(command -v dnf || command -v microdnf || command -v yum)
        "$pm" install -y bash ca-certificates curl make gcc binutils patch xz tar gzip \
            openssl-devel zlib-devel bzip2-devel readline-devel sqlite-devel ncurses-devel \
            tk-devel libffi-devel xz-devel libuuid-devel gdbm-devel >/dev/null
    else
        echo "astro-pyenv: this base image has none of apt-get, apk, dnf or yum;" >&2
        echo "astro-pyenv: cannot install what compiling CPython needs" >&2
        return 1
    fi
}
