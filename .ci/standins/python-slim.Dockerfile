# Stand-in for python:3.12-slim where no registry is reachable: Debian bookworm with its own
# python3 (3.11), venv and pip, and `python` on PATH. System pip installs are allowed, as in
# the real image. Built by .ci/standins.sh FROM the debootstrap base.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv python3-pip python-is-python3 ca-certificates netbase tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
ENV LANG=C.UTF-8
CMD ["python3"]
