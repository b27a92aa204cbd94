"""Command line: print the plain Dockerfile a PYENV Dockerfile becomes, or validate it.

``transform`` lets users read what will run, or build with tools that cannot
run BuildKit frontends (Podman, Buildah): ``transform -f Dockerfile.pyenv -o Dockerfile
--engine=buildah`` writes the generated file, and ``--check`` fails when that file is stale.
Errors print as ``Dockerfile:LINE: message`` and exit 1; warnings print as
``Dockerfile:LINE: warning: message`` on stderr.
"""

from __future__ import annotations

import difflib
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from . import __version__, layout
from .cli_transform import run as run_transform
from .contract import ENGINES, Engine
from .syntax_directive import DockerfileFrontend

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


_catalog_option = click.option(
    "--catalog",
    default=None,
    metavar="PATH",
    help=f"For --engine=buildah: the prebuilt catalog, a copy of the frontend image's {layout.PREBUILT_DIR}/"
    " (or its catalog.json), instead of reading it from the image's registry.",
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
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="buildkit",
    show_default=True,
    help="What builds the output: buildkit (docker build) or buildah (podman build, buildah build).",
)
@click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE",
    help="Write the generated Dockerfile here, with a header saying how to regenerate it.",
)
@click.option("--check", is_flag=True, help="With -o: write nothing, exit 1 if FILE is not what -f gives now.")
@_catalog_option
def transform(
    dockerfile: str,
    build_args: tuple[str, ...],
    frontend_image: str | None,
    pyenv_root: Path | None,
    engine: Engine,
    output: str | None,
    check: bool,
    catalog: str | None,
) -> None:
    """Print the plain Dockerfile, or write it to a file (-o) or check that file (--check).

    With --engine=buildah, interpreters come prebuilt from the frontend image's catalog where it
    has them (read from its registry, or from --catalog); the file says which, line by line.
    """
    if catalog is not None and engine != "buildah":
        raise click.UsageError("--catalog is for --engine=buildah: BuildKit builds read the frontend image's catalog")
    if output is None:
        if check:
            raise click.UsageError("--check compares with the file -o names; pass -o FILE")
        transformed = run_transform(dockerfile, build_args, frontend_image, pyenv_root, engine, catalog)
        click.echo(transformed.dockerfile, nl=False)
        return
    if Path(output).resolve() == Path(dockerfile).resolve():
        raise click.UsageError(f"-o {output} is the file -f reads; write the generated Dockerfile to another file")
    from .generated import generated_dockerfile

    transformed = run_transform(dockerfile, build_args, frontend_image, pyenv_root, engine, catalog)
    syntax = _generated_syntax(dockerfile, transformed.dockerfile_frontend, engine)
    options = (build_args, frontend_image, pyenv_root, engine, catalog)
    # The header names paths from the output's directory, so it reads the same whatever the cwd.
    in_header = _regenerate_command(dockerfile, output, *options, relative=True)
    text = generated_dockerfile(
        transformed.dockerfile, source=_relative_to(dockerfile, output), command=in_header, syntax=syntax
    )
    command = _regenerate_command(dockerfile, output, *options)
    if check:
        if transformed.offer is not None and transformed.offer.unreachable:
            click.echo(f"cannot check {output}: {transformed.offer.problem}", err=True)
            sys.exit(2)
        _check_current(Path(output), text, dockerfile, command)
        return
    try:
        Path(output).write_bytes(text.encode("utf-8", "surrogateescape"))
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"{output}: written from {dockerfile}", err=True)


def _generated_syntax(dockerfile: str, chosen: DockerfileFrontend | None, engine: Engine) -> str | None:
    """The ``# syntax=`` of the generated file: the Dockerfile frontend the user named for the
    generated Dockerfile, when BuildKit builds it; Buildah runs no frontend, which is said."""
    if chosen is None:
        return None
    if engine == "buildah":
        where = f"{dockerfile}:{chosen.line}" if chosen.line is not None else dockerfile
        click.echo(
            f"{where}: warning: Buildah and Podman run no Dockerfile frontend: {chosen.origin} is not used"
            " in the generated Dockerfile",
            err=True,
        )
        return None
    return chosen.cmdline


def _check_current(path: Path, expected: str, dockerfile: str, command: str) -> None:
    """Exit 1, naming both files and the command that fixes it, when ``path`` is not ``expected``."""
    try:
        current = path.read_bytes().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        click.echo(f"{path} does not exist; write it from {dockerfile} with: {command}", err=True)
        sys.exit(1)
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    if current == expected:
        click.echo(f"{path}: up to date with {dockerfile}", err=True)
        return
    click.echo(f"{path} is stale: it is not what {dockerfile} gives now; regenerate it with: {command}", err=True)
    from .lexer import dockerfile_lines

    diff = difflib.unified_diff(
        dockerfile_lines(current),
        dockerfile_lines(expected),
        fromfile=f"{path} (as it is)",
        tofile=f"{path} (from {dockerfile})",
    )
    click.echo("".join(diff), err=True, nl=False)
    sys.exit(1)


def _relative_to(path: str, output: str) -> str:
    """``path`` as seen from the directory of ``output`` (the header then reads the same from anywhere)."""
    return os.path.relpath(os.path.abspath(path), os.path.dirname(os.path.abspath(output)))


def _regenerate_command(
    dockerfile: str,
    output: str,
    build_args: Sequence[str],
    frontend_image: str | None,
    pyenv_root: Path | None,
    engine: Engine,
    catalog: str | None = None,
    *,
    relative: bool = False,
) -> str:
    """The ``transform`` command that writes ``output`` again (run in the output's directory if ``relative``)."""
    source, target = (_relative_to(dockerfile, output), os.path.basename(output)) if relative else (dockerfile, output)
    words = ["astro-pyenv-frontend", "transform", "-f", source, "-o", target]
    if engine != "buildkit":
        words.append(f"--engine={engine}")
    if frontend_image is not None:
        words.append(f"--frontend-image={frontend_image}")
    words.extend(f"--build-arg={value}" for value in build_args)
    if pyenv_root is not None:
        words.append(f"--pyenv-root={pyenv_root}")
    if catalog is not None:
        words.append(f"--catalog={_relative_to(catalog, output) if relative else catalog}")
    return shlex.join(words)


@main.command()
@_dockerfile_option
@_build_arg_option
@_image_option
@_pyenv_option
@click.option(
    "--context",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="The build context requirements files are read from (default: the Dockerfile's directory).",
)
def check(
    dockerfile: str,
    build_args: tuple[str, ...],
    frontend_image: str | None,
    pyenv_root: Path | None,
    context: Path | None,
) -> None:
    """Check what a build would check before it starts: the PYENV lines, each requirements file in
    the build context, and the build checks that need no engine (# check= applies)."""
    from . import checks
    from .preflight import preflight

    context_dir = context if context is not None else Path(dockerfile).parent
    transformed = run_transform(dockerfile, build_args, frontend_image, pyenv_root, as_built=True, context=context_dir)
    try:
        found = preflight(
            transformed.result.environments, context_dir, transformed.check_directive, transformed.build_args
        )
    except checks.CheckConfigError as exc:
        source = checks.CHECK_BUILD_ARG if checks.CHECK_BUILD_ARG in transformed.build_args else "# check="
        click.echo(f"{dockerfile}: failed to parse {source}: {exc}", err=True)
        sys.exit(1)
    for error in found.errors:
        click.echo(f"{dockerfile}:{error.line}: {error.message}", err=True)
    for finding in found.findings:
        click.echo(f"{dockerfile}:{finding.line}: warning: {finding.rule.name}: {finding.message}", err=True)
    if found.errors:
        sys.exit(1)
    if found.config.error and found.findings:
        click.echo(f"{dockerfile}: {checks.violation_message(found.findings)}", err=True)
        sys.exit(1)
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
@click.option(
    "--build-arch",
    default=None,
    metavar="ARCH",
    help="The engine's architecture, where every stage runs (default: this machine's).",
)
@click.option(
    "--target-arch",
    "target_archs",
    multiple=True,
    metavar="ARCH",
    help="An architecture the image is built for; one other than --build-arch is cross-compiled.",
)
@_pyenv_option
def interpreter_dockerfile(
    version: str,
    base_image: str,
    frontend_image: str,
    build_arch: str | None,
    target_archs: tuple[str, ...],
    pyenv_root: Path | None,
) -> None:
    """Print the Dockerfile of a prebuilt interpreter image (make interpreters).

    The same tools and interpreter stages a PYENV line generates, a cross-compiling stage for
    each other target architecture, then a FROM scratch stage holding what the interpreter stage
    put in the image (the interpreter, its python3.X link, the venvs directory) with
    org.astro-pyenv.interpreter.* labels from build args.
    """
    import platform

    from .interpreter_image import interpreter_dockerfile as render_dockerfile
    from .versions import load_bundled_versions, load_known_versions

    known = load_known_versions(pyenv_root) if pyenv_root is not None else load_bundled_versions()
    try:
        arch = build_arch or {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
        text = render_dockerfile(version, base_image, frontend_image, known, arch, target_archs)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(text, nl=False)


def _add_standalone() -> None:
    from .standalone.cli import standalone

    main.add_command(standalone)


_add_standalone()
