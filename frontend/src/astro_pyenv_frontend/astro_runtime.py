"""Astro Runtime base images and their ONBUILD steps.

Astro Runtime images copy the whole project in ONBUILD steps at FROM time, so
every DAG edit would rebuild every PYENV stage after it.  For a stage with
PYENV lines we use the image's ``-base`` variant (same image without ONBUILD)
and write the equivalent steps ourselves: system packages and requirements
right after FROM, the project copy after the PYENV work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Airflow 2 era images on quay.io, and the Airflow 3 era registry.
_RUNTIME_IMAGE = re.compile(
    r"^(?P<repo>(?:quay\.io/astronomer/astro-runtime|astrocrpublic\.azurecr\.io/runtime))"
    r":(?P<tag>[A-Za-z0-9_.-]+)\Z"
)


@dataclass(frozen=True)
class RuntimeImage:
    image: str
    tag: str
    needs_rewrite: bool

    @property
    def base_image(self) -> str:
        return self.image if not self.needs_rewrite else f"{self.image}-base"


def match(image: str) -> RuntimeImage | None:
    """Recognise an Astro Runtime image reference (already ARG-expanded)."""
    found = _RUNTIME_IMAGE.match(image)
    if found is None:
        return None
    tag = found.group("tag")
    return RuntimeImage(image=image, tag=tag, needs_rewrite=not tag.endswith("-base"))


def base_variant_text(image_text: str) -> str:
    """The image as written, pointing at its ``-base`` variant."""
    return f"{image_text}-base"


def rewrite_from(raw: str, image_text: str) -> str:
    """Replace the image in a FROM line's raw text by its ``-base`` variant."""
    pattern = re.compile(r"(?<=[\s=])" + re.escape(image_text) + r"(?=\s|$)")
    found = pattern.search(raw)
    if found is None:
        return raw
    return raw[: found.start()] + base_variant_text(image_text) + raw[found.end() :]


def base_variant_warning(image: str) -> str | None:
    """What to tell a user whose PYENV stage starts FROM a ``-base`` image (None for others).

    astro-provider-venv wanted ``-base`` and added the project steps itself; here the
    ``-base`` image is taken as written, so the image would lack the project.
    """
    found = match(image)
    if found is None or found.needs_rewrite:
        return None
    full = image[: -len("-base")]
    return (
        f"{image} has no Astro project steps, so this image gets no packages.txt, requirements.txt"
        f" or project files; write FROM {full} and astro-pyenv adds those steps after the PYENV work"
    )
