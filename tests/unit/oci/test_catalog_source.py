"""Where the CLI reads the prebuilt catalog: the frontend image's own files, from its registry
over the distribution API (only its small top layers), or a --catalog copy (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astro_pyenv_frontend.catalog_source import offer_for
from astro_pyenv_frontend.oci.client import RegistryClient
from astro_pyenv_frontend.prebuilt_offer import choose_for_unseen_base

from fake_registry import FakeRegistry, entry, layer

RECIPE = "sha256:" + "12" * 32
CATALOG = {
    "repository": "registry.example/astro-pyenv/cpython",
    "interpreters": [
        {
            "version": "3.9.2", "libc": "glibc 2.31", "os": "debian-11", "platforms": ["linux/amd64"],
            "recipe": RECIPE, "build": "", "tag": "3.9.2-glibc2.31", "digest": "sha256:" + "ab" * 32,
        }
    ],
}  # fmt: skip
PREBUILT = "opt/astro-pyenv/prebuilt/"


def _frontend(
    registry: FakeRegistry, *, catalog: bool = True, env: list[str] | None = None, capable: bool = True
) -> list[bytes]:
    """A frontend image as Dockerfile.frontend layers it: big layers, the recipe, the catalog."""
    layers = [
        layer(("usr/lib/big", b"\0" * 4096)),
        layer(entry(PREBUILT), (PREBUILT + "recipe", RECIPE.encode() + b"\n")),
        layer((PREBUILT + "catalog.json", json.dumps(CATALOG).encode())) if catalog else layer(),
    ]
    labels = {"org.astro-pyenv.buildah-prebuilt": "1"} if capable else {}
    amd64 = registry.image("astro-pyenv/frontend", layers, env=env, labels=labels)
    arm64 = registry.image("astro-pyenv/frontend", layers, env=env, labels=labels)
    registry.index("astro-pyenv/frontend", {"linux/amd64": amd64, "linux/arm64": arm64}, tag="1.0")
    return layers


def test_the_catalog_recipe_and_default_repository_come_from_the_image_s_top_layers() -> None:
    registry = FakeRegistry(auth="bearer")
    layers = _frontend(registry, env=["PATH=/usr/bin", "ASTRO_PYENV_PREBUILT_REPOSITORY=mirror.example/cpython"])
    offer = offer_for("registry.example/astro-pyenv/frontend:1.0", client=RegistryClient(registry))
    assert offer.catalog is not None and offer.recipe == RECIPE
    assert offer.catalog.repository == "mirror.example/cpython"
    assert offer.versions == ("3.9.2",)
    assert offer.origin == "the catalog of registry.example/astro-pyenv/frontend:1.0"
    from fake_registry import digest_of

    fetched = {r.url.rsplit("/", 1)[-1] for r in registry.requests}
    assert digest_of(layers[0]) not in fetched  # the big base layers are never downloaded


def test_an_image_without_catalog_or_an_unreachable_registry_is_said() -> None:
    registry = FakeRegistry()
    _frontend(registry, catalog=False)
    offer = offer_for("registry.example/astro-pyenv/frontend:1.0", client=RegistryClient(registry))
    assert offer.catalog is None and not offer.unreachable
    assert offer.problem == "the frontend image registry.example/astro-pyenv/frontend:1.0 holds no prebuilt catalog"
    offer = offer_for("elsewhere.example/frontend:1", client=RegistryClient(registry))
    assert offer.catalog is None and offer.unreachable
    assert offer.problem.startswith("the catalog of elsewhere.example/frontend:1 could not be read: elsewhere.example")


def test_a_frontend_image_whose_fit_script_cannot_check_the_glibc_offers_nothing() -> None:
    """Its fit step would take --glibc=2.31 for the version, and skip both the check and the fit."""
    registry = FakeRegistry()
    _frontend(registry, capable=False)
    offer = offer_for("registry.example/astro-pyenv/frontend:1.0", client=RegistryClient(registry))
    assert offer.catalog is not None and not offer.checks_glibc  # the host uses its own fit script
    chosen = choose_for_unseen_base(offer, version="3.9.2", repository_setting="")
    assert chosen.image is None
    assert chosen.reason == (
        "CPython 3.9.2 is compiled: its fit step cannot check the base's glibc (the catalog of"
        " registry.example/astro-pyenv/frontend:1.0 is older)"
    )


def test_a_catalog_copy_is_read_with_the_recipe_beside_it_if_any(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASTRO_PYENV_PREBUILT_CATALOG", raising=False)
    (tmp_path / "catalog.json").write_text(json.dumps(CATALOG))
    alone = offer_for("unused:1", str(tmp_path / "catalog.json"))
    assert alone.catalog is not None and alone.recipe is None  # not held to a recipe
    (tmp_path / "recipe").write_text(RECIPE + "\n")
    copy = offer_for("unused:1", str(tmp_path))
    assert copy.recipe == RECIPE and copy.origin == f"--catalog {tmp_path}"
    missing = offer_for("unused:1", str(tmp_path / "nothing"))
    assert missing.catalog is None and "no catalog at" in missing.problem
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_CATALOG", str(tmp_path / "catalog.json"))
    assert offer_for("unused:1").origin == "$ASTRO_PYENV_PREBUILT_CATALOG"
