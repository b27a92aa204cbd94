# Sourced (not run) by the Makefile and .ci scripts: where the engine is and which images,
# CPython sources and CA bundle the builds use.  Starts nothing and fails on nothing.
#
# Two modes, chosen once per shell (ASTRO_PYENV_OFFLINE=1 or 0 to force one):
# - online: a container registry answers.  Builds use public images (python:3.12-slim, Astro
#   Runtime), python.org and GitHub, and whatever engine the machine already runs.
# - offline (machines with no registry and no python.org): local stand-ins tagged with the
#   public names (.ci/standins.sh), a 127.0.0.1 CPython mirror (.ci/cpython-mirror.sh), the
#   machine's CA bundle as the `astro-pyenv-ca` secret, pyenv from the local checkout, and our
#   own dockerd (.ci/engine.sh).
# In both modes ASTRO_PYENV_REGISTRY (host:port, default 127.0.0.1:$ASTRO_PYENV_REGISTRY_PORT,
# port 5000) names a plain-HTTP OCI registry for tests and the example to push to and pull
# from (.ci/registry.sh serves it; .ci/prepare-engine.sh starts it).
# Any ASTRO_PYENV_* setting already exported wins over these defaults.

export ASTRO_PYENV_CI_CACHE="${ASTRO_PYENV_CI_CACHE:-/var/cache/astro-pyenv-ci}"
export DOCKER_BUILDKIT=1
# testcontainers' reaper (Ryuk) image cannot be pulled offline; the fixtures clean up themselves.
export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"

if [ -z "${ASTRO_PYENV_OFFLINE:-}" ]; then
    # A registry answers 401 to an anonymous /v2/ request; no answer at all means offline.
    if [ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' https://registry-1.docker.io/v2/ 2>/dev/null)" = 000 ]; then
        export ASTRO_PYENV_OFFLINE=1
    else
        export ASTRO_PYENV_OFFLINE=0
    fi
fi

# The engine: DOCKER_HOST if set; else the machine's usual socket; else our own dockerd's.
if [ -z "${DOCKER_HOST:-}" ]; then
    if [ -S /var/run/docker.sock ]; then
        export DOCKER_HOST=unix:///var/run/docker.sock
    else
        export DOCKER_HOST=unix:///run/astro-pyenv-engine/docker.sock
    fi
fi

# The docker client: Debian's (matches its 26.1 daemon) rather than /usr/local/bin/docker,
# which shadows it on PATH here. Both find the buildx plugin in /usr/libexec/docker/cli-plugins.
if [ -z "${ASTRO_PYENV_DOCKER:-}" ]; then
    if [ -x /usr/bin/docker ]; then
        export ASTRO_PYENV_DOCKER=/usr/bin/docker
    else
        export ASTRO_PYENV_DOCKER=docker
    fi
fi

# A local registry, online and offline (.ci/registry.sh).
export ASTRO_PYENV_REGISTRY="${ASTRO_PYENV_REGISTRY:-127.0.0.1:${ASTRO_PYENV_REGISTRY_PORT:-5000}}"

# Images the tests build FROM (public names; local stand-ins carry the same names offline):
# the Debian releases users have (13, the default of every python:3.x-slim tag since August 2025;
# 12; 11), the python image on 13 and on 12, and the Astro Runtimes.
export ASTRO_PYENV_PYTHON_BASE="${ASTRO_PYENV_PYTHON_BASE-python:3.12-slim}"
export ASTRO_PYENV_PYTHON_BOOKWORM_BASE="${ASTRO_PYENV_PYTHON_BOOKWORM_BASE-python:3.12-slim-bookworm}"
export ASTRO_PYENV_TRIXIE_BASE="${ASTRO_PYENV_TRIXIE_BASE-debian:trixie-slim}"
export ASTRO_PYENV_BULLSEYE_BASE="${ASTRO_PYENV_BULLSEYE_BASE-debian:bullseye-slim}"
export ASTRO_PYENV_RUNTIME_IMAGE="${ASTRO_PYENV_RUNTIME_IMAGE-quay.io/astronomer/astro-runtime:13.0.0}"
# The Airflow 3 runtime (Astro Runtime 3.1-17 ships Airflow 3.1.8): what new Astro projects use.
export ASTRO_PYENV_RUNTIME3_IMAGE="${ASTRO_PYENV_RUNTIME3_IMAGE-astrocrpublic.azurecr.io/runtime:3.1-17}"
export ASTRO_PYENV_MINIMAL_BASE="${ASTRO_PYENV_MINIMAL_BASE-debian:bookworm-slim}"
# What `make interpreters` builds portable interpreters on: the oldest glibc they serve (README
# "Prebuilt interpreters").
export ASTRO_PYENV_INTERPRETER_BASE="${ASTRO_PYENV_INTERPRETER_BASE-$ASTRO_PYENV_BULLSEYE_BASE}"

# The same for linux/amd64 and linux/arm64 (cross-platform builds, `make release`): the public
# multi-platform images, or offline their stand-ins as indexes in the local registry
# (.ci/standins-multiarch.sh).
# The Astro Runtime's -base image is made for both only by `make bench` (its cross-platform
# scenario; .ci/standins-multiarch.sh --astro-runtime).
if [ "$ASTRO_PYENV_OFFLINE" = 1 ]; then
    export ASTRO_PYENV_MULTIARCH_DEBIAN="${ASTRO_PYENV_MULTIARCH_DEBIAN-$ASTRO_PYENV_REGISTRY/standins/debian:bookworm-slim}"
    export ASTRO_PYENV_MULTIARCH_PYTHON="${ASTRO_PYENV_MULTIARCH_PYTHON-$ASTRO_PYENV_REGISTRY/standins/python:3.12-slim-bookworm}"
    export ASTRO_PYENV_MULTIARCH_RUNTIME_BASE="${ASTRO_PYENV_MULTIARCH_RUNTIME_BASE-$ASTRO_PYENV_REGISTRY/standins/astro-runtime:${ASTRO_PYENV_RUNTIME_IMAGE##*:}-base}"
else
    export ASTRO_PYENV_MULTIARCH_DEBIAN="${ASTRO_PYENV_MULTIARCH_DEBIAN-debian:bookworm-slim}"
    export ASTRO_PYENV_MULTIARCH_PYTHON="${ASTRO_PYENV_MULTIARCH_PYTHON-python:3.12-slim}"
    export ASTRO_PYENV_MULTIARCH_RUNTIME_BASE="${ASTRO_PYENV_MULTIARCH_RUNTIME_BASE-$ASTRO_PYENV_RUNTIME_IMAGE-base}"
fi

if [ "$ASTRO_PYENV_OFFLINE" = 1 ]; then
    # CPython sources from the local mirror (.ci/cpython-mirror.sh), not python.org.
    export ASTRO_PYENV_MIRROR_PORT="${ASTRO_PYENV_MIRROR_PORT:-8765}"
    export PYTHON_BUILD_MIRROR_URL="${PYTHON_BUILD_MIRROR_URL-http://127.0.0.1:${ASTRO_PYENV_MIRROR_PORT}}"
    # PyPI answers inside builds only with this machine's CA bundle: the `astro-pyenv-ca` secret.
    if [ -z "${ASTRO_PYENV_CA_BUNDLE+set}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
        export ASTRO_PYENV_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
    fi
    # pyenv for the frontend image from the machine's checkout, not GitHub.
    if [ -z "${ASTRO_PYENV_PYENV_LOCAL+set}" ] && [ -d "$(pyenv root 2>/dev/null || echo /root/.pyenv)/.git" ]; then
        ASTRO_PYENV_PYENV_LOCAL="$(pyenv root 2>/dev/null || echo /root/.pyenv)"
        export ASTRO_PYENV_PYENV_LOCAL
    fi
fi
