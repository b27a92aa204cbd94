"""Fixtures for tests against a real Docker engine; helpers live in ``harness.py``.

Fixtures:
  ``engine`` (session) -> :class:`harness.Settings`: an engine answers at ``DOCKER_HOST``, or
      the test is skipped (locally) or fails (``CI=true``) saying how to start one.
  ``frontend_image`` (session) -> str: the frontend image tag, built once per session by
      ``.ci/build-frontend-image.sh`` (tag from ``ASTRO_PYENV_FRONTEND_IMAGE``).
  ``build`` -> :func:`harness.build`, removing the untagged images it built after the test.
  ``run_in_image`` -> :func:`harness.run_in_image`.
  ``registry`` (session) -> str: ``host:port`` of the local registry (``ASTRO_PYENV_REGISTRY``)
      once its /v2/ answers, or the test is skipped (locally) or fails (``CI=true``).
  ``containers`` (session) -> :class:`podman_harness.Containers`: podman and buildah with the
      tests' own storage, or the test is skipped (locally) or fails (``CI=true``).

Marker: ``last`` moves a test after the others (see ``pytest_configure``).

Test modules import the helpers with ``from . import harness`` (tests/e2e is a package);
plain ``import harness`` gets the same module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from . import harness, podman_harness

sys.modules.setdefault("harness", harness)

START_HINT = (
    "start one with `make engine` (or `.ci/engine.sh install && .ci/engine.sh start`), "
    "then `source .ci/engine-env.sh`"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "last: run after the other tests (stable order): a test whose expensive step is one an"
        " earlier test makes anyway, taken from the build cache; it passes in any order, only slower",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(message: str) -> None:
    """Fail in CI, skip elsewhere."""
    if _in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def engine() -> harness.Settings:
    """Settings for a Docker engine that answers at DOCKER_HOST (skip/fail when none does)."""
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    settings = harness.Settings.from_env()
    if harness.engine_version(settings) is None:
        host = os.environ.get("DOCKER_HOST", "the default socket")
        _unavailable(f"no Docker engine answers at {host}: {START_HINT}")
    return settings


@pytest.fixture(scope="session")
def registry(engine: harness.Settings) -> str:
    """``host:port`` of the plain-HTTP registry the engine pushes to (skip/fail when none answers)."""
    if not harness.registry_answers(engine):
        _unavailable(
            f"no registry answers at http://{engine.registry}/v2/: start one with `make registry` "
            "(or `.ci/registry.sh install && .ci/registry.sh start`)"
        )
    return engine.registry


@pytest.fixture(scope="session")
def frontend_image(engine: harness.Settings) -> str:
    """Tag of the frontend image, built once per session from Dockerfile.frontend."""
    if not (harness.REPO_ROOT / "Dockerfile.frontend").exists():
        _unavailable("Dockerfile.frontend does not exist yet")
    result = harness.build_frontend_image(engine.frontend_image)
    if not result.ok:
        pytest.fail(
            f"building the frontend image {engine.frontend_image} failed "
            f"(exit {result.exit_code}):\n{result.tail()}",
            pytrace=False,
        )
    return engine.frontend_image


@pytest.fixture
def build(engine: harness.Settings) -> Iterator[Callable[..., harness.BuildResult]]:
    """:func:`harness.build` bound to the engine's settings; untagged results are removed."""
    built: list[str] = []

    def _build(*args: Any, **kwargs: Any) -> harness.BuildResult:
        kwargs.setdefault("settings", engine)
        result = harness.build(*args, **kwargs)
        if result.image_id and not kwargs.get("tag"):
            built.append(result.image_id)
        return result

    yield _build
    if built:
        subprocess.run(
            [engine.docker, "image", "rm", *built], capture_output=True, check=False
        )


@pytest.fixture
def run_in_image(engine: harness.Settings) -> Callable[..., harness.RunResult]:
    """:func:`harness.run_in_image` (needs the engine)."""
    return harness.run_in_image


@pytest.fixture(scope="session")
def containers() -> podman_harness.Containers:
    """Podman and Buildah (skip/fail when either is missing), on storage of the tests' own."""
    if not podman_harness.available():
        _unavailable("podman or buildah is not installed: install them with `.ci/podman.sh install`")
    return podman_harness.Containers.from_env()
