"""Map environment names to interpreter paths using ``ASTRO_PYENV_<name>`` variables."""
from __future__ import annotations

import logging
import os
import re
from typing import Mapping

from astro_pyenv.errors import PyenvInterpreterError, PyenvNotDefinedError, PyenvSettingNameError

ENV_PREFIX = "ASTRO_PYENV_"
# ASTRO_PYENV_ names in capitals are astro-pyenv's settings (ASTRO_PYENV_PIP_VERSION, the build id,
# ...), never an environment: the frontend refuses PYENV names whose variable would be one.  The
# frontend holds the same rule (astro_pyenv_frontend.layout.SETTING_SUFFIX); a unit test ties them.
SETTING_SUFFIX = re.compile(r"[A-Z][A-Z0-9_]*\Z")


def is_setting(key: str) -> bool:
    """Whether the variable ``key`` is one of astro-pyenv's settings' (see SETTING_SUFFIX)."""
    return key.startswith(ENV_PREFIX) and SETTING_SUFFIX.match(key[len(ENV_PREFIX):]) is not None


def is_environment_variable(key: str) -> bool:
    """Whether the variable ``key`` names an environment: ``ASTRO_PYENV_<suffix>``, not a setting."""
    return key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX) and not is_setting(key)


# Where an image built with PYENV keeps environment <name> (astro_pyenv_frontend.layout.VENV_ROOT).
IMAGE_VENVS = "/opt/astro-pyenv/venvs"

_log = logging.getLogger(__name__)


def variable_name(name: str) -> str:
    """Return the environment variable that holds the interpreter of ``name``.

    A ``-`` in the name becomes ``_``: variable names with ``-`` are dropped by dash and are
    not valid in any POSIX shell, so the frontend sets ``ASTRO_PYENV_my_env`` for ``my-env``.
    """
    return ENV_PREFIX + name.replace("-", "_")


def _name_of(suffix: str, path: str) -> str:
    """The name as written on the PYENV line: the venv directory's name when it maps to ``suffix``."""
    parts = path.replace("\\", "/").split("/")
    if len(parts) >= 3 and parts[-2] == "bin":
        written = parts[-3]
        if written.replace("-", "_") == suffix:
            return written
    return suffix


def list_environments(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return ``{name: interpreter path}`` for every environment variable (``ASTRO_PYENV_*``, not
    a setting: :func:`is_environment_variable`), sorted by name.

    Names are as written on the PYENV lines (``my-env``, whose variable is ``ASTRO_PYENV_my_env``).
    The paths are returned as set; they are not checked here.
    """
    env = os.environ if environ is None else environ
    found = {
        _name_of(key[len(ENV_PREFIX):], value): value for key, value in env.items() if is_environment_variable(key)
    }
    return {name: found[name] for name in sorted(found)}


def environment_names(environ: Mapping[str, str] | None = None) -> list[str]:
    return list(list_environments(environ))


def interpreter_problem(path: str) -> str | None:
    """Say why ``path`` is not an absolute path to an executable file, or None if it is."""
    if not path:
        return "is empty"
    if not os.path.isabs(path):
        return "is not an absolute path"
    if not os.path.exists(path):
        return "does not exist"
    if not os.path.isfile(path):
        return "is not a file"
    if not os.access(path, os.X_OK):
        return "is not executable"
    return None


def resolve_python(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Return the interpreter path of environment ``name``.

    Raises PyenvNotDefinedError when the variable is unset and PyenvInterpreterError when it
    does not point to an executable file; both are LookupErrors.
    """
    env = os.environ if environ is None else environ
    variable = variable_name(name)
    if is_setting(variable):
        raise PyenvSettingNameError(name, variable, environment_names(env))
    path = env.get(variable)
    if path is None and ENV_PREFIX + name in env:
        # Images built before names were mapped carry the variable as written.
        variable = ENV_PREFIX + name
        path = env[variable]
    if path is None:
        raise PyenvNotDefinedError(name, variable, environment_names(env))
    problem = interpreter_problem(path)
    if problem == "does not exist":
        own = image_python(name)
        if own != path and interpreter_problem(own) is None:
            # The Astro CLI hands the project's .env to containers too: a variable written there for
            # standalone mode (astro-pyenv-frontend standalone) names a path of the host, and hides
            # the image's own ENV, which is this path.
            _log.warning(
                "%s=%s does not exist here; using this image's own environment %r at %s (a .env written for"
                " Astro's standalone mode also reaches containers)",
                variable,
                path,
                name,
                own,
            )
            return own
    if problem is not None:
        raise PyenvInterpreterError(name, variable, path, problem, environment_names(env))
    return path


def image_python(name: str) -> str:
    """Where an image built with PYENV keeps the interpreter of environment ``name``."""
    return f"{IMAGE_VENVS}/{name}/bin/python"
