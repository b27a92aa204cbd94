# Stand-in for python:3.12-slim (Debian 13) and python:3.12-slim-bookworm where no registry is
# reachable: BASE_IMAGE's Debian release with its own python3 (3.13 on trixie, 3.11 on bookworm),
# venv and pip, and `python` on PATH.  System pip installs are allowed, as in the real image.
# Built by .ci/standins.sh FROM the debootstrap base of that release.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv python3-pip python-is-python3 ca-certificates netbase tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
ENV LANG=C.UTF-8
CMD ["python3"]
