"""Prebuilt or compiled: the gateway's side of :mod:`..prebuilt`.

For each interpreter the transform planned, decide whether a catalog image stands in for the
compile.  That needs what the pure transform cannot know: the catalog and recipe baked into this
image, the build's target platforms, each base image's C library (its ``libc.so.6``'s version
definitions, read through the gateway, only when the answer depends on it), and whether the
registry serves the pinned image.
Every interpreter then gets one progress line saying which path it took and why.  Nothing here
fails a build: whatever goes wrong means "compile", with the reason on that line.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .. import layout, libc, prebuilt
from ..contract import InterpreterUse, TransformResult
from . import llb
from .client import GatewayCallError, LLBBridgeClient, result_ref_id
from .opts import FrontendOpts
from .platforms import platform_message, target_platforms

REPOSITORY_ENV = "ASTRO_PYENV_PREBUILT_REPOSITORY"  # Dockerfile.frontend's PREBUILT_REPOSITORY


@dataclass(frozen=True)
class Decision:
    use: InterpreterUse
    choice: prebuilt.Choice


@functools.cache
def load_catalog() -> prebuilt.Catalog | None:
    """The catalog in this image, its repository replaced by the image's default if one is set
    (read once: the transform's two passes and the decisions use the same)."""
    try:
        catalog = prebuilt.load_catalog()
    except (OSError, prebuilt.CatalogError) as err:
        print(f"astro-pyenv: prebuilt catalog unreadable, compiling: {err}", file=sys.stderr)
        return None
    default_repository = os.environ.get(REPOSITORY_ENV, "").strip()
    if catalog is not None and default_repository:
        if not prebuilt.valid_repository(default_repository):
            print(f"astro-pyenv: {REPOSITORY_ENV}={default_repository!r} is no image repository, compiling",
                  file=sys.stderr)
            return None
        catalog = replace(catalog, repository=default_repository)
    return catalog


def load_recipe() -> str | None:
    try:
        return Path(os.environ.get("ASTRO_PYENV_PREBUILT_RECIPE", layout.PREBUILT_RECIPE)).read_text().strip() or None
    except OSError:
        return None


def read_libc(client: LLBBridgeClient, image: str, platform: str) -> libc.Libc | None:
    """The C library of ``image`` for ``platform``, or None when it cannot be read."""
    message = platform_message(platform)
    definition = llb.image_source(
        image,
        platform={"OS": message.OS, "Architecture": message.Architecture, "Variant": message.Variant},
        custom_name=f"[internal] astro-pyenv: C library of {image} ({platform})"
    )
    try:
        ref = result_ref_id(client.solve(definition))
    except GatewayCallError as err:
        print(f"astro-pyenv: cannot read {image} ({platform}): {err}", file=sys.stderr)
        return None
    for path in libc.candidate_paths(message.Architecture):

        def read(offset: int, length: int, path: str = path) -> bytes:
            return client.read_file(ref, path, offset=offset, length=length)

        try:
            version = libc.glibc_version(read)
        except GatewayCallError:
            continue  # no such file here
        if version is not None:
            return libc.Libc("glibc", version)
    for path in libc.musl_loader_paths(message.Architecture):
        try:
            client.read_file(ref, path, offset=0, length=4)
        except GatewayCallError:
            continue
        return libc.Libc("musl", (0, 0))
    return None


def check_reachable(client: LLBBridgeClient, fopts: FrontendOpts, image: str, platforms: Sequence[str]) -> str | None:
    """None when the registry serves ``image`` for every one of ``platforms``; else why not, in a
    few words."""
    for platform in platforms:
        try:
            client.resolve_image_config(
                image, platform=platform_message(platform), resolve_mode=fopts.opts.get("image-resolve-mode", "")
            )
        except GatewayCallError as err:
            return f"{platform}: " + str(err.status.message or err).splitlines()[0][:300]
    return None


def decide(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    result: TransformResult,
    catalog: prebuilt.Catalog | None,
    recipe: str | None,
) -> list[Decision]:
    """One decision per interpreter of ``result``, reading bases and the registry only as needed."""
    platforms = target_platforms(fopts)
    libc_cache: dict[tuple[str, str], libc.Libc | None] = {}
    reachable: dict[str, str | None] = {}
    decisions = []
    for use in result.interpreters:
        choice = prebuilt.choice_without_base(
            catalog,
            version=use.version,
            repository_setting=result.prebuilt_setting,
            custom_build=result.custom_build_settings,
            platform_flag=use.platform_flag,
        )
        if choice is None and not platforms:
            choice = prebuilt.Choice(None, f"CPython {use.version} is compiled: the target platform is unknown")
        if choice is None:
            found = set()
            for platform in platforms:
                key = (use.base_image, platform)
                if key not in libc_cache:
                    libc_cache[key] = read_libc(client, use.base_image, platform)
                found.add(libc_cache[key])
            base_libc = _least_capable(found)
            choice = prebuilt.choose(
                catalog,
                version=use.version,
                libc=base_libc,
                platforms=platforms,
                recipe=recipe,
                repository_setting=result.prebuilt_setting,
            )
            if choice.image is not None:
                if choice.image not in reachable:
                    reachable[choice.image] = check_reachable(client, fopts, choice.image, platforms)
                problem = reachable[choice.image]
                if problem is not None:
                    choice = prebuilt.Choice(
                        None, f"CPython {use.version} is compiled: the registry did not serve {choice.image}: {problem}"
                    )
        decisions.append(Decision(use, choice))
    return decisions


def _least_capable(found: set[libc.Libc | None]) -> libc.Libc | None:
    """What the base offers on every target platform: unknown if any is unknown, a non-glibc C
    library if any has one, else the oldest glibc."""
    if None in found:
        return None
    known = [lib for lib in found if lib is not None]
    others = sorted(lib for lib in known if lib.family != "glibc")
    if others:
        return others[0]
    return min(known, default=None)


def images(decisions: Iterable[Decision]) -> dict[tuple[str, str], str]:
    """What the transform takes as ``interpreter_images``."""
    return {(d.use.base_image, d.use.version): d.choice.image for d in decisions if d.choice.image is not None}


def announce(client: LLBBridgeClient, decisions: Sequence[Decision]) -> None:
    """One progress line per interpreter: a tiny vertex named after the decision (cached after
    the first build, so it costs a round trip).  Best effort."""
    for decision in decisions:
        line = f"astro-pyenv: {decision.choice.reason} (line {decision.use.line})"
        definition = llb.files_input(
            [llb.FileToWrite("astro-pyenv-interpreter", line.encode("utf-8", errors="replace"))],
            custom_name=f"[internal] {line}",
        )
        try:
            client.solve(definition, evaluate=True)
        except GatewayCallError as err:
            print(f"astro-pyenv: {line} ({err})", file=sys.stderr)
        print(line, file=sys.stderr)


def choose_images(
    client: LLBBridgeClient, fopts: FrontendOpts, result: TransformResult
) -> Mapping[tuple[str, str], str]:
    """Decide, announce, and return the prebuilt images the transform should use."""
    if not result.interpreters:
        return {}
    decisions = decide(client, fopts, result, load_catalog(), load_recipe())
    announce(client, decisions)
    return images(decisions)
