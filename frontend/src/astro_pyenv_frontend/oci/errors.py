"""The errors of :mod:`astro_pyenv_frontend.oci` (the tree is in the package docstring)."""

from __future__ import annotations

from ..errors import FrontendError


class RegistryError(FrontendError):
    """A registry did not serve what was asked, or served bytes other than their digest says."""


class ExtractError(RegistryError):
    """A layer holds an entry this tool refuses to write (a path outside the target, a device)."""
