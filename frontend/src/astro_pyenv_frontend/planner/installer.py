"""Which installer makes a PYENV line's venv: pip or uv.

A line's ``--installer=pip|uv`` flag wins; else the Dockerfile's default, the setting
``ASTRO_PYENV_INSTALLER`` (a build arg, or an ``ARG`` default before the first FROM, as the Astro
CLI passes no build args); else pip.  uv is the pinned binary of the frontend image, mounted into
the venv step (scripts/make-venv.sh, scripts/uv-install.py); it never reaches the user's image.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import DockerfileError, Located
from ..instructions import setting_value
from ..pyenv_instruction import PyenvInstruction
from ..pyenv_values import INSTALLERS
from ..versions import major_minor

__all__ = [
    "DEFAULT_INSTALLER",
    "INSTALLER_ARG",
    "UV_MIN_PYTHON",
    "default_installer",
    "installer_for",
    "line_installer",
    "msg_invalid_setting",
    "msg_uv_too_old",
]

INSTALLER_ARG = "ASTRO_PYENV_INSTALLER"
#: Without a flag or setting.  pip until a benchmark says otherwise (README: why).
DEFAULT_INSTALLER = "pip"
#: The oldest CPython uv installs into (its documented floor).
UV_MIN_PYTHON = (3, 6)


def msg_invalid_setting(value: str) -> str:
    return f"{INSTALLER_ARG}={value!r} is not an installer: use pip or uv"


def msg_uv_too_old(version: str) -> str:
    oldest = ".".join(map(str, UV_MIN_PYTHON))
    return (
        f"--installer=uv cannot install into CPython {version}: uv works with CPython {oldest} and newer;"
        " use --installer=pip for this line"
    )


def default_installer(build_args: Mapping[str, str], global_args: Mapping[str, str]) -> str:
    """The Dockerfile's default installer (pip when unset); ValueError when the setting names none."""
    value = setting_value(INSTALLER_ARG, build_args, global_args)
    if value.lower() not in ("", *INSTALLERS):
        raise ValueError(msg_invalid_setting(value))
    return value.lower() or DEFAULT_INSTALLER


def line_installer(pyenv: PyenvInstruction, default: str, version: str) -> tuple[str, str | None]:
    """The installer of ``pyenv``'s venv on CPython ``version`` (resolved), and why it cannot be
    used there (None when it can)."""
    installer = pyenv.flags.get("installer") or default
    if installer == "uv":
        major, minor = (int(part) for part in major_minor(version).split("."))
        if (major, minor) < UV_MIN_PYTHON:
            return installer, msg_uv_too_old(version)
    return installer, None


def installer_for(
    pyenv: PyenvInstruction, item: Located, version: str, build_args: Mapping[str, str], global_args: Mapping[str, str]
) -> str:
    """The installer of ``pyenv`` (at ``item``) on CPython ``version``; what cannot be is the line's error
    (an ASTRO_PYENV_INSTALLER that names none is so at the first PYENV line)."""
    try:
        default = default_installer(build_args, global_args)
    except ValueError as exc:
        raise DockerfileError.at(item, str(exc)) from None
    installer, problem = line_installer(pyenv, default, version)
    if problem is not None:
        raise DockerfileError.at(item, problem)
    return installer
