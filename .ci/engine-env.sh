# Sourced (not run) by the Makefile and .ci scripts: settings for the real-engine tests.
# Side-effect free and fast: starts nothing, fails on nothing.
#
# On a connected machine, export the ASTRO_PYENV_* settings yourself (or set them empty) before
# sourcing to get the internet defaults; on these machines (no registry, no python.org) the
# defaults below point at local stand-ins, the local CPython mirror and the machine's CA bundle.

export ASTRO_PYENV_CI_CACHE="${ASTRO_PYENV_CI_CACHE:-/var/cache/astro-pyenv-ci}"
export DOCKER_HOST="${DOCKER_HOST:-unix:///run/astro-pyenv-engine/docker.sock}"
export DOCKER_BUILDKIT=1
# testcontainers' reaper (Ryuk) image cannot be pulled here; fixtures clean up themselves.
export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"

# The docker client: Debian's (matches the 26.1 daemon) rather than /usr/local/bin/docker,
# which shadows it on PATH. Both find the buildx plugin in /usr/libexec/docker/cli-plugins.
if [ -z "${ASTRO_PYENV_DOCKER:-}" ]; then
    if [ -x /usr/bin/docker ]; then
        export ASTRO_PYENV_DOCKER=/usr/bin/docker
    else
        export ASTRO_PYENV_DOCKER=docker
    fi
fi

# Images the tests build FROM (local stand-ins here, built by .ci/standins.sh).
export ASTRO_PYENV_PYTHON_BASE="${ASTRO_PYENV_PYTHON_BASE-python:3.12-slim}"
export ASTRO_PYENV_RUNTIME_IMAGE="${ASTRO_PYENV_RUNTIME_IMAGE-quay.io/astronomer/astro-runtime:13.0.0}"

# CPython sources from the local mirror (.ci/cpython-mirror.sh), not python.org.
export ASTRO_PYENV_MIRROR_PORT="${ASTRO_PYENV_MIRROR_PORT:-8765}"
export PYTHON_BUILD_MIRROR_URL="${PYTHON_BUILD_MIRROR_URL-http://127.0.0.1:${ASTRO_PYENV_MIRROR_PORT}}"

# CA bundle given to builds as the BuildKit secret `astro-pyenv-ca` (pip behind this proxy).
if [ -z "${ASTRO_PYENV_CA_BUNDLE+set}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    export ASTRO_PYENV_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
fi

# pyenv for the frontend image: from this machine's checkout as a named build context.
if [ -z "${ASTRO_PYENV_PYENV_LOCAL+set}" ] && [ -d /root/.pyenv/.git ]; then
    export ASTRO_PYENV_PYENV_LOCAL=/root/.pyenv
fi
