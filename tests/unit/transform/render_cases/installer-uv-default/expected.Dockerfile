ARG ASTRO_PYENV_INSTALLER=uv
ARG ASTRO_PYENV_PIP_CACHE=team-a

# astro-pyenv: pyenv and build scripts, mounted from the frontend image (shell scripts, so the
# build platform's image serves every target platform)
FROM --platform=$BUILDPLATFORM local/astro-pyenv-frontend:dev AS pyenv-tools

# astro-pyenv: what the secrets of the venv steps say (index, pip config, CA; no credentials), hashed on every build
# into a file those steps mount: BuildKit keeps secrets out of cache keys, the file's content is in them
FROM pyenv-tools AS pyenv-tools-secrets
USER root
ARG ASTRO_PYENV_BUILD_ID
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 --mount=type=secret,id=astro-pyenv-settings,mode=0444 ["/bin/sh", "/opt/astro-pyenv/scripts/secrets-digest.sh", "/opt/astro-pyenv/secrets-digest", "astro-pyenv-ca", "astro-pyenv-pip-conf", "astro-pyenv-settings"]

# astro-pyenv: the empty top of the shared pip cache (astro-pyenv-pip-team-a), writable by every user like /tmp
FROM pyenv-tools AS pyenv-tools-pip-cache
USER root
RUN ["/bin/sh", "-c", "install -d -m 1777 /astro-pyenv-pip-cache"]

# astro-pyenv: CPython 3.13.5 compiled on python:3.12-slim
FROM python:3.12-slim AS pyenv-python-3.13.5
USER root
RUN --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/prepare-build.sh,target=/tmp/astro-pyenv/scripts/prepare-build.sh \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/build-deps.sh,target=/tmp/astro-pyenv/scripts/build-deps.sh \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/prepare-build.sh"]
ARG PYTHON_BUILD_MIRROR_URL PYTHON_BUILD_HTTP_CLIENT PYTHON_BUILD_CURL_OPTS PYTHON_BUILD_WGET_OPTS PYTHON_CONFIGURE_OPTS CONFIGURE_OPTS PYTHON_CFLAGS PYTHON_MAKE_OPTS MAKE_OPTS PYTHON_MAKE_INSTALL_OPTS MAKE_INSTALL_OPTS PYTHON_MAKE_INSTALL_TARGET
RUN --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/pyenv,target=/tmp/astro-pyenv/pyenv \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/build-python.sh,target=/tmp/astro-pyenv/scripts/build-python.sh \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/build-deps.sh,target=/tmp/astro-pyenv/scripts/build-deps.sh \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/settings.sh,target=/tmp/astro-pyenv/scripts/settings.sh \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/carry-libs.sh,target=/tmp/astro-pyenv/scripts/carry-libs.sh \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/cross.sh,target=/tmp/astro-pyenv/scripts/cross.sh \
    --mount=type=cache,id=astro-pyenv-cpython-sources,target=/var/cache/astro-pyenv-sources,sharing=shared \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/build-python.sh", "3.13.5"]

# astro-pyenv: CPython 3.12.4 compiled on python:3.12-slim
FROM python:3.12-slim AS pyenv-python-3.12.4
USER root
RUN --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/prepare-build.sh,target=/tmp/astro-pyenv/scripts/prepare-build.sh \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/build-deps.sh,target=/tmp/astro-pyenv/scripts/build-deps.sh \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/prepare-build.sh"]
ARG PYTHON_BUILD_MIRROR_URL PYTHON_BUILD_HTTP_CLIENT PYTHON_BUILD_CURL_OPTS PYTHON_BUILD_WGET_OPTS PYTHON_CONFIGURE_OPTS CONFIGURE_OPTS PYTHON_CFLAGS PYTHON_MAKE_OPTS MAKE_OPTS PYTHON_MAKE_INSTALL_OPTS MAKE_INSTALL_OPTS PYTHON_MAKE_INSTALL_TARGET
RUN --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/pyenv,target=/tmp/astro-pyenv/pyenv \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/build-python.sh,target=/tmp/astro-pyenv/scripts/build-python.sh \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/build-deps.sh,target=/tmp/astro-pyenv/scripts/build-deps.sh \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/settings.sh,target=/tmp/astro-pyenv/scripts/settings.sh \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/carry-libs.sh,target=/tmp/astro-pyenv/scripts/carry-libs.sh \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts/cross.sh,target=/tmp/astro-pyenv/scripts/cross.sh \
    --mount=type=cache,id=astro-pyenv-cpython-sources,target=/var/cache/astro-pyenv-sources,sharing=shared \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/build-python.sh", "3.12.4"]
FROM python:3.12-slim AS stage-0-pyenv-0
# the Dockerfile's default installer: uv, with the shared cache
# this line keeps pip

# astro-pyenv: venv fast on CPython 3.13.5 with requirements.txt, installed by uv
FROM stage-0-pyenv-0 AS pyenv-venv-fast
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --link --from=pyenv-python-3.13.5 /opt/astro-pyenv/ /opt/astro-pyenv/
RUN --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts,target=/tmp/astro-pyenv/scripts \
    --mount=type=bind,from=pyenv-tools-secrets,source=/opt/astro-pyenv/secrets-digest,target=/tmp/astro-pyenv-secrets-digest \
    --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/uv,target=/tmp/astro-pyenv/uv \
    --mount=type=bind,source=requirements.txt,target=/tmp/astro-pyenv-requirements.txt \
    --mount=type=cache,id=astro-pyenv-pip-team-a,from=pyenv-tools-pip-cache,source=/astro-pyenv-pip-cache,target=/tmp/astro-pyenv-pip-cache \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "--installer=uv", "fast", "/opt/astro-pyenv/python/3.13.5/bin/python3.13", "/tmp/astro-pyenv-requirements.txt"]

# astro-pyenv: venv slow on CPython 3.12.4
FROM stage-0-pyenv-0 AS pyenv-venv-slow
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --link --from=pyenv-python-3.12.4 /opt/astro-pyenv/ /opt/astro-pyenv/
RUN --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts,target=/tmp/astro-pyenv/scripts \
    --mount=type=bind,from=pyenv-tools-secrets,source=/opt/astro-pyenv/secrets-digest,target=/tmp/astro-pyenv-secrets-digest \
    --mount=type=cache,id=astro-pyenv-pip-team-a,from=pyenv-tools-pip-cache,source=/astro-pyenv-pip-cache,target=/tmp/astro-pyenv-pip-cache \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "slow", "/opt/astro-pyenv/python/3.12.4/bin/python3.12"]

# astro-pyenv: PYENV fast (CPython 3.13.5, line 6), slow (CPython 3.12.4, line 8)
FROM stage-0-pyenv-0 AS stage-0
COPY --link --from=pyenv-python-3.13.5 /opt/astro-pyenv/python/3.13.5 /opt/astro-pyenv/python/3.13.5
COPY --link --from=pyenv-python-3.13.5 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --link --from=pyenv-python-3.12.4 /opt/astro-pyenv/python/3.12.4 /opt/astro-pyenv/python/3.12.4
COPY --link --from=pyenv-python-3.12.4 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --link --from=pyenv-venv-fast /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_fast=/opt/astro-pyenv/venvs/fast/bin/python
COPY --link --from=pyenv-venv-slow /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_slow=/opt/astro-pyenv/venvs/slow/bin/python
ENV PATH=${PATH}:/opt/astro-pyenv/bin
