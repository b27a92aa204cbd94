"""``astro-pyenv-frontend standalone``: the Dockerfile's environments on this machine.

In order: read the Dockerfile's environments (:mod:`.project`), then per interpreter version
the image or the named interpreter (:mod:`.interpreters`), then per environment its venv
(:mod:`.venvs`), each only when what it is made from changed (:mod:`.state`); then remove what
the Dockerfile no longer has, and write the ``.env`` block (:mod:`.dotenv`).  Errors name the
Dockerfile line (``Dockerfile:LINE: message``), as a build's do.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog_source import offer_for
from ..contract import PyenvUse
from ..layout import environment_variable
from ..oci.client import RegistryClient
from .dotenv import updated_dotenv
from .errors import HostError
from .interpreters import choose_interpreter, install, python_in
from .project import Project, read_project
from .state import State, load_state, save_state
from .venvs import VenvSpec, airflow_task_sdk, make_venv

__all__ = ["Settings", "materialise"]

Say = Callable[[str], None]


@dataclass(frozen=True)
class Settings:
    dockerfile: Path
    build_args: Mapping[str, str] = field(default_factory=dict)
    frontend_image: str | None = None
    catalog: str | None = None
    root: Path | None = None  # default: <project>/.venv/astro-pyenv
    env_file: Path | None = None  # default: <project>/.env
    pythons: Mapping[str, Path] = field(default_factory=dict)  # --python VERSION=PATH
    airflow_python: Path | None = None  # default: <project>/.venv/bin/python


def materialise(settings: Settings, say: Say, client: RegistryClient | None = None) -> None:
    """Make the environments of ``settings.dockerfile`` on this machine (see the module docstring)."""
    registry = client or RegistryClient()
    project = read_project(
        settings.dockerfile,
        settings.build_args,
        settings.frontend_image,
        lambda image: offer_for(image, settings.catalog, registry),
    )
    root = (settings.root or project.context / ".venv" / "astro-pyenv").resolve()
    root.mkdir(parents=True, exist_ok=True)
    state = load_state(root)
    pythons = _interpreters(project, settings, root, state, say, registry)
    _venvs(project, settings, root, pythons, state, say)
    _remove_unused(root, project, state, say)
    save_state(root, state)
    _write_dotenv(settings, project, root, say)


def _interpreters(
    project: Project, settings: Settings, root: Path, state: State, say: Say, registry: RegistryClient
) -> dict[str, tuple[str, Path]]:
    """Per version: its key and its ``python``, fetched when it changed."""
    found: dict[str, tuple[str, Path]] = {}
    for use in project.environments:
        if use.version in found:
            continue
        chosen = choose_interpreter(
            use.version,
            use.line,
            project.offer,
            named=settings.pythons.get(use.version),
            repository_setting=project.prebuilt_setting,
            custom_build=project.custom_build_settings,
        )
        say(f"astro-pyenv: {chosen.reason} (line {use.line})")
        target = root / "python" / use.version
        python = chosen.python or python_in(target, use.version)
        if chosen.image is not None and (state.interpreters.get(use.version) != chosen.key or not python.is_file()):
            state.interpreters.pop(use.version, None)
            save_state(root, state)
            say(f"astro-pyenv: CPython {use.version}: " + install(chosen, use.line, target, registry))
        state.interpreters[use.version] = chosen.key
        save_state(root, state)
        found[use.version] = (chosen.key, python)
    return found


def _venvs(
    project: Project, settings: Settings, root: Path, pythons: Mapping[str, tuple[str, Path]], state: State, say: Say
) -> None:
    airflow = settings.airflow_python or project.context / ".venv" / "bin" / "python"
    for use in project.environments:
        spec = _spec(project, use, pythons[use.version], airflow, say)
        venv_python = root / "venvs" / use.name / "bin" / "python"
        if state.environments.get(use.name) == spec.key and venv_python.exists():
            say(f"astro-pyenv: venv {use.name} (line {use.line}): unchanged")
            continue
        state.environments.pop(use.name, None)
        save_state(root, state)
        made = make_venv(spec, root / "venvs")
        state.environments[use.name] = spec.key
        save_state(root, state)
        say(f"astro-pyenv: venv {use.name} (line {use.line}): made; {made}")


def _spec(project: Project, use: PyenvUse, interpreter: tuple[str, Path], airflow: Path, say: Say) -> VenvSpec:
    requirements = project.context / use.requirements if use.requirements else None
    if requirements is not None and not requirements.is_file():
        raise HostError(f"PYENV {use.name}: {use.requirements} does not exist in {project.context}", use.line)
    found = ""
    if use.task_sdk == "auto":
        found = airflow_task_sdk(airflow)
        if not airflow.exists():
            say(
                f"astro-pyenv: warning: venv {use.name} (line {use.line}): --task-sdk=auto reads the task SDK of the"
                f" Airflow at {airflow}, which does not exist yet (standalone mode makes it at its first start);"
                " the venv gets none: run this again after `astro dev start --standalone`, or name it with"
                " --airflow-python"
            )
    if use.installer == "uv":
        say(
            f"astro-pyenv: warning: venv {use.name} (line {use.line}): installed with pip: standalone mode"
            " has no uv (the frontend image's uv serves image builds only)"
        )
    key, python = interpreter
    includes = tuple(project.context / path for path in use.includes)
    airflow_python = airflow if airflow.exists() else None
    return VenvSpec(use, python, key, requirements, project.pip_settings, airflow_python, found, includes)


def _remove_unused(root: Path, project: Project, state: State, say: Say) -> None:
    """What the Dockerfile no longer has: its venvs, and prebuilt interpreters no venv uses."""
    names = {use.name for use in project.environments}
    versions = {use.version for use in project.environments}
    for kind, wanted, recorded in (("venvs", names, state.environments), ("python", versions, state.interpreters)):
        directory = root / kind
        for path in sorted(directory.iterdir()) if directory.is_dir() else ():
            if path.name in wanted or path.name.startswith("."):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            say(f"astro-pyenv: removed {path} (no longer in {project.dockerfile.name})")
        for name in [name for name in recorded if name not in wanted]:
            del recorded[name]


def _write_dotenv(settings: Settings, project: Project, root: Path, say: Say) -> None:
    path = settings.env_file or project.context / ".env"
    venvs = root / "venvs"
    variables = {environment_variable(u.name): str(venvs / u.name / "bin" / "python") for u in project.environments}
    first = project.environments[0].line if project.environments else 1
    try:
        text = path.read_bytes().decode("utf-8", "surrogateescape") if path.exists() else ""
    except OSError as exc:
        raise HostError(f"cannot read {path}: {exc.strerror}", first) from None
    updated = updated_dotenv(text, variables, first)
    if updated == text:
        say(f"astro-pyenv: {path}: unchanged")
        return
    path.write_bytes(updated.encode("utf-8", "surrogateescape"))
    say(f"astro-pyenv: {path}: " + ", ".join(variables) if variables else f"astro-pyenv: {path}: block removed")
