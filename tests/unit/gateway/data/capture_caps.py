"""Record the capabilities an engine's gateway reports: runs as a BuildKit frontend.

Not a test: ``capture-caps.sh`` builds a throwaway frontend image FROM the astro-pyenv frontend
image with this file as its entry point and runs a build with it; this pings the gateway and
returns one file, ``caps.json`` (the Pong's frontend API and LLB capabilities, without the
workers), which ``docker build --output type=local`` writes out.
"""

from __future__ import annotations

import json
import sys

from google.protobuf.json_format import MessageToDict

from astro_pyenv_frontend.gateway import llb
from astro_pyenv_frontend.gateway.build import without_definitions
from astro_pyenv_frontend.gateway.client import LLBBridgeClient
from astro_pyenv_frontend.gateway.transport import open_stdio_channel, take_stdout


def main() -> int:
    channel, bridge = open_stdio_channel(0, take_stdout())
    try:
        client = LLBBridgeClient(channel)
        pong = MessageToDict(client.ping(), preserving_proto_field_name=True)
        caps = {key: pong.get(key, []) for key in ("FrontendAPICaps", "LLBCaps")}
        data = (json.dumps(caps, indent=1, sort_keys=True) + "\n").encode()
        result = client.solve(llb.files_input([llb.FileToWrite("caps.json", data)]))
        client.return_result(without_definitions(result))
    finally:
        channel.close()
        bridge.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
