ARG ASTRO_RUNTIME_IMAGE=astrocrpublic.azurecr.io/runtime:3.1-17

# astro-pyenv: pyenv and build scripts, copied from the frontend image (shell scripts, so the
# build platform's image serves every target platform)
FROM --platform=$BUILDPLATFORM local/astro-pyenv-frontend:dev AS pyenv-tools

# astro-pyenv: CPython 3.9.2 compiled on astrocrpublic.azurecr.io/runtime:3.1-17-base
# astro-pyenv: CPython 3.9.2 is compiled: no prebuilt catalog was read (line 4)
FROM ${ASTRO_RUNTIME_IMAGE}-base AS pyenv-python-3.9.2
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

# astro-pyenv: CPython 3.13.5 compiled on astrocrpublic.azurecr.io/runtime:3.1-17-base
# astro-pyenv: CPython 3.13.5 is compiled: no prebuilt catalog was read (line 5)
FROM ${ASTRO_RUNTIME_IMAGE}-base AS pyenv-python-3.13.5
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

# astro-pyenv: CPython 3.12.13 compiled on astrocrpublic.azurecr.io/runtime:3.1-17-base
# astro-pyenv: CPython 3.12.13 is compiled: no prebuilt catalog was read (line 6)
FROM ${ASTRO_RUNTIME_IMAGE}-base AS pyenv-python-3.12.13
USER root
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/prepare-build.sh /opt/astro-pyenv/scripts/build-deps.sh /tmp/astro-pyenv/scripts/
RUN ["/bin/sh", "/tmp/astro-pyenv/scripts/prepare-build.sh"]
ARG PYTHON_BUILD_MIRROR_URL PYTHON_BUILD_HTTP_CLIENT PYTHON_BUILD_CURL_OPTS PYTHON_BUILD_WGET_OPTS PYTHON_CONFIGURE_OPTS CONFIGURE_OPTS PYTHON_CFLAGS PYTHON_MAKE_OPTS MAKE_OPTS PYTHON_MAKE_INSTALL_OPTS MAKE_INSTALL_OPTS PYTHON_MAKE_INSTALL_TARGET
COPY --from=pyenv-tools /opt/astro-pyenv/pyenv/ /tmp/astro-pyenv/pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/build-python.sh /opt/astro-pyenv/scripts/build-deps.sh /opt/astro-pyenv/scripts/settings.sh /opt/astro-pyenv/scripts/carry-libs.sh /opt/astro-pyenv/scripts/cross.sh /tmp/astro-pyenv/scripts/
RUN --mount=type=cache,id=astro-pyenv-cpython-sources,target=/var/cache/astro-pyenv-sources,sharing=shared \
    --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/build-python.sh", "3.12.13"]
FROM ${ASTRO_RUNTIME_IMAGE}-base AS stage-0-pyenv-0
# astro-pyenv: the ONBUILD steps of astrocrpublic.azurecr.io/runtime:3.1-17, with the project copy moved after the PYENV work
COPY packages.txt .
USER root
RUN /usr/local/bin/install-system-packages
COPY requirements.txt .
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 if [ -s /run/secrets/astro-pyenv-ca ]; then export PIP_CERT=/run/secrets/astro-pyenv-ca; fi; /usr/local/bin/install-python-dependencies
USER astro

# astro-pyenv: venv snowpark on CPython 3.9.2 with requirements-snowpark.txt
FROM stage-0-pyenv-0 AS pyenv-venv-snowpark
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --from=pyenv-python-3.9.2 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/ /tmp/astro-pyenv/scripts/
COPY requirements-snowpark.txt /tmp/astro-pyenv-requirements.txt
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "snowpark", "/opt/astro-pyenv/python/3.9.2/bin/python3.9", "/tmp/astro-pyenv-requirements.txt"]

# astro-pyenv: venv modern on CPython 3.13.5
FROM stage-0-pyenv-0 AS pyenv-venv-modern
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --from=pyenv-python-3.13.5 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/ /tmp/astro-pyenv/scripts/
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "--task-sdk=auto", "modern", "/opt/astro-pyenv/python/3.13.5/bin/python3.13"]

# astro-pyenv: venv pinned on CPython 3.12.13
FROM stage-0-pyenv-0 AS pyenv-venv-pinned
ARG PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY PIP_DEFAULT_TIMEOUT ASTRO_PYENV_PIP_VERSION
COPY --from=pyenv-python-3.12.13 /opt/astro-pyenv/ /opt/astro-pyenv/
COPY --from=pyenv-tools /opt/astro-pyenv/scripts/ /tmp/astro-pyenv/scripts/
RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 \
    --mount=type=secret,id=astro-pyenv-pip-conf,mode=0444 \
    --mount=type=secret,id=astro-pyenv-settings,mode=0444 \
    ["/bin/sh", "/tmp/astro-pyenv/scripts/make-venv.sh", "--task-sdk=1.1.8", "pinned", "/opt/astro-pyenv/python/3.12.13/bin/python3.12"]

# astro-pyenv: PYENV snowpark (CPython 3.9.2, line 4), modern (CPython 3.13.5, line 5), pinned (CPython 3.12.13, line 6)
FROM stage-0-pyenv-0 AS stage-0
COPY --from=pyenv-python-3.9.2 /opt/astro-pyenv/python/3.9.2 /opt/astro-pyenv/python/3.9.2
COPY --from=pyenv-python-3.9.2 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --from=pyenv-python-3.13.5 /opt/astro-pyenv/python/3.13.5 /opt/astro-pyenv/python/3.13.5
COPY --from=pyenv-python-3.13.5 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --from=pyenv-python-3.12.13 /opt/astro-pyenv/python/3.12.13 /opt/astro-pyenv/python/3.12.13
COPY --from=pyenv-python-3.12.13 /opt/astro-pyenv/bin/ /opt/astro-pyenv/bin/
COPY --from=pyenv-venv-snowpark /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_snowpark=/opt/astro-pyenv/venvs/snowpark/bin/python
COPY --from=pyenv-venv-modern /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_modern=/opt/astro-pyenv/venvs/modern/bin/python
COPY --from=pyenv-venv-pinned /opt/astro-pyenv/venvs/.astro-pyenv-out/ /opt/astro-pyenv/venvs/
ENV ASTRO_PYENV_pinned=/opt/astro-pyenv/venvs/pinned/bin/python
ENV PATH=${PATH}:/opt/astro-pyenv/bin
# astro-pyenv: the Astro Runtime project copy, after the PYENV work so DAG edits keep it cached
COPY --chown=astro:0 . .
