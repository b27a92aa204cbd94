#!/usr/bin/env bash
# Regenerates the committed *_pb2.py / *_pb2.pyi from the .proto files here.
# Run from anywhere with a Python that has grpcio-tools (the dev venv does).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/../../.." && pwd)"   # frontend/src
py="${PYTHON:-python3}"
cd "$src"
"$py" -m grpc_tools.protoc -I "$src" \
  --python_out="$src" --pyi_out="$src" \
  astro_pyenv_frontend/gateway/proto/ops.proto \
  astro_pyenv_frontend/gateway/proto/status.proto \
  astro_pyenv_frontend/gateway/proto/gateway.proto
# No *_pb2_grpc.py: client.py builds its calls from the method paths itself,
# so the runtime does not depend on the grpcio-tools version used here.
