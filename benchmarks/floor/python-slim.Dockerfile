# The floor of scenario 12 (cold build with prebuilt interpreters on python:3.12-slim, Debian
# 13): ../project-python-slim written by hand as one plain Dockerfile that does only the work no
# build of it can avoid once the interpreters are prebuilt: the base, the two interpreters copied
# from the very images our frontend pulls (repo:tag@digest, build args the benchmark reads from
# the catalog baked into the frontend image; `PYENV 3.11` and `PYENV 3.13` resolve to the
# catalog's 3.11.2 and 3.13.5), the two venvs with the same pip work as ours (a new venv upgrades
# pip to the release make-venv.sh pins, then installs its requirements), the ENV lines, then the
# project copy.
#
# Build context: ../project-python-slim (the same files).  No pyenv, no compile, and no fitting
# of the interpreters to the base (ours drops the carried libraries the base has its own of:
# scenario 12's notes time those steps).  Inline and in order, as a person writes it; ours runs
# the two venvs in parallel stages.
ARG BASE_IMAGE=python:3.12-slim
ARG CPYTHON_3_11_2_IMAGE
ARG CPYTHON_3_13_5_IMAGE
FROM ${CPYTHON_3_11_2_IMAGE} AS cpython-3.11.2
FROM ${CPYTHON_3_13_5_IMAGE} AS cpython-3.13.5

FROM ${BASE_IMAGE}
# The prebuilt interpreters (each image holds /opt/astro-pyenv/python/<version>, bin/, venvs/).
COPY --from=cpython-3.11.2 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=cpython-3.13.5 /opt/astro-pyenv/ /opt/astro-pyenv/

# PYENV 3.11 analytics requirements-analytics.txt
COPY requirements-analytics.txt /tmp/requirements-analytics.txt
RUN --mount=type=secret,id=astro-pyenv-ca \
    set -eu; \
    if [ -s /run/secrets/astro-pyenv-ca ]; then export PIP_CERT=/run/secrets/astro-pyenv-ca; fi; \
    export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore; \
    /opt/astro-pyenv/python/3.11.2/bin/python3.11 -m venv /opt/astro-pyenv/venvs/analytics; \
    /opt/astro-pyenv/venvs/analytics/bin/python -m pip install --upgrade pip==26.3; \
    /opt/astro-pyenv/venvs/analytics/bin/python -m pip install -r /tmp/requirements-analytics.txt
ENV ASTRO_PYENV_analytics=/opt/astro-pyenv/venvs/analytics/bin/python

# PYENV 3.13 modern
RUN --mount=type=secret,id=astro-pyenv-ca \
    set -eu; \
    if [ -s /run/secrets/astro-pyenv-ca ]; then export PIP_CERT=/run/secrets/astro-pyenv-ca; fi; \
    export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore; \
    /opt/astro-pyenv/python/3.13.5/bin/python3.13 -m venv /opt/astro-pyenv/venvs/modern; \
    /opt/astro-pyenv/venvs/modern/bin/python -m pip install --upgrade pip==26.3
ENV ASTRO_PYENV_modern=/opt/astro-pyenv/venvs/modern/bin/python
ENV PATH=${PATH}:/opt/astro-pyenv/bin

# The project.
WORKDIR /app
COPY . .
