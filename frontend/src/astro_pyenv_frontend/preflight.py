"""What ``astro-pyenv-frontend check`` reads besides the Dockerfile, so that it is a preflight.

A build mounts each PYENV line's requirements file from the build context and runs the build
checks (:mod:`.checks`).  ``check`` does the part that needs no engine: each requirements file
must be a readable file in the context (a missing one fails the build's mount, a directory its
``pip install -r``), and the rules that read only those files run with the build's ``# check=``
settings.  :func:`.checks.same_as_base_python` needs the base image's config, which only a
build (or ``docker buildx build --check``) reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import checks
from .contract import PyenvUse
from .errors import DockerfileError

__all__ = ["Preflight", "preflight"]


@dataclass(frozen=True)
class Preflight:
    """``errors`` fail the build; ``findings`` are its enabled check warnings; ``config`` their settings."""

    errors: tuple[DockerfileError, ...]
    findings: tuple[checks.Finding, ...]
    config: checks.CheckConfig


def msg_missing(path: str, context: Path) -> str:
    return f"<requirements-file> {path!r} is not in the build context {context}"


def msg_directory(path: str) -> str:
    return f"<requirements-file> {path!r} is a directory in the build context; name a requirements file"


def msg_unreadable(path: str, reason: str) -> str:
    return f"<requirements-file> {path!r} cannot be read: {reason}"


def _read(path: str, context: Path) -> str | DockerfileError:
    """The text of requirements file ``path`` in ``context``, or why a build could not use it (the
    error's line is filled in by the caller)."""
    full = context / path
    if not full.exists():
        return DockerfileError(msg_missing(path, context), 0)
    if full.is_dir():
        return DockerfileError(msg_directory(path), 0)
    try:
        return full.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        return DockerfileError(msg_unreadable(path, exc.strerror or str(exc)), 0)


def preflight(
    environments: Iterable[PyenvUse], context: Path, directive: str | None, build_args: Mapping[str, str]
) -> Preflight:
    """Read every requirements file of ``environments`` from ``context`` and run the rules.

    Raises :class:`.checks.CheckConfigError` for a bad ``# check=`` value or build arg.
    """
    config = checks.check_config(directive, build_args)
    read: dict[str, str | DockerfileError] = {}
    errors: list[DockerfileError] = []
    found: list[checks.Finding] = []
    for use in environments:
        if use.requirements is None:
            continue
        if use.requirements not in read:
            read[use.requirements] = _read(use.requirements, context)
        text = read[use.requirements]
        if isinstance(text, DockerfileError):
            errors.append(DockerfileError(text.message, use.line, use.end_line))
            continue
        finding = checks.requirements_finding(use, text)
        if finding is not None:
            found.append(finding)
    return Preflight(tuple(errors), tuple(checks.enabled_findings(found, config)), config)
