#!/bin/sh
# usage: secrets-digest.sh OUTPUT SECRET-ID...
#
# Writes one line "<id> <sha256>" per secret (or "<id> none" when it is absent or empty) to
# OUTPUT. The venv steps mount OUTPUT, so what their secrets say (which index, pip config, CA)
# is part of their cache key, which BuildKit otherwise keeps secrets out of: a build with
# another index in its secret cannot leave a venv that yours then reuses.
#
# Credentials in URLs (scheme://user:password@host) are removed before hashing: a hash of a
# password is not kept in the build cache, and a new token for the same index rebuilds nothing.
set -eu

out="$1"
shift
dir="${ASTRO_PYENV_SECRETS_DIR:-/run/secrets}"
tmp="$out.tmp"
: >"$tmp"
for id in "$@"; do
    file="$dir/$id"
    if [ -s "$file" ]; then
        sum=$(sed -E 's#://[^/[:space:]]*@#://#g' "$file" | sha256sum | cut -d ' ' -f 1)
    else
        sum=none
    fi
    printf '%s %s\n' "$id" "$sum" >>"$tmp"
done
mv "$tmp" "$out"
