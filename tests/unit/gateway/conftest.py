"""Fixtures: a fake LLBBridge server and the real client connected to it."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.transport import channel_options

from fake_bridge import FakeBridge, FakeServer


@pytest.fixture
def bridge() -> FakeBridge:
    return FakeBridge()


@pytest.fixture
def server(bridge: FakeBridge) -> Iterator[FakeServer]:
    srv = FakeServer(bridge)
    yield srv
    srv.stop()


@pytest.fixture
def client(server: FakeServer) -> Iterator[LLBBridgeClient]:
    channel = grpc.insecure_channel("unix:" + server.path, options=channel_options())
    yield LLBBridgeClient(channel)
    channel.close()
