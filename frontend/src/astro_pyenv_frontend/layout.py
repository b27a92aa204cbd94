"""The image contract: where PYENV puts things and what generated Dockerfiles call them.

Defined once here and handed to the templates (as ``layout``), so a path, a stage-name prefix
or a secret id is spelled in one place; Python modules import it.  What cannot import it (the
shell scripts, ``Dockerfile.frontend``, the benchmark's hand-written Dockerfiles, the CI and
interpreter-image scripts) writes these paths as literals, which tests/unit/test_layout.py holds
to the values here.  The runtime helper (a separate, stdlib-only package) reads the variables,
whose naming rule :func:`environment_variable` defines, and keeps its own copy of VENV_ROOT and
of that rule; unit tests tie those too.
"""

from __future__ import annotations

import re

ROOT = "/opt/astro-pyenv"
PYTHON_ROOT = f"{ROOT}/python"  # one directory per CPython version
VENV_ROOT = f"{ROOT}/venvs"  # one directory per environment name
BIN_DIR = f"{ROOT}/bin"  # python3.X links, appended to PATH
# A venv stage leaves its finished venv here; the final stage copies this directory's contents, so
# the venv directory keeps its owner (scripts/make-venv.sh writes the same path).
VENV_HANDOFF_DIR = f"{VENV_ROOT}/.astro-pyenv-out"

# In the frontend image, mounted into generated stages: pyenv and our build scripts.
TOOLS_PYENV = f"{ROOT}/pyenv"
TOOLS_SCRIPTS = f"{ROOT}/scripts"
# uv's binary (Dockerfile.frontend: the pinned wheel's, statically linked), for --installer=uv.
TOOLS_UV = f"{ROOT}/uv"
# Also in the frontend image (Dockerfile.frontend): the frontend's own venv, whose Python is the
# entry point, the license, and the prebuilt interpreters' catalog (prebuilt.py) with the recipe
# of the tools above and pyenv's commit, both written when the image is built.
FRONTEND_VENV = f"{ROOT}/venv"
# The templates compiled when the image was built (render.py): read, never written, at run time.
FRONTEND_TEMPLATE_CACHE = f"{FRONTEND_VENV}/template-cache"
LICENSE_FILE = f"{ROOT}/LICENSE"
PREBUILT_DIR = f"{ROOT}/prebuilt"
PREBUILT_CATALOG = f"{PREBUILT_DIR}/catalog.json"
PREBUILT_RECIPE = f"{PREBUILT_DIR}/recipe"
PREBUILT_PYENV_COMMIT = f"{PREBUILT_DIR}/pyenv-commit"

# Where a generated step's RUN finds what it is given (bind mounts; for Buildah, copies).  pyenv
# and the scripts sit side by side: build-python.sh finds pyenv beside its own directory, and
# make-venv.sh finds settings.sh in its own.
MOUNTED_TOOLS = "/tmp/astro-pyenv"
PYENV_MOUNT = f"{MOUNTED_TOOLS}/pyenv"
SCRIPTS_MOUNT = f"{MOUNTED_TOOLS}/scripts"
UV_MOUNT = f"{MOUNTED_TOOLS}/uv"  # make-venv.sh finds uv there, beside its own directory
# The build platform's CPython for a cross-compile (build-python.sh reads it).
BUILD_PYTHON_MOUNT = "/tmp/astro-pyenv-build-python"
# The cache of CPython source tarballs (SOURCES_CACHE_ID below; build-python.sh reads it).
SOURCES_CACHE_MOUNT = "/var/cache/astro-pyenv-sources"
# A venv step's requirements file, the secrets digest (only its content matters: the step's
# cache key) and the opt-in shared pip cache (make-venv.sh reads it), whose top directory a small
# stage seeds at PIP_CACHE_SEED_DIR.
REQUIREMENTS_MOUNT = "/tmp/astro-pyenv-requirements.txt"
# A pylock.toml (PEP 751) instead: pip and uv know the format by the file's name.
PYLOCK_MOUNT = "/tmp/astro-pyenv-lock/pylock.toml"
# A requirements file with -r/-c includes, and each file it includes: at its path in the build
# context under this directory, where pip and uv resolve the includes (context_mount).
CONTEXT_MOUNT = "/tmp/astro-pyenv-context"
SECRETS_DIGEST_MOUNT = "/tmp/astro-pyenv-secrets-digest"
PIP_CACHE_MOUNT = "/tmp/astro-pyenv-pip-cache"
PIP_CACHE_SEED_DIR = "/astro-pyenv-pip-cache"

VARIABLE_PREFIX = "ASTRO_PYENV_"
# ASTRO_PYENV_ names in capitals (a capital letter, then capitals, digits and "_") are astro-pyenv's
# settings: ASTRO_PYENV_PIP_VERSION, ASTRO_PYENV_PIP_CACHE, ASTRO_PYENV_PREBUILT, ASTRO_PYENV_SYNTAX,
# the build id and any later one.  Every other ASTRO_PYENV_<suffix> is an environment's variable,
# so PYENV refuses a name whose variable would be a setting's.  The runtime helper (a separate,
# stdlib-only package) holds the same rule in astro_pyenv.resolve; a unit test ties the two.
SETTING_SUFFIX = re.compile(r"[A-Z][A-Z0-9_]*\Z")

# BuildKit secret ids a build may provide (none is stored in a layer).
CA_SECRET = "astro-pyenv-ca"
PIP_CONF_SECRET = "astro-pyenv-pip-conf"
# KEY=value lines: download locations and credentials (scripts/settings.sh reads them).
SETTINGS_SECRET = "astro-pyenv-settings"

# BuildKit keeps secret contents out of the layer cache key, so the venv steps' cache key takes
# what their secrets name from a file a small stage writes on every build (scripts/secrets-digest.sh):
# the frontend gives each build a new BUILD_ID_ARG, which re-runs that stage, and the venv step
# mounts the file, whose content (not its step) is in the step's key.
SECRETS_DIGEST_FILE = f"{ROOT}/secrets-digest"
BUILD_ID_ARG = "ASTRO_PYENV_BUILD_ID"
VENV_SECRETS = (CA_SECRET, PIP_CONF_SECRET, SETTINGS_SECRET)

# The one cache mount of the interpreter stage: CPython source tarballs, checksum-verified on use.
SOURCES_CACHE_ID = "astro-pyenv-cpython-sources"

# Generated stage names (made unique against every name the user's lines use).
TOOLS_STAGE = "pyenv-tools"
INTERPRETER_STAGE_PREFIX = "pyenv-python-"
VENV_STAGE_PREFIX = "pyenv-venv-"
# The build context the gateway supplies a base image under without its ONBUILD steps.
ONBUILD_FREE_CONTEXT = "pyenv-base-without-onbuild"


def secrets_digest_stage(tools_stage: str) -> str:
    """The stage after ``tools_stage`` that digests the venv steps' secrets (SECRETS_DIGEST_FILE)."""
    return f"{tools_stage}-secrets"


# Its name in a Dockerfile whose own names leave ours alone; its one step runs on every build.
SECRETS_DIGEST_STAGE = secrets_digest_stage(TOOLS_STAGE)


def environment_variable(name: str) -> str:
    """The image variable of environment ``name``: ``-`` becomes ``_``, so that every shell
    (dash drops names with ``-`` from the environment) and Python see the same variable."""
    return VARIABLE_PREFIX + name.replace("-", "_")


def is_setting(variable: str) -> bool:
    """Whether ``variable`` is in the space of astro-pyenv's settings (see SETTING_SUFFIX)."""
    return variable.startswith(VARIABLE_PREFIX) and SETTING_SUFFIX.match(variable[len(VARIABLE_PREFIX) :]) is not None


def context_mount(path: str) -> str:
    """Where a venv step finds the build context's file ``path`` (normalised, inside the context)."""
    return f"{CONTEXT_MOUNT}/{path}"


def venv_dir(name: str) -> str:
    return f"{VENV_ROOT}/{name}"


def venv_python(name: str) -> str:
    return f"{venv_dir(name)}/bin/python"


def interpreter_dir(version: str) -> str:
    return f"{PYTHON_ROOT}/{version}"


def interpreter_python(version: str) -> str:
    """``.../python/3.13.5t/bin/python3.13t``: the series name pyenv installs."""
    from .versions import major_minor  # lazily: the gateway imports this module on every build

    series = major_minor(version) + ("t" if version.endswith("t") else "")
    return f"{interpreter_dir(version)}/bin/python{series}"
