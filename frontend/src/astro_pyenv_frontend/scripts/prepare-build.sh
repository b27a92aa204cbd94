#!/bin/sh
# Prepare a stage for compiling CPython: note the shared libraries the base
# image has, then install what the compile needs (build-deps.sh).
#
# A step of its own in the generated interpreter stage, before the build
# arguments and the version, so that every compile on the same base shares
# it: the versions of one build and later builds on the builder install the
# build dependencies once (an ordinary layer, keyed by the base image and
# this step, like any Dockerfile's RUN).  build-python.sh then finds the
# stage prepared.
#
# usage: prepare-build.sh   (the scripts mounted side by side)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/build-deps.sh"
astro_pyenv_prepare_build
