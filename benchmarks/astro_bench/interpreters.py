"""Prebuilt interpreters as the benchmark sees them (scenarios 9 to 12): which images the
frontend image's catalog names, the floor Dockerfile's build args, and what a build's progress
log says was prebuilt or compiled.  Pure, apart from nothing: the scenarios read the catalog,
recipe and the base's C library out of images and pass them in.

The matching is the frontend's own (``frontend/src/astro_pyenv_frontend/prebuilt.py``): an entry
serves a version when its version, recipe and platform match and the base's glibc is at least
the one it was built on; the repository is the frontend image's
``ASTRO_PYENV_PREBUILT_REPOSITORY`` when set, else the catalog's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from astro_pyenv_frontend import prebuilt, versions
from astro_pyenv_frontend.libc import Libc

# In the frontend image (Dockerfile.frontend): its default repository, beside its catalog and
# recipe (astro_pyenv_frontend.layout.PREBUILT_CATALOG and PREBUILT_RECIPE).
REPOSITORY_ENV = "ASTRO_PYENV_PREBUILT_REPOSITORY"

# The frontend's progress lines (gateway/interpreters.py, the interpreter stage's script).
PREBUILT_LINE = re.compile(r"astro-pyenv: CPython (\S+): prebuilt for (\S+ \S+ \([^)]*\)), (\S+?@sha256:[0-9a-f]{64})")
COMPILED_LINE = re.compile(r"astro-pyenv: CPython (\S+) is compiled: ([^\"\n]*?)(?: \(line \d+\))?\s*$", re.MULTILINE)
COMPILING_LINE = re.compile(r"astro-pyenv: compiling CPython (\S+)")


class CatalogMismatch(ValueError):
    """The catalog has no image for a version the benchmark needs."""


@dataclass(frozen=True)
class Wanted:
    """What the benchmark's builds need an image for: the base's C library, the build's platform
    and the frontend image's recipe."""

    libc: Libc
    platform: str
    recipe: str


def repository_from_env(env: Iterable[str]) -> str:
    """The frontend image's ``ASTRO_PYENV_PREBUILT_REPOSITORY`` from its ``Config.Env``, or ""."""
    for item in env:
        name, _, value = item.partition("=")
        if name == REPOSITORY_ENV:
            return value.strip()
    return ""


def catalog_images(catalog_text: str, versions: Iterable[str], wanted: Wanted, repository: str = "") -> dict[str, str]:
    """``{version: "repo:tag@digest"}`` for each of ``versions``: what the frontend chooses
    (:func:`astro_pyenv_frontend.prebuilt.choose`, so an optimised build wins as it does there).

    Raises :class:`CatalogMismatch` with the frontend's reason when it would compile (the
    scenario reports it and does not build: ours would compile, which is scenario 1, not 9)."""
    try:
        catalog = prebuilt.parse_catalog(catalog_text)
    except prebuilt.CatalogError as exc:
        raise CatalogMismatch(f"the catalog is not readable: {exc}") from None
    images: dict[str, str] = {}
    for version in versions:
        choice = prebuilt.choose(
            catalog,
            version=version,
            libc=wanted.libc,
            platforms=[wanted.platform],
            recipe=wanted.recipe,
            repository_setting=repository,
        )
        if choice.image is None:
            have = sorted(
                f"{e.version} {e.libc} {','.join(e.platforms)} recipe {e.recipe[7:19]}" for e in catalog.entries
            )
            raise CatalogMismatch(f"{choice.reason}; the catalog has: {'; '.join(have) or 'nothing'}")
        images[version] = choice.image
    return images


def resolve_versions(specs: Iterable[str], catalog_text: str) -> dict[str, str]:
    """``{spec: version}``: the version each PYENV version (``3.11``, ``3.9.2``) stands for with
    this catalog, as the frontend resolves it (a prefix picks the newest release the catalog has
    images of, else the newest pyenv knows: :func:`astro_pyenv_frontend.versions.resolve_version`)."""
    try:
        preferred = prebuilt.catalog_versions(prebuilt.parse_catalog(catalog_text))
    except prebuilt.CatalogError as exc:
        raise CatalogMismatch(f"the catalog is not readable: {exc}") from None
    known = versions.load_bundled_versions()
    return {spec: versions.resolve_version(spec, known, preferred) for spec in specs}


def floor_arg(version: str) -> str:
    """The floor Dockerfile's build arg for ``version``'s image: ``CPYTHON_3_13_5_IMAGE``."""
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)*[a-z0-9]*", version):
        raise ValueError(f"not a CPython version: {version!r}")
    return "CPYTHON_" + version.replace(".", "_").upper() + "_IMAGE"


def floor_build_args(images: Mapping[str, str], base: str) -> dict[str, str]:
    """A floor Dockerfile's build args: the image it starts FROM and one image per version."""
    args = {"BASE_IMAGE": base}
    args.update({floor_arg(v): image for v, image in sorted(images.items())})
    return args


def floor_args_declared(dockerfile: str) -> set[str]:
    """The ``ARG`` names a Dockerfile declares (to check the floor takes every arg given)."""
    names: set[str] = set()
    for m in re.finditer(r"^\s*ARG\s+(.+)$", dockerfile, re.MULTILINE):
        for word in m.group(1).split():
            names.add(word.split("=", 1)[0])
    return names


@dataclass(frozen=True)
class InterpreterLines:
    """What a build log says about each interpreter: prebuilt images used and what for
    (``glibc 2.31+ (linux/arm64)``), compiles announced (with why) and compiles that actually ran."""

    prebuilt: dict[str, str]
    compiled_why: dict[str, str]
    compiling: list[str]
    prebuilt_for: dict[str, str]


def interpreter_lines(log: str) -> InterpreterLines:
    prebuilt = {m.group(1): m.group(3) for m in PREBUILT_LINE.finditer(log)}
    prebuilt_for = {m.group(1): m.group(2) for m in PREBUILT_LINE.finditer(log)}
    why = {m.group(1): m.group(2).strip() for m in COMPILED_LINE.finditer(log)}
    compiling = sorted(set(COMPILING_LINE.findall(log)))
    return InterpreterLines(prebuilt, why, compiling, prebuilt_for)
