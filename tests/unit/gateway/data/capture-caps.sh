#!/usr/bin/env bash
# Record the capabilities the engine at DOCKER_HOST reports to a gateway frontend, as
# caps-NAME.json next to this script (tests/unit/gateway/test_caps.py reads them).
#
#   tests/unit/gateway/data/capture-caps.sh NAME
#
# Needs the frontend image ($ASTRO_PYENV_FRONTEND_IMAGE, default local/astro-pyenv-frontend:dev)
# in that engine: a throwaway image FROM it runs capture_caps.py as the frontend of a build whose
# only output is caps.json. The engine's and client's versions are added to the file. E.g.
#   source .ci/engine-env.sh && tests/unit/gateway/data/capture-caps.sh docker-26.1
#   source .ci/engine-current-env.sh && tests/unit/gateway/data/capture-caps.sh docker-28.5
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 NAME" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
docker_cli="${ASTRO_PYENV_DOCKER:-docker}"
frontend="${ASTRO_PYENV_FRONTEND_IMAGE:-local/astro-pyenv-frontend:dev}"
capture_image="local/astro-pyenv-capture-caps:$$"
work="$(mktemp -d /tmp/astro-pyenv-caps.XXXXXX)"
cleanup() {
    "$docker_cli" image rm -f "$capture_image" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/image" "$work/build" "$work/out"
cp "$here/capture_caps.py" "$work/image/"
cat >"$work/image/Dockerfile" <<DOCKERFILE
FROM $frontend
COPY capture_caps.py /capture_caps.py
ENTRYPOINT ["/opt/astro-pyenv/venv/bin/python", "-I", "/capture_caps.py"]
DOCKERFILE
"$docker_cli" build -q --network host -t "$capture_image" "$work/image" >/dev/null
printf '# syntax=%s\n' "$capture_image" >"$work/build/Dockerfile"
"$docker_cli" build --network host --output "type=local,dest=$work/out" "$work/build"

versions="$("$docker_cli" version --format '{{json .}}')"
buildx="$("$docker_cli" buildx version)"
python3 - "$work/out/caps.json" "$here/caps-$1.json" "$versions" "$buildx" <<'PY'
import datetime, json, sys

caps_file, out_file, versions, buildx = sys.argv[1:]
caps = json.load(open(caps_file))
v = json.loads(versions)
record = {
    "how": "tests/unit/gateway/data/capture-caps.sh: the Ping answer of this engine's gateway, "
           "taken by capture_caps.py running as a frontend (workers left out)",
    "captured": datetime.date.today().isoformat(),
    "engine": {
        "server": v["Server"]["Version"],
        "api": v["Server"]["ApiVersion"],
        "components": {c["Name"]: c["Version"] for c in v["Server"].get("Components") or []},
        "client": v["Client"]["Version"],
        "buildx": buildx,
    },
    **caps,
}
with open(out_file, "w") as f:
    json.dump(record, f, indent=1, sort_keys=False)
    f.write("\n")
print(f"{out_file}: {len(caps['FrontendAPICaps'])} frontend API caps, {len(caps['LLBCaps'])} LLB caps")
PY
