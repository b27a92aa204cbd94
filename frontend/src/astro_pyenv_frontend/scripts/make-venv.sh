#!/bin/sh
# Create the virtualenv NAME from PYTHON and install REQUIREMENTS into it.
#
# Runs as the user of the stage that holds the PYENV line, so the venv
# belongs to that user.  Optional BuildKit secrets: astro-pyenv-ca (a CA
# bundle for TLS-intercepting proxies), astro-pyenv-pip-conf (a pip config
# file, e.g. for a private index) and astro-pyenv-settings (KEY=value lines:
# index URLs and credentials, see settings.sh; they win over build args, and
# pip lets them win over pip.conf).  None is stored in a layer.
#
# pip's cache: none unless the build opted in to a shared one
# (ASTRO_PYENV_PIP_CACHE), which BuildKit then mounts at $cache_mount with a
# top directory every user may write to; each uid keeps its own subdirectory.
#
# pip itself: upgraded in the new venv before anything is installed (an old
# CPython bundles a pip too old for today's wheel tags), through the same
# index, CA and pip.conf settings.  ASTRO_PYENV_PIP_VERSION=bundled keeps the
# bundled pip; any other non-empty value pins it (pip==VALUE).
#
# The finished venv is moved to $out/NAME: the final stage copies the contents
# of $out, so the venv's own directory keeps its owner (copying the venv
# directory itself would make its top directory root's).
#
# usage: make-venv.sh NAME PYTHON [REQUIREMENTS]
set -eu

name="$1"
python="$2"
requirements="${3:-}"
venvs=/opt/astro-pyenv/venvs
venv="$venvs/$name"
out="$venvs/.astro-pyenv-out"
cache_mount=/tmp/astro-pyenv-pip-cache
. "$(dirname "$0")/settings.sh"

if [ -s /run/secrets/astro-pyenv-ca ]; then
    export PIP_CERT=/run/secrets/astro-pyenv-ca
fi
if [ -s /run/secrets/astro-pyenv-pip-conf ]; then
    export PIP_CONFIG_FILE=/run/secrets/astro-pyenv-pip-conf
fi
astro_pyenv_load_settings
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore
if [ -d "$cache_mount" ] && [ -w "$cache_mount" ]; then
    export PIP_CACHE_DIR="$cache_mount/uid-$(id -u)"
    unset PIP_NO_CACHE_DIR
else
    export PIP_NO_CACHE_DIR=1
    unset PIP_CACHE_DIR
fi

"$python" -m venv "$venv"
pip_version="${ASTRO_PYENV_PIP_VERSION:-}"
case "$pip_version" in
    bundled) ;;
    "") "$venv/bin/python" -m pip install --upgrade pip ;;
    *) "$venv/bin/python" -m pip install --upgrade "pip==$pip_version" ;;
esac
if [ -n "$requirements" ]; then
    "$venv/bin/python" -m pip install -r "$requirements"
fi
"$venv/bin/python" -c 'import sys; print("astro-pyenv: venv '"$name"' runs Python", sys.version.split()[0])'
"$venv/bin/python" -m pip --version | sed 's/^/astro-pyenv: /'

mkdir -p "$out"
mv "$venv" "$out/$name"
