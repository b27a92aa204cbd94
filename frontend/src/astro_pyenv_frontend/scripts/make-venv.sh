#!/bin/sh
# Create the virtualenv NAME from PYTHON and install REQUIREMENTS into it.
#
# Runs as the user of the stage that holds the PYENV line, so the venv
# belongs to that user.  Optional BuildKit secrets: astro-pyenv-ca (a CA
# bundle for TLS-intercepting proxies), astro-pyenv-pip-conf (a pip config
# file, e.g. for a private index) and astro-pyenv-settings (KEY=value lines:
# index URLs and credentials, see settings.sh; they win over build args, and
# pip lets them win over pip.conf).  None is stored in a layer.
#
# The installer: pip (the venv's own), or with --installer=uv the uv binary the
# venv step mounts beside this script's directory (../uv/uv, from the frontend
# image; never copied into the image).  uv gets the same settings: uv-install.py
# translates pip's configuration and PIP_* variables to uv's, and refuses one it
# cannot honour.  A uv venv is made like pip's (-m venv, without ensurepip
# unless the bundled pip is kept) and gets the same pip, installed by uv.
#
# The cache: none unless the build opted in to a shared one
# (ASTRO_PYENV_PIP_CACHE), which BuildKit then mounts at $cache_mount with a
# top directory every user may write to; each uid keeps its own subdirectory,
# uid-UID for pip and uv-uid-UID for uv.
#
# pip itself: the new venv gets a current pip before anything is installed (an
# old CPython bundles a pip too old for today's wheel tags), through the same
# index, CA and pip.conf settings: the release this frontend was tested with
# for the venv's Python (a new pip on the index changes no build); older
# Pythons than that table knows get the newest pip for them.  The bundled pip
# installs it straight from its wheel, with the setuptools ensurepip would add.
# ASTRO_PYENV_PIP_VERSION=bundled keeps the bundled pip, =latest takes the
# newest, any other non-empty value pins it (pip==VALUE).
#
# --task-sdk=auto|VERSION (the PYENV flag): also install apache-airflow-task-sdk,
# which an Airflow 3 task in this venv needs to read Variables and Connections,
# in the same pip run as REQUIREMENTS.  auto takes the version the base image's
# Airflow runs (read with the first python3 on PATH, Airflow's on Astro Runtime,
# or with --airflow-python=PATH)
# and pins apache-airflow-core to the base's too (local labels such as +astro.1
# dropped: PyPI has the public release); it refuses a venv Python the
# task SDK does not support, and installs nothing on a base without a task SDK
# (Airflow 2).  VERSION pins apache-airflow-task-sdk==VERSION as given.
#
# The finished venv is moved to $out/NAME: the final stage copies the contents
# of $out, so the venv's own directory keeps its owner (copying the venv
# directory itself would make its top directory root's).
#
# On a host (astro-pyenv-frontend standalone): --venvs=DIR makes the venv in
# DIR instead of /opt/astro-pyenv/venvs, and --in-place leaves it there (a venv
# does not move: its scripts name its own path).
#
# usage: make-venv.sh [--installer=pip|uv] [--task-sdk=auto|VERSION]
#                     [--airflow-python=PATH] [--venvs=DIR] [--in-place]
#                     NAME PYTHON [REQUIREMENTS]
set -eu

installer=pip
task_sdk=
airflow_python=python3
venvs=/opt/astro-pyenv/venvs
in_place=
while [ $# -gt 0 ]; do
    case "$1" in
        --installer=*) installer="${1#--installer=}"; shift ;;
        --task-sdk=*) task_sdk="${1#--task-sdk=}"; shift ;;
        --airflow-python=*) airflow_python="${1#--airflow-python=}"; shift ;;
        --venvs=*) venvs="${1#--venvs=}"; shift ;;
        --in-place) in_place=1; shift ;;
        *) break ;;
    esac
done
name="$1"
python="$2"
requirements="${3:-}"
venv="$venvs/$name"
out="$venvs/.astro-pyenv-out"
cache_mount=/tmp/astro-pyenv-pip-cache
scripts="$(dirname "$0")"
uv="$scripts/../uv/uv"
. "$scripts/settings.sh"

if [ -s /run/secrets/astro-pyenv-ca ]; then
    export PIP_CERT=/run/secrets/astro-pyenv-ca
fi
if [ -s /run/secrets/astro-pyenv-pip-conf ]; then
    export PIP_CONFIG_FILE=/run/secrets/astro-pyenv-pip-conf
fi
astro_pyenv_load_settings
# use_cache DIR_VARIABLE OFF_VARIABLE PREFIX: the installer's cache in the opted-in shared one
# when it is mounted and this user may write to it (a directory PREFIX-UID of this user's own),
# else no cache at all.
use_cache() {
    if [ -d "$cache_mount" ] && [ -w "$cache_mount" ]; then
        export "$1=$cache_mount/$3-$(id -u)"
        unset "$2"
    else
        export "$2=1"
        unset "$1"
    fi
}
case "$installer" in
    pip)
        export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore
        use_cache PIP_CACHE_DIR PIP_NO_CACHE_DIR uid
        ;;
    uv)
        if [ ! -x "$uv" ]; then
            echo "astro-pyenv: --installer=uv: no uv at $uv (the frontend image's uv is mounted there)" >&2
            exit 1
        fi
        use_cache UV_CACHE_DIR UV_NO_CACHE uv-uid
        ;;
    *) echo "astro-pyenv: unknown --installer=$installer (pip or uv)" >&2; exit 2 ;;
esac

# venv_install ARGS...: pip or uv installs ARGS into the venv.
venv_install() {
    if [ "$installer" = uv ]; then
        "$venv/bin/python" -I "$scripts/uv-install.py" "$uv" "$venv/bin/python" "$@"
    else
        "$venv/bin/python" -m pip install "$@"
    fi
}

# A directory bind-mounted (or, for Buildah, copied) as the requirements file: pip -r would fail
# with a traceback.  A name pip cannot read (pyproject.toml, poetry.lock, ...) the frontend refuses.
if [ -n "$requirements" ] && [ ! -f "$requirements" ]; then
    echo "astro-pyenv: the <requirements-file> of PYENV $name is a directory in the build context, not a file: name a pip requirements file" >&2
    exit 1
fi
# A uv.lock: exported as `uv export` does (its project's pyproject.toml is mounted beside it),
# read as locked (--frozen: nothing resolved, nothing fetched), with hashes; the project's
# dependencies, not its dependency groups (dev) nor the project itself.  The export is then
# installed like a hashed requirements file, by either installer.  uv is the frontend image's
# (mounted for such a line whatever its installer), or on a host the first uv on PATH.
case "$requirements" in
    uv.lock|*/uv.lock)
        exporter="$uv"
        [ -x "$exporter" ] || exporter="$(command -v uv || true)"
        if [ -z "$exporter" ]; then
            echo "astro-pyenv: <requirements-file> uv.lock of PYENV $name: no uv here to export it (install uv, or name a pylock.toml or requirements file exported from it)" >&2
            exit 1
        fi
        exported="$(mktemp /tmp/astro-pyenv-uv-lock.XXXXXX)"
        if ! UV_NO_CACHE=1 UV_NO_PROGRESS=1 "$exporter" export --frozen --no-default-groups --no-emit-project \
            --no-header --format requirements-txt --project "$(dirname "$requirements")" >"$exported"; then
            echo "astro-pyenv: uv could not export the uv.lock of PYENV $name (above)" >&2
            exit 1
        fi
        echo "astro-pyenv: venv $name installs $(grep -c '^[A-Za-z0-9]' "$exported" || true) package(s) exported from uv.lock"
        requirements="$exported"
        ;;
esac
pip_version="${ASTRO_PYENV_PIP_VERSION:-}"
# The pip to install: the tested one for this Python (26.3 from 3.10, 26.0.1.post1 on 3.9, the
# last for 3.9), the newest, or the one asked for.
wanted_pip() {
    case "$pip_version" in
        "") "$python" -I -c 'import sys; v = sys.version_info[:2]
print("pip==26.3" if v >= (3, 10) else "pip==26.0.1.post1" if v == (3, 9) else "pip")' ;;
        latest) echo pip ;;
        *) echo "pip==$pip_version" ;;
    esac
}
# The wheels ensurepip would install (its bundled pip, and setuptools before CPython 3.12), one
# path a line, or nothing when this Python bundles none (a distribution's Python without
# ensurepip's wheels).
bundled_wheels() {
    "$python" -I -c 'import glob, os, ensurepip
d = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
pip = sorted(glob.glob(os.path.join(d, "pip-*.whl")))
if pip:
    print("\n".join(pip[-1:] + sorted(glob.glob(os.path.join(d, "setuptools-*.whl")))[-1:]))' 2>/dev/null || true
}
if [ "$pip_version" = bundled ]; then
    "$python" -m venv "$venv"
elif [ "$installer" = uv ]; then
    "$python" -m venv --without-pip "$venv"  # uv installs pip below, faster than ensurepip
    venv_install --upgrade "$(wanted_pip)"
else
    wheels="$(bundled_wheels)"
    if [ -n "$wheels" ]; then
        # The wanted pip installed once, by the bundled pip run from its wheel (as ensurepip runs
        # it), with what ensurepip would add beside it: not the bundled pip installed, compiled
        # and then replaced (a third of a small venv's time; minutes under emulation).
        "$python" -m venv --without-pip "$venv"
        # One word a line: an interpreter's path may hold spaces (standalone mode, on a host).
        old_ifs="$IFS"
        IFS='
'
        set -f
        # shellcheck disable=SC2086  # split on purpose, at newlines only
        set -- $wheels
        set +f
        IFS="$old_ifs"
        bootstrap="$1"
        shift
        "$venv/bin/python" "$bootstrap/pip" install --upgrade "$(wanted_pip)" "$@"
    else
        "$python" -m venv "$venv"
        venv_install --upgrade "$(wanted_pip)"
    fi
fi

# What the base image's Airflow runs: "<task-sdk> <airflow-core> <Requires-Python>", or nothing.
base_task_sdk() {
    "$airflow_python" -c '
import sys
try:
    from importlib.metadata import metadata, version
    sdk = version("apache-airflow-task-sdk")
except Exception:
    sys.exit(0)
try:
    core = version("apache-airflow-core")
except Exception:
    core = "-"
print(sdk, core, metadata("apache-airflow-task-sdk").get("Requires-Python") or "-")
' 2>/dev/null || true
}

sdk_pins=
case "$task_sdk" in
    "") ;;
    auto)
        found="$(base_task_sdk)"
        if [ -z "$found" ]; then
            echo "astro-pyenv: --task-sdk=auto: Airflow's Python ($airflow_python) has no apache-airflow-task-sdk (no Airflow 3), so venv $name gets none"
        else
            set -f  # Requires-Python may hold '*'
            # shellcheck disable=SC2086
            set -- $found
            set +f
            # Without a local label: Astro Runtime's builds say 3.1.8+astro.1, PyPI has 3.1.8.
            sdk_version="${1%%+*}" core_version="${2%%+*}"
            shift 2
            requires="$*"
            venv_version="$("$venv/bin/python" -c 'import platform; print(platform.python_version())')"
            # The base's own packaging library judges the Requires-Python of the task SDK it runs.
            fits=0
            "$airflow_python" -c '
import sys
try:
    from packaging.specifiers import SpecifierSet
except ImportError:
    sys.exit(0)
sys.exit(0 if sys.argv[1] == "-" or SpecifierSet(sys.argv[1]).contains(sys.argv[2], prereleases=True) else 1)
' "$requires" "$venv_version" 2>/dev/null || fits=$?
            if [ "$fits" -ne 0 ]; then
                echo "astro-pyenv: --task-sdk=auto: apache-airflow-task-sdk $sdk_version (what Airflow $core_version in the base image runs) needs Python $requires, and venv $name runs Python $venv_version. Give this environment a Python the task SDK supports, or drop --task-sdk and hand the task Variables and Connections as templated arguments: https://github.com/astro-pyenv/astro-pyenv/blob/main/docs/airflow.md#airflow-3-variables-and-connections-in-an-environment" >&2
                exit 1
            fi
            sdk_pins="apache-airflow-task-sdk==$sdk_version"
            if [ "$core_version" != "-" ]; then
                sdk_pins="$sdk_pins apache-airflow-core==$core_version"
            fi
            echo "astro-pyenv: venv $name gets $sdk_pins (the base image's Airflow)"
        fi
        ;;
    *) sdk_pins="apache-airflow-task-sdk==$task_sdk" ;;
esac

# One install for the requirements and the task SDK, so a conflict between them is reported.
set --
if [ -n "$requirements" ]; then
    set -- -r "$requirements"
fi
# shellcheck disable=SC2086  # the pins are words on purpose
set -- "$@" $sdk_pins
if [ $# -gt 0 ]; then
    venv_install "$@"
fi
"$venv/bin/python" -c 'import sys; print("astro-pyenv: venv '"$name"' runs Python", sys.version.split()[0])'
"$venv/bin/python" -m pip --version | sed 's/^/astro-pyenv: /'
if [ "$installer" = uv ]; then
    "$uv" --version | sed 's/^/astro-pyenv: installed by /'
fi

if [ -z "$in_place" ]; then
    mkdir -p "$out"
    mv "$venv" "$out/$name"
fi
