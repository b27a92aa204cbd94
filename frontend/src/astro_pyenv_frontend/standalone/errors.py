"""The one error of the standalone command: a problem at a line of the user's Dockerfile."""

from __future__ import annotations

from ..errors import DockerfileError

__all__ = ["HostError"]


class HostError(DockerfileError):
    """An environment of the Dockerfile cannot be made on this machine; ``line`` is its PYENV line."""
