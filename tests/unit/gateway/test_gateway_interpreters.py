"""Prebuilt or compiled, as the gateway decides it against the fake bridge: what it reads, what it
asks the registry, and the one progress line per interpreter."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from fake_libc import libc_so

from astro_pyenv_frontend import prebuilt
from astro_pyenv_frontend.contract import InterpreterUse, TransformOptions, TransformResult
from astro_pyenv_frontend.gateway import interpreters, platforms
from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.opts import FrontendOpts
from astro_pyenv_frontend.gateway.proto import ops_pb2
from astro_pyenv_frontend.libc import Libc
from astro_pyenv_frontend.transform import transform

from fake_bridge import FakeBridge

DIGEST = "sha256:" + "cd" * 32
RECIPE = "sha256:" + "ef" * 32
REPO = "127.0.0.1:5000/astro-pyenv/cpython"
IMAGE = f"{REPO}:3.13.5-glibc2.31@{DIGEST}"
# What a base's C library looks like to the gateway: Debian's multiarch libc.so.6.
BOOKWORM = {"lib/x86_64-linux-gnu/libc.so.6": libc_so((2, 36))}
BOOKWORM_ARM64 = {"usr/lib/aarch64-linux-gnu/libc.so.6": libc_so((2, 36))}  # /usr/lib: merged /usr
BUSTER = {"lib/x86_64-linux-gnu/libc.so.6": libc_so((2, 28))}
FEDORA = {"lib64/libc.so.6": libc_so((2, 40))}
ALPINE = {"lib/ld-musl-x86_64.so.1": b"\x7fELF musl"}


@pytest.fixture(autouse=True)
def fresh_catalog() -> None:
    interpreters.load_catalog.cache_clear()  # read once per process: each test is one


@pytest.fixture
def catalog() -> prebuilt.Catalog:
    return prebuilt.Catalog(
        repository=REPO,
        entries=(
            prebuilt.Entry(
                version="3.13.5",
                libc=Libc("glibc", (2, 31)),
                os="debian-11",
                platforms=("linux/amd64",),
                recipe=RECIPE,
                build="--enable-optimizations --with-lto",
                tag="3.13.5-glibc2.31",
                digest=DIGEST,
            ),
        ),
    )


def _result(text: str, **build_args: str) -> TransformResult:
    return transform(text, TransformOptions(frontend_image="f:1", build_args=build_args))


def _opts(**extra: str) -> FrontendOpts:
    opts = {"source": "f:1", "platform": "linux/amd64"}
    opts.update(extra)
    return FrontendOpts(opts=opts)


def _announced(bridge: FakeBridge) -> list[str]:
    names = []
    for request in bridge.calls("Solve"):
        for meta in request.Definition.metadata.values():
            name = meta.description.get("llb.customname", "")
            if name.startswith("[internal] astro-pyenv: ") and " C library of " not in name:
                names.append(name)
    return names


def test_a_matching_base_gets_the_pinned_image_and_says_so(
    bridge: FakeBridge, client: LLBBridgeClient, catalog: prebuilt.Catalog
) -> None:
    bridge.images["docker.io/library/python:3.12-slim linux/amd64"] = BOOKWORM
    bridge.image_configs[IMAGE] = {}
    result = _result("FROM python:3.12-slim\nPYENV 3.13.5 a\nPYENV 3.9.2 b\n")
    decisions = interpreters.decide(client, _opts(), result, catalog, RECIPE)
    assert [d.choice.image for d in decisions] == [IMAGE, None]
    assert interpreters.images(decisions) == {("python:3.12-slim", "3.13.5"): IMAGE}
    # the base was read once, for the target platform, and the pinned image asked for once
    sources = [
        ops_pb2.Op.FromString(d)
        for r in bridge.calls("Solve")
        for d in getattr(r.Definition, "def")
        if ops_pb2.Op.FromString(d).WhichOneof("op") == "source"
    ]
    assert [(s.source.identifier, s.platform.Architecture) for s in sources] == [
        ("docker-image://docker.io/library/python:3.12-slim", "amd64")
    ]
    assert [(r.Ref, r.Platform.Architecture) for r in bridge.calls("ResolveImageConfig")] == [(IMAGE, "amd64")]
    interpreters.announce(client, decisions)
    lines = _announced(bridge)
    assert len(lines) == 2
    assert "CPython 3.13.5: prebuilt for glibc 2.31+ (linux/amd64)" in lines[0] and "(line 2)" in lines[0]
    assert "CPython 3.9.2 is compiled: no prebuilt image of this version (line 3)" in lines[1]


@pytest.mark.parametrize(
    ("files", "image"),
    [
        ({"lib/x86_64-linux-gnu/libc.so.6": libc_so((2, 41))}, IMAGE),  # Debian 13
        ({"usr/lib/x86_64-linux-gnu/libc.so.6": libc_so((2, 31))}, IMAGE),  # Debian 11, the floor
        (FEDORA, IMAGE),  # another distribution with a new enough glibc
    ],
)
def test_any_base_with_a_new_enough_glibc_gets_the_image(
    bridge: FakeBridge, client: LLBBridgeClient, catalog: prebuilt.Catalog, files: dict[str, bytes], image: str
) -> None:
    bridge.images["docker.io/library/some-base:1"] = files
    bridge.image_configs[IMAGE] = {}
    decisions = interpreters.decide(client, _opts(), _result("FROM some-base:1\nPYENV 3.13.5 a\n"), catalog, RECIPE)
    assert decisions[0].choice.image == image


@pytest.mark.parametrize(
    ("files", "why"),
    [
        (BUSTER, "the base has glibc 2.28; prebuilt images of 3.13.5 need glibc 2.31 or newer"),
        (ALPINE, "the base image's C library is musl"),
        ({"etc/os-release": b"ID=debian\n"}, "C library could not be read"),
        ({"lib/x86_64-linux-gnu/libc.so.6": b"not an ELF file"}, "C library could not be read"),
    ],
)
def test_an_older_glibc_or_another_c_library_is_compiled(
    bridge: FakeBridge, client: LLBBridgeClient, catalog: prebuilt.Catalog, files: dict[str, bytes], why: str
) -> None:
    bridge.images["docker.io/library/some-base:1"] = files
    bridge.image_configs[IMAGE] = {}
    decisions = interpreters.decide(client, _opts(), _result("FROM some-base:1\nPYENV 3.13.5 a\n"), catalog, RECIPE)
    assert decisions[0].choice.image is None
    assert why in decisions[0].choice.reason, decisions[0].choice.reason
    assert bridge.calls("ResolveImageConfig") == []


def test_an_engine_that_ignores_read_ranges_gets_the_same_answer(
    bridge: FakeBridge, client: LLBBridgeClient, catalog: prebuilt.Catalog
) -> None:
    bridge.honour_ranges = False
    bridge.images["docker.io/library/python:3.12-slim"] = BOOKWORM
    bridge.image_configs[IMAGE] = {}
    decisions = interpreters.decide(client, _opts(), _result("FROM python:3.12-slim\nPYENV 3.13.5 a\n"), catalog, RECIPE)
    assert decisions[0].choice.image == IMAGE


def test_a_registry_that_does_not_serve_the_digest_means_a_compile(
    bridge: FakeBridge, client: LLBBridgeClient, catalog: prebuilt.Catalog
) -> None:
    bridge.images["docker.io/library/python:3.12-slim"] = BOOKWORM
    decisions = interpreters.decide(client, _opts(), _result("FROM python:3.12-slim\nPYENV 3.13.5 a\n"), catalog, RECIPE)
    assert decisions[0].choice.image is None
    assert f"the registry did not serve {IMAGE}" in decisions[0].choice.reason


def test_nothing_is_read_when_the_answer_cannot_depend_on_the_base(
    bridge: FakeBridge, client: LLBBridgeClient, catalog: prebuilt.Catalog
) -> None:
    text = "FROM python:3.12-slim\nPYENV 3.13.5 a\n"
    for result in (
        _result(text, ASTRO_PYENV_PREBUILT="off"),
        _result(text, PYTHON_CONFIGURE_OPTS="--enable-shared"),
        _result("FROM --platform=linux/arm64 python:3.12-slim\nPYENV 3.13.5 a\n"),
    ):
        decisions = interpreters.decide(client, _opts(), result, catalog, RECIPE)
        assert decisions[0].choice.image is None
    assert interpreters.decide(client, _opts(), _result(text), None, RECIPE)[0].choice.image is None
    assert bridge.calls("Solve") == [] and bridge.calls("ReadFile") == []


def test_every_target_platform_must_be_in_the_image(
    bridge: FakeBridge, client: LLBBridgeClient, catalog: prebuilt.Catalog
) -> None:
    bridge.images["docker.io/library/python:3.12-slim"] = {**BOOKWORM, **BOOKWORM_ARM64}
    bridge.image_configs[IMAGE] = {}
    opts = _opts(platform="linux/amd64,linux/arm64/v8")
    decisions = interpreters.decide(client, opts, _result("FROM python:3.12-slim\nPYENV 3.13.5 a\n"), catalog, RECIPE)
    assert "not linux/amd64, linux/arm64" in decisions[0].choice.reason


def test_a_build_for_another_platform_asks_about_that_platform(
    bridge: FakeBridge, client: LLBBridgeClient, catalog: prebuilt.Catalog
) -> None:
    """docker build --platform linux/arm64 on an amd64 engine (astro deploy on Apple Silicon, the
    other way round): the base is read and the pinned image checked for arm64, never amd64."""
    arm64 = replace(catalog, entries=tuple(replace(e, platforms=("linux/arm64",)) for e in catalog.entries))
    bridge.images["docker.io/library/python:3.12-slim linux/arm64"] = BOOKWORM_ARM64
    bridge.image_configs[f"{IMAGE} linux/arm64"] = {}
    result = _result("FROM python:3.12-slim\nPYENV 3.13.5 a\n")
    decisions = interpreters.decide(client, _opts(platform="linux/arm64"), result, arm64, RECIPE)
    assert decisions[0].choice.image == IMAGE
    assert [(r.Ref, r.Platform.Architecture) for r in bridge.calls("ResolveImageConfig")] == [(IMAGE, "arm64")]
    # the same catalog on an amd64 build: nothing for amd64 there
    amd64 = interpreters.decide(client, _opts(), result, arm64, RECIPE)
    assert amd64[0].choice.image is None


def test_the_default_platform_is_the_workers() -> None:
    workers = ({"ID": "w", "Platforms": [{"OS": "linux", "Architecture": "arm64", "Variant": "v8"}]},)
    assert platforms.target_platforms(FrontendOpts(opts={}, workers=workers)) == ["linux/arm64"]
    assert platforms.target_platforms(FrontendOpts(opts={"platform": "linux/arm/v7"})) == ["linux/arm/v7"]
    assert platforms.target_platforms(FrontendOpts(opts={})) == []


def test_catalog_and_recipe_come_from_the_image_and_the_default_repository_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"repository": "a/b", "interpreters": []}))
    (tmp_path / "recipe").write_text(RECIPE + "\n")
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_CATALOG", str(path))
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_RECIPE", str(tmp_path / "recipe"))
    monkeypatch.setenv(interpreters.REPOSITORY_ENV, "registry.example/team/cpython")
    catalog = interpreters.load_catalog()
    assert catalog is not None and catalog.repository == "registry.example/team/cpython"
    assert interpreters.load_recipe() == RECIPE
    path.write_text("{broken")
    interpreters.load_catalog.cache_clear()
    assert interpreters.load_catalog() is None  # a broken catalog means compiling, not a failed build
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_CATALOG", str(tmp_path / "absent.json"))
    interpreters.load_catalog.cache_clear()
    assert interpreters.load_catalog() is None


@pytest.mark.parametrize(
    "text",
    [
        '{"repository": "a/b", "interpreters": 5}',
        '{"repository": "a/b", "interpreters": [{"version": 3}]}',
        b'\xff{}',
    ],
)
def test_a_catalog_of_the_wrong_shape_means_compiling_said_once(
    text: str | bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22.12: "interpreters": 5 raised TypeError past the gateway's handler (a failed build)."""
    path = tmp_path / "catalog.json"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_CATALOG", str(path))
    assert interpreters.load_catalog() is None
    assert "astro-pyenv: prebuilt catalog unreadable, compiling: " in capsys.readouterr().err


def test_a_default_repository_that_is_no_repository_means_compiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"repository": "a/b", "interpreters": []}))
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_CATALOG", str(path))
    monkeypatch.setenv(interpreters.REPOSITORY_ENV, "registry.example/x\nRUN evil")
    assert interpreters.load_catalog() is None


def test_interpreter_use_carries_what_decide_needs() -> None:
    result = _result("FROM python:3.12-slim AS a\nPYENV 3.13.5 x\nFROM a\nPYENV 3.13.5 y\n")
    assert result.interpreters == (InterpreterUse("python:3.12-slim", "3.13.5", 2),)


def test_a_build_hands_on_the_dockerfile_with_the_prebuilt_stage(
    bridge: FakeBridge, client: LLBBridgeClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from astro_pyenv_frontend.gateway import build
    from astro_pyenv_frontend.gateway.proto import gateway_pb2

    path = tmp_path / "catalog.json"
    entry = {
        "version": "3.13.5", "libc": "glibc 2.31", "platforms": ["linux/amd64"], "recipe": RECIPE,
        "tag": "3.13.5-glibc2.31", "digest": DIGEST,
    }
    path.write_text(json.dumps({"repository": REPO, "interpreters": [entry]}))
    (tmp_path / "recipe").write_text(RECIPE)
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_CATALOG", str(path))
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_RECIPE", str(tmp_path / "recipe"))
    monkeypatch.delenv(interpreters.REPOSITORY_ENV, raising=False)
    user = b"# syntax=f:1\nFROM python:3.12-slim\nPYENV 3.13.5 a\nPYENV 3.9.2 b\n"
    bridge.locals["dockerfile"] = {"Dockerfile": user}
    bridge.images["docker.io/library/python:3.12-slim"] = BOOKWORM
    bridge.image_configs[IMAGE] = {}
    bridge.frontend_result = gateway_pb2.Result(ref=gateway_pb2.Ref(id="final"))

    assert build.run(client, _opts()) == 0

    (request,) = [r for r in bridge.calls("Solve") if r.Frontend]
    handed = FakeBridge()._evaluate(request.FrontendInputs["dockerfile"])["Dockerfile"].decode()
    assert f"COPY --link --from={IMAGE} /opt/astro-pyenv/ /opt/astro-pyenv/\n" in handed
    assert 'build-python.sh", "3.9.2"]' in handed and 'build-python.sh", "3.13.5"]' not in handed
    assert len(_announced(bridge)) == 2
