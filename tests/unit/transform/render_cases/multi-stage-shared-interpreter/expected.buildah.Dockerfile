FROM debian:bookworm AS base
RUN apt-get update && apt-get install -y python3


# astro-pyenv: pyenv and build scripts, copied from the frontend image (shell scripts, so the
# build platform's image serves every target platform)
FROM --platform=$BUILDPLATFORM local/astro-pyenv-frontend:dev AS pyenv-tools

# astro-pyenv: CPython 3.13.13 compiled on debian:bookworm
# astro-pyenv: CPython 3.13.13 is compiled: no prebuilt catalog was read (line 6)
FROM debian:bookworm AS pyenv-python-3.13.13
USER root
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/prepare-build.sh /opt/astro-pyenv/scripts/build-deps.sh /tmp/astro-pyenv/scripts/
RUN ["/bin/sh", "/tmp/astro-pyenv/scripts/prepare-build.sh"]
ARG PYTHON_BUILD_MIRROR_URL PYTHON_BUILD_HTTP_CLIENT PYTHON_BUILD_CURL_OPTS PYTHON_BUILD_WGET_OPTS PYTHON_CONFIGURE_OPTS CONFIGURE_OPTS PYTHON_CFLAGS PYTHON_MAKE_OPTS MAKE_OPTS PYTHON_MAKE_INSTALL_OPTS MAKE_INSTALL_OPTS PYTHON_MAKE_INSTALL_TARGET
COPY --from=pyenv-tools /opt/astro-pyenv/pyenv/ /tmp/astro-pyenv/pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/build-python.sh /opt/astro-pyenv/scripts/build-deps.sh /opt/astro-pyenv/scripts/settings.sh /opt/astro-pyenv/scripts/carry-libs.sh /opt/astro-pyenv/scripts/cross.sh /tmp/astro-pyenv/scripts/
RUN --mount=type=cache,id=astro-pyenv-cpython-sources,target=/var/cache/astro-pyenv-sources,sharing=shared \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/build-python.sh", "3.13.13"]
FROM base AS builder-pyenv-0

# astro-pyenv: venv tools on CPython 3.13.13
FROM builder-pyenv-0 AS pyenv-venv-tools
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --from=pyenv-python-3.13.13 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/ /tmp/astro-pyenv/scripts/
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "tools", "/opt/astro-pyenv/python/3.13.13/bin/python3.13"]

# astro-pyenv: PYENV tools (CPython 3.13.13, line 6)
FROM builder-pyenv-0 AS builder
COPY --from=pyenv-python-3.13.13 /opt/astro-pyenv/python/3.13.13 /opt/astro-pyenv/python/3.13.13
COPY --from=pyenv-python-3.13.13 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --from=pyenv-venv-tools /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_tools=/opt/astro-pyenv/venvs/tools/bin/python
ENV PATH=${PATH}:/opt/astro-pyenv/bin

FROM base AS stage-2-pyenv-0

# astro-pyenv: venv runtime on CPython 3.13.13
FROM stage-2-pyenv-0 AS pyenv-venv-runtime
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --from=pyenv-python-3.13.13 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/ /tmp/astro-pyenv/scripts/
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "runtime", "/opt/astro-pyenv/python/3.13.13/bin/python3.13"]

# astro-pyenv: PYENV runtime (CPython 3.13.13, line 9)
FROM stage-2-pyenv-0 AS stage-2
COPY --from=pyenv-python-3.13.13 /opt/astro-pyenv/python/3.13.13 /opt/astro-pyenv/python/3.13.13
COPY --from=pyenv-python-3.13.13 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --from=pyenv-venv-runtime /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_runtime=/opt/astro-pyenv/venvs/runtime/bin/python
ENV PATH=${PATH}:/opt/astro-pyenv/bin
COPY --from=builder /opt/astro-pyenv/venvs/tools /tools
