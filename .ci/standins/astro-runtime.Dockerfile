# Stand-in for the Astro Runtime image where no registry is reachable.
#   target `base`:    like astro-runtime:<v>-base (no ONBUILD)
#   target `onbuild`: like astro-runtime:<v> (ONBUILD: packages.txt, requirements.txt, project)
# BASE_IMAGE is the Debian release the real image is built on (.ci/standins.sh says which and
# where that is written down).  Airflow lives in a venv at /usr/local/airflow-venv, first on
# PATH (`airflow`, `python`, `pip`), installed with every package pinned by the build context
# `constraints` file AIRFLOW_CONSTRAINTS (.ci/constraints/), as the real image is pinned.
# The machine's CA bundle arrives as the optional BuildKit secret `astro-pyenv-ca`.
ARG BASE_IMAGE
FROM ${BASE_IMAGE} AS base
ARG AIRFLOW_VERSION
ARG AIRFLOW_CONSTRAINTS
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv python-is-python3 ca-certificates netbase tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 50000 --gid 0 --home-dir /usr/local/airflow --create-home \
        --shell /bin/bash astro
ENV AIRFLOW_HOME=/usr/local/airflow \
    VIRTUAL_ENV=/usr/local/airflow-venv \
    PATH=/usr/local/airflow-venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8
RUN --mount=type=cache,target=/root/.cache/pip,id=astro-pyenv-ci-pip \
    --mount=type=secret,id=astro-pyenv-ca \
    --mount=type=bind,from=constraints,target=/tmp/constraints \
    if [ -s /run/secrets/astro-pyenv-ca ]; then export PIP_CERT=/run/secrets/astro-pyenv-ca; fi \
    && python3 -m venv "$VIRTUAL_ENV" \
    && pip install -q -c "/tmp/constraints/$AIRFLOW_CONSTRAINTS" "apache-airflow==${AIRFLOW_VERSION}" \
    && pip check \
    && AIRFLOW_HOME=/tmp/airflow-check airflow version && rm -rf /tmp/airflow-check
COPY --chmod=0755 install-system-packages install-python-dependencies /usr/local/bin/
LABEL io.astronomer.docker=true \
      io.astronomer.docker.airflow.version="${AIRFLOW_VERSION}"
WORKDIR /usr/local/airflow
USER astro

FROM base AS onbuild
LABEL io.astronomer.docker.airflow.onbuild=true
ONBUILD COPY packages.txt .
ONBUILD USER root
ONBUILD RUN --mount=type=secret,id=astro-pyenv-ca /usr/local/bin/install-system-packages
ONBUILD COPY requirements.txt .
ONBUILD RUN --mount=type=secret,id=astro-pyenv-ca /usr/local/bin/install-python-dependencies
ONBUILD USER astro
ONBUILD COPY --chown=astro:0 . .
