"""docs/how-it-works.md shows what the example Dockerfile becomes; keep that text true."""

from __future__ import annotations

import re
from pathlib import Path

from astro_pyenv_frontend.transform import TransformOptions, transform

from markdown_support import section

ROOT = Path(__file__).resolve().parents[2]


def test_the_docs_show_the_current_transform_of_the_example() -> None:
    page = (ROOT / "docs" / "how-it-works.md").read_text()
    shown = re.search(r"```dockerfile\n(.*?)```", section(page, "## The example, transformed"), re.DOTALL)
    assert shown, "docs/how-it-works.md lost the transformed example"
    dockerfile = (ROOT / "examples/astro-project/Dockerfile").read_text()
    expected = transform(dockerfile, TransformOptions(frontend_image="local/astro-pyenv-frontend:dev")).dockerfile
    assert shown.group(1) == expected, "regenerate it: astro-pyenv-frontend transform -f examples/astro-project/Dockerfile"
