ARG ASTRO_PYENV_INSTALLER=uv
ARG ASTRO_PYENV_PIP_CACHE=team-a

# astro-pyenv: pyenv and build scripts, copied from the frontend image (shell scripts, so the
# build platform's image serves every target platform)
FROM --platform=$BUILDPLATFORM local/astro-pyenv-frontend:dev AS pyenv-tools

# astro-pyenv: the empty top of the shared pip cache (astro-pyenv-pip-team-a), writable by every user like /tmp
FROM pyenv-tools AS pyenv-tools-pip-cache
USER root
RUN ["/bin/sh", "-c", "install -d -m 1777 /astro-pyenv-pip-cache"]

# astro-pyenv: CPython 3.13.5 compiled on python:3.12-slim
# astro-pyenv: CPython 3.13.5 is compiled: no prebuilt catalog was read (line 6)
FROM python:3.12-slim AS pyenv-python-3.13.5
USER root
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/prepare-build.sh /opt/astro-pyenv/scripts/build-deps.sh /tmp/astro-pyenv/scripts/
RUN ["/bin/sh", "/tmp/astro-pyenv/scripts/prepare-build.sh"]
ARG PYTHON_BUILD_MIRROR_URL PYTHON_BUILD_HTTP_CLIENT PYTHON_BUILD_CURL_OPTS PYTHON_BUILD_WGET_OPTS PYTHON_CONFIGURE_OPTS CONFIGURE_OPTS PYTHON_CFLAGS PYTHON_MAKE_OPTS MAKE_OPTS PYTHON_MAKE_INSTALL_OPTS MAKE_INSTALL_OPTS PYTHON_MAKE_INSTALL_TARGET
COPY --from=pyenv-tools /opt/astro-pyenv/pyenv/ /tmp/astro-pyenv/pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/build-python.sh /opt/astro-pyenv/scripts/build-deps.sh /opt/astro-pyenv/scripts/settings.sh /opt/astro-pyenv/scripts/carry-libs.sh /opt/astro-pyenv/scripts/cross.sh /tmp/astro-pyenv/scripts/
RUN --mount=type=cache,id=astro-pyenv-cpython-sources,target=/var/cache/astro-pyenv-sources,sharing=shared \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/build-python.sh", "3.13.5"]

# astro-pyenv: CPython 3.12.4 compiled on python:3.12-slim
# astro-pyenv: CPython 3.12.4 is compiled: no prebuilt catalog was read (line 8)
FROM python:3.12-slim AS pyenv-python-3.12.4
USER root
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/prepare-build.sh /opt/astro-pyenv/scripts/build-deps.sh /tmp/astro-pyenv/scripts/
RUN ["/bin/sh", "/tmp/astro-pyenv/scripts/prepare-build.sh"]
ARG PYTHON_BUILD_MIRROR_URL PYTHON_BUILD_HTTP_CLIENT PYTHON_BUILD_CURL_OPTS PYTHON_BUILD_WGET_OPTS PYTHON_CONFIGURE_OPTS CONFIGURE_OPTS PYTHON_CFLAGS PYTHON_MAKE_OPTS MAKE_OPTS PYTHON_MAKE_INSTALL_OPTS MAKE_INSTALL_OPTS PYTHON_MAKE_INSTALL_TARGET
COPY --from=pyenv-tools /opt/astro-pyenv/pyenv/ /tmp/astro-pyenv/pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/build-python.sh /opt/astro-pyenv/scripts/build-deps.sh /opt/astro-pyenv/scripts/settings.sh /opt/astro-pyenv/scripts/carry-libs.sh /opt/astro-pyenv/scripts/cross.sh /tmp/astro-pyenv/scripts/
RUN --mount=type=cache,id=astro-pyenv-cpython-sources,target=/var/cache/astro-pyenv-sources,sharing=shared \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/build-python.sh", "3.12.4"]
FROM python:3.12-slim AS stage-0-pyenv-0
# the Dockerfile's default installer: uv, with the shared cache
# this line keeps pip

# astro-pyenv: venv fast on CPython 3.13.5 with requirements.txt, installed by uv
FROM stage-0-pyenv-0 AS pyenv-venv-fast
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --from=pyenv-python-3.13.5 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/ /tmp/astro-pyenv/scripts/
COPY --from=pyenv-tools /opt/astro-pyenv/uv/ /tmp/astro-pyenv/uv/
COPY requirements.txt /tmp/astro-pyenv-requirements.txt
RUN --mount=type=cache,id=astro-pyenv-pip-team-a,from=pyenv-tools-pip-cache,source=/astro-pyenv-pip-cache,target=/tmp/astro-pyenv-pip-cache \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "--installer=uv", "fast", "/opt/astro-pyenv/python/3.13.5/bin/python3.13", "/tmp/astro-pyenv-requirements.txt"]

# astro-pyenv: venv slow on CPython 3.12.4
FROM stage-0-pyenv-0 AS pyenv-venv-slow
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --from=pyenv-python-3.12.4 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/ /tmp/astro-pyenv/scripts/
RUN --mount=type=cache,id=astro-pyenv-pip-team-a,from=pyenv-tools-pip-cache,source=/astro-pyenv-pip-cache,target=/tmp/astro-pyenv-pip-cache \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "slow", "/opt/astro-pyenv/python/3.12.4/bin/python3.12"]

# astro-pyenv: PYENV fast (CPython 3.13.5, line 6), slow (CPython 3.12.4, line 8)
FROM stage-0-pyenv-0 AS stage-0
COPY --from=pyenv-python-3.13.5 /opt/astro-pyenv/python/3.13.5 /opt/astro-pyenv/python/3.13.5
COPY --from=pyenv-python-3.13.5 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --from=pyenv-python-3.12.4 /opt/astro-pyenv/python/3.12.4 /opt/astro-pyenv/python/3.12.4
COPY --from=pyenv-python-3.12.4 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --from=pyenv-venv-fast /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_fast=/opt/astro-pyenv/venvs/fast/bin/python
COPY --from=pyenv-venv-slow /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_slow=/opt/astro-pyenv/venvs/slow/bin/python
ENV PATH=${PATH}:/opt/astro-pyenv/bin
