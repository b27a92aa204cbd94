"""The README shows what the example Dockerfile becomes; keep that text true."""

from __future__ import annotations

import re
from pathlib import Path

from astro_pyenv_frontend.transform import TransformOptions, transform

ROOT = Path(__file__).resolve().parents[2]


def test_readme_shows_the_current_transform_of_the_example() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### The example, transformed", 1)[1]
    shown = re.search(r"```dockerfile\n(.*?)```", section, re.DOTALL)
    assert shown, "README lost the transformed example"
    dockerfile = (ROOT / "examples/astro-project/Dockerfile").read_text()
    expected = transform(dockerfile, TransformOptions(frontend_image="local/astro-pyenv-frontend:dev")).dockerfile
    assert shown.group(1) == expected, "regenerate it: astro-pyenv-frontend transform -f examples/astro-project/Dockerfile"
