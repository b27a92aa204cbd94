"""Errors raised when a PYENV environment cannot be used."""
from __future__ import annotations

from typing import Sequence

DOCKERFILE_HINT = "PYENV <python-version> {name} [<requirements-file>]"


class PyenvError(LookupError):
    """Base class: a PYENV environment could not be resolved or used."""


def _known(available: Sequence[str]) -> str:
    if not available:
        return "This image defines no PYENV environments (no ASTRO_PYENV_* variables are set)."
    return "Environments defined in this image: " + ", ".join(available) + "."


class PyenvNotDefinedError(PyenvError):
    """No ``ASTRO_PYENV_<name>`` variable is set for the requested name."""

    def __init__(self, name: str, variable: str, available: Sequence[str]) -> None:
        self.name = name
        self.variable = variable
        self.available = list(available)
        super().__init__(
            f"Python environment {name!r} is not defined: environment variable {variable} is not set. "
            f"{_known(self.available)} "
            f"To create it, add this line to your Dockerfile and rebuild the image: "
            f"{DOCKERFILE_HINT.format(name=name)}"
            " (in Astro's standalone mode, also run `astro-pyenv-frontend standalone` in the project)"
        )

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class PyenvSettingNameError(PyenvNotDefinedError):
    """The name's variable is one of astro-pyenv's settings (``ASTRO_PYENV_<NAME IN CAPITALS>``),
    never an environment's."""

    def __init__(self, name: str, variable: str, available: Sequence[str]) -> None:
        self.name = name
        self.variable = variable
        self.available = list(available)
        PyenvError.__init__(
            self,
            f"{name!r} cannot name a Python environment: {variable} is in the space of astro-pyenv's "
            f"settings (ASTRO_PYENV_ names in capitals, such as ASTRO_PYENV_PIP_VERSION), so PYENV refuses "
            f"it as a name. {_known(self.available)} Use a name with a lower-case letter, such as "
            f"{name.lower()!r}.",
        )


class PyenvInterpreterError(PyenvError):
    """The variable is set but does not point to a usable interpreter."""

    def __init__(self, name: str, variable: str, path: str, reason: str, available: Sequence[str]) -> None:
        self.name = name
        self.variable = variable
        self.path = path
        self.reason = reason
        self.available = list(available)
        super().__init__(
            f"Python environment {name!r} is broken: {variable}={path!r} {reason}. "
            f"{_known(self.available)} "
            f"{variable} must be the absolute path of the venv's python, as set by the Dockerfile line "
            f"{DOCKERFILE_HINT.format(name=name)}; rebuild the image or fix the variable."
        )

    def __str__(self) -> str:
        return str(self.args[0])


class AirflowNotInstalledError(ImportError):
    """The Airflow integration was used in an interpreter without Apache Airflow."""
