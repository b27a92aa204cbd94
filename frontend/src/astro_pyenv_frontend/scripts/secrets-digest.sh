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
# Only what URL parsers call the userinfo goes, and only of the URL a blank-separated word
# starts with (after a KEY=, key: or quote): from its "//" to the last "@" before its authority
# ends at the first of / ? # \ (RFC 3986; urllib3, pip's HTTP client, also ends it at a
# backslash) or a blank.  So https://evil.example?@pypi.org/simple, which pip sends to
# evil.example, keeps its own digest (tests/unit/test_secrets_digest.py).
userinfo='s,(^|[[:space:]])([^[:space:]/:]*:?[A-Za-z][A-Za-z0-9+.-]*://)[^/?#\[:space:]]*@,\1\2,g'
set -eu

out="$1"
shift
dir="${ASTRO_PYENV_SECRETS_DIR:-/run/secrets}"
tmp="$out.tmp"
: >"$tmp"
for id in "$@"; do
    file="$dir/$id"
    if [ -s "$file" ]; then
        sum=$(sed -E "$userinfo" "$file" | sha256sum | cut -d ' ' -f 1)
    else
        sum=none
    fi
    printf '%s %s\n' "$id" "$sum" >>"$tmp"
done
mv "$tmp" "$out"
