"""The build's target platforms, as BuildKit names them.

A build may target another platform than the one BuildKit runs on (``docker build --platform
linux/arm64`` on an amd64 machine, or ``astro deploy`` on Apple Silicon): whatever the frontend
asks the engine about a base image must be asked for the target platform, not the worker's own.
"""

from __future__ import annotations

from .opts import FrontendOpts
from .proto import ops_pb2


def normalize_platform(value: str) -> str:
    """``linux/arm64/v8`` -> ``linux/arm64``, ``linux/amd64/v2`` -> ``linux/amd64`` (the index
    entries' names); other variants (``linux/arm/v7``) stay."""
    parts = value.strip().lower().split("/")
    if len(parts) == 3 and (parts[1], parts[2]) in {("arm64", "v8"), ("amd64", "v1"), ("amd64", "v2"), ("amd64", "v3")}:
        parts = parts[:2]
    return "/".join(parts)


def target_platforms(fopts: FrontendOpts) -> list[str]:
    """The platforms this build is for: ``--platform``, else the first worker's default."""
    requested = [p for p in fopts.opts.get("platform", "").split(",") if p.strip()]
    if requested:
        return [normalize_platform(p) for p in requested]
    for worker in fopts.workers:
        if not isinstance(worker, dict):
            continue
        for platform in worker.get("platforms") or worker.get("Platforms") or []:
            os_name = platform.get("os") or platform.get("OS") or ""
            arch = platform.get("architecture") or platform.get("Architecture") or ""
            variant = platform.get("variant") or platform.get("Variant") or ""
            if os_name and arch:
                return [normalize_platform("/".join(p for p in (os_name, arch, variant) if p))]
    return []


def platform_message(platform: str) -> ops_pb2.Platform:
    """``linux/arm64`` as the gateway API's Platform message."""
    os_name, _, rest = platform.partition("/")
    arch, _, variant = rest.partition("/")
    return ops_pb2.Platform(OS=os_name, Architecture=arch, Variant=variant)
