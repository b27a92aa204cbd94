"""Where the CLI finds the prebuilt catalog: what a build of the same Dockerfile would use.

A BuildKit build reads the catalog baked into the frontend image (``layout.PREBUILT_DIR``),
with the recipe of that image's tools and its default repository.  The CLI (``transform
--engine=buildah``, ``standalone``) reads the very same files, in this order:

1. ``--catalog PATH``: a directory holding ``catalog.json`` and ``recipe`` (a copy of the frontend
   image's ``layout.PREBUILT_DIR``), or a ``catalog.json`` (its ``recipe`` beside it, if
   any; without one, entries are not held to a recipe);
2. ``$ASTRO_PYENV_PREBUILT_CATALOG``, likewise (tests and tools);
3. inside the frontend image, its own files;
4. else the frontend image named on the ``# syntax=`` line (or by ``--frontend-image``), read
   from its registry over the OCI distribution API (:mod:`.oci`): no Docker needed, only its
   small top layers are downloaded, each checked against its digest.

Nothing here fails: a catalog that cannot be read is an :class:`~.prebuilt.Offer` that says why,
and every interpreter is then compiled (the host: refused, with that reason).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from . import layout, prebuilt
from .host import host_platform
from .oci import RegistryError
from .oci.client import Manifest, RegistryClient
from .oci.files import read_files
from .oci.reference import Reference, parse_reference

__all__ = ["REPOSITORY_ENV", "offer_for"]

REPOSITORY_ENV = "ASTRO_PYENV_PREBUILT_REPOSITORY"  # the frontend image's default repository
# On frontend images whose scripts check a base's glibc (fit-interpreter.sh --glibc), which the
# Buildah output needs: an older image's fit step would take --glibc=X.Y for the version.
CAPABLE_LABEL = "org.astro-pyenv.buildah-prebuilt"
_IN_IMAGE = layout.PREBUILT_CATALOG.lstrip("/")
_RECIPE_IN_IMAGE = layout.PREBUILT_RECIPE.lstrip("/")
_MAX_CONFIG = 1 << 20


def offer_for(frontend_image: str, catalog: str | None = None, client: RegistryClient | None = None) -> prebuilt.Offer:
    """The catalog a build with ``frontend_image`` would use (see the module docstring)."""
    if catalog is not None:
        return _from_file(Path(catalog), f"--catalog {catalog}")
    if os.environ.get("ASTRO_PYENV_PREBUILT_CATALOG"):
        return _from_file(Path(os.environ["ASTRO_PYENV_PREBUILT_CATALOG"]), "$ASTRO_PYENV_PREBUILT_CATALOG")
    if Path(layout.PREBUILT_CATALOG).is_file():
        offer = _from_file(Path(layout.PREBUILT_CATALOG), "this frontend image's catalog")
        return _with_repository(offer, os.environ.get(REPOSITORY_ENV, ""))
    if not frontend_image:
        return prebuilt.Offer(None, problem="no frontend image is named (a '# syntax=' line, or --frontend-image)")
    try:
        ref = parse_reference(frontend_image)
    except ValueError as err:
        return prebuilt.Offer(None, problem=f"the frontend image {frontend_image!r} is not an image reference ({err})")
    try:
        return _from_registry(client or RegistryClient(), ref, frontend_image)
    except (RegistryError, ValueError) as err:  # ValueError: an image config that is not JSON
        problem = f"the catalog of {frontend_image} could not be read: {err}"
        return prebuilt.Offer(None, problem=problem, unreachable=True)


def _from_file(path: Path, origin: str) -> prebuilt.Offer:
    catalog_file = path / "catalog.json" if path.is_dir() else path
    recipe_file = catalog_file.parent / "recipe"
    try:
        catalog = prebuilt.parse_catalog(catalog_file.read_text(encoding="utf-8"))
        recipe = recipe_file.read_text(encoding="utf-8").strip() if recipe_file.is_file() else None
    except FileNotFoundError:
        return prebuilt.Offer(None, problem=f"{origin}: no catalog at {catalog_file}")
    except (OSError, prebuilt.CatalogError) as err:
        return prebuilt.Offer(None, problem=f"{origin}: {catalog_file} is unreadable: {err}")
    return prebuilt.Offer(catalog, recipe, origin=origin)


def _from_registry(client: RegistryClient, ref: Reference, name: str) -> prebuilt.Offer:
    manifest = _any_platform(client, ref)
    config = json.loads(client.blob_bytes(ref, manifest.config(), _MAX_CONFIG))
    settings = (config.get("config") or {}) if isinstance(config, dict) else {}
    checks_glibc = (settings.get("Labels") or {}).get(CAPABLE_LABEL) == "1"
    env = settings.get("Env") or []
    default_repository = next((e.split("=", 1)[1] for e in env if str(e).startswith(REPOSITORY_ENV + "=")), "")
    files = read_files(client, ref, manifest, [_IN_IMAGE, _RECIPE_IN_IMAGE], stop_at=_RECIPE_IN_IMAGE)
    origin = f"the catalog of {name}"
    if files[_IN_IMAGE] is None:
        return prebuilt.Offer(None, problem=f"the frontend image {name} holds no prebuilt catalog")
    try:
        catalog = prebuilt.parse_catalog((files[_IN_IMAGE] or b"").decode("utf-8"))
    except (UnicodeDecodeError, prebuilt.CatalogError) as err:
        return prebuilt.Offer(None, problem=f"the catalog of {name} is unreadable: {err}")
    recipe = (files[_RECIPE_IN_IMAGE] or b"").decode("utf-8", "replace").strip() or None
    if recipe is None:
        return prebuilt.Offer(None, problem=f"the frontend image {name} holds a catalog but no recipe")
    offer = prebuilt.Offer(catalog, recipe, origin=origin, checks_glibc=checks_glibc)
    return _with_repository(offer, default_repository)


def _any_platform(client: RegistryClient, ref: Reference) -> Manifest:
    """The image for this machine's platform, else any: the catalog is the same in each."""
    found = client.manifest(ref)
    if not found.is_index:
        return found
    descriptors = found.manifests()
    platform = host_platform().replace("darwin/", "linux/")
    chosen = next((d for d in descriptors if d.platform == platform), None)
    chosen = chosen or next((d for d in descriptors if d.platform.startswith("linux/")), None)
    if chosen is None:
        raise RegistryError(f"{ref} holds no linux image")
    return client.manifest(ref, chosen.digest)


def _with_repository(offer: prebuilt.Offer, repository: str) -> prebuilt.Offer:
    if offer.catalog is None or not repository.strip():
        return offer
    return replace(offer, catalog=replace(offer.catalog, repository=repository.strip()))
