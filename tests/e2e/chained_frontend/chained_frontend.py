"""A Dockerfile frontend for the e2e tests of ``# astro-pyenv-syntax``: the stand-in for a
``docker/dockerfile:1.x`` image, which cannot be pulled here.

A real gateway frontend run by BuildKit: it hands the build to the engine's ``dockerfile.v0``
exactly as it got it (opts and inputs) and returns the result with a mark, the label
``MARK_LABEL=<its cmdline>`` added to the image config, so a test sees the build went through it.
"""

from __future__ import annotations

import json
import sys

from astro_pyenv_frontend.gateway.build import without_definitions
from astro_pyenv_frontend.gateway.client import GatewayCallError, LLBBridgeClient
from astro_pyenv_frontend.gateway.opts import parse_env
from astro_pyenv_frontend.gateway.transport import open_stdio_channel, take_stdout

MARK_LABEL = "astro-pyenv.test.chained-frontend"


def _marked(config_json: bytes, mark: str) -> bytes:
    config = json.loads(config_json)
    labels = config.setdefault("config", {}).get("Labels") or {}
    labels[MARK_LABEL] = mark
    config["config"]["Labels"] = labels
    return json.dumps(config).encode()


def main() -> int:
    channel, bridge = open_stdio_channel(0, take_stdout())
    try:
        client = LLBBridgeClient(channel)
        client.ping()
        fopts = parse_env()
        try:
            result = client.solve(frontend="dockerfile.v0", frontend_opt=fopts.opts, frontend_inputs=client.inputs())
        except GatewayCallError as err:
            client.return_error(err.status)
            return 0
        for key in list(result.metadata):
            if key == "containerimage.config" or key.startswith("containerimage.config/"):
                result.metadata[key] = _marked(result.metadata[key], fopts.opts.get("cmdline", ""))
        client.return_result(without_definitions(result))
        return 0
    finally:
        channel.close()
        bridge.close()


if __name__ == "__main__":
    sys.exit(main())
