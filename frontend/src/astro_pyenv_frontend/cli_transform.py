"""The command line's reading of a Dockerfile: the file, the frontend image, the transform.

Errors in the Dockerfile print as ``Dockerfile:LINE: message`` and exit 1; warnings print as
``Dockerfile:LINE: warning: message`` on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .contract import Engine, TransformResult
from .errors import DockerfileError
from .prebuilt import Offer
from .syntax_directive import DockerfileFrontend

if TYPE_CHECKING:
    from .transform import TransformOptions


def _parse_build_args(values: Sequence[str]) -> dict[str, str]:
    args: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition("=")
        if not name or not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint="--build-arg")
        args[name] = content
    return args


@dataclass(frozen=True)
class Transformed:
    dockerfile: str  # the plain Dockerfile
    dockerfile_frontend: DockerfileFrontend | None  # what # astro-pyenv-syntax / ASTRO_PYENV_SYNTAX names
    result: TransformResult
    check_directive: str | None  # the file's # check= value
    build_args: dict[str, str]
    offer: Offer | None = None  # the prebuilt catalog read (--engine=buildah), if one was asked for


def run(
    dockerfile: str,
    build_args: Sequence[str],
    frontend_image: str | None,
    pyenv_root: Path | None,
    engine: Engine = "buildkit",
    catalog: str | None = None,
    *,
    as_built: bool = False,
    context: Path | None = None,
) -> Transformed:
    """Transform the file; exit 1 on a Dockerfile error.

    The frontend image is ``--frontend-image``, else the one ``# syntax=`` (or the build arg
    BUILDKIT_SYNTAX, which wins in BuildKit too) names: then, and with ``as_built`` (``check``:
    the file as docker build reads it), a syntax naming BuildKit's Dockerfile frontend with PYENV
    lines in the file is an error at the first of them, which such a build could not read.
    Requirements files' includes are read from ``context`` (default: the Dockerfile's directory).
    """
    from .lexer import lex
    from .syntax_directive import choose as choose_dockerfile_frontend
    from .syntax_directive import msg_pyenv_unknown_to, names_dockerfile_frontend
    from .transform import TransformOptions

    text = _read(dockerfile)
    if frontend_image is not None and not _is_image_reference(frontend_image):
        raise click.BadParameter(f"{frontend_image!r} is not an image reference", param_hint="--frontend-image")
    lexed = lex(text)
    args = _parse_build_args(build_args)
    syntax, origin = _syntax(args, lexed.directives.syntax, lexed.syntax_line)
    image = _frontend_image(dockerfile, frontend_image, syntax)
    options = TransformOptions(
        frontend_image=image,
        build_args=args,
        known_versions=_known_versions(pyenv_root),
        preferred_versions=_catalog_versions(),
        engine=engine,
    )
    try:
        chosen = choose_dockerfile_frontend(text.encode("utf-8", "surrogateescape"), options.build_args)
        result, offer = _transform(text, options, catalog, context or Path(dockerfile).resolve().parent)
    except DockerfileError as exc:
        click.echo(f"{dockerfile}:{exc.line}: {exc.message}", err=True)
        sys.exit(1)
    if result.changed and syntax and names_dockerfile_frontend(syntax) and (as_built or frontend_image is None):
        click.echo(f"{dockerfile}:{result.environments[0].line}: {msg_pyenv_unknown_to(origin)}", err=True)
        sys.exit(1)
    for warning in result.warnings:
        click.echo(f"{dockerfile}:{warning.line}: warning: {warning.message}", err=True)
    return Transformed(result.dockerfile, chosen, result, lexed.directives.check, args, offer)


def _read(dockerfile: str) -> str:
    try:
        return Path(dockerfile).read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise click.ClickException(f"cannot read {dockerfile}: {exc.strerror}") from None


def _syntax(args: dict[str, str], directive: str | None, line: int | None) -> tuple[str | None, str]:
    """The frontend syntax the build would use (the build arg wins), and where it is named."""
    from .syntax_directive import BUILDKIT_SYNTAX_ARG
    from .word_cursor import strip_space

    syntax = strip_space(args.get(BUILDKIT_SYNTAX_ARG, "")) or directive
    if syntax and strip_space(args.get(BUILDKIT_SYNTAX_ARG, "")):
        return syntax, f"the build arg {BUILDKIT_SYNTAX_ARG}={syntax}"
    return syntax, f"# syntax={syntax} (line {line})"


def _frontend_image(dockerfile: str, frontend_image: str | None, syntax: str | None) -> str:
    from .syntax_directive import syntax_ref

    image = frontend_image or (syntax_ref(syntax) if syntax else "")
    if not image:
        raise click.UsageError(
            f"{dockerfile} has no '# syntax=<frontend image>' line; pass --frontend-image to say which image"
            " provides pyenv"
        )
    return image


def _known_versions(pyenv_root: Path | None) -> tuple[str, ...] | None:
    if pyenv_root is None:
        return None
    from .versions import load_known_versions

    return load_known_versions(pyenv_root)


def _transform(
    text: str, options: TransformOptions, catalog: str | None, context: Path
) -> tuple[TransformResult, Offer | None]:
    """The transform; once more with what the requirements files include (read from ``context``,
    the Dockerfile's directory, as the Astro CLI builds), and for Buildah with the prebuilt
    catalog, where it can matter: prebuilt is not off and an interpreter is needed."""
    from .requirements_includes import from_directory
    from .transform import transform

    result = transform(text, options)
    includes = from_directory(context, [use.requirements for use in result.environments if use.requirements])
    if any(includes.values()):
        options = replace(options, requirements_includes=includes)
        result = transform(text, options)
    if options.engine == "buildah" and result.interpreters and result.prebuilt_setting is not None:
        offer = _offer(options.frontend_image, catalog)
        options = replace(options, preferred_versions=offer.versions, prebuilt_offer=offer)
        return transform(text, options), offer
    return result, None


def _is_image_reference(value: str) -> bool:
    """One word fit for a FROM line: no whitespace or control character, no leading '-'."""
    return bool(value) and not value.startswith("-") and all(ch.isprintable() and not ch.isspace() for ch in value)


def _catalog_versions() -> tuple[str, ...]:
    """The versions of the prebuilt catalog this frontend has (in its image), as the gateway
    reads them, so that both resolve a PYENV prefix alike."""
    from .prebuilt import CatalogError, catalog_versions, load_catalog

    try:
        return catalog_versions(load_catalog())
    except (OSError, CatalogError) as err:
        click.echo(f"warning: prebuilt catalog unreadable: {err}", err=True)
        return ()


def _offer(image: str, catalog: str | None) -> Offer:
    """The prebuilt catalog a build with ``image`` would use (:mod:`.catalog_source`)."""
    from .catalog_source import offer_for

    offer = offer_for(image, catalog)
    if offer.catalog is None:
        click.echo(f"warning: every interpreter is compiled: {offer.problem}", err=True)
    return offer
