"""Errors raised by the frontend.

Tree::

    FrontendError                 anything the frontend reports to the user
    ├── DockerfileError           the user's Dockerfile is wrong; carries its location
    └── GatewayError              talking to BuildKit failed (transport, capabilities)

A DockerfileError carries the location once, where it is found.  It becomes
BuildKit's source-location detail only in the gateway, and ``Dockerfile:LINE:
message`` only in the CLI.
"""

from __future__ import annotations

from typing import Protocol


class Located(Protocol):
    """Anything that knows its span in the user's Dockerfile (a lexed instruction)."""

    @property
    def start_line(self) -> int: ...

    @property
    def end_line(self) -> int: ...

    @property
    def raw(self) -> str: ...


class FrontendError(Exception):
    """Base class of every error the frontend reports to the user."""


class DockerfileError(FrontendError):
    """A problem in the user's Dockerfile at ``line`` (1-based) .. ``end_line``."""

    def __init__(self, message: str, line: int, end_line: int | None = None, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.end_line = end_line if end_line is not None else line
        self.text = text

    @classmethod
    def at(cls, item: Located, message: str) -> DockerfileError:
        """The error ``message`` at ``item``'s lines: the one way errors get their location."""
        return cls(message, item.start_line, item.end_line, item.raw)

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class GatewayError(FrontendError):
    """BuildKit's gateway API failed or lacks a capability we need."""
