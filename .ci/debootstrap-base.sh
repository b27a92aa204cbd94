#!/usr/bin/env bash
# .ci/debootstrap-base.sh ARCH SUITE TARBALL: Debian SUITE (bullseye, bookworm, trixie, ...) minbase
# for ARCH (amd64, arm64, ...) as a tarball for `docker import`, unless TARBALL exists.  A foreign
# ARCH runs its second stage under emulation (.ci/emulation.sh).  Used by .ci/standins.sh and
# .ci/standins-multiarch.sh.
set -euo pipefail

arch="$1" suite="$2" tarball="$3"
[ -s "$tarball" ] && exit 0
command -v debootstrap >/dev/null \
    || { echo "error: debootstrap not installed (apt-get install debootstrap)" >&2; exit 1; }
mkdir -p "$(dirname "$tarball")"
rootfs="$(mktemp -d "/tmp/astro-pyenv-rootfs-$suite-$arch.XXXXXX")"
trap 'rm -rf "$rootfs"' EXIT
log="${tarball%.tar}.debootstrap.log"
echo "[debootstrap] --arch=$arch --variant=minbase $suite -> $tarball" >&2
debootstrap --arch="$arch" --variant=minbase "$suite" "$rootfs" http://deb.debian.org/debian >"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" --numeric-owner -cf "$tarball.partial" .
mv "$tarball.partial" "$tarball"
