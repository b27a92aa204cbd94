"""Golden files: each case directory holds a Dockerfile and the plain Dockerfile it becomes.

Cases live in ``render_cases/<case>/``: ``Dockerfile``, optional ``build-args``
(NAME=VALUE lines), optional ``catalog.json`` and ``recipe`` (the prebuilt catalog the CLI read
for ``--engine=buildah``; BuildKit builds choose in the gateway and ignore it),
``expected.Dockerfile`` (for BuildKit, the default) and
``expected.buildah.Dockerfile`` (``--engine=buildah``: Podman and Buildah).  Cases that must fail live in
``render_negative/<case>/`` with ``expected-error.txt`` (``LINE: message``).
Run with ``ASTRO_PYENV_UPDATE_GOLDEN=1`` to rewrite the expected files after a
deliberate change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from astro_pyenv_frontend.emit import dockerfile_lines
from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.prebuilt import Offer, parse_catalog
from astro_pyenv_frontend.transform import Engine, TransformOptions, transform

HERE = Path(__file__).parent
CASES = sorted(p for p in (HERE / "render_cases").iterdir() if p.is_dir())
NEGATIVE = sorted(p for p in (HERE / "render_negative").iterdir() if p.is_dir())
UPDATE = os.environ.get("ASTRO_PYENV_UPDATE_GOLDEN") == "1"
FRONTEND = "local/astro-pyenv-frontend:dev"


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "surrogateescape")


def _options(case: Path, engine: Engine = "buildkit") -> TransformOptions:
    args: dict[str, str] = {}
    args_file = case / "build-args"
    if args_file.exists():
        for line in _read(args_file).splitlines():
            name, _, value = line.partition("=")
            args[name] = value
    offer = None
    if (case / "catalog.json").exists():
        recipe = (case / "recipe").read_text().strip() if (case / "recipe").exists() else None
        offer = Offer(parse_catalog(_read(case / "catalog.json")), recipe, origin=f"the catalog of {FRONTEND}")
    return TransformOptions(frontend_image=FRONTEND, build_args=args, engine=engine, prebuilt_offer=offer)


EXPECTED = {"buildkit": "expected.Dockerfile", "buildah": "expected.buildah.Dockerfile"}


@pytest.mark.parametrize("engine", sorted(EXPECTED))
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_render_matches_golden_file(case: Path, engine: Engine) -> None:
    result = transform(_read(case / "Dockerfile"), _options(case, engine))
    expected = case / EXPECTED[engine]
    if UPDATE:
        expected.write_bytes(result.dockerfile.encode("utf-8", "surrogateescape"))
    assert expected.exists(), f"{expected} is missing: write it with ASTRO_PYENV_UPDATE_GOLDEN=1, then review it"
    assert result.dockerfile == _read(expected)
    assert len(result.source_lines) == len(dockerfile_lines(result.dockerfile))


@pytest.mark.parametrize("case", NEGATIVE, ids=[c.name for c in NEGATIVE])
def test_negative_case_reports_line_and_message(case: Path) -> None:
    with pytest.raises(DockerfileError) as info:
        transform(_read(case / "Dockerfile"), _options(case))
    got = f"{info.value.line}: {info.value.message}\n"
    expected = case / "expected-error.txt"
    if UPDATE:
        expected.write_text(got)
    assert got == expected.read_text()
