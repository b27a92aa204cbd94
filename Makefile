# Targets are documented in docs/contributing.md.  Everything runs from a venv in .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Where CI keeps what it may reuse between runs (engine data, base images, CPython sources).
export ASTRO_PYENV_CI_CACHE ?= /var/cache/astro-pyenv-ci
FRONTEND_IMAGE ?= local/astro-pyenv-frontend:dev
# `make interpreters` writes it; `make frontend-image` bakes it in when it exists.
PREBUILT_CATALOG ?= build/prebuilt/catalog.json

.PHONY: venv engine-ready engine-for-interpreters engine-multiarch engine-for-image engine-current lint test test-unit test-integration test-e2e test-e2e-engine test-e2e-examples test-e2e-arm64 test-e2e-podman e2e-side-by-side containers test-e2e-current e2e-interpreters frontend-image interpreters example bench release clean-venv

# Every package pinned (requirements-dev.txt, .ci/constraints/update.sh), the two packages of
# this repository editable on top, built with the pinned setuptools.
$(VENV)/.installed: VERSION frontend/pyproject.toml frontend/setup.py runtime_helper/pyproject.toml runtime_helper/setup.py requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q "$$(grep '^pip==' requirements-dev.txt)"
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e frontend -e runtime_helper
	touch $@

venv: $(VENV)/.installed

# A real engine (installed and started when none answers), a local registry and arm64 emulation;
# offline, also the local stand-ins for public images and the CPython mirror.
engine-ready:
	bash .ci/prepare-engine.sh --no-multiarch

# What compiling the prebuilt interpreters needs (no Airflow stand-ins): .ci/run starts them first.
engine-for-interpreters:
	bash .ci/prepare-engine.sh --interpreters

# What builds for linux/amd64 and linux/arm64 start FROM (cross-platform tests, releases, the
# benchmark): offline, stand-ins made for both in the local registry (minutes under emulation).
engine-multiarch: engine-ready
	bash .ci/prepare-engine.sh

# ruff over all Python code; mypy --strict over both packages' sources, the benchmark,
# interpreters/catalog.py and the frontend image's pyenv fetcher (mypy.ini, ruff.toml).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy frontend/src/astro_pyenv_frontend
	$(VENV)/bin/mypy runtime_helper/src/astro_pyenv
	MYPYPATH=frontend/src $(VENV)/bin/mypy benchmarks/astro_bench
	MYPYPATH=frontend/src $(VENV)/bin/mypy interpreters/catalog.py
	$(VENV)/bin/mypy frontend/tools/fetch_pyenv.py

# After the tests that need no engine, the integration tests run beside the e2e tests' wait for
# what they need (made one at a time: two engines must not be installed at once); then the e2e
# tests run in five parts side by side: on the first engine, its builds for linux/arm64 under
# emulation apart and the example project's apart, Podman's and the current engine's (their
# builds leave much of two cores idle, waiting on downloads, the registry and the engines; a part
# that runs alone at the end leaves a core idle).  Each part's output is printed whole when it ends.
test: lint test-unit
	$(MAKE) --no-print-directory -j2 --output-sync=target test-integration e2e-side-by-side

e2e-side-by-side:
	$(MAKE) --no-print-directory engine-multiarch engine-current e2e-interpreters containers
	$(MAKE) --no-print-directory -j5 --output-sync=target PODMAN_NICE=5 \
	    test-e2e-engine test-e2e-examples test-e2e-arm64 test-e2e-podman test-e2e-current

test-unit: venv
	$(PY) -m pytest -q tests/unit

# tests/integration/test_standalone.py makes the example project's environments from the prebuilt
# interpreters of PREBUILT_CATALOG (waiting for a build of them that holds its lock, as CI's
# background one does).
test-integration: venv
	ASTRO_PYENV_PREBUILT_CATALOG="$${ASTRO_PYENV_PREBUILT_CATALOG:-$(PREBUILT_CATALOG)}" $(PY) -m pytest -q --durations=10 tests/integration

# The prebuilt interpreters `make test` and `make example` make for themselves when the registry
# lacks them: python-build's defaults, minutes per version.  PGO+LTO (`make interpreters`, the
# default there) takes about 40 minutes per version on 2 cores: for releases and `make bench`.
LOCAL_INTERPRETERS_OPTIMIZE ?= plain

# The frontend image the tests build carries the catalog of `make interpreters`, including the
# arm64 CPython tests/e2e/test_cross_platform.py pulls: cross-compiled on the engine's amd64 (a
# few minutes, once: the local registry keeps it).
CROSS_PLATFORM_VERSIONS ?= 3.9.2
e2e-interpreters: venv engine-for-interpreters
	$(MAKE) --no-print-directory interpreters OPTIMIZE=$(LOCAL_INTERPRETERS_OPTIMIZE)
	$(MAKE) --no-print-directory interpreters OPTIMIZE=$(LOCAL_INTERPRETERS_OPTIMIZE) \
	    VERSIONS="$(CROSS_PLATFORM_VERSIONS)" PLATFORMS=linux/amd64,linux/arm64

# The e2e tests on the first engine, in four parts `make test` runs side by side: the builds for
# linux/arm64 under emulation (E2E_ARM64: a cross-platform build, the release's index), the
# example project on Airflow 2 and 3 (E2E_EXAMPLES: two images, every DAG run by Airflow, about a
# third of the first engine's time), those of Podman and Buildah (test_podman.py, building the
# generated Dockerfile), and the rest.
E2E_ARM64 := tests/e2e/test_cross_platform.py tests/e2e/test_release.py
E2E_EXAMPLES := tests/e2e/test_examples.py
test-e2e: test-e2e-engine test-e2e-examples test-e2e-arm64 test-e2e-podman

test-e2e-engine: venv engine-multiarch e2e-interpreters
	source .ci/engine-env.sh && export ASTRO_PYENV_PREBUILT_CATALOG="$(abspath $(PREBUILT_CATALOG))" \
	    && $(PY) -m pytest -q -p no:cacheprovider --durations=25 --ignore=tests/e2e/test_podman.py \
	        $(patsubst %,--ignore=%,$(E2E_ARM64) $(E2E_EXAMPLES)) tests/e2e

test-e2e-examples: venv engine-multiarch e2e-interpreters
	source .ci/engine-env.sh && export ASTRO_PYENV_PREBUILT_CATALOG="$(abspath $(PREBUILT_CATALOG))" \
	    && $(PY) -m pytest -q -p no:cacheprovider --durations=10 $(E2E_EXAMPLES)

test-e2e-arm64: venv engine-multiarch e2e-interpreters
	source .ci/engine-env.sh && export ASTRO_PYENV_PREBUILT_CATALOG="$(abspath $(PREBUILT_CATALOG))" \
	    && $(PY) -m pytest -q -p no:cacheprovider --durations=10 $(E2E_ARM64)

# PODMAN_NICE: the niceness of Podman's part, whose builds run as its children (the engines'
# builds run under their daemons). Beside the other parts it is the shortest, so it gives way.
PODMAN_NICE ?= 0
test-e2e-podman: venv engine-multiarch e2e-interpreters containers
	source .ci/engine-env.sh && export ASTRO_PYENV_PREBUILT_CATALOG="$(abspath $(PREBUILT_CATALOG))" \
	    && nice -n $(PODMAN_NICE) $(PY) -m pytest -q -p no:cacheprovider --durations=10 tests/e2e/test_podman.py

# The e2e tests again on a current engine: Debian sid's Docker 28.5 with its buildx 0.29 client,
# chrooted next to the CI engine (.ci/engine-current.sh; the prebuilt interpreters come from
# the same local registry), on the containerd image store (the first engine has the classic
# one).  E2E_CURRENT_TESTS chooses the tests.  Default: what the engine or its image store
# decides (the gateway and its subrequests and checks, the chained frontend, the Dockerfile
# conversion, image configs and ONBUILD steps, prebuilt pulls, a cross-platform build,
# cache-mount security, the example project, a registry build cache), not what our own scripts,
# the registry or Podman decide: the release,
# Podman and registry tests, the frontend image's own build (Docker 24's
# frontend builds it on the first engine), the portable interpreters' fit on each base (the same
# images on any engine), and the two whose cost is CPython compiles (test_pyenv_builds: one per
# base; test_settings_secret: one on every run), nor uv as the installer (test_uv_installer:
# what our scripts hand uv, about two minutes).  The first engine runs them all; this keeps a
# warm CI run within 30 minutes.
# The example project runs on Airflow 2 there (E2E_CURRENT_SELECT): its Airflow 3 run costs a
# second example image and seven minutes of DAG runs that test Airflow, not the engine.  Nor do
# the three tests that compile CPython on purpose on every run (a registry that does not answer,
# a broken configure option, an interrupted cold build) run there: minutes each on two cores,
# and the compile path is our scripts' (the first engine runs them).
# test_registry_cache runs last: it prunes the build cache records its builds used (a build beside
# it could lose records it was about to reuse).
E2E_CURRENT_SKIP := release podman registry frontend_image portable pyenv_builds settings_secret uv_installer registry_cache
E2E_CURRENT_TESTS ?= $(filter-out $(patsubst %,tests/e2e/test_%.py,$(E2E_CURRENT_SKIP)),$(wildcard tests/e2e/test_*.py)) tests/e2e/test_registry_cache.py
E2E_CURRENT_SELECT ?= not airflow3 and not means_a_compile and not broken_configure_option and not interrupted_cold_build
test-e2e-current: venv engine-ready engine-current e2e-interpreters
	source .ci/engine-current-env.sh && export ASTRO_PYENV_PREBUILT_CATALOG="$(abspath $(PREBUILT_CATALOG))" \
	    && $(PY) -m pytest -q -p no:cacheprovider --durations=25 -k "$(E2E_CURRENT_SELECT)" $(E2E_CURRENT_TESTS)

# Podman and Buildah for test-e2e-podman (installed when missing).
containers:
	bash .ci/podman.sh install

# The current engine of test-e2e-current (installed into a cached sid root when missing).
engine-current: engine-ready
	bash .ci/engine-current.sh install && bash .ci/engine-current.sh start

# What `make frontend-image` needs and no more: an engine (installed and started when none
# answers) and, offline, the python base stand-in.  No registry, arm64 emulation or CPython mirror.
engine-for-image:
	bash .ci/prepare-engine.sh --frontend-image

frontend-image: engine-for-image
	source .ci/engine-env.sh \
	    && if [ -f "$(PREBUILT_CATALOG)" ]; then export ASTRO_PYENV_PREBUILT_CATALOG="$${ASTRO_PYENV_PREBUILT_CATALOG:-$(PREBUILT_CATALOG)}"; fi \
	    && .ci/build-frontend-image.sh $(FRONTEND_IMAGE)

# Prebuilt interpreter images pushed to a registry, and the catalog
# (docs/prebuilt-interpreters.md): REGISTRY, VERSIONS, BASES, PLATFORMS, OPTIMIZE=pgo-lto|plain, NO_CACHE=1.
interpreters: venv engine-for-interpreters
	source .ci/engine-env.sh && CATALOG="$(PREBUILT_CATALOG)" FRONTEND_IMAGE="$(FRONTEND_IMAGE)" interpreters/build.sh

# Publish a release (docs/releasing.md): VERSION (default: the file VERSION, which it must
# equal), REGISTRY (host[:port][/namespace]), PLATFORMS (default linux/amd64,linux/arm64).
# Interpreter images of $(PREBUILT_CATALOG) are copied by digest; nothing is compiled here.
release: venv engine-multiarch
	source .ci/engine-env.sh && VERSION="$(VERSION)" REGISTRY="$(REGISTRY)" CATALOG="$(PREBUILT_CATALOG)" \
	    release/release.sh

# AIRFLOW=2 (Astro Runtime 13) or 3 (astrocrpublic.azurecr.io/runtime:3.1-17): the runtime the
# example project is built FROM.
AIRFLOW ?= 2
example: venv engine-ready
	$(MAKE) --no-print-directory interpreters OPTIMIZE=$(LOCAL_INTERPRETERS_OPTIMIZE)
	$(MAKE) --no-print-directory frontend-image
	source .ci/engine-env.sh && ASTRO_PYENV_EXAMPLE_AIRFLOW=$(AIRFLOW) .ci/run-example.sh $(FRONTEND_IMAGE)

# BENCH_ARGS: benchmarks/run.py's options (e.g. --merge --scenarios 11).  Offline, scenario 11's
# arm64 Astro Runtime stand-in is made first (pip installs Airflow under emulation: many minutes,
# once; the local registry keeps it).
BENCH_ARGS ?=
bench: venv engine-multiarch frontend-image
	$(PY) -m pip install -q -r benchmarks/requirements.txt  # pinned (.ci/constraints/update.sh)
	source .ci/engine-env.sh && if [ "$$ASTRO_PYENV_OFFLINE" = 1 ]; then bash .ci/standins-multiarch.sh --astro-runtime; fi
	source .ci/engine-env.sh && export ASTRO_PYENV_FRONTEND_IMAGE="$(FRONTEND_IMAGE)" && $(PY) benchmarks/run.py $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)

# Real-engine environment for tests/e2e (see .ci/engine.sh, .ci/registry.sh, .ci/standins.sh,
# .ci/cpython-mirror.sh).
.PHONY: engine registry standins mirror

engine:
	bash .ci/engine.sh install && bash .ci/engine.sh start

registry:
	bash .ci/registry.sh install && bash .ci/registry.sh start

standins: engine
	bash .ci/standins.sh

mirror:
	bash .ci/cpython-mirror.sh start
