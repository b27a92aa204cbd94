#!/usr/bin/env bash
# The Python packages of a release: release/packages.sh OUTDIR
#
# Builds the sdist of the runtime helper (astro-pyenv) and of the frontend (astro-pyenv-frontend),
# then each wheel from its sdist (`python -m build`'s default: a wheel the sdist cannot make is
# found here, not by a user), into OUTDIR, and checks all four with `twine check --strict`.
# Their version is the VERSION file's.  Runs with the repository's venv (`make venv`), which has
# build and twine; the build backend (setuptools) comes from the package index, in isolation,
# pinned by frontend/constraints.txt.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out="$1"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="$repo/.venv/bin/python"
if [ ! -x "$python" ]; then
    echo "$python: no such interpreter; run \`make venv\` first" >&2
    exit 1
fi

# An empty directory: twine checks every file in it, and old files would pass for new ones.
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
    echo "$out is not empty" >&2
    exit 1
fi
version="$(<"$repo/VERSION")"
mkdir -p "$out"
for package in runtime_helper frontend; do
    echo "==> $package $version" >&2
    # The build backend of the isolated builds pinned as the frontend image's is.
    PIP_CONSTRAINT="$repo/frontend/constraints.txt" PIP_BUILD_CONSTRAINT="$repo/frontend/constraints.txt" \
        "$python" -m build --outdir "$out" "$repo/$package"
done
"$python" -m twine check --strict "$out"/*.whl "$out"/*.tar.gz
