"""Apache-2.0, in every artefact: the repository's LICENSE, each package's copy of it (an sdist
cannot hold a file outside its directory), both packages' metadata and the frontend image.
The built wheels and sdists are checked by tests/integration/test_release_packages.py, the image
by tests/e2e/test_frontend_image.py."""

from __future__ import annotations

import re

import pytest
import tomllib

from markdown_support import ROOT

LICENSE = ROOT / "LICENSE"


def test_the_license_is_apache_2_0_unchanged() -> None:
    text = LICENSE.read_text()
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert len(text.splitlines()) == 202


@pytest.mark.parametrize("package", ["frontend", "runtime_helper"])
def test_each_package_ships_the_same_license_and_says_so(package: str) -> None:
    assert (ROOT / package / "LICENSE").read_bytes() == LICENSE.read_bytes(), f"cp LICENSE {package}/LICENSE"
    meta = tomllib.loads((ROOT / package / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "Apache-2.0"
    assert meta["license-files"] == ["LICENSE"]


def test_the_frontend_image_carries_the_license_as_label_and_file() -> None:
    dockerfile = (ROOT / "Dockerfile.frontend").read_text()
    assert 'org.opencontainers.image.licenses="Apache-2.0"' in dockerfile
    assert re.search(r"^COPY LICENSE /opt/astro-pyenv/LICENSE$", dockerfile, re.MULTILINE)
