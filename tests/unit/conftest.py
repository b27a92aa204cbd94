"""No unit test reaches a registry: the real transport is replaced by one that refuses.

Tests of the registry client hand it the in-process fake (tests/unit/oci/fake_registry.py).
"""

from __future__ import annotations

import pytest

from astro_pyenv_frontend.oci import RegistryError
from astro_pyenv_frontend.oci.transport import Request, Response, UrllibTransport


@pytest.fixture(autouse=True)
def _no_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: UrllibTransport, request: Request) -> Response:
        host = request.url.split("://", 1)[-1].split("/", 1)[0]
        raise RegistryError(f"cannot reach {host}: unit tests reach no registry")

    monkeypatch.setattr(UrllibTransport, "send", refuse)
