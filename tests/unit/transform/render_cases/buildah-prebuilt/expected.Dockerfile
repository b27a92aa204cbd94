
# astro-pyenv: pyenv and build scripts, mounted from the frontend image (shell scripts, so the
# build platform's image serves every target platform)
FROM --platform=$BUILDPLATFORM local/astro-pyenv-frontend:dev AS pyenv-tools

# astro-pyenv: what the secrets of the venv steps say (index, pip config, CA; no credentials), hashed on every build
# into a file those steps mount: BuildKit keeps secrets out of cache keys, the file's content is in them
FROM pyenv-tools AS pyenv-tools-secrets
USER root
ARG ASTRO_PYENV_BUILD_ID
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 --mount=type=secret,id=astro-pyenv-settings,mode=0444 ["/bin/sh", "/opt/astro-pyenv/scripts/secrets-digest.sh", "/opt/astro-pyenv/secrets-digest", "astro-pyenv-ca", "astro-pyenv-pip-conf", "astro-pyenv-settings"]

# astro-pyenv: CPython 3.9.2 compiled on python:3.12-slim
FROM python:3.12-slim AS pyenv-python-3.9.2
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
    ["/bin/sh", "/tmp/astro-pyenv/scripts/build-python.sh", "3.9.2"]

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
FROM python:3.12-slim AS app-pyenv-0
RUN useradd --create-home app
USER app
# Prebuilt: the optimised build of the catalog's two, pulled by digest; the build checks glibc 2.31+.
# Compiled: the catalog's 3.13.5 was made with other pyenv or build scripts.

# astro-pyenv: venv legacy on CPython 3.9.2 with requirements-legacy.txt
FROM app-pyenv-0 AS pyenv-venv-legacy
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --link --from=pyenv-python-3.9.2 /opt/astro-pyenv/ /opt/astro-pyenv/
RUN --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts,target=/tmp/astro-pyenv/scripts \
    --mount=type=bind,from=pyenv-tools-secrets,source=/opt/astro-pyenv/secrets-digest,target=/tmp/astro-pyenv-secrets-digest \
    --mount=type=bind,source=requirements-legacy.txt,target=/tmp/astro-pyenv-requirements.txt \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "legacy", "/opt/astro-pyenv/python/3.9.2/bin/python3.9", "/tmp/astro-pyenv-requirements.txt"]

# astro-pyenv: venv modern on CPython 3.13.5
FROM app-pyenv-0 AS pyenv-venv-modern
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --link --from=pyenv-python-3.13.5 /opt/astro-pyenv/ /opt/astro-pyenv/
RUN --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts,target=/tmp/astro-pyenv/scripts \
    --mount=type=bind,from=pyenv-tools-secrets,source=/opt/astro-pyenv/secrets-digest,target=/tmp/astro-pyenv-secrets-digest \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "modern", "/opt/astro-pyenv/python/3.13.5/bin/python3.13"]

# astro-pyenv: PYENV legacy (CPython 3.9.2, line 6), modern (CPython 3.13.5, line 8)
FROM app-pyenv-0 AS app
COPY --link --from=pyenv-python-3.9.2 /opt/astro-pyenv/python/3.9.2 /opt/astro-pyenv/python/3.9.2
COPY --link --from=pyenv-python-3.9.2 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --link --from=pyenv-python-3.13.5 /opt/astro-pyenv/python/3.13.5 /opt/astro-pyenv/python/3.13.5
COPY --link --from=pyenv-python-3.13.5 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --link --from=pyenv-venv-legacy /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_legacy=/opt/astro-pyenv/venvs/legacy/bin/python
COPY --link --from=pyenv-venv-modern /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_modern=/opt/astro-pyenv/venvs/modern/bin/python
ENV PATH=${PATH}:/opt/astro-pyenv/bin

# Compiled: a stage with its own platform.

# astro-pyenv: CPython 3.9.2 compiled on python:3.12-slim
FROM --platform=linux/arm64 python:3.12-slim AS pyenv-python-3.9.2-2
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
    ["/bin/sh", "/tmp/astro-pyenv/scripts/build-python.sh", "3.9.2"]
FROM --platform=linux/arm64 python:3.12-slim AS arm-pyenv-0

# astro-pyenv: venv other on CPython 3.9.2
FROM arm-pyenv-0 AS pyenv-venv-other
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --link --from=pyenv-python-3.9.2-2 /opt/astro-pyenv/ /opt/astro-pyenv/
RUN --mount=type=bind,from=pyenv-tools,source=/opt/astro-pyenv/scripts,target=/tmp/astro-pyenv/scripts \
    --mount=type=bind,from=pyenv-tools-secrets,source=/opt/astro-pyenv/secrets-digest,target=/tmp/astro-pyenv-secrets-digest \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "other", "/opt/astro-pyenv/python/3.9.2/bin/python3.9"]

# astro-pyenv: PYENV other (CPython 3.9.2, line 12)
FROM arm-pyenv-0 AS arm
COPY --link --from=pyenv-python-3.9.2-2 /opt/astro-pyenv/python/3.9.2 /opt/astro-pyenv/python/3.9.2
COPY --link --from=pyenv-python-3.9.2-2 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --link --from=pyenv-venv-other /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_other=/opt/astro-pyenv/venvs/other/bin/python
ENV PATH=${PATH}:/opt/astro-pyenv/bin
