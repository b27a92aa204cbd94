"""Read the ONBUILD steps of the Astro Runtime images a build uses, from their image configs.

The transform replays them around the PYENV work (:func:`..astro_runtime.split_onbuild`); this
module only asks BuildKit for each image's config, for the build's target platforms.  Whatever
goes wrong here means "not read" (None): the transform then uses its own copy of the usual
steps, with a warning at the FROM line.  A build never fails here.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from ..contract import BaseImageUse
from .client import GatewayCallError, LLBBridgeClient
from .opts import FrontendOpts
from .platforms import platform_message, target_platforms


def read_onbuild(
    client: LLBBridgeClient, fopts: FrontendOpts, images: Iterable[BaseImageUse], *, can_resolve: bool = True
) -> dict[str, tuple[str, ...] | None]:
    """Each image's ``OnBuild`` list (empty when it has none), or None when it cannot be read.

    Every target platform is asked: their lists must agree, as one generated Dockerfile
    serves them all.  ``can_resolve`` is False when BuildKit lacks ResolveImageConfig.
    """
    found: dict[str, tuple[str, ...] | None] = {}
    for use in images:
        if use.image not in found:
            found[use.image] = _read(client, fopts, use.image) if can_resolve else None
    return found


def _read(client: LLBBridgeClient, fopts: FrontendOpts, image: str) -> tuple[str, ...] | None:
    platforms: list[str | None] = list(target_platforms(fopts)) or [None]
    lists = set()
    for platform in platforms:
        try:
            raw = client.resolve_image_config(
                image,
                platform=platform_message(platform) if platform else None,
                resolve_mode=fopts.opts.get("image-resolve-mode", ""),
                log_name=f"[internal] astro-pyenv: read the ONBUILD steps of {image}",
            )
            lists.add(_onbuild_list(json.loads(raw or b"{}")))
        except (GatewayCallError, ValueError) as err:
            print(f"astro-pyenv: could not read the ONBUILD steps of {image} ({platform}): {err}", file=sys.stderr)
            return None
    if len(lists) != 1:
        print(f"astro-pyenv: {image} has different ONBUILD steps per platform", file=sys.stderr)
        return None
    return lists.pop()


def _onbuild_list(config: Any) -> tuple[str, ...]:
    """``config.OnBuild`` of an image config, checked to be a list of strings."""
    if not isinstance(config, dict):
        raise ValueError("the image config is not a JSON object")
    inner = config.get("config")
    steps = inner.get("OnBuild") if isinstance(inner, dict) else None
    if steps is None:
        return ()
    if not isinstance(steps, list) or not all(isinstance(step, str) for step in steps):
        raise ValueError("OnBuild is not a list of strings")
    return tuple(steps)
