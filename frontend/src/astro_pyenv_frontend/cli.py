"""Command line: print the plain Dockerfile a PYENV Dockerfile becomes, or validate it.

``transform`` lets users read what will run, or build with tools that cannot
run BuildKit frontends (Podman, Buildah).  Errors print as
``Dockerfile:LINE: message`` and exit 1; warnings print as
``Dockerfile:LINE: warning: message`` on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from . import __version__
from .errors import DockerfileError


def _parse_build_args(values: Sequence[str]) -> dict[str, str]:
    args: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition("=")
        if not name or not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint="--build-arg")
        args[name] = content
    return args


def _run(dockerfile: str, build_args: Sequence[str], frontend_image: str | None, pyenv_root: Path | None) -> str:
    """Transform the file and return the plain Dockerfile; exit 1 on a Dockerfile error."""
    from .lexer import lex
    from .syntax_directive import choose as choose_dockerfile_frontend
    from .transform import TransformOptions, transform

    path = Path(dockerfile)
    try:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise click.ClickException(f"cannot read {dockerfile}: {exc.strerror}") from None
    image = frontend_image or lex(text).directives.syntax
    if not image:
        raise click.UsageError(
            f"{dockerfile} has no '# syntax=<frontend image>' line; pass --frontend-image to say which image"
            " provides pyenv"
        )
    known = None
    if pyenv_root is not None:
        from .versions import load_known_versions

        known = load_known_versions(pyenv_root)
    options = TransformOptions(frontend_image=image, build_args=_parse_build_args(build_args), known_versions=known)
    try:
        choose_dockerfile_frontend(text.encode("utf-8", "surrogateescape"), options.build_args)
        result = transform(text, options)
    except DockerfileError as exc:
        click.echo(f"{dockerfile}:{exc.line}: {exc.message}", err=True)
        sys.exit(1)
    for warning in result.warnings:
        click.echo(f"{dockerfile}:{warning.line}: warning: {warning.message}", err=True)
    return result.dockerfile


_dockerfile_option = click.option(
    "-f", "--file", "dockerfile", default="Dockerfile", show_default=True, help="The Dockerfile to read."
)
_build_arg_option = click.option(
    "--build-arg", "build_args", multiple=True, metavar="NAME=VALUE", help="A build argument, as for docker build."
)
_image_option = click.option(
    "--frontend-image",
    default=None,
    metavar="REF",
    help="The frontend image that provides pyenv (default: the '# syntax=' line).",
)
_pyenv_option = click.option(
    "--pyenv-root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Resolve Python versions against this pyenv instead of the bundled list.",
)


@click.group()
# The same words as `astro-pyenv --version`, whatever name the program was started by (the image
# runs it as `python -m astro_pyenv_frontend`).
@click.version_option(__version__, prog_name="astro-pyenv-frontend", message="%(prog)s %(version)s")
def main() -> None:
    """Turn PYENV lines in a Dockerfile into plain Dockerfile stages."""


@main.command()
@_dockerfile_option
@_build_arg_option
@_image_option
@_pyenv_option
def transform(
    dockerfile: str, build_args: tuple[str, ...], frontend_image: str | None, pyenv_root: Path | None
) -> None:
    """Print the plain Dockerfile."""
    click.echo(_run(dockerfile, build_args, frontend_image, pyenv_root), nl=False)


@main.command()
@_dockerfile_option
@_build_arg_option
@_image_option
@_pyenv_option
def check(dockerfile: str, build_args: tuple[str, ...], frontend_image: str | None, pyenv_root: Path | None) -> None:
    """Validate the PYENV lines without printing anything."""
    _run(dockerfile, build_args, frontend_image, pyenv_root)
    click.echo(f"{dockerfile}: ok", err=True)


@main.command("interpreter-dockerfile")
@click.argument("version")
@click.option("--base", "base_image", required=True, metavar="IMAGE", help="The base image to compile on.")
@click.option(
    "--frontend-image",
    default="local/astro-pyenv-frontend:dev",
    show_default=True,
    metavar="REF",
    help="The frontend image whose pyenv and build scripts compile it.",
)
@_pyenv_option
def interpreter_dockerfile(version: str, base_image: str, frontend_image: str, pyenv_root: Path | None) -> None:
    """Print the Dockerfile of a prebuilt interpreter image (make interpreters).

    The same tools and interpreter stages a PYENV line generates, then a FROM scratch stage
    holding /opt/astro-pyenv/ with org.astro-pyenv.interpreter.* labels from build args.
    """
    from .interpreter_image import interpreter_dockerfile as render_dockerfile
    from .versions import load_bundled_versions, load_known_versions

    known = load_known_versions(pyenv_root) if pyenv_root is not None else load_bundled_versions()
    try:
        text = render_dockerfile(version, base_image, frontend_image, known)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(text, nl=False)
