"""Prebuilt interpreters: which image, if any, stands in for compiling CPython.

A *catalog* (JSON, baked into the frontend image by ``make interpreters`` + ``make
frontend-image``) lists interpreter images by digest.  Each entry says exactly what it was built
from; :func:`choose` uses one only when every part of that key fits the interpreter a PYENV line
needs, else the interpreter is compiled as before.  Pure: the gateway reads the base image's C
library (:mod:`.libc`) and the catalog, and passes them in.

The images are *portable*: built on the oldest glibc they serve, they carry every shared library
they link besides glibc's own (scripts/build-python.sh ``--portable``), so one image serves every
glibc base at least as new, whatever its distribution or release; the generated stage then drops
the carried copies the base has its own of (scripts/fit-interpreter.sh).  The key, everywhere
(catalog entry, image labels, this module):

- ``version``: the python-build definition name (``3.13.5``);
- ``recipe``: :func:`recipe_digest` of the frontend image's pyenv tree and build scripts, so an
  image is used only by a frontend whose compile would run the very same pyenv and scripts;
- ``build``: the python-build settings (``configure`` options and ``OPT``); the frontend asks for
  prebuilt images only when the build sets none of its own (see :data:`BUILD_SETTING_ARGS`);
- ``libc``: the C library it was built on (``glibc 2.31``): the oldest a base may have;
- ``platforms``: the OCI platforms the image index holds (BuildKit picks one the normal way).

``os`` (``debian-11``) says where an image was built; nothing is chosen by it.

Integrity: the catalog pins each image by digest, so a registry (or a mirror of it) can only
serve those bytes or nothing; nothing else is ever pulled for an interpreter.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import layout
from .instructions import setting_value
from .libc import Libc, parse_libc

__all__ = [
    "BUILD_SETTING_ARGS",
    "Catalog",
    "CatalogError",
    "Choice",
    "Entry",
    "Offer",
    "PREBUILT_ARG",
    "catalog_path",
    "catalog_versions",
    "choice_without_base",
    "choose",
    "load_catalog",
    "os_key",
    "parse_catalog",
    "recipe_digest",
    "setting",
    "valid_repository",
]

# The user's switch: a build arg or an ARG before the first FROM (the Astro CLI passes no build
# args).  Unset: the catalog's repository.  "off" (or none/no/false/0): always compile.  Anything
# else: the repository to pull the catalog's digests from (a mirror keeps digests).
PREBUILT_ARG = "ASTRO_PYENV_PREBUILT"
_OFF = frozenset({"off", "none", "no", "false", "0"})

# python-build settings that change what is built: when a build sets any of them, the interpreter
# is compiled with them (download settings such as the mirror URL change nothing built).
BUILD_SETTING_ARGS = (
    "PYTHON_CONFIGURE_OPTS",
    "CONFIGURE_OPTS",
    "PYTHON_CFLAGS",
    "PYTHON_MAKE_OPTS",
    "MAKE_OPTS",
    "PYTHON_MAKE_INSTALL_OPTS",
    "MAKE_INSTALL_OPTS",
    "PYTHON_MAKE_INSTALL_TARGET",
)

_REPOSITORY = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_PLATFORM = re.compile(r"^[a-z0-9]+/[a-z0-9_]+(?:/[a-z0-9]+)?$")
# What else of an entry may reach the generated Dockerfile (``FROM <repository>:<tag>@<digest>``)
# or a progress line is checked too: a tag as Docker's grammar has it, a python-build definition
# name, os_key's <ID>-<VERSION_ID> (os-release keeps both to a-z, 0-9, ".", "_", "-").
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_VERSION = re.compile(r"^[0-9][0-9A-Za-z._+-]{0,63}$")
_OS = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")
_ENTRY_FIELDS = ("version", "libc", "platforms", "recipe", "tag", "digest")


class CatalogError(ValueError):
    """The catalog file is not what :func:`parse_catalog` accepts."""


@dataclass(frozen=True)
class Entry:
    """One interpreter image, by digest, and the key it was built for."""

    version: str
    libc: Libc  # the C library it was built on: the oldest a base may have
    platforms: tuple[str, ...]
    recipe: str
    build: str  # python-build settings, as a label would show them
    tag: str  # a human-readable tag in the repository (the digest is what is pulled)
    digest: str
    os: str = ""  # where it was built (``debian-11``): for people, not for choosing


@dataclass(frozen=True)
class Catalog:
    repository: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Choice:
    """What one interpreter comes from: ``image`` (``repo:tag@digest``) or, when None, a compile;
    ``reason`` is the one line the build's progress shows for it."""

    image: str | None
    reason: str
    floor: Libc | None = None  # the oldest C library the image runs on, when one is chosen


@dataclass(frozen=True)
class Offer:
    """The catalog a CLI could read (no gateway: the Buildah output, the host, see
    :mod:`.catalog_source`), with the recipe to hold its entries to (None: not checked, for a
    catalog file given alone) and ``origin``, where it was read; or ``problem``: why there is none."""

    catalog: Catalog | None
    recipe: str | None = None
    origin: str = ""
    problem: str = "no prebuilt catalog was read"
    unreachable: bool = False  # the catalog could not be read now: another try may differ
    checks_glibc: bool = True  # the frontend image's fit script checks a base's glibc (--glibc)

    @property
    def versions(self) -> tuple[str, ...]:
        return catalog_versions(self.catalog)


def parse_catalog(text: str) -> Catalog:
    """The catalog in ``text``; :class:`CatalogError` for anything else, wrong types included
    (every field is checked before it can reach a generated Dockerfile)."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise CatalogError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("repository"), str):
        raise CatalogError('expected an object with "repository" and "interpreters"')
    repository = data["repository"].strip()
    if repository and not valid_repository(repository):
        raise CatalogError(f"repository {repository!r} is not an image repository (host[:port]/path, no tag)")
    raw_entries = data.get("interpreters")
    if raw_entries is None:
        raw_entries = []
    if not isinstance(raw_entries, list):
        raise CatalogError(f'"interpreters" is {type(raw_entries).__name__}, not a list')
    return Catalog(repository=repository, entries=tuple(_entry(raw) for raw in raw_entries))


def _entry(raw: object) -> Entry:
    if not isinstance(raw, dict):
        raise CatalogError(f"interpreter entry {raw!r:.200} is not an object")
    missing = [name for name in _ENTRY_FIELDS if name not in raw]
    if missing:
        raise CatalogError(f"interpreter entry {raw!r:.200}: missing {', '.join(missing)}")
    wrong = [
        name
        for name in (*_ENTRY_FIELDS, "build", "os")
        if name != "platforms" and name in raw and not isinstance(raw[name], str)
    ]
    platforms = raw["platforms"]
    if not isinstance(platforms, list) or not all(isinstance(p, str) for p in platforms):
        wrong.append("platforms")
    if wrong:
        raise CatalogError(f"interpreter entry {raw!r:.200}: {', '.join(wrong)} of the wrong type")
    libc = parse_libc(raw["libc"])
    where = f"interpreter {raw['version']!r} ({raw['libc']!r})"
    if libc is None or libc.family != "glibc":
        raise CatalogError(f"{where}: libc is not 'glibc X.Y'")
    entry = Entry(
        version=raw["version"],
        libc=libc,
        platforms=tuple(platforms),
        recipe=raw["recipe"],
        build=raw.get("build", ""),
        tag=raw["tag"],
        digest=raw["digest"],
        os=raw.get("os", ""),
    )
    if not _VERSION.match(entry.version):
        raise CatalogError(f"{where}: version is not a python-build definition name")
    if entry.os and not _OS.match(entry.os):
        raise CatalogError(f"{where}: os is not <ID>-<VERSION_ID>")
    if not _DIGEST.match(entry.digest):
        raise CatalogError(f"{where}: digest {entry.digest!r} is not sha256:<hex>")
    if not _DIGEST.match(entry.recipe):
        raise CatalogError(f"{where}: recipe {entry.recipe!r} is not sha256:<hex>")
    if not _TAG.match(entry.tag):
        raise CatalogError(f"{where}: tag {entry.tag!r} is not an image tag")
    bad = [p for p in entry.platforms if not _PLATFORM.match(p)]
    if bad or not entry.platforms:
        raise CatalogError(f"{where}: platforms {list(entry.platforms)!r}")
    return entry


def catalog_path() -> str:
    """Where this image's catalog is (``ASTRO_PYENV_PREBUILT_CATALOG`` for tests and tools)."""
    return os.environ.get("ASTRO_PYENV_PREBUILT_CATALOG", layout.PREBUILT_CATALOG)


def load_catalog(path: str | None = None) -> Catalog | None:
    """The catalog baked into this image, or None when there is none (a frontend built without)."""
    try:
        data = Path(path or catalog_path()).read_bytes()
    except FileNotFoundError:
        return None
    try:
        text = data.decode("utf-8-sig")  # an editor's byte order mark is no reason to compile
    except UnicodeDecodeError as exc:
        raise CatalogError(f"not UTF-8: {exc}") from None
    return parse_catalog(text)


def catalog_versions(catalog: Catalog | None) -> tuple[str, ...]:
    """The versions prebuilt images exist of, which a PYENV prefix resolves to first."""
    return tuple(sorted({e.version for e in catalog.entries})) if catalog else ()


def os_key(os_release: str) -> str | None:
    """``<ID>-<VERSION_ID>`` from an os-release file's text, or None without both (e.g. sid)."""
    fields: dict[str, str] = {}
    for line in os_release.splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name in ("ID", "VERSION_ID"):
            fields[name] = value.strip().strip("\"'")
    if not fields.get("ID") or not fields.get("VERSION_ID"):
        return None
    return f"{fields['ID']}-{fields['VERSION_ID']}"


def valid_repository(name: str) -> bool:
    """Whether ``name`` is an image repository (``host[:port]/path``), without tag or digest."""
    return len(name) <= 255 and _REPOSITORY.match(name) is not None


def setting(build_args: Mapping[str, str], global_args: Mapping[str, str]) -> str | None:
    """The user's :data:`PREBUILT_ARG`: None for "off", "" for the default, else a repository."""
    value = setting_value(PREBUILT_ARG, build_args, global_args)
    if value.lower() in _OFF:
        return None
    return value


def choose(
    catalog: Catalog | None,
    *,
    version: str,
    libc: Libc | None,
    platforms: Sequence[str],
    recipe: str | None,
    repository_setting: str | None,
    custom_build: Iterable[str] = (),
    platform_flag: str = "",
    check_recipe: bool = True,
) -> Choice:
    """Use a catalog image for ``version`` on a base whose C library is ``libc`` for every target
    platform, or say why the interpreter is compiled.  ``check_recipe=False``: any recipe will
    do (a catalog the user named, without the recipe it came with)."""
    early = choice_without_base(
        catalog,
        version=version,
        repository_setting=repository_setting,
        custom_build=custom_build,
        platform_flag=platform_flag,
    )
    if early is not None:
        return early
    assert catalog is not None
    compiling = f"CPython {version} is compiled"
    if libc is None:
        return Choice(None, f"{compiling}: the base image's C library could not be read (no glibc libc.so.6 found)")
    if libc.family != "glibc":
        return Choice(
            None, f"{compiling}: the base image's C library is {libc.family}; prebuilt interpreters need glibc"
        )
    for_version = [e for e in catalog.entries if e.version == version]
    if not check_recipe and len({e.recipe for e in for_version}) > 1:
        why = "the catalog has images of it from several recipes, and none was named (a recipe file beside it)"
        return Choice(None, f"{compiling}: {why}")
    for_recipe = [e for e in for_version if e.recipe == recipe or not check_recipe]
    if not for_recipe:
        return Choice(None, f"{compiling}: the prebuilt images were made with other pyenv or build scripts")
    fitting = [e for e in for_recipe if e.libc.version <= libc.version]
    if not fitting:
        oldest = min(e.libc for e in for_recipe)
        return Choice(None, f"{compiling}: the base has {libc}; prebuilt images of {version} need {oldest} or newer")
    wanted = list(platforms)
    repository = repository_setting or catalog.repository
    # Optimised builds first (a catalog may list a quick plain build of the same key too), then the
    # newest C library the base has: it carries the newest libraries.
    for entry in sorted(fitting, key=lambda e: ("--enable-optimizations" not in e.build, _newest_first(e.libc))):
        if all(p in entry.platforms for p in wanted):
            image = f"{repository}:{entry.tag}@{entry.digest}"
            reason = f"CPython {version}: prebuilt for {entry.libc}+ ({', '.join(wanted)}), {image}"
            return Choice(image, reason, entry.libc)
    have = ", ".join(sorted({p for e in fitting for p in e.platforms}))
    return Choice(None, f"{compiling}: prebuilt images are for {have}, not {', '.join(wanted)}")


def _newest_first(libc: Libc) -> tuple[int, int]:
    return (-libc.version[0], -libc.version[1])


def choice_without_base(
    catalog: Catalog | None,
    *,
    version: str,
    repository_setting: str | None,
    custom_build: Iterable[str] = (),
    platform_flag: str = "",
) -> Choice | None:
    """The compile :func:`choose` returns whatever the base image is, or None when the base decides
    (then the gateway reads the base's C library, and only then)."""
    compiling = f"CPython {version} is compiled"
    if repository_setting is None:
        return Choice(None, f"{compiling}: prebuilt interpreters are off ({PREBUILT_ARG})")
    custom = sorted(custom_build)
    if custom:
        return Choice(None, f"{compiling}: the build sets {', '.join(custom)}")
    if platform_flag:
        return Choice(None, f"{compiling}: the stage's FROM names a platform")
    if catalog is None or not catalog.entries:
        return Choice(None, f"{compiling}: this frontend image lists no prebuilt interpreters")
    if not (repository_setting or catalog.repository):
        return Choice(None, f"{compiling}: no repository for prebuilt interpreters ({PREBUILT_ARG})")
    if not any(e.version == version for e in catalog.entries):
        return Choice(None, f"{compiling}: no prebuilt image of this version")
    return None


# -- the recipe --------------------------------------------------------------------------------


# The scripts an interpreter stage runs: prepare-build.sh, build-python.sh and what they source.
# The venv script is not here, so a change to how venvs are made keeps every prebuilt
# interpreter usable (tests/unit/transform/test_prebuilt.py checks the list against the
# scripts' sources).
# The stage's first step runs PREPARE_SCRIPTS (the build dependencies, shared by every compile on
# a base), its second BUILD_SCRIPTS (the compile).
PREPARE_SCRIPTS = ("prepare-build.sh", "build-deps.sh")
BUILD_SCRIPTS = ("build-python.sh", "build-deps.sh", "settings.sh", "carry-libs.sh", "cross.sh")
COMPILE_SCRIPTS = (*BUILD_SCRIPTS, "prepare-build.sh")


def recipe_digest(tools_root: str | os.PathLike[str]) -> str:
    """sha256 over every file (path, mode bits, content) under ``pyenv/`` and of the
    :data:`COMPILE_SCRIPTS` under ``scripts/`` of ``tools_root``: what a compile in this frontend
    image runs, whatever the pyenv commit says."""
    root = Path(tools_root)
    digest = hashlib.sha256()
    scripts = [root / "scripts" / name for name in COMPILE_SCRIPTS]
    for path in [*sorted(_files(root / "pyenv")), *scripts]:
        rel = path.relative_to(root).as_posix()
        info = path.lstat()
        digest.update(rel.encode() + b"\0" + oct(info.st_mode & 0o777).encode() + b"\0")
        if path.is_symlink():
            digest.update(b"link\0" + os.readlink(path).encode())
        else:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()


def _files(base: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in filenames:
            yield Path(dirpath) / name
        for name in dirnames:
            path = Path(dirpath) / name
            if path.is_symlink():
                yield path


if __name__ == "__main__":  # python -m astro_pyenv_frontend.prebuilt TOOLS_ROOT: print the recipe
    import sys

    print(recipe_digest(sys.argv[1] if len(sys.argv) > 1 else layout.ROOT))
