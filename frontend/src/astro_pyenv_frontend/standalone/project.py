"""The PYENV environments of a Dockerfile, read with the planner a build uses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..contract import PyenvUse, TransformOptions, TransformResult
from ..instructions import setting_value
from ..lexer import lex
from ..prebuilt import Offer
from ..render import PIP_ARGS
from ..requirements_includes import from_directory
from ..transform import transform
from .errors import HostError

__all__ = ["Project", "read_project"]


@dataclass(frozen=True)
class Project:
    dockerfile: Path
    context: Path  # the build context: requirements files are relative to it
    environments: tuple[PyenvUse, ...]
    prebuilt_setting: str | None  # ASTRO_PYENV_PREBUILT: None is off
    custom_build_settings: tuple[str, ...]
    pip_settings: Mapping[str, str]  # the pip build args a venv step would get, non-empty
    offer: Offer | None  # the catalog, when one was needed


def read_project(
    dockerfile: Path, build_args: Mapping[str, str], frontend_image: str | None, offer: Callable[[str], Offer]
) -> Project:
    """Read ``dockerfile``'s environments; ``offer`` reads the catalog of a frontend image, asked
    only when an interpreter is needed and prebuilt ones are not off."""
    try:
        text = dockerfile.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise HostError(f"cannot read {dockerfile}: {exc.strerror}", 1) from None
    image = frontend_image or lex(text).directives.syntax or ""
    options = TransformOptions(frontend_image=image or "none", build_args=build_args)
    result = transform(text, options)
    # What the requirements files include: their content is part of each venv's key, and an
    # include outside the project is the line's error, as in a build.
    paths = [use.requirements for use in result.environments if use.requirements]
    options = replace(options, requirements_includes=from_directory(dockerfile.resolve().parent, paths))
    result = transform(text, options)
    read_offer = None
    if result.environments and result.prebuilt_setting is not None:
        read_offer = offer(image)
        result = transform(text, replace(options, preferred_versions=read_offer.versions))
    _one_environment_per_name(result)
    global_args = dict(result.global_args)
    pip = {name: setting_value(name, build_args, global_args) for name in PIP_ARGS}
    return Project(
        dockerfile=dockerfile,
        context=dockerfile.resolve().parent,
        environments=result.environments,
        prebuilt_setting=result.prebuilt_setting,
        custom_build_settings=result.custom_build_settings,
        pip_settings={name: value for name, value in pip.items() if value},
        offer=read_offer,
    )


def _one_environment_per_name(result: TransformResult) -> None:
    """A host has one ``ASTRO_PYENV_<name>``; an image only the environments of its stage."""
    seen: dict[str, PyenvUse] = {}
    for use in result.environments:
        variable = use.name.replace("-", "_")
        earlier = seen.get(variable)
        if earlier is not None:
            raise HostError(
                f"PYENV {use.name!r} and {earlier.name!r} (line {earlier.line}) are in different stages; on this"
                " machine there is one environment per name: rename one, or keep one stage's PYENV lines",
                use.line,
                use.end_line,
            )
        seen[variable] = use
