"""Read the configs of the images PYENV stages are built on; supply an image without its
ONBUILD steps as a build context.

What an image is decides how the transform uses it, not its name (:mod:`..astro_runtime`): an
Astro Runtime image is one by its config's labels, whether named as published, mirrored, pinned
by digest or through an ARG.  This module asks BuildKit for each base image's config, for the
build's target platforms (their configs must agree: one generated Dockerfile serves them all).
For each image the transform then builds on without its ONBUILD steps
(``TransformResult.onbuild_free``) it hands dockerfile.v0 a named build context: the very image,
pinned as it was read, with its config less ``OnBuild`` (``context:<name>`` = ``input:<input>``
and the config in ``input-metadata:<input>``, the way buildx bake hands one target to another).
Whatever goes wrong reading means "not read" (None): the transform then knows the image by
name only, and says so at the FROM line.  A build never fails here.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..contract import BaseImageUse, ImageConfig, OnbuildFreeBase
from ..errors import GatewayError
from . import llb
from .client import GatewayCallError, LLBBridgeClient
from .opts import FrontendOpts
from .platforms import platform_message, target_platforms
from .proto import ops_pb2

CONTEXT_OPT = "context:"
INPUT_METADATA_OPT = "input-metadata:"
IMAGE_CONFIG_KEY = "containerimage.config"  # BuildKit's exptypes.ExporterImageConfigKey
INPUT_PREFIX = "astro-pyenv-base-without-onbuild-"


@dataclass(frozen=True)
class PlatformRead:
    """The image for one platform (None: the worker's default): its reference, pinned to the
    digest read where BuildKit gave one, and its config JSON without ``OnBuild``."""

    platform: str | None
    ref: str
    config_without_onbuild: bytes


@dataclass(frozen=True)
class BaseRead:
    """A base image as read: what the transform is told, and what supplies it per platform."""

    config: ImageConfig
    platforms: tuple[PlatformRead, ...]


def read_bases(
    client: LLBBridgeClient, fopts: FrontendOpts, images: Iterable[BaseImageUse], *, can_resolve: bool = True
) -> dict[str, BaseRead | None]:
    """Each image as read, or None when it cannot be (``can_resolve`` is False when BuildKit
    lacks ResolveImageConfig; an image the user gave as a build context is not ours to read)."""
    found: dict[str, BaseRead | None] = {}
    for use in images:
        if use.image in found:
            continue
        if not can_resolve:
            found[use.image] = None
        elif _given_as_context(fopts, use.image):
            print(f"astro-pyenv: {use.image} is a build context of this build: its config is not read", file=sys.stderr)
            found[use.image] = None
        else:
            found[use.image] = _read(client, fopts, use.image)
    return found


def configs(reads: Mapping[str, BaseRead | None]) -> dict[str, ImageConfig | None]:
    """What the transform takes as ``base_configs``."""
    return {image: read.config if read is not None else None for image, read in reads.items()}


def named_contexts(
    reads: Mapping[str, BaseRead | None], onbuild_free: Sequence[OnbuildFreeBase], fopts: FrontendOpts
) -> tuple[dict[str, ops_pb2.Definition], dict[str, str]]:
    """The frontend inputs and options that give dockerfile.v0 each of ``onbuild_free``."""
    inputs: dict[str, ops_pb2.Definition] = {}
    opts: dict[str, str] = {}
    for n, use in enumerate(onbuild_free):
        read = reads.get(use.image)
        if read is None:  # the transform names only images it was given the config of
            raise GatewayError(f"astro-pyenv: {use.image} was not read, yet the generated Dockerfile needs it")
        for m, platform_read in enumerate(read.platforms):
            name = f"{INPUT_PREFIX}{n}-{m}"
            platform = platform_read.platform
            message = platform_message(platform) if platform else None
            label = f"[astro-pyenv] {use.image} without its ONBUILD steps" + (f" ({platform})" if platform else "")
            inputs[name] = llb.image_source(
                platform_read.ref,
                platform=_platform_dict(message),
                resolve_mode=fopts.opts.get("image-resolve-mode", ""),
                custom_name=label,
            )
            encoded = base64.b64encode(platform_read.config_without_onbuild).decode("ascii")
            opts[INPUT_METADATA_OPT + name] = json.dumps({IMAGE_CONFIG_KEY: encoded})
            if platform:
                opts[f"{CONTEXT_OPT}{use.context}::{platform}"] = f"input:{name}"
            if len(read.platforms) == 1:  # whatever spelling of the platform dockerfile.v0 asks with
                opts[CONTEXT_OPT + use.context] = f"input:{name}"
    return inputs, opts


def _platform_dict(message: ops_pb2.Platform | None) -> dict[str, str] | None:
    if message is None:
        return None
    return {"OS": message.OS, "Architecture": message.Architecture, "Variant": message.Variant}


def _given_as_context(fopts: FrontendOpts, image: str) -> bool:
    """Whether the build names ``image`` as a build context (``--build-context <image>=...``),
    which dockerfile.v0 then uses for it instead of the image."""
    wanted = llb.familiar_name(image)
    for key in fopts.opts:
        if key.startswith(CONTEXT_OPT) and key[len(CONTEXT_OPT) :].split("::", 1)[0] == wanted:
            return True
    return False


def _read(client: LLBBridgeClient, fopts: FrontendOpts, image: str) -> BaseRead | None:
    platforms: list[str | None] = list(target_platforms(fopts)) or [None]
    found: set[ImageConfig] = set()
    per_platform = []
    for platform in platforms:
        try:
            digest, raw = client.resolve_image(
                image,
                platform=platform_message(platform) if platform else None,
                resolve_mode=fopts.opts.get("image-resolve-mode", ""),
                log_name=f"[internal] astro-pyenv: read the config of {image}",
            )
            config = json.loads(raw or b"{}")
            found.add(_image_config(config))
            without_onbuild = _without_onbuild(config)
        except (GatewayCallError, ValueError, RecursionError) as err:  # JSON deeper than our stack
            print(f"astro-pyenv: could not read the config of {image} ({platform}): {err}", file=sys.stderr)
            return None
        ref = image if "@" in image or not digest else f"{image}@{digest}"
        per_platform.append(PlatformRead(platform, ref, without_onbuild))
    if len(found) != 1:
        print(f"astro-pyenv: {image}: ONBUILD, labels, WORKDIR, USER or SHELL differ per platform", file=sys.stderr)
        return None
    return BaseRead(found.pop(), tuple(per_platform))


def _image_config(config: Any) -> ImageConfig:
    """What the transform needs of an image config, checked to have the types Docker's have."""
    if not isinstance(config, dict):
        raise ValueError("the image config is not a JSON object")
    inner = config.get("config")
    if inner is None:
        inner = {}
    if not isinstance(inner, dict):
        raise ValueError("config is not a JSON object")
    labels = inner.get("Labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise ValueError("Labels is not an object of strings")
    return ImageConfig(
        onbuild=_strings(inner, "OnBuild"),
        labels=tuple(sorted(labels.items())),
        working_dir=_string(inner, "WorkingDir"),
        user=_string(inner, "User"),
        shell=_strings(inner, "Shell"),
    )


def _strings(inner: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = inner.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{key} is not a list of strings")
    return tuple(value)


def _string(inner: Mapping[str, Any], key: str) -> str:
    value = inner.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a string")
    return value


def _without_onbuild(config: Mapping[str, Any]) -> bytes:
    """The config JSON as dockerfile.v0 is to see it: everything but ``OnBuild``."""
    inner = {key: value for key, value in (config.get("config") or {}).items() if key != "OnBuild"}
    return json.dumps({**config, "config": inner}, separators=(",", ":")).encode()
