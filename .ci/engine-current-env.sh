# Sourced (not run): point DOCKER_HOST and the docker client at the current engine of
# .ci/engine-current.sh (Debian sid's dockerd 28 in a chroot, its docker CLI and buildx 0.29),
# then read the other settings from .ci/engine-env.sh as for the CI engine.  Starts nothing:
# `.ci/engine-current.sh install && .ci/engine-current.sh start` (or `make engine-current`).
#
# ASTRO_PYENV_DOCKER is the wrapper .ci/engine-current.sh writes; `docker` on PATH is the same
# wrapper (tests and scripts that call plain `docker` reach this engine too).
export ASTRO_PYENV_CI_CACHE="${ASTRO_PYENV_CI_CACHE:-/var/cache/astro-pyenv-ci}"
# ASTRO_PYENV_CURRENT_RUN_DIR: its socket directory (a second set of CI services, .ci/run-cold, has its own).
export DOCKER_HOST="unix://${ASTRO_PYENV_CURRENT_RUN_DIR:-/run/astro-pyenv-current}/docker.sock"
# ASTRO_PYENV_CURRENT_STATE: its state directory (root, client wrapper), as .ci/engine-current.sh reads it.
_astro_pyenv_current_state="${ASTRO_PYENV_CURRENT_STATE:-$ASTRO_PYENV_CI_CACHE/engine-current}"
export ASTRO_PYENV_DOCKER="$_astro_pyenv_current_state/bin/docker"
export DOCKER_CONFIG="$_astro_pyenv_current_state/docker-config"
case ":$PATH:" in
    *":$_astro_pyenv_current_state/bin:"*) ;;
    *) export PATH="$_astro_pyenv_current_state/bin:$PATH" ;;
esac
unset _astro_pyenv_current_state
# shellcheck source=engine-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/engine-env.sh"
