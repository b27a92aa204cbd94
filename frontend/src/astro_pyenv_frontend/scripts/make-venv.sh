#!/bin/sh
# Create the virtualenv NAME from PYTHON and install REQUIREMENTS into it.
#
# Runs as the user of the stage that holds the PYENV line, so the venv
# belongs to that user.  Optional BuildKit secrets: astro-pyenv-ca (a CA
# bundle for TLS-intercepting proxies) and astro-pyenv-pip-conf (a pip config
# file, e.g. for a private index).  Neither is stored in a layer.
#
# usage: make-venv.sh NAME PYTHON [REQUIREMENTS]
set -eu

name="$1"
python="$2"
requirements="${3:-}"
venv="/opt/astro-pyenv/venvs/$name"

if [ -s /run/secrets/astro-pyenv-ca ]; then
    export PIP_CERT=/run/secrets/astro-pyenv-ca
fi
if [ -s /run/secrets/astro-pyenv-pip-conf ]; then
    export PIP_CONFIG_FILE=/run/secrets/astro-pyenv-pip-conf
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore
export PIP_CACHE_DIR=/tmp/astro-pyenv-pip-cache

"$python" -m venv "$venv"
if [ -n "$requirements" ]; then
    "$venv/bin/python" -m pip install -r "$requirements"
fi
"$venv/bin/python" -c 'import sys; print("astro-pyenv: venv '"$name"' runs Python", sys.version.split()[0])'
