"""The engine capability check: real engines pass, an engine lacking any required capability
gets one error naming the minimum Docker/BuildKit version.

The capability lists in data/caps-*.json were recorded from the two engines CI runs the e2e
tests on (data/capture-caps.sh says how): Debian's Docker 26.1 (BuildKit 0.13) and Debian sid's
Docker 28.5 (BuildKit 0.25).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.protobuf.json_format import ParseDict

from astro_pyenv_frontend.errors import GatewayError
from astro_pyenv_frontend.gateway import caps
from astro_pyenv_frontend.gateway.proto import gateway_pb2

DATA = Path(__file__).parent / "data"
RECORDED = sorted(DATA.glob("caps-*.json"))
ALL_REQUIRED = (*caps.REQUIRED_FRONTEND_CAPS, *caps.REQUIRED_LLB_CAPS, *caps.GENERATED_LLB_CAPS)


def _pong(path: Path) -> gateway_pb2.PongResponse:
    record = json.loads(path.read_text())
    return ParseDict({k: record[k] for k in ("FrontendAPICaps", "LLBCaps")}, gateway_pb2.PongResponse())


def _check_all(pong: gateway_pb2.PongResponse) -> None:
    _, llb_caps = caps.check_caps(pong)
    caps.check_generated_caps(llb_caps)


def _without(pong: gateway_pb2.PongResponse, cap_id: str) -> gateway_pb2.PongResponse:
    out = gateway_pb2.PongResponse()
    out.FrontendAPICaps.extend(c for c in pong.FrontendAPICaps if c.ID != cap_id)
    out.LLBCaps.extend(c for c in pong.LLBCaps if c.ID != cap_id)
    return out


def test_both_engines_of_the_matrix_were_recorded() -> None:
    servers = sorted(json.loads(p.read_text())["engine"]["server"].split(".")[0] for p in RECORDED)
    assert servers == ["26", "28"]


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
def test_recorded_engines_pass(path: Path) -> None:
    _check_all(_pong(path))


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
@pytest.mark.parametrize("cap", ALL_REQUIRED, ids=lambda c: c.id)
def test_each_missing_cap_names_the_minimum_version(path: Path, cap: caps.Cap) -> None:
    with pytest.raises(GatewayError) as raised:
        _check_all(_without(_pong(path), cap.id))
    message = str(raised.value)
    assert message.count("too old") == 1, "one error, not one per check"
    assert f"{cap.id} ({cap.used_for}; BuildKit {cap.since}+)" in message
    assert "needs Docker Engine 24.0 or later (BuildKit 0.11 or later" in message


def test_a_disabled_cap_says_why_instead_of_a_version() -> None:
    pong = _pong(RECORDED[0])
    for c in pong.LLBCaps:
        if c.ID == "source.local":
            c.Enabled = False
            c.DisabledReasonMsg = "turned off for this test"
    with pytest.raises(GatewayError, match=r"source.local \(the build context\) is disabled in this engine: turned off"):
        caps.check_caps(pong)


def test_all_missing_caps_are_named_in_one_error() -> None:
    pong = _without(_without(_pong(RECORDED[0]), "gateway.evaluate"), "file.base")
    with pytest.raises(GatewayError) as raised:
        caps.check_caps(pong)
    assert "gateway.evaluate" in str(raised.value) and "file.base" in str(raised.value)


def test_minimum_is_the_newest_required_cap_and_the_first_docker_shipping_it() -> None:
    """Adding a capability from a newer BuildKit raises the minimum the error names."""
    assert caps.MINIMUM_BUILDKIT == "0.11"  # gateway.evaluate
    assert caps.first_docker_with("0.11") == caps.MINIMUM_DOCKER == "24.0"
    assert caps.first_docker_with("0.10") == "23.0"
    assert caps.first_docker_with("0.14") == "27.0"
