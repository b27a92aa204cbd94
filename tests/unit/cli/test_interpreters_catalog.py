"""interpreters/catalog.py: the JSON side of `make interpreters` (reuse check, catalog merge)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from astro_pyenv_frontend.prebuilt import parse_catalog

SCRIPT = Path(__file__).resolve().parents[3] / "interpreters" / "catalog.py"
RECIPE = "sha256:" + "a" * 64
DIGEST = "sha256:" + "d" * 64
BUILD = "PYTHON_CONFIGURE_OPTS=--enable-optimizations --with-lto"


@pytest.fixture(scope="module")
def helper() -> ModuleType:
    spec = importlib.util.spec_from_file_location("interpreters_catalog", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _config(recipe: str = RECIPE, build: str = BUILD) -> dict[str, Any]:
    labels = {"org.astro-pyenv.interpreter.recipe": recipe, "org.astro-pyenv.interpreter.build": build}
    return {"architecture": "amd64", "os": "linux", "config": {"Labels": labels}}


def _inspect(platforms: list[dict[str, str]], image: dict[str, Any]) -> dict[str, Any]:
    manifests = [{"digest": "sha256:" + "e" * 64, "platform": p} for p in platforms]
    return {"manifest": {"digest": DIGEST, "manifests": manifests}, "image": image}


AMD64 = {"os": "linux", "architecture": "amd64"}
ARM64 = {"os": "linux", "architecture": "arm64", "variant": "v8"}


def test_one_platform_index_with_same_labels_is_reused(helper: ModuleType) -> None:
    assert helper.reusable(_inspect([AMD64], _config()), RECIPE, BUILD, ["linux/amd64"]) == (True, DIGEST)


def test_several_platforms_each_checked(helper: ModuleType) -> None:
    image = {"linux/amd64": _config(), "linux/arm64/v8": _config(build="")}
    ok, why = helper.reusable(_inspect([AMD64, ARM64], image), RECIPE, BUILD, ["linux/amd64", "linux/arm64"])
    assert not ok and why == "linux/arm64/v8: label build is '', not '" + BUILD + "'"
    image["linux/arm64/v8"] = _config()
    assert helper.reusable(_inspect([AMD64, ARM64], image), RECIPE, BUILD, ["linux/amd64", "linux/arm64"])[0]


@pytest.mark.parametrize(
    ("inspect", "platforms", "why"),
    [
        (_inspect([AMD64], _config(recipe="sha256:" + "b" * 64)), ["linux/amd64"], "label recipe is"),
        (_inspect([AMD64], _config(build="")), ["linux/amd64"], "label build is ''"),
        (_inspect([AMD64], _config()), ["linux/amd64", "linux/arm64"], "the index lacks linux/arm64"),
        ({"manifest": {"digest": DIGEST, "config": {}}, "image": _config()}, ["linux/amd64"], "not a multi-platform"),
    ],
)
def test_not_reused(helper: ModuleType, inspect: dict[str, Any], platforms: list[str], why: str) -> None:
    ok, said = helper.reusable(inspect, RECIPE, BUILD, platforms)
    assert not ok and why in said


def _merge(helper: ModuleType, path: Path, **over: Any) -> None:
    entry = {
        "version": "3.9.2",
        "libc": "glibc 2.31",
        "os": "debian-11",
        "platforms": ["linux/amd64"],
        "recipe": RECIPE,
        "build": "",
        "tag": "3.9.2-glibc2.31-plain-aaaaaaaaaaaa",
        "digest": DIGEST,
    }
    entry.update(over)
    helper.merge(path, "127.0.0.1:5000/astro-pyenv/cpython", entry)


def test_merge_creates_then_replaces_same_key_and_keeps_others(helper: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "sub" / "catalog.json"
    _merge(helper, path)
    _merge(helper, path, version="3.13.5", tag="3.13.5-glibc2.31-plain-aaaaaaaaaaaa")
    _merge(helper, path, build=BUILD, digest="sha256:" + "f" * 64)  # another build of 3.9.2: kept beside
    _merge(helper, path, libc="glibc 2.36", os="debian-12", digest="sha256:" + "c" * 64)  # on another glibc: beside
    _merge(helper, path, digest="sha256:" + "e" * 64)  # same version, glibc, recipe and build: replaced
    catalog = parse_catalog(path.read_text())
    assert catalog.repository == "127.0.0.1:5000/astro-pyenv/cpython"
    assert [(e.version, str(e.libc), e.build, e.digest[-1]) for e in catalog.entries] == [
        ("3.13.5", "glibc 2.31", "", "d"),
        ("3.9.2", "glibc 2.31", "", "e"),
        ("3.9.2", "glibc 2.31", BUILD, "f"),
        ("3.9.2", "glibc 2.36", "", "c"),
    ]
    assert path.stat().st_mode & 0o777 == 0o644
    # An entry of another recipe (a newer frontend's scripts) leaves only its own recipe's.
    _merge(helper, path, recipe="sha256:" + "9" * 64, digest="sha256:" + "9" * 64)
    assert [e.recipe for e in parse_catalog(path.read_text()).entries] == ["sha256:" + "9" * 64]


def test_merge_refuses_what_the_frontend_could_not_read(helper: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    with pytest.raises(ValueError, match="digest"):
        _merge(helper, path, digest="latest")
    assert not path.exists()
    path.write_text(json.dumps({"interpreters": []}))
    with pytest.raises(ValueError):
        _merge(helper, path)


def test_os_key_command(helper: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'))
    assert helper.main(["os-key"]) == 0
    assert capsys.readouterr().out == "debian-12\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO("ID=debian\n"))
    assert helper.main(["os-key"]) == 1


def test_a_reused_index_is_recorded_with_every_platform_it_holds(helper: ModuleType) -> None:
    """An amd64-only run reusing an amd64+arm64 index must not drop arm64 from the catalog."""
    inspect = _inspect([AMD64, ARM64], {"linux/amd64": _config(), "linux/arm64/v8": _config()})
    assert helper.index_platforms(inspect) == ["linux/amd64", "linux/arm64"]


def test_merge_into_a_catalog_of_an_older_recipe_says_what_to_do(
    helper: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catalogs keyed by OS release (no libc) cannot be extended: one clear line, exit 1."""
    path = tmp_path / "catalog.json"
    old = {"version": "3.9.2", "os": "debian-12", "platforms": ["linux/amd64"], "recipe": RECIPE, "tag": "t",
           "digest": DIGEST}  # fmt: skip
    path.write_text(json.dumps({"repository": "r", "interpreters": [old]}))
    args = ["merge", str(path), "--repository", "r", "--version", "3.9.2", "--libc", "glibc 2.31",
            "--os", "debian-11", "--platforms", "linux/amd64", "--recipe", RECIPE, "--build", "",
            "--tag", "t", "--digest", DIGEST]  # fmt: skip
    assert helper.main(args) == 1
    assert "remove it and build again" in capsys.readouterr().err


def test_a_release_builds_the_newest_patch_of_every_maintained_series(helper: ModuleType) -> None:
    from astro_pyenv_frontend.versions import load_bundled_versions

    versions = helper.release_versions()
    known = set(load_bundled_versions())
    assert set(versions) <= known
    series = [v[: v.index(".", 2)] + ("t" if v.endswith("t") else "") for v in versions]
    assert series == ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.13t", "3.14t"]
    for version in versions:  # no newer final release of the same series is known
        base = version.rstrip("t")
        major, minor, micro = (int(p) for p in base.split("."))
        newer = f"{major}.{minor}.{micro + 1}" + ("t" if version.endswith("t") else "")
        assert newer not in known, newer
