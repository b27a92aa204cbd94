"""Images from OCI registries without Docker: the distribution HTTP API, standard library only.

The CLI reads the prebuilt catalog of a frontend image (``--engine=buildah``) and fetches
interpreter images onto the host (``standalone``) through this package; nothing here runs in a
build.  Layers::

    reference   image references: registry, repository, tag, digest (docker.io rules)
    transport   the one HTTP call the client makes: a tiny interface, urllib behind it
    auth        anonymous or basic-auth bearer tokens, ~/.docker/config.json credentials
    client      manifests and blobs, every byte checked against its digest
    extract     a layer's files under a directory: only the paths asked for, nothing unsafe

Errors (one tree)::

    RegistryError           the registry did not serve what was asked, or served other bytes
    └── ExtractError        a layer holds an entry this tool refuses to write
"""

from __future__ import annotations

from .errors import ExtractError, RegistryError

__all__ = ["ExtractError", "RegistryError"]
