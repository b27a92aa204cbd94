"""Small files read from an image's top layers, without unpacking the image.

Layers are read newest first, so a file's newest version wins; a whiteout above it means it
was deleted.  Reading stops at the layer that holds ``stop_at``, or once ``budget`` bytes of
layers were read: the files asked for are expected in small layers near the top.
"""

from __future__ import annotations

import posixpath
import tarfile
import tempfile
from collections.abc import Sequence
from typing import IO

from .client import Manifest, RegistryClient
from .errors import RegistryError
from .reference import Reference

__all__ = ["read_files"]

MAX_FILE = 4 << 20


def read_files(
    client: RegistryClient,
    ref: Reference,
    manifest: Manifest,
    paths: Sequence[str],
    *,
    stop_at: str,
    budget: int = 64 << 20,
) -> dict[str, bytes | None]:
    """The content of each of ``paths`` (no leading ``/``), None for one the image lacks."""
    found: dict[str, bytes | None] = {}
    spent = 0
    for layer in reversed(manifest.layers()):
        if stop_at in found:
            break
        spent += layer.size
        if spent > budget:
            raise RegistryError(f"{ref}: {stop_at} is not in its top {budget >> 20} MiB of layers")
        with tempfile.TemporaryFile() as blob:
            client.blob(ref, layer, blob)
            blob.seek(0)
            _scan(blob, layer.media_type, paths, found)
    return {path: found.get(path) for path in paths}


def _scan(blob: IO[bytes], media_type: str, paths: Sequence[str], found: dict[str, bytes | None]) -> None:
    if "zstd" in media_type:
        raise RegistryError(f"a layer is compressed with zstd ({media_type}), which this tool cannot read")
    wanted = {path: path for path in paths if path not in found}
    whiteouts = {posixpath.join(posixpath.dirname(p), ".wh." + posixpath.basename(p)): p for p in wanted}
    this_layer: dict[str, bytes | None] = {}
    try:
        with tarfile.open(fileobj=blob, mode="r:*") as archive:
            for member in archive:
                name = posixpath.normpath(member.name.removeprefix("./"))
                if name in whiteouts:
                    this_layer.setdefault(whiteouts[name], None)
                elif name in wanted and member.isreg():
                    if member.size > MAX_FILE:
                        raise RegistryError(f"{name} in the image has {member.size} bytes, more than {MAX_FILE}")
                    data = archive.extractfile(member)
                    assert data is not None
                    this_layer[name] = data.read()
    except tarfile.TarError as err:
        raise RegistryError(f"a layer is not a readable tar archive: {err}") from None
    found.update(this_layer)
