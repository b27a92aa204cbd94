"""JSON nested deeper than Python's stack (issue 22.9's class, in what the gateway reads): an image
config Go's decoder takes (up to 10,000 levels) is just unreadable to us, never a crash."""

from __future__ import annotations

from astro_pyenv_frontend import astro_runtime, checks
from astro_pyenv_frontend.contract import BaseImageUse, ImageConfig, PyenvUse
from astro_pyenv_frontend.gateway import base_images
from astro_pyenv_frontend.gateway import checks as gwchecks
from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.opts import FrontendOpts

from fake_bridge import FakeBridge

DEEP = b'{"config": {"Env": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
DEEP_LIST = "[" * 5000 + "]" * 5000
OPTS = FrontendOpts(opts={"source": "x", "filename": "Dockerfile"}, session_id="s")


def test_a_deep_base_image_config_counts_as_unread_and_no_crash(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    """The base images' configs (ONBUILD steps, labels: what the transform decides by)."""
    bridge.image_configs = {"deep/img:1": DEEP}
    assert base_images.read_bases(client, OPTS, [BaseImageUse("deep/img:1", 3)]) == {"deep/img:1": None}


def test_a_deep_config_gives_no_check_finding_and_no_crash(bridge: FakeBridge, client: LLBBridgeClient) -> None:
    bridge.image_configs = {"deep/img:1": DEEP}
    use = PyenvUse(3, 3, "a", "3.12.4", "deep/img:1")
    assert gwchecks.findings(client, OPTS, {}, [use], checks.CheckConfig()) == []


def test_a_deep_json_onbuild_trigger_copies_no_context() -> None:
    assert not astro_runtime.copies_whole_context("COPY " + DEEP_LIST)


def test_a_deep_json_onbuild_shell_leaves_the_shell_unknown() -> None:
    config = ImageConfig(onbuild=(f"SHELL {DEEP_LIST}",), working_dir="/w", user="astro")
    assert astro_runtime.state_at_split(config, config.onbuild).shell is None
