"""BuildKit frontend that turns PYENV instructions into plain Dockerfile stages."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``astro_pyenv_frontend.__version__``: the installed distribution's version (the repository's
    VERSION file when it was built), read when first asked for; importing importlib.metadata would
    add tens of milliseconds to every build the frontend runs."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib.metadata

    try:
        return importlib.metadata.version("astro-pyenv-frontend")
    except importlib.metadata.PackageNotFoundError:  # the source tree on sys.path, not installed
        return "0+unknown"
