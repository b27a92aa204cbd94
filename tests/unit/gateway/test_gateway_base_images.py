"""The gateway reads the configs of the images PYENV stages are built on; the transform decides by
what an image is, not by its name, and the gateway hands dockerfile.v0 an Astro Runtime image
without its ONBUILD steps as a named build context (issues 15.5 and 22.14).  End to end against
the fake bridge, with the real transform."""

from __future__ import annotations

import base64
import json

import pytest

from astro_pyenv_frontend import layout
from astro_pyenv_frontend.contract import BaseImageUse, ImageConfig
from astro_pyenv_frontend.gateway import base_images, build, llb
from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.opts import FrontendOpts
from astro_pyenv_frontend.gateway.proto import gateway_pb2, ops_pb2

from fake_bridge import FakeBridge

IMAGE = "quay.io/astronomer/astro-runtime:13.99.0-onbuildtest"
STEPS = ["COPY packages.txt .", "RUN echo pre-onbuild", "COPY --chown=astro:0 . .", "RUN echo post-onbuild"]
LABELS = {"io.astronomer.docker": "true", "io.astronomer.docker.airflow.version": "2.10.5"}
CONFIG = {
    "architecture": "amd64",
    "config": {"OnBuild": STEPS, "Labels": LABELS, "WorkingDir": "/usr/local/airflow", "User": "astro"},
}
CONTEXT = layout.ONBUILD_FREE_CONTEXT
DIGEST = "sha256:" + "0" * 64  # what the fake bridge resolves every image to


def _user(image: str, above: str = "") -> bytes:
    return f"# syntax=f:1\nFROM {image}\n{above}PYENV 3.12 py\nCOPY dags/ dags/\n".encode()


def _opts(**extra: str) -> FrontendOpts:
    opts = {"source": "f:1", "platform": "linux/amd64", "image-resolve-mode": "default"}
    opts.update(extra)
    return FrontendOpts(opts=opts)


def _forwarded(bridge: FakeBridge) -> gateway_pb2.SolveRequest:
    (request,) = [r for r in bridge.calls("Solve") if r.Frontend]
    return request


def _handed(bridge: FakeBridge) -> str:
    return FakeBridge()._evaluate(_forwarded(bridge).FrontendInputs["dockerfile"])["Dockerfile"].decode()


def _source(definition: ops_pb2.Definition) -> ops_pb2.Op:
    op = ops_pb2.Op()
    for data in getattr(definition, "def"):
        if llb.op_digest(data) == llb.head_digest(definition):
            op.ParseFromString(data)
    return op


@pytest.fixture
def ready(bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch) -> FakeBridge:
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_CATALOG", "/nonexistent/catalog.json")
    bridge.locals["dockerfile"] = {"Dockerfile": _user(IMAGE)}
    bridge.frontend_result = gateway_pb2.Result(ref=gateway_pb2.Ref(id="final"))
    return bridge


def test_the_image_config_steps_are_handed_on_around_the_pyenv_work(ready: FakeBridge, client: LLBBridgeClient) -> None:
    ready.image_configs[f"{IMAGE} linux/amd64"] = CONFIG
    assert build.run(client, _opts()) == 0
    handed = _handed(ready)
    pre, post = handed.index("echo pre-onbuild"), handed.index("echo post-onbuild")
    assert handed.index(f"FROM {CONTEXT} AS stage-0-pyenv-0") < pre < handed.index("ENV ASTRO_PYENV_py=") < post
    assert post < handed.index("COPY dags/ dags/")
    assert f"FROM {CONTEXT} AS pyenv-python-" in handed, "the interpreter is compiled without the ONBUILD steps"
    assert "install-python-dependencies" not in handed
    asked = [(r.Ref, r.Platform.Architecture) for r in ready.calls("ResolveImageConfig")]
    assert (IMAGE, "amd64") in asked
    assert not ready.calls("Warn")


def test_the_image_without_its_onbuild_steps_is_a_named_context_of_the_very_image(
    ready: FakeBridge, client: LLBBridgeClient
) -> None:
    """dockerfile.v0 gets ``context:<name>`` = ``input:<input>``: the image pinned to the digest
    it was read at, with its config (everything but OnBuild) in ``input-metadata:<input>``."""
    ready.image_configs[f"{IMAGE} linux/amd64"] = CONFIG
    assert build.run(client, _opts(**{"image-resolve-mode": "local"})) == 0
    request = _forwarded(ready)
    name = request.FrontendOpt[f"context:{CONTEXT}::linux/amd64"].removeprefix("input:")
    assert request.FrontendOpt[f"context:{CONTEXT}"] == f"input:{name}"
    source = _source(request.FrontendInputs[name])
    assert source.source.identifier == f"docker-image://{IMAGE}@{DIGEST}"
    assert source.source.attrs["image.resolvemode"] == "local"
    assert (source.platform.OS, source.platform.Architecture) == ("linux", "amd64")
    metadata = json.loads(request.FrontendOpt[f"input-metadata:{name}"])
    config = json.loads(base64.b64decode(metadata["containerimage.config"]))
    assert config == {"architecture": "amd64", "config": {k: v for k, v in CONFIG["config"].items() if k != "OnBuild"}}


@pytest.mark.parametrize(
    ("image", "dockerfile_image", "build_args"),
    [
        ("registry.corp/astro-runtime:13.0.0", "registry.corp/astro-runtime:13.0.0", {}),  # a mirror
        (f"quay.io/astronomer/astro-runtime:13.0.0@{DIGEST}", f"quay.io/astronomer/astro-runtime:13.0.0@{DIGEST}", {}),
        ("registry.corp/airflow:prod", "${RUNTIME}", {"build-arg:RUNTIME": "registry.corp/airflow:prod"}),
    ],
)
def test_an_astro_runtime_image_is_known_by_its_config_whatever_its_name(
    ready: FakeBridge, client: LLBBridgeClient, image: str, dockerfile_image: str, build_args: dict[str, str]
) -> None:
    """Issue 22.14: mirrored, digest-pinned or named by an ARG, the image's labels say what it is,
    and its project copy still comes after the PYENV work."""
    arg = "ARG RUNTIME\n" if build_args else ""
    ready.locals["dockerfile"] = {"Dockerfile": f"# syntax=f:1\n{arg}FROM {dockerfile_image}\nPYENV 3.12 py\n".encode()}
    ready.image_configs[image] = CONFIG
    assert build.run(client, _opts(**build_args)) == 0
    handed = _handed(ready)
    assert handed.index(f"FROM {CONTEXT} AS stage-0-pyenv-0") < handed.index("ENV ASTRO_PYENV_py=")
    assert handed.index("ENV ASTRO_PYENV_py=") < handed.index("COPY --chown=astro:0 . .")
    name = _forwarded(ready).FrontendOpt[f"context:{CONTEXT}"].removeprefix("input:")
    pinned = image if "@" in image else f"{image}@{DIGEST}"
    assert _source(_forwarded(ready).FrontendInputs[name]).source.identifier == "docker-image://" + llb.normalize_image_ref(pinned)
    assert not ready.calls("Warn")


def test_an_image_without_astro_labels_keeps_its_onbuild_steps_with_a_warning_at_the_pyenv_line(
    ready: FakeBridge, client: LLBBridgeClient
) -> None:
    ready.locals["dockerfile"] = {"Dockerfile": _user("onbuild/img:1", "RUN echo above\n")}
    ready.image_configs["onbuild/img:1 linux/arm64"] = {"config": {"OnBuild": ["COPY . /app", "RUN make"]}}
    assert build.run(client, _opts(platform="linux/arm64")) == 0
    assert "FROM onbuild/img:1 AS stage-0-pyenv-0" in _handed(ready)
    assert not [k for k in _forwarded(ready).FrontendOpt if k.startswith("context:")]
    (warn,) = ready.calls("Warn")
    assert warn.short.startswith(b"onbuild/img:1 has 2 ONBUILD step(s)")
    assert warn.ranges[0].start.line == 4, "at the PYENV line"
    assert {(r.Ref, r.Platform.Architecture) for r in ready.calls("ResolveImageConfig")} == {("onbuild/img:1", "arm64")}


def test_an_unreadable_config_means_the_template_and_a_warning_at_the_from_line(
    ready: FakeBridge, client: LLBBridgeClient
) -> None:
    assert build.run(client, _opts()) == 0  # the fake registry knows no such image
    handed = _handed(ready)
    assert "/usr/local/bin/install-python-dependencies" in handed
    assert f"FROM {IMAGE}-base AS stage-0-pyenv-0" in handed, "its public name's -base variant"
    (warn,) = ready.calls("Warn")
    assert warn.short.startswith(f"could not read the ONBUILD steps of {IMAGE}".encode())
    assert warn.ranges[0].start.line == 2


def test_an_unreadable_config_of_another_name_says_the_image_is_used_as_written(
    ready: FakeBridge, client: LLBBridgeClient
) -> None:
    ready.locals["dockerfile"] = {"Dockerfile": _user("registry.corp/astro-runtime:13.0.0")}
    assert build.run(client, _opts()) == 0
    assert "FROM registry.corp/astro-runtime:13.0.0 AS stage-0-pyenv-0" in _handed(ready)
    (warn,) = ready.calls("Warn")
    assert b"is used as written (its config could not be read)" in warn.short


def test_every_target_platform_is_read_and_must_agree(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.image_configs[f"{IMAGE} linux/amd64"] = {"config": {"OnBuild": STEPS}}
    bridge.image_configs[f"{IMAGE} linux/arm64"] = {"config": {"OnBuild": STEPS[:-1]}}
    uses = [BaseImageUse(IMAGE, 2)]
    (read,) = base_images.read_bases(client, _opts(platform="linux/amd64"), uses).values()
    assert read is not None and read.config.onbuild == tuple(STEPS)
    assert base_images.read_bases(client, _opts(platform="linux/amd64,linux/arm64"), uses) == {IMAGE: None}


def test_a_multi_platform_build_gets_the_image_per_platform(ready: FakeBridge, client: LLBBridgeClient) -> None:
    for arch in ("amd64", "arm64"):
        ready.image_configs[f"{IMAGE} linux/{arch}"] = {**CONFIG, "architecture": arch}
    assert build.run(client, _opts(platform="linux/amd64,linux/arm64")) == 0
    request = _forwarded(ready)
    assert f"context:{CONTEXT}" not in request.FrontendOpt
    for arch in ("amd64", "arm64"):
        name = request.FrontendOpt[f"context:{CONTEXT}::linux/{arch}"].removeprefix("input:")
        assert _source(request.FrontendInputs[name]).platform.Architecture == arch
        metadata = json.loads(request.FrontendOpt[f"input-metadata:{name}"])
        assert json.loads(base64.b64decode(metadata["containerimage.config"]))["architecture"] == arch


def test_an_image_the_build_gives_as_a_context_is_not_read(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    """``--build-context <image>=...``: dockerfile.v0 uses that for the image, so its config is not ours."""
    bridge.image_configs[IMAGE] = CONFIG
    opts = _opts(**{f"context:{IMAGE}": "docker-image://elsewhere/img:1"})
    assert base_images.read_bases(client, opts, [BaseImageUse(IMAGE, 2)]) == {IMAGE: None}
    assert not bridge.calls("ResolveImageConfig")


@pytest.mark.parametrize(
    "config",
    [{"config": {"OnBuild": "COPY . ."}}, {"config": {"OnBuild": [1]}}, [], {"config": {"Labels": {"a": 1}}}, {"config": 3}],
)
def test_a_malformed_config_counts_as_unread(bridge: FakeBridge, client: LLBBridgeClient, config: object) -> None:
    bridge.image_configs[IMAGE] = config  # type: ignore[assignment]
    assert base_images.read_bases(client, _opts(), [BaseImageUse(IMAGE, 2)]) == {IMAGE: None}


def test_what_the_transform_is_told_of_a_config(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.image_configs[IMAGE] = {"config": {**CONFIG["config"], "Shell": ["/bin/bash", "-c"], "Env": ["A=1"]}}
    reads = base_images.read_bases(client, _opts(), [BaseImageUse(IMAGE, 2)])
    assert base_images.configs(reads) == {
        IMAGE: ImageConfig(
            onbuild=tuple(STEPS),
            labels=tuple(sorted(LABELS.items())),
            working_dir="/usr/local/airflow",
            user="astro",
            shell=("/bin/bash", "-c"),
        )
    }
    bridge.image_configs[IMAGE] = {"config": {"Env": ["A=1"]}}
    reads = base_images.read_bases(client, _opts(), [BaseImageUse(IMAGE, 2)])
    assert base_images.configs(reads) == {IMAGE: ImageConfig()}


def test_without_resolveimage_nothing_is_asked(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    uses = [BaseImageUse(IMAGE, 2)]
    assert base_images.read_bases(client, _opts(), uses, can_resolve=False) == {IMAGE: None}
    assert not bridge.calls("ResolveImageConfig")


@pytest.mark.parametrize(
    ("ref", "familiar"),
    [
        ("python:3.12", "python:3.12"),
        ("docker.io/library/python:latest", "python"),
        ("busybox", "busybox"),
        ("user/img:1", "user/img:1"),
        (f"quay.io/astronomer/astro-runtime:13.0.0@{DIGEST}", f"quay.io/astronomer/astro-runtime:13.0.0@{DIGEST}"),
    ],
)
def test_familiar_names_are_how_dockerfile_v0_looks_contexts_up(ref: str, familiar: str) -> None:
    assert llb.familiar_name(ref) == familiar
