"""Build-performance benchmark (issue 7): our frontend against a hand-written plain Dockerfile.

Run by ``make bench`` (after ``source .ci/engine-env.sh``).  Writes ``docs/benchmarks.md`` (the
table) and ``docs/benchmarks.png`` (the chart; needs matplotlib in the venv, imported only
then) and ``docs/benchmarks.json`` (the raw figures, kept in the repository: ``--merge`` reads
them back), and keeps every build's plain progress log under ``benchmarks/logs/``.

The builds run on a second, private dockerd (``benchmarks/bench-engine.sh``) because cold builds
prune the engine's whole BuildKit cache, cache mounts included; the shared engine is never
pruned.  The images the builds start from and the frontend image are copied into it from the
shared engine, and it is stopped at the end (``--keep-engine`` leaves it running).

The project is ``benchmarks/project`` (an Astro project on the Astro Runtime image: two PYENV
lines, 3.9.2 with a small pinned requirements file and 3.13.5, a dags/ folder); the baseline is
``benchmarks/baseline/Dockerfile`` built from the same context.  Every figure is a median;
ours and the baseline are interleaved run by run (the order alternates), and a timed build is
the wall-clock time of the ``docker build`` command.

Scenarios (``--scenarios 1,2,...``; default all):
  1 cold build, empty BuildKit cache including cache mounts (engine pruned before each build)
  2 rebuild with no change            3 rebuild after editing a DAG file
  4 rebuild after editing the first environment's requirements file
  5 rebuild on a new tag of the base image (one more file, same OS)
  6 frontend overhead: a Dockerfile without PYENV with our syntax line vs without (warm)
  7 final image size over the base image vs the bytes of its interpreters and venvs
  8 in-process transform time of a generated 10,000-line Dockerfile with 50 PYENV lines
  9 cold build with prebuilt interpreters (engine pruned before each build) against the floor,
    benchmarks/floor/Dockerfile: the same project copying the same interpreter images by digest
  10 runtime speed of the prebuilt (PGO+LTO) CPython 3.13.5 against one compiled in the build
    (ASTRO_PYENV_PREBUILT=off): pure-Python pyperformance benchmarks with pyperf --fast
  11 `astro deploy` on Apple Silicon mirrored: cold linux/arm64 builds on amd64 (emulated) with
    prebuilt arm64 interpreters, against the floor for arm64 and against compiling under
    emulation (stopped at --arm64-compile-limit seconds, then reported as "> N s")
  12 as 9 on python:3.12-slim (Debian 13; $ASTRO_PYENV_PYTHON_BASE): benchmarks/project-python-slim,
    PYENV 3.11 and 3.13 resolved to the catalog's releases, against benchmarks/floor/python-slim.Dockerfile;
    the notes time ours' fit-interpreter.sh steps
  13 a CI runner's registry cache trip (export, then import on an empty builder) against the floor's
  14 uv against pip: a venv of 51 pinned packages on the prebuilt CPython 3.13.5, with an empty
    (14a) and a warm (14b) package cache; the venv step's time

Scenarios 9 to 12 need a frontend image with a catalog (make interpreters; make
frontend-image; for 11 with linux/arm64 interpreters) and the registry it names answering; 11
also the runtime's -base image for both platforms ($ASTRO_PYENV_MULTIARCH_RUNTIME_BASE; offline
.ci/standins-multiarch.sh --astro-runtime makes it, as `make bench` does) and arm64 emulation; 12
its base in the shared engine (offline the stand-in `make engine-ready` makes, .ci/standins.sh)
and the catalog's newest 3.11 and 3.13 to be the releases its floor names, 3.11.2 and 3.13.5 (make
interpreters' default versions; plain images do, OPTIMIZE=plain).
"""
