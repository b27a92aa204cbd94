
# astro-pyenv: pyenv and build scripts, copied from the frontend image (shell scripts, so the
# build platform's image serves every target platform)
FROM --platform=$BUILDPLATFORM local/astro-pyenv-frontend:dev AS pyenv-tools

# astro-pyenv: CPython 3.9.2 prebuilt (pinned by digest), fitted to python:3.12-slim: the libraries the base has its own of are the base's
# astro-pyenv: CPython 3.9.2: prebuilt for glibc 2.31+ (linux/amd64, linux/arm64), registry.example/astro-pyenv/cpython:3.9.2-glibc2.31-pgo-lto-121212121212@sha256:b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2 (the catalog of local/astro-pyenv-frontend:dev); the build checks that the base has glibc 2.31 or newer (line 6)
FROM python:3.12-slim AS pyenv-python-3.9.2
USER root
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/fit-interpreter.sh /tmp/astro-pyenv/scripts/fit-interpreter.sh
COPY --from=registry.example/astro-pyenv/cpython@sha256:b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2 /opt/astro-pyenv/ /opt/astro-pyenv/
RUN ["/bin/sh", "/tmp/astro-pyenv/scripts/fit-interpreter.sh", "--glibc=2.31", "--line=6", "3.9.2"]

# astro-pyenv: CPython 3.13.5 compiled on python:3.12-slim
# astro-pyenv: CPython 3.13.5 is compiled: the prebuilt images were made with other pyenv or build scripts (line 8)
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
FROM python:3.12-slim AS app-pyenv-0
RUN useradd --create-home app
USER app
# Prebuilt: the optimised build of the catalog's two, pulled by digest; the build checks glibc 2.31+.
# Compiled: the catalog's 3.13.5 was made with other pyenv or build scripts.

# astro-pyenv: venv legacy on CPython 3.9.2 with requirements-legacy.txt
FROM app-pyenv-0 AS pyenv-venv-legacy
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --from=pyenv-python-3.9.2 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/ /tmp/astro-pyenv/scripts/
COPY requirements-legacy.txt /tmp/astro-pyenv-requirements.txt
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "legacy", "/opt/astro-pyenv/python/3.9.2/bin/python3.9", "/tmp/astro-pyenv-requirements.txt"]

# astro-pyenv: venv modern on CPython 3.13.5
FROM app-pyenv-0 AS pyenv-venv-modern
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --from=pyenv-python-3.13.5 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/ /tmp/astro-pyenv/scripts/
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "modern", "/opt/astro-pyenv/python/3.13.5/bin/python3.13"]

# astro-pyenv: PYENV legacy (CPython 3.9.2, line 6), modern (CPython 3.13.5, line 8)
FROM app-pyenv-0 AS app
COPY --from=pyenv-python-3.9.2 /opt/astro-pyenv/python/3.9.2 /opt/astro-pyenv/python/3.9.2
COPY --from=pyenv-python-3.9.2 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --from=pyenv-python-3.13.5 /opt/astro-pyenv/python/3.13.5 /opt/astro-pyenv/python/3.13.5
COPY --from=pyenv-python-3.13.5 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --from=pyenv-venv-legacy /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_legacy=/opt/astro-pyenv/venvs/legacy/bin/python
COPY --from=pyenv-venv-modern /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_modern=/opt/astro-pyenv/venvs/modern/bin/python
ENV PATH=${PATH}:/opt/astro-pyenv/bin

# Compiled: a stage with its own platform.

# astro-pyenv: CPython 3.9.2 compiled on python:3.12-slim
# astro-pyenv: CPython 3.9.2 is compiled: the stage's FROM names a platform (line 12)
FROM --platform=linux/arm64 python:3.12-slim AS pyenv-python-3.9.2-2
USER root
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/prepare-build.sh /opt/astro-pyenv/scripts/build-deps.sh /tmp/astro-pyenv/scripts/
RUN ["/bin/sh", "/tmp/astro-pyenv/scripts/prepare-build.sh"]
ARG PYTHON_BUILD_MIRROR_URL PYTHON_BUILD_HTTP_CLIENT PYTHON_BUILD_CURL_OPTS PYTHON_BUILD_WGET_OPTS PYTHON_CONFIGURE_OPTS CONFIGURE_OPTS PYTHON_CFLAGS PYTHON_MAKE_OPTS MAKE_OPTS PYTHON_MAKE_INSTALL_OPTS MAKE_INSTALL_OPTS PYTHON_MAKE_INSTALL_TARGET
COPY --from=pyenv-tools /opt/astro-pyenv/pyenv/ /tmp/astro-pyenv/pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/build-python.sh /opt/astro-pyenv/scripts/build-deps.sh /opt/astro-pyenv/scripts/settings.sh /opt/astro-pyenv/scripts/carry-libs.sh /opt/astro-pyenv/scripts/cross.sh /tmp/astro-pyenv/scripts/
RUN --mount=type=cache,id=astro-pyenv-cpython-sources,target=/var/cache/astro-pyenv-sources,sharing=shared \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/build-python.sh", "3.9.2"]
FROM --platform=linux/arm64 python:3.12-slim AS arm-pyenv-0

# astro-pyenv: venv other on CPython 3.9.2
FROM arm-pyenv-0 AS pyenv-venv-other
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --from=pyenv-python-3.9.2-2 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/ /tmp/astro-pyenv/scripts/
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "other", "/opt/astro-pyenv/python/3.9.2/bin/python3.9"]

# astro-pyenv: PYENV other (CPython 3.9.2, line 12)
FROM arm-pyenv-0 AS arm
COPY --from=pyenv-python-3.9.2-2 /opt/astro-pyenv/python/3.9.2 /opt/astro-pyenv/python/3.9.2
COPY --from=pyenv-python-3.9.2-2 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --from=pyenv-venv-other /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_other=/opt/astro-pyenv/venvs/other/bin/python
ENV PATH=${PATH}:/opt/astro-pyenv/bin
