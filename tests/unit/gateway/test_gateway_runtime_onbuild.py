"""The gateway reads an Astro Runtime image's ONBUILD steps and the transform replays them
(issue 15.5): end to end against the fake bridge, with the real transform."""

from __future__ import annotations

import pytest

from astro_pyenv_frontend.contract import BaseImageUse
from astro_pyenv_frontend.gateway import build, runtime_onbuild
from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.opts import FrontendOpts
from astro_pyenv_frontend.gateway.proto import gateway_pb2

from fake_bridge import FakeBridge

IMAGE = "quay.io/astronomer/astro-runtime:13.99.0-onbuildtest"
USER = f"# syntax=f:1\nFROM {IMAGE}\nPYENV 3.12 py\nCOPY dags/ dags/\n".encode()
STEPS = ["COPY packages.txt .", "RUN echo pre-onbuild", "COPY --chown=astro:0 . .", "RUN echo post-onbuild"]


def _opts(**extra: str) -> FrontendOpts:
    opts = {"source": "f:1", "platform": "linux/amd64", "image-resolve-mode": "default"}
    opts.update(extra)
    return FrontendOpts(opts=opts)


def _handed(bridge: FakeBridge) -> str:
    (request,) = [r for r in bridge.calls("Solve") if r.Frontend]
    return FakeBridge()._evaluate(request.FrontendInputs["dockerfile"])["Dockerfile"].decode()


@pytest.fixture
def ready(bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch) -> FakeBridge:
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_CATALOG", "/nonexistent/catalog.json")
    bridge.locals["dockerfile"] = {"Dockerfile": USER}
    bridge.frontend_result = gateway_pb2.Result(ref=gateway_pb2.Ref(id="final"))
    return bridge


def test_the_image_config_steps_are_handed_on_around_the_pyenv_work(ready: FakeBridge, client: LLBBridgeClient) -> None:
    ready.image_configs[f"{IMAGE} linux/amd64"] = {"config": {"OnBuild": STEPS}}
    assert build.run(client, _opts()) == 0
    handed = _handed(ready)
    pre, post = handed.index("echo pre-onbuild"), handed.index("echo post-onbuild")
    assert handed.index(f"FROM {IMAGE}-base AS stage-0-pyenv-0") < pre < handed.index("ENV ASTRO_PYENV_py=") < post
    assert post < handed.index("COPY dags/ dags/")
    assert "install-python-dependencies" not in handed
    asked = [(r.Ref, r.Platform.Architecture) for r in ready.calls("ResolveImageConfig")]
    assert (IMAGE, "amd64") in asked
    assert not ready.calls("Warn")


def test_an_unreadable_config_means_the_template_and_a_warning_at_the_from_line(
    ready: FakeBridge, client: LLBBridgeClient
) -> None:
    assert build.run(client, _opts()) == 0  # the fake registry knows no such image
    assert "/usr/local/bin/install-python-dependencies" in _handed(ready)
    (warn,) = ready.calls("Warn")
    assert warn.short.startswith(f"could not read the ONBUILD steps of {IMAGE}".encode())
    assert warn.ranges[0].start.line == 2


def test_every_target_platform_is_read_and_must_agree(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.image_configs[f"{IMAGE} linux/amd64"] = {"config": {"OnBuild": STEPS}}
    bridge.image_configs[f"{IMAGE} linux/arm64"] = {"config": {"OnBuild": STEPS[:-1]}}
    uses = [BaseImageUse(IMAGE, 2)]
    assert runtime_onbuild.read_onbuild(client, _opts(platform="linux/amd64"), uses) == {IMAGE: tuple(STEPS)}
    assert runtime_onbuild.read_onbuild(client, _opts(platform="linux/amd64,linux/arm64"), uses) == {IMAGE: None}


@pytest.mark.parametrize("config", [{"config": {"OnBuild": "COPY . ."}}, {"config": {"OnBuild": [1]}}, []])
def test_a_malformed_config_counts_as_unread(bridge: FakeBridge, client: LLBBridgeClient, config: object) -> None:
    bridge.image_configs[IMAGE] = config  # type: ignore[assignment]
    assert runtime_onbuild.read_onbuild(client, _opts(), [BaseImageUse(IMAGE, 2)]) == {IMAGE: None}


def test_an_image_without_onbuild_steps_reads_as_an_empty_list(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.image_configs[IMAGE] = {"config": {"Env": ["A=1"]}}
    assert runtime_onbuild.read_onbuild(client, _opts(), [BaseImageUse(IMAGE, 2)]) == {IMAGE: ()}


def test_without_resolveimage_nothing_is_asked(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    uses = [BaseImageUse(IMAGE, 2)]
    assert runtime_onbuild.read_onbuild(client, _opts(), uses, can_resolve=False) == {IMAGE: None}
    assert not bridge.calls("ResolveImageConfig")
