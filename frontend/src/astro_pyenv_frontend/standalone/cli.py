"""The ``standalone`` command's options (registered on the main command group in ..cli)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import layout

__all__ = ["standalone"]


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition("=")
        if not name or not sep or not content:
            form = "VERSION=PATH" if option == "--python" else "NAME=VALUE"
            raise click.BadParameter(f"expected {form}, got {value!r}", param_hint=option)
        found[name] = content
    return found


@click.command()
@click.option("-f", "--file", "dockerfile", default="Dockerfile", show_default=True, help="The project's Dockerfile.")
@click.option(
    "--build-arg", "build_args", multiple=True, metavar="NAME=VALUE", help="A build argument, as for docker build."
)
@click.option(
    "--frontend-image",
    default=None,
    metavar="REF",
    help="The frontend image whose catalog to use (default: the '# syntax=' line).",
)
@click.option(
    "--catalog",
    default=None,
    metavar="PATH",
    help=f"The prebuilt catalog: a copy of the frontend image's {layout.PREBUILT_DIR}/ (or its"
    " catalog.json), instead of reading it from the image's registry.",
)
@click.option(
    "--python",
    "pythons",
    multiple=True,
    metavar="VERSION=PATH",
    help="Use this interpreter for CPython VERSION, where no prebuilt one serves this machine (it must"
    " be that version).",
)
@click.option(
    "--root",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the interpreters and venvs go (default: .venv/astro-pyenv in the project).",
)
@click.option(
    "--env-file",
    type=click.Path(path_type=Path),
    default=None,
    help="The env file to write the variables to (default: .env in the project).",
)
@click.option(
    "--airflow-python",
    type=click.Path(path_type=Path),
    default=None,
    help="The Python of the Airflow whose task SDK --task-sdk=auto installs (default: .venv/bin/python in the"
    " project).",
)
def standalone(
    dockerfile: str,
    build_args: tuple[str, ...],
    frontend_image: str | None,
    catalog: str | None,
    pythons: tuple[str, ...],
    root: Path | None,
    env_file: Path | None,
    airflow_python: Path | None,
) -> None:
    """Make the Dockerfile's PYENV environments on this machine, for `astro dev start --standalone`.

    Each interpreter is the prebuilt image a build would use, for this machine, fetched from the
    registry; each venv is made as in a build; ASTRO_PYENV_<name> goes into a block of the
    project's .env.  Run it again after changing the Dockerfile or a requirements file: it
    changes only what they changed.
    """
    from ..errors import DockerfileError
    from .command import Settings, materialise

    settings = Settings(
        dockerfile=Path(dockerfile),
        build_args=_pairs(build_args, "--build-arg"),
        frontend_image=frontend_image,
        catalog=catalog,
        root=root,
        env_file=env_file,
        pythons={version: Path(path) for version, path in _pairs(pythons, "--python").items()},
        airflow_python=airflow_python,
    )
    try:
        materialise(settings, say=lambda line: click.echo(line, err=True))
    except DockerfileError as exc:
        click.echo(f"{dockerfile}:{exc.line}: {exc.message}", err=True)
        sys.exit(1)
