"""Smoke tests of the real-engine harness: plain Dockerfiles, no frontend."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from . import harness


def test_build_and_run_from_python_base(
    engine: harness.Settings,
    build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    """A Dockerfile FROM the python base builds, and its image runs a venv's python."""
    dockerfile = (
        f"FROM {engine.python_base}\n"
        "COPY hello.py /app/hello.py\n"
        "RUN python -m venv /app/venv\n"
        'CMD ["/app/venv/bin/python", "/app/hello.py"]\n'
    )
    files = {"hello.py": "import sys\nprint('hello from', sys.prefix)\n"}
    result = build(dockerfile, files)
    assert result.ok, result.tail()
    assert result.image_id and result.image_id.startswith("sha256:")

    ran = run_in_image(result.image_id, ["/app/venv/bin/python", "/app/hello.py"])
    assert ran.exit_code == 0, ran.output
    assert ran.output.strip() == "hello from /app/venv"

    failed = run_in_image(result.image_id, ["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (failed.exit_code, sorted(failed.output.split())) == (3, ["err", "out"])


def test_pip_install_with_ca_secret(
    engine: harness.Settings,
    build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    """pip inside a RUN step reaches PyPI with the CA bundle mounted as the build secret."""
    secret = f"/run/secrets/{harness.CA_SECRET_ID}"
    # A fresh token in the RUN line keeps BuildKit from answering this step from its cache.
    dockerfile = (
        f"FROM {engine.python_base}\n"
        "RUN python -m venv /venv\n"
        f"RUN --mount=type=secret,id={harness.CA_SECRET_ID} \\\n"
        f"    echo {uuid.uuid4().hex}; \\\n"
        f"    if [ -s {secret} ]; then export PIP_CERT={secret}; fi; \\\n"
        "    /venv/bin/pip install --no-cache-dir six==1.16.0\n"
    )
    result = build(dockerfile)
    assert result.ok, result.tail()

    ran = run_in_image(
        result.image_id, ["/venv/bin/python", "-c", "import six; print(six.__version__)"]
    )
    assert (ran.exit_code, ran.output.strip()) == (0, "1.16.0")
    # The secret leaves nothing in the image.
    leftover = run_in_image(result.image_id, ["sh", "-c", f"test ! -e {secret}"])
    assert leftover.exit_code == 0, leftover.output
